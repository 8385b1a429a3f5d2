/**
 * What a call refused with: the named fields of the error it threw (awaited), or 'no error'.
 * One object, so a failing test shows every field that differs at once.
 */
export async function refusal<K extends string>(call: () => unknown, fields: readonly K[]): Promise<Record<K, unknown> | 'no error'> {
  try {
    await call();
  } catch (error) {
    return Object.fromEntries(fields.map((field) => [field, (error as Record<string, unknown>)[field]])) as Record<K, unknown>;
  }
  return 'no error';
}
