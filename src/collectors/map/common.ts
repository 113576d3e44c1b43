/** Small checks shared by the mappers: they turn contract breaches into MalformedResponse. */
import { MalformedResponseError } from '../errors.js';

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
  try {
    return JSON.parse(document) as unknown;
  } catch {
    throw new MalformedResponseError(`${what} is not valid JSON`);
  }
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
