/**
 * --iac: reads the Terraform and CloudFormation definitions under the paths and gives each finding
 * of a resource defined there its location (results.json `iac`, SARIF's physical location). File
 * names are relative to the current directory, the repository root in the Action and in CI.
 */
import { stat } from 'node:fs/promises';
import { UserError, formatDiagnostic, type Diagnostic } from '../errors.js';
import { describeFsError } from '../files.js';
import type { Results } from '../results.js';
import type { Snapshot } from '../snapshot/schema.js';

export async function withIac(results: Results, snapshot: Snapshot, paths: readonly string[], io: { stderr: (text: string) => void }, base: string = process.cwd()): Promise<Results> {
  const missing: Diagnostic[] = [];
  for (const given of paths) {
    await stat(given).catch((err: unknown) => missing.push({ file: given, line: 0, column: 0, code: 'iac/not-found', message: describeFsError(err) }));
  }
  if (missing.length) throw new UserError(`--iac names ${missing.length === 1 ? 'a path' : 'paths'} that cannot be read`, missing);
  // The parsers (and the HCL grammar's WebAssembly) load only when a run reads infrastructure code.
  const { readIac, matchFindings } = await import('../iac/index.js');
  const index = await readIac(paths, { base });
  for (const d of index.diagnostics) io.stderr(`warning: ${formatDiagnostic(d)}\n`);
  const { findings, summary } = matchFindings(results.findings, index, snapshot);
  return { ...results, findings, iac: summary };
}
