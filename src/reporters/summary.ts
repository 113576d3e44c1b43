/**
 * summary.md: GitHub-flavoured markdown for the Action's job summary (SPEC §7) — verdict,
 * severity table, a bounded account × rule matrix, top failures with remediation links and the
 * permissions that were missing. GitHub refuses job summaries over 1 MiB, so every list is
 * bounded, every AWS string is shortened, and a final guard cuts the text with a note.
 */
import summaryTemplate from '../../reports/summary.md.hbs?raw';
import { SEVERITIES, SEVERITY_RANK, isRunId, type Finding, type Results, type RuleMeta } from '../results.js';
import type { Reporter } from './context.js';
import { REPORT_FILE_NAMES } from './formats.js';
import { codeBlock, codeSpan, inline, type Markdown } from './markdown.js';
import { displayText } from './text-safety.js';
import {
  accountsLabel,
  passingShare,
  buildMatrix,
  controlRows,
  catalogRules,
  describeAfterApply,
  cellState,
  compareText,
  formatCount,
  groupCollectionErrors,
  isAccessDenial,
  plural,
  accountNames,
  resourceLabel,
  ruleHelpUri,
  SEVERITY_LABEL,
  sinceLastRun,
  splitCollectionErrors,
  tallyFindings,
  truncate,
  type CellState,
  type Tally,
} from './model.js';
import { lazyTemplate } from './templates.js';

interface SummaryLimits {
  maxBytes: number;
  matrixAccounts: number;
  matrixRules: number;
  topFailures: number;
  errorGroups: number;
  expiredSuppressions: number;
  /** Top failing rules whose first failure's commands are shown. */
  fixes: number;
  /** Longest command line shown (a longer one is cut, which report.html shows whole). */
  commandLength: number;
  /** Longest AWS-supplied string kept (ARNs, names, messages). */
  textLength: number;
}

/** GitHub's job summary limit is 1 MiB per step. */
export const SUMMARY_LIMITS: SummaryLimits = {
  maxBytes: 1024 * 1024,
  matrixAccounts: 15,
  matrixRules: 8,
  topFailures: 15,
  errorGroups: 10,
  expiredSuppressions: 10,
  fixes: 5,
  commandLength: 600,
  textLength: 160,
};

const EXAMPLE_RESOURCES = 3;

interface SummaryView {
  since: {
    headline: Markdown;
    detail: Markdown;
    scopeNote: Markdown | null;
    newFailures: { severity: Markdown; rule: Markdown; resource: Markdown; was: Markdown }[];
    newNote: Markdown | null;
    fixed: { severity: Markdown; rule: Markdown; resource: Markdown; reason: Markdown }[];
    fixedNote: Markdown | null;
  } | null;
  verdict: Markdown;
  incomplete: Markdown | null;
  scope: Markdown;
  severityRows: { label: Markdown; fail: Markdown; error: Markdown; pass: Markdown; notApplicable: Markdown; suppressed: Markdown }[];
  matrix: { header: Markdown; divider: Markdown; rows: Markdown[]; note: Markdown | null } | null;
  topFailures: { severity: Markdown; rule: Markdown; title: Markdown; resources: Markdown; accounts: Markdown; examples: Markdown; fix: Markdown }[];
  topFailuresNote: Markdown | null;
  /** The first failure's own commands for the most severe failing rules, one block each. */
  fixes: Markdown | null;
  errors: { action: Markdown; code: Markdown; count: Markdown; accounts: Markdown; fix: Markdown }[];
  errorsTotal: Markdown;
  errorsNote: Markdown | null;
  /** --plan / --template: planned values known only after apply (not collection errors). */
  afterApply: Markdown[];
  afterApplyTotal: Markdown;
  afterApplyNote: Markdown | null;
  expired: { rule: Markdown; resource: Markdown; expires: Markdown }[];
  expiredNote: Markdown | null;
  integrity: { heading: Markdown; broken: { trail: Markdown; chain: Markdown; key: Markdown; reason: Markdown }[]; note: Markdown | null } | null;
  footer: Markdown;
  controls: { heading: Markdown; rows: { id: Markdown; title: Markdown; passing: Markdown; failing: Markdown; unevaluated: Markdown; notApplicable: Markdown }[]; note: Markdown | null } | null;
}

const template = lazyTemplate<SummaryView>(summaryTemplate, { noEscape: true });

export function renderSummary(results: Results, limits: SummaryLimits = SUMMARY_LIMITS): string {
  const catalog = catalogRules(results);
  const tally = tallyFindings(results.findings);
  const short = (text: string) => truncate(text, limits.textLength);
  const { failed, afterApply } = splitCollectionErrors(results.collectionErrors);
  const groups = groupCollectionErrors(failed);
  const expired = results.expiredSuppressions ?? [];
  const failures = topFailures(results.findings, (id) => catalog.get(id));
  const names = accountNames(results);
  const view: SummaryView = {
    since: sinceView(results, limits, short),
    verdict: verdict(tally),
    incomplete: results.incomplete ? (`> [!CAUTION]\n> **${inline(results.incomplete.summary)}**` as Markdown) : null,
    scope: inline(
      [
        results.organizationId ? `Organization ${results.organizationId}` : undefined,
        accountsLabel(results),
        plural(results.regions.length, 'region'),
        plural(catalog.rules.length, 'rule'),
        results.pack ? `pack ${results.pack}` : undefined,
        `scanned ${results.scanTime}`,
      ]
        .filter(Boolean)
        .join(' · '),
    ),
    severityRows: SEVERITIES.map((severity) => {
      const counts = tally.bySeverity[severity];
      const suppressed = results.findings.filter((finding) => finding.suppression && finding.severity === severity).length;
      return {
        label: inline(SEVERITY_LABEL[severity]),
        fail: count(counts.fail),
        error: count(counts.error),
        pass: count(counts.pass),
        notApplicable: count(counts.not_applicable),
        suppressed: count(suppressed),
      };
    }),
    matrix: matrixView(results, catalog, limits, short),
    topFailures: failures.slice(0, limits.topFailures).map(({ rule, findings }) => ({
      severity: inline(SEVERITY_LABEL[rule.severity]),
      rule: codeSpan(rule.id, 'table'),
      title: inline(short(rule.title)),
      resources: count(findings.length),
      accounts: count(new Set(findings.map((finding) => finding.resource.accountId)).size),
      examples: joinCells(findings.slice(0, EXAMPLE_RESOURCES).map((finding) => codeSpan(short(resourceLabel(finding.resource, names)), 'table')), findings.length - EXAMPLE_RESOURCES),
      fix: remediationLink(rule),
    })),
    fixes: fixesView(failures, names, limits, short),
    topFailuresNote: failures.length > limits.topFailures ? inline(`${formatCount(failures.length - limits.topFailures)} more failing rules are listed in report.html.`) : null,
    errors: groups.slice(0, limits.errorGroups).map((group) => ({
      action: codeSpan(group.action, 'table'),
      code: inline(group.code),
      count: count(group.count),
      accounts: joinCells(group.accounts.slice(0, EXAMPLE_RESOURCES).map((account) => codeSpan(account, 'table')), group.accounts.length - EXAMPLE_RESOURCES),
      fix: inline(isAccessDenial(group.code) ? `Grant ${group.action} to the scanning role` : short(group.message ?? 'Retry, or check the service in these accounts')),
    })),
    errorsTotal: count(failed.length),
    afterApply: afterApply.slice(0, limits.errorGroups).map((error) => inline(short(describeAfterApply(error)))),
    afterApplyTotal: count(afterApply.length),
    afterApplyNote: afterApply.length > limits.errorGroups ? inline(`${formatCount(afterApply.length - limits.errorGroups)} more are listed in report.html and results.json.`) : null,
    errorsNote: groups.length > limits.errorGroups ? inline(`${formatCount(groups.length - limits.errorGroups)} more kinds of error are listed in report.html and results.json.`) : null,
    expired: expired.slice(0, limits.expiredSuppressions).map((entry) => ({
      rule: codeSpan(entry.ruleId, 'table'),
      resource: codeSpan(short(entry.resource), 'table'),
      expires: inline(entry.expires),
    })),
    expiredNote: expired.length > limits.expiredSuppressions ? inline(`${formatCount(expired.length - limits.expiredSuppressions)} more expired suppressions are listed in results.json.`) : null,
    integrity: integrityView(results, limits, short),
    controls: controlsView(results, limits, short),
    footer: inline(`trailwarden ${results.tool.version} · partition ${results.partition} · snapshot ${results.snapshotTime}`),
  };
  // An HTML comment is invisible in the rendered job summary but ties the file to its run.
  const runMark = isRunId(results.runId) ? `<!-- trailwarden run ${results.runId} -->\n` : '';
  return withinBytes(runMark + template(view), limits.maxBytes);
}

/** --baseline: "3 new failures, 5 fixed since …", then the new failures, then what was fixed (removed resources last). */
function sinceView(results: Results, limits: SummaryLimits, short: (text: string) => string): SummaryView['since'] {
  const since = sinceLastRun(results);
  if (!since) return null;
  const names = accountNames(results);
  const gone = [...since.fixed, ...since.removed];
  return {
    headline: `**${inline(since.headline)}**` as Markdown,
    detail: inline(since.detail),
    scopeNote: since.scopeNote ? (`> [!NOTE]\n> ${inline(short(since.scopeNote))}` as Markdown) : null,
    newFailures: since.newFailures.slice(0, limits.topFailures).map((f) => ({
      severity: inline(SEVERITY_LABEL[f.severity]),
      rule: codeSpan(f.ruleId, 'table'),
      resource: codeSpan(short(resourceLabel(f.resource, names)), 'table'),
      was: inline(f.baselineStatus ? `was ${f.baselineStatus}` : 'new'),
    })),
    newNote: since.newFailures.length > limits.topFailures ? inline(`${formatCount(since.newFailures.length - limits.topFailures)} more new failures are in results.json and report.html.`) : null,
    fixed: gone.slice(0, limits.topFailures).map((a) => ({
      severity: inline(SEVERITY_LABEL[a.severity]),
      rule: codeSpan(a.ruleId, 'table'),
      resource: codeSpan(short(resourceLabel(a.resource, names)), 'table'),
      reason: inline(a.reason === 'fixed' ? 'fixed' : 'resource removed'),
    })),
    fixedNote: gone.length > limits.topFailures ? inline(`${formatCount(gone.length - limits.topFailures)} more are listed in results.json.`) : null,
  };
}

/** --pack: the per-control rollup, bounded like every list of the summary. */
function controlsView(results: Results, limits: SummaryLimits, short: (text: string) => string): SummaryView['controls'] {
  const rollup = results.controls;
  const rows = controlRows(results);
  if (!rollup || rows.length === 0) return null;
  const shown = rows.slice(0, CONTROL_ROWS);
  return {
    heading: inline(`Controls of ${short(rollup.title)} (${plural(rollup.accounts, 'account')} each)`),
    rows: shown.map((row) => ({ id: codeSpan(row.id, 'table'), title: inline(short(row.title)), passing: inline(row.passing), failing: inline(row.failing), unevaluated: inline(row.unevaluated), notApplicable: inline(row.notApplicable) })),
    note: rows.length > shown.length ? inline(`${formatCount(rows.length - shown.length)} more controls are in results.json and report.html.`) : null,
  };
}

/** Controls of a pack listed in the summary; the largest pack maps a few dozen. */
const CONTROL_ROWS = 100;

export const summaryReporter: Reporter = { fileName: REPORT_FILE_NAMES.summary, render: (results) => renderSummary(results) };

/** --verify-integrity: the chain counts, then one row per broken chain with its first broken S3 key. */
function integrityView(results: Results, limits: SummaryLimits, short: (text: string) => string): SummaryView['integrity'] {
  const integrity = results.integrity;
  if (integrity === undefined) return null;
  const sum = (key: 'chains' | 'verified' | 'broken' | 'unreadable') => integrity.trails.reduce((total, trail) => total + trail[key], 0);
  const broken = integrity.trails.flatMap((trail) => trail.brokenChains.map((chain) => ({ trail, chain })));
  return {
    heading: inline(
      `${plural(sum('chains'), 'digest chain')} over ${integrity.windowHours}h${integrity.files ? ' (log files hashed)' : ''}: ${formatCount(sum('verified'))} verified, ${formatCount(sum('broken'))} broken, ${formatCount(sum('unreadable'))} unreadable.`,
    ),
    broken: broken.slice(0, limits.errorGroups).map(({ trail, chain }) => ({
      trail: inline(short(trail.trailName)),
      chain: codeSpan(chain.chain, 'table'),
      key: codeSpan(short(chain.firstBrokenKey), 'table'),
      reason: inline(short(chain.reason)),
    })),
    note: broken.length > limits.errorGroups ? inline(`${formatCount(broken.length - limits.errorGroups)} more broken chains are listed in report.html and results.json.`) : null,
  };
}

function count(value: number): Markdown {
  return inline(formatCount(value));
}

function joinCells(parts: readonly Markdown[], more: number): Markdown {
  const suffix = more > 0 ? ` ${inline(`and ${formatCount(more)} more`)}` : '';
  return `${parts.join(', ')}${suffix}` as Markdown;
}

function verdict(tally: Tally): Markdown {
  const failing = tally.byStatus.fail;
  const severe = SEVERITIES.filter((severity) => tally.bySeverity[severity].fail > 0).map(
    (severity) => `${formatCount(tally.bySeverity[severity].fail)} ${severity}`,
  );
  const parts = [
    failing > 0 ? `🔴 **${inline(plural(failing, 'failing finding'))}** (${inline(severe.join(', '))})` : '🟢 **No failing findings**',
    tally.byStatus.error > 0 ? `🟠 **${inline(formatCount(tally.byStatus.error))}** could not be evaluated` : undefined,
    `${inline(formatCount(tally.byStatus.pass))} passing${inline(passingShare(tally))}`,
    tally.suppressed > 0 ? `${inline(formatCount(tally.suppressed))} suppressed` : undefined,
  ];
  return parts.filter(Boolean).join(' · ') as Markdown;
}

const CELL_MARK: Record<CellState, string> = { fail: '❌', error: '⚠️', pass: '✅', not_applicable: '➖', suppressed: '🔕', none: ' ' };

function matrixView(results: Results, catalog: ReturnType<typeof catalogRules>, limits: SummaryLimits, short: (text: string) => string): SummaryView['matrix'] {
  const matrix = buildMatrix(results, catalog);
  const rules = matrix.rules.slice(0, limits.matrixRules);
  const accounts = matrix.accounts.slice(0, limits.matrixAccounts);
  if (rules.length === 0 || accounts.length === 0) return null;
  const header = `| Account | ${rules.map(({ rule }) => codeSpan(rule.id, 'table')).join(' | ')} |` as Markdown;
  const divider = `| --- | ${rules.map(() => ':---:').join(' | ')} |` as Markdown;
  const rows = accounts.map((account) => {
    const label = account.name ? `${inline(short(account.name))} ${codeSpan(account.id, 'table')}` : codeSpan(account.id, 'table');
    const cells = rules.map(({ rule }) => {
      const tally = matrix.cell(account.id, rule.id);
      const state = cellState(tally);
      return state === 'fail' && tally ? `${CELL_MARK.fail} ${formatCount(tally.byStatus.fail)}` : CELL_MARK[state];
    });
    return `| ${label} | ${cells.join(' | ')} |` as Markdown;
  });
  const hidden: string[] = [];
  if (matrix.accounts.length > accounts.length) hidden.push(`the ${accounts.length} accounts with the most failures of ${formatCount(matrix.accounts.length)}`);
  if (matrix.rules.length > rules.length) hidden.push(`the ${rules.length} most severe rules of ${formatCount(matrix.rules.length)}`);
  return { header, divider, rows, note: hidden.length > 0 ? inline(`Showing ${hidden.join(' and ')}; report.html has the full matrix.`) : null };
}

interface RuleFailures {
  rule: RuleMeta;
  findings: Finding[];
}

function topFailures(findings: readonly Finding[], ruleOf: (id: string) => RuleMeta): RuleFailures[] {
  const byRule = new Map<string, Finding[]>();
  for (const finding of findings) {
    if (finding.status !== 'fail' || finding.suppression) continue;
    const list = byRule.get(finding.ruleId);
    if (list) list.push(finding);
    else byRule.set(finding.ruleId, [finding]);
  }
  return [...byRule]
    .map(([ruleId, list]) => ({ rule: ruleOf(ruleId), findings: list.sort((a, b) => compareText(a.resource.arn, b.resource.arn)) }))
    .sort((a, b) => SEVERITY_RANK[b.rule.severity] - SEVERITY_RANK[a.rule.severity] || b.findings.length - a.findings.length || compareText(a.rule.id, b.rule.id));
}

/**
 * "How to fix" for the most severe failing rules: the commands of each rule's first failure, filled
 * with its values (engine/fix.ts), in a fenced block of their own (no prose inside); each line
 * display text, cut at a bound. The other failures of the rule take the same commands with their
 * own values, which report.html shows.
 */
function fixesView(failures: readonly RuleFailures[], names: ReadonlyMap<string, string | undefined>, limits: SummaryLimits, short: (text: string) => string): Markdown | null {
  const blocks: Markdown[] = [];
  for (const { rule, findings } of failures) {
    if (blocks.length >= limits.fixes) break;
    const first = findings.find((finding) => finding.fix?.commands);
    if (!first?.fix?.commands) continue;
    const commands = first.fix.commands
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '')
      .map((line) => truncate(displayText(line), limits.commandLength))
      .join('\n');
    const others = findings.length > 1 ? ` (and ${plural(findings.length - 1, 'more resource')}: report.html has each one's commands)` : '';
    blocks.push(`${codeSpan(rule.id)} on ${codeSpan(short(resourceLabel(first.resource, names)))}${inline(others)}:\n\n${codeBlock(commands, 'sh')}` as Markdown);
  }
  return blocks.length > 0 ? (blocks.join('\n\n') as Markdown) : null;
}

/** Only https links, percent-encoding what would end a markdown link target. */
function remediationLink(rule: RuleMeta): Markdown {
  const uri = ruleHelpUri(rule);
  if (!uri || !/^https:\/\/[^\s]+$/.test(uri)) return inline('see report.html');
  const target = uri.replace(/[()<>\s|]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `[How to fix](${target})` as Markdown;
}

/** The last line of defence for GitHub's limit: cut at a line break and say so. */
function withinBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const note = '\n\n> [!WARNING]\n> This summary was cut to stay under GitHub\'s 1 MiB job summary limit. report.html and results.json hold everything.\n';
  const budget = maxBytes - Buffer.byteLength(note);
  let cut = Buffer.from(text).subarray(0, Math.max(0, budget)).toString('utf8');
  // A cut inside a multi-byte character decodes to U+FFFD: drop it with the partial line.
  cut = cut.slice(0, Math.max(0, cut.lastIndexOf('\n')));
  return `${cut}${note}`;
}
