/**
 * Every output format behind one exhaustive map (STYLE habit 7): adding a format without a
 * reporter, or a reporter without a format, is a type error.
 */
import type { Reporter } from './context.js';
import { asffReporter } from './asff.js';
import { consoleReporter } from './console.js';
import { csvReporter } from './csv.js';
import { htmlReporter } from './html.js';
import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import { ocsfReporter } from './ocsf.js';
import { sarifReporter } from './sarif.js';
import { summaryReporter } from './summary.js';

export type { ReportContext, ReportGate, Reporter } from './context.js';

import type { Format } from './formats.js';

export { DEFAULT_FORMATS, FORMATS, REPORT_FILE_NAMES, isFormat, type Format } from './formats.js';

export const REPORTERS: Readonly<Record<Format, Reporter>> = {
  console: consoleReporter,
  json: jsonReporter,
  sarif: sarifReporter,
  html: htmlReporter,
  summary: summaryReporter,
  csv: csvReporter,
  junit: junitReporter,
  ocsf: ocsfReporter,
  asff: asffReporter,
};
