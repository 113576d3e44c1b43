/**
 * results.csv: one row per finding for spreadsheets, SIEM imports and `csvkit`/`duckdb` queries.
 *
 * - The columns are a contract (CSV_COLUMNS, documented in the README): new columns are added at
 *   the end, none is renamed, reordered or removed.
 * - RFC 4180: CRLF line ends, every field quoted only when it holds a comma, a quote, CR or LF,
 *   quotes doubled. UTF-8 without a byte-order mark.
 * - Values come from AWS and policy files, so a cell that a spreadsheet would read as a formula
 *   (starting with `=`, `+`, `-`, `@`, a tab or CR — OWASP's "CSV injection") gets a leading `'`
 *   and stays text. That is the only change made to a value: the rest stays raw for machines.
 * - Rows: unsuppressed first, then fail, error, pass, not applicable, worst severity first (the
 *   order of every other report); one piece per row, so a large organization streams.
 * - --status and --quiet shape the rows as they shape the console (the statuses asked for; --quiet
 *   alone: failures); results.json, SARIF and report.html keep every finding.
 */
import { findingIdentity, type Finding, type Results } from '../results.js';
import type { ReportContext, Reporter } from './context.js';
import { REPORT_FILE_NAMES } from './formats.js';
import { accountNameMap, evidenceText } from './interchange.js';
import { catalogRules, compareFindings, truncate } from './model.js';

/** Excel's limit for one cell; longer text would spill into the next row when opened there. */
const MAX_CELL = 32_767;

interface Row {
  finding: Finding;
  identity: string;
  ruleTitle: string;
  accountName: string;
}

/** The columns, in order, with how each cell is read from a finding. */
export const CSV_COLUMNS: readonly (readonly [string, (row: Row) => string])[] = [
  ['rule_id', (row) => row.finding.ruleId],
  ['rule_title', (row) => row.ruleTitle],
  ['status', (row) => row.finding.status],
  ['severity', (row) => row.finding.severity],
  ['account_id', (row) => row.finding.resource.accountId],
  ['account_name', (row) => row.accountName],
  ['region', (row) => row.finding.resource.region ?? ''],
  ['resource_type', (row) => row.finding.resource.type],
  ['resource_arn', (row) => row.finding.resource.arn],
  ['resource_name', (row) => row.finding.resource.name ?? ''],
  ['message', (row) => row.finding.message],
  ['frameworks', (row) => row.finding.frameworks.join(' ')],
  ['suppressed', (row) => (row.finding.suppression ? 'yes' : 'no')],
  ['suppression_reason', (row) => row.finding.suppression?.reason ?? ''],
  ['suppression_expires', (row) => row.finding.suppression?.expires ?? ''],
  ['baseline_state', (row) => row.finding.baselineState ?? ''],
  ['evidence', (row) => evidenceText(row.finding.evidence)],
  ['finding_id', (row) => row.identity],
];

/** A spreadsheet evaluates a cell starting with one of these as a formula (or, after a tab or CR, may). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One RFC 4180 field, neutralized against formula injection. */
export function csvCell(value: string): string {
  const text = truncate(FORMULA_START.test(value) ? `'${value}` : value, MAX_CELL);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** The statuses the rows keep: --status, or failures for --quiet alone; absent keeps every row. */
function shownStatuses(ctx: Partial<ReportContext> | undefined): ReadonlySet<string> | undefined {
  if (ctx?.statuses) return new Set(ctx.statuses);
  return ctx?.quiet ? new Set(['fail']) : undefined;
}

function* renderCsvChunks(results: Results, ctx?: Partial<ReportContext>): Generator<string> {
  const catalog = catalogRules(results);
  const names = accountNameMap(results);
  const shown = shownStatuses(ctx);
  yield csvLine(CSV_COLUMNS.map(([name]) => name));
  // Sorting references only: the rows themselves are made one at a time.
  for (const finding of [...results.findings].sort(compareFindings)) {
    if (shown && !shown.has(finding.status)) continue;
    const row: Row = { finding, identity: findingIdentity(finding, results.partition), ruleTitle: catalog.get(finding.ruleId).title, accountName: names.get(finding.resource.accountId) ?? '' };
    yield csvLine(CSV_COLUMNS.map(([, cell]) => cell(row)));
  }
}

export function renderCsv(results: Results, ctx?: Partial<ReportContext>): string {
  return [...renderCsvChunks(results, ctx)].join('');
}

export const csvReporter: Reporter = { fileName: REPORT_FILE_NAMES.csv, render: renderCsv, renderChunks: renderCsvChunks };
