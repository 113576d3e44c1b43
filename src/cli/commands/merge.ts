import { Command } from 'commander';
import type { RunOptions } from '../../options/schema.js';
import { announceFiles, announceGate, runIo, type CliIo } from '../io.js';
import { addRunOptions } from '../options.js';

export function mergeCommand(io: CliIo, setExit: (code: number) => void): Command {
  return addRunOptions(
    new Command('merge')
      .description('combine the snapshots (or results.json files) of the shards of a scan into one set of reports')
      .argument('<files...>', 'snapshots (--save-snapshot) or results.json files of the shards, all of one kind'),
    'merge',
  ).action(async (files: string[], given: RunOptions) => {
    const { mergeRun } = await import('../../run/merge.js');
    const outcome = await mergeRun(files, given, runIo(io));
    announceFiles(outcome.files, io);
    announceGate(outcome.gate, io);
    setExit(outcome.exitCode);
  });
}
