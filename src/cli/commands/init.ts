import { Command } from 'commander';
import type { CliIo } from '../io.js';

export function initCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('init')
    .description('write a starter trailwarden.config.yaml, policies/ with one example rule and its cases, and the scheduled workflow; never overwrites a file')
    .option('--dir <folder>', 'where to write (default: the current folder)', '.')
    .action(async (flags: { dir: string }) => setExit((await (await import('../../run/init.js')).initRun(flags.dir, io)).exitCode));
}
