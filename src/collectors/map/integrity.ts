/**
 * CloudTrail log file integrity, the pure part: where a trail's digest files are, how a digest is
 * verified, and what a sequence of digests says about the chain. No I/O; the collector
 * (collectors/integrity.ts) reads the objects and the public keys and hands them here.
 *
 * Follows the CloudTrail User Guide, "CloudTrail digest file structure" and "Custom
 * implementations of CloudTrail log file integrity validation":
 * - digests live at <prefix/>AWSLogs/<o-id/><account>/CloudTrail-Digest/<region>/<yyyy>/<mm>/<dd>/
 *   <account>_CloudTrail-Digest_<region>_<trail-name>_<home-region>_<yyyymmddThhmmssZ>.json.gz, a
 *   `_backfill` suffix before `.json.gz` for backfill digests;
 * - the object is gzipped JSON; its signature is the hex `x-amz-meta-signature`, algorithm
 *   `x-amz-meta-signature-algorithm` (SHA256withRSA);
 * - the signed data is `digestEndTime \n digestS3Bucket/digestS3Object \n hex(SHA-256(uncompressed
 *   digest)) \n previousDigestSignature` (the string `null` for the first digest of a chain),
 *   verified with RSA PKCS#1 v1.5 SHA-256 against the ListPublicKeys key (DER PKCS#1) whose
 *   fingerprint is `digestPublicKeyFingerprint` and whose validity covers the digest;
 * - a log file's `hashValue` is the hex SHA-256 of its uncompressed content.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { UserError } from '../../errors.js';
import type { ChainGap, DigestProblem, TrailStatus, CollectionError } from '../../snapshot/schema.js';
import { isCollectionError } from '../../snapshot/schema.js';

const HOUR_MS = 3_600_000;
export const MIN_WINDOW_HOURS = 1;
export const MAX_WINDOW_HOURS = 90 * 24;

/** What `--verify-integrity WINDOW [--verify-integrity-files]` asks of the collectors. */
export interface VerifyIntegrityOptions {
  windowHours: number;
  /** Also read every log file the digests name and compare its SHA-256. */
  files: boolean;
}

/**
 * `24h`, `7d`, `36h` → hours; bounded to 1 h … 90 d (a digest per hour per chain: 90 days of a
 * 100-account, 17-region organization is already 3.7 million objects).
 */
export function parseIntegrityWindow(text: string): number {
  const match = /^\s*([0-9]{1,5})\s*([hd])\s*$/i.exec(text);
  if (!match) throw new UserError(`--verify-integrity takes a window such as 24h or 7d, not '${text}'`);
  const hours = Number(match[1]) * (match[2]!.toLowerCase() === 'd' ? 24 : 1);
  if (hours < MIN_WINDOW_HOURS || hours > MAX_WINDOW_HOURS) {
    throw new UserError(`--verify-integrity window must lie between ${MIN_WINDOW_HOURS}h and ${MAX_WINDOW_HOURS / 24}d, not '${text}'`);
  }
  return hours;
}

/** One chain: the digests one trail delivers for one account and region. */
export interface ChainLocation {
  bucket: string;
  /** Trail.S3KeyPrefix, without a trailing slash. */
  keyPrefix?: string;
  /** Organization trails write under the organization id. */
  organizationId?: string;
  accountId: string;
  region: string;
  trailName: string;
  homeRegion: string;
}

export function digestPrefix(location: ChainLocation): string {
  const prefix = location.keyPrefix ? `${location.keyPrefix.replace(/\/+$/, '')}/` : '';
  const org = location.organizationId ? `${location.organizationId}/` : '';
  return `${prefix}AWSLogs/${org}${location.accountId}/CloudTrail-Digest/${location.region}/`;
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '/');
}

/**
 * The day folders a window's digests can be in: a digest is filed under the day of its end time,
 * and the last hour of the window may end after `end`.
 */
export function dayPrefixes(location: ChainLocation, start: Date, end: Date): string[] {
  const base = digestPrefix(location);
  const days: string[] = [];
  const last = utcDay(new Date(end.getTime() + HOUR_MS));
  for (let day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate())); ; day = new Date(day.getTime() + 24 * HOUR_MS)) {
    const name = utcDay(day);
    days.push(`${base}${name}/`);
    if (name >= last) break;
  }
  return days;
}

export interface DigestKeyInfo {
  key: string;
  endTime: Date;
  backfill: boolean;
}

const KEY_TAIL = /^([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z(_backfill)?\.json\.gz$/;

/** The end time a digest key names, when the key is one of this chain's digests (other trails share the folder). */
export function parseDigestKey(key: string, location: ChainLocation): DigestKeyInfo | undefined {
  const base = digestPrefix(location);
  if (!key.startsWith(base)) return undefined;
  const rest = key.slice(base.length);
  // yyyy/mm/dd/ then the file name
  if (rest.length < 11 || !/^[0-9]{4}\/[0-9]{2}\/[0-9]{2}\/$/.test(rest.slice(0, 11))) return undefined;
  const head = `${location.accountId}_CloudTrail-Digest_${location.region}_${location.trailName}_${location.homeRegion}_`;
  const file = rest.slice(11);
  if (!file.startsWith(head)) return undefined;
  const tail = KEY_TAIL.exec(file.slice(head.length));
  if (!tail) return undefined;
  const endTime = new Date(Date.UTC(Number(tail[1]), Number(tail[2]) - 1, Number(tail[3]), Number(tail[4]), Number(tail[5]), Number(tail[6])));
  if (Number.isNaN(endTime.getTime())) return undefined;
  return { key, endTime, backfill: tail[7] !== undefined };
}

/** A cloudtrail:ListPublicKeys entry. */
export interface DigestPublicKey {
  fingerprint: string;
  /** PublicKey.Value: DER-encoded PKCS#1 RSAPublicKey. */
  value: Uint8Array;
  validityStart?: Date;
  validityEnd?: Date;
}

/** The fields of a digest file this verification relies on. */
export interface DigestContent {
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestSignature: string | null;
  logFiles: { s3Bucket: string; s3Object: string; hashValue: string }[];
}

/** A digest object as read from S3: its uncompressed bytes and its metadata. */
export interface DigestObject {
  key: string;
  bucket: string;
  backfill: boolean;
  /** The gunzipped object body. */
  content: Uint8Array;
  /** x-amz-meta-signature */
  signature?: string | undefined;
  /** x-amz-meta-signature-algorithm */
  signatureAlgorithm?: string | undefined;
}

export interface CheckedDigest {
  key: string;
  backfill: boolean;
  /** The parsed content, when it could be parsed (a forged digest still says what it claims). */
  content?: DigestContent;
  signature?: string;
  startTime?: Date;
  endTime?: Date;
  /** Why the digest itself does not verify; absent when it does. */
  failure?: string;
}

const MAX_HASH_TEXT = 128;

function stringOrNull(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

/** The digest's JSON, when it has the fields validation needs with the types the documentation gives them. */
export function parseDigestContent(content: Uint8Array): DigestContent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(content).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const d = parsed as Record<string, unknown>;
  const strings = ['digestStartTime', 'digestEndTime', 'digestS3Bucket', 'digestS3Object', 'digestPublicKeyFingerprint'] as const;
  if (!strings.every((name) => typeof d[name] === 'string')) return undefined;
  if (!stringOrNull(d.previousDigestSignature) || !stringOrNull(d.previousDigestS3Bucket ?? null) || !stringOrNull(d.previousDigestS3Object ?? null)) return undefined;
  if (!('previousDigestSignature' in d)) return undefined;
  const logFiles = d.logFiles ?? [];
  if (!Array.isArray(logFiles)) return undefined;
  const files: DigestContent['logFiles'] = [];
  for (const file of logFiles as unknown[]) {
    if (typeof file !== 'object' || file === null) return undefined;
    const f = file as Record<string, unknown>;
    if (typeof f.s3Bucket !== 'string' || typeof f.s3Object !== 'string' || typeof f.hashValue !== 'string' || f.hashValue.length > MAX_HASH_TEXT) return undefined;
    files.push({ s3Bucket: f.s3Bucket, s3Object: f.s3Object, hashValue: f.hashValue.toLowerCase() });
  }
  return {
    digestStartTime: d.digestStartTime as string,
    digestEndTime: d.digestEndTime as string,
    digestS3Bucket: d.digestS3Bucket as string,
    digestS3Object: d.digestS3Object as string,
    digestPublicKeyFingerprint: d.digestPublicKeyFingerprint as string,
    previousDigestS3Bucket: (d.previousDigestS3Bucket ?? null) as string | null,
    previousDigestS3Object: (d.previousDigestS3Object ?? null) as string | null,
    previousDigestSignature: d.previousDigestSignature as string | null,
    logFiles: files,
  };
}

/** The data-signing string of the custom-validation guide. */
export function signingString(content: Pick<DigestContent, 'digestEndTime' | 'digestS3Bucket' | 'digestS3Object' | 'previousDigestSignature'>, uncompressed: Uint8Array): string {
  const hash = createHash('sha256').update(uncompressed).digest('hex');
  return `${content.digestEndTime}\n${content.digestS3Bucket}/${content.digestS3Object}\n${hash}\n${content.previousDigestSignature ?? 'null'}`;
}

const HEX = /^(?:[0-9a-f]{2})+$/i;

function parseTime(text: string): Date | undefined {
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** Public keys parsed once per scan (DER PKCS#1), by fingerprint. */
export class PublicKeyRing {
  private readonly parsed = new Map<DigestPublicKey, KeyObject | undefined>();
  constructor(private readonly keys: readonly DigestPublicKey[]) {}

  /** The key of `fingerprint` valid at `time`, or why there is none. */
  select(fingerprint: string, time: Date): KeyObject | string {
    const candidates = this.keys.filter((key) => key.fingerprint.toLowerCase() === fingerprint.toLowerCase());
    if (candidates.length === 0) return `no public key with fingerprint ${fingerprint} in cloudtrail:ListPublicKeys for the window`;
    const valid = candidates.find((key) => (key.validityStart === undefined || key.validityStart <= time) && (key.validityEnd === undefined || time <= key.validityEnd));
    if (valid === undefined) return `public key ${fingerprint} was not valid at ${time.toISOString()}`;
    if (!this.parsed.has(valid)) {
      let key: KeyObject | undefined;
      try {
        key = createPublicKey({ key: Buffer.from(valid.value), format: 'der', type: 'pkcs1' });
      } catch {
        key = undefined;
      }
      this.parsed.set(valid, key);
    }
    return this.parsed.get(valid) ?? `public key ${fingerprint} is not a DER PKCS#1 RSA key`;
  }
}

/** Checks one digest: format, original location, the key of its fingerprint, its RSA SHA-256 signature. */
export function checkDigest(object: DigestObject, keys: PublicKeyRing): CheckedDigest {
  const base = { key: object.key, backfill: object.backfill };
  const content = parseDigestContent(object.content);
  if (content === undefined) return { ...base, failure: 'invalid format: not a CloudTrail digest (gzipped JSON with the documented fields)' };
  const startTime = parseTime(content.digestStartTime);
  const endTime = parseTime(content.digestEndTime);
  const described = { ...base, content, ...(startTime ? { startTime } : {}), ...(endTime ? { endTime } : {}), ...(object.signature !== undefined ? { signature: object.signature.toLowerCase() } : {}) };
  if (startTime === undefined || endTime === undefined) return { ...described, failure: 'invalid format: digestStartTime or digestEndTime is not a timestamp' };
  if (content.digestS3Bucket !== object.bucket || content.digestS3Object !== object.key) {
    return { ...described, failure: `moved from its original location (it names s3://${content.digestS3Bucket}/${content.digestS3Object})` };
  }
  if (object.signature === undefined || object.signature === '') return { ...described, failure: 'no x-amz-meta-signature' };
  if (!HEX.test(object.signature)) return { ...described, failure: 'x-amz-meta-signature is not hexadecimal' };
  if (object.signatureAlgorithm !== undefined && object.signatureAlgorithm !== 'SHA256withRSA') {
    return { ...described, failure: `unsupported x-amz-meta-signature-algorithm ${object.signatureAlgorithm}` };
  }
  const key = keys.select(content.digestPublicKeyFingerprint, endTime);
  if (typeof key === 'string') return { ...described, failure: key };
  const signed = Buffer.from(signingString(content, object.content), 'utf8');
  let valid = false;
  try {
    valid = verify('sha256', signed, key, Buffer.from(object.signature, 'hex'));
  } catch {
    valid = false;
  }
  return valid ? described : { ...described, failure: `signature does not verify with public key ${content.digestPublicKeyFingerprint}` };
}

/** What the trail's own status says about when it stopped or started logging. */
type StatusFact = TrailStatus | CollectionError;

/** Slack between one digest's end and the next one's start before the hours between count as a gap. */
const LINK_SLACK_MS = 5 * 60_000;
/** A digest covers an hour and is delivered after it: the newest may end up to two hours before the scan. */
const DELIVERY_DELAY_MS = 2 * HOUR_MS;

export interface ChainAnalysis {
  linkBreaks: DigestProblem[];
  gaps: ChainGap[];
}

function at(ms: number): string {
  return new Date(ms).toISOString();
}

function within(time: string | undefined, startMs: number, endMs: number): boolean {
  if (time === undefined) return false;
  const ms = Date.parse(time);
  return ms >= startMs && ms <= endMs;
}

/** A stop/start of logging recorded in GetTrailStatus that falls in the gap, in words. */
function loggingHistoryIn(status: StatusFact, startMs: number, endMs: number): string | undefined {
  if (isCollectionError(status)) return undefined;
  const events = [
    within(status.stopLoggingTime, startMs - HOUR_MS, endMs) ? `logging stopped at ${status.stopLoggingTime}` : '',
    within(status.startLoggingTime, startMs, endMs + HOUR_MS) ? `started at ${status.startLoggingTime}` : '',
  ].filter(Boolean);
  return events.length > 0 ? events.join(', ') : undefined;
}

/**
 * Links and gaps of a chain within the window [start, end]. `digests` are every verified-or-not
 * non-backfill digest of the window; `existing` every digest key the listing showed (backfill
 * included), to tell a deleted predecessor from one outside the window.
 */
export function analyzeChain(input: { digests: readonly CheckedDigest[]; bucket: string; windowStart: Date; windowEnd: Date; status: StatusFact; listedKeys: ReadonlySet<string>; keyTime: (key: string) => Date | undefined }): ChainAnalysis {
  const { bucket, status } = input;
  const startMs = input.windowStart.getTime();
  const endMs = input.windowEnd.getTime();
  const chain = input.digests
    .filter((digest) => !digest.backfill && digest.content !== undefined && digest.startTime !== undefined && digest.endTime !== undefined)
    .sort((a, b) => a.endTime!.getTime() - b.endTime!.getTime() || (a.key < b.key ? -1 : 1));
  const linkBreaks: DigestProblem[] = [];
  const gaps: ChainGap[] = [];

  for (const [index, digest] of chain.entries()) {
    const content = digest.content!;
    const before = index > 0 ? chain[index - 1] : undefined;
    const previousKey = content.previousDigestS3Object;
    const restart = content.previousDigestSignature === null;
    if (!restart && previousKey !== null) {
      if (before !== undefined && previousKey === before.key) {
        if (content.previousDigestS3Bucket !== bucket) {
          linkBreaks.push({ key: digest.key, reason: `previousDigestS3Bucket is ${content.previousDigestS3Bucket ?? 'null'}, not ${bucket}` });
        } else if (before.signature === undefined || content.previousDigestSignature !== before.signature) {
          linkBreaks.push({ key: digest.key, reason: `previousDigestSignature does not match the signature of ${before.key}` });
        }
      } else if (input.listedKeys.has(previousKey)) {
        linkBreaks.push({ key: digest.key, reason: `links to ${previousKey}, skipping ${before?.key ?? 'the digest before it'}` });
      } else {
        const previousTime = input.keyTime(previousKey);
        // A predecessor that ends before the window is outside what was read, not missing.
        if (previousTime === undefined || previousTime.getTime() >= startMs) {
          linkBreaks.push({ key: previousKey, reason: `missing: deleted or moved (${digest.key} names it as the previous digest)` });
        }
      }
    }
    const gapStart = before ? before.endTime!.getTime() : startMs;
    const gapEnd = digest.startTime!.getTime();
    if (gapEnd - gapStart > LINK_SLACK_MS) {
      const history = loggingHistoryIn(status, gapStart, gapEnd);
      const gap: ChainGap = { start: at(gapStart), end: at(gapEnd), explained: restart, reason: '', beforeKey: digest.key, ...(before ? { afterKey: before.key } : {}) };
      if (restart) {
        gap.reason = `the chain restarts at ${digest.key} (previousDigestSignature null, signed by CloudTrail): ${history ?? 'logging or log file validation was off'}`;
      } else if (before === undefined) {
        // Before the first digest of the window: covered by a predecessor outside the window, unless it is gone.
        const previousTime = previousKey === null ? undefined : input.keyTime(previousKey);
        if (previousTime !== undefined && previousTime.getTime() < startMs && gapEnd - startMs <= HOUR_MS + LINK_SLACK_MS) continue;
        gap.reason = `no digest covers ${at(gapStart)} to ${at(gapEnd)} before ${digest.key}`;
      } else {
        gap.reason = `no digest covers ${at(gapStart)} to ${at(gapEnd)} between ${before.key} and ${digest.key}${previousKey !== null && previousKey !== before.key ? ` (${digest.key} names ${previousKey})` : ''}`;
      }
      gaps.push(gap);
    }
  }

  const last = chain.at(-1);
  const lastEnd = last ? last.endTime!.getTime() : startMs;
  if (endMs - lastEnd > DELIVERY_DELAY_MS) {
    const stopped = !isCollectionError(status) && !status.isLogging && status.stopLoggingTime !== undefined && Date.parse(status.stopLoggingTime) <= lastEnd + HOUR_MS;
    const startedLate = !isCollectionError(status) && status.isLogging && status.startLoggingTime !== undefined && Date.parse(status.startLoggingTime) >= endMs - DELIVERY_DELAY_MS;
    const base = { start: at(lastEnd), end: at(endMs), ...(last ? { afterKey: last.key } : {}) };
    if (stopped) gaps.push({ ...base, explained: true, reason: `logging stopped at ${(status as TrailStatus).stopLoggingTime} (GetTrailStatus)` });
    else if (startedLate) gaps.push({ ...base, explained: true, reason: `logging started at ${(status as TrailStatus).startLoggingTime}; no digest is due yet` });
    else {
      const why = isCollectionError(status) ? '; the trail status could not be read to explain it' : '';
      gaps.push({ ...base, explained: false, reason: last ? `no digest after ${last.key}${why}` : `no digest in the window${why}` });
    }
  }
  return { linkBreaks, gaps };
}
