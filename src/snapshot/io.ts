import { readFile, writeFile } from 'node:fs/promises';
import { UserError, lineColumnAt, type Diagnostic } from '../errors.js';
import { snapshotValidator, formatInstancePath } from './validate.js';
import type { Snapshot } from './schema.js';

/** Parse and validate snapshot text; every problem is a located diagnostic, never a stack trace. */
export function parseSnapshot(text: string, file: string): Snapshot {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const position = /position (\d+)/.exec(message);
    const { line, column } = position ? lineColumnAt(text, Number(position[1])) : { line: 0, column: 0 };
    throw new UserError(`${file} is not valid JSON`, [
      { file, line, column, code: 'snapshot/json', message: `not valid JSON: ${message.replace(/^JSON\.parse: /, '')}` },
    ]);
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
