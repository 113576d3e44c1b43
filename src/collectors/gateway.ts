/**
 * The one door to AWS. Every call goes through `AwsGateway.call`, which
 * - refuses an operation that is not listed in permissions.ts (read-only by construction),
 * - waits for the (account, region, service) rate budget,
 * - reuses one SDK client per (service, region), shared by every account, over one shared
 *   keep-alive HTTP agent; each call is signed with its own account's credentials,
 * - stops promptly on abort, and
 * - turns a failure into an `AwsCallError` carrying the snapshot's error shape.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { AbortedError } from '../errors.js';
import { MalformedSelectorError } from '../snapshot/fold-event-selectors.js';
import { AwsCallError, MALFORMED_RESPONSE, MalformedResponseError, errorCodeOf, errorMessageOf, isAbortError } from './errors.js';
import { UnlistedOperationError, findApiOperation, type ServiceId } from './permissions.js';
import { RateBudgets } from './rate-budget.js';

/** Where a call is made: the account whose credentials sign it and the region it goes to. */
export interface Target {
  accountId: string;
  region: string;
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
export type CredentialProvider = () => Promise<AwsCredentials>;

/** The structural part of an SDK v3 command the gateway relies on. */
export interface SdkCommand {
  readonly input: object;
  readonly schema?: unknown;
  resolveMiddleware(...args: never[]): unknown;
}
/** The output type of an SDK command, read from its middleware handler's signature. */
export type OutputOf<C> = C extends { resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: infer O }> } ? O : never;

interface SendingClient {
  send(command: SdkCommand, options: { abortSignal: AbortSignal }): Promise<unknown>;
}

interface GatewayOptions {
  signal?: AbortSignal;
  /** Shared-config profile whose settings (FIPS, dual-stack, app id, …) every client honours. */
  profile?: string;
  /** Highest number of sockets per host; the keep-alive agent is shared by every client. */
  maxSockets?: number;
  budgets?: RateBudgets;
  /** Environment that decides emulator settings (AWS_ENDPOINT_URL…); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** SDK retry attempts (standard mode); the rate budgets make retries rare. */
  maxAttempts?: number;
  /**
   * How long a request may go without an answer before the attempt fails (and is retried): bounds
   * the time a black-holed connection can hold a scan to `maxAttempts` × this.
   */
  requestTimeoutMs?: number;
  /** Most requests in flight at once, across every account, region and service (`--max-concurrency`). */
  maxInFlight?: number;
}

/** AWS answers a Describe/List call in well under a second; twenty seconds of silence is a dead connection. */
const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
/** Attempts per call (the first and five retries): the most a failing call is ever sent. */
export const DEFAULT_MAX_ATTEMPTS = 6;

/** The operation name of a command: from its service-model schema, else its class name. */
function operationNameOf(command: SdkCommand): string {
  const schema = command.schema;
  if (Array.isArray(schema) && typeof schema[2] === 'string') return schema[2];
  if (typeof schema === 'object' && schema !== null && typeof (schema as { name?: unknown }).name === 'string') {
    return (schema as { name: string }).name;
  }
  return command.constructor.name.replace(/Command$/, '');
}

/**
 * The account a call is signed for. SDK clients take one credential provider for life; sharing a
 * client between accounts needs the provider to learn, per call, whose credentials to hand out.
 * `consulted` proves it was asked: a call it was not asked for could be signed as another account.
 */
interface SigningScope {
  accountId: string;
  consulted: boolean;
}

/** Thrown when the SDK signed a call without asking for its account's credentials (a bug, never an AWS answer). */
class SigningScopeError extends Error {
  constructor(accountId: string, operation: string) {
    super(`${operation} for account ${accountId} was signed without consulting that account's credentials; its answer is discarded`);
    this.name = 'SigningScopeError';
  }
}

export class AwsGateway {
  /** Fires when the caller's signal does; every waiting call and in-flight request listens to it. */
  private readonly abort = new AbortController();
  private readonly httpHandler: NodeHttpHandler;
  private readonly budgets: RateBudgets;
  private readonly env: NodeJS.ProcessEnv;
  private readonly maxAttempts: number;
  /**
   * One per (service, region): a client per account would cost ~25 KB and a few hundred
   * microseconds each, thousands of times over, all of it promoted garbage by the end of a scan.
   */
  private readonly clients = new Map<string, SendingClient>();
  private readonly signingScope = new AsyncLocalStorage<SigningScope>();
  /**
   * The credentials of the account the current call is signed for. Marked `memoized` so that the
   * SDK asks on every signature instead of keeping its first answer for the client's life; each
   * account's provider caches (and renews) its own credentials.
   */
  private readonly accountCredentials = Object.assign(
    async (): Promise<AwsCredentials> => {
      const scope = this.signingScope.getStore();
      const provider = scope && this.credentials.get(scope.accountId);
      if (scope === undefined || provider === undefined) throw new Error('an AWS call was signed outside AwsGateway.call');
      scope.consulted = true;
      return provider();
    },
    { memoized: true },
  );
  /**
   * Settings each new SDK client would otherwise look up in the environment and the shared config
   * files (an exception per miss, a few per client): looked up once, through one template client.
   */
  private readonly template: STSClient;
  private readonly credentials = new Map<string, CredentialProvider>();
  private sent = 0;
  private closed = false;
  private readonly inFlight: LimitFunction | undefined;

  constructor(options: GatewayOptions = {}) {
    const signal = options.signal;
    if (signal?.aborted) this.abort.abort(signal.reason);
    else signal?.addEventListener('abort', () => this.abort.abort(signal.reason), { once: true });
    // Hundreds of calls wait or run at once, each listening for the abort; that is expected, not a leak.
    setMaxListeners(0, this.abort.signal);
    const maxSockets = options.maxSockets ?? 128;
    this.httpHandler = new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
      connectionTimeout: 10_000,
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // Without it the handler only logs a warning when the time is up and keeps waiting, forever
      // if the connection is black-holed; with it the attempt fails as TimeoutError and is retried.
      throwOnRequestTimeout: true,
    });
    this.inFlight = options.maxInFlight !== undefined ? pLimit(options.maxInFlight) : undefined;
    this.budgets = options.budgets ?? new RateBudgets();
    this.env = options.env ?? process.env;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.template = new STSClient({ region: 'us-east-1', ...(options.profile ? { profile: options.profile } : {}) });
  }

  /** Registers the credentials that sign calls made in an account. */
  setCredentials(accountId: string, provider: CredentialProvider): void {
    this.credentials.set(accountId, provider);
  }

  /** Calls sent so far (SDK retries of one call not counted). */
  get callCount(): number {
    return this.sent;
  }

  private throwIfAborted(): void {
    if (this.abort.signal.aborted || this.closed) throw new AbortedError();
  }

  /**
   * Sends one command. Throws AwsCallError for an AWS failure, AbortedError on abort, and
   * UnlistedOperationError for an operation missing from permissions.ts.
   */
  async call<C extends SdkCommand>(target: Target, service: ServiceId, command: C): Promise<OutputOf<C>> {
    const operation = operationNameOf(command);
    const listed = findApiOperation(service, operation);
    if (listed === undefined) throw new UnlistedOperationError(service, operation);
    this.throwIfAborted();
    try {
      await this.budgets.take(target.accountId, target.region, service, this.abort.signal);
      this.throwIfAborted();
      if (!this.credentials.has(target.accountId)) throw new Error(`no credentials registered for account ${target.accountId}`);
      const client = this.client(service, target.region);
      const scope: SigningScope = { accountId: target.accountId, consulted: false };
      this.sent++;
      const send = () => this.signingScope.run(scope, () => client.send(command, { abortSignal: this.abort.signal }));
      const output = await (this.inFlight ? this.inFlight(send) : send());
      if (!scope.consulted) throw new SigningScopeError(target.accountId, listed.iamAction);
      return output as OutputOf<C>;
    } catch (error) {
      if (this.abort.signal.aborted || isAbortError(error)) throw new AbortedError();
      if (error instanceof AwsCallError || error instanceof UnlistedOperationError || error instanceof SigningScopeError) throw error;
      const message = errorMessageOf(error);
      throw new AwsCallError({
        action: listed.iamAction,
        code: errorCodeOf(error),
        accountId: target.accountId,
        region: target.region,
        ...(message !== undefined ? { message } : {}),
      });
    }
  }

  /**
   * Sends one command and maps its output; a mapper that finds the answer malformed yields an
   * AwsCallError with code MalformedResponse, so callers handle one kind of failure.
   */
  async read<C extends SdkCommand, T>(target: Target, service: ServiceId, command: C, map: (output: OutputOf<C>) => T): Promise<T> {
    const output = await this.call(target, service, command);
    try {
      return map(output);
    } catch (error) {
      if (!(error instanceof MalformedResponseError || error instanceof MalformedSelectorError)) throw error;
      throw this.malformed(target, service, command, error.message);
    }
  }

  /**
   * Reads every page of a paginated operation, mapping each page's items (pages may be empty; only
   * the absence of a token ends the listing).
   */
  async readPages<C extends SdkCommand, Item>(
    target: Target,
    service: ServiceId,
    commandFor: (token: string | undefined) => C,
    itemsOf: (output: OutputOf<C>) => readonly Item[],
    tokenOf: (output: OutputOf<C>) => string | undefined,
  ): Promise<Item[]> {
    const items: Item[] = [];
    const seenTokens = new Set<string>();
    let token: string | undefined;
    do {
      const command = commandFor(token);
      const page = await this.read(target, service, command, (output) => ({ items: itemsOf(output), next: tokenOf(output) }));
      items.push(...page.items);
      token = page.next === '' ? undefined : page.next;
      if (token !== undefined && seenTokens.has(token)) {
        throw this.malformed(target, service, command, 'the service returned the same pagination token twice');
      }
      if (token !== undefined) seenTokens.add(token);
    } while (token !== undefined);
    return items;
  }

  private malformed(target: Target, service: ServiceId, command: SdkCommand, message: string): AwsCallError {
    return new AwsCallError({
      action: findApiOperation(service, operationNameOf(command))?.iamAction ?? `${service}:${operationNameOf(command)}`,
      code: MALFORMED_RESPONSE,
      accountId: target.accountId,
      region: target.region,
      message,
    });
  }

  /** Releases sockets so the process can exit; any later or still waiting call fails without being sent. */
  destroy(): void {
    this.closed = true;
    this.abort.abort();
    this.httpHandler.destroy();
    this.template.destroy();
    this.clients.clear();
  }

  private client(service: ServiceId, region: string): SendingClient {
    const key = `${service}|${region}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      client = this.createClient(service, region);
      this.clients.set(key, client);
    }
    return client;
  }

  private createClient(service: ServiceId, region: string): SendingClient {
    const shared = this.template.config;
    const common = {
      region,
      credentials: this.accountCredentials,
      requestHandler: this.httpHandler,
      // Not adaptive: its client-side rate limiter would be shared by every account of the
      // (service, region), so one throttled account would slow all; the rate budgets pace per account.
      retryMode: 'standard',
      maxAttempts: this.maxAttempts,
      useFipsEndpoint: shared.useFipsEndpoint,
      useDualstackEndpoint: shared.useDualstackEndpoint,
      userAgentAppId: shared.userAgentAppId,
      ...(shared.authSchemePreference ? { authSchemePreference: shared.authSchemePreference } : {}),
    };
    const customEndpoint = (suffix: string): string | undefined => this.env[`AWS_ENDPOINT_URL${suffix}`] || this.env.AWS_ENDPOINT_URL || undefined;
    switch (service) {
      case 'sts':
        return new STSClient(common);
      case 'organizations':
        return new OrganizationsClient(common);
      case 'ec2':
        return new EC2Client(common);
      case 'cloudtrail':
        return new CloudTrailClient(common);
      case 's3':
        // Emulators serve buckets by path. Region redirects stay off: bucket reads go to the region
        // GetBucketLocation named, and the SDK's redirect briefly rewrites a shared client's region.
        return new S3Client({ ...common, forcePathStyle: customEndpoint('_S3') !== undefined });
      case 's3control': {
        // S3 Control puts the account id in the host name (host prefix and endpoint rules alike),
        // which an emulator's single host cannot serve: use the configured URL as it is.
        const endpoint = customEndpoint('_S3_CONTROL');
        return new S3ControlClient(endpoint === undefined ? common : { ...common, disableHostPrefix: true, endpointProvider: () => ({ url: new URL(endpoint) }) });
      }
      case 'kms':
        return new KMSClient(common);
      case 'logs':
        return new CloudWatchLogsClient(common);
      case 'cloudwatch':
        return new CloudWatchClient(common);
      case 'sns':
        return new SNSClient(common);
      case 'iam':
        return new IAMClient(common);
    }
  }
}
