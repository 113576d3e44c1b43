/**
 * The views of a Results object that several reporters share: rule lookup, status × severity
 * tallies, the account × rule matrix, grouped collection errors and one finding order. Computing
 * them once here keeps the console, job summary and HTML report telling the same story.
 */
import { displayText } from './text-safety.js';
import { SEVERITIES, SEVERITY_RANK, STATUSES, isNewFailure, type AbsentFinding, type BaselineComparison, type Finding, type ResourceRef, type Results, type RuleMeta, type Severity, type Status } from '../results.js';
import type { CollectionError } from '../snapshot/schema.js';
import { repositoryUrl } from '../package-root.js';
import { UNKNOWN_BEFORE_APPLY } from '../snapshot/not-offered.js';

type CollectionErrorDetail = CollectionError['$error'];

/** Findings without a region (accounts, organizations, buckets of unknown region) group under this label. */
export const GLOBAL_REGION = 'global';

export const STATUS_LABEL: Record<Status, string> = { fail: 'Fail', error: 'Error', pass: 'Pass', not_applicable: 'N/A' };
export const SEVERITY_LABEL: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };
const STATUS_ORDER: Record<Status, number> = { fail: 0, error: 1, pass: 2, not_applicable: 3 };

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

export interface RuleCatalog {
  /** Every loaded rule, ordered by id (SARIF ruleIndex refers to this order). */
  readonly rules: readonly RuleMeta[];
  indexOf(ruleId: string): number;
  get(ruleId: string): RuleMeta;
}

/**
 * Indexes the rules and checks the contract reporters rely on: rule ids are unique and every
 * finding names a loaded rule. A broken contract is an upstream bug, so it throws rather than
 * writing a report that silently drops findings.
 */
export function catalogRules(results: Results): RuleCatalog {
  const rules = [...results.rules].sort((a, b) => compareText(a.id, b.id));
  const indexById = new Map<string, number>();
  rules.forEach((rule, index) => {
    if (indexById.has(rule.id)) throw new Error(`Results list rule ${rule.id} more than once.`);
    indexById.set(rule.id, index);
  });
  for (const finding of results.findings) {
    if (!indexById.has(finding.ruleId)) throw new Error(`A finding refers to rule ${finding.ruleId}, which is not among the results' rules.`);
  }
  return {
    rules,
    indexOf: (ruleId) => indexById.get(ruleId) ?? -1,
    get: (ruleId) => rules[indexById.get(ruleId) ?? -1] ?? missingRule(ruleId),
  };
}

function missingRule(ruleId: string): never {
  throw new Error(`Unknown rule ${ruleId}.`);
}

/**
 * Where built-in rules' policy files are published; their help links point there. It is
 * package.json's `repository`, never written anywhere else (test/reporters/doc-links.test.ts).
 */
export const TRAILWARDEN_REPOSITORY_URL = repositoryUrl();

/** A rule's own help link, or for a built-in rule its policy file in the trailwarden repository. */
export function ruleHelpUri(rule: RuleMeta): string | undefined {
  if (rule.helpUri) return rule.helpUri;
  return rule.source.builtin ? `${TRAILWARDEN_REPOSITORY_URL}/blob/main/${artifactUri(rule.source.file)}` : undefined;
}

/** A relative, scheme-less, percent-encoded URI reference, whatever form the loader recorded the path in. */
export function artifactUri(file: string): string {
  const relative = file
    .replace(/\\/g, '/')
    .replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '')
    .replace(/^[a-z]:(?=\/)/i, '')
    .replace(/^(\.?\/)+/, '');
  return relative
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

// ---------------------------------------------------------------------------------------------
// Tallies
// ---------------------------------------------------------------------------------------------

type StatusCounts = Record<Status, number>;

/**
 * Counts by status and severity. Suppressed findings are counted apart: they no longer fail the
 * scan, yet the reader must see that they exist.
 */
export interface Tally {
  byStatus: StatusCounts;
  bySeverity: Record<Severity, StatusCounts>;
  suppressed: number;
  total: number;
}

function emptyStatusCounts(): StatusCounts {
  return { fail: 0, error: 0, pass: 0, not_applicable: 0 };
}

function emptyTally(): Tally {
  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, emptyStatusCounts()])) as Record<Severity, StatusCounts>;
  return { byStatus: emptyStatusCounts(), bySeverity, suppressed: 0, total: 0 };
}

function addToTally(tally: Tally, finding: Finding): void {
  tally.total += 1;
  if (finding.suppression) {
    tally.suppressed += 1;
    return;
  }
  tally.byStatus[finding.status] += 1;
  tally.bySeverity[finding.severity][finding.status] += 1;
}

export function tallyFindings(findings: Iterable<Finding>): Tally {
  const tally = emptyTally();
  for (const finding of findings) addToTally(tally, finding);
  return tally;
}

/** One tally per key; findings whose key is undefined are skipped. */
export function tallyBy(findings: Iterable<Finding>, keyOf: (finding: Finding) => string | undefined): Map<string, Tally> {
  const tallies = new Map<string, Tally>();
  for (const finding of findings) {
    const key = keyOf(finding);
    if (key === undefined) continue;
    let tally = tallies.get(key);
    if (!tally) tallies.set(key, (tally = emptyTally()));
    addToTally(tally, finding);
  }
  return tallies;
}

/** Highest severity that has an unsuppressed failing finding, if any. */
export function worstFailingSeverity(tally: Tally): Severity | undefined {
  return SEVERITIES.find((severity) => tally.bySeverity[severity].fail > 0);
}

/** Orders tallies worst first: failing findings by severity, then errors. */
function compareTalliesWorstFirst(a: Tally, b: Tally): number {
  for (const severity of SEVERITIES) {
    const difference = b.bySeverity[severity].fail - a.bySeverity[severity].fail;
    if (difference !== 0) return difference;
  }
  return b.byStatus.error - a.byStatus.error;
}

/**
 * Passing share of the checks that should have reached a verdict: pass / (pass + fail + error).
 * A check that could not be evaluated is not left out (it would flatter the rate); n/a and
 * suppressed findings are. Floored, so 99.9% never shows as 100%; undefined when nothing counts.
 */
export function passingPercent(tally: Pick<Tally, 'byStatus'>): number | undefined {
  const counted = tally.byStatus.pass + tally.byStatus.fail + tally.byStatus.error;
  return counted === 0 ? undefined : Math.floor((tally.byStatus.pass / counted) * 100);
}

/** " (61% of the checks, counting those not evaluated)" after a passing count; empty when nothing counts. */
export function passingShare(tally: Pick<Tally, 'byStatus'>): string {
  const rate = passingPercent(tally);
  return rate === undefined ? '' : ` (${rate}% of the checks${tally.byStatus.error > 0 ? ', counting those not evaluated' : ''})`;
}

/** One row of the per-control rollup as every reporter shows it: "5 of 8 (62%)". */
export interface ControlRow {
  id: string;
  title: string;
  passing: string;
  failing: string;
  unevaluated: string;
  notApplicable: string;
}

export function controlRows(results: Pick<Results, 'controls'>): ControlRow[] {
  const rollup = results.controls;
  if (!rollup) return [];
  const share = (count: number) => `${formatCount(count)} of ${formatCount(rollup.accounts)} (${rollup.accounts === 0 ? '–' : `${Math.floor((count / rollup.accounts) * 100)}%`})`;
  return rollup.controls.map((control) => ({
    id: control.id,
    title: control.title,
    passing: share(control.passing),
    failing: share(control.failing),
    unevaluated: share(control.unevaluated),
    notApplicable: formatCount(control.notApplicable),
  }));
}

// ---------------------------------------------------------------------------------------------
// Accounts: one count for every output
// ---------------------------------------------------------------------------------------------

/**
 * The accounts of the scan are the results' `accounts` (those the scan was asked to cover,
 * reachable or not). Findings may also name other accounts: the owners of resources the scanned
 * trails use (a partner's log bucket) that the scan could not read. Every output counts the first
 * and mentions the second apart, so no two outputs disagree on "how many accounts".
 */
export function accountsOutsideScan(results: Pick<Results, 'accounts' | 'findings'>): string[] {
  const scanned = new Set(results.accounts.map((account) => account.id));
  return [...new Set(results.findings.map((finding) => finding.resource.accountId).filter((id) => !scanned.has(id)))].sort(compareText);
}

/** "8 accounts" or "8 accounts (+1 outside the scan: 999999999999)". */
export function accountsLabel(results: Pick<Results, 'accounts' | 'findings'>): string {
  const outside = accountsOutsideScan(results);
  const scanned = plural(results.accounts.length, 'account');
  if (outside.length === 0) return scanned;
  return `${scanned} (+${formatCount(outside.length)} outside the scan: ${outside.slice(0, 3).join(', ')}${outside.length > 3 ? ` and ${formatCount(outside.length - 3)} more` : ''})`;
}

// ---------------------------------------------------------------------------------------------
// Account × rule matrix (the ScoutSuite view)
// ---------------------------------------------------------------------------------------------

export type CellState = Status | 'suppressed' | 'none';

export interface MatrixAccount {
  id: string;
  name?: string;
  tally: Tally;
}

interface MatrixRule {
  rule: RuleMeta;
  tally: Tally;
}

export interface AccountRuleMatrix {
  /** Every account of the results plus any only findings mention, worst first. */
  accounts: MatrixAccount[];
  /** Rules with at least one finding, worst first (severity, then failures). */
  rules: MatrixRule[];
  cell(accountId: string, ruleId: string): Tally | undefined;
}

export function buildMatrix(results: Results, catalog: RuleCatalog): AccountRuleMatrix {
  const cells = new Map<string, Tally>();
  const byAccount = new Map<string, Tally>(results.accounts.map((account) => [account.id, emptyTally()]));
  const byRule = new Map<string, Tally>();
  for (const finding of results.findings) {
    const accountId = finding.resource.accountId;
    const cellKey = matrixKey(accountId, finding.ruleId);
    for (const [map, key] of [
      [cells, cellKey],
      [byAccount, accountId],
      [byRule, finding.ruleId],
    ] as const) {
      let tally = map.get(key);
      if (!tally) map.set(key, (tally = emptyTally()));
      addToTally(tally, finding);
    }
  }
  const names = accountNames(results);
  const accounts: MatrixAccount[] = [...byAccount].map(([id, tally]) => {
    const name = names.get(id);
    return { id, ...(name !== undefined ? { name } : {}), tally };
  });
  accounts.sort((a, b) => compareTalliesWorstFirst(a.tally, b.tally) || compareText(a.id, b.id));
  const rules = [...byRule].map(([ruleId, tally]) => ({ rule: catalog.get(ruleId), tally }));
  rules.sort(
    (a, b) =>
      SEVERITY_RANK[b.rule.severity] - SEVERITY_RANK[a.rule.severity] ||
      b.tally.byStatus.fail - a.tally.byStatus.fail ||
      b.tally.byStatus.error - a.tally.byStatus.error ||
      compareText(a.rule.id, b.rule.id),
  );
  return { accounts, rules, cell: (accountId, ruleId) => cells.get(matrixKey(accountId, ruleId)) };
}

function matrixKey(accountId: string, ruleId: string): string {
  return `${accountId}\u0000${ruleId}`;
}

/** The one state a matrix cell shows: the worst thing in it. */
export function cellState(tally: Tally | undefined): CellState {
  if (!tally) return 'none';
  for (const status of STATUSES) if (tally.byStatus[status] > 0) return status;
  return tally.suppressed > 0 ? 'suppressed' : 'none';
}

export function accountNames(results: Pick<Results, 'accounts'>): Map<string, string | undefined> {
  return new Map(results.accounts.map((account) => [account.id, account.name]));
}

/**
 * How a resource reads where a human reads it (summary tables, SARIF message text, report.html).
 * An account's ARN ends in `:root`, which reads as the root user: an account is shown as
 * "account 123456789012 (name)" instead. Identities (fingerprints, logical locations, results.json)
 * keep the ARN. Raw text: each report neutralizes it for its own medium.
 */
export function resourceLabel(resource: Pick<ResourceRef, 'type' | 'arn' | 'accountId' | 'name'>, names: ReadonlyMap<string, string | undefined>): string {
  if (resource.type !== 'account') return resource.arn;
  const name = names.get(resource.accountId) ?? resource.name;
  return `account ${resource.accountId}${name ? ` (${name})` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Collection errors
// ---------------------------------------------------------------------------------------------

interface CollectionErrorGroup {
  /** The IAM action that failed: the permission to grant when the code is an access denial. */
  action: string;
  code: string;
  count: number;
  accounts: string[];
  regions: string[];
  /** The first message recorded for the group. */
  message?: string;
}

/**
 * A planned value (`scan --plan`, `--template`) that Terraform or CloudFormation computes only when
 * it applies: nothing failed to be collected, the value does not exist yet. Reports list these
 * apart from collection errors, in those words.
 */
export function isKnownAfterApply(error: CollectionErrorDetail): boolean {
  return error.code === UNKNOWN_BEFORE_APPLY;
}

/** The collection errors proper, and the planned values known only after apply. */
export function splitCollectionErrors(errors: readonly CollectionErrorDetail[]): { failed: CollectionErrorDetail[]; afterApply: CollectionErrorDetail[] } {
  const failed: CollectionErrorDetail[] = [];
  const afterApply: CollectionErrorDetail[] = [];
  for (const error of errors) (isKnownAfterApply(error) ? afterApply : failed).push(error);
  return { failed, afterApply };
}

/** "aws_cloudtrail.main.kms_key_id is known only after apply: it is aws_kms_key.trail.arn" */
export function describeAfterApply(error: CollectionErrorDetail): string {
  return error.message ?? `a value ${error.action} reads is known only after apply`;
}

/** Groups collection errors by action and code, most frequent first. */
export function groupCollectionErrors(errors: readonly CollectionErrorDetail[]): CollectionErrorGroup[] {
  const groups = new Map<string, CollectionErrorGroup & { accountSet: Set<string>; regionSet: Set<string> }>();
  for (const error of errors) {
    const key = `${error.action}\u0000${error.code}`;
    let group = groups.get(key);
    if (!group) {
      group = { action: error.action, code: error.code, count: 0, accounts: [], regions: [], ...(error.message !== undefined ? { message: error.message } : {}), accountSet: new Set(), regionSet: new Set() };
      groups.set(key, group);
    }
    group.count += 1;
    if (error.accountId) group.accountSet.add(error.accountId);
    if (error.region) group.regionSet.add(error.region);
  }
  return [...groups.values()]
    .map(({ accountSet, regionSet, ...group }) => ({ ...group, accounts: [...accountSet].sort(compareText), regions: [...regionSet].sort(compareText) }))
    .sort((a, b) => b.count - a.count || compareText(a.action, b.action) || compareText(a.code, b.code));
}

/** Access denials are fixed by granting the action; other codes need a different reader response. */
export function isAccessDenial(code: string): boolean {
  return /denied|unauthori[sz]ed|forbidden|notauthorized/i.test(code);
}

/** "cloudtrail:GetTrailStatus failed with AccessDenied in account 111122223333, region us-east-1" */
export function describeCollectionError(error: CollectionErrorDetail): string {
  const where = [error.accountId && `account ${error.accountId}`, error.region && `region ${error.region}`].filter(Boolean).join(', ');
  return `${error.action} failed with ${error.code}${where ? ` in ${where}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------------------------

/** Report order: unsuppressed first, then fail, error, pass, n/a; worst severity first; then by rule and resource. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    Number(a.suppression !== undefined) - Number(b.suppression !== undefined) ||
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.resource.accountId, b.resource.accountId) ||
    compareText(a.resource.region ?? '', b.resource.region ?? '') ||
    compareText(a.resource.arn, b.resource.arn)
  );
}

export function regionOf(finding: Finding): string {
  return finding.resource.region ?? GLOBAL_REGION;
}

/** "cis-aws-foundations-v5.0:3.1" -> "cis-aws-foundations-v5.0" */
export function frameworkKey(control: string): string {
  const colon = control.indexOf(':');
  return colon < 0 ? control : control.slice(0, colon);
}

/** Rule frameworks as "framework:control" strings, the same form findings carry. */
export function ruleControls(rule: RuleMeta): string[] {
  return Object.entries(rule.frameworks)
    .sort(([a], [b]) => compareText(a, b))
    .flatMap(([framework, controls]) => controls.map((control) => `${framework}:${control}`));
}

/** Text a person reads, one line, with controls, bidi and invisible characters made visible (text-safety.ts). */
export function visibleControls(text: string): string {
  return displayText(text);
}

/** Locale-independent ordering, so reports do not change with the machine's language. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength - 1);
  // Never leave half a surrogate pair behind: it would be invalid UTF-16 in every output format.
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

// ---------------------------------------------------------------------------------------------
// Since the last run (--baseline)
// ---------------------------------------------------------------------------------------------

/** What every report leads with when the run had a baseline: counts, then new failures, then what was fixed. */
export interface SinceLastRun {
  /** One sentence: "3 new failures, 5 fixed since 2026-10-31T12:00:00.000Z", or the first-run sentence. */
  headline: string;
  /** The other counts, in words. */
  detail: string;
  firstRun: boolean;
  counts: BaselineComparison['counts'];
  /** Failing now and not failing in the baseline, worst first. */
  newFailures: Finding[];
  /** Errors (unverifiable checks) new since the baseline. */
  newErrors: number;
  fixed: AbsentFinding[];
  removed: AbsentFinding[];
  /** Set when the two runs covered different rules or accounts. */
  scopeNote?: string;
}

function compareAbsent(a: AbsentFinding, b: AbsentFinding): number {
  return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || compareText(a.ruleId, b.ruleId) || compareText(a.resource.arn, b.resource.arn);
}

export function sinceLastRun(results: Results): SinceLastRun | undefined {
  const baseline = results.baseline;
  if (!baseline) return undefined;
  const newFailures = results.findings.filter((f) => !f.suppression && isNewFailure(f)).sort(compareFindings);
  const newErrors = results.findings.filter((f) => !f.suppression && f.status === 'error' && f.baselineState === 'new').length;
  const fixed = baseline.absent.filter((a) => a.reason === 'fixed').sort(compareAbsent);
  const removed = baseline.absent.filter((a) => a.reason === 'removed').sort(compareAbsent);
  const { counts } = baseline;
  const headline = baseline.firstRun
    ? `First run: there is no baseline yet (${baseline.file} does not exist), so every failure counts as new: ${plural(newFailures.length, 'failure')}.`
    : `${plural(newFailures.length, 'new failure')}, ${formatCount(fixed.length)} fixed since ${baseline.time ?? 'the baseline'}`;
  const detail = [
    `${formatCount(counts.new)} new`,
    `${formatCount(counts.updated)} updated`,
    `${formatCount(counts.unchanged)} unchanged`,
    `${formatCount(counts.absent)} absent (${formatCount(fixed.length)} fixed, ${formatCount(removed.length)} on removed resources)`,
    ...(newErrors > 0 ? [`${plural(newErrors, 'new check')} could not be evaluated`] : []),
  ].join(' · ');
  const outside = baseline.outsideScope;
  const scopeNote = outside
    ? `The baseline covered other ${[outside.rules.length ? 'rules' : '', outside.accounts.length ? 'accounts' : ''].filter(Boolean).join(' and ')} than this run` +
      `${outside.rules.length ? ` (rules in one run only: ${listWithMore(outside.rules, 5)})` : ''}` +
      `${outside.accounts.length ? ` (accounts in one run only: ${listWithMore(outside.accounts, 5)})` : ''}: ` +
      `${plural(outside.findings, 'failure or error', 'failures or errors')} there ${outside.findings === 1 ? 'is' : 'are'} neither new nor fixed.`
    : undefined;
  return { headline, detail, firstRun: baseline.firstRun === true, counts, newFailures, newErrors, fixed, removed, ...(scopeNote ? { scopeNote } : {}) };
}

function listWithMore(items: readonly string[], shown: number): string {
  return items.length > shown ? `${items.slice(0, shown).join(', ')} and ${formatCount(items.length - shown)} more` : items.join(', ');
}
