/**
 * Opaque NextToken pagination shared by every paginated action. The token encodes the offset of the
 * next page; an injected empty page answers no items and a token for the same offset, as real
 * Organizations and CloudTrail sometimes do.
 */
import { AwsError, type ErrorSpec } from './errors.js';
import type { CallContext } from './service.js';

const TOKEN_PREFIX = 'fake-aws-page:';

export interface Page<T> {
  items: T[];
  nextToken?: string | undefined;
}

function encodeToken(offset: number): string {
  return Buffer.from(`${TOKEN_PREFIX}${offset}`).toString('base64url');
}

function decodeToken(token: string): number | undefined {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!text.startsWith(TOKEN_PREFIX)) return undefined;
  const offset = Number(text.slice(TOKEN_PREFIX.length));
  return Number.isInteger(offset) && offset >= 0 ? offset : undefined;
}

export function paginate<T>(
  context: CallContext,
  items: readonly T[],
  token: string | undefined,
  pageSize: number,
  invalidToken: ErrorSpec,
): Page<T> {
  const offset = token === undefined ? 0 : decodeToken(token);
  if (offset === undefined || offset > items.length) throw new AwsError(invalidToken, 'The NextToken value is invalid.');
  if (context.emptyPage) return { items: [], nextToken: encodeToken(offset) };
  const end = offset + pageSize;
  return { items: items.slice(offset, end), nextToken: end < items.length ? encodeToken(end) : undefined };
}
