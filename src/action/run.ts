/**
 * The Action: inputs -> run options -> the library's scan -> outputs, job summary, annotations,
 * step result (SPEC §7). Everything the Action does to the workflow goes through `core`, which tests replace
 * with a typed fake. Reports are written before anything can fail the step.
 */
import type { AnnotationProperties } from '@actions/core';
import path from 'node:path';
import { UserError, formatDiagnostic, type Diagnostic } from '../errors.js';
import { renderSummary } from '../reporters/summary.js';
import { displayText } from '../reporters/text-safety.js';
import { scanRun, type RunIo, type ScanOutcome } from '../run/scan.js';
import { ANNOTATION_LIMIT, actionOutputs, failureAnnotations, incompleteAnnotation, unevaluatedNotice, type Annotation } from './publish.js';
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

/**
 * The default of the `iac` input: the checked-out repository, when it holds Terraform or
 * CloudFormation, named relative to the working directory so SARIF locations are repo-relative.
 */
async function workspaceIac(env: Record<string, string | undefined>): Promise<string[] | undefined> {
  const workspace = env.GITHUB_WORKSPACE;
  if (!workspace) return undefined;
  const { containsIac } = await import('../iac/index.js');
  if (!(await containsIac(workspace))) return undefined;
  return [path.relative(process.cwd(), workspace) || '.'];
}

/** Columns of the console report in the job log. */
const LOG_COLUMNS = 120;

export async function run(core: ActionCore, io: ActionIo): Promise<void> {
  // The job log is not a terminal: plain progress lines, no colour.
  const runIo: RunIo = { stdout: io.stdout, stderr: io.stderr, color: false, progressBar: false, width: LOG_COLUMNS, now: io.now };
  let outcome: ScanOutcome;
  let allowIncomplete: boolean;
  try {
    const given = readInputs(core);
    allowIncomplete = given.allowIncomplete ?? false;
    outcome = await scanRun(given, runIo, { nameOf: inputNameOf, defaultIac: () => workspaceIac(io.env) });
  } catch (err) {
    failOnError(core, err);
    return;
  }
  for (const [name, value] of Object.entries(actionOutputs(outcome.results, outcome.files))) core.setOutput(name, value);
  await writeJobSummary(core, renderSummary(outcome.results));
  const incomplete = incompleteAnnotation(outcome.results);
  // GitHub shows ten error annotations per step: the incomplete scope takes one of them.
  const annotations = failureAnnotations(outcome.results, incomplete ? ANNOTATION_LIMIT - 1 : ANNOTATION_LIMIT);
  const notice = unevaluatedNotice(outcome.results);
  for (const annotation of [...(incomplete ? [incomplete] : []), ...annotations, ...(notice ? [notice] : [])]) annotate(core, annotation);
  const failing = outcome.results.findings.filter((finding) => finding.status === 'fail' && !finding.suppression).length;
  if (failing > annotations.length) core.info(`trailwarden: ${failing - annotations.length} more failing findings are in the job summary and ${outcome.files.html ?? 'report.html'}`);
  const reasons = [
    ...(outcome.exitCode === 1
      ? [outcome.failOnNew ? `new findings since the baseline fail at or above fail-on: ${outcome.failOn} (see the job summary)` : `findings fail at or above fail-on: ${outcome.failOn} (see the job summary)`]
      : []),
    // Code scanning closes every alert an upload does not repeat: a SARIF of a partial scope would
    // close the alerts of the resources the scan could not see, so the step fails before upload-sarif.
    ...(outcome.results.incomplete && !allowIncomplete
      ? [`the scan is incomplete (${outcome.results.incomplete.gaps.length} part(s) of the scope could not be enumerated); uploading its SARIF would close alerts of resources it could not see. Fix the access and scan again, or set allow-incomplete: true to accept it`]
      : []),
    ...(outcome.saveSnapshotError ? [[outcome.saveSnapshotError.message, ...outcome.saveSnapshotError.diagnostics.map(formatDiagnostic)].join('\n')] : []),
  ];
  if (reasons.length > 0) core.setFailed(`trailwarden: ${reasons.join('; ')}`);
}

/** The annotations of publish.ts arrive with their message and title already neutralized (displayText). */
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
  err.diagnostics.slice(0, ANNOTATION_LIMIT).forEach((diagnostic) => core.error(displayText(diagnostic.message), diagnosticLocation(diagnostic)));
  core.setFailed([`trailwarden: ${displayText(err.message)}`, ...err.diagnostics.map((diagnostic) => displayText(formatDiagnostic(diagnostic)))].join('\n'));
}

function diagnosticLocation(diagnostic: Diagnostic): AnnotationProperties {
  return {
    title: diagnostic.code,
    file: diagnostic.file,
    ...(diagnostic.line > 0 ? { startLine: diagnostic.line, ...(diagnostic.column > 0 ? { startColumn: diagnostic.column } : {}) } : {}),
  };
}
