/**
 * Resource-policy analysis for the bucket/* and kms/* rules.
 *
 * Policies arrive as AWS returns them (GetBucketPolicy, GetKeyPolicy), parsed to JSON: `Statement`
 * may be one object or an array, every list-valued element may be a single string, and condition
 * keys and operators come in any case. `parsePolicyDocument` folds that variety into one typed
 * shape; the analyses below only read that shape. Nothing here throws: a document that is not a
 * valid policy comes back as `malformed`, with every other answer set to the value that fails.
 *
 * "Public" follows Amazon S3's own definition (S3 User Guide, Blocking public access, "The meaning
 * of public"): a statement is presumed public and is non-public only when it grants to fixed
 * principals, or when a condition pins one of a known set of keys (source IP ranges, source
 * ARN/account/VPC/VPC endpoint/owner, principal org/account/ARN, aws:userid, the KMS key used for
 * SSE, S3 access points) to fixed values: values without a wildcard or a policy variable.
 */
import { MAX_JSON_DEPTH, formatJsonPath, tooDeepPath } from '../snapshot/structure.js';

type PolicyEffect = 'Allow' | 'Deny';
type PrincipalType = 'AWS' | 'Service' | 'Federated' | 'CanonicalUser';

interface PrincipalId {
  type: PrincipalType;
  id: string;
}

export interface PolicyStatement {
  /** The statement's Sid, or `Statement[i]` when it has none. */
  label: string;
  effect: PolicyEffect;
  /** Principal, or NotPrincipal when `negated`. `wildcard` is `"*"` or `{"AWS": "*"}`. */
  principal: { negated: boolean; wildcard: boolean; ids: PrincipalId[] };
  /** Action, or NotAction when `negated`. */
  action: { negated: boolean; patterns: string[] };
  /** Resource, or NotResource when `negated`. */
  resource: { negated: boolean; patterns: string[] };
  conditions: ConditionClause[];
}

/** One `operator: { key: values }` pair of a Condition block; every clause must hold (AND). */
export interface ConditionClause {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  operator: string;
  /** Lower-case operator without set qualifier and IfExists suffix, e.g. `stringlike`. */
  baseOperator: string;
  qualifier: 'forAnyValue' | 'forAllValues' | null;
  ifExists: boolean;
  /** Lower-case condition key (AWS compares keys case-insensitively). */
  key: string;
  values: string[];
}

type ParsedPolicy = { statements: PolicyStatement[]; malformed?: undefined } | { malformed: string; statements?: undefined };

/** Stands for "the whole document" where a malformed policy forces a statement list to be non-empty. */
export const MALFORMED_POLICY_LABEL = '(malformed policy)';

const POLICY_VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const PRINCIPAL_TYPES: readonly PrincipalType[] = ['AWS', 'Service', 'Federated', 'CanonicalUser'];

// ---------------------------------------------------------------------------------------------
// Normalization
// ---------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string or a non-empty array of strings, as Action / Resource / principal ids are written. */
function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string')) return value as string[];
  return undefined;
}

/** Condition values may be strings, numbers or booleans (`"aws:SecureTransport": false`), or lists of them. */
function conditionValues(value: unknown): string[] | undefined {
  const scalar = (item: unknown): string | undefined =>
    typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean' ? String(item) : undefined;
  const items = Array.isArray(value) ? value : [value];
  const strings = items.map(scalar);
  return strings.every((item): item is string => item !== undefined) ? strings : undefined;
}

/** Picks exactly one of `name` / `Not<name>`; both or neither is an error AWS would also reject. */
function pickElement(raw: Record<string, unknown>, name: string): { negated: boolean; value: unknown } | string {
  const positive = raw[name];
  const negative = raw[`Not${name}`];
  if (positive !== undefined && negative !== undefined) return `has both ${name} and Not${name}`;
  if (positive === undefined && negative === undefined) return `has neither ${name} nor Not${name}`;
  return positive !== undefined ? { negated: false, value: positive } : { negated: true, value: negative };
}

function parsePrincipal(value: unknown): Pick<PolicyStatement['principal'], 'wildcard' | 'ids'> | string {
  if (value === '*') return { wildcard: true, ids: [] };
  if (!isRecord(value)) return 'Principal must be "*" or an object';
  const ids: PrincipalId[] = [];
  let wildcard = false;
  for (const [rawType, rawIds] of Object.entries(value)) {
    const type = PRINCIPAL_TYPES.find((candidate) => candidate.toLowerCase() === rawType.toLowerCase());
    if (!type) return `unknown principal type "${rawType}"`;
    const list = stringList(rawIds);
    if (!list) return `principal ${rawType} must be a string or a list of strings`;
    for (const id of list) {
      if (type === 'AWS' && id === '*') wildcard = true;
      else ids.push({ type, id });
    }
  }
  return { wildcard, ids };
}

/** Splits `ForAnyValue:StringLikeIfExists` into its parts; operator names are matched case-insensitively. */
function parseOperator(operator: string): Pick<ConditionClause, 'baseOperator' | 'qualifier' | 'ifExists'> {
  let rest = operator.toLowerCase();
  let qualifier: ConditionClause['qualifier'] = null;
  if (rest.startsWith('foranyvalue:')) {
    qualifier = 'forAnyValue';
    rest = rest.slice('foranyvalue:'.length);
  } else if (rest.startsWith('forallvalues:')) {
    qualifier = 'forAllValues';
    rest = rest.slice('forallvalues:'.length);
  }
  const ifExists = rest.endsWith('ifexists');
  return { baseOperator: ifExists ? rest.slice(0, -'ifexists'.length) : rest, qualifier, ifExists };
}

function parseConditions(value: unknown): ConditionClause[] | string {
  if (value === undefined) return [];
  if (!isRecord(value)) return 'Condition must be an object';
  const clauses: ConditionClause[] = [];
  for (const [operator, block] of Object.entries(value)) {
    if (!isRecord(block)) return `Condition operator ${operator} must map keys to values`;
    for (const [key, rawValues] of Object.entries(block)) {
      const values = conditionValues(rawValues);
      if (!values) return `Condition ${operator} ${key} has a value that is not a string, number or boolean`;
      clauses.push({ operator, ...parseOperator(operator), key: key.toLowerCase(), values });
    }
  }
  return clauses;
}

/** Resource policies name a Principal in every statement; identity policies (and SCPs) never do. */
export type PolicyKind = 'resource' | 'identity';

function parseStatement(raw: unknown, index: number, kind: PolicyKind): PolicyStatement | string {
  const fallback = `Statement[${index}]`;
  if (!isRecord(raw)) return `${fallback} is not an object`;
  const label = typeof raw.Sid === 'string' && raw.Sid !== '' ? raw.Sid : fallback;
  const fail = (problem: string) => `${label} ${problem}`;

  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') return fail('has an Effect other than "Allow" or "Deny"');

  let principalElement: { negated: boolean; value: unknown } | string = { negated: false, value: undefined };
  let principal: Pick<PolicyStatement['principal'], 'wildcard' | 'ids'> | string = { wildcard: false, ids: [] };
  if (kind === 'resource') {
    principalElement = pickElement(raw, 'Principal');
    if (typeof principalElement === 'string') return fail(principalElement);
    principal = parsePrincipal(principalElement.value);
    if (typeof principal === 'string') return fail(principal);
  } else if (raw.Principal !== undefined || raw.NotPrincipal !== undefined) {
    // IAM rejects a Principal in an identity policy; a document that has one is not what IAM stored.
    return fail('has a Principal, which an identity policy cannot have');
  }

  const actionElement = pickElement(raw, 'Action');
  if (typeof actionElement === 'string') return fail(actionElement);
  const actions = stringList(actionElement.value);
  if (!actions) return fail('has an Action that is not a string or a list of strings');

  const resourceElement = pickElement(raw, 'Resource');
  if (typeof resourceElement === 'string') return fail(resourceElement);
  const resources = stringList(resourceElement.value);
  if (!resources) return fail('has a Resource that is not a string or a list of strings');

  const conditions = parseConditions(raw.Condition);
  if (typeof conditions === 'string') return fail(conditions);

  return {
    label,
    effect: raw.Effect,
    principal: { negated: principalElement.negated, ...principal },
    action: { negated: actionElement.negated, patterns: actions },
    resource: { negated: resourceElement.negated, patterns: resources },
    conditions,
  };
}

/**
 * Normalizes a resource policy (bucket or key policy). `null` means "no policy" and yields no
 * statements. A JSON string is parsed first, since AWS hands policies over as strings. Resource
 * policies need a Principal and a Resource in every statement; their absence is malformed.
 * Identity policies and service control policies (`kind: 'identity'`) have no Principal: the
 * statement applies to whoever the policy is attached to.
 */
export function parsePolicyDocument(doc: unknown, kind: PolicyKind = 'resource'): ParsedPolicy {
  if (doc === null) return { statements: [] };
  let value: unknown = doc;
  if (typeof doc === 'string') {
    try {
      value = JSON.parse(doc) as unknown;
    } catch {
      return { malformed: 'the policy is a string that is not JSON' };
    }
  }
  if (!isRecord(value)) return { malformed: 'the policy is not a JSON object' };
  const deep = tooDeepPath(value);
  if (deep) return { malformed: `the policy nests deeper than ${MAX_JSON_DEPTH} levels (at ${formatJsonPath(deep)})` };
  if (value.Version !== undefined && (typeof value.Version !== 'string' || !POLICY_VERSIONS.has(value.Version))) {
    return { malformed: `unknown policy Version ${JSON.stringify(value.Version)}` };
  }
  const rawStatements = Array.isArray(value.Statement) ? value.Statement : isRecord(value.Statement) ? [value.Statement] : undefined;
  if (!rawStatements) return { malformed: 'the policy has no Statement object or array' };
  const statements: PolicyStatement[] = [];
  for (const [index, raw] of rawStatements.entries()) {
    const statement = parseStatement(raw, index, kind);
    if (typeof statement === 'string') return { malformed: statement };
    statements.push(statement);
  }
  return { statements };
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

/** IAM wildcard match: `*` any run of characters (colons and slashes included), `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      starAt = pi++;
      resumeAt = vi;
    } else if (starAt >= 0) {
      pi = starAt + 1;
      vi = ++resumeAt;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

/**
 * True when the pattern matches every string that starts with `prefix`. That holds exactly when
 * the pattern ends in `*` and matches the prefix itself: the last `*` then absorbs any suffix.
 */
export function matchesEveryValueStartingWith(pattern: string, prefix: string, ignoreCase = false): boolean {
  return pattern.endsWith('*') && wildcardMatch(pattern, prefix, ignoreCase);
}

/**
 * True when the pattern matches at least one string that starts with `prefix`: some position of
 * the pattern is still reachable after reading all of `prefix` (the rest of the pattern can then
 * always be satisfied). One pass over `prefix` with the set of reachable positions: O(|pattern| ×
 * |prefix|), whatever the pattern.
 */
export function matchesSomeValueStartingWith(pattern: string, prefix: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? prefix.toLowerCase() : prefix;
  // Without wildcards the pattern matches only itself.
  if (!p.includes('*') && !p.includes('?')) return p.startsWith(v);
  let reachable = new Uint8Array(p.length + 1);
  let next = new Uint8Array(p.length + 1);
  const close = (set: Uint8Array) => {
    for (let i = 0; i < p.length; i++) if (set[i] && p[i] === '*') set[i + 1] = 1;
  };
  reachable[0] = 1;
  close(reachable);
  for (let j = 0; j < v.length; j++) {
    const char = v[j];
    next.fill(0);
    let any = false;
    for (let i = 0; i < p.length; i++) {
      if (!reachable[i]) continue;
      if (p[i] === '*') next[i] = 1;
      else if (p[i] === '?' || p[i] === char) next[i + 1] = 1;
      else continue;
      any = true;
    }
    if (!any) return false;
    close(next);
    [reachable, next] = [next, reachable];
  }
  return true;
}

/** Does the statement's Action / NotAction cover this action? Actions compare case-insensitively. */
export function statementAppliesToAction(statement: PolicyStatement, action: string): boolean {
  const listed = statement.action.patterns.some((pattern) => wildcardMatch(pattern, action, true));
  return statement.action.negated ? !listed : listed;
}

/** Does the statement cover every action of a service, e.g. `s3:` (`s3:*`, `*`, or a NotAction naming no s3 action)? */
export function statementAppliesToAllActionsOf(statement: PolicyStatement, servicePrefix: string): boolean {
  return statement.action.negated
    ? !statement.action.patterns.some((pattern) => matchesSomeValueStartingWith(pattern, servicePrefix, true))
    : statement.action.patterns.some((pattern) => matchesEveryValueStartingWith(pattern, servicePrefix, true));
}

/** Does the statement's Resource / NotResource cover this exact ARN? */
export function statementAppliesToResource(statement: PolicyStatement, arn: string): boolean {
  const listed = statement.resource.patterns.some((pattern) => wildcardMatch(pattern, arn));
  return statement.resource.negated ? !listed : listed;
}

/** Does the statement cover every resource whose ARN starts with `arnPrefix` (e.g. all objects of a bucket)? */
export function statementAppliesToAllResourcesUnder(statement: PolicyStatement, arnPrefix: string): boolean {
  return statement.resource.negated
    ? !statement.resource.patterns.some((pattern) => matchesSomeValueStartingWith(pattern, arnPrefix))
    : statement.resource.patterns.some((pattern) => matchesEveryValueStartingWith(pattern, arnPrefix));
}

/** Does the statement cover at least one resource whose ARN starts with `arnPrefix`? */
export function statementAppliesToSomeResourceUnder(statement: PolicyStatement, arnPrefix: string): boolean {
  return statement.resource.negated
    ? !statement.resource.patterns.some((pattern) => matchesEveryValueStartingWith(pattern, arnPrefix))
    : statement.resource.patterns.some((pattern) => matchesSomeValueStartingWith(pattern, arnPrefix));
}

/** The statement names the service principal (e.g. `cloudtrail.amazonaws.com`), not via NotPrincipal. */
function statementNamesServicePrincipal(statement: PolicyStatement, servicePrincipals: readonly string[]): boolean {
  if (statement.principal.negated) return false;
  const wanted = new Set(servicePrincipals.map((name) => name.toLowerCase()));
  return statement.principal.ids.some(({ type, id }) => type === 'Service' && wanted.has(id.toLowerCase()));
}

/** Principal `"*"` / `{"AWS": "*"}`: literally every caller, anonymous ones included. */
function statementNamesEveryone(statement: PolicyStatement): boolean {
  return !statement.principal.negated && statement.principal.wildcard;
}

/**
 * Could anyone at all match the statement's principal? Besides `*`, that is a NotPrincipal (all
 * but a few), a principal id with a wildcard, and a web-identity `Federated` provider such as
 * `graph.facebook.com` that anyone can sign in to (S3 names that one public). A SAML provider ARN
 * is a fixed principal.
 */
function statementPrincipalIsOpen(statement: PolicyStatement): boolean {
  const { negated, wildcard, ids } = statement.principal;
  if (negated || wildcard) return true;
  return ids.some(({ type, id }) => id.includes('*') || id.includes('?') || (type === 'Federated' && !id.startsWith('arn:')));
}

/** `AWS:arn:aws:iam::111122223333:root`, `Service:cloudtrail.amazonaws.com`, `*`, or `NotPrincipal(...)`. */
function describePrincipals(statement: PolicyStatement, exclude: (id: PrincipalId) => boolean = () => false): string[] {
  const { negated, wildcard, ids } = statement.principal;
  const rendered = ids.map((principal) => `${principal.type}:${principal.id}`);
  if (negated) return [`NotPrincipal(${[...(wildcard ? ['AWS:*'] : []), ...rendered].join(', ')})`];
  return [...(wildcard ? ['*'] : []), ...ids.filter((id) => !exclude(id)).map((principal) => `${principal.type}:${principal.id}`)];
}

// ---------------------------------------------------------------------------------------------
// Conditions that narrow who can use a statement
// ---------------------------------------------------------------------------------------------

/**
 * How a condition key restricts the request: which operator family pins it, and which values count
 * as pinned. Only positive operators pin a key: negations (StringNotEquals, NotIpAddress), `Null`,
 * `...IfExists` (true when the key is absent, e.g. for a request that did not come through a VPC
 * endpoint) and `ForAllValues:` (true for an absent key) all let unknown callers through.
 * `ForAnyValue:` is false for an absent key, so it pins like the plain operator.
 */
interface ConditionKeyRule {
  operators: 'string' | 'ip';
  accepts: (value: string) => boolean;
}

const STRING_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike', 'arnequals', 'arnlike']);
const IP_OPERATORS = new Set(['ipaddress']);

function clausePins(clause: ConditionClause, rule: ConditionKeyRule): boolean {
  if (clause.ifExists || clause.qualifier === 'forAllValues' || clause.values.length === 0) return false;
  const operators = rule.operators === 'ip' ? IP_OPERATORS : STRING_OPERATORS;
  return operators.has(clause.baseOperator) && clause.values.every(rule.accepts);
}

/** The first condition clause that pins one of the keys in `rules` (lower-case keys), if any. */
function findPinningClause(statement: PolicyStatement, rules: ReadonlyMap<string, ConditionKeyRule>): ConditionClause | undefined {
  return statement.conditions.find((clause) => {
    const rule = rules.get(clause.key);
    return rule !== undefined && clausePins(clause, rule);
  });
}

/**
 * A fixed value has no wildcard and no policy variable. `*` and `?` count as wildcards even under
 * StringEquals, where they are literal: S3's definition speaks of values, not operators, and the
 * conservative reading is the one that cannot hide a public grant.
 */
function isFixedValue(value: string): boolean {
  return value !== '' && !value.includes('*') && !value.includes('?') && !value.includes('${');
}

/**
 * `aws:SourceIp` ranges S3 accepts as non-public: IPv4 /8 or narrower, IPv6 /32 or narrower (S3
 * names anything broader than those public; every RFC 1918 range is /8 or narrower already).
 */
export function isNarrowSourceIp(value: string): boolean {
  const [address = '', prefix, ...extra] = value.split('/');
  if (extra.length > 0) return false;
  const isV6 = address.includes(':');
  if (isV6 ? !/^[0-9a-f:.]+$/i.test(address) : !/^(\d{1,3})(\.\d{1,3}){3}$/.test(address)) return false;
  if (!isV6 && address.split('.').some((octet) => Number(octet) > 255)) return false;
  const maxBits = isV6 ? 128 : 32;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  const bits = Number(prefix);
  return bits <= maxBits && bits >= (isV6 ? 32 : 8);
}

/** `aws:userid`: fixed, or `<ROLE-ID>:*` (every session of one role), which S3 exempts from its wildcard rule. */
function isFixedUserId(value: string): boolean {
  if (isFixedValue(value)) return true;
  const roleSessions = /^([^:]+):\*$/.exec(value);
  return roleSessions !== null && isFixedValue(roleSessions[1] ?? '');
}

/** `s3:DataAccessPointArn`: S3 allows a wildcard in the access point name when the account is fixed. */
function isFixedAccessPointArn(value: string): boolean {
  if (isFixedValue(value)) return true;
  const parts = value.split(':');
  return parts.length === 6 && parts[0] === 'arn' && isFixedValue(parts[4] ?? '') && (parts[5] ?? '').startsWith('accesspoint/') && !value.includes('${');
}

/**
 * Keys that make a bucket-policy statement non-public when pinned to fixed values (S3 "The meaning
 * of public"). The principal-identity keys (aws:PrincipalOrgID, …) are what S3 means by "an AWS
 * principal, user, role, or service principal (e.g. aws:PrincipalOrgID)"; aws:SourceOrgID and the
 * OrgPaths keys identify an organization the same way. Org paths with a wildcard are public under
 * this reading too: S3 names no exception for them.
 */
const BUCKET_NON_PUBLIC_CONDITION_KEYS: ReadonlyMap<string, ConditionKeyRule> = new Map<string, ConditionKeyRule>([
  ['aws:sourceip', { operators: 'ip', accepts: isNarrowSourceIp }],
  ['aws:sourcearn', { operators: 'string', accepts: isFixedValue }],
  ['aws:sourcevpc', { operators: 'string', accepts: isFixedValue }],
  ['aws:sourcevpce', { operators: 'string', accepts: isFixedValue }],
  ['aws:sourceowner', { operators: 'string', accepts: isFixedValue }],
  ['aws:sourceaccount', { operators: 'string', accepts: isFixedValue }],
  ['aws:sourceorgid', { operators: 'string', accepts: isFixedValue }],
  ['aws:sourceorgpaths', { operators: 'string', accepts: isFixedValue }],
  ['aws:principalorgid', { operators: 'string', accepts: isFixedValue }],
  ['aws:principalorgpaths', { operators: 'string', accepts: isFixedValue }],
  ['aws:principalaccount', { operators: 'string', accepts: isFixedValue }],
  ['aws:principalarn', { operators: 'string', accepts: isFixedValue }],
  ['aws:userid', { operators: 'string', accepts: isFixedUserId }],
  ['s3:x-amz-server-side-encryption-aws-kms-key-id', { operators: 'string', accepts: isFixedValue }],
  ['s3:dataaccesspointarn', { operators: 'string', accepts: isFixedAccessPointArn }],
  ['s3:dataaccesspointaccount', { operators: 'string', accepts: isFixedValue }],
]);

/**
 * Keys that confine a key-policy statement with a `*` principal to known accounts or an
 * organization. kms:ViaService is absent on purpose: on its own it admits every account that calls
 * through that service; the AWS default statements pair it with kms:CallerAccount, which counts.
 */
const KEY_POLICY_ACCOUNT_CONDITION_KEYS: ReadonlyMap<string, ConditionKeyRule> = new Map<string, ConditionKeyRule>([
  ['kms:calleraccount', { operators: 'string', accepts: isFixedValue }],
  ['aws:principalaccount', { operators: 'string', accepts: isFixedValue }],
  ['aws:principalarn', { operators: 'string', accepts: isFixedValue }],
  ['aws:principalorgid', { operators: 'string', accepts: isFixedValue }],
  ['aws:principalorgpaths', { operators: 'string', accepts: isFixedValue }],
  ['aws:userid', { operators: 'string', accepts: isFixedUserId }],
  ['aws:sourceaccount', { operators: 'string', accepts: isFixedValue }],
  ['aws:sourcearn', { operators: 'string', accepts: isFixedValue }],
  ['aws:sourceowner', { operators: 'string', accepts: isFixedValue }],
  ['aws:sourceorgid', { operators: 'string', accepts: isFixedValue }],
  ['aws:sourceorgpaths', { operators: 'string', accepts: isFixedValue }],
]);

/** Allow statements open to anyone that no condition in `keys` confines. */
function openAllowStatements(statements: PolicyStatement[], keys: ReadonlyMap<string, ConditionKeyRule>): string[] {
  return statements
    .filter((statement) => statement.effect === 'Allow' && statementPrincipalIsOpen(statement) && !findPinningClause(statement, keys))
    .map((statement) => statement.label);
}

// ---------------------------------------------------------------------------------------------
// Service grants (CloudTrail's use of the bucket and the key)
// ---------------------------------------------------------------------------------------------

/** How far a service principal's grant is confined to the scan's own trails. */
interface ServiceGrant {
  /** Some Allow statement grants the service the access. */
  present: boolean;
  /** present, and every such statement is confined (a missing grant is never "scoped"). */
  scoped: boolean;
  unscopedStatements: string[];
}

/** CloudTrail's service principal; China regions document the same name. */
const CLOUDTRAIL_PRINCIPALS = ['cloudtrail.amazonaws.com'];

interface TrailScope {
  partition: string;
  trailArns: ReadonlySet<string>;
  ownerAccountIds: ReadonlySet<string>;
  organizationId: string | undefined;
}

function trailScope(partition: string, trailArns: readonly string[], accountIds: readonly string[], organizationId: string | undefined): TrailScope {
  const owners = new Set(accountIds);
  for (const arn of trailArns) {
    const account = arn.split(':')[4];
    if (account) owners.add(account);
  }
  return { partition, trailArns: new Set(trailArns), ownerAccountIds: owners, organizationId };
}

/**
 * A source-ARN value that can only name trails of the scope: one of its trail ARNs, or a pattern
 * such as `arn:aws:cloudtrail:*:111122223333:trail/*` whose account field is a fixed owner
 * account. Trail ARNs have exactly six colon-separated fields and trail names contain no colon, so
 * a pattern with six fields cannot let a `*` slide across into the account field.
 */
function namesOnlyScopeTrails(value: string, scope: TrailScope): boolean {
  if (scope.trailArns.has(value)) return true;
  if (value.includes('${')) return false;
  const fields = value.split(':');
  const [arn, partition = '', service = '', , account = ''] = fields;
  return (
    fields.length === 6 &&
    arn === 'arn' &&
    wildcardMatch(partition, scope.partition) &&
    wildcardMatch(service, 'cloudtrail') &&
    isFixedValue(account) &&
    scope.ownerAccountIds.has(account)
  );
}

function isScopeOrganization(value: string, scope: TrailScope): boolean {
  return scope.organizationId !== undefined && value === scope.organizationId;
}

/** `o-abc/r-1234/ou-…` paths (wildcards allowed after it) inside the scope's organization. */
function isScopeOrganizationPath(value: string, scope: TrailScope): boolean {
  return scope.organizationId !== undefined && value.startsWith(`${scope.organizationId}/`);
}

function serviceGrant(statements: PolicyStatement[], confining: ReadonlyMap<string, ConditionKeyRule>): ServiceGrant {
  const unscopedStatements = statements.filter((statement) => !findPinningClause(statement, confining)).map((statement) => statement.label);
  return { present: statements.length > 0, scoped: statements.length > 0 && unscopedStatements.length === 0, unscopedStatements };
}

// ---------------------------------------------------------------------------------------------
// Bucket policy
// ---------------------------------------------------------------------------------------------

export interface BucketPolicyContext {
  partition: string;
  bucketName: string;
  /** ARNs of the trails that deliver to this bucket. */
  trailArns: string[];
  /** Accounts owning those trails (the accounts of `trailArns` are added automatically). */
  trailOwnerAccountIds: string[];
  /** The scanned organization; org conditions count only when they name it. */
  organizationId?: string;
  /** The bucket's owner; when given, a grant to its account root is not reported as another writer. */
  bucketOwnerAccountId?: string;
}

interface BucketPolicyAnalysis {
  /** Labels of Allow statements open to anyone without a condition S3 accepts as non-public. */
  publicStatements: string[];
  /** A Deny for everyone, on every s3 action, over the bucket and all its objects, when aws:SecureTransport is false. */
  deniesInsecureTransport: boolean;
  /** Statements allowing cloudtrail.amazonaws.com s3:PutObject on the bucket's objects. */
  cloudTrailWrite: ServiceGrant;
  /** Principals other than CloudTrail (and the owner's account root) allowed s3:PutObject on objects. */
  otherWriters: string[];
  malformed?: string;
}

/**
 * The deny must hold for every caller, every s3 action and whatever the request carries besides
 * plain HTTP, so the accepted form is the AWS-documented one: Effect Deny, Principal `*`, an
 * action covering all of `s3:`, and a Condition that is nothing but `Bool` (or `BoolIfExists`)
 * `aws:SecureTransport: false`. Any further condition narrows the deny and disqualifies it. The
 * bucket ARN and the objects may be covered by separate statements.
 *
 * `s3:TlsVersion` with NumericLessThan is not accepted: a plain-HTTP request carries no TLS
 * version, so NumericLessThan is false for it and the request passes. Whether S3 omits the key
 * (which would make the IfExists form work) is not documented, so that form is not accepted either.
 */
function deniesInsecureTransport(statements: PolicyStatement[], bucketArn: string): boolean {
  const denies = statements.filter(
    (statement) =>
      statement.effect === 'Deny' &&
      statementNamesEveryone(statement) &&
      statementAppliesToAllActionsOf(statement, 's3:') &&
      statement.conditions.length === 1 &&
      statement.conditions.every(
        (clause) =>
          clause.key === 'aws:securetransport' &&
          clause.baseOperator === 'bool' &&
          clause.qualifier === null &&
          clause.values.length > 0 &&
          clause.values.every((value) => value.toLowerCase() === 'false'),
      ),
  );
  return (
    denies.some((statement) => statementAppliesToResource(statement, bucketArn)) &&
    denies.some((statement) => statementAppliesToAllResourcesUnder(statement, `${bucketArn}/`))
  );
}

/** Conditions that confine CloudTrail's write grant to the scan's trails (confused-deputy protection). */
function cloudTrailConfiningKeys(scope: TrailScope): ReadonlyMap<string, ConditionKeyRule> {
  const inOwners = (value: string) => isFixedValue(value) && scope.ownerAccountIds.has(value);
  return new Map<string, ConditionKeyRule>([
    ['aws:sourcearn', { operators: 'string', accepts: (value) => namesOnlyScopeTrails(value, scope) }],
    ['aws:sourceaccount', { operators: 'string', accepts: inOwners }],
    ['aws:sourceorgid', { operators: 'string', accepts: (value) => isScopeOrganization(value, scope) }],
    ['aws:principalorgid', { operators: 'string', accepts: (value) => isScopeOrganization(value, scope) }],
    ['aws:sourceorgpaths', { operators: 'string', accepts: (value) => isScopeOrganizationPath(value, scope) }],
  ]);
}

function malformedBucketAnalysis(malformed: string): BucketPolicyAnalysis {
  return {
    publicStatements: [MALFORMED_POLICY_LABEL],
    deniesInsecureTransport: false,
    cloudTrailWrite: { present: false, scoped: false, unscopedStatements: [] },
    otherWriters: [],
    malformed,
  };
}

/**
 * Facts the bucket/not-public, bucket/secure-transport and bucket/policy-scoped rules need.
 * `null` (no bucket policy) is an empty policy. A malformed document sets `malformed` and answers
 * the way that fails every rule; the engine should turn it into an `error` finding.
 *
 * Writers: the owner account's root is left out of `otherWriters` because a grant to one's own
 * account adds nothing to what IAM already allows; a grant to a specific role of the owner account
 * is reported, since a bucket policy alone suffices for same-account principals. Deny statements
 * are not subtracted from writers: deciding whether a Deny fully cancels an Allow needs a policy
 * evaluator, and reporting the Allow keeps the rule on the safe side.
 */
export function analyzeBucketPolicy(doc: unknown, ctx: BucketPolicyContext): BucketPolicyAnalysis {
  const parsed = parsePolicyDocument(doc);
  if (parsed.malformed !== undefined) return malformedBucketAnalysis(parsed.malformed);
  const { statements } = parsed;
  const bucketArn = `arn:${ctx.partition}:s3:::${ctx.bucketName}`;
  const objectsPrefix = `${bucketArn}/`;

  const objectWrites = statements.filter(
    (statement) =>
      statement.effect === 'Allow' && statementAppliesToAction(statement, 's3:PutObject') && statementAppliesToSomeResourceUnder(statement, objectsPrefix),
  );
  const cloudTrailWrites = objectWrites.filter((statement) => statementNamesServicePrincipal(statement, CLOUDTRAIL_PRINCIPALS));
  const scope = trailScope(ctx.partition, ctx.trailArns, ctx.trailOwnerAccountIds, ctx.organizationId);

  const ownerRoots = ctx.bucketOwnerAccountId ? new Set([ctx.bucketOwnerAccountId, `arn:${ctx.partition}:iam::${ctx.bucketOwnerAccountId}:root`]) : new Set<string>();
  const cloudTrailNames = new Set(CLOUDTRAIL_PRINCIPALS);
  const isExpectedWriter = ({ type, id }: PrincipalId) =>
    (type === 'Service' && cloudTrailNames.has(id.toLowerCase())) || (type === 'AWS' && ownerRoots.has(id));
  const otherWriters = [...new Set(objectWrites.flatMap((statement) => describePrincipals(statement, isExpectedWriter)))];

  return {
    publicStatements: openAllowStatements(statements, BUCKET_NON_PUBLIC_CONDITION_KEYS),
    deniesInsecureTransport: deniesInsecureTransport(statements, bucketArn),
    cloudTrailWrite: serviceGrant(cloudTrailWrites, cloudTrailConfiningKeys(scope)),
    otherWriters,
  };
}

// ---------------------------------------------------------------------------------------------
// Key policy
// ---------------------------------------------------------------------------------------------

export interface KeyPolicyContext {
  partition: string;
  /** The key's account; its trails count as the scope's own. */
  keyAccountId: string;
  /** ARNs of the trails that encrypt with this key. */
  trailArns: string[];
  organizationId?: string;
}

interface KeyPolicyAnalysis {
  /** Statements allowing cloudtrail.amazonaws.com a cryptographic operation (GenerateDataKey*, Encrypt, Decrypt, ReEncrypt*). */
  cloudTrailUse: ServiceGrant;
  /** Labels of Allow statements open to anyone without an account or organization condition. */
  publicStatements: string[];
  malformed?: string;
}

/** DescribeKey and other metadata reads do not use key material, so they are not "use". */
const KEY_USE_ACTIONS = ['kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];

/**
 * Facts for kms/key-policy-scoped. CloudTrail's use counts as scoped when a condition confines it
 * to the scan's trails: `kms:EncryptionContext:aws:cloudtrail:arn` (the AWS default policy pins it
 * to `arn:aws:cloudtrail:*:<account>:trail/*`), `aws:SourceArn`, or `aws:SourceAccount`.
 * A `null` or malformed policy is malformed here: every KMS key has a key policy.
 */
export function analyzeKeyPolicy(doc: unknown, ctx: KeyPolicyContext): KeyPolicyAnalysis {
  const parsed = doc === null ? { malformed: 'the key has no key policy' } : parsePolicyDocument(doc);
  if (parsed.malformed !== undefined) {
    return { cloudTrailUse: { present: false, scoped: false, unscopedStatements: [] }, publicStatements: [MALFORMED_POLICY_LABEL], malformed: parsed.malformed };
  }
  const { statements } = parsed;
  const scope = trailScope(ctx.partition, ctx.trailArns, [ctx.keyAccountId], ctx.organizationId);
  const trailArnRule: ConditionKeyRule = { operators: 'string', accepts: (value) => namesOnlyScopeTrails(value, scope) };
  const confining = new Map<string, ConditionKeyRule>([
    ['kms:encryptioncontext:aws:cloudtrail:arn', trailArnRule],
    ['aws:sourcearn', trailArnRule],
    ['aws:sourceaccount', { operators: 'string', accepts: (value) => isFixedValue(value) && scope.ownerAccountIds.has(value) }],
  ]);
  const cloudTrailUses = statements.filter(
    (statement) =>
      statement.effect === 'Allow' &&
      statementNamesServicePrincipal(statement, CLOUDTRAIL_PRINCIPALS) &&
      KEY_USE_ACTIONS.some((action) => statementAppliesToAction(statement, action)),
  );
  return {
    cloudTrailUse: serviceGrant(cloudTrailUses, confining),
    publicStatements: openAllowStatements(statements, KEY_POLICY_ACCOUNT_CONDITION_KEYS),
  };
}
