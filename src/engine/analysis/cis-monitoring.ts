/**
 * CIS monitoring controls (CIS 1.2 §3.1–3.14, 1.4–5.0 §4.1–4.15, 6.0 §5.1–5.15; Security Hub
 * CloudWatch.1–14): the metric filter patterns the benchmark prescribes, and a matcher that decides
 * whether a filter pattern found in an account selects at least the CIS event set.
 *
 * Semantics. A control is a set of CloudTrail events, identified by `(eventSource, eventName)` and,
 * for the specials, by other fields (cis-event-sets.ts, docs/cis-monitoring.md); the CIS text is
 * one filter that selects it. The filter and the event set are expanded into disjunctive normal
 * form; each event-set term names one event (`$.eventSource = S && $.eventName = N`, plus the
 * special's conditions). The filter covers the set when every event-set term is subsumed by one
 * filter term: each condition of that filter term is implied by the conditions of the event-set
 * term. Clause order, quoting, spacing, redundant parentheses and where an `$.eventSource`
 * qualifier is written therefore never matter; a qualifier naming the owning service excludes only
 * events outside the set (API Gateway's `CreateRoute`) and is not narrowing; a filter term with
 * an extra condition the event does not imply (another service, a region) narrows the match;
 * `CreateRoute` never stands for `CreateRouteTable`; `$.eventName = "*"` selects everything. The
 * check is sound but deliberately not complete: an event only covered by the union of several
 * filter terms is reported as narrowed.
 *
 * Strict mode compares the text itself (ignoring whitespace outside quotes) with the CIS text, as
 * Security Hub does.
 */
import {
  compactPatternText,
  conditionKey,
  formatCondition,
  parseFilterPattern,
  toDisjunctiveNormalForm,
  type ComparisonCondition,
  type Condition,
  type Conjunction,
  type FilterValue,
  type NormalFormResult,
} from './filter-pattern.js';
import { compileSafeRegex } from '../safe-regex.js';
import { CIS_VERSIONS, type CisVersion, type MonitoringControl } from './cis-controls.js';
import { CIS_EVENT_SETS, eventSetPatterns } from './cis-event-sets.js';


/** Beyond this many alternatives a pattern is not analysed (CloudWatch caps patterns at 1024 characters). */
export const MAX_NORMAL_FORM_TERMS = 2048;

interface CisControlPattern {
  /** Recommendation number in that benchmark version, e.g. "4.13". */
  readonly section: string;
  /** The pattern texts the benchmark prints (audit and remediation may differ); strict mode accepts any. */
  readonly exact: readonly string[];
  /**
   * The control's event set (cis-event-sets.ts) as patterns, one per alternative, each selecting
   * exactly the `(eventSource, eventName)` pairs of the set; a filter passes when it selects at
   * least one of them.
   */
  readonly eventSets: readonly string[];
}

export type MatchVerdict = 'covers' | 'missing-events' | 'narrower' | 'not-exact' | 'unparseable' | 'not-json' | 'not-in-version';

interface MatchResult {
  readonly verdict: MatchVerdict;
  /** One readable sentence. */
  readonly detail: string;
  /** CIS events the filter does not select (event names, or the whole CIS condition when it has none). */
  readonly missing?: readonly string[];
  /** Conditions of the filter that narrow a CIS event, as `condition` texts. */
  readonly narrowing?: readonly string[];
  /** Where parsing stopped, for `unparseable` results caused by a syntax error. */
  readonly offset?: number;
}

interface MatchOptions {
  readonly strict: boolean;
}

// ---------------------------------------------------------------------------------------------
// CIS pattern texts. Checked against: the CIS Benchmark text as reproduced in
// turbot/steampipe-mod-aws-compliance `cis_v<version>/docs/` (remediation commands, PDF line-break
// artifacts removed), prowler `prowler/compliance/aws/cis_<version>_aws.json` (audit and remediation
// procedures), AWS Security Hub CloudWatch.1–14 (CIS 1.2 texts) and the Tenable CIS 1.5 audit.
// ---------------------------------------------------------------------------------------------

const UNAUTHORIZED_V12 = '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }';
/**
 * CIS 1.3–1.5 print the delivery.logs / HeadBucket exclusions joined with `||`, which selects
 * nearly every event; CIS 2.0 corrected the operators to `&&`.
 */
const UNAUTHORIZED_V13_AS_PRINTED =
  '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || ($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }';
const UNAUTHORIZED_V20 =
  '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }';

const CONSOLE_LOGIN_WITHOUT_MFA = '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }';
/** Offered since CIS 1.3 "to reduce false positives in case Single Sign-On (SSO) is used". */
const CONSOLE_LOGIN_WITHOUT_MFA_SSO =
  '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }';

const ROOT_ACCOUNT_USAGE = '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }';

const IAM_POLICY_CHANGES =
  '{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}';

const CLOUDTRAIL_CHANGES =
  '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }';

const CONSOLE_AUTH_FAILURES = '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }';

const KMS_KEY_DISABLE_OR_DELETION = '{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }';

const S3_BUCKET_POLICY_CHANGES =
  '{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }';

const CONFIG_CHANGES =
  '{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }';

const SECURITY_GROUP_CHANGES =
  '{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }';
/** CIS 5.0 added ModifySecurityGroupRules. */
const SECURITY_GROUP_CHANGES_V50 =
  '{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }';

const NACL_CHANGES =
  '{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }';

const NETWORK_GATEWAY_CHANGES =
  '{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }';

const ROUTE_TABLE_CHANGES =
  '{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }';
/**
 * The audit step of CIS 3.0+ (prowler's CIS 3.0–6.0 audit procedures); the remediation step keeps
 * ROUTE_TABLE_CHANGES. As `&&` binds tighter, the ec2 condition only qualifies CreateRoute (which
 * API Gateway v2 also emits); both texts select the whole event set, in every version.
 */
const ROUTE_TABLE_CHANGES_V30_AUDIT =
  '{($.eventSource = ec2.amazonaws.com) && ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }';

const VPC_CHANGES =
  '{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }';

/** 18 names, since CIS 1.3. CIS 6.0 prints `AcceptHandshake"` without its opening quote; this is the intended text. */
const ORGANIZATIONS_CHANGES =
  '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }';

/** The recommendation number of each control within its section, identical in every version. */
const RECOMMENDATION_NUMBER: Record<MonitoringControl, number> = {
  'unauthorized-api-calls': 1,
  'console-login-without-mfa': 2,
  'root-account-usage': 3,
  'iam-policy-changes': 4,
  'cloudtrail-changes': 5,
  'console-auth-failures': 6,
  'kms-key-disable-or-deletion': 7,
  's3-bucket-policy-changes': 8,
  'config-changes': 9,
  'security-group-changes': 10,
  'nacl-changes': 11,
  'network-gateway-changes': 12,
  'route-table-changes': 13,
  'vpc-changes': 14,
  'organizations-changes': 15,
};

const MONITORING_SECTION: Record<CisVersion, number> = { '1.2': 3, '1.4': 4, '3.0': 4, '5.0': 4, '6.0': 5 };

type PatternTexts = Pick<CisControlPattern, 'exact'>;

const just = (text: string): PatternTexts => ({ exact: [text] });
const anyOf = (...texts: string[]): PatternTexts => ({ exact: texts });

/** Pattern texts per control and version; a missing version means the benchmark has no such recommendation. */
const PATTERN_TEXTS: Record<MonitoringControl, Partial<Record<CisVersion, PatternTexts>>> = {
  // 1.2: SH CloudWatch.2 + steampipe cis_v120 3.1. 1.4: steampipe cis_v140 4.1, prowler cis_1.4,
  // Tenable CIS 1.5 audit (all print `||`). 3.0: steampipe cis_v300 4.1 prints `&&`, prowler's
  // cis_3.0 still carries the 1.4 text, so strict mode accepts both. 5.0/6.0: steampipe + prowler.
  'unauthorized-api-calls': {
    '1.2': just(UNAUTHORIZED_V12),
    '1.4': anyOf(UNAUTHORIZED_V13_AS_PRINTED, UNAUTHORIZED_V20),
    '3.0': anyOf(UNAUTHORIZED_V20, UNAUTHORIZED_V13_AS_PRINTED),
    '5.0': just(UNAUTHORIZED_V20),
    '6.0': just(UNAUTHORIZED_V20),
  },
  // 1.2: SH CloudWatch.3 + steampipe cis_v120 3.2. 1.4+: prowler cis_1.4–6.0 and steampipe
  // cis_v300/v500/v600 print both the plain and the SSO pattern.
  'console-login-without-mfa': {
    '1.2': just(CONSOLE_LOGIN_WITHOUT_MFA),
    '1.4': anyOf(CONSOLE_LOGIN_WITHOUT_MFA, CONSOLE_LOGIN_WITHOUT_MFA_SSO),
    '3.0': anyOf(CONSOLE_LOGIN_WITHOUT_MFA, CONSOLE_LOGIN_WITHOUT_MFA_SSO),
    '5.0': anyOf(CONSOLE_LOGIN_WITHOUT_MFA, CONSOLE_LOGIN_WITHOUT_MFA_SSO),
    '6.0': anyOf(CONSOLE_LOGIN_WITHOUT_MFA, CONSOLE_LOGIN_WITHOUT_MFA_SSO),
  },
  // Unchanged 1.2–6.0: SH CloudWatch.1, steampipe cis_v120 3.3 … cis_v600 5.3, prowler.
  'root-account-usage': everyVersion(just(ROOT_ACCOUNT_USAGE)),
  // Unchanged 1.2–6.0 (16 names): SH CloudWatch.4, steampipe cis_v120 3.4 … cis_v600 5.4, prowler.
  'iam-policy-changes': everyVersion(just(IAM_POLICY_CHANGES)),
  // Unchanged 1.2–6.0: SH CloudWatch.5, steampipe cis_v120 3.5 … cis_v600 5.5, prowler.
  'cloudtrail-changes': everyVersion(just(CLOUDTRAIL_CHANGES)),
  // Unchanged 1.2–6.0: SH CloudWatch.6, steampipe cis_v120 3.6 … cis_v600 5.6, prowler.
  'console-auth-failures': everyVersion(just(CONSOLE_AUTH_FAILURES)),
  // Unchanged 1.2–6.0: SH CloudWatch.7, steampipe cis_v120 3.7 … cis_v600 5.7, prowler.
  'kms-key-disable-or-deletion': everyVersion(just(KMS_KEY_DISABLE_OR_DELETION)),
  // Unchanged 1.2–6.0: SH CloudWatch.8, steampipe cis_v120 3.8 … cis_v600 5.8, prowler.
  's3-bucket-policy-changes': everyVersion(just(S3_BUCKET_POLICY_CHANGES)),
  // Unchanged 1.2–6.0: SH CloudWatch.9, steampipe cis_v120 3.9 … cis_v600 5.9, prowler.
  'config-changes': everyVersion(just(CONFIG_CHANGES)),
  // 1.2–4.0: 6 names (SH CloudWatch.10, steampipe cis_v120…v400); 5.0/6.0 add ModifySecurityGroupRules
  // (steampipe cis_v500 4.10 / cis_v600 5.10, prowler cis_5.0 / cis_6.0).
  'security-group-changes': {
    '1.2': just(SECURITY_GROUP_CHANGES),
    '1.4': just(SECURITY_GROUP_CHANGES),
    '3.0': just(SECURITY_GROUP_CHANGES),
    '5.0': just(SECURITY_GROUP_CHANGES_V50),
    '6.0': just(SECURITY_GROUP_CHANGES_V50),
  },
  // Unchanged 1.2–6.0: SH CloudWatch.11, steampipe cis_v120 3.11 … cis_v600 5.11, prowler.
  'nacl-changes': everyVersion(just(NACL_CHANGES)),
  // Unchanged 1.2–6.0: SH CloudWatch.12, steampipe cis_v120 3.12 … cis_v600 5.12, prowler.
  'network-gateway-changes': everyVersion(just(NETWORK_GATEWAY_CHANGES)),
  // 1.2/1.4: SH CloudWatch.13, steampipe, prowler cis_1.4. 3.0+: audit and remediation differ
  // (prowler cis_3.0–6.0 audit vs steampipe/prowler remediation); either satisfies.
  'route-table-changes': {
    '1.2': just(ROUTE_TABLE_CHANGES),
    '1.4': just(ROUTE_TABLE_CHANGES),
    '3.0': anyOf(ROUTE_TABLE_CHANGES_V30_AUDIT, ROUTE_TABLE_CHANGES),
    '5.0': anyOf(ROUTE_TABLE_CHANGES_V30_AUDIT, ROUTE_TABLE_CHANGES),
    '6.0': anyOf(ROUTE_TABLE_CHANGES_V30_AUDIT, ROUTE_TABLE_CHANGES),
  },
  // Unchanged 1.2–6.0 (11 names, ClassicLink included): SH CloudWatch.14, steampipe, prowler.
  'vpc-changes': everyVersion(just(VPC_CHANGES)),
  // Not in CIS 1.2 (SH has no CloudWatch control for it); steampipe cis_v130 … cis_v600, prowler.
  'organizations-changes': {
    '1.4': just(ORGANIZATIONS_CHANGES),
    '3.0': just(ORGANIZATIONS_CHANGES),
    '5.0': just(ORGANIZATIONS_CHANGES),
    '6.0': just(ORGANIZATIONS_CHANGES),
  },
};

function everyVersion(texts: PatternTexts): Record<CisVersion, PatternTexts> {
  return Object.fromEntries(CIS_VERSIONS.map((version) => [version, texts])) as Record<CisVersion, PatternTexts>;
}

/** The CIS recommendation for a control in a version, or undefined when that version has none. */
export function cisControlPattern(control: MonitoringControl, version: CisVersion): CisControlPattern | undefined {
  const texts = PATTERN_TEXTS[control][version];
  const events = CIS_EVENT_SETS[control][version];
  if (!texts || !events) return undefined;
  return { section: `${MONITORING_SECTION[version]}.${RECOMMENDATION_NUMBER[control]}`, ...texts, eventSets: eventSetPatterns(events) };
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

export function checkMetricFilter(patternText: string, control: MonitoringControl, version: CisVersion, options: MatchOptions): MatchResult {
  const cis = cisControlPattern(control, version);
  if (!cis) return { verdict: 'not-in-version', detail: `CIS ${version} has no recommendation for ${control}.` };
  const label = `CIS ${version} §${cis.section} (${control})`;
  const filter = filterNormalForm(patternText, label);
  if ('verdict' in filter) return filter;
  const eventSets = cis.eventSets.map(cisTerms);
  if (!options.strict) return filter.ok ? describeCoverage(bestCoverage(filter.terms, eventSets), label) : tooManyAlternatives(filter, label);

  const compact = compactPatternText(patternText);
  if (cis.exact.some((text) => compactPatternText(text) === compact)) {
    return { verdict: 'covers', detail: `The filter pattern is the exact ${label} pattern.` };
  }
  const meaning = !filter.ok
    ? 'its meaning was not analysed'
    : bestCoverage(filter.terms, eventSets).uncovered.length === 0
      ? 'it does select the CIS event set'
      : 'nor does it select the CIS event set';
  return { verdict: 'not-exact', detail: `The filter pattern is not the exact ${label} pattern required in strict mode; ${meaning}.` };
}

/**
 * Whether `filterText` selects at least the events `requiredText` selects, with the same
 * semantics as `checkMetricFilter` (used for patterns that are not CIS recommendations, e.g. a
 * rule parameter). Throws when `requiredText` itself is not a JSON pattern: that is a caller bug.
 */
export function checkPatternCoverage(filterText: string, requiredText: string): MatchResult {
  const label = 'the required pattern';
  const required = filterNormalForm(requiredText, label);
  if ('verdict' in required || !required.ok) throw new Error(`The required pattern cannot be analysed: ${requiredText}`);
  const filter = filterNormalForm(filterText, label);
  if ('verdict' in filter) return filter;
  return filter.ok ? describeCoverage(bestCoverage(filter.terms, [required.terms]), label) : tooManyAlternatives(filter, label);
}

/** The filter in normal form, or the result that explains why it has none. */
function filterNormalForm(patternText: string, label: string): NormalFormResult | MatchResult {
  const parsed = parseFilterPattern(patternText);
  if (!parsed.ok) {
    const { message, offset } = parsed.error;
    return { verdict: 'unparseable', detail: `The filter pattern cannot be parsed at offset ${offset}: ${message}.`, offset };
  }
  if (parsed.ast.kind === 'non-json') {
    return {
      verdict: 'not-json',
      detail: `The filter pattern is not a JSON pattern ({ ... }) but a ${parsed.ast.form} pattern, so it cannot be shown to select the CloudTrail events of ${label}.`,
    };
  }
  return toDisjunctiveNormalForm(parsed.ast.body, MAX_NORMAL_FORM_TERMS);
}

function tooManyAlternatives(filter: { termCount: number; conditionCount?: number }, label: string): MatchResult {
  const size = filter.conditionCount
    ? `expands to too many conditions (${filter.conditionCount} in ${filter.termCount} alternatives when expansion stopped)`
    : `expands to more than ${MAX_NORMAL_FORM_TERMS} alternatives (${filter.termCount} when expansion stopped)`;
  return { verdict: 'unparseable', detail: `The filter pattern ${size}, too many to compare with ${label}.` };
}

interface Narrowed {
  /** The CIS condition set, as text. */
  readonly cisTerm: string;
  /** The filter conditions the CIS term does not imply. */
  readonly extra: readonly string[];
}

interface Coverage {
  readonly totalTerms: number;
  readonly uncovered: readonly Conjunction[];
  readonly missing: readonly string[];
  readonly narrowed: readonly Narrowed[];
}

const CIS_TERMS = new Map<string, readonly Conjunction[]>();

function cisTerms(text: string): readonly Conjunction[] {
  const cached = CIS_TERMS.get(text);
  if (cached) return cached;
  const parsed = parseFilterPattern(text);
  if (!parsed.ok || parsed.ast.kind !== 'json') throw new Error(`CIS pattern does not parse: ${text}`);
  const terms = toDisjunctiveNormalForm(parsed.ast.body, MAX_NORMAL_FORM_TERMS);
  if (!terms.ok) throw new Error(`CIS pattern expands beyond ${MAX_NORMAL_FORM_TERMS} terms: ${text}`);
  CIS_TERMS.set(text, terms.terms);
  return terms.terms;
}

/** Coverage against the most lenient of the accepted event sets (fewest required terms left uncovered). */
function bestCoverage(filterTerms: readonly Conjunction[], eventSets: readonly (readonly Conjunction[])[]): Coverage {
  const [first, ...others] = eventSets.map((required) => coverageOf(filterTerms, required));
  if (!first) throw new Error('no event set to compare with');
  return others.reduce((best, next) => (next.uncovered.length < best.uncovered.length ? next : best), first);
}

function coverageOf(filterTerms: readonly Conjunction[], cisTermList: readonly Conjunction[]): Coverage {
  const uncovered: Conjunction[] = [];
  const missing: string[] = [];
  const narrowed: Narrowed[] = [];
  for (const cisTerm of cisTermList) {
    if (filterTerms.some((filterTerm) => filterTerm.every((condition) => implies(cisTerm, condition)))) continue;
    uncovered.push(cisTerm);
    const closest = closestNarrowingTerm(filterTerms, cisTerm);
    if (closest) {
      narrowed.push({ cisTerm: formatEvent(cisTerm), extra: closest.filter((condition) => !implies(cisTerm, condition)).map(formatCondition) });
    } else {
      missing.push(eventLabel(cisTerm));
    }
  }
  return { totalTerms: cisTermList.length, uncovered, missing: [...new Set(missing)], narrowed };
}

/**
 * The filter term that selects this CIS event except for extra conditions: it must share at least
 * one positive condition with the CIS term other than the event source (an implied `!=` alone says
 * nothing about the event, and the service alone does not name it: `ec2 && CreateRoute` is not a
 * narrowed `ec2 && ReplaceRoute`). Preference: most implied conditions, then fewest extra ones.
 */
function closestNarrowingTerm(filterTerms: readonly Conjunction[], cisTerm: Conjunction): Conjunction | undefined {
  let best: { term: Conjunction; implied: number; extra: number } | undefined;
  for (const term of filterTerms) {
    const implied = term.filter((condition) => implies(cisTerm, condition));
    if (!implied.some((condition) => isPositive(condition) && condition.selector.text !== EVENT_SOURCE)) continue;
    const candidate = { term, implied: implied.length, extra: term.length - implied.length };
    if (!best || candidate.implied > best.implied || (candidate.implied === best.implied && candidate.extra < best.extra)) best = candidate;
  }
  return best?.term;
}

function isPositive(condition: Condition): boolean {
  return condition.kind === 'test' ? condition.test !== 'NOT EXISTS' : condition.operator !== '!=';
}

function eventLabel(cisTerm: Conjunction): string {
  const names = cisTerm.filter((c): c is ComparisonCondition => c.kind === 'comparison' && c.selector.text === '$.eventName' && c.operator === '=');
  if (names.length === 0) return formatConjunction(cisTerm);
  return names.map((c) => (c.value.kind === 'string' ? c.value.text : formatCondition(c))).join(' && ');
}

function formatConjunction(term: Conjunction): string {
  return term.map(formatCondition).join(' && ');
}

const EVENT_SOURCE = '$.eventSource';

/** A CIS event for a sentence: its conditions, with the service said last (`… from ec2.amazonaws.com`). */
function formatEvent(cisTerm: Conjunction): string {
  const source = cisTerm.find(
    (c): c is ComparisonCondition => c.kind === 'comparison' && c.selector.text === EVENT_SOURCE && c.operator === '=' && c.value.kind === 'string',
  );
  const rest = formatConjunction(cisTerm.filter((condition) => condition !== source));
  return source && source.value.kind === 'string' && rest !== '' ? `${rest} from ${source.value.text}` : formatConjunction(cisTerm);
}

/** How many narrowed CIS events the detail sentence spells out. */
const NARROWED_EXAMPLES = 3;

function describeCoverage(coverage: Coverage, label: string): MatchResult {
  const { totalTerms, missing, narrowed } = coverage;
  if (coverage.uncovered.length === 0) return { verdict: 'covers', detail: `The filter selects every event of ${label}.` };
  const narrowing = [...new Set(narrowed.flatMap((n) => n.extra))];
  if (missing.length > 0) {
    const alsoNarrows = narrowed.length > 0 ? `, and narrows ${narrowed.length} more with ${narrowing.join(', ')}` : '';
    return {
      verdict: 'missing-events',
      detail: `The filter does not select ${missing.length} of ${totalTerms} events of ${label}: ${missing.join(', ')}${alsoNarrows}.`,
      missing,
      ...(narrowing.length > 0 ? { narrowing } : {}),
    };
  }
  const shown = narrowed.slice(0, NARROWED_EXAMPLES).map((n) => `${n.cisTerm} only with ${n.extra.join(' && ')}`);
  const more = narrowed.length > NARROWED_EXAMPLES ? `; and ${narrowed.length - NARROWED_EXAMPLES} more CIS events likewise` : '';
  return {
    verdict: 'narrower',
    detail: `The filter narrows ${label} with extra conditions: it selects ${shown.join('; ')}${more}.`,
    narrowing,
  };
}

// ---------------------------------------------------------------------------------------------
// Implication: does every event satisfying all conditions of `term` satisfy `target`?
// ---------------------------------------------------------------------------------------------

function implies(term: Conjunction, target: Condition): boolean {
  const key = conditionKey(target);
  const sameSelector = term.filter((condition) => condition.selector.text === target.selector.text);
  if (sameSelector.some((condition) => conditionKey(condition) === key)) return true;
  if (target.kind === 'test') return false;
  if (target.value.kind === 'number' || (target.operator !== '=' && target.operator !== '!=')) return impliesNumeric(sameSelector, target);
  const comparisons = sameSelector.filter((c): c is ComparisonCondition => c.kind === 'comparison');
  return target.operator === '=' ? impliesEquality(comparisons, sameSelector, target.value) : impliesInequality(comparisons, target.value);
}

/** `target = value` where value is a string (possibly a wildcard glob) or a regex. */
function impliesEquality(comparisons: readonly ComparisonCondition[], sameSelector: Conjunction, value: FilterValue): boolean {
  if (value.kind === 'string' && isMatchAll(globOf(value.text))) {
    // `= *` only asks for the field to hold a value, which any positive condition guarantees.
    return sameSelector.some((condition) => isPositive(condition) && !(condition.kind === 'test' && condition.test === 'IS NULL'));
  }
  return comparisons.some((condition) => {
    if (condition.operator !== '=' || condition.value.kind !== 'string') return false;
    const known = globOf(condition.value.text);
    if (value.kind === 'regex') return isLiteral(known) && regexMatches(value.source, known.core);
    return value.kind === 'string' && globContains(globOf(value.text), known);
  });
}

/** `target != value`: implied by an equality to a value it can never match, or a broader `!=`. */
function impliesInequality(comparisons: readonly ComparisonCondition[], value: FilterValue): boolean {
  return comparisons.some((condition) => {
    if (condition.value.kind !== 'string') return false;
    const known = globOf(condition.value.text);
    if (value.kind === 'regex') return condition.operator === '=' && isLiteral(known) && !regexMatches(value.source, known.core);
    if (value.kind !== 'string') return false;
    const excluded = globOf(value.text);
    if (condition.operator === '=') return globsDisjoint(known, excluded);
    return condition.operator === '!=' && globContains(known, excluded);
  });
}

interface Interval {
  readonly low: number;
  readonly lowInclusive: boolean;
  readonly high: number;
  readonly highInclusive: boolean;
}

const EVERY_NUMBER: Interval = { low: -Infinity, lowInclusive: false, high: Infinity, highInclusive: false };

function impliesNumeric(sameSelector: Conjunction, target: ComparisonCondition): boolean {
  if (target.value.kind !== 'number') return false;
  const bounds = sameSelector.filter(
    (c): c is ComparisonCondition & { operator: Exclude<ComparisonCondition['operator'], '!='> } =>
      c.kind === 'comparison' && c.value.kind === 'number' && c.operator !== '!=',
  );
  if (bounds.length === 0) return false;
  let known: Interval | undefined = EVERY_NUMBER;
  for (const bound of bounds) {
    if (bound.value.kind === 'number') known = known && intersect(known, intervalOf(bound.operator, bound.value.value));
  }
  if (!known) return true; // contradictory conditions select nothing, so they imply anything
  if (target.operator === '!=') return !contains(known, target.value.value);
  return within(known, intervalOf(target.operator, target.value.value));
}

function intervalOf(operator: Exclude<ComparisonCondition['operator'], '!='>, n: number): Interval {
  switch (operator) {
    case '=':
      return { low: n, lowInclusive: true, high: n, highInclusive: true };
    case '<':
      return { ...EVERY_NUMBER, high: n };
    case '<=':
      return { ...EVERY_NUMBER, high: n, highInclusive: true };
    case '>':
      return { ...EVERY_NUMBER, low: n };
    case '>=':
      return { ...EVERY_NUMBER, low: n, lowInclusive: true };
  }
}

function intersect(a: Interval, b: Interval): Interval | undefined {
  const [low, lowInclusive] = a.low > b.low ? [a.low, a.lowInclusive] : b.low > a.low ? [b.low, b.lowInclusive] : [a.low, a.lowInclusive && b.lowInclusive];
  const [high, highInclusive] = a.high < b.high ? [a.high, a.highInclusive] : b.high < a.high ? [b.high, b.highInclusive] : [a.high, a.highInclusive && b.highInclusive];
  if (low > high || (low === high && !(lowInclusive && highInclusive))) return undefined;
  return { low, lowInclusive, high, highInclusive };
}

function contains(range: Interval, n: number): boolean {
  const aboveLow = n > range.low || (n === range.low && range.lowInclusive);
  const belowHigh = n < range.high || (n === range.high && range.highInclusive);
  return aboveLow && belowHigh;
}

function within(inner: Interval, outer: Interval): boolean {
  const lowOk = inner.low > outer.low || (inner.low === outer.low && (outer.lowInclusive || !inner.lowInclusive));
  const highOk = inner.high < outer.high || (inner.high === outer.high && (outer.highInclusive || !inner.highInclusive));
  return lowOk && highOk;
}

// ---------------------------------------------------------------------------------------------
// Wildcard values. CloudWatch treats `*` as a wildcard at the start and/or end of a value only
// ("Ev*ent will only match the actual string Ev*ent").
// ---------------------------------------------------------------------------------------------

interface Glob {
  readonly anyPrefix: boolean;
  readonly anySuffix: boolean;
  readonly core: string;
}

function globOf(text: string): Glob {
  const anyPrefix = text.startsWith('*');
  const rest = anyPrefix ? text.slice(1) : text;
  const anySuffix = rest.endsWith('*');
  return { anyPrefix, anySuffix, core: anySuffix ? rest.slice(0, -1) : rest };
}

function isLiteral(glob: Glob): boolean {
  return !glob.anyPrefix && !glob.anySuffix;
}

function isMatchAll(glob: Glob): boolean {
  return !isLiteral(glob) && glob.core === '';
}

function globMatches(glob: Glob, text: string): boolean {
  if (glob.anyPrefix && glob.anySuffix) return text.includes(glob.core);
  if (glob.anyPrefix) return text.endsWith(glob.core);
  if (glob.anySuffix) return text.startsWith(glob.core);
  return text === glob.core;
}

/** Every value matched by `inner` is matched by `outer`. */
function globContains(outer: Glob, inner: Glob): boolean {
  if (isMatchAll(outer)) return true;
  if (isLiteral(inner)) return globMatches(outer, inner.core);
  if (outer.anyPrefix && outer.anySuffix) return inner.core.includes(outer.core);
  if (outer.anyPrefix) return !inner.anySuffix && inner.core.endsWith(outer.core);
  if (outer.anySuffix) return !inner.anyPrefix && inner.core.startsWith(outer.core);
  return false;
}

/** No value is matched by both (decided exactly for literals and same-sided wildcards; otherwise assumed to overlap). */
function globsDisjoint(a: Glob, b: Glob): boolean {
  if (isLiteral(a)) return !globMatches(b, a.core);
  if (isLiteral(b)) return !globMatches(a, b.core);
  const prefixOnly = (g: Glob) => g.anySuffix && !g.anyPrefix;
  const suffixOnly = (g: Glob) => g.anyPrefix && !g.anySuffix;
  if (prefixOnly(a) && prefixOnly(b)) return !a.core.startsWith(b.core) && !b.core.startsWith(a.core);
  if (suffixOnly(a) && suffixOnly(b)) return !a.core.endsWith(b.core) && !b.core.endsWith(a.core);
  return false;
}

/** Linear-time (RE2); the parser has already refused patterns the engine cannot compile. */
function regexMatches(source: string, text: string): boolean {
  const compiled = compileSafeRegex(source);
  return compiled.ok && compiled.regex.test(text);
}
