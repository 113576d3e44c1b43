/**
 * Client settings for pointing the real SDK at a fake AWS, shared by the fake's own tests. The
 * collectors need the same three adjustments when given a custom endpoint: path-style S3, and an
 * S3 Control endpoint without the `<account-id>.` host prefix its endpoint rules add.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { StaticCredentials } from './model.js';
import { SCAN_ROLE_NAME } from './scenarios.js';

export function staticCredentials(keys: StaticCredentials): AwsCredentialIdentity {
  return { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey };
}

export function clientConfig(url: string, credentials: AwsCredentialIdentity, region = 'us-east-1') {
  return { endpoint: url, region, credentials };
}

export function s3Config(url: string, credentials: AwsCredentialIdentity, region = 'us-east-1') {
  return { ...clientConfig(url, credentials, region), forcePathStyle: true };
}

/** S3 Control's endpoint rules put the account id in the host name, which an IP address cannot take. */
export function s3ControlConfig(url: string, credentials: AwsCredentialIdentity, region = 'us-east-1') {
  return { ...clientConfig(url, credentials, region), endpointProvider: () => ({ url: new URL(url) }) };
}

export async function assumeScanRole(url: string, caller: AwsCredentialIdentity, accountId: string, options: { externalId?: string; roleName?: string } = {}): Promise<AwsCredentialIdentity> {
  const sts = new STSClient(clientConfig(url, caller));
  const answer = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/${options.roleName ?? SCAN_ROLE_NAME}`,
      RoleSessionName: 'trailwarden-test',
      ExternalId: options.externalId,
    }),
  );
  const credentials = answer.Credentials!;
  return { accessKeyId: credentials.AccessKeyId!, secretAccessKey: credentials.SecretAccessKey!, sessionToken: credentials.SessionToken! };
}

/**
 * Points the SDK's default chain at a running fake AWS, signed with `caller`'s keys, with no
 * shared config files or profile. The caller restores process.env afterwards.
 */
export function useFakeAwsEnvironment(url: string, caller: StaticCredentials): void {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: caller.accessKeyId,
    AWS_SECRET_ACCESS_KEY: caller.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
}
