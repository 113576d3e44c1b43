/** KMS answers -> key facts. Pure. */
import type { DescribeKeyResponse, GetKeyPolicyResponse, GetKeyRotationStatusResponse } from '@aws-sdk/client-kms';
import type { KmsKey } from '../../snapshot/schema.js';
import { definedOnly } from '../../objects.js';
import { MalformedResponseError } from '../errors.js';
import { isoTime, parsePolicyDocument, required, type FactValue } from './common.js';

type KeyMetadataValue = NonNullable<FactValue<KmsKey['metadata']>>;

/** DescribeKey.KeyMetadata */
export function mapKeyMetadata(raw: DescribeKeyResponse): KeyMetadataValue {
  const metadata = raw.KeyMetadata;
  if (metadata === undefined) throw new MalformedResponseError('DescribeKey has no KeyMetadata');
  return definedOnly<KeyMetadataValue>({
    keyState: required(metadata.KeyState, 'KeyMetadata.KeyState'),
    keyManager: required(metadata.KeyManager, 'KeyMetadata.KeyManager'),
    keySpec: required(metadata.KeySpec ?? metadata.CustomerMasterKeySpec, 'KeyMetadata.KeySpec'),
    keyUsage: required(metadata.KeyUsage, 'KeyMetadata.KeyUsage'),
    multiRegion: metadata.MultiRegion,
    deletionDate: isoTime(metadata.DeletionDate, 'KeyMetadata.DeletionDate'),
  });
}

/** GetKeyRotationStatus.KeyRotationEnabled */
export function mapKeyRotation(raw: GetKeyRotationStatusResponse): boolean {
  if (typeof raw.KeyRotationEnabled !== 'boolean') throw new MalformedResponseError('GetKeyRotationStatus has no KeyRotationEnabled');
  return raw.KeyRotationEnabled;
}

/** GetKeyPolicy.Policy, parsed. */
export function mapKeyPolicy(raw: GetKeyPolicyResponse): unknown {
  return parsePolicyDocument(raw.Policy, 'key policy');
}
