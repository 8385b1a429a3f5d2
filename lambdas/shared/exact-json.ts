/**
 * JSON without floats: numbers are handed over as the exact text they had in the payload, so a
 * rate or an amount never passes through a JS number. Needs JSON.parse source text access and
 * JSON.rawJSON (Node >= 21; the project pins Node 24).
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
