/**
 * report.html (SPEC §6): one self-contained page. The summary (counts, charts, region coverage,
 * account × rule matrix, collection errors, rule catalogue) is rendered here through Handlebars,
 * which escapes every value. Findings travel as JSON inside a non-executable script element and
 * are rendered a page at a time by reports/report.js with textContent, so tens of thousands of
 * findings cost one JSON.parse rather than a DOM node each.
 *
 * The page loads nothing: its Content-Security-Policy allows only its own style and script, by
 * hashes computed from the rendered page itself, and images from data: URIs.
 *
 * The stylesheet is a Handlebars partial holding one <style> element rather than a .css file,
 * because Vitest replaces every .css import with an empty string, `?raw` included.
 */
import { displayData, displayText } from './text-safety.js';
import { createHash } from 'node:crypto';
import { UNKNOWN_BEFORE_APPLY } from '../snapshot/not-offered.js';
import reportScript from '../../reports/report.js?raw';
import reportStyles from '../../reports/report-styles.hbs?raw';
import reportTemplate from '../../reports/report.html.hbs?raw';
import { SEVERITIES, SEVERITY_RANK, STATUSES, isNewFailure, isRunId, type Finding, type FindingFix, type IacDefinitionRef, type ResourceRef, type Results, type Severity, type Status } from '../results.js';
import type { ReportContext, ReportGate, Reporter } from './context.js';
import { REPORT_FILE_NAMES } from './formats.js';
import {
  accountsLabel,
  buildMatrix,
  catalogRules,
  cellState,
  controlRows,
  compareFindings,
  compareText,
  formatCount,
  frameworkKey,
  groupCollectionErrors,
  passingPercent,
  GLOBAL_REGION,
  isAccessDenial,
  isKnownAfterApply,
  plural,
  regionOf,
  resourceLabel,
  ruleControls,
  ruleHelpUri,
  SEVERITY_LABEL,
  sinceLastRun,
  STATUS_LABEL,
  tallyBy,
  tallyFindings,
  type AccountRuleMatrix,
  type CellState,
  type ControlRow,
  type RuleCatalog,
  type Tally,
} from './model.js';
import { lazyTemplate, trusted, type TrustedText } from './templates.js';

/** Accounts and rules shown in the matrix; the findings explorer below covers the rest. */
export const MATRIX_MAX_ACCOUNTS = 50;
const MATRIX_MAX_RULES = 40;
const MAX_ERROR_GROUPS = 200;
const LISTED_ERROR_ACCOUNTS = 6;
/** Rules listed under "Fix first" at the top of the page; the rest are in the rules and findings below. */
export const TOP_FAILURES = 6;

/** Field order of one finding in the payload; the client reads it from `fields`, never by position alone. */
export const FINDING_FIELDS = ['rule', 'status', 'severity', 'account', 'region', 'type', 'arn', 'name', 'message', 'controls', 'evidence', 'errors', 'suppression', 'fix'] as const;

type Tone = Status | 'suppressed';

interface Segment {
  tone: Tone;
  x: string;
  width: string;
}

interface HtmlView {
  /** Whether the first screen has a left column (the verdict, the incomplete-scan alert). */
  leadColumn: boolean;
  gate: { tone: 'pass' | 'fail' | 'error'; verdict: string; headline: string; threshold: string; note: string | null } | null;
  topFailures: {
    rows: { index: number; id: string; title: string; severity: Severity; severityLabel: string; failing: string; accounts: string; gated: boolean }[];
    more: string | null;
  };
  since: {
    headline: string;
    detail: string;
    scopeNote: string | null;
    rows: { kind: 'new' | 'fixed' | 'removed'; change: string; severity: string; ruleId: string; arn: string; detail: string }[];
    more: string | null;
  } | null;
  title: string;
  csp: string;
  script: TrustedText;
  payload: TrustedText;
  header: { organization: string | null; partition: string; scanTime: string; snapshotTime: string; version: string; pack: string | null; accounts: string; regions: string; rules: string; omitted: string | null; incomplete: string | null };
  kpis: { label: string; value: string; tone: Tone; hint: string }[];
  donut: { segments: { tone: Tone; dash: string; offset: string }[]; center: string; caption: string; legend: { tone: Tone; label: string; value: string }[] };
  severityRows: { severity: Severity; label: string; total: string; segments: Segment[]; counts: { tone: Tone; value: string }[] }[];
  regionRows: { region: string; segments: Segment[]; fail: string; error: string; pass: string; notApplicable: string; passRate: string }[];
  matrix: {
    empty: boolean;
    rules: { index: number; id: string; title: string; severity: Severity; severityLabel: string }[];
    accounts: { index: number; id: string; name: string | null; fail: string; error: string; cells: { state: CellState; text: string; title: string; rule: number }[] }[];
    note: string | null;
  };
  errors: { groups: { action: string; code: string; count: string; accounts: string[]; moreAccounts: string | null; regions: string[]; moreRegions: string | null; message: string | null; grant: boolean; afterApply: boolean }[]; total: string; note: string | null; afterApply: boolean };
  expired: { ruleId: string; resource: string; reason: string; expires: string }[];
  iac: {
    summary: string;
    unmatched: { address: string; location: string; name: string | null; tool: string }[];
    ambiguous: { arn: string; name: string | null; definitions: { address: string; location: string }[] }[];
    diagnostics: string[];
  } | null;
  integrity: {
    window: string;
    totals: string;
    trails: { name: string; arn: string; chains: string; verified: string; broken: string; unreadable: string; explainedGaps: string; state: 'pass' | 'fail' | 'error'; emptyText: string; brokenChains: { chain: string; key: string; reason: string; more: string | null }[] }[];
  } | null;
  rules: {
    index: number;
    anchor: string;
    id: string;
    title: string;
    severity: Severity;
    severityLabel: string;
    scope: string;
    description: string;
    console: string | null;
    cli: string | null;
    controls: string[];
    source: string;
    helpUri: string | null;
    fail: number;
    error: number;
    pass: number;
    notApplicable: number;
    suppressed: number;
    state: CellState;
  }[];
  controls: { title: string; accounts: string; rows: ControlRow[] } | null;
  generated: string;
}

const template = lazyTemplate<HtmlView>(reportTemplate, { partials: { styles: reportStyles } });

/**
 * Findings listed row by row in the report. Past it (hundreds of thousands of findings, more than a
 * browser can page through or one string can hold) passing and not-applicable rows are left out of
 * the detail table; every count, chart and matrix cell still covers all findings.
 */
export const HTML_MAX_DETAIL_ROWS = 100_000;

function detailRows(findings: readonly Finding[]): { rows: readonly Finding[]; omitted: number } {
  if (findings.length <= HTML_MAX_DETAIL_ROWS) return { rows: findings, omitted: 0 };
  const actionable = findings.filter((f) => f.status === 'fail' || f.status === 'error');
  const room = Math.max(0, HTML_MAX_DETAIL_ROWS - actionable.length);
  const rest = findings.filter((f) => f.status !== 'fail' && f.status !== 'error').slice(0, room);
  const rows = [...actionable, ...rest].sort(compareFindings);
  return { rows, omitted: findings.length - rows.length };
}

export function renderHtml(results: Results, ctx: Pick<ReportContext, 'gate'> = {}): string {
  const catalog = catalogRules(results);
  const findings = [...results.findings].sort(compareFindings);
  const tally = tallyFindings(findings);
  const matrix = buildMatrix(results, catalog);
  const detail = detailRows(findings);
  const payload = buildPayload(results, catalog, detail.rows);
  const view: HtmlView = {
    leadColumn: ctx.gate !== undefined || results.incomplete !== undefined,
    gate: ctx.gate ? gateView(findings, ctx.gate, tally) : null,
    topFailures: topFailuresView(findings, catalog, ctx.gate),
    since: sinceView(results),
    title: `CloudTrail compliance report${results.organizationId ? ` — ${results.organizationId}` : ''}`,
    csp: CSP_PLACEHOLDER,
    script: trusted(reportScript),
    payload: trusted(jsonForScript(payload)),
    header: {
      organization: results.organizationId ?? null,
      partition: results.partition,
      scanTime: results.scanTime,
      snapshotTime: results.snapshotTime,
      version: results.tool.version,
      pack: results.pack ?? null,
      accounts: accountsLabel(results),
      regions: plural(results.regions.length, 'region'),
      rules: plural(catalog.rules.length, 'rule'),
      incomplete: results.incomplete?.summary ?? null,
      omitted: detail.omitted ? `${detail.omitted.toLocaleString('en-US')} passing or not-applicable findings are counted above but not listed row by row; results.json has every finding.` : null,
    },
    kpis: kpis(tally),
    donut: donut(tally),
    severityRows: severityRows(tally),
    regionRows: regionRows(findings),
    matrix: matrixView(matrix, catalog, payload.accounts),
    errors: errorsView(results),
    expired: (results.expiredSuppressions ?? []).map((entry) => ({ ...entry })),
    iac: iacView(results),
    integrity: integrityView(results),
    rules: rulesView(findings, catalog),
    controls: results.controls ? { title: results.controls.title, accounts: plural(results.controls.accounts, 'account'), rows: controlRows(results) } : null,
    generated: `trailwarden ${results.tool.version}`,
  };
  const html = withContentSecurityPolicy(template(view));
  // The run id (a UUID, checked) marks which run this report belongs to; see Results.runId.
  return isRunId(results.runId) ? html.replace('<meta charset="utf-8">', () => `<meta charset="utf-8">\n<meta name="trailwarden-run-id" content="${results.runId}">`) : html;
}

/** Rows of the "since the last run" table: new failures first, then fixed, then gone with their resource. */
const SINCE_ROWS = 500;

function sinceView(results: Results): HtmlView['since'] {
  const since = sinceLastRun(results);
  if (!since) return null;
  const names = new Map(results.accounts.map((account) => [account.id, account.name]));
  const rows: NonNullable<HtmlView['since']>['rows'] = [
    ...since.newFailures.map((f) => ({ kind: 'new' as const, change: 'New failure', severity: SEVERITY_LABEL[f.severity], ruleId: f.ruleId, arn: resourceText(f.resource, names), detail: displayText(f.baselineStatus ? `was ${f.baselineStatus}; ${f.message}` : f.message) })),
    ...since.fixed.map((a) => ({ kind: 'fixed' as const, change: 'Fixed', severity: SEVERITY_LABEL[a.severity], ruleId: a.ruleId, arn: resourceText(a.resource, names), detail: displayText(`was ${a.status}: ${a.message}`) })),
    ...since.removed.map((a) => ({ kind: 'removed' as const, change: 'Resource removed', severity: SEVERITY_LABEL[a.severity], ruleId: a.ruleId, arn: resourceText(a.resource, names), detail: displayText(`was ${a.status}: ${a.message}`) })),
  ];
  return {
    headline: since.headline,
    detail: since.detail,
    scopeNote: since.scopeNote ? displayText(since.scopeNote) : null,
    rows: rows.slice(0, SINCE_ROWS),
    more: rows.length > SINCE_ROWS ? `${(rows.length - SINCE_ROWS).toLocaleString('en-US')} more changes are listed in results.json.` : null,
  };
}

/** IaC lists shown in full up to this many rows; results.json has every one. */
const IAC_ROWS = 200;

/** --iac: what was read, definitions that match no scanned resource, resources defined more than once. */
function iacView(results: Results): HtmlView['iac'] {
  const iac = results.iac;
  if (iac === undefined) return null;
  const where = (d: IacDefinitionRef) => displayText(`${d.file}:${d.startLine}`);
  return {
    summary: `${plural(iac.definitions, 'definition')} read from ${plural(iac.files, 'file')} (${iac.paths.map(displayText).join(', ')}); ${plural(iac.locatedFindings, 'finding')} located in the code, ${formatCount(iac.unmatched.length)} unmatched, ${formatCount(iac.ambiguous.length)} ambiguous.`,
    unmatched: iac.unmatched.slice(0, IAC_ROWS).map((d) => ({ address: displayText(d.address), location: where(d), name: d.name === undefined ? null : displayText(d.name), tool: d.tool })),
    ambiguous: iac.ambiguous.slice(0, IAC_ROWS).map((a) => ({
      arn: displayText(a.resource.arn),
      name: a.resource.name === undefined ? null : displayText(a.resource.name),
      definitions: a.definitions.map((d) => ({ address: displayText(d.address), location: where(d) })),
    })),
    diagnostics: iac.diagnostics.slice(0, IAC_ROWS).map((d) => displayText(`${d.file}:${d.line}:${d.column} ${d.message}`)),
  };
}

/** "path/main.tf:12-14 · aws_cloudtrail.this" beside a finding's ARN. */
function iacText(finding: Finding): string | null {
  const iac = finding.iac;
  if (!iac) return null;
  const lines = iac.endLine > iac.startLine ? `${iac.startLine}-${iac.endLine}` : String(iac.startLine);
  return displayText(`${iac.file}:${lines} · ${iac.address}${iac.attribute !== undefined ? `.${iac.attribute}` : ''}`);
}

/** --verify-integrity: per trail, chains verified, broken and unreadable, with each broken chain's first broken S3 key. */
function integrityView(results: Results): HtmlView['integrity'] {
  const integrity = results.integrity;
  if (integrity === undefined) return null;
  const sum = (key: 'chains' | 'verified' | 'broken' | 'unreadable') => integrity.trails.reduce((total, trail) => total + trail[key], 0);
  return {
    window: `${integrity.windowStart} → ${integrity.windowEnd} (${integrity.windowHours}h)${integrity.files ? ', log files hashed' : ''}; ${formatCount(integrity.objectsRead)} objects, ${(integrity.bytesRead / 1_048_576).toFixed(1)} MiB read`,
    totals: `${plural(sum('chains'), 'chain')}: ${formatCount(sum('verified'))} verified, ${formatCount(sum('broken'))} broken, ${formatCount(sum('unreadable'))} unreadable`,
    trails: integrity.trails.map((trail) => ({
      name: trail.trailName,
      arn: trail.trailArn,
      chains: formatCount(trail.chains),
      verified: formatCount(trail.verified),
      broken: formatCount(trail.broken),
      unreadable: formatCount(trail.unreadable),
      explainedGaps: formatCount(trail.explainedGaps),
      state: trail.broken > 0 ? 'fail' : trail.unreadable > 0 ? 'error' : 'pass',
      emptyText: trail.unreadable > 0 ? 'could not be read: see Collection errors' : '—',
      brokenChains: trail.brokenChains.map((chain) => ({ chain: chain.chain, key: chain.firstBrokenKey, reason: chain.reason, more: chain.problems > 1 ? `+${chain.problems - 1} more` : null })),
    })),
  };
}

/**
 * A finding's fix as report.js shows it: one entry per command (a code block each), the Terraform
 * snippet's lines, the collection steps. Each line is display text (controls made visible), so the
 * page never needs to keep a line break inside a value.
 */
function fixView(fix: FindingFix): { commands?: string[]; terraform?: string[]; collect?: string[] } {
  const lines = (text: string) => text.split(/\r?\n/).map(displayText);
  return {
    ...(fix.commands ? { commands: lines(fix.commands).filter((line) => line.trim() !== '') } : {}),
    ...(fix.terraform ? { terraform: lines(fix.terraform) } : {}),
    ...(fix.collect ? { collect: fix.collect.map(displayText) } : {}),
  };
}

export const htmlReporter: Reporter = { fileName: REPORT_FILE_NAMES.html, render: (results, ctx) => renderHtml(results, ctx) };

/**
 * How a resource is shown. An account's ARN ends in `:root`, which reads as the root user: an
 * account is shown as "account 123456789012 (name)" instead.
 */
export function resourceText(resource: ResourceRef, accountNames: ReadonlyMap<string, string | undefined>): string {
  return displayText(resourceLabel(resource, accountNames));
}

// ---------------------------------------------------------------------------------------------
// What to fix first: the gate's verdict and the most severe failing rules
// ---------------------------------------------------------------------------------------------

function atOrAbove(severity: Severity, failOn: ReportGate['failOn']): boolean {
  return failOn !== 'none' && SEVERITY_RANK[severity] >= SEVERITY_RANK[failOn];
}

function gateView(findings: readonly Finding[], gate: ReportGate, tally: Tally): NonNullable<HtmlView['gate']> {
  const live = findings.filter((finding) => !finding.suppression);
  const gating = live.filter((finding) => finding.status === 'fail' && atOrAbove(finding.severity, gate.failOn) && (!gate.newOnly || isNewFailure(finding)));
  const level = gate.failOn === 'none' ? null : SEVERITY_LABEL[gate.failOn];
  const threshold = `--fail-on ${gate.failOn}${gate.newOnly ? ' --fail-on-new' : ''} · exit code ${gate.exitCode}`;
  const unevaluated = live.filter((finding) => finding.status === 'error').length;
  const newly = gate.newOnly ? ' new since the baseline' : '';
  switch (gate.exitCode) {
    case 1:
      return { tone: 'fail', verdict: 'Failed', headline: `${plural(gating.length, 'failing finding')}${newly} at ${level ?? 'any'} severity or above`, threshold, note: null };
    case 3:
      return {
        tone: 'error',
        verdict: 'Incomplete',
        headline: level ? `Nothing${newly} fails at ${level} or above, but the scan is incomplete: ${plural(unevaluated, 'finding')} could not be evaluated` : `Findings do not gate this run, but the scan is incomplete: ${plural(unevaluated, 'finding')} could not be evaluated`,
        threshold,
        note: null,
      };
    case 0:
      return {
        tone: 'pass',
        verdict: 'Passed',
        headline: level ? `No failing finding${newly} at ${level} or above` : 'Findings do not gate this run',
        threshold,
        note: tally.byStatus.fail > 0 ? `${plural(tally.byStatus.fail, 'finding')} below the threshold still fail${tally.byStatus.fail === 1 ? 's' : ''}: see below.` : null,
      };
  }
}

function topFailuresView(findings: readonly Finding[], catalog: RuleCatalog, gate: ReportGate | undefined): HtmlView['topFailures'] {
  const byRule = new Map<string, { count: number; accounts: Set<string>; gating: boolean }>();
  for (const finding of findings) {
    if (finding.status !== 'fail' || finding.suppression) continue;
    let entry = byRule.get(finding.ruleId);
    if (!entry) byRule.set(finding.ruleId, (entry = { count: 0, accounts: new Set(), gating: false }));
    entry.count += 1;
    entry.accounts.add(finding.resource.accountId);
    // With --fail-on-new only the failures new since the baseline fail the gate.
    if (gate && atOrAbove(finding.severity, gate.failOn) && (!gate.newOnly || isNewFailure(finding))) entry.gating = true;
  }
  const ranked = [...byRule]
    .map(([ruleId, entry]) => ({ rule: catalog.get(ruleId), ...entry }))
    .sort((a, b) => SEVERITY_RANK[b.rule.severity] - SEVERITY_RANK[a.rule.severity] || b.count - a.count || b.accounts.size - a.accounts.size || compareText(a.rule.id, b.rule.id));
  return {
    rows: ranked.slice(0, TOP_FAILURES).map(({ rule, count, accounts, gating }) => ({
      index: catalog.indexOf(rule.id),
      id: rule.id,
      title: rule.title,
      severity: rule.severity,
      severityLabel: SEVERITY_LABEL[rule.severity],
      failing: plural(count, 'resource'),
      accounts: plural(accounts.size, 'account'),
      gated: gating,
    })),
    more: ranked.length > TOP_FAILURES ? `${plural(ranked.length - TOP_FAILURES, 'more failing rule')}: see Rules and Findings below.` : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Security: CSP and the JSON payload
// ---------------------------------------------------------------------------------------------

const CSP_PLACEHOLDER = 'trailwarden-content-security-policy';

function sha256Source(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The text between the first `open` and the next `close` after it, searching from the start or the end. */
function elementText(html: string, open: string, close: string, from: 'first' | 'last'): string {
  const start = from === 'first' ? html.indexOf(open) : html.lastIndexOf(open);
  const end = html.indexOf(close, start);
  if (start < 0 || end < 0) throw new Error(`report.html has no ${open} element`);
  return html.slice(start + open.length, end);
}

/**
 * Only the report's own style and script run; nothing is fetched, nothing is submitted. The
 * hashes come from the rendered page, so they match whatever the template made of its assets.
 * Data cannot contain "<style>" or "<script>": the template escapes `<` and so does the payload.
 */
function withContentSecurityPolicy(html: string): string {
  const policy = [
    "default-src 'none'",
    `style-src ${sha256Source(elementText(html, '<style>', '</style>', 'first'))}`,
    `script-src ${sha256Source(elementText(html, '<script>', '</script>', 'last'))}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return html.replace(CSP_PLACEHOLDER, () => policy);
}

/**
 * JSON that cannot end its script element or start markup inside it: `<`, `>` and `&` become
 * \u escapes (so no `</script>` or `<!--`), as do U+2028/2029 for older parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

interface PayloadAccount {
  id: string;
  name: string | null;
}

function buildPayload(results: Results, catalog: RuleCatalog, findings: readonly Finding[]) {
  const accountIds = new Set([...results.accounts.map((account) => account.id), ...findings.map((finding) => finding.resource.accountId)]);
  const names = new Map(results.accounts.map((account) => [account.id, account.name]));
  const accounts: PayloadAccount[] = [...accountIds].sort(compareText).map((id) => {
    const name = names.get(id);
    return { id, name: name === undefined ? null : displayText(name) };
  });
  const accountIndex = new Map(accounts.map((account, index) => [account.id, index]));
  const regions = [...new Set([...results.regions, ...findings.map(regionOf)])].sort(compareText);
  const regionIndex = new Map(regions.map((region, index) => [region, index]));
  // Most findings of a rule carry the same controls: intern each distinct list once.
  const controlSets: string[][] = [];
  const controlSetIndex = new Map<string, number>();
  const internControls = (controls: readonly string[]) => {
    const key = controls.join('\u0000');
    let index = controlSetIndex.get(key);
    if (index === undefined) {
      index = controlSets.push([...controls]) - 1;
      controlSetIndex.set(key, index);
    }
    return index;
  };
  const frameworks = new Set<string>();
  for (const rule of catalog.rules) for (const control of ruleControls(rule)) frameworks.add(frameworkKey(control));
  const rows = findings.map((finding) => {
    for (const control of finding.frameworks) frameworks.add(frameworkKey(control));
    // Read once: an evaluated finding's fix is computed when read (results.ts deferFix).
    const fix = finding.fix;
    const row: Record<(typeof FINDING_FIELDS)[number], unknown> = {
      rule: catalog.indexOf(finding.ruleId),
      status: finding.status,
      severity: finding.severity,
      account: accountIndex.get(finding.resource.accountId),
      region: regionIndex.get(regionOf(finding)),
      type: finding.resource.type,
      // The real ARN, for search and the CSV export; report.js shows an account as "account ID (name)".
      arn: displayText(finding.resource.arn),
      name: finding.resource.name === undefined ? null : displayText(finding.resource.name),
      message: displayText(finding.message),
      controls: internControls(finding.frameworks),
      evidence: displayData(finding.evidence),
      errors: finding.errors === undefined ? null : displayData(finding.errors),
      suppression: finding.suppression === undefined ? null : displayData(finding.suppression),
      // The finding's own commands (engine/fix.ts pastes only values AWS names are made of), shown as text, one block per command.
      fix: fix === undefined ? null : fixView(fix),
    };
    const values = FINDING_FIELDS.map((field) => row[field]);
    return results.iac ? [...values, iacText(finding)] : values;
  });
  return {
    fields: results.iac ? [...FINDING_FIELDS, 'iac'] : FINDING_FIELDS,
    statuses: STATUSES,
    severities: SEVERITIES,
    statusLabels: STATUS_LABEL,
    severityLabels: SEVERITY_LABEL,
    rules: catalog.rules.map((rule) => ({
      id: rule.id,
      title: rule.title,
      severity: rule.severity,
      scope: rule.scope,
      console: rule.remediation.console ?? null,
      cli: rule.remediation.cli ?? null,
    })),
    accounts,
    regions,
    globalRegion: GLOBAL_REGION,
    frameworks: [...frameworks].sort(compareText),
    controlSets,
    findings: rows,
  };
}

// ---------------------------------------------------------------------------------------------
// Summary view
// ---------------------------------------------------------------------------------------------

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : (part / whole) * 100;
}

/** SVG coordinates with two decimals: precise enough to draw, short enough to keep the page small. */
function coordinate(value: number): string {
  return (Math.round(value * 100) / 100).toString();
}

/** model.ts passingPercent: could-not-evaluate findings count against the rate, n/a ones do not. */
function passRate(tally: Tally): string {
  const rate = passingPercent(tally);
  return rate === undefined ? '–' : `${rate}%`;
}

function kpis(tally: Tally): HtmlView['kpis'] {
  const failing = tally.byStatus.fail;
  const severe = tally.bySeverity.critical.fail + tally.bySeverity.high.fail;
  return [
    { label: 'Failing', value: formatCount(failing), tone: 'fail', hint: `${formatCount(severe)} critical or high` },
    { label: 'Could not evaluate', value: formatCount(tally.byStatus.error), tone: 'error', hint: 'facts missing: permissions or API errors' },
    { label: 'Passing', value: formatCount(tally.byStatus.pass), tone: 'pass', hint: `${passRate(tally)} of checks, counting those not evaluated` },
    { label: 'Not applicable', value: formatCount(tally.byStatus.not_applicable), tone: 'not_applicable', hint: 'regions not opted in, rules that do not apply' },
    { label: 'Suppressed', value: formatCount(tally.suppressed), tone: 'suppressed', hint: 'accepted by configuration' },
  ];
}

const DONUT_TONES: readonly Tone[] = ['fail', 'error', 'pass', 'not_applicable', 'suppressed'];

function toneCount(tally: Tally, tone: Tone): number {
  return tone === 'suppressed' ? tally.suppressed : tally.byStatus[tone];
}

function toneLabel(tone: Tone): string {
  return tone === 'suppressed' ? 'Suppressed' : STATUS_LABEL[tone];
}

/** A ring whose circumference is 100 units, so each segment's dash length is its percentage. */
function donut(tally: Tally): HtmlView['donut'] {
  let start = 0;
  const segments: HtmlView['donut']['segments'] = [];
  for (const tone of DONUT_TONES) {
    const share = percent(toneCount(tally, tone), tally.total);
    if (share <= 0) continue;
    // Dash offsets run backwards from the 12 o'clock position (25 units before the 3 o'clock start).
    segments.push({ tone, dash: `${coordinate(share)} ${coordinate(100 - share)}`, offset: coordinate(25 - start) });
    start += share;
  }
  return {
    segments,
    center: passRate(tally),
    caption: 'passing',
    legend: DONUT_TONES.map((tone) => ({ tone, label: toneLabel(tone), value: formatCount(toneCount(tally, tone)) })),
  };
}

const BAR_TONES: readonly Status[] = ['fail', 'error', 'pass', 'not_applicable'];

function stackedSegments(counts: Record<Status, number>, scale: number): Segment[] {
  let x = 0;
  const segments: Segment[] = [];
  for (const tone of BAR_TONES) {
    const width = percent(counts[tone], scale);
    if (width <= 0) continue;
    segments.push({ tone, x: coordinate(x), width: coordinate(width) });
    x += width;
  }
  return segments;
}

function severityRows(tally: Tally): HtmlView['severityRows'] {
  const totals = SEVERITIES.map((severity) => BAR_TONES.reduce((sum, tone) => sum + tally.bySeverity[severity][tone], 0));
  const scale = Math.max(1, ...totals);
  return SEVERITIES.map((severity, index) => ({
    severity,
    label: SEVERITY_LABEL[severity],
    total: formatCount(totals[index] ?? 0),
    segments: stackedSegments(tally.bySeverity[severity], scale),
    counts: BAR_TONES.map((tone) => ({ tone, value: formatCount(tally.bySeverity[severity][tone]) })),
  }));
}

function regionRows(findings: readonly Finding[]): HtmlView['regionRows'] {
  const byRegion = tallyBy(findings, regionOf);
  return [...byRegion]
    .sort(([a], [b]) => Number(a === GLOBAL_REGION) - Number(b === GLOBAL_REGION) || compareText(a, b))
    .map(([region, tally]) => {
      const counted = BAR_TONES.reduce((sum, tone) => sum + tally.byStatus[tone], 0);
      return {
        region,
        segments: stackedSegments(tally.byStatus, Math.max(1, counted)),
        fail: formatCount(tally.byStatus.fail),
        error: formatCount(tally.byStatus.error),
        pass: formatCount(tally.byStatus.pass),
        notApplicable: formatCount(tally.byStatus.not_applicable),
        passRate: passRate(tally),
      };
    });
}

function cellText(state: CellState, tally: Tally | undefined): string {
  if (!tally) return '';
  switch (state) {
    case 'fail':
      return formatCount(tally.byStatus.fail);
    case 'error':
      return '?';
    case 'pass':
      return '✓';
    case 'not_applicable':
      return '–';
    case 'suppressed':
      return 's';
    case 'none':
      return '';
  }
}

function cellTitle(accountLabel: string, ruleId: string, tally: Tally | undefined): string {
  if (!tally) return `${accountLabel} · ${ruleId}: no findings`;
  const parts = STATUSES.filter((status) => tally.byStatus[status] > 0).map((status) => `${formatCount(tally.byStatus[status])} ${STATUS_LABEL[status].toLowerCase()}`);
  if (tally.suppressed > 0) parts.push(`${formatCount(tally.suppressed)} suppressed`);
  return `${accountLabel} · ${ruleId}: ${parts.join(', ')}`;
}

function matrixView(matrix: AccountRuleMatrix, catalog: RuleCatalog, accounts: readonly PayloadAccount[]): HtmlView['matrix'] {
  const accountIndex = new Map(accounts.map((account, index) => [account.id, index]));
  // Every rule with a failure is a column, however many; the most severe others fill the room left.
  let room = Math.max(0, MATRIX_MAX_RULES - matrix.rules.filter(({ tally }) => tally.byStatus.fail > 0).length);
  const rules = matrix.rules.filter(({ tally }) => tally.byStatus.fail > 0 || room-- > 0);
  const shownAccounts = matrix.accounts.slice(0, MATRIX_MAX_ACCOUNTS);
  const hidden: string[] = [];
  if (matrix.accounts.length > shownAccounts.length) hidden.push(`the ${formatCount(shownAccounts.length)} accounts with the most failures of ${formatCount(matrix.accounts.length)}`);
  if (matrix.rules.length > rules.length) hidden.push(`every rule with failures and the most severe others, ${formatCount(rules.length)} rules of ${formatCount(matrix.rules.length)}`);
  return {
    empty: rules.length === 0 || shownAccounts.length === 0,
    rules: rules.map(({ rule }) => ({
      index: catalog.indexOf(rule.id),
      id: rule.id,
      title: rule.title,
      severity: rule.severity,
      severityLabel: SEVERITY_LABEL[rule.severity].toLowerCase(),
    })),
    accounts: shownAccounts.map((account) => {
      const label = account.name ? `${account.name} (${account.id})` : account.id;
      return {
        index: accountIndex.get(account.id) ?? -1,
        id: account.id,
        name: account.name === undefined ? null : displayText(account.name),
        fail: formatCount(account.tally.byStatus.fail),
        error: formatCount(account.tally.byStatus.error),
        cells: rules.map(({ rule }) => {
          const tally = matrix.cell(account.id, rule.id);
          const state = cellState(tally);
          return { state, text: cellText(state, tally), title: cellTitle(label, rule.id, tally), rule: catalog.indexOf(rule.id) };
        }),
      };
    }),
    note: hidden.length > 0 ? `Showing ${hidden.join(' and ')}. Use the filters below for the rest.` : null,
  };
}

function errorsView(results: Results): HtmlView['errors'] {
  const groups = groupCollectionErrors(results.collectionErrors);
  return {
    groups: groups.slice(0, MAX_ERROR_GROUPS).map((group) => ({
      action: group.action,
      code: group.code,
      count: formatCount(group.count),
      accounts: group.accounts.slice(0, LISTED_ERROR_ACCOUNTS),
      moreAccounts: group.accounts.length > LISTED_ERROR_ACCOUNTS ? `and ${formatCount(group.accounts.length - LISTED_ERROR_ACCOUNTS)} more` : group.accounts.length === 0 ? '—' : null,
      regions: group.regions.slice(0, LISTED_ERROR_ACCOUNTS),
      moreRegions: group.regions.length > LISTED_ERROR_ACCOUNTS ? `and ${formatCount(group.regions.length - LISTED_ERROR_ACCOUNTS)} more` : group.regions.length === 0 ? '—' : null,
      message: group.message === undefined ? null : displayText(group.message),
      grant: isAccessDenial(group.code),
      afterApply: group.code === UNKNOWN_BEFORE_APPLY,
    })),
    total: formatCount(results.collectionErrors.length),
    // --plan / --template: values the plan computes when it applies are not collection failures.
    afterApply: results.collectionErrors.some(isKnownAfterApply),
    note: groups.length > MAX_ERROR_GROUPS ? `Showing the ${formatCount(MAX_ERROR_GROUPS)} most frequent of ${formatCount(groups.length)} kinds of error; results.json lists every one.` : null,
  };
}

/** Rules most severe first, and within a severity those failing most first, so the list reads as a to-do list. */
function rulesView(findings: readonly Finding[], catalog: RuleCatalog): HtmlView['rules'] {
  const byRule = tallyBy(findings, (finding) => finding.ruleId);
  const views = catalog.rules.map((rule, index) => {
    const tally = byRule.get(rule.id) ?? tallyFindings([]);
    return {
      index,
      anchor: `rule-${index}`,
      id: rule.id,
      title: rule.title,
      severity: rule.severity,
      severityLabel: SEVERITY_LABEL[rule.severity],
      scope: rule.scope,
      description: rule.description.trim(),
      console: rule.remediation.console?.trim() ?? null,
      cli: rule.remediation.cli?.trim() ?? null,
      controls: ruleControls(rule),
      source: `${rule.source.file}:${rule.source.line}`,
      helpUri: ruleHelpUri(rule) ?? null,
      fail: tally.byStatus.fail,
      error: tally.byStatus.error,
      pass: tally.byStatus.pass,
      notApplicable: tally.byStatus.not_applicable,
      suppressed: tally.suppressed,
      state: byRule.has(rule.id) ? cellState(tally) : 'none',
    };
  });
  return views.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.fail - a.fail || b.error - a.error || a.index - b.index);
}
