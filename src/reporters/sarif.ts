/**
 * results.sarif for GitHub code scanning (SPEC §5).
 *
 * GitHub rejects a whole upload for one malformed result, so every result carries exactly one
 * physical location (the rule's policy file, relative, no scheme; with --iac, the lines of the
 * user's repository that define the resource) and the resource goes into the logical location,
 * properties and message. Alert identity comes from the resource, not from a
 * line: `partialFingerprints.primaryLocationLineHash` is the resource fingerprint too, because
 * code scanning matches alerts on that key alone and would otherwise derive it from the policy
 * line — the same line for every resource of a rule, which would fold their alerts into one.
 *
 * A finding that could not be evaluated (status `error`) is not a failure of the control, yet
 * code scanning takes an alert's severity from its rule's `security-severity` and ignores
 * `kind`. So unevaluated results get a rule of their own, `<rule id>/could-not-evaluate`: level
 * note, no security-severity, no `security` tag, help that says how to obtain the missing fact.
 * Its own rule id also gives it its own fingerprint, so the alert for "could not evaluate" and the
 * alert for a failure of the same resource are two alerts, each stable across runs. Policy rule
 * ids hold exactly one `/` (`<group>/<name>`), so the suffixed id can never be a loaded rule's.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { SEVERITY_RANK, findingIdentity, isRunId, type Finding, type IacLocation, type Results, type RuleMeta, type Severity } from '../results.js';
import type { ReportContext, Reporter } from './context.js';
import { REPORT_FILE_NAMES } from './formats.js';
import { codeSpan, inline, ruleHelpMarkdown, ruleHelpText } from './markdown.js';
import { displayText } from './text-safety.js';
import {
  artifactUri,
  catalogRules,
  compareText,
  describeCollectionError,
  formatCount,
  groupCollectionErrors,
  accountNames,
  plural,
  resourceLabel,
  ruleControls,
  ruleHelpUri,
  TRAILWARDEN_REPOSITORY_URL,
  truncate,
  type RuleCatalog,
} from './model.js';

const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const FINGERPRINT_KEY = 'trailwarden/v1';

interface SarifLimits {
  /** Above this many results, GitHub shows only the top ones: aggregate per rule and account instead. */
  aggregateAbove: number;
  /** GitHub rejects a run with more results than this. */
  maxResults: number;
  /** GitHub rejects an upload whose gzipped size exceeds this. */
  maxGzipBytes: number;
}

export const SARIF_LIMITS: SarifLimits = { aggregateAbove: 5_000, maxResults: 25_000, maxGzipBytes: 10 * 1024 * 1024 };

/** GitHub maps >9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low; 0.0 means none, so info has none. */
export const SECURITY_SEVERITY: Record<Severity, string | undefined> = { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0', info: undefined };

type SarifLevel = 'error' | 'warning' | 'note';
const LEVEL: Record<Severity, SarifLevel> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

/** GitHub shows at most 10 tags and truncates descriptions at 1,024 characters and names at 255. */
const MAX_TAGS = 10;
const MAX_DESCRIPTION = 1_024;
const MAX_NAME = 255;
/** Resources listed by name in an aggregated result's message; the rest are counted. */
const AGGREGATE_MESSAGE_RESOURCES = 5;
/** Resources kept per aggregated result, so one huge account cannot blow the size budget. */
const AGGREGATE_MAX_RESOURCES = 1_000;
/** Collection-error groups reported as tool notifications. */
const MAX_NOTIFICATIONS = 100;

interface SarifLocation {
  physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; endLine: number; startColumn?: number; endColumn?: number } };
  logicalLocations: { fullyQualifiedName: string; name?: string; kind: 'resource' }[];
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  kind?: 'open';
  level: SarifLevel;
  message: { text: string };
  locations: [SarifLocation];
  partialFingerprints: Record<string, string>;
  baselineState?: 'new' | 'unchanged' | 'updated' | 'absent';
  properties: Record<string, unknown>;
}

interface RankedResult {
  /** Higher first: severity of failures, then unverifiable checks. */
  rank: number;
  order: string[];
  result: SarifResult;
}

/** The SARIF rule of a rule's unevaluated results (see the header): never a policy rule's id, which has one `/`. */
export const COULD_NOT_EVALUATE_SUFFIX = '/could-not-evaluate';

export function unevaluatedRuleId(ruleId: string): string {
  return `${ruleId}${COULD_NOT_EVALUATE_SUFFIX}`;
}

/** Loaded rules first (their index is the catalogue's), then the could-not-evaluate rules this log's results use. */
interface SarifRules {
  catalog: RuleCatalog;
  /** Loaded rules with at least one unevaluated result, in id order. */
  unevaluated: readonly RuleMeta[];
  /** The SARIF rule id and index of a finding's result. */
  resultRule(ruleId: string, status: 'fail' | 'error'): { id: string; index: number };
}

function sarifRules(catalog: RuleCatalog, reportable: readonly Finding[]): SarifRules {
  const unevaluated = [...new Set(reportable.filter((finding) => finding.status === 'error').map((finding) => finding.ruleId))].sort(compareText).map((id) => catalog.get(id));
  const unevaluatedIndex = new Map(unevaluated.map((rule, index) => [rule.id, catalog.rules.length + index]));
  return {
    catalog,
    unevaluated,
    resultRule: (ruleId, status) => (status === 'error' ? { id: unevaluatedRuleId(ruleId), index: unevaluatedIndex.get(ruleId)! } : { id: ruleId, index: catalog.indexOf(ruleId) }),
  };
}

export function renderSarif(results: Results, ctx: ReportContext, limits: SarifLimits = SARIF_LIMITS): string {
  const warn = ctx.onWarning ?? (() => undefined);
  const catalog = catalogRules(results);
  const reportable = results.findings.filter((finding) => !finding.suppression && (finding.status === 'fail' || finding.status === 'error'));
  const locations = policyLocations(catalog, warn);
  const rules = sarifRules(catalog, reportable);

  let ranked: RankedResult[];
  if (reportable.length > limits.aggregateAbove) {
    ranked = aggregateResults(reportable, results.partition, rules, locations, accountNames(results));
    warn(
      `SARIF: ${formatCount(reportable.length)} failing and error findings exceed ${formatCount(limits.aggregateAbove)}, the most GitHub code scanning displays; ` +
        `aggregated into ${plural(ranked.length, 'result')}, one per rule and account (results.json and report.html keep every finding).`,
    );
  } else {
    const names = accountNames(results);
    ranked = reportable.map((finding) => findingResult(finding, results.partition, rules, locations, names));
  }
  ranked = withUniqueFingerprints(ranked, warn);
  ranked.sort((a, b) => b.rank - a.rank || compareOrder(a.order, b.order));

  if (ranked.length > limits.maxResults) {
    warn(`SARIF: ${formatCount(ranked.length)} results exceed GitHub's limit of ${formatCount(limits.maxResults)}; kept the ${formatCount(limits.maxResults)} most severe.`);
    ranked = ranked.slice(0, limits.maxResults);
  }

  const serialize = (kept: RankedResult[]) => `${JSON.stringify(sarifLog(results, rules, ctx, kept), null, 2)}\n`;
  let text = serialize(ranked);
  const total = ranked.length;
  // Gzip can only shrink JSON, so the costly measurement is needed only when the raw text is too big.
  let gzipped = Buffer.byteLength(text) > limits.maxGzipBytes ? gzipSync(text).byteLength : 0;
  while (gzipped > limits.maxGzipBytes && ranked.length > 0) {
    const keep = Math.min(ranked.length - 1, Math.floor((ranked.length * limits.maxGzipBytes * 0.9) / gzipped));
    ranked = ranked.slice(0, keep);
    text = serialize(ranked);
    gzipped = gzipSync(text).byteLength;
  }
  if (ranked.length < total) {
    warn(`SARIF: the upload would exceed GitHub's ${formatCount(limits.maxGzipBytes)}-byte gzipped limit; kept the ${formatCount(ranked.length)} most severe of ${formatCount(total)} results.`);
  }
  return text;
}

export const sarifReporter: Reporter = { fileName: REPORT_FILE_NAMES.sarif, render: (results, ctx) => renderSarif(results, ctx) };

// ---------------------------------------------------------------------------------------------
// The log
// ---------------------------------------------------------------------------------------------

function sarifLog(results: Results, rules: SarifRules, ctx: ReportContext, ranked: readonly RankedResult[]) {
  const category = ctx.category?.trim();
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0' as const,
    runs: [
      {
        tool: {
          driver: {
            name: 'trailwarden',
            semanticVersion: results.tool.version,
            informationUri: TRAILWARDEN_REPOSITORY_URL,
            rules: [...rules.catalog.rules.map(ruleDescriptor), ...rules.unevaluated.map(unevaluatedDescriptor)],
          },
        },
        // GitHub takes everything before the last "/" as the category; the trailing slash makes the whole value one.
        ...(category ? { automationDetails: { id: category.endsWith('/') ? category : `${category}/` } } : {}),
        // An incomplete scope means a missing result proves nothing: the run did not do what it was asked.
        invocations: [{ executionSuccessful: !results.incomplete, toolExecutionNotifications: [...scopeNotifications(results), ...collectionNotifications(results)] }],
        columnKind: 'utf16CodeUnits' as const,
        results: ranked.map(({ result }) => result),
        properties: runProperties(results),
      },
    ],
  };
}

function runProperties(results: Results): Record<string, unknown> {
  return {
    partition: results.partition,
    ...(results.organizationId ? { organizationId: results.organizationId } : {}),
    ...(results.pack ? { pack: results.pack } : {}),
    ...(isRunId(results.runId) ? { runId: results.runId } : {}),
    scanTime: results.scanTime,
    snapshotTime: results.snapshotTime,
    accountCount: results.accounts.length,
    regions: results.regions,
  };
}

const SCOPE_KIND_TEXT = {
  accounts: 'accounts of the scan could not be listed or accessed',
  regions: 'regions of an account could not be listed',
  trails: 'trails of an account could not be listed or described',
} as const;

/** One error notification per kind of scope gap: the consumer must not close alerts on this run. */
function scopeNotifications(results: Results) {
  const gaps = results.incomplete?.gaps ?? [];
  return (['accounts', 'regions', 'trails'] as const).flatMap((kind) => {
    const ofKind = gaps.filter((gap) => gap.kind === kind);
    if (ofKind.length === 0) return [];
    const causes = [...new Set(ofKind.map((gap) => `${gap.action} ${gap.code}`))].sort(compareText);
    return [
      {
        level: 'error' as const,
        message: {
          text: messageText(`Incomplete scan: ${SCOPE_KIND_TEXT[kind]} (${plural(ofKind.length, 'gap')}; ${causes.slice(0, 5).join(', ')}${causes.length > 5 ? ` and ${causes.length - 5} more` : ''}). Resources there were not checked; do not treat their missing alerts as fixed.`),
        },
        descriptor: { id: `trailwarden/scan-scope/${kind}` },
        properties: { gaps: ofKind.slice(0, MAX_NOTIFICATIONS).map((gap) => ({ arn: gap.arn, accountId: gap.accountId, action: gap.action, code: gap.code })) },
      },
    ];
  });
}

/** Facts that could not be collected, grouped by permission, so the run shows why some checks are open. */
function collectionNotifications(results: Results) {
  return groupCollectionErrors(results.collectionErrors)
    .slice(0, MAX_NOTIFICATIONS)
    .map((group) => ({
      level: 'warning' as const,
      message: {
        text: messageText(`${group.action} failed with ${group.code} ${plural(group.count, 'time')} (${plural(group.accounts.length, 'account')}, ${plural(group.regions.length, 'region')}).`),
      },
      descriptor: { id: group.action },
      properties: { code: group.code, count: group.count, accounts: group.accounts, regions: group.regions },
    }));
}

function ruleDescriptor(rule: RuleMeta) {
  const securitySeverity = SECURITY_SEVERITY[rule.severity];
  return {
    id: rule.id,
    name: truncate(pascalCase(rule.id), MAX_NAME),
    shortDescription: { text: truncate(rule.title, MAX_DESCRIPTION) },
    fullDescription: { text: truncate(rule.description.trim() || rule.title, MAX_DESCRIPTION) },
    help: { text: ruleHelpText(rule), markdown: ruleHelpMarkdown(rule) },
    ...(ruleHelpUri(rule) ? { helpUri: ruleHelpUri(rule) } : {}),
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ruleTags(rule),
      // Verdicts are deterministic reads of configuration, not heuristics.
      precision: 'very-high',
      ...(securitySeverity ? { 'security-severity': securitySeverity } : {}),
    },
  };
}

/**
 * The rule of a rule's unevaluated results: a note without security-severity, so code scanning
 * shows it as a note, never with the severity of the control it could not check.
 */
function unevaluatedDescriptor(rule: RuleMeta) {
  const title = `Could not evaluate: ${rule.title.trim()}`;
  const why =
    `trailwarden could not read the facts that ${rule.id} needs, so it neither passed nor failed this resource. ` +
    'This is not a failure of the control: the alert closes by itself once a scan can read the facts and the control passes, and becomes a separate alert of ' +
    `${rule.id} if it fails.`;
  const how =
    'The result message names each API call that failed, with its account, region and error code. Grant an access denial to the scanning role ' +
    '(`trailwarden permissions` prints the least-privilege policy), or include the account that owns the resource in the scan, then scan again.';
  const original = ruleHelpUri(rule);
  return {
    id: unevaluatedRuleId(rule.id),
    name: truncate(`${pascalCase(rule.id)}CouldNotEvaluate`, MAX_NAME),
    shortDescription: { text: truncate(title, MAX_DESCRIPTION) },
    fullDescription: { text: truncate(why, MAX_DESCRIPTION) },
    help: {
      text: [title, why, how, `The control itself: ${rule.id} (${rule.source.file}:${rule.source.line}).`].join('\n\n'),
      markdown: [`**${inline(title)}**`, inline(why), how, `The control itself: ${original ? `[${codeSpan(rule.id)}](${original})` : codeSpan(rule.id)}`].join('\n\n'),
    },
    ...(original ? { helpUri: original } : {}),
    defaultConfiguration: { level: 'note' as const },
    properties: {
      // Not "security": an unevaluated check is not a security finding, and has no security-severity.
      tags: [...new Set(['cloudtrail', 'could-not-evaluate', ...(rule.id.includes('/') ? [rule.id.slice(0, rule.id.indexOf('/'))] : [])])],
      precision: 'very-high',
      evaluates: rule.id,
    },
  };
}

/** "security" first so code scanning treats the rule as a security rule; then product, group and framework controls. */
export function ruleTags(rule: RuleMeta): string[] {
  const group = rule.id.includes('/') ? rule.id.slice(0, rule.id.indexOf('/')) : undefined;
  const tags = ['security', 'cloudtrail', ...(group ? [group] : []), ...ruleControls(rule)];
  return [...new Set(tags)].slice(0, MAX_TAGS);
}

/** "coverage/multi-region-management-events" -> "CoverageMultiRegionManagementEvents" */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}

// ---------------------------------------------------------------------------------------------
// Locations
// ---------------------------------------------------------------------------------------------

/** One physical location per rule: its policy file at the line of its `id:`. */
function policyLocations(catalog: RuleCatalog, warn: (message: string) => void): Map<string, SarifLocation['physicalLocation']> {
  return new Map(
    catalog.rules.map((rule) => {
      if (isAbsolutePath(rule.source.file)) {
        warn(`SARIF: rule ${rule.id} comes from an absolute path (${rule.source.file}); code scanning needs a path relative to the repository root.`);
      }
      const line = Math.max(1, Math.trunc(rule.source.line) || 1);
      return [rule.id, { artifactLocation: { uri: artifactUri(rule.source.file) }, region: { startLine: line, endLine: line } }];
    }),
  );
}

function isAbsolutePath(file: string): boolean {
  return /^([a-z][a-z0-9+.-]*:|[\\/])/i.test(file);
}

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

export function findingFingerprint(finding: Finding, partition: string): string {
  // One identity for code scanning and for --baseline (results.ts).
  return findingIdentity(finding, partition);
}

/** The fingerprint of a finding's SARIF result: a failure's is the --baseline identity; an unevaluated one is keyed on its own rule id. */
export function resultFingerprint(finding: Finding, partition: string): string {
  return finding.status === 'error' ? findingIdentity({ ruleId: unevaluatedRuleId(finding.ruleId), resource: finding.resource }, partition) : findingFingerprint(finding, partition);
}

function rankOf(status: 'fail' | 'error', severity: Severity): number {
  // Every failure outranks every unverifiable check: a known problem before an unknown one.
  return status === 'fail' ? 10 + SEVERITY_RANK[severity] : SEVERITY_RANK[severity];
}

/** The result's text; the resource as a human reads it (an account by id and name, never `…:root`). */
function resultMessage(finding: Finding, names: ReadonlyMap<string, string | undefined>): string {
  const label = resourceLabel(finding.resource, names);
  if (finding.status === 'error') {
    const causes = [...new Set((finding.errors ?? []).map(describeCollectionError))];
    const cause = causes.length > 0 ? causes.join('; ') : withoutFinalPeriod(finding.message);
    return `Could not evaluate ${finding.ruleId} for ${label}: ${cause}.`;
  }
  const message = withoutFinalPeriod(finding.message);
  const named = finding.resource.type === 'account' ? message.includes(finding.resource.accountId) : message.includes(label);
  return `${named ? `${message}.` : `${message} (${label}).`}${fixSentence(finding)}`;
}

/** Longest command text a result message carries; the rest is in report.html and `properties.fix`. */
const MAX_MESSAGE_COMMANDS = 1_000;

/**
 * Code scanning shows a result's message text on the alert (not its properties, and not the
 * markdown): the finding's own commands follow the message, one after the other. Message text is
 * one line, so they are separated by "; then".
 */
function fixSentence(finding: Finding): string {
  const commands = finding.fix?.commands
    ?.split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (!commands?.length) return '';
  return ` To fix: ${truncate(commands.join('; then '), MAX_MESSAGE_COMMANDS)}`;
}

/**
 * The text of a SARIF message object: displayable, and with its braces doubled, since SARIF
 * reserves `{0}` for placeholders and represents a literal `{` or `}` as `{{` or `}}` (SARIF 2.1.0
 * §3.11.5). A fact value or policy text with braces in it then reads as written.
 */
function messageText(text: string): string {
  return displayText(text).replace(/[{}]/g, (brace) => brace + brace);
}

function withoutFinalPeriod(text: string): string {
  return text.trim().replace(/\.+$/, '');
}

function findingResult(finding: Finding, partition: string, rules: SarifRules, locations: Map<string, SarifLocation['physicalLocation']>, names: ReadonlyMap<string, string | undefined>): RankedResult {
  const status = finding.status === 'error' ? 'error' : 'fail';
  const { arn, accountId, region, type, name } = finding.resource;
  const rule = rules.resultRule(finding.ruleId, status);
  const hash = resultFingerprint(finding, partition);
  // Read once: an evaluated finding's fix is computed when read (results.ts deferFix).
  const fix = finding.fix;
  return {
    rank: rankOf(status, finding.severity),
    order: [finding.ruleId, accountId, region ?? '', arn],
    result: {
      ruleId: rule.id,
      ruleIndex: rule.index,
      ...(status === 'error' ? { kind: 'open' as const } : {}),
      level: status === 'error' ? 'note' : LEVEL[finding.severity],
      // Displayed text is neutralized; the fingerprint above and the properties keep the raw identity.
      message: { text: messageText(resultMessage(finding, names)) },
      locations: [
        {
          physicalLocation: finding.iac ? iacLocation(finding.iac) : locations.get(finding.ruleId)!,
          logicalLocations: [{ fullyQualifiedName: displayText(arn), ...(name ? { name: displayText(name) } : {}), kind: 'resource' }],
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: hash, primaryLocationLineHash: hash },
      // --baseline: SARIF 2.1.0 §3.27.24. Absent findings are not written as results (an upload
      // would open them as alerts); results.json and the reports list them.
      ...(finding.baselineState ? { baselineState: finding.baselineState } : {}),
      properties: {
        arn,
        accountId,
        ...(region ? { region } : {}),
        resourceType: type,
        severity: finding.severity,
        status: finding.status,
        ...(status === 'error' ? { evaluatedRule: finding.ruleId } : {}),
        ...(finding.frameworks.length > 0 ? { frameworks: finding.frameworks } : {}),
        // The finding's own fix (engine/fix.ts), raw for tools; the message carries the commands for people.
        ...(fix ? { fix } : {}),
      },
    },
  };
}

/**
 * --iac: the lines that define the resource in the user's repository, so the alert previews the
 * code to change. The fingerprint stays the resource's: moving the definition moves the alert.
 */
function iacLocation(iac: IacLocation): SarifLocation['physicalLocation'] {
  const region =
    iac.startLine === iac.endLine
      ? { startLine: iac.startLine, endLine: iac.endLine, startColumn: iac.startColumn, ...(iac.endColumn > iac.startColumn ? { endColumn: iac.endColumn } : {}) }
      : { startLine: iac.startLine, endLine: iac.endLine, startColumn: iac.startColumn };
  return { artifactLocation: { uri: artifactUri(iac.file) }, region };
}

/** One result per (rule, account, outcome), listing the resources. */
function aggregateResults(findings: readonly Finding[], partition: string, rules: SarifRules, locations: Map<string, SarifLocation['physicalLocation']>, names: ReadonlyMap<string, string | undefined>): RankedResult[] {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = [finding.ruleId, finding.resource.accountId, finding.status].join('\u0000');
    const group = groups.get(key);
    if (group) group.push(finding);
    else groups.set(key, [finding]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const { ruleId } = first;
    const { accountId } = first.resource;
    const status = first.status === 'error' ? 'error' : 'fail';
    const rule = rules.catalog.get(ruleId);
    const sarifRule = rules.resultRule(ruleId, status);
    const severity = group.reduce<Severity>((worst, finding) => (SEVERITY_RANK[finding.severity] > SEVERITY_RANK[worst] ? finding.severity : worst), first.severity);
    const resources = [...new Set(group.map((finding) => finding.resource.arn))].sort(compareText);
    const labels = new Map(group.map((finding) => [finding.resource.arn, resourceLabel(finding.resource, names)]));
    const kept = resources.slice(0, AGGREGATE_MAX_RESOURCES);
    const listed = resources
      .slice(0, AGGREGATE_MESSAGE_RESOURCES)
      .map((arn) => labels.get(arn)!)
      .join(', ');
    const more = resources.length > AGGREGATE_MESSAGE_RESOURCES ? ` and ${formatCount(resources.length - AGGREGATE_MESSAGE_RESOURCES)} more` : '';
    const subject = `${plural(resources.length, 'resource')} in account ${accountId}`;
    const text =
      status === 'error'
        ? `${subject} could not be evaluated for ${ruleId} (${aggregateCauses(group)}): ${listed}${more}.`
        : `${subject} ${resources.length === 1 ? 'fails' : 'fail'} ${ruleId} (${rule.title.trim()}): ${listed}${more}.`;
    // The error aggregate has its own identity through its own rule id: a (rule, account) can hold both failing and unverifiable resources.
    const hash = fingerprint(sarifRule.id, partition, accountId);
    const regions = [...new Set(group.flatMap((finding) => (finding.resource.region ? [finding.resource.region] : [])))].sort(compareText);
    return {
      rank: rankOf(status, severity),
      order: [ruleId, accountId, status],
      result: {
        ruleId: sarifRule.id,
        ruleIndex: sarifRule.index,
        ...(status === 'error' ? { kind: 'open' as const } : {}),
        level: status === 'error' ? 'note' : LEVEL[severity],
        message: { text: messageText(text) },
        locations: [
          {
            physicalLocation: locations.get(ruleId)!,
            logicalLocations: kept.slice(0, 100).map((arn) => ({ fullyQualifiedName: displayText(arn), kind: 'resource' as const })),
          },
        ],
        partialFingerprints: { [FINGERPRINT_KEY]: hash, primaryLocationLineHash: hash },
        properties: {
          accountId,
          regions,
          resourceType: first.resource.type,
          severity,
          status,
          ...(status === 'error' ? { evaluatedRule: ruleId } : {}),
          resourceCount: resources.length,
          resources: kept,
        },
      },
    };
  });
}

function aggregateCauses(group: readonly Finding[]): string {
  const causes = [...new Set(group.flatMap((finding) => (finding.errors ?? []).map((error) => `${error.action} ${error.code}`)))].sort(compareText);
  if (causes.length === 0) return 'facts could not be collected';
  return causes.length > 3 ? `${causes.slice(0, 3).join(', ')} and ${causes.length - 3} more` : causes.join(', ');
}

/** Two findings for the same rule and resource are one alert; keep the worse and say so. */
function withUniqueFingerprints(ranked: RankedResult[], warn: (message: string) => void): RankedResult[] {
  const byFingerprint = new Map<string, RankedResult>();
  for (const candidate of ranked) {
    const key = candidate.result.partialFingerprints[FINGERPRINT_KEY]!;
    const existing = byFingerprint.get(key);
    if (!existing || candidate.rank > existing.rank) byFingerprint.set(key, candidate);
  }
  const merged = ranked.length - byFingerprint.size;
  if (merged > 0) warn(`SARIF: ${plural(merged, 'finding')} repeated the rule and resource of another and ${merged === 1 ? 'was' : 'were'} merged into one alert.`);
  return [...byFingerprint.values()];
}

function compareOrder(a: readonly string[], b: readonly string[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const difference = compareText(a[index] ?? '', b[index] ?? '');
    if (difference !== 0) return difference;
  }
  return 0;
}
