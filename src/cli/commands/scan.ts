import { Command } from 'commander';
import type { RunOptions } from '../../options/schema.js';
import { announceFiles, announceGate, runIo, type CliIo } from '../io.js';
import { addRunOptions } from '../options.js';

export function scanCommand(io: CliIo, setExit: (code: number) => void): Command {
  return addRunOptions(new Command('scan').description('collect (or load --snapshot / --demo), evaluate the policies and write reports'), 'scan').action(
    async (given: RunOptions) => {
      // The run library (engine, reporters, policies) loads only when the command runs, not for --help.
      const { scanRun } = await import('../../run/scan.js');
      const outcome = await scanRun(given, runIo(io));
      announceFiles(outcome.files, io);
      announceGate(outcome.gate, io);
      setExit(outcome.exitCode);
    },
  );
}
