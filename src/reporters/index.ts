/**
 * Every output format behind one exhaustive map (STYLE habit 7): adding a format without a
 * reporter, or a reporter without a format, is a type error.
 */
import type { Reporter } from './context.js';
import { consoleReporter } from './console.js';
import { htmlReporter } from './html.js';
import { jsonReporter } from './json.js';
import { sarifReporter } from './sarif.js';
import { summaryReporter } from './summary.js';

export type { ReportContext, Reporter } from './context.js';

export const FORMATS = ['console', 'json', 'sarif', 'html', 'summary'] as const;
export type Format = (typeof FORMATS)[number];

/** SPEC §2: `--format` defaults to every format but the job summary. */
export const DEFAULT_FORMATS: readonly Format[] = ['console', 'json', 'sarif', 'html'];

export const REPORTERS: Readonly<Record<Format, Reporter>> = {
  console: consoleReporter,
  json: jsonReporter,
  sarif: sarifReporter,
  html: htmlReporter,
  summary: summaryReporter,
};

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}
