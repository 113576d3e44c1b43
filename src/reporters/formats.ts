/** The output format names, apart from the reporters so that options and help load no reporter. */
export const FORMATS = ['console', 'json', 'sarif', 'html', 'summary', 'csv', 'junit', 'ocsf', 'asff'] as const;
export type Format = (typeof FORMATS)[number];

/**
 * SPEC §2: `--format` defaults to the formats of the first release but the job summary; the
 * formats other tools ingest (csv, junit, ocsf, asff) are written when asked for.
 */
export const DEFAULT_FORMATS: readonly Format[] = ['console', 'json', 'sarif', 'html'];

/**
 * The file each format writes into --out-dir (none for the console), known without loading its
 * reporter: a run loads only the reporters of the formats it writes (`loadReporters`). The
 * reporters take their own fileName from here.
 */
export const REPORT_FILE_NAMES = {
  console: undefined,
  json: 'results.json',
  sarif: 'results.sarif',
  html: 'report.html',
  summary: 'summary.md',
  csv: 'results.csv',
  junit: 'results.junit.xml',
  ocsf: 'results.ocsf.json',
  asff: 'results.asff.json',
} as const satisfies Readonly<Record<Format, string | undefined>>;

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

/** `trailwarden diff --format`. */
export const DRIFT_FORMATS = ['text', 'markdown', 'json', 'html'] as const;
export type DriftFormat = (typeof DRIFT_FORMATS)[number];
