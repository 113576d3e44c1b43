import { readTextInput, stripBom, writeAtomically } from '../files.js';
import { parse as parseTolerant, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { UserError, lineColumnAt, type Diagnostic } from '../errors.js';
import { snapshotValidator, formatInstancePath } from './validate.js';
import { MAX_JSON_DEPTH, findStructureProblem, formatJsonPath, type StructureProblem } from './structure.js';
import type { Snapshot } from './schema.js';

/** A located diagnostic for a duplicate key or too-deep nesting found by findStructureProblem. */
export function structureDiagnostic(text: string, file: string, problem: StructureProblem, code: string, maxDepth = MAX_JSON_DEPTH): Diagnostic {
  const { line, column } = lineColumnAt(text, problem.offset);
  const message =
    problem.kind === 'duplicate-key'
      ? `duplicate key ${JSON.stringify(problem.key)} in ${formatJsonPath(problem.path)} (JSON readers disagree on which one counts)`
      : `nesting deeper than ${maxDepth} levels at ${formatJsonPath(problem.path)}`;
  return { file, line, column, code: `${code}/${problem.kind}`, message };
}

/** Parse and validate snapshot text; every problem is a located diagnostic, never a stack trace. */
export function parseSnapshot(input: string, file: string): Snapshot {
  const text = stripBom(input);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // JSON.parse's message has no reliable position on every Node version; a second, tolerant
    // parse finds the first problem's offset. Comments and trailing commas stay errors here.
    // The tolerant parser recurses, so too-deep text is reported as such before it is tried.
    const deep = findStructureProblem(text);
    if (deep?.kind === 'too-deep') throw new UserError(`${file} is not valid JSON`, [structureDiagnostic(text, file, deep, 'snapshot')]);
    const errors: ParseError[] = [];
    parseTolerant(text, errors, { allowTrailingComma: false, disallowComments: true });
    const first = errors[0];
    const { line, column } = first ? lineColumnAt(text, first.offset) : { line: 0, column: 0 };
    const reason = first ? printParseErrorCode(first.error) : err instanceof Error ? err.message : String(err);
    throw new UserError(`${file} is not valid JSON`, [{ file, line, column, code: 'snapshot/json', message: `not valid JSON: ${reason}` }]);
  }
  const problem = findStructureProblem(text);
  if (problem) throw new UserError(problem.kind === 'duplicate-key' ? `${file} has a duplicate key` : `${file} nests too deeply`, [structureDiagnostic(text, file, problem, 'snapshot')]);
  const validate = snapshotValidator();
  if (!validate(data)) {
    const version = typeof data === 'object' && data !== null ? (data as { schemaVersion?: unknown }).schemaVersion : undefined;
    const diagnostics: Diagnostic[] = (validate.errors ?? []).slice(0, 50).map((e) => ({
      file,
      line: 0,
      column: 0,
      code: 'snapshot/schema',
      message: `${formatInstancePath(e.instancePath)} ${e.message ?? 'is invalid'}${e.params && 'allowedValue' in e.params ? ` (${JSON.stringify(e.params.allowedValue)})` : ''}${e.params && 'additionalProperty' in e.params ? ` ('${String(e.params.additionalProperty)}')` : ''}`,
    }));
    const hint = version !== undefined && version !== '1.0' ? ` (schemaVersion ${JSON.stringify(version)} is not supported; this trailwarden reads 1.0)` : '';
    throw new UserError(`${file} does not match the snapshot schema${hint}`, diagnostics);
  }
  return data as Snapshot;
}

export async function readSnapshot(file: string): Promise<Snapshot> {
  return parseSnapshot(await readTextInput(file, { code: 'snapshot', what: 'snapshot' }), file);
}

/** Written through a temporary file and a rename: a full disk never leaves half a snapshot. */
export async function writeSnapshot(file: string, snapshot: Snapshot): Promise<void> {
  await writeAtomically(file, `${JSON.stringify(snapshot, null, 2)}\n`);
}
