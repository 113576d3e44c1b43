import { readFile, writeFile } from 'node:fs/promises';
import { parse as parseTolerant, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { UserError, lineColumnAt, type Diagnostic } from '../errors.js';
import { snapshotValidator, formatInstancePath } from './validate.js';
import type { Snapshot } from './schema.js';

/** Parse and validate snapshot text; every problem is a located diagnostic, never a stack trace. */
export function parseSnapshot(text: string, file: string): Snapshot {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // JSON.parse's message has no reliable position on every Node version; a second, tolerant
    // parse finds the first problem's offset. Comments and trailing commas stay errors here.
    const errors: ParseError[] = [];
    parseTolerant(text, errors, { allowTrailingComma: false, disallowComments: true });
    const first = errors[0];
    const { line, column } = first ? lineColumnAt(text, first.offset) : { line: 0, column: 0 };
    const reason = first ? printParseErrorCode(first.error) : err instanceof Error ? err.message : String(err);
    throw new UserError(`${file} is not valid JSON`, [{ file, line, column, code: 'snapshot/json', message: `not valid JSON: ${reason}` }]);
  }
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
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read snapshot ${file}`, [
      { file, line: 0, column: 0, code: 'snapshot/unreadable', message: code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? 'error'})` },
    ]);
  }
  return parseSnapshot(text, file);
}

export async function writeSnapshot(file: string, snapshot: Snapshot): Promise<void> {
  await writeFile(file, `${JSON.stringify(snapshot, null, 2)}\n`, 'utf8');
}
