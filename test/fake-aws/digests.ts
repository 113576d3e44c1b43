/**
 * CloudTrail digest chains for the fake AWS, written the way CloudTrail writes them (User Guide,
 * "CloudTrail digest file structure" and "Custom implementations of log file integrity
 * validation"), signed with RSA keys the tests generate, and the damage a chain can suffer.
 * Test code: no vitest imports, so the benchmark can use it.
 */
import type { ChainLocation } from '../../src/collectors/map/integrity.js';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { FakeAwsModel, FakeDigestPublicKey, FakeObject } from './model.js';

const HOUR_MS = 3_600_000;

export interface SigningKey {
  region: string;
  fingerprint: string;
  privateKey: KeyObject;
  /** DER PKCS#1, as ListPublicKeys gives it. */
  publicDer: Buffer;
  validityStart: string;
  validityEnd: string;
}

/** A 2048-bit RSA key pair, as CloudTrail's; the fingerprint is the MD5 of the DER public key. */
export function generateSigningKey(region: string, validityStart: string, validityEnd: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicDer = publicKey.export({ format: 'der', type: 'pkcs1' });
  return { region, fingerprint: createHash('md5').update(publicDer).digest('hex'), privateKey, publicDer, validityStart, validityEnd };
}

export function publicKeyOf(key: SigningKey): FakeDigestPublicKey {
  return { region: key.region, fingerprint: key.fingerprint, value: key.publicDer, validityStart: key.validityStart, validityEnd: key.validityEnd };
}

/** Where a chain lives; the keys below are written independently of the collector's reading of them. */
export type ChainPlace = ChainLocation;

/** yyyymmddThhmmssZ */
function compact(time: Date): string {
  return time.toISOString().replace(/[-:]/g, '').replace(/\.[0-9]{3}/, '');
}

function folder(place: ChainPlace, kind: 'CloudTrail' | 'CloudTrail-Digest', time: Date): string {
  const prefix = place.keyPrefix ? `${place.keyPrefix}/` : '';
  const org = place.organizationId ? `${place.organizationId}/` : '';
  return `${prefix}AWSLogs/${org}${place.accountId}/${kind}/${place.region}/${time.toISOString().slice(0, 10).replaceAll('-', '/')}/`;
}

export function digestKey(place: ChainPlace, end: Date, backfill = false): string {
  return `${folder(place, 'CloudTrail-Digest', end)}${place.accountId}_CloudTrail-Digest_${place.region}_${place.trailName}_${place.homeRegion}_${compact(end)}${backfill ? '_backfill' : ''}.json.gz`;
}

export function logKey(place: ChainPlace, time: Date, index: number): string {
  return `${folder(place, 'CloudTrail', time)}${place.accountId}_CloudTrail_${place.region}_${compact(time).slice(0, 13)}Z_${index.toString(36).padStart(16, '0')}.json.gz`;
}

export interface WrittenDigest {
  key: string;
  end: Date;
  signature: string;
  logKeys: string[];
}

export interface ChainOptions {
  /** End times of the digests, oldest first. */
  ends: Date[];
  /** The key that signs the digest ending at `end`. */
  keyAt: (end: Date) => SigningKey;
  /** Log files per digest (default 1). */
  logFiles?: number;
  /** Digests whose previousDigestSignature is null: the chain (re)starts there. */
  restartsAt?: Date[];
  /** The digest before the first of `ends`, when the chain began before them. */
  previous?: WrittenDigest;
}

/** Signs a digest body as CloudTrail does and stores it with its metadata. */
export function putDigest(objects: Map<string, FakeObject>, place: ChainPlace, key: string, document: Record<string, unknown>, signer: SigningKey): string {
  const raw = Buffer.from(JSON.stringify(document));
  const toSign = `${String(document.digestEndTime)}\n${place.bucket}/${key}\n${createHash('sha256').update(raw).digest('hex')}\n${(document.previousDigestSignature as string | null) ?? 'null'}`;
  const signature = sign('sha256', Buffer.from(toSign), signer.privateKey).toString('hex');
  objects.set(key, { body: gzipSync(raw), metadata: { signature, 'signature-algorithm': 'SHA256withRSA' } });
  return signature;
}

function logRecord(place: ChainPlace, time: Date, index: number): Buffer {
  return Buffer.from(JSON.stringify({ Records: [{ eventVersion: '1.09', eventTime: time.toISOString(), eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', awsRegion: place.region, recipientAccountId: place.accountId, n: index }] }));
}

/** Writes log files and their hourly digests, chained and signed; returns the digests written. */
export function writeChain(objects: Map<string, FakeObject>, place: ChainPlace, options: ChainOptions): WrittenDigest[] {
  const written: WrittenDigest[] = [];
  let previous = options.previous;
  const restarts = new Set((options.restartsAt ?? []).map((time) => time.getTime()));
  for (const end of options.ends) {
    const start = new Date(end.getTime() - HOUR_MS);
    const logKeys: string[] = [];
    const logFiles = Array.from({ length: options.logFiles ?? 1 }, (_unused, index) => {
      const time = new Date(start.getTime() + ((index + 1) * HOUR_MS) / ((options.logFiles ?? 1) + 1));
      const key = logKey(place, time, end.getTime() / 1000 + index);
      const content = logRecord(place, time, index);
      objects.set(key, { body: gzipSync(content) });
      logKeys.push(key);
      return { s3Bucket: place.bucket, s3Object: key, hashValue: createHash('sha256').update(content).digest('hex'), hashAlgorithm: 'SHA-256', newestEventTime: time.toISOString(), oldestEventTime: time.toISOString() };
    });
    const restart = previous === undefined || restarts.has(end.getTime());
    const signer = options.keyAt(end);
    const key = digestKey(place, end);
    const document = {
      awsAccountId: place.accountId,
      digestStartTime: start.toISOString().replace(/\.[0-9]{3}/, ''),
      digestEndTime: end.toISOString().replace(/\.[0-9]{3}/, ''),
      digestS3Bucket: place.bucket,
      digestS3Object: key,
      digestPublicKeyFingerprint: signer.fingerprint,
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: end.toISOString(),
      oldestEventTime: start.toISOString(),
      previousDigestS3Bucket: restart ? null : place.bucket,
      previousDigestS3Object: restart ? null : previous!.key,
      previousDigestHashValue: restart ? null : 'not-checked-by-validation',
      previousDigestHashAlgorithm: restart ? null : 'SHA-256',
      previousDigestSignature: restart ? null : previous!.signature,
      logFiles,
    };
    const signature = putDigest(objects, place, key, document, signer);
    previous = { key, end, signature, logKeys };
    written.push(previous);
  }
  return written;
}

/** A backfill digest for late log files: outside the chain, signed like any digest. */
export function writeBackfill(objects: Map<string, FakeObject>, place: ChainPlace, end: Date, signer: SigningKey): string {
  const key = digestKey(place, end, true);
  putDigest(
    objects,
    place,
    key,
    {
      awsAccountId: place.accountId,
      digestStartTime: new Date(end.getTime() - HOUR_MS).toISOString().replace(/\.[0-9]{3}/, ''),
      digestEndTime: end.toISOString().replace(/\.[0-9]{3}/, ''),
      digestS3Bucket: place.bucket,
      digestS3Object: key,
      digestPublicKeyFingerprint: signer.fingerprint,
      digestSignatureAlgorithm: 'SHA256withRSA',
      previousDigestS3Bucket: null,
      previousDigestS3Object: null,
      previousDigestHashValue: null,
      previousDigestHashAlgorithm: null,
      previousDigestSignature: null,
      logFiles: [],
    },
    signer,
  );
  return key;
}

/** Hourly end times at :31:07 from `first` (inclusive) while before `until`. */
export function hourlyEnds(first: string, until: string): Date[] {
  const ends: Date[] = [];
  for (let time = Date.parse(first); time < Date.parse(until); time += HOUR_MS) ends.push(new Date(time));
  return ends;
}

// ---- damage ------------------------------------------------------------------------------------

/** Rewrites a digest's JSON (keeping its signature metadata): what an attacker hiding a log file does. */
export function editDigest(objects: Map<string, FakeObject>, key: string, edit: (document: Record<string, unknown>) => void): void {
  const object = objects.get(key);
  if (!object) throw new Error(`no object ${key}`);
  const document = JSON.parse(gunzipSync(object.body).toString('utf8')) as Record<string, unknown>;
  edit(document);
  objects.set(key, { ...object, body: gzipSync(Buffer.from(JSON.stringify(document))) });
}

/** Replaces a log file's content with other events. */
export function editLogFile(objects: Map<string, FakeObject>, key: string): void {
  const object = objects.get(key);
  if (!object) throw new Error(`no object ${key}`);
  const content = JSON.parse(gunzipSync(object.body).toString('utf8')) as { Records: Record<string, unknown>[] };
  content.Records = content.Records.filter((record) => record.eventName !== 'GetCallerIdentity');
  objects.set(key, { ...object, body: gzipSync(Buffer.from(JSON.stringify(content))) });
}

/**
 * Digest chains of the last `hours` hours for every organization trail of a fake model: one chain
 * per member account and enabled region (one log file per digest), one signing key per region.
 * For benchmarks: 100 accounts × 17 regions × 24 hours is 40,800 signed digests.
 */
export function addOrganizationChains(model: FakeAwsModel, options: { hours: number; now: string }): { digests: number } {
  const organizationId = model.organization?.id;
  if (organizationId === undefined) throw new Error('addOrganizationChains needs an organization');
  const start = Date.parse(options.now) - options.hours * HOUR_MS;
  const ends = hourlyEnds(new Date(start - HOUR_MS + 31 * 60_000 + 7_000).toISOString(), options.now);
  const keys = new Map<string, SigningKey>();
  const keyOf = (region: string) => {
    let key = keys.get(region);
    if (key === undefined) keys.set(region, (key = generateSigningKey(region, new Date(start - 30 * 24 * HOUR_MS).toISOString(), new Date(Date.parse(options.now) + 365 * 24 * HOUR_MS).toISOString())));
    return key;
  };
  let digests = 0;
  for (const owner of model.accounts) {
    for (const trail of owner.trails.filter((candidate) => candidate.isOrganizationTrail && candidate.logFileValidationEnabled)) {
      const bucket = model.accounts.flatMap((account) => account.buckets).find((candidate) => candidate.name === trail.s3BucketName);
      if (bucket === undefined) continue;
      const objects = (bucket.objects ??= new Map());
      for (const account of model.accounts.filter((candidate) => candidate.status === 'ACTIVE')) {
        const regions = trail.isMultiRegion ? account.regions.filter((region) => region.optInStatus !== 'not-opted-in').map((region) => region.name) : [trail.homeRegion];
        for (const region of regions) {
          const place: ChainPlace = { bucket: bucket.name, ...(trail.s3KeyPrefix ? { keyPrefix: trail.s3KeyPrefix } : {}), organizationId, accountId: account.id, region, trailName: trail.name, homeRegion: trail.homeRegion };
          digests += writeChain(objects, place, { ends, keyAt: () => keyOf(region) }).length;
        }
      }
    }
  }
  model.digestPublicKeys = [...(model.digestPublicKeys ?? []), ...[...keys.values()].map(publicKeyOf)];
  return { digests };
}
