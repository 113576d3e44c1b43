/**
 * The terminal summary: counts by status and severity, failing rules grouped by account,
 * collection errors and suppressions, and on wide terminals the account × rule matrix. Colour is
 * the caller's decision (TTY, NO_COLOR); AWS strings are stripped of control and bidi characters
 * so a hostile name cannot move the cursor, recolour the terminal or reorder what is shown.
 */
import { SEVERITIES, STATUSES, type Results, type Severity, type Status } from '../results.js';
import type { ReportContext, Reporter } from './context.js';
import {
  accountsLabel,
  buildMatrix,
  catalogRules,
  cellState,
  compareFindings,
  controlRows,
  describeAfterApply,
  formatCount,
  groupCollectionErrors,
  isAccessDenial,
  passingShare,
  plural,
  SEVERITY_LABEL,
  sinceLastRun,
  splitCollectionErrors,
  STATUS_LABEL,
  tallyFindings,
  truncate,
  visibleControls,
  worstFailingSeverity,
  type AccountRuleMatrix,
  type CellState,
  type MatrixAccount,
  type Tally,
} from './model.js';

/** Narrower terminals get the lists only; the matrix needs room for several rule columns. */
export const CONSOLE_MATRIX_MIN_WIDTH = 100;
const MAX_ACCOUNTS = 10;
const MAX_RULES_PER_ACCOUNT = 8;
const MAX_MATRIX_ACCOUNTS = 20;
const MAX_MATRIX_RULES = 20;
const MAX_ERROR_GROUPS = 5;
const MATRIX_COLUMN = 5;
const MATRIX_LABEL = 28;
const COUNT_COLUMN = 8;

type Style = 'bold' | 'dim' | 'red' | 'yellow' | 'green' | 'blue' | 'magenta' | 'gray' | 'inverseRed';

const ANSI: Record<Style, [string, string]> = {
  bold: ['\u001b[1m', '\u001b[22m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  red: ['\u001b[31m', '\u001b[39m'],
  yellow: ['\u001b[33m', '\u001b[39m'],
  green: ['\u001b[32m', '\u001b[39m'],
  blue: ['\u001b[34m', '\u001b[39m'],
  magenta: ['\u001b[35m', '\u001b[39m'],
  gray: ['\u001b[90m', '\u001b[39m'],
  inverseRed: ['\u001b[1;97;41m', '\u001b[0m'],
};

const SEVERITY_STYLE: Record<Severity, Style> = { critical: 'inverseRed', high: 'red', medium: 'yellow', low: 'blue', info: 'gray' };
const CELL_STYLE: Record<CellState, Style> = { fail: 'red', error: 'yellow', pass: 'green', not_applicable: 'gray', suppressed: 'magenta', none: 'gray' };

type Paint = (text: string, ...styles: Style[]) => string;

/** Where the rest is: the fullest report this run writes, or the advice to write one. */
function seeAlso(files: readonly string[] | undefined): string {
  if (files === undefined || files.includes('report.html')) return 'see report.html';
  if (files.includes('results.json')) return 'see results.json';
  return 'add --format html for the full list';
}

function painter(color: boolean): Paint {
  if (!color) return (text) => text;
  return (text, ...styles) => styles.reduce((painted, style) => `${ANSI[style][0]}${painted}${ANSI[style][1]}`, text);
}

function safe(text: string, maxLength: number): string {
  return truncate(visibleControls(text), maxLength);
}

export function renderConsole(results: Results, ctx: ReportContext): string {
  const paint = painter(ctx.color);
  const width = Math.max(40, Math.trunc(ctx.width) || 80);
  const catalog = catalogRules(results);
  const tally = tallyFindings(results.findings);
  const matrix = buildMatrix(results, catalog);
  const lines: string[] = [];

  lines.push(`${paint('trailwarden', 'bold')} ${results.tool.version} ${paint('· CloudTrail compliance', 'dim')}`);
  const scope = [
    results.organizationId ? `organization ${safe(results.organizationId, 40)}` : undefined,
    safe(accountsLabel(results), 120),
    plural(results.regions.length, 'region'),
    plural(catalog.rules.length, 'rule'),
    `scanned ${safe(results.scanTime, 40)}`,
  ].filter(Boolean);
  lines.push(paint(scope.join(' · '), 'dim'), '');
  lines.push(...sinceLastRunLines(results, paint, width));

  // Status × severity table.
  const header = ['', ...SEVERITIES.map((severity) => SEVERITY_LABEL[severity]), 'Total'];
  lines.push(paint(header.map((cell, index) => (index === 0 ? cell.padEnd(12) : cell.padStart(COUNT_COLUMN))).join(''), 'bold'));
  for (const status of STATUSES) {
    const counts = SEVERITIES.map((severity) => tally.bySeverity[severity][status]);
    const total = tally.byStatus[status];
    const style: Style = status === 'fail' ? 'red' : status === 'error' ? 'yellow' : status === 'pass' ? 'green' : 'gray';
    const cells = counts.map((value) => {
      const text = formatCount(value).padStart(COUNT_COLUMN);
      return value > 0 && (status === 'fail' || status === 'error') ? paint(text, style) : text;
    });
    lines.push(`${paint(STATUS_LABEL[status].padEnd(12), style)}${cells.join('')}${paint(formatCount(total).padStart(COUNT_COLUMN), 'bold')}`);
  }
  const expired = results.expiredSuppressions?.length ?? 0;
  const suppressionNotes = [
    tally.suppressed > 0 ? `${plural(tally.suppressed, 'finding')} suppressed` : undefined,
    expired > 0 ? paint(`${plural(expired, 'suppression')} expired and no longer ${expired === 1 ? 'applies' : 'apply'}`, 'yellow') : undefined,
  ].filter(Boolean);
  if (suppressionNotes.length > 0) lines.push(paint(suppressionNotes.join(' · '), 'dim'));

  lines.push(...(ctx.statuses ? findingLines(results, ctx.statuses, paint, width, seeAlso(ctx.files)) : failingByAccount(matrix, paint, width, seeAlso(ctx.files))));
  lines.push(...controlLines(results, paint, width));
  if (width >= CONSOLE_MATRIX_MIN_WIDTH) lines.push(...matrixLines(matrix, paint, width));
  lines.push(...collectionErrorLines(results, paint, seeAlso(ctx.files)));
  lines.push(...integrityLines(results, paint));
  lines.push(...iacLines(results, paint));
  return `${[...lines, '', ...verdictLines(results, tally, paint)].join('\n')}\n`;
}

/** --quiet: the listed findings (failures unless --status says otherwise), the verdict and what is incomplete; nothing else. */
function renderQuiet(results: Results, ctx: ReportContext): string {
  const paint = painter(ctx.color);
  const width = Math.max(40, Math.trunc(ctx.width) || 80);
  const listed = findingLines(results, ctx.statuses ?? ['fail'], paint, width, seeAlso(ctx.files)).slice(2);
  return `${[...listed, ...(listed.length > 0 ? [''] : []), ...verdictLines(results, tallyFindings(results.findings), paint)].join('\n')}\n`;
}

function verdictLines(results: Results, tally: Tally, paint: Paint): string[] {
  const lines: string[] = [];
  const verdictParts = [
    tally.byStatus.fail > 0 ? paint(plural(tally.byStatus.fail, 'failing finding'), 'red', 'bold') : paint('no failing findings', 'green', 'bold'),
    tally.byStatus.error > 0 ? paint(`${formatCount(tally.byStatus.error)} could not be evaluated`, 'yellow') : undefined,
    `${formatCount(tally.byStatus.pass)} passing${passingShare(tally)}`,
  ].filter(Boolean);
  lines.push(verdictParts.join(' · '));
  if (results.incomplete) lines.push(paint(safe(results.incomplete.summary, 400), 'red', 'bold'));
  return lines;
}

export const consoleReporter: Reporter = { render: (results, ctx) => (ctx.quiet ? renderQuiet(results, ctx) : renderConsole(results, ctx)) };

/** Findings listed one per line (--status): the statuses asked for, worst first, unsuppressed. */
const MAX_LISTED_FINDINGS = 500;
const STATUS_STYLE: Record<Status, Style> = { fail: 'red', error: 'yellow', pass: 'green', not_applicable: 'gray' };

function findingLines(results: Results, statuses: readonly Status[], paint: Paint, width: number, more: string): string[] {
  const wanted = new Set(statuses);
  const listed = results.findings.filter((f) => wanted.has(f.status) && !f.suppression).sort(compareFindings);
  const suppressed = results.findings.filter((f) => wanted.has(f.status) && f.suppression).length;
  const lines = ['', paint(`Findings: ${statuses.map((s) => STATUS_LABEL[s].toLowerCase()).join(', ')} (${formatCount(listed.length)})`, 'bold')];
  const ruleWidth = Math.min(44, Math.max(...listed.slice(0, MAX_LISTED_FINDINGS).map((f) => f.ruleId.length), 4));
  const arnRoom = Math.max(20, width - ruleWidth - 22);
  for (const f of listed.slice(0, MAX_LISTED_FINDINGS)) {
    lines.push(`  ${paint(STATUS_LABEL[f.status].toUpperCase().padEnd(5), STATUS_STYLE[f.status])} ${paint(SEVERITY_LABEL[f.severity].padEnd(9), SEVERITY_STYLE[f.severity])}${safe(f.ruleId, ruleWidth).padEnd(ruleWidth)}  ${safe(f.resource.arn, arnRoom)}`);
  }
  if (listed.length > MAX_LISTED_FINDINGS) lines.push(paint(`  … and ${plural(listed.length - MAX_LISTED_FINDINGS, 'more finding')} (${more})`, 'dim'));
  if (suppressed > 0) lines.push(paint(`  ${plural(suppressed, 'suppressed finding')} not listed`, 'dim'));
  return lines;
}

const SINCE_LIST = 10;

/** --baseline: what changed leads the report — counts, new failures, then what was fixed. */
function sinceLastRunLines(results: Results, paint: Paint, width: number): string[] {
  const since = sinceLastRun(results);
  if (!since) return [];
  const arnRoom = Math.max(20, width - 40);
  const lines = [paint('Since the last run', 'bold'), paint(safe(since.headline, 400), since.newFailures.length > 0 ? 'red' : 'green'), paint(since.detail, 'dim')];
  if (since.scopeNote) lines.push(paint(safe(since.scopeNote, 600), 'yellow'));
  if (since.newFailures.length > 0) {
    lines.push('  New failures:');
    for (const f of since.newFailures.slice(0, SINCE_LIST)) {
      lines.push(`    ${paint(SEVERITY_LABEL[f.severity].padEnd(9), SEVERITY_STYLE[f.severity])}${safe(f.ruleId, 40)}  ${safe(f.resource.arn, arnRoom)}${f.baselineStatus ? paint(` (was ${f.baselineStatus})`, 'dim') : ''}`);
    }
    if (since.newFailures.length > SINCE_LIST) lines.push(paint(`    and ${formatCount(since.newFailures.length - SINCE_LIST)} more (results.json, report.html)`, 'dim'));
  }
  for (const [label, list] of [
    ['Fixed', since.fixed],
    ['Gone with their resource', since.removed],
  ] as const) {
    if (list.length === 0) continue;
    lines.push(`  ${label}:`);
    for (const a of list.slice(0, SINCE_LIST)) lines.push(`    ${paint(SEVERITY_LABEL[a.severity].padEnd(9), 'green')}${safe(a.ruleId, 40)}  ${safe(a.resource.arn, arnRoom)}`);
    if (list.length > SINCE_LIST) lines.push(paint(`    and ${formatCount(list.length - SINCE_LIST)} more (results.json)`, 'dim'));
  }
  lines.push('');
  return lines;
}

/** "name (id)", shortening the name so the id always shows. */
function accountLabel(account: MatrixAccount, maxLength: number): string {
  if (!account.name) return account.id;
  const room = maxLength - account.id.length - 3;
  return room < 4 ? account.id : `${safe(account.name, room)} (${account.id})`;
}

function failingByAccount(matrix: AccountRuleMatrix, paint: Paint, width: number, more: string): string[] {
  const failing = matrix.accounts.filter((account) => account.tally.byStatus.fail > 0 || account.tally.byStatus.error > 0);
  if (failing.length === 0) return [];
  const lines = ['', paint('Failing rules by account', 'bold')];
  const ruleWidth = Math.max(16, Math.min(48, width - 34));
  for (const account of failing.slice(0, MAX_ACCOUNTS)) {
    const summary = [
      account.tally.byStatus.fail > 0 ? paint(`${formatCount(account.tally.byStatus.fail)} failing`, 'red') : undefined,
      account.tally.byStatus.error > 0 ? paint(`${formatCount(account.tally.byStatus.error)} not evaluated`, 'yellow') : undefined,
    ].filter(Boolean);
    lines.push(`  ${paint(accountLabel(account, width - 30), 'bold')} ${paint('—', 'dim')} ${summary.join(', ')}`);
    const rules = matrix.rules
      .map(({ rule }) => ({ rule, cell: matrix.cell(account.id, rule.id) }))
      .filter(({ cell }) => cell && (cell.byStatus.fail > 0 || cell.byStatus.error > 0));
    for (const { rule, cell } of rules.slice(0, MAX_RULES_PER_ACCOUNT)) {
      const severity = cell && worstFailingSeverity(cell);
      const label = severity ? paint(SEVERITY_LABEL[severity].toUpperCase().padEnd(9), SEVERITY_STYLE[severity]) : paint('ERROR'.padEnd(9), 'yellow');
      const counts = [
        cell && cell.byStatus.fail > 0 ? plural(cell.byStatus.fail, 'resource') : undefined,
        cell && cell.byStatus.error > 0 ? paint(`${formatCount(cell.byStatus.error)} not evaluated`, 'yellow') : undefined,
      ].filter(Boolean);
      lines.push(`    ${label} ${safe(rule.id, ruleWidth).padEnd(ruleWidth)} ${counts.join(', ')}`);
    }
    if (rules.length > MAX_RULES_PER_ACCOUNT) lines.push(paint(`    … and ${plural(rules.length - MAX_RULES_PER_ACCOUNT, 'more rule')}`, 'dim'));
  }
  if (failing.length > MAX_ACCOUNTS) lines.push(paint(`  … and ${plural(failing.length - MAX_ACCOUNTS, 'more account')} (${more})`, 'dim'));
  return lines;
}

function matrixCell(state: CellState, failCount: number): string {
  switch (state) {
    case 'fail':
      return failCount > 999 ? '999+' : String(failCount);
    case 'error':
      return '?';
    case 'pass':
      return '✓';
    case 'not_applicable':
      return '–';
    case 'suppressed':
      return 's';
    case 'none':
      return '·';
  }
}

function matrixLines(matrix: AccountRuleMatrix, paint: Paint, width: number): string[] {
  const columns = Math.min(MAX_MATRIX_RULES, Math.floor((width - MATRIX_LABEL) / MATRIX_COLUMN));
  const rules = matrix.rules.slice(0, columns);
  const accounts = matrix.accounts.slice(0, MAX_MATRIX_ACCOUNTS);
  if (rules.length === 0 || accounts.length === 0) return [];
  const lines = ['', paint('Accounts × rules', 'bold') + paint('  (number = failing resources, ? = could not evaluate, ✓ = pass, – = n/a)', 'dim')];
  lines.push(paint(`${''.padEnd(MATRIX_LABEL)}${rules.map((_, index) => String(index + 1).padStart(MATRIX_COLUMN)).join('')}`, 'dim'));
  for (const account of accounts) {
    const cells = rules.map(({ rule }) => {
      const tally = matrix.cell(account.id, rule.id);
      const state = cellState(tally);
      return paint(matrixCell(state, tally?.byStatus.fail ?? 0).padStart(MATRIX_COLUMN), CELL_STYLE[state]);
    });
    // Id first, so the matrix rows line up whatever the account names are.
    const label = account.name ? `${account.id} ${safe(account.name, MATRIX_LABEL - account.id.length - 3)}` : account.id;
    lines.push(`${label.padEnd(MATRIX_LABEL)}${cells.join('')}`);
  }
  if (matrix.accounts.length > accounts.length) lines.push(paint(`… and ${plural(matrix.accounts.length - accounts.length, 'more account')}`, 'dim'));
  // The legend maps column numbers to rule ids, packed into as few lines as the width allows.
  let legend = '';
  rules.forEach(({ rule }, index) => {
    const entry = `${String(index + 1).padStart(2)} ${safe(rule.id, 44)}`;
    if (legend && legend.length + entry.length + 3 > width) {
      lines.push(paint(legend, 'dim'));
      legend = '';
    }
    legend = legend ? `${legend}   ${entry}` : entry;
  });
  if (legend) lines.push(paint(legend, 'dim'));
  return lines;
}

/** --pack: each control with the share of the scanned accounts passing, failing and not evaluated. */
function controlLines(results: Results, paint: Paint, width: number): string[] {
  const rollup = results.controls;
  const rows = controlRows(results);
  if (!rollup || rows.length === 0) return [];
  const idWidth = Math.min(12, Math.max(...rows.map((row) => row.id.length), 7));
  const column = Math.max(...rows.flatMap((row) => [row.passing.length, row.failing.length, row.unevaluated.length]), 'not evaluated'.length);
  const titleRoom = Math.max(10, width - idWidth - 3 * (column + 2) - 4);
  const lines = [
    '',
    `${paint(`Controls of ${safe(rollup.title, 80)}`, 'bold')} ${paint(`(${plural(rollup.accounts, 'account')} each)`, 'dim')}`,
    paint(`  ${'control'.padEnd(idWidth)}  ${'passing'.padEnd(column)}  ${'failing'.padEnd(column)}  ${'not evaluated'.padEnd(column)}  title`, 'dim'),
  ];
  rollup.controls.forEach((control, index) => {
    const row = rows[index]!;
    lines.push(
      `  ${safe(row.id, idWidth).padEnd(idWidth)}  ${paint(row.passing.padEnd(column), control.passing > 0 ? 'green' : 'gray')}  ${paint(row.failing.padEnd(column), control.failing > 0 ? 'red' : 'gray')}  ${paint(row.unevaluated.padEnd(column), control.unevaluated > 0 ? 'yellow' : 'gray')}  ${safe(row.title, titleRoom)}`,
    );
  });
  return lines;
}

/** IaC definitions listed by name on the console before the rest go to the reports. */
const IAC_LIST = 5;

/** --iac: one line of what was read and located, then the ambiguous and unmatched definitions. */
function iacLines(results: Results, paint: Paint): string[] {
  const iac = results.iac;
  if (iac === undefined) return [];
  const lines = [
    '',
    `${paint('Infrastructure code', 'bold')}: ${plural(iac.definitions, 'definition')} in ${plural(iac.files, 'file')}; ${plural(iac.locatedFindings, 'finding')} located, ${formatCount(iac.unmatched.length)} unmatched, ${formatCount(iac.ambiguous.length)} ambiguous${iac.diagnostics.length ? `, ${plural(iac.diagnostics.length, 'file problem')}` : ''}`,
  ];
  for (const a of iac.ambiguous.slice(0, IAC_LIST)) {
    lines.push(paint(`  AMBIGUOUS ${safe(a.resource.name ?? a.resource.arn, 80)}: ${a.definitions.map((d) => safe(`${d.file}:${d.startLine}`, 120)).join(', ')}`, 'yellow'));
  }
  for (const d of iac.unmatched.slice(0, IAC_LIST)) lines.push(paint(`  UNMATCHED ${safe(d.address, 80)} (${safe(`${d.file}:${d.startLine}`, 120)})${d.name !== undefined ? ` ${safe(d.name, 80)}` : ''}`, 'dim'));
  const more = Math.max(0, iac.ambiguous.length - IAC_LIST) + Math.max(0, iac.unmatched.length - IAC_LIST);
  if (more > 0) lines.push(paint(`  and ${formatCount(more)} more (results.json, report.html)`, 'dim'));
  return lines;
}

/** --verify-integrity: one line per broken chain, naming its first broken S3 key. */
function integrityLines(results: Results, paint: Paint): string[] {
  const integrity = results.integrity;
  if (integrity === undefined) return [];
  const total = (key: 'chains' | 'verified' | 'broken' | 'unreadable') => integrity.trails.reduce((sum, trail) => sum + trail[key], 0);
  const files = integrity.files ? ', log files hashed' : '';
  const lines = [
    '',
    `${paint('Log file integrity:', 'bold')} ${plural(total('chains'), 'digest chain')} over ${integrity.windowHours}h${files} — ${formatCount(total('verified'))} verified, ${formatCount(total('broken'))} broken, ${formatCount(total('unreadable'))} unreadable`,
  ];
  for (const trail of integrity.trails) {
    for (const chain of trail.brokenChains) {
      const more = chain.problems > 1 ? paint(` (+${chain.problems - 1} more)`, 'dim') : '';
      lines.push(`  ${paint('BROKEN', 'red', 'bold')} ${safe(trail.trailName, 60)} ${chain.chain}: ${safe(chain.firstBrokenKey, 200)} — ${safe(chain.reason, 160)}${more}`);
    }
  }
  return lines;
}

function collectionErrorLines(results: Results, paint: Paint, more: string): string[] {
  const { failed, afterApply } = splitCollectionErrors(results.collectionErrors);
  const lines: string[] = [];
  if (afterApply.length > 0) {
    // --plan / --template: nothing failed to be read, the values do not exist before apply.
    lines.push('', `${paint('Known only after apply:', 'bold', 'yellow')} ${plural(afterApply.length, 'planned value')}; rules that need them report error until the deployed resources are scanned.`);
    for (const error of afterApply.slice(0, MAX_ERROR_GROUPS)) lines.push(`  ${paint(safe(describeAfterApply(error), 200), 'yellow')}`);
    if (afterApply.length > MAX_ERROR_GROUPS) lines.push(paint(`  … and ${plural(afterApply.length - MAX_ERROR_GROUPS, 'more value')} (${more})`, 'dim'));
  }
  if (failed.length === 0) return lines;
  const groups = groupCollectionErrors(failed);
  lines.push('', `${paint('Collection errors:', 'bold', 'yellow')} ${plural(failed.length, 'fact')} could not be collected; rules that need them report error, never pass.`);
  for (const group of groups.slice(0, MAX_ERROR_GROUPS)) {
    const fix = isAccessDenial(group.code) ? ' — grant it to the scanning role' : '';
    const where = `${plural(group.accounts.length, 'account')}, ${plural(group.regions.length, 'region')}`;
    lines.push(`  ${paint(safe(group.action, 60), 'yellow')} ${safe(group.code, 40)} ×${formatCount(group.count)} ${paint(`(${where})${fix}`, 'dim')}`);
  }
  if (groups.length > MAX_ERROR_GROUPS) lines.push(paint(`  … and ${plural(groups.length - MAX_ERROR_GROUPS, 'more kind')} of error (${more})`, 'dim'));
  return lines;
}
