/**
 * What a fake service is: its wire protocol, its error dialect and a handler per read-only action.
 * Handlers are pure functions of (call context, decoded input) that return a value or throw an
 * AwsError; the server does identity, regions, throttling, faults and encoding around them.
 */
import type { CallerIdentity, CredentialRegistry } from './credentials.js';
import type { CommonErrors } from './errors.js';
import type { World } from './world.js';
import type { XmlValue } from './wire.js';

export type ServiceName =
  | 'sts'
  | 'organizations'
  | 'ec2'
  | 'cloudtrail'
  | 's3'
  | 's3control'
  | 'kms'
  | 'logs'
  | 'cloudwatch'
  | 'sns'
  | 'iam';

export interface CallContext {
  world: World;
  credentials: CredentialRegistry;
  caller: CallerIdentity;
  /** The signing region of the request (its credential scope). */
  region: string;
  now: Date;
  /** Set by an `emptyPage` fault: a paginated answer comes back empty but with a NextToken. */
  emptyPage: boolean;
  /** The page size of a paginated action (`pageSizes` option), else the service's own. */
  pageSize(action: string, serviceDefault: number): number;
}

export type JsonInput = Record<string, unknown>;
export type JsonHandler = (context: CallContext, input: JsonInput) => unknown;
export type QueryHandler = (context: CallContext, params: URLSearchParams) => Record<string, XmlValue>;

export interface RestRequest {
  method: string;
  /** Decoded path segments after the leading slash. */
  segments: string[];
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
}

export interface RestAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** A Buffer for object bodies. */
  body?: string | Buffer;
}

export type RestHandler = (context: CallContext, request: RestRequest) => RestAnswer;

interface ServiceBase {
  name: ServiceName;
  /** Whether the endpoint is per region (and so refuses regions the account has not enabled). */
  regional: boolean;
  errors: CommonErrors;
}

export type ServiceDefinition = ServiceBase &
  (
    | { protocol: 'json'; jsonVersion: '1.0' | '1.1'; targetPrefix: string; queryCompatible: boolean; actions: Record<string, JsonHandler> }
    | { protocol: 'query' | 'ec2'; xmlNamespace: string; actions: Record<string, QueryHandler> }
    | { protocol: 'rest-xml'; resolveAction(request: RestRequest): string; actions: Record<string, RestHandler> }
  );

/** A string member of a JSON input, or undefined when absent or not a string. */
export function stringMember(input: JsonInput, name: string): string | undefined {
  const value = input[name];
  return typeof value === 'string' ? value : undefined;
}

export function numberMember(input: JsonInput, name: string): number | undefined {
  const value = input[name];
  return typeof value === 'number' ? value : undefined;
}

export function stringListMember(input: JsonInput, name: string): string[] | undefined {
  const value = input[name];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}
