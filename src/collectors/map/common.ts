/** Small checks shared by the mappers: they turn contract breaches into MalformedResponse. */
import { MalformedResponseError } from '../errors.js';
import { MAX_JSON_DEPTH, formatJsonPath, tooDeepPath } from '../../snapshot/structure.js';

/** A policy document sits about 8 levels down in the snapshot, which allows MAX_JSON_DEPTH in all. */
const MAX_POLICY_DEPTH = MAX_JSON_DEPTH - 16;

/** The value of a fact: neither the error recorded in its place nor absent. */
export type FactValue<T> = Exclude<T, { $error: unknown } | undefined>;

export function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null || value === '') throw new MalformedResponseError(`the answer has no ${what}`);
  return value;
}

/** An SDK timestamp as the snapshot's ISO 8601 string. */
export function isoTime(value: Date | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new MalformedResponseError(`${what} is not a valid time`);
  return value.toISOString();
}


/** A policy document returned as a JSON string (S3 bucket policy, KMS key policy). */
export function parsePolicyDocument(text: string | undefined, what: string): unknown {
  const document = required(text, what);
  let value: unknown;
  try {
    value = JSON.parse(document) as unknown;
  } catch {
    throw new MalformedResponseError(`${what} is not valid JSON`);
  }
  // A member account controls its bucket and key policies: a document nested 10,000 levels deep
  // becomes a collection error for that resource, not a stack overflow further down.
  const deep = tooDeepPath(value, MAX_POLICY_DEPTH);
  if (deep) throw new MalformedResponseError(`${what} nests deeper than ${MAX_POLICY_DEPTH} levels (at ${formatJsonPath(deep)})`);
  return value;
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
