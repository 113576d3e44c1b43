/**
 * The reporters a run writes, loaded when it writes them: the HTML report and the job summary
 * bring Handlebars, which a `--format json` run never needs to load (issue 15, start instantly).
 * The same reporters as REPORTERS in index.ts, one dynamic import each.
 */
import type { Reporter } from './context.js';
import type { Format } from './formats.js';

const LOADERS: Readonly<Record<Format, () => Promise<Reporter>>> = {
  console: async () => (await import('./console.js')).consoleReporter,
  json: async () => (await import('./json.js')).jsonReporter,
  sarif: async () => (await import('./sarif.js')).sarifReporter,
  html: async () => (await import('./html.js')).htmlReporter,
  summary: async () => (await import('./summary.js')).summaryReporter,
  csv: async () => (await import('./csv.js')).csvReporter,
  junit: async () => (await import('./junit.js')).junitReporter,
  ocsf: async () => (await import('./ocsf.js')).ocsfReporter,
  asff: async () => (await import('./asff.js')).asffReporter,
};

/** The reporters of `formats`, by format. */
export async function loadReporters(formats: readonly Format[]): Promise<Partial<Record<Format, Reporter>>> {
  const unique = [...new Set(formats)];
  const loaded = await Promise.all(unique.map((format) => LOADERS[format]()));
  return Object.fromEntries(unique.map((format, i) => [format, loaded[i]!]));
}
