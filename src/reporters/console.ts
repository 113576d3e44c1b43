/**
 * The terminal summary: counts by status and severity, failing rules grouped by account,
 * collection errors and suppressions, and on wide terminals the account × rule matrix. Colour is
 * the caller's decision (TTY, NO_COLOR); AWS strings are stripped of control and bidi characters
 * so a hostile name cannot move the cursor, recolour the terminal or reorder what is shown.
 */
import { SEVERITIES, STATUSES, type Results, type Severity } from '../results.js';
import type { ReportContext, Reporter } from './context.js';
import {
  buildMatrix,
  catalogRules,
  cellState,
  formatCount,
  groupCollectionErrors,
  isAccessDenial,
  plural,
  SEVERITY_LABEL,
  sinceLastRun,
  STATUS_LABEL,
  tallyFindings,
  truncate,
  visibleControls,
  worstFailingSeverity,
  type AccountRuleMatrix,
  type CellState,
  type MatrixAccount,
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
    plural(results.accounts.length, 'account'),
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

  lines.push(...failingByAccount(matrix, paint, width, seeAlso(ctx.files)));
  if (width >= CONSOLE_MATRIX_MIN_WIDTH) lines.push(...matrixLines(matrix, paint, width));
  lines.push(...collectionErrorLines(results, paint, seeAlso(ctx.files)));
  lines.push(...integrityLines(results, paint));
  lines.push(...iacLines(results, paint));

  lines.push('');
  const verdictParts = [
    tally.byStatus.fail > 0 ? paint(plural(tally.byStatus.fail, 'failing finding'), 'red', 'bold') : paint('no failing findings', 'green', 'bold'),
    tally.byStatus.error > 0 ? paint(`${formatCount(tally.byStatus.error)} could not be evaluated`, 'yellow') : undefined,
    `${formatCount(tally.byStatus.pass)} passing`,
  ].filter(Boolean);
  lines.push(verdictParts.join(' · '));
  if (results.incomplete) lines.push(paint(safe(results.incomplete.summary, 400), 'red', 'bold'));
  return `${lines.join('\n')}\n`;
}

export const consoleReporter: Reporter = { render: renderConsole };

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

/** --verify-integrity: one line per broken chain, naming its first broken S3 key. */
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
  const total = results.collectionErrors.length;
  if (total === 0) return [];
  const groups = groupCollectionErrors(results.collectionErrors);
  const lines = ['', `${paint('Collection errors:', 'bold', 'yellow')} ${plural(total, 'fact')} could not be collected; rules that need them report error, never pass.`];
  for (const group of groups.slice(0, MAX_ERROR_GROUPS)) {
    const fix = isAccessDenial(group.code) ? ' — grant it to the scanning role' : '';
    const where = `${plural(group.accounts.length, 'account')}, ${plural(group.regions.length, 'region')}`;
    lines.push(`  ${paint(safe(group.action, 60), 'yellow')} ${safe(group.code, 40)} ×${formatCount(group.count)} ${paint(`(${where})${fix}`, 'dim')}`);
  }
  if (groups.length > MAX_ERROR_GROUPS) lines.push(paint(`  … and ${plural(groups.length - MAX_ERROR_GROUPS, 'more kind')} of error (${more})`, 'dim'));
  return lines;
}
