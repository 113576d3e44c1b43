/**
 * Drops members whose value is undefined, so optional fields are absent rather than
 * present-but-undefined (exactOptionalPropertyTypes; JSON schemas reject explicit undefined too).
 */
export function definedOnly<T extends object>(record: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
