/**
 * Who can blind the trail: identity-policy analysis over the IAM facts of one account
 * (GetAccountAuthorizationDetails, reduced) and the organization's service control policies.
 * Never IAM's policy simulator: that would need more permissions and one call per question.
 *
 * Evaluation model (stated in the rules' descriptions):
 * - A principal's identity policies are its inline policies, its attached managed policies and,
 *   for a user, those of its groups. Customer managed policies come from the listing; AWS managed
 *   policies are recognised by ARN (aws-managed-policies.ts); any other AWS managed policy is
 *   treated as granting none of the tracked actions.
 * - Allow/Deny, Action/NotAction, Resource/NotResource and wildcards follow IAM.
 * - Conditions are treated conservatively, towards reporting access: an Allow counts whatever its
 *   condition (it may hold); a Deny counts only when it has no condition, or when its only
 *   conditions exempt principals by ARN (`ArnNotLike`/`ArnNotEquals`/`StringNotLike`/
 *   `StringNotEquals` on `aws:PrincipalArn`) and the principal is not exempted.
 * - Permissions boundaries and session policies are not applied (recorded only); SCPs are judged
 *   by their own rule. Both can only remove access, so a principal listed here may in fact be
 *   stopped by them, never the reverse.
 */
import type { IamAuthorization, IamPrincipal, ServiceControlPolicy } from '../../snapshot/schema.js';
import { LOG_BUCKET_DELETION_ACTIONS, LOG_OBJECT_DELETION_ACTIONS, TRAIL_TAMPER_ACTIONS } from '../../aws-policy/tracked-actions.js';
import { awsManagedPolicyDocument, awsManagedPolicyName } from '../../aws-policy/aws-managed-policies.js';
import {
  parsePolicyDocument,
  statementAppliesToAction,
  statementAppliesToAllActionsOf,
  statementAppliesToAllResourcesUnder,
  statementAppliesToResource,
  statementAppliesToSomeResourceUnder,
  wildcardMatch,
  type ConditionClause,
  type PolicyStatement,
} from '../../aws-policy/policy-document.js';

/**
 * Whether a statement's Resource covers every trail ARN (`arn:<p>:cloudtrail:<region>:<account>:trail/<name>`).
 * A Resource list covers them when one pattern matches a trail ARN whose region, account and name
 * are placeholders no literal (and no `?`) can match, so only `*` in those positions passes; a
 * NotResource must name no CloudTrail ARN at all.
 */
export function statementAppliesToEveryTrail(statement: PolicyStatement, partition: string): boolean {
  if (statement.resource.negated) return statementAppliesToAllResourcesUnder(statement, `arn:${partition}:cloudtrail:`);
  const placeholder = '\u0001\u0002';
  const probe = `arn:${partition}:cloudtrail:${placeholder}:${placeholder}:trail/${placeholder}`;
  return statement.resource.patterns.some((pattern) => wildcardMatch(pattern, probe));
}

// ---------------------------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------------------------

const EXEMPTING_OPERATORS = new Set(['arnnotlike', 'arnnotequals', 'stringnotlike', 'stringnotequals']);

/** `ArnNotLike aws:PrincipalArn [...]` and friends: "everyone but these principals". */
function isPrincipalExemption(clause: ConditionClause): boolean {
  return clause.key === 'aws:principalarn' && clause.qualifier === null && EXEMPTING_OPERATORS.has(clause.baseOperator);
}

function exempts(clause: ConditionClause, principalArn: string): boolean {
  const like = clause.baseOperator.endsWith('like');
  return clause.values.some((value) => (like ? wildcardMatch(value, principalArn) : value === principalArn));
}

/** Whether a Deny statement certainly applies to the principal (see the file comment). */
export function denyCertainlyApplies(statement: PolicyStatement, principalArn: string): boolean {
  return statement.conditions.every((clause) => isPrincipalExemption(clause) && !exempts(clause, principalArn));
}

/**
 * An exemption that names particular principals: a role or user ARN whose name part does not
 * start with a wildcard (`arn:aws:iam::*:role/BreakGlass` is narrow, `…:role/*` and `*` are not).
 */
export function isNarrowExemption(value: string): boolean {
  const match = /:(?:role|user)\/(.*)$/.exec(value);
  if (!match) return false;
  const name = match[1]!.split('/').pop() ?? '';
  return name !== '' && !name.startsWith('*') && !name.startsWith('?');
}

// ---------------------------------------------------------------------------------------------
// Identity policies of an account
// ---------------------------------------------------------------------------------------------

interface PolicySource {
  /** e.g. `role/ci inline policy deploy`, or a managed policy ARN. */
  label: string;
  statements: PolicyStatement[];
}

export interface ParsedAccountIam {
  /** Users and roles, each with every policy that applies to it. */
  callers: { principal: IamPrincipal; sources: PolicySource[] }[];
  /** Customer managed and inline policies (AWS managed ones excluded), for the full-access rule. */
  customerPolicies: PolicySource[];
  malformed?: string;
}

function statementsOf(document: unknown, label: string): PolicySource | string {
  const parsed = parsePolicyDocument(document, 'identity');
  if (parsed.malformed !== undefined) return `${label}: ${parsed.malformed}`;
  return { label, statements: parsed.statements };
}

/** Indexes an account's IAM facts; a policy that does not parse makes the whole analysis malformed. */
export function parseAccountIam(iam: IamAuthorization, partition: string): ParsedAccountIam {
  const managed = new Map<string, PolicySource>();
  const customerPolicies: PolicySource[] = [];
  const fail = (malformed: string): ParsedAccountIam => ({ callers: [], customerPolicies: [], malformed });
  for (const policy of iam.managedPolicies) {
    const source = statementsOf(policy.document, policy.arn);
    if (typeof source === 'string') return fail(source);
    managed.set(policy.arn, source);
    customerPolicies.push(source);
  }
  const inlineOf = new Map<IamPrincipal, PolicySource[]>();
  for (const principal of iam.principals) {
    const sources: PolicySource[] = [];
    for (const inline of principal.inlinePolicies) {
      const source = statementsOf(inline.document, `${principal.type}/${principal.name} inline policy ${inline.name}`);
      if (typeof source === 'string') return fail(source);
      sources.push(source);
      customerPolicies.push(source);
    }
    inlineOf.set(principal, sources);
  }
  const attached = (principal: IamPrincipal): PolicySource[] => {
    const sources = [...(inlineOf.get(principal) ?? [])];
    for (const arn of principal.managedPolicyArns) {
      const customer = managed.get(arn);
      if (customer) {
        sources.push(customer);
        continue;
      }
      const document = awsManagedPolicyName(arn) === undefined ? undefined : awsManagedPolicyDocument(arn, partition);
      const source = document === undefined ? undefined : statementsOf(document, arn);
      if (source !== undefined && typeof source !== 'string') sources.push(source);
    }
    return sources;
  };
  const groups = new Map(iam.principals.filter((p) => p.type === 'group').map((group) => [group.name, group]));
  const callers = iam.principals
    .filter((principal) => principal.type !== 'group')
    .map((principal) => ({
      principal,
      sources: [
        ...attached(principal),
        ...(principal.groups ?? []).flatMap((name) => {
          const group = groups.get(name);
          return group ? attached(group) : [];
        }),
      ],
    }));
  return { callers, customerPolicies };
}

/** Where an action is judged: one resource ARN, or some/all of the resources under a prefix. */
export interface ActionTarget {
  action: string;
  /** An exact ARN, or a prefix (ending in `/`) for the objects of a bucket. */
  arn: string;
  under?: boolean;
}

export interface PrincipalGrant {
  type: string;
  name: string;
  arn: string;
  actions: string[];
  /** `<policy> <statement>` for every Allow statement that grants one of the actions. */
  grantedBy: string[];
}

function allows(statement: PolicyStatement, target: ActionTarget): boolean {
  return (
    statement.effect === 'Allow' &&
    statementAppliesToAction(statement, target.action) &&
    (target.under ? statementAppliesToSomeResourceUnder(statement, target.arn) : statementAppliesToResource(statement, target.arn))
  );
}

function denies(statement: PolicyStatement, target: ActionTarget, principalArn: string): boolean {
  return (
    statement.effect === 'Deny' &&
    statementAppliesToAction(statement, target.action) &&
    (target.under ? statementAppliesToAllResourcesUnder(statement, target.arn) : statementAppliesToResource(statement, target.arn)) &&
    denyCertainlyApplies(statement, principalArn)
  );
}

/**
 * Principals of the account whose identity policies allow one of the targets, less those an
 * explicit Deny (theirs, or `extraDenies`, e.g. the bucket policy's) certainly stops.
 */
export function principalsAllowed(iam: ParsedAccountIam, targets: readonly ActionTarget[], extraDenies: (target: ActionTarget, principalArn: string) => boolean = () => false): PrincipalGrant[] {
  const grants: PrincipalGrant[] = [];
  for (const { principal, sources } of iam.callers) {
    const actions = new Set<string>();
    const grantedBy = new Set<string>();
    for (const target of targets) {
      const denied = extraDenies(target, principal.arn) || sources.some((source) => source.statements.some((statement) => denies(statement, target, principal.arn)));
      if (denied) continue;
      for (const source of sources) {
        for (const statement of source.statements) {
          if (!allows(statement, target)) continue;
          actions.add(target.action);
          grantedBy.add(`${source.label} ${statement.label}`);
        }
      }
    }
    if (actions.size > 0) grants.push({ type: principal.type, name: principal.name, arn: principal.arn, actions: [...actions], grantedBy: [...grantedBy] });
  }
  return grants;
}

export interface FullAccessStatement {
  policy: string;
  statement: string;
}

/**
 * Customer managed and inline statements that allow all of CloudTrail (`cloudtrail:*`, `*`, or a
 * NotAction that spares CloudTrail), or every tamper action, on every trail (Prowler's
 * iam_policy_no_full_access_to_cloudtrail and iam_inline_policy_no_full_access_to_cloudtrail,
 * which look for `cloudtrail:*` on `*`). Conditions do not excuse a statement.
 */
export function fullCloudTrailAccess(iam: ParsedAccountIam, partition: string): FullAccessStatement[] {
  return iam.customerPolicies.flatMap((source) =>
    source.statements
      .filter(
        (statement) =>
          statement.effect === 'Allow' &&
          (statementAppliesToAllActionsOf(statement, 'cloudtrail:') || TRAIL_TAMPER_ACTIONS.every((action) => statementAppliesToAction(statement, action))) &&
          statementAppliesToEveryTrail(statement, partition),
      )
      .map((statement) => ({ policy: source.label, statement: statement.label })),
  );
}

// ---------------------------------------------------------------------------------------------
// Service control policies
// ---------------------------------------------------------------------------------------------

export interface ScpProtection {
  /** Tamper actions some applicable SCP denies on every trail, for every principal but narrow exemptions. */
  deniedActions: string[];
  undeniedActions: string[];
  /** `name (id)` of the SCPs that deny at least one tamper action. */
  protectingPolicies: string[];
  /** The principals those denies exempt (aws:PrincipalArn values). */
  exemptions: string[];
  malformed?: string;
}

/** Whether a Deny holds for every caller except narrowly exempted principals. */
function denyExemptsOnlyNamedPrincipals(statement: PolicyStatement): boolean {
  return statement.conditions.every((clause) => isPrincipalExemption(clause) && clause.values.every(isNarrowExemption));
}

/**
 * SCPs apply to an account when attached to it, to an OU above it or to the root; a Deny in any of
 * them binds every principal of the account (SCPs never restrict the management account).
 */
export function scpProtection(policies: readonly ServiceControlPolicy[], accountId: string, path: readonly string[], partition: string): ScpProtection {
  const targets = new Set([...path, accountId]);
  const denied = new Set<string>();
  const protecting = new Set<string>();
  const exemptions = new Set<string>();
  for (const policy of policies) {
    if (!policy.targets.some((target) => targets.has(target.id))) continue;
    const parsed = parsePolicyDocument(policy.document, 'identity');
    if (parsed.malformed !== undefined) {
      return { deniedActions: [], undeniedActions: [...TRAIL_TAMPER_ACTIONS], protectingPolicies: [], exemptions: [], malformed: `SCP ${policy.name} (${policy.id}): ${parsed.malformed}` };
    }
    for (const statement of parsed.statements) {
      if (statement.effect !== 'Deny' || !statementAppliesToEveryTrail(statement, partition) || !denyExemptsOnlyNamedPrincipals(statement)) continue;
      const actions = TRAIL_TAMPER_ACTIONS.filter((action) => statementAppliesToAction(statement, action));
      if (actions.length === 0) continue;
      actions.forEach((action) => denied.add(action));
      protecting.add(`${policy.name} (${policy.id})`);
      statement.conditions.forEach((clause) => clause.values.forEach((value) => exemptions.add(value)));
    }
  }
  return {
    deniedActions: TRAIL_TAMPER_ACTIONS.filter((action) => denied.has(action)),
    undeniedActions: TRAIL_TAMPER_ACTIONS.filter((action) => !denied.has(action)),
    protectingPolicies: [...protecting].sort(),
    exemptions: [...exemptions].sort(),
  };
}

// ---------------------------------------------------------------------------------------------
// Log bucket deletion rights
// ---------------------------------------------------------------------------------------------

export interface LogDeletionAnalysis {
  principals: PrincipalGrant[];
  malformed?: string;
}

/** The deletion targets of a bucket: any of its objects, and the bucket itself. */
export function logDeletionTargets(bucketArn: string): ActionTarget[] {
  return [
    ...LOG_OBJECT_DELETION_ACTIONS.map((action) => ({ action, arn: `${bucketArn}/`, under: true })),
    ...LOG_BUCKET_DELETION_ACTIONS.map((action) => ({ action, arn: bucketArn })),
  ];
}

function principalNamed(statement: PolicyStatement, principalArn: string): boolean {
  if (statement.principal.negated) return !statement.principal.ids.some((id) => id.id === principalArn);
  return statement.principal.wildcard || statement.principal.ids.some((id) => id.type === 'AWS' && id.id === principalArn);
}

/**
 * Principals that can delete or rewrite the bucket's logs: the owner account's principals through
 * their identity policies (same-account access needs an Allow in either policy), and whoever the
 * bucket policy itself allows. A bucket-policy grant to the owner account's root only delegates to
 * IAM and adds no one. Deny statements of the bucket policy are subtracted under the same
 * conservative reading as identity Denies.
 */
export function logDeletionPrincipals(bucketPolicy: unknown, ownerIam: ParsedAccountIam, ctx: { partition: string; bucketName: string; ownerAccountId: string }): LogDeletionAnalysis {
  const parsed = parsePolicyDocument(bucketPolicy);
  if (parsed.malformed !== undefined) return { principals: [], malformed: `bucket policy: ${parsed.malformed}` };
  if (ownerIam.malformed !== undefined) return { principals: [], malformed: ownerIam.malformed };
  const bucketArn = `arn:${ctx.partition}:s3:::${ctx.bucketName}`;
  const targets = logDeletionTargets(bucketArn);
  const bucketDenies = (target: ActionTarget, principalArn: string) =>
    parsed.statements.some((statement) => principalNamed(statement, principalArn) && denies(statement, target, principalArn));
  const grants = new Map<string, PrincipalGrant>();
  for (const grant of principalsAllowed(ownerIam, targets, bucketDenies)) grants.set(grant.arn, grant);

  const knownPrincipals = new Map(ownerIam.callers.map(({ principal }) => [principal.arn, principal]));
  const ownerRoots = new Set([ctx.ownerAccountId, `arn:${ctx.partition}:iam::${ctx.ownerAccountId}:root`]);
  for (const statement of parsed.statements) {
    for (const target of targets) {
      if (!allows(statement, target)) continue;
      const { negated, wildcard, ids } = statement.principal;
      const named: { type: string; name: string; arn: string }[] =
        negated || wildcard
          ? [{ type: 'anyone', name: negated ? 'NotPrincipal' : '*', arn: '*' }]
          : ids
              .filter((id) => !(id.type === 'AWS' && ownerRoots.has(id.id)))
              .map((id) => {
                const known = knownPrincipals.get(id.id);
                return known ? { type: known.type, name: known.name, arn: known.arn } : { type: id.type === 'AWS' ? 'external' : id.type.toLowerCase(), name: id.id, arn: id.id };
              });
      for (const principal of named) {
        if (principal.arn !== '*' && bucketDenies(target, principal.arn)) continue;
        const grant = grants.get(principal.arn) ?? { ...principal, actions: [], grantedBy: [] };
        if (!grant.actions.includes(target.action)) grant.actions.push(target.action);
        const by = `bucket policy ${statement.label}`;
        if (!grant.grantedBy.includes(by)) grant.grantedBy.push(by);
        grants.set(principal.arn, grant);
      }
    }
  }
  return { principals: [...grants.values()] };
}
