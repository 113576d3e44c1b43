/**
 * The Action: inputs -> run options -> the library's scan -> outputs, job summary, annotations,
 * step result (SPEC §7). Everything the Action does to the workflow goes through `core`, which tests replace
 * with a typed fake. Reports are written before anything can fail the step.
 */
import type { AnnotationProperties } from '@actions/core';
import { UserError, formatDiagnostic, type Diagnostic } from '../errors.js';
import { renderSummary } from '../reporters/summary.js';
import { scanRun, type RunIo, type ScanOutcome } from '../run/scan.js';
import { ANNOTATION_LIMIT, actionOutputs, failureAnnotations, unevaluatedNotice, type Annotation } from './publish.js';
import { inputNameOf, readInputs } from './inputs.js';

/** The part of @actions/core the Action uses. */
export interface ActionCore {
  getInput(name: string): string;
  setOutput(name: string, value: string): void;
  setFailed(message: string): void;
  error(message: string, properties?: AnnotationProperties): void;
  warning(message: string, properties?: AnnotationProperties): void;
  notice(message: string, properties?: AnnotationProperties): void;
  info(message: string): void;
  summary: { addRaw(text: string, addEOL?: boolean): unknown; write(): Promise<unknown> };
}

export interface ActionIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  now: () => Date;
}

/** Columns of the console report in the job log. */
const LOG_COLUMNS = 120;

export async function run(core: ActionCore, io: ActionIo): Promise<void> {
  // The job log is not a terminal: plain progress lines, no colour.
  const runIo: RunIo = { stdout: io.stdout, stderr: io.stderr, color: false, progressBar: false, width: LOG_COLUMNS, now: io.now };
  let outcome: ScanOutcome;
  try {
    outcome = await scanRun(readInputs(core), runIo, { nameOf: inputNameOf });
  } catch (err) {
    failOnError(core, err);
    return;
  }
  for (const [name, value] of Object.entries(actionOutputs(outcome.results, outcome.files))) core.setOutput(name, value);
  await writeJobSummary(core, renderSummary(outcome.results));
  const annotations = failureAnnotations(outcome.results);
  const notice = unevaluatedNotice(outcome.results);
  for (const annotation of notice ? [...annotations, notice] : annotations) annotate(core, annotation);
  const failing = outcome.results.findings.filter((finding) => finding.status === 'fail' && !finding.suppression).length;
  if (failing > annotations.length) core.info(`trailwarden: ${failing - annotations.length} more failing findings are in the job summary and ${outcome.files.html ?? 'report.html'}`);
  if (outcome.exitCode === 1) core.setFailed(`trailwarden: findings fail at or above fail-on: ${outcome.failOn} (see the job summary)`);
  if (outcome.saveSnapshotError) core.setFailed([`trailwarden: ${outcome.saveSnapshotError.message}`, ...outcome.saveSnapshotError.diagnostics.map(formatDiagnostic)].join('\n'));
}

function annotate(core: ActionCore, annotation: Annotation): void {
  core[annotation.level](annotation.message, annotation.properties);
}

async function writeJobSummary(core: ActionCore, markdown: string): Promise<void> {
  try {
    await core.summary.addRaw(markdown, true);
    await core.summary.write();
  } catch (err) {
    // Outside a runner there is no summary file; the reports are written, so the scan stands.
    core.warning(`trailwarden: job summary not written: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A problem the user can fix fails the step with its located diagnostics, policy files annotated. */
function failOnError(core: ActionCore, err: unknown): void {
  if (!(err instanceof UserError)) {
    core.setFailed(`trailwarden: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return;
  }
  err.diagnostics.slice(0, ANNOTATION_LIMIT).forEach((diagnostic) => core.error(diagnostic.message, diagnosticLocation(diagnostic)));
  core.setFailed([`trailwarden: ${err.message}`, ...err.diagnostics.map(formatDiagnostic)].join('\n'));
}

function diagnosticLocation(diagnostic: Diagnostic): AnnotationProperties {
  return {
    title: diagnostic.code,
    file: diagnostic.file,
    ...(diagnostic.line > 0 ? { startLine: diagnostic.line, ...(diagnostic.column > 0 ? { startColumn: diagnostic.column } : {}) } : {}),
  };
}
