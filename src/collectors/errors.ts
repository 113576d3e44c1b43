/**
 * How a failed AWS call becomes a `CollectionError` standing where the fact would have been
 * (SPEC §1: missing data is never a pass), and how messages are kept free of secrets (SPEC §9).
 */
import type { CollectionError } from '../snapshot/schema.js';

export type ErrorDetail = CollectionError['$error'];

/** Codes trailwarden itself records (the others are AWS's own error codes). */
export const OWNER_NOT_IN_SCAN = 'OwnerNotInScan';
export const ACCOUNT_NOT_ACCESSIBLE = 'AccountNotAccessible';
export const MALFORMED_RESPONSE = 'MalformedResponse';
export const NO_SUCH_BUCKET = 'NoSuchBucket';

/** A failed AWS call, already translated into the snapshot's error shape. */
export class AwsCallError extends Error {
  readonly detail: ErrorDetail;
  constructor(detail: ErrorDetail) {
    super(`${detail.action} failed in ${detail.accountId ?? 'the caller account'}${detail.region ? `/${detail.region}` : ''}: ${detail.code}`);
    this.name = 'AwsCallError';
    this.detail = detail;
  }
}

/** A mapper met an answer that breaks the API contract; recorded as MalformedResponse. */
export class MalformedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponseError';
  }
}

export function collectionError(detail: ErrorDetail): CollectionError {
  const cleaned: ErrorDetail = { action: detail.action, code: detail.code };
  if (detail.accountId !== undefined) cleaned.accountId = detail.accountId;
  if (detail.region !== undefined) cleaned.region = detail.region;
  if (detail.message !== undefined && detail.message !== '') cleaned.message = safeMessage(detail.message);
  return { $error: cleaned };
}

const MAX_MESSAGE_LENGTH = 300;

/**
 * Strips what must never reach a report: access keys, session tokens, signatures, pre-signed URL
 * query strings and bearer tokens. AWS error messages do not normally carry them, but an emulator or
 * a proxy might, and one leaked token in a SARIF upload is one too many.
 */
export function safeMessage(message: string): string {
  const redacted = message
    .replace(/https?:\/\/\S*[?&]X-Amz-[^\s]*/gi, '[redacted URL]')
    .replace(/\b(?:AKIA|ASIA|AIDA|AROA|ANPA|ANVA|AGPA)[A-Z0-9]{12,}\b/g, '[redacted key id]')
    .replace(/(X-Amz-(?:Signature|Credential|Security-Token)|Signature|SessionToken|sessionToken|aws_session_token|Authorization)\s*[=:]\s*\S+/gi, '$1=[redacted]')
    .replace(/\bBearer\s+\S+/gi, 'Bearer [redacted]')
    .replace(/[A-Za-z0-9+/]{120,}={0,2}/g, '[redacted token]')
    .replace(/\s+/g, ' ')
    .trim();
  return redacted.length > MAX_MESSAGE_LENGTH ? `${redacted.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : redacted;
}

interface SdkErrorLike {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Error names the SDK uses when the response carried no code of its own. */
const GENERIC_NAMES = new Set(['', 'Error', 'Unknown', 'UnknownError']);

const CODE_BY_HTTP_STATUS: Record<number, string> = {
  301: 'PermanentRedirect',
  400: 'BadRequest',
  403: 'AccessDenied',
  404: 'NotFound',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

/** The AWS error code of a thrown SDK (or network) error. */
export function errorCodeOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'UnknownError';
  const candidate = error as SdkErrorLike;
  for (const value of [candidate.Code, candidate.name]) {
    if (typeof value === 'string' && !GENERIC_NAMES.has(value) && value !== 'SyntaxError') return value;
  }
  const status = candidate.$metadata?.httpStatusCode;
  // A failure on a 2xx answer is the SDK failing to read the body: the answer was malformed.
  if (status !== undefined && status >= 200 && status < 300) return MALFORMED_RESPONSE;
  if (candidate.name === 'SyntaxError') return MALFORMED_RESPONSE;
  if (status !== undefined) return CODE_BY_HTTP_STATUS[status] ?? `Http${status}`;
  // Node network errors (ECONNREFUSED, ETIMEDOUT, …) carry their code here.
  if (typeof candidate.code === 'string' && candidate.code !== '') return candidate.code;
  return 'UnknownError';
}

export function errorMessageOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const message = (error as SdkErrorLike).message;
  return typeof message === 'string' && message !== '' && message !== 'UnknownError' ? message : undefined;
}

export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && ((error as { name?: unknown }).name === 'AbortError' || (error as { name?: unknown }).name === 'AbortedError');
}
