import { Command } from 'commander';
import type { CliIo } from '../io.js';

export function testCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('test')
    .description("run the cases next to policies (<rule>.cases.yaml): exit 0 all hold, 1 a case fails, 2 a policy or cases file is invalid")
    .argument('[paths...]', 'policy files or folders (default: the built-in policies)')
    .option('--update', "write the actual verdicts into the cases that have no expect block (review them before committing)")
    .action(async (paths: string[], flags: { update?: boolean }) => setExit(await (await import('../../run/test-cases.js')).testRun(paths, { update: flags.update === true }, io)));
}
