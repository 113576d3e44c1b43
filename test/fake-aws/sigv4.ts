/**
 * AWS Signature Version 4, read from the server side: the credential scope names the access key,
 * region and service of a request, and the signature proves the caller holds the secret key.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface SigV4Authorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

export function parseAuthorization(header: string | undefined): SigV4Authorization | undefined {
  const match = header === undefined ? null : AUTHORIZATION_PATTERN.exec(header.trim());
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match as unknown as string[];
  return { accessKeyId: accessKeyId!, date: date!, region: region!, service: service!, signedHeaders: signedHeaders!.split(';'), signature: signature! };
}

export interface SignedRequest {
  method: string;
  /** The request target exactly as received (path and query, still percent-encoded). */
  rawUrl: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** RFC 3986 encoding as the AWS signers apply it. */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalPath(rawPath: string, escapePath: boolean): string {
  if (!escapePath) return rawPath;
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${rawPath.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

/** Percent-decoding that leaves a malformed sequence as sent (it then fails the signature check). */
export function decodeLeniently(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function canonicalQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  const pairs = rawQuery.split('&').filter((pair) => pair !== '').map((pair) => {
    const separator = pair.indexOf('=');
    const key = decodeLeniently(separator === -1 ? pair : pair.slice(0, separator));
    const value = separator === -1 ? '' : decodeLeniently(pair.slice(separator + 1));
    return `${escapeUri(key)}=${escapeUri(value)}`;
  });
  return pairs.sort().join('&');
}

function headerValue(headers: SignedRequest['headers'], name: string): string {
  const value = headers[name];
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * Whether the request carries a valid signature for `secretAccessKey`. S3 signs the path as sent;
 * every other service signs it escaped once more (the SDK's `uriEscapePath`).
 */
export function verifySignature(request: SignedRequest, authorization: SigV4Authorization, secretAccessKey: string): boolean {
  const queryStart = request.rawUrl.indexOf('?');
  const rawPath = queryStart === -1 ? request.rawUrl : request.rawUrl.slice(0, queryStart);
  const rawQuery = queryStart === -1 ? '' : request.rawUrl.slice(queryStart + 1);
  const payloadHash = headerValue(request.headers, 'x-amz-content-sha256') || createHash('sha256').update(request.body).digest('hex');
  const canonicalRequest = [
    request.method,
    canonicalPath(rawPath, authorization.service !== 's3'),
    canonicalQuery(rawQuery),
    ...authorization.signedHeaders.map((name) => `${name}:${headerValue(request.headers, name)}`),
    '',
    authorization.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${authorization.date}/${authorization.region}/${authorization.service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    headerValue(request.headers, 'x-amz-date'),
    scope,
    createHash('sha256').update(canonicalRequest, 'utf8').digest('hex'),
  ].join('\n');
  let signingKey = hmac(`AWS4${secretAccessKey}`, authorization.date);
  for (const part of [authorization.region, authorization.service, 'aws4_request']) signingKey = hmac(signingKey, part);
  const expected = hmac(signingKey, stringToSign);
  const presented = Buffer.from(authorization.signature, 'hex');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
