/**
 * `trailwarden init`: a starter trailwarden.config.yaml, a policies/ folder with one example rule
 * and its cases, and the scheduled workflow of the README, written into a folder (the current one
 * by default). An existing file is never overwritten: it is skipped, and the output says so.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { describeFsError, makeDirs } from '../files.js';
import config from '../../templates/init/trailwarden.config.yaml?raw';
import rule from '../../templates/init/policies/custom/trail-owner-tag.yaml?raw';
import cases from '../../templates/init/policies/custom/trail-owner-tag.cases.yaml?raw';
import workflow from '../../templates/init/trailwarden.yml?raw';

/** What init writes, relative to the target folder. */
export const INIT_FILES: readonly { file: string; text: string }[] = [
  { file: 'trailwarden.config.yaml', text: config },
  { file: 'policies/custom/trail-owner-tag.yaml', text: rule },
  { file: 'policies/custom/trail-owner-tag.cases.yaml', text: cases },
  { file: '.github/workflows/trailwarden.yml', text: workflow },
];

export interface InitOutcome {
  written: string[];
  skipped: string[];
}

/** Create each file exclusively (O_EXCL): an existing file, even one created meanwhile, is kept. */
export async function initRun(dir: string, io: { stdout: (t: string) => void; stderr: (t: string) => void }): Promise<{ exitCode: number; outcome: InitOutcome }> {
  const outcome: InitOutcome = { written: [], skipped: [] };
  for (const { file, text } of INIT_FILES) {
    const target = path.join(dir, file);
    try {
      await makeDirs(path.dirname(target));
      const handle = await open(target, 'wx');
      try {
        await handle.writeFile(text, 'utf8');
      } finally {
        await handle.close();
      }
      outcome.written.push(file);
      io.stdout(`wrote   ${file}\n`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        outcome.skipped.push(file);
        io.stdout(`skipped ${file} (it exists; left unchanged)\n`);
        continue;
      }
      if (err instanceof UserError) throw err;
      throw new UserError(`cannot write ${target}`, [{ file: target, line: 0, column: 0, code: 'output/unwritable', message: describeFsError(err) }]);
    }
  }
  if (outcome.written.length) {
    io.stdout('\nNext: trailwarden test policies   (run the example rule\'s cases)\n      trailwarden scan --demo --policies policies   (see it in a report without AWS)\n');
    io.stdout('      then edit .github/workflows/trailwarden.yml: the role ARN, account id and TRAILWARDEN_COMMIT (see the README).\n');
  }
  return { exitCode: 0, outcome };
}
