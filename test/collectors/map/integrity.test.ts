import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { PublicKeyRing, analyzeChain, checkDigest, dayPrefixes, digestPrefix, parseDigestKey, parseIntegrityWindow, signingString, type ChainLocation } from '../../../src/collectors/map/integrity.js';
import { digestKey, generateSigningKey, hourlyEnds, publicKeyOf, putDigest, writeChain, type SigningKey } from '../../fake-aws/digests.js';
import type { FakeObject } from '../../fake-aws/model.js';
import { gunzipSync } from 'node:zlib';

/** A ListPublicKeys entry as the SDK gives it (dates as Date). */
function published(key: SigningKey, validityEnd?: string) {
  const fake = publicKeyOf(key);
  return { fingerprint: fake.fingerprint, value: fake.value, validityStart: new Date(fake.validityStart), validityEnd: new Date(validityEnd ?? fake.validityEnd) };
}

const LOCATION: ChainLocation = { bucket: 'logs', keyPrefix: 'org', organizationId: 'o-abc', accountId: '444444444444', region: 'eu-west-1', trailName: 'main', homeRegion: 'us-east-1' };

describe('parseIntegrityWindow', () => {
  it('reads hours and days', () => {
    expect(parseIntegrityWindow('24h')).toBe(24);
    expect(parseIntegrityWindow('7d')).toBe(168);
    expect(parseIntegrityWindow(' 1H ')).toBe(1);
    expect(parseIntegrityWindow('90d')).toBe(2160);
  });

  it('refuses anything else with a UserError that says what it expects', () => {
    for (const bad of ['', '24', '0h', '91d', '1.5h', '-3h', '24m', '1w', '99999999h']) {
      expect(() => parseIntegrityWindow(bad), bad).toThrow(UserError);
    }
    expect(() => parseIntegrityWindow('3w')).toThrow(/such as 24h or 7d/);
    expect(() => parseIntegrityWindow('100d')).toThrow(/between 1h and 90d/);
  });
});

describe('digest locations', () => {
  it('builds the documented organization prefix with the trail key prefix', () => {
    expect(digestPrefix(LOCATION)).toBe('org/AWSLogs/o-abc/444444444444/CloudTrail-Digest/eu-west-1/');
    expect(digestPrefix((({ keyPrefix: _prefix, organizationId: _org, ...rest }) => rest)(LOCATION))).toBe('AWSLogs/444444444444/CloudTrail-Digest/eu-west-1/');
  });

  it('lists every UTC day a window digest can be filed under, the hour after the end included', () => {
    expect(dayPrefixes(LOCATION, new Date('2024-05-31T12:00:00Z'), new Date('2024-06-01T12:00:00Z')).map((prefix) => prefix.slice(-11))).toEqual(['2024/05/31/', '2024/06/01/']);
    expect(dayPrefixes(LOCATION, new Date('2024-05-31T00:00:00Z'), new Date('2024-05-31T23:30:00Z')).map((prefix) => prefix.slice(-11))).toEqual(['2024/05/31/', '2024/06/01/']);
  });

  it('recognises this chain\'s digests and backfills, and not another trail\'s in the same folder', () => {
    const place = { ...LOCATION };
    const key = digestKey(place, new Date('2024-06-01T03:31:07Z'));
    expect(parseDigestKey(key, LOCATION)).toEqual({ key, endTime: new Date('2024-06-01T03:31:07Z'), backfill: false });
    expect(parseDigestKey(digestKey(place, new Date('2024-06-01T03:31:07Z'), true), LOCATION)?.backfill).toBe(true);
    expect(parseDigestKey(digestKey({ ...place, trailName: 'other' }, new Date('2024-06-01T03:31:07Z')), LOCATION)).toBeUndefined();
    expect(parseDigestKey(`${digestPrefix(LOCATION)}2024/06/01/notes.txt`, LOCATION)).toBeUndefined();
  });
});

describe('checkDigest', () => {
  let key: SigningKey;
  let other: SigningKey;
  beforeAll(() => {
    key = generateSigningKey('eu-west-1', '2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
    other = generateSigningKey('eu-west-1', '2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
  });

  function chain(): { objects: Map<string, FakeObject>; keys: string[] } {
    const objects = new Map<string, FakeObject>();
    const written = writeChain(objects, LOCATION, { ends: hourlyEnds('2024-06-01T00:31:07Z', '2024-06-01T03:00:00Z'), keyAt: () => key });
    return { objects, keys: written.map((digest) => digest.key) };
  }

  function check(objects: Map<string, FakeObject>, objectKey: string, ring = new PublicKeyRing([published(key)])) {
    const object = objects.get(objectKey)!;
    return checkDigest({ key: objectKey, bucket: 'logs', backfill: false, content: gunzipSync(object.body), signature: object.metadata?.signature, signatureAlgorithm: object.metadata?.['signature-algorithm'] }, ring);
  }

  it('verifies CloudTrail-style signatures, the first digest of a chain signing "null" as its predecessor', () => {
    const { objects, keys } = chain();
    for (const objectKey of keys) expect(check(objects, objectKey).failure).toBeUndefined();
    const first = JSON.parse(gunzipSync(objects.get(keys[0]!)!.body).toString()) as { previousDigestSignature: null };
    expect(first.previousDigestSignature).toBeNull();
    expect(signingString({ digestEndTime: 'T', digestS3Bucket: 'b', digestS3Object: 'k', previousDigestSignature: null }, Buffer.from('x'))).toBe(
      'T\nb/k\n2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\nnull',
    );
  });

  it('fails a digest signed by a key of the same fingerprint it does not hold, a moved digest, a bad signature and a key outside its validity', () => {
    const { objects, keys } = chain();
    const target = keys[1]!;
    const document = JSON.parse(gunzipSync(objects.get(target)!.body).toString()) as Record<string, unknown>;
    putDigest(objects, LOCATION, target, { ...document }, { ...other, fingerprint: key.fingerprint });
    expect(check(objects, target).failure).toMatch(/signature does not verify/);

    const moved = `${target}.copy`;
    objects.set(moved, objects.get(keys[2]!)!);
    expect(check(objects, moved).failure).toMatch(/moved from its original location/);

    objects.set(keys[2]!, { ...objects.get(keys[2]!)!, metadata: { signature: 'zz', 'signature-algorithm': 'SHA256withRSA' } });
    expect(check(objects, keys[2]!).failure).toMatch(/not hexadecimal/);

    const expired = new PublicKeyRing([published(key, '2024-05-01T00:00:00Z')]);
    expect(check(objects, keys[0]!, expired).failure).toMatch(/was not valid at/);

    objects.set('junk', { body: gzipSync(Buffer.from('{"not":"a digest"}')) });
    expect(check(objects, 'junk').failure).toMatch(/invalid format/);
  });

  it('finds a replaced link: a digest whose previousDigestSignature is not its predecessor\'s signature', () => {
    const { objects, keys } = chain();
    const ring = new PublicKeyRing([published(key)]);
    const checked = keys.map((objectKey) => check(objects, objectKey, ring));
    const forged = { ...checked[2]!, content: { ...checked[2]!.content!, previousDigestSignature: 'ab'.repeat(256) } };
    const result = analyzeChain({
      digests: [checked[0]!, checked[1]!, forged],
      bucket: 'logs',
      windowStart: new Date('2024-06-01T00:00:00Z'),
      windowEnd: new Date('2024-06-01T03:00:00Z'),
      status: { isLogging: true },
      listedKeys: new Set(keys),
      keyTime: (objectKey) => parseDigestKey(objectKey, LOCATION)?.endTime,
    });
    expect(result.linkBreaks).toEqual([{ key: keys[2], reason: `previousDigestSignature does not match the signature of ${keys[1]}` }]);
    expect(result.gaps).toEqual([]);
  });
});
