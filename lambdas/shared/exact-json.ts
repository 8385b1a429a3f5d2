/**
 * JSON without floats: numbers are handed over as the exact text they had in the payload, so a
 * rate or an amount never passes through a JS number. Needs JSON.parse source text access and
 * JSON.rawJSON (Node >= 21; the project pins Node 24).
 *
 * JSON without ambiguity: JSON.parse keeps the last of two equal keys and says nothing, so
 * `{"amount":"1","amount":"1000"}` would be read as 1000 while another reader sees 1. The
 * strict parse refuses such a text and names the key.
 */

/** A value JSON.stringify writes out as the given number text, digits untouched ("12.50"). */
export const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/** JSON.parse where each number becomes `fromSource(its text)`. Throws SyntaxError on bad JSON. */
export function parseJsonNumbersAs(text: string, fromSource: (source: string) => unknown): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) => {
    if (typeof value !== 'number') return value;
    if (typeof context?.source !== 'string') {
      throw new Error('this runtime lacks JSON.parse source text access (needs Node >= 21)');
    }
    return fromSource(context.source);
  });
}

/** A key written twice in one object; `path` leads to that object (`["transactions", 3]`). */
export interface DuplicateKey {
  readonly path: readonly (string | number)[];
  readonly key: string;
}

export class DuplicateKeyError extends SyntaxError {
  override readonly name = 'DuplicateKeyError';

  constructor(readonly duplicate: DuplicateKey) {
    const where = duplicate.path.length > 0 ? ` in ${duplicate.path.join('.')}` : '';
    super(`the key ${JSON.stringify(duplicate.key)} appears more than once${where}`);
  }
}

/**
 * JSON.parse that throws DuplicateKeyError for the first key written twice in one object, and
 * SyntaxError for anything that is not JSON. With `fromSource`, numbers are read as in
 * parseJsonNumbersAs.
 */
export function parseJsonStrict(text: string, fromSource?: (source: string) => unknown): unknown {
  const value = fromSource ? parseJsonNumbersAs(text, fromSource) : JSON.parse(text);
  const [first] = duplicateKeys(text);
  if (first) throw new DuplicateKeyError(first);
  return value;
}

interface Frame {
  /** Keys seen so far; undefined for an array. */
  readonly keys?: Set<string>;
  /** The next string is a key (objects only). */
  expectKey: boolean;
  /** The key or index of the value being read. */
  at: string | number;
}

/** Every repeated key of a text that JSON.parse accepts (call it after a successful parse). */
export function duplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '{') stack.push({ keys: new Set(), expectKey: true, at: '' });
    else if (c === '[') stack.push({ expectKey: false, at: 0 });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',' && top) {
      if (top.keys) top.expectKey = true;
      else top.at = (top.at as number) + 1;
    } else if (c === '"') {
      const end = closingQuote(text, i);
      if (top?.keys && top.expectKey) {
        const literal = text.slice(i, end + 1);
        const key = literal.includes('\\') ? (JSON.parse(literal) as string) : literal.slice(1, -1);
        if (top.keys.has(key)) found.push({ path: stack.slice(0, -1).map((f) => f.at), key });
        top.keys.add(key);
        top.at = key;
        top.expectKey = false;
      }
      i = end;
    }
  }
  return found;
}

/** Index of the quote that closes the string opening at `start`. */
function closingQuote(text: string, start: number): number {
  for (let end = text.indexOf('"', start + 1); ; end = text.indexOf('"', end + 1)) {
    if (end < 0) return text.length; // not JSON: the caller parses first
    let backslashes = 0;
    while (text[end - 1 - backslashes] === '\\') backslashes += 1;
    if (backslashes % 2 === 0) return end;
  }
}
