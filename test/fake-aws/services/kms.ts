/**
 * KMS key reads. Keys are regional: an ARN of another region is not found here. DescribeKey and
 * GetKeyRotationStatus work cross-account when the key policy allows it (`describableBy`);
 * GetKeyPolicy never does.
 */
import { AwsError, JSON_ERRORS } from '../errors.js';
import { kmsKeyArn, type FakeKmsKey } from '../model.js';
import { stringMember, type CallContext, type ServiceDefinition } from '../service.js';
import type { Owned } from '../world.js';

const KEY_ARN_PATTERN = /^arn:[a-z-]+:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;
const notFoundSpec = { code: 'NotFoundException', status: 400 };
const invalidStateSpec = { code: 'KMSInvalidStateException', status: 400 };
const DAYS_BETWEEN_ROTATIONS = 365;

interface KeyLookup {
  action: string;
  /** DescribeKey accepts alias names and alias ARNs; the other reads need the key id or ARN. */
  allowAlias: boolean;
  allowCrossAccount: boolean;
}

function findKey(context: CallContext, keyId: string | undefined, lookup: KeyLookup): Owned<FakeKmsKey> {
  const notFound = new AwsError(notFoundSpec, `Key '${keyId ?? ''}' does not exist`);
  if (keyId === undefined || keyId === '') throw notFound;
  const arnMatch = KEY_ARN_PATTERN.exec(keyId);
  const [region, accountId, kind, name] = arnMatch
    ? [arnMatch[1]!, arnMatch[2]!, arnMatch[3]!, arnMatch[4]!]
    : [context.region, context.caller.accountId, keyId.startsWith('alias/') ? 'alias' : 'key', keyId.startsWith('alias/') ? keyId.slice('alias/'.length) : keyId];
  if (region !== context.region) throw notFound;
  if (kind === 'alias' && !lookup.allowAlias) throw notFound;
  const owner = context.world.account(accountId);
  const key =
    kind === 'alias'
      ? owner?.kmsKeys.find((candidate) => candidate.region === region && (candidate.aliases ?? []).includes(`alias/${name}`))
      : owner?.kmsKeys.find((candidate) => candidate.region === region && candidate.keyId === name);
  if (!owner || !key) throw notFound;
  const arn = kmsKeyArn(context.world.partition, region, owner.id, key.keyId);
  if (owner.id !== context.caller.accountId && (!lookup.allowCrossAccount || !(key.describableBy ?? []).includes(context.caller.accountId))) {
    throw new AwsError(
      JSON_ERRORS.accessDenied,
      `User: ${context.caller.arn} is not authorized to perform: ${lookup.action} on resource: ${arn} because no resource-based policy allows the ${lookup.action} action`,
    );
  }
  return context.world.kmsKey(arn)!;
}

export const kms: ServiceDefinition = {
  name: 'kms',
  protocol: 'json',
  jsonVersion: '1.1',
  targetPrefix: 'TrentService',
  queryCompatible: false,
  regional: true,
  errors: JSON_ERRORS,
  actions: {
    DescribeKey: (context, input) => {
      const { item: key, owner, arn } = findKey(context, stringMember(input, 'KeyId'), { action: 'kms:DescribeKey', allowAlias: true, allowCrossAccount: true });
      const symmetric = key.spec === 'SYMMETRIC_DEFAULT';
      return {
        KeyMetadata: {
          AWSAccountId: owner.id,
          KeyId: key.keyId,
          Arn: arn,
          CreationDate: new Date(key.creationDate ?? '2022-01-01T00:00:00Z'),
          Enabled: key.state === 'Enabled',
          Description: key.description ?? '',
          KeyUsage: key.usage,
          KeyState: key.state,
          DeletionDate: key.deletionDate === undefined ? undefined : new Date(key.deletionDate),
          Origin: 'AWS_KMS',
          KeyManager: key.manager,
          CustomerMasterKeySpec: key.spec,
          KeySpec: key.spec,
          EncryptionAlgorithms: symmetric ? ['SYMMETRIC_DEFAULT'] : undefined,
          MultiRegion: key.multiRegion ?? false,
        },
      };
    },

    GetKeyRotationStatus: (context, input) => {
      const { item: key, arn } = findKey(context, stringMember(input, 'KeyId'), { action: 'kms:GetKeyRotationStatus', allowAlias: false, allowCrossAccount: true });
      if (key.state === 'PendingImport' || key.state === 'Unavailable') {
        throw new AwsError(invalidStateSpec, `${arn} is ${key.state.toLowerCase()}.`);
      }
      // AWS managed keys rotate every year, always; a key pending deletion never rotates.
      const rotating = key.manager === 'AWS' || (key.rotationEnabled && key.state !== 'PendingDeletion');
      return { KeyRotationEnabled: rotating, KeyId: arn, RotationPeriodInDays: rotating ? DAYS_BETWEEN_ROTATIONS : undefined };
    },

    GetKeyPolicy: (context, input) => {
      const { item: key } = findKey(context, stringMember(input, 'KeyId'), { action: 'kms:GetKeyPolicy', allowAlias: false, allowCrossAccount: false });
      const policyName = stringMember(input, 'PolicyName') ?? 'default';
      if (policyName !== 'default') throw new AwsError(notFoundSpec, `Policy ${policyName} does not exist`);
      return { Policy: JSON.stringify(key.policy, null, 2), PolicyName: 'default' };
    },
  },
};
