/**
 * S3 bucket configuration reads, path-style (`/<bucket>/?<subresource>`). Buckets are global by
 * name: a missing bucket is 404, a request signed for another region is redirected (301 with
 * x-amz-bucket-region, except GetBucketLocation which answers anywhere), and another account's
 * bucket is 403 unless the model lets that account read it.
 */
import { AwsError, S3_ERRORS } from '../errors.js';
import type { AclGrantModel, FakeBucket, FakeObject, LifecycleRuleModel, PublicAccessBlockModel } from '../model.js';
import type { CallContext, RestAnswer, RestRequest, ServiceDefinition } from '../service.js';
import { escapeXml, restXmlDocument, S3_XML_NAMESPACE, xmlLeaf } from '../wire.js';

/** Bucket subresources and the name their GET/PUT/DELETE operations share. */
const SUBRESOURCES: Record<string, string> = {
  location: 'BucketLocation',
  policy: 'BucketPolicy',
  policyStatus: 'BucketPolicyStatus',
  acl: 'BucketAcl',
  ownershipControls: 'BucketOwnershipControls',
  publicAccessBlock: 'PublicAccessBlock',
  versioning: 'BucketVersioning',
  'object-lock': 'ObjectLockConfiguration',
  lifecycle: 'BucketLifecycleConfiguration',
  logging: 'BucketLogging',
  tagging: 'BucketTagging',
  encryption: 'BucketEncryption',
  cors: 'BucketCors',
  website: 'BucketWebsite',
  notification: 'BucketNotificationConfiguration',
  replication: 'BucketReplication',
};

/** HTTP methods as S3 operation names begin. */
export const VERBS: Record<string, string> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', HEAD: 'Head', POST: 'Post' };

function resolveAction(request: RestRequest): string {
  const explicit = request.query.get('x-id');
  if (explicit) return explicit;
  const [bucket, ...key] = request.segments;
  const verb = VERBS[request.method] ?? request.method;
  if (!bucket) return request.method === 'GET' ? 'ListBuckets' : `${verb}Service`;
  if (key.length > 0 && key.join('/') !== '') return `${verb}Object`;
  const subresource = Object.keys(SUBRESOURCES).find((name) => request.query.has(name));
  if (subresource) return `${verb}${SUBRESOURCES[subresource]}`;
  switch (request.method) {
    case 'HEAD':
      return 'HeadBucket';
    case 'GET':
      return request.query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    case 'PUT':
      return 'CreateBucket';
    case 'DELETE':
      return 'DeleteBucket';
    default:
      return `${verb}Bucket`;
  }
}

const notFound = (code: string, message: string) => new AwsError({ code, status: 404 }, message);

interface BucketAccess {
  /** Answer even when the request was signed for another region (GetBucketLocation). */
  anyRegion?: boolean;
}

/** The bucket a request names, after S3's existence, region and access checks, in that order. */
function readableBucket(context: CallContext, request: RestRequest, access: BucketAccess = {}): FakeBucket {
  const name = request.segments[0] ?? '';
  const entry = context.world.bucket(name);
  if (!entry) throw notFound('NoSuchBucket', 'The specified bucket does not exist');
  const regionHeader = { 'x-amz-bucket-region': entry.item.region };
  if (!access.anyRegion && entry.item.region !== context.region) {
    throw new AwsError(
      { code: 'PermanentRedirect', status: 301 },
      'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
      regionHeader,
    );
  }
  const expectedOwner = request.headers['x-amz-expected-bucket-owner'];
  const ownerMatches = expectedOwner === undefined || expectedOwner === entry.owner.id;
  const mayRead = entry.owner.id === context.caller.accountId || (entry.item.configurationReadableBy ?? []).includes(context.caller.accountId);
  if (!ownerMatches || !mayRead) throw new AwsError(S3_ERRORS.accessDenied, 'Access Denied', regionHeader);
  return entry.item;
}

function document(root: string, inner: string): RestAnswer {
  return { body: restXmlDocument(root, S3_XML_NAMESPACE, inner) };
}

export function publicAccessBlockXml(block: PublicAccessBlockModel): string {
  return (
    xmlLeaf('BlockPublicAcls', block.blockPublicAcls) +
    xmlLeaf('IgnorePublicAcls', block.ignorePublicAcls) +
    xmlLeaf('BlockPublicPolicy', block.blockPublicPolicy) +
    xmlLeaf('RestrictPublicBuckets', block.restrictPublicBuckets)
  );
}

function granteeXml(grant: AclGrantModel): string {
  const grantee = grant.grantee;
  const inner =
    grantee.type === 'CanonicalUser'
      ? xmlLeaf('ID', grantee.id) + xmlLeaf('DisplayName', grantee.displayName)
      : grantee.type === 'Group'
        ? xmlLeaf('URI', grantee.uri)
        : xmlLeaf('EmailAddress', grantee.emailAddress);
  return `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="${grantee.type}">${inner}</Grantee>${xmlLeaf('Permission', grant.permission)}</Grant>`;
}

function lifecycleRuleXml(rule: LifecycleRuleModel): string {
  const filter =
    rule.tag === undefined
      ? `<Filter>${xmlLeaf('Prefix', rule.prefix ?? '')}</Filter>`
      : rule.prefix === undefined
        ? `<Filter><Tag>${xmlLeaf('Key', rule.tag.key)}${xmlLeaf('Value', rule.tag.value)}</Tag></Filter>`
        : `<Filter><And>${xmlLeaf('Prefix', rule.prefix)}<Tag>${xmlLeaf('Key', rule.tag.key)}${xmlLeaf('Value', rule.tag.value)}</Tag></And></Filter>`;
  const expiration =
    rule.expirationDays !== undefined || rule.expirationDate !== undefined
      ? `<Expiration>${xmlLeaf('Days', rule.expirationDays)}${xmlLeaf('Date', rule.expirationDate)}</Expiration>`
      : '';
  const transitions = (rule.transitions ?? []).map((transition) => `<Transition>${xmlLeaf('Days', transition.days)}${xmlLeaf('StorageClass', transition.storageClass)}</Transition>`).join('');
  const noncurrent =
    rule.noncurrentVersionExpirationDays === undefined
      ? ''
      : `<NoncurrentVersionExpiration>${xmlLeaf('NoncurrentDays', rule.noncurrentVersionExpirationDays)}</NoncurrentVersionExpiration>`;
  return `<Rule>${xmlLeaf('ID', rule.id)}${filter}${xmlLeaf('Status', rule.status)}${transitions}${expiration}${noncurrent}</Rule>`;
}

const LIST_OBJECTS_PAGE_SIZE = 1000;
const sortedKeys = new WeakMap<Map<string, unknown>, { size: number; keys: string[] }>();

/** The bucket's keys in S3's (UTF-8 binary) order, re-sorted only when objects were added or removed. */
function keysOf(objects: Map<string, unknown>): string[] {
  let cached = sortedKeys.get(objects);
  if (cached === undefined || cached.size !== objects.size) {
    cached = { size: objects.size, keys: [...objects.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))) };
    sortedKeys.set(objects, cached);
  }
  return cached.keys;
}

/** First index whose key is greater than `after` (or at least `prefix`). */
function lowerBound(keys: readonly string[], probe: string, inclusive: boolean): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const below = inclusive ? keys[mid]! < probe : keys[mid]! <= probe;
    if (below) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Object reads: refused unless the model gives the bucket `objects` (the scanning role holds no
 * object permissions by default); then the owner lists and reads them, and nobody else.
 */
function readableObjects(context: CallContext, request: RestRequest): { bucket: FakeBucket; objects: Map<string, FakeObject> } {
  const name = request.segments[0] ?? '';
  const entry = context.world.bucket(name);
  if (!entry) throw notFound('NoSuchBucket', 'The specified bucket does not exist');
  if (entry.item.region !== context.region) {
    throw new AwsError({ code: 'PermanentRedirect', status: 301 }, 'The bucket you are attempting to access must be addressed using the specified endpoint.', { 'x-amz-bucket-region': entry.item.region });
  }
  if (entry.owner.id !== context.caller.accountId || entry.item.objects === undefined) throw new AwsError(S3_ERRORS.accessDenied, 'Access Denied');
  return { bucket: entry.item, objects: entry.item.objects };
}

export const s3: ServiceDefinition = {
  name: 's3',
  protocol: 'rest-xml',
  regional: true,
  errors: S3_ERRORS,
  resolveAction,
  actions: {
    ListObjectsV2: (context, request) => {
      const { bucket, objects } = readableObjects(context, request);
      const prefix = request.query.get('prefix') ?? '';
      const maxKeys = Math.min(Number(request.query.get('max-keys') ?? LIST_OBJECTS_PAGE_SIZE), context.pageSize('ListObjectsV2', LIST_OBJECTS_PAGE_SIZE));
      const token = request.query.get('continuation-token');
      const startAfter = request.query.get('start-after') ?? '';
      const keys = keysOf(objects);
      let from = lowerBound(keys, prefix, true);
      if (startAfter !== '') from = Math.max(from, lowerBound(keys, startAfter, false));
      if (token !== null) {
        const after = Buffer.from(token, 'base64url').toString('utf8');
        if (!token || !after) throw new AwsError({ code: 'InvalidArgument', status: 400 }, 'The continuation token provided is incorrect');
        from = Math.max(from, lowerBound(keys, after, false));
      }
      const page: string[] = [];
      let index = from;
      for (; index < keys.length && keys[index]!.startsWith(prefix) && page.length < maxKeys; index++) page.push(keys[index]!);
      const truncated = index < keys.length && keys[index]!.startsWith(prefix);
      const contents = page
        .map((key) => {
          const object = objects.get(key)!;
          return `<Contents>${xmlLeaf('Key', key)}${xmlLeaf('LastModified', object.lastModified ?? '2024-01-01T00:00:00.000Z')}${xmlLeaf('Size', object.body.length)}${xmlLeaf('StorageClass', 'STANDARD')}</Contents>`;
        })
        .join('');
      const next = truncated ? xmlLeaf('NextContinuationToken', Buffer.from(page.at(-1)!).toString('base64url')) : '';
      return document(
        'ListBucketResult',
        `${xmlLeaf('Name', bucket.name)}${xmlLeaf('Prefix', prefix)}${xmlLeaf('KeyCount', page.length)}${xmlLeaf('MaxKeys', maxKeys)}${xmlLeaf('IsTruncated', truncated)}${contents}${next}`,
      );
    },

    GetObject: (context, request) => {
      const { objects } = readableObjects(context, request);
      const key = request.segments.slice(1).join('/');
      const object = objects.get(key);
      if (object === undefined) throw notFound('NoSuchKey', 'The specified key does not exist.');
      const metadata = Object.fromEntries(Object.entries(object.metadata ?? {}).map(([name, value]) => [`x-amz-meta-${name}`, value]));
      return { headers: { 'content-type': 'application/octet-stream', 'last-modified': new Date(object.lastModified ?? '2024-01-01T00:00:00Z').toUTCString(), ...metadata }, body: object.body };
    },

    HeadBucket: (context, request) => {
      const bucket = readableBucket(context, request);
      return { headers: { 'x-amz-bucket-region': bucket.region, 'x-amz-access-point-alias': 'false' } };
    },

    GetBucketLocation: (context, request) => {
      const bucket = readableBucket(context, request, { anyRegion: true });
      // us-east-1 is the empty location constraint.
      return document('LocationConstraint', bucket.region === 'us-east-1' ? '' : escapeXml(bucket.region));
    },

    GetBucketPolicy: (context, request) => {
      const bucket = readableBucket(context, request);
      if (bucket.policy === undefined) throw notFound('NoSuchBucketPolicy', 'The bucket policy does not exist');
      return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(bucket.policy) };
    },

    GetBucketPolicyStatus: (context, request) => {
      const bucket = readableBucket(context, request);
      if (bucket.policy === undefined) throw notFound('NoSuchBucketPolicy', 'The bucket policy does not exist');
      return document('PolicyStatus', xmlLeaf('IsPublic', bucket.policyIsPublic ?? false));
    },

    GetBucketAcl: (context, request) => {
      const bucket = readableBucket(context, request);
      return document(
        'AccessControlPolicy',
        `<Owner>${xmlLeaf('ID', bucket.ownerCanonicalId)}</Owner><AccessControlList>${bucket.aclGrants.map(granteeXml).join('')}</AccessControlList>`,
      );
    },

    GetBucketOwnershipControls: (context, request) => {
      const bucket = readableBucket(context, request);
      if (bucket.objectOwnership === undefined) {
        throw notFound('OwnershipControlsNotFoundError', 'The bucket ownership controls were not found');
      }
      return document('OwnershipControls', `<Rule>${xmlLeaf('ObjectOwnership', bucket.objectOwnership)}</Rule>`);
    },

    GetPublicAccessBlock: (context, request) => {
      const bucket = readableBucket(context, request);
      if (bucket.publicAccessBlock === undefined) {
        throw notFound('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found');
      }
      return document('PublicAccessBlockConfiguration', publicAccessBlockXml(bucket.publicAccessBlock));
    },

    GetBucketVersioning: (context, request) => {
      const bucket = readableBucket(context, request);
      const versioning = bucket.versioning;
      // A bucket whose versioning was never set answers an empty configuration.
      const inner = versioning === undefined ? '' : xmlLeaf('Status', versioning.status) + xmlLeaf('MfaDelete', versioning.mfaDelete ? 'Enabled' : 'Disabled');
      return document('VersioningConfiguration', inner);
    },

    GetObjectLockConfiguration: (context, request) => {
      const bucket = readableBucket(context, request);
      if (bucket.objectLock === undefined) {
        throw notFound('ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket');
      }
      const retention = bucket.objectLock.defaultRetention;
      const rule =
        retention === undefined
          ? ''
          : `<Rule><DefaultRetention>${xmlLeaf('Mode', retention.mode)}${xmlLeaf('Days', retention.days)}${xmlLeaf('Years', retention.years)}</DefaultRetention></Rule>`;
      return document('ObjectLockConfiguration', `${xmlLeaf('ObjectLockEnabled', 'Enabled')}${rule}`);
    },

    GetBucketLifecycleConfiguration: (context, request) => {
      const bucket = readableBucket(context, request);
      if (bucket.lifecycleRules === undefined || bucket.lifecycleRules.length === 0) {
        throw notFound('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist');
      }
      return document('LifecycleConfiguration', bucket.lifecycleRules.map(lifecycleRuleXml).join(''));
    },

    GetBucketLogging: (context, request) => {
      const bucket = readableBucket(context, request);
      const logging = bucket.logging;
      const inner = logging === undefined ? '' : `<LoggingEnabled>${xmlLeaf('TargetBucket', logging.targetBucket)}${xmlLeaf('TargetPrefix', logging.targetPrefix ?? '')}</LoggingEnabled>`;
      return document('BucketLoggingStatus', inner);
    },
  },
};
