import { Command, Option } from 'commander';
import { DRIFT_FORMATS, type DriftFormat } from '../../reporters/formats.js';
import type { CliIo } from '../io.js';

interface DiffFlags {
  format: DriftFormat;
  policies?: string[];
  pack?: string;
  config?: string;
}

export function diffCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('diff')
    .description('configuration drift between two snapshots, fact by fact, and the verdicts it changed')
    .argument('<old>', 'the earlier snapshot')
    .argument('<new>', 'the later snapshot')
    .addOption(new Option('--format <format>', 'output format').choices([...DRIFT_FORMATS]).default('text'))
    .option('--policies <path>', 'extra policy file or folder (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--pack <name>', 'evaluate only the rules of a framework pack')
    .option('--config <file>', 'configuration file (rule parameters, suppressions)')
    .action(async (oldFile: string, newFile: string, flags: DiffFlags) => {
      const { diffRun } = await import('../../run/diff.js');
      const outcome = await diffRun(oldFile, newFile, { format: flags.format, ...(flags.policies ? { policies: flags.policies } : {}), ...(flags.pack ? { pack: flags.pack } : {}), ...(flags.config ? { config: flags.config } : {}) }, { stdout: io.stdout, stderr: io.stderr, now: io.now });
      setExit(outcome.exitCode);
    });
}
