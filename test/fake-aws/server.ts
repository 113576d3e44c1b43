/**
 * A fake AWS on loopback for end-to-end tests and the benchmark. The real SDK clients reach it
 * through `AWS_ENDPOINT_URL` (or `endpoint`): the service and region come from the SigV4 credential
 * scope, the calling account from the access key, and every call is logged.
 *
 * Request path: identify (access key, session token, signature) → refuse regions the account has
 * not enabled → injected fault → throttling → the read-only handler, or a refusal for anything else.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultInjector, Throttler, type Fault, type FaultKind, type FaultRule, type RateLimitTable } from './behaviour.js';
import { CredentialRegistry } from './credentials.js';
import { AwsError } from './errors.js';
import type { FakeAwsModel } from './model.js';
import type { CallContext, JsonInput, RestRequest, ServiceDefinition, ServiceName } from './service.js';
import { cloudtrail } from './services/cloudtrail.js';
import { cloudwatch } from './services/cloudwatch.js';
import { ec2 } from './services/ec2.js';
import { iam } from './services/iam.js';
import { kms } from './services/kms.js';
import { logs } from './services/logs.js';
import { organizations } from './services/organizations.js';
import { s3 } from './services/s3.js';
import { s3control } from './services/s3control.js';
import { sns } from './services/sns.js';
import { sts } from './services/sts.js';
import { decodeLeniently, parseAuthorization, verifySignature } from './sigv4.js';
import { ec2Error, ec2Result, jsonError, jsonResult, queryError, queryResult, restXmlError, restXmlResult, type HttpAnswer } from './wire.js';
import { World } from './world.js';

export interface CallRecord {
  service: ServiceName | 'unknown';
  /** The operation name (IAM's action name without the service prefix). */
  action: string;
  /** The calling account; absent when the caller could not be identified. */
  accountId?: string;
  region: string;
  /** HTTP status answered; 0 when the connection was reset instead. */
  status: number;
  errorCode?: string;
  throttled?: boolean;
  fault?: FaultKind;
  /** Time from the request's arrival to the end of its answer. */
  timeMs: number;
  /** S3 requests: the bucket, the object key, and the listing prefix (to check IAM resource scoping). */
  s3?: { bucket: string; key?: string; prefix?: string };
}

export interface FakeAwsOptions {
  /** Added to every answer (ms), as network and service time would be. */
  latencyMs?: number;
  /** Token buckets per account × region × API family; AWS_LIKE_RATE_LIMITS for the benchmark. Off when absent. */
  throttling?: RateLimitTable | undefined;
  faults?: FaultRule[];
  /** Page sizes by `service:Action`, to exercise pagination with small models. */
  pageSizes?: Partial<Record<string, number>>;
  /** Check SigV4 signatures against the caller's secret key (default true). */
  verifySignatures?: boolean;
  /** The clock AssumeRole stamps expirations with. */
  now?: () => Date;
  port?: number;
}

export interface FakeAws {
  url: string;
  /** Every call received, in arrival order. */
  calls: CallRecord[];
  /** Add or clear fault rules while the server runs. */
  faults: FaultInjector;
  /** Exceptions thrown by the fake itself (bugs, not AWS errors); tests assert it stays empty. */
  unexpectedErrors: unknown[];
  /** The most requests the fake was answering at one time. */
  peakInFlight(): number;
  close(): Promise<void>;
}

const SERVICES: Record<ServiceName, ServiceDefinition> = { sts, organizations, ec2, cloudtrail, s3, s3control, kms, logs, cloudwatch, sns, iam };

/** SigV4 signing names; S3 Control signs as `s3` and is told apart by its versioned path. */
const SIGNING_NAMES: Partial<Record<string, ServiceName>> = {
  sts: 'sts',
  organizations: 'organizations',
  ec2: 'ec2',
  cloudtrail: 'cloudtrail',
  s3: 's3',
  kms: 'kms',
  logs: 'logs',
  monitoring: 'cloudwatch',
  sns: 'sns',
  iam: 'iam',
};
const S3_CONTROL_PATH = '/v20180820/';

const READ_ONLY_ACTION = /^(Describe|Get|List|Head)[A-Z]/;
const READ_ONLY_SPECIAL_ACTIONS = new Set(['AssumeRole', 'GetCallerIdentity']);
/** Object reads look read-only but read the log files themselves, which a scan never does (SPEC §9). */
const OBJECT_DATA_ACTIONS = new Set(['GetObject', 'HeadObject', 'GetObjectAttributes', 'GetObjectTorrent', 'ListObjects', 'ListObjectsV2', 'ListObjectVersions']);

/** Whether a call is one a read-only scan may make: Describe/Get/List/Head, AssumeRole, GetCallerIdentity. */
export function isReadOnlyAction(action: string): boolean {
  return (READ_ONLY_ACTION.test(action) || READ_ONLY_SPECIAL_ACTIONS.has(action)) && !OBJECT_DATA_ACTIONS.has(action);
}

interface ServerState {
  world: World;
  credentials: CredentialRegistry;
  throttler?: Throttler | undefined;
  faults: FaultInjector;
  options: FakeAwsOptions;
  calls: CallRecord[];
  unexpectedErrors: unknown[];
}

/** One request decoded far enough to name its action, with its protocol's encoders. */
interface Exchange {
  action: string;
  s3?: CallRecord['s3'];
  /** Runs the action's handler and encodes the answer; absent when the fake has no such action. */
  run?: ((context: CallContext) => HttpAnswer) | undefined;
  fail(error: AwsError): HttpAnswer;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function parseJsonInput(body: string): JsonInput {
  try {
    const parsed: unknown = JSON.parse(body === '' ? '{}' : body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as JsonInput;
  } catch {
    // answered below
  }
  throw new AwsError({ code: 'SerializationException', status: 400 }, 'The request body is not a JSON object.');
}

function openExchange(definition: ServiceDefinition, request: IncomingMessage, rawUrl: string, body: string, requestId: string): Exchange {
  switch (definition.protocol) {
    case 'json': {
      const target = header(request, 'x-amz-target') ?? '';
      const separator = target.lastIndexOf('.');
      const action = target.slice(0, separator) === definition.targetPrefix ? target.slice(separator + 1) : target;
      const handler = definition.actions[action];
      return {
        action,
        run: handler && ((context) => jsonResult(definition.jsonVersion, handler(context, parseJsonInput(body)), requestId)),
        fail: (error) => jsonError(definition.jsonVersion, error, requestId, definition.queryCompatible),
      };
    }
    case 'query':
    case 'ec2': {
      const queryStart = rawUrl.indexOf('?');
      const params = new URLSearchParams(body !== '' ? body : queryStart === -1 ? '' : rawUrl.slice(queryStart + 1));
      const action = params.get('Action') ?? '';
      const handler = definition.actions[action];
      const encode = definition.protocol === 'ec2' ? ec2Result : queryResult;
      return {
        action,
        run: handler && ((context) => encode(action, definition.xmlNamespace, handler(context, params), requestId)),
        fail: (error) => (definition.protocol === 'ec2' ? ec2Error(error, requestId) : queryError(definition.xmlNamespace, error, requestId)),
      };
    }
    case 'rest-xml': {
      const url = new URL(rawUrl, 'http://fake-aws.invalid');
      const restRequest: RestRequest = {
        method: request.method ?? 'GET',
        segments: url.pathname.split('/').slice(1).map(decodeLeniently),
        query: url.searchParams,
        headers: request.headers,
      };
      const action = definition.resolveAction(restRequest);
      const handler = definition.actions[action];
      const [bucket, ...key] = restRequest.segments;
      const prefix = url.searchParams.get('prefix');
      return {
        action,
        ...(definition.name === 's3' && bucket ? { s3: { bucket, ...(key.length > 0 && key.join('/') !== '' ? { key: key.join('/') } : {}), ...(prefix !== null ? { prefix } : {}) } } : {}),
        run:
          handler &&
          ((context) => {
            const answer = handler(context, restRequest);
            return { ...restXmlResult(answer.body ?? '', requestId, answer.headers), status: answer.status ?? 200 };
          }),
        fail: (error) => restXmlError(error, requestId, { head: restRequest.method === 'HEAD', wrapped: definition.name === 's3control' }),
      };
    }
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function writeAnswer(response: ServerResponse, answer: HttpAnswer, head: boolean): void {
  const body = head ? '' : answer.body;
  response.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(body)) });
  response.end(body);
}

/** Announces the whole body, sends half of it, then drops the connection. */
function writeTruncated(response: ServerResponse, answer: HttpAnswer): void {
  const body = Buffer.from(answer.body);
  response.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
  response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.destroy());
}

/** Keeps the first half of the document and ends it with bytes no JSON or XML parser accepts. */
function malformed(answer: HttpAnswer): HttpAnswer {
  const text = typeof answer.body === 'string' ? answer.body : answer.body.toString('latin1');
  return { ...answer, body: `${text.slice(0, Math.floor(text.length / 2))}<<<{{fake-aws: malformed` };
}

function refusal(definition: ServiceDefinition, action: string, callerArn: string): AwsError {
  return isReadOnlyAction(action)
    ? new AwsError(definition.errors.unknownOperation, `The fake AWS does not implement ${definition.name}:${action}.`)
    : new AwsError(definition.errors.accessDenied, `User: ${callerArn} is not authorized to perform: ${definition.name}:${action}`);
}

function faultError(definition: ServiceDefinition, fault: Fault, callerArn: string): AwsError | undefined {
  switch (fault.kind) {
    case 'serverError':
      return fault.status === 503
        ? new AwsError(definition.errors.unavailable, 'Service is unavailable. Please try again later.')
        : new AwsError(definition.errors.internal, 'We encountered an internal error. Please try again.');
    case 'accessDenied':
      return new AwsError(definition.errors.accessDenied, `User: ${callerArn} is not authorized to perform this operation.`);
    case 'regionDisabled':
      return new AwsError(definition.errors.regionDisabled, 'The security token included in the request is invalid.');
    default:
      return undefined;
  }
}

async function serve(state: ServerState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const started = performance.now();
  const body = await readBody(request);
  const rawUrl = request.url ?? '/';
  const head = request.method === 'HEAD';
  const authorization = parseAuthorization(header(request, 'authorization'));
  const signingName = authorization ? SIGNING_NAMES[authorization.service] : undefined;
  const serviceName = signingName === 's3' && rawUrl.startsWith(S3_CONTROL_PATH) ? 's3control' : signingName;
  if (!authorization || !serviceName) {
    state.calls.push({ service: 'unknown', action: '', region: authorization?.region ?? '', status: 403, errorCode: 'MissingAuthenticationToken', timeMs: performance.now() - started });
    writeAnswer(response, { status: 403, headers: { 'content-type': 'text/plain' }, body: 'MissingAuthenticationToken: requests must be signed with SigV4' }, head);
    return;
  }
  const definition = SERVICES[serviceName];
  const requestId = randomUUID();
  const exchange = openExchange(definition, request, rawUrl, body.toString('utf8'), requestId);
  const record: CallRecord = { service: definition.name, action: exchange.action, region: authorization.region, status: 0, timeMs: 0, ...(exchange.s3 ? { s3: exchange.s3 } : {}) };
  state.calls.push(record);

  /** Answers after the latency; `undefined` resets the connection instead. */
  const finish = async (answer: HttpAnswer | undefined, delivery: 'whole' | 'truncated' = 'whole', extraDelayMs = 0): Promise<void> => {
    const delayMs = (state.options.latencyMs ?? 0) + extraDelayMs;
    if (delayMs > 0) await sleep(delayMs);
    if (answer === undefined || (delivery === 'truncated' && head)) {
      request.socket.destroy();
    } else {
      record.status = answer.status;
      if (delivery === 'truncated') writeTruncated(response, answer);
      else writeAnswer(response, answer, head);
    }
    record.timeMs = performance.now() - started;
  };
  const fail = (error: AwsError): Promise<void> => {
    record.errorCode = error.code;
    return finish(exchange.fail(error));
  };

  const known = state.credentials.lookup(authorization.accessKeyId);
  if (!known || (known.sessionToken !== undefined && header(request, 'x-amz-security-token') !== known.sessionToken)) {
    return fail(new AwsError(definition.errors.unknownAccessKey, 'The security token included in the request is invalid.'));
  }
  const caller = known.identity;
  record.accountId = caller.accountId;
  const signed = { method: request.method ?? 'GET', rawUrl, headers: request.headers, body };
  if (state.options.verifySignatures !== false && !verifySignature(signed, authorization, known.secretAccessKey)) {
    return fail(new AwsError(definition.errors.badSignature, 'The request signature we calculated does not match the signature you provided.'));
  }
  if (definition.regional && !state.world.isRegionEnabled(caller.accountId, authorization.region)) {
    return fail(new AwsError(definition.errors.regionDisabled, 'The security token included in the request is invalid.'));
  }

  const fault = state.faults.take({ service: definition.name, action: exchange.action, accountId: caller.accountId, region: authorization.region });
  if (fault) record.fault = fault.kind;
  if (fault?.kind === 'connectionReset') return finish(undefined);
  const injected = fault && faultError(definition, fault, caller.arn);
  if (injected) return fail(injected);

  if (state.throttler && !state.throttler.admit(definition.name, exchange.action, caller.accountId, authorization.region)) {
    record.throttled = true;
    return fail(new AwsError(definition.errors.throttling, 'Rate exceeded'));
  }
  const run = exchange.run;
  if (!run) return fail(refusal(definition, exchange.action, caller.arn));

  const context: CallContext = {
    world: state.world,
    credentials: state.credentials,
    caller,
    region: authorization.region,
    now: (state.options.now ?? (() => new Date()))(),
    emptyPage: fault?.kind === 'emptyPage',
    pageSize: (action, serviceDefault) => state.options.pageSizes?.[`${definition.name}:${action}`] ?? serviceDefault,
  };
  let answer: HttpAnswer;
  try {
    answer = run(context);
  } catch (error) {
    if (error instanceof AwsError) return fail(error);
    state.unexpectedErrors.push(error);
    return fail(new AwsError(definition.errors.internal, 'The fake AWS failed; see unexpectedErrors.'));
  }
  if (fault?.kind === 'truncatedBody') return finish(answer, 'truncated');
  if (fault?.kind === 'malformedBody') return finish(malformed(answer));
  return finish(answer, 'whole', fault?.kind === 'slowResponse' ? fault.delayMs : 0);
}

export async function startFakeAws(model: FakeAwsModel, options: FakeAwsOptions = {}): Promise<FakeAws> {
  const state: ServerState = {
    world: new World(model),
    credentials: new CredentialRegistry(model.partition, model.callers),
    throttler: options.throttling ? new Throttler(options.throttling) : undefined,
    faults: new FaultInjector(options.faults),
    options,
    calls: [],
    unexpectedErrors: [],
  };
  const load = { inFlight: 0, peak: 0 };
  const server = createServer((request, response) => {
    load.inFlight += 1;
    load.peak = Math.max(load.peak, load.inFlight);
    response.once('close', () => {
      load.inFlight -= 1;
    });
    serve(state, request, response).catch((error: unknown) => {
      state.unexpectedErrors.push(error);
      response.destroy();
    });
  });
  // Longer than any client's idle keep-alive, so the server never closes a socket a client is about to reuse.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: state.calls,
    faults: state.faults,
    unexpectedErrors: state.unexpectedErrors,
    peakInFlight: () => load.peak,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
