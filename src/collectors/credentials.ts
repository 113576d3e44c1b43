/**
 * Who is calling, and how trailwarden signs calls in every other account: the SDK's standard
 * credential chain for the caller (environment, shared config and SSO profiles, web identity for
 * GitHub OIDC) and one AssumeRole per scanned account, refreshed before it expires.
 */
import { GetCallerIdentityCommand, AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { UserError } from '../errors.js';
import { AwsCallError, MalformedResponseError, safeMessage, type ErrorDetail } from './errors.js';
import type { AwsCredentials, AwsGateway, CredentialProvider } from './gateway.js';
import { controlRegionOf, partitionOfCallerArn, roleArn, type Partition } from './map/arn.js';

export interface Caller {
  accountId: string;
  arn: string;
  partition: Partition;
  /** Region of partition-wide calls (STS, Organizations, DescribeRegions, bucket locations). */
  controlRegion: string;
}

/** The account id used for calls made before GetCallerIdentity has answered. */
const UNIDENTIFIED_CALLER = 'caller';

/** The region the caller configured (environment or profile), if any. */
export async function configuredRegion(profile: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const fromEnv = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  const probe = new STSClient(profile ? { profile } : {});
  try {
    return await probe.config.region();
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}

/** Where to ask who the caller is when no region is configured: each partition's control region. */
const UNCONFIGURED_REGIONS = ['us-east-1', 'us-gov-west-1', 'cn-north-1'];
/** Answers of an STS endpoint in a partition the credentials do not belong to. */
const FOREIGN_PARTITION_CODES = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'AuthFailure']);

/**
 * Registers the caller's credentials with the gateway and asks STS who they belong to. Without a
 * configured region, each partition is tried in turn (GovCloud and China keys are refused by the
 * commercial endpoints). Throws a UserError when there are no usable credentials.
 */
export async function identifyCaller(gateway: AwsGateway, options: { profile?: string; region?: string }): Promise<Caller> {
  const provider = fromNodeProviderChain(options.profile ? { profile: options.profile } : {}) as CredentialProvider;
  gateway.setCredentials(UNIDENTIFIED_CALLER, provider);
  const regions = options.region ? [options.region] : UNCONFIGURED_REGIONS;
  let identity: { Account?: string | undefined; Arn?: string | undefined } | undefined;
  for (const [index, region] of regions.entries()) {
    try {
      identity = await gateway.call({ accountId: UNIDENTIFIED_CALLER, region }, 'sts', new GetCallerIdentityCommand({}));
      break;
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      const { code, message } = error.detail;
      if (FOREIGN_PARTITION_CODES.has(code) && index < regions.length - 1) continue;
      throw new UserError(
        `could not identify the AWS caller (sts:GetCallerIdentity in ${region}: ${code}${message ? ` — ${safeMessage(message)}` : ''}); configure credentials (environment, --profile, SSO or web identity) and a region`,
      );
    }
  }
  const partition = identity?.Arn ? partitionOfCallerArn(identity.Arn) : undefined;
  if (!identity?.Account || !identity.Arn || partition === undefined) {
    throw new UserError(`sts:GetCallerIdentity returned an unusable identity (${identity?.Arn ?? 'no ARN'})`);
  }
  gateway.setCredentials(identity.Account, provider);
  return { accountId: identity.Account, arn: identity.Arn, partition, controlRegion: controlRegionOf(partition) };
}

/** Renew role credentials this long before they expire, so no call is signed with stale ones. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;
/**
 * At most one renewal per account this often: with a skewed clock, fresh credentials can look
 * expired, and renewing on every call would turn one AssumeRole per account into thousands.
 */
const MIN_RENEWAL_INTERVAL_MS = 60 * 1000;

type AccessOutcome = { ok: true } | { ok: false; error: ErrorDetail };

/**
 * One role session per account, assumed on first use and cached; the caller's own account uses the
 * caller's credentials. A failure is cached too, so an inaccessible account costs one AssumeRole.
 */
export class AccountAccess {
  private readonly outcomes = new Map<string, Promise<AccessOutcome>>();

  constructor(
    private readonly gateway: AwsGateway,
    private readonly caller: Caller,
    private readonly role: { name?: string; externalId?: string },
    private readonly clock: () => number = Date.now,
  ) {}

  /** Makes the account's credentials available to the gateway, or says why they are not. */
  open(accountId: string): Promise<AccessOutcome> {
    let outcome = this.outcomes.get(accountId);
    if (outcome === undefined) {
      outcome = this.assume(accountId);
      this.outcomes.set(accountId, outcome);
    }
    return outcome;
  }

  private async assume(accountId: string): Promise<AccessOutcome> {
    if (accountId === this.caller.accountId) return { ok: true };
    const roleName = this.role.name;
    if (!roleName) {
      return { ok: false, error: { action: 'sts:AssumeRole', code: 'NoRoleName', accountId, message: 'no role name was given to assume in this account' } };
    }
    try {
      let current = await this.assumeOnce(accountId, roleName);
      let assumedAt = this.clock();
      let renewal: Promise<AwsCredentials> | undefined;
      this.gateway.setCredentials(accountId, async () => {
        const expiresAt = current.expiration?.getTime();
        const now = this.clock();
        if (expiresAt !== undefined && expiresAt - now < REFRESH_MARGIN_MS && now - assumedAt >= MIN_RENEWAL_INTERVAL_MS) {
          renewal ??= this.assumeOnce(accountId, roleName).finally(() => {
            renewal = undefined;
            assumedAt = this.clock();
          });
          current = await renewal;
        }
        return current;
      });
      return { ok: true };
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      // The call ran in the caller account; the error belongs to the account that could not be opened.
      const reason = error.detail.message ? `: ${error.detail.message}` : '';
      return {
        ok: false,
        error: { action: 'sts:AssumeRole', code: error.detail.code, accountId, message: `could not assume ${roleArn(this.caller.partition, accountId, roleName)}${reason}` },
      };
    }
  }

  private assumeOnce(accountId: string, roleName: string): Promise<AwsCredentials> {
    return this.gateway.read(
      { accountId: this.caller.accountId, region: this.caller.controlRegion },
      'sts',
      new AssumeRoleCommand({
        RoleArn: roleArn(this.caller.partition, accountId, roleName),
        RoleSessionName: 'trailwarden',
        ...(this.role.externalId ? { ExternalId: this.role.externalId } : {}),
      }),
      ({ Credentials: credentials }) => {
        if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) throw new MalformedResponseError('AssumeRole returned no credentials');
        return {
          accessKeyId: credentials.AccessKeyId,
          secretAccessKey: credentials.SecretAccessKey,
          ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
          ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
        };
      },
    );
  }
}
