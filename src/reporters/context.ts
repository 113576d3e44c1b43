/**
 * What a reporter may know beyond the Results: decisions the CLI or the Action makes from the
 * environment (TTY, NO_COLOR, terminal width, --category), passed in so reporters stay pure.
 */
import type { FailOn, Results, Status } from '../results.js';

/**
 * The run's gate as the library decided it, for reports that lead with the verdict (report.html):
 * the exit code it gives (0 passed, 1 failed, 3 incomplete) and the thresholds that chose it.
 */
export interface ReportGate {
  exitCode: 0 | 1 | 3;
  /** --fail-on: the lowest severity whose failures fail the run. */
  failOn: FailOn;
  /** --fail-on-new: only failures new since the baseline counted. */
  newOnly?: boolean;
}

export interface ReportContext {
  /** SARIF `runs[0].automationDetails.id` category (from `--category`); absent means none is written. */
  category?: string;
  /** Whether console output may carry ANSI colour codes. */
  color: boolean;
  /** Terminal columns available to the console reporter. */
  width: number;
  /**
   * The report files this run writes beside the console output (`report.html`, `results.json`…):
   * the console points at the fullest one. Absent: every file format is written.
   */
  files?: readonly string[];
  /** The gate verdict of the run; absent where no run decided one (a report rendered on its own). */
  gate?: ReportGate;
  /**
   * --status (--quiet: fail): the statuses the console lists finding by finding. Only what is
   * shown: results.json, SARIF and the HTML report keep every finding.
   */
  statuses?: readonly Status[];
  /** --quiet: the console shows only the listed findings, the verdict and what is incomplete. */
  quiet?: boolean;
  /** Receives non-fatal notices, e.g. SARIF results aggregated or truncated to fit GitHub's limits. */
  onWarning?: (message: string) => void;
}

export interface Reporter {
  /** File written into --out-dir; absent for reporters whose output the CLI routes itself. */
  readonly fileName?: string;
  render(results: Results, ctx: ReportContext): string;
  /**
   * The same document in pieces, for outputs that can outgrow one JavaScript string (hundreds of
   * thousands of findings); `render` must equal the pieces joined.
   */
  renderChunks?(results: Results, ctx: ReportContext): Iterable<string>;
}
