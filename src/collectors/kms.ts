/** Trail KMS keys: metadata, rotation and policy, read once per scan in the account and region the key ARN names. */
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand } from '@aws-sdk/client-kms';
import type { KmsKey } from '../snapshot/schema.js';
import { factOf, openOwner, ownerUnavailable, type ScanContext } from './context.js';
import { collectionError } from './errors.js';
import type { Target } from './gateway.js';
import { locate } from './locate.js';
import { mapKeyMetadata, mapKeyPolicy, mapKeyRotation } from './map/kms.js';

export async function collectKmsKey(context: ScanContext, arn: string): Promise<KmsKey | undefined> {
  const location = locate(context, arn, 'trail KmsKeyId', 'kms:DescribeKey');
  if (location === undefined) return undefined;
  const base = { arn, accountId: location.accountId, region: location.region };
  const owner = await openOwner(context, location.accountId);
  if (!owner.ok) {
    const unavailable = (action: string) => ownerUnavailable(action, location.accountId, location.region, owner);
    return { ...base, metadata: unavailable('kms:DescribeKey'), rotationEnabled: unavailable('kms:GetKeyRotationStatus'), policy: unavailable('kms:GetKeyPolicy') };
  }
  const target: Target = location;
  const gateway = context.gateway;
  const metadata = await factOf(gateway.read(target, 'kms', new DescribeKeyCommand({ KeyId: arn }), mapKeyMetadata), { codes: ['NotFoundException'], value: null });
  if (metadata === null) {
    // The key does not exist: its rotation and policy have no value, and asking would only repeat NotFoundException.
    const missing = (action: string) => collectionError({ action, code: 'NotFoundException', ...location, message: `key ${arn} does not exist` });
    return { ...base, metadata, rotationEnabled: missing('kms:GetKeyRotationStatus'), policy: missing('kms:GetKeyPolicy') };
  }
  const [rotationEnabled, policy] = await Promise.all([
    // Asymmetric, HMAC and imported-material keys cannot rotate automatically: rotation is off, not unknown.
    factOf(gateway.read(target, 'kms', new GetKeyRotationStatusCommand({ KeyId: arn }), mapKeyRotation), { codes: ['UnsupportedOperationException'], value: false }),
    factOf(gateway.read(target, 'kms', new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' }), mapKeyPolicy)),
  ]);
  return { ...base, metadata, rotationEnabled, policy };
}
