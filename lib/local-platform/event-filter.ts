/**
 * Lambda event filtering for the local event source mappings: the subset of the pattern syntax
 * the definitions use (nested fields, a list of exact values, `{ "prefix": "…" }`). A pattern
 * using anything else is refused, so a new rule is implemented here rather than ignored.
 */
export function matchesFilter(pattern: Record<string, unknown>, event: unknown): boolean {
  return Object.entries(pattern).every(([field, rule]) => {
    const value = isObject(event) ? event[field] : undefined;
    if (Array.isArray(rule)) return rule.some((allowed) => matchesValue(allowed, value));
    if (isObject(rule)) return matchesFilter(rule, value);
    throw new Error(`unsupported event filter rule for ${field}: ${JSON.stringify(rule)}`);
  });
}

function matchesValue(allowed: unknown, value: unknown): boolean {
  if (allowed === null || ['string', 'number', 'boolean'].includes(typeof allowed)) return value === allowed;
  if (isObject(allowed) && Object.keys(allowed).length === 1 && typeof allowed.prefix === 'string') {
    return typeof value === 'string' && value.startsWith(allowed.prefix);
  }
  throw new Error(`unsupported event filter value ${JSON.stringify(allowed)}`);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
