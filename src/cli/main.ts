/**
 * argv -> options -> library -> exit code (STYLE habit 8). A table of commands, one file each
 * under commands/; the bin calls `run` and sets process.exitCode; nothing here exits the process.
 */
import { Command, CommanderError } from 'commander';
import { AbortedError, UserError, formatDiagnostic } from '../errors.js';
import { toolVersion } from '../package-root.js';
import { diffCommand } from './commands/diff.js';
import { explainCommand } from './commands/explain.js';
import { initCommand } from './commands/init.js';
import { mergeCommand } from './commands/merge.js';
import { permissionsCommand } from './commands/permissions.js';
import { rulesCommand } from './commands/rules.js';
import { scanCommand } from './commands/scan.js';
import { testCommand } from './commands/test.js';
import { validateCommand } from './commands/validate.js';
import type { CliIo } from './io.js';

export type { CliIo } from './io.js';

type CommandFactory = (io: CliIo, setExit: (code: number) => void) => Command;

/** Every command, in the order of `trailwarden --help`. */
const COMMANDS: readonly CommandFactory[] = [scanCommand, validateCommand, testCommand, explainCommand, initCommand, rulesCommand, permissionsCommand, mergeCommand, diffCommand];

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('trailwarden')
    .description('Policy-as-code compliance scanner for AWS CloudTrail across an AWS Organization.')
    .version(toolVersion(), '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  for (const command of COMMANDS) program.addCommand(command(io, setExit).copyInheritedSettings(program));
  return program;
}

/** Run the CLI; returns the exit code (SPEC §2). */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are successes; every other parse problem is a usage error.
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2;
    }
    if (err instanceof UserError) {
      io.stderr(`trailwarden: ${err.message}\n`);
      for (const d of err.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
      return 2;
    }
    if (err instanceof AbortedError || (err instanceof Error && err.name === 'AbortError')) {
      io.stderr('trailwarden: interrupted; no report was written for this run\n');
      return 130;
    }
    io.stderr(`trailwarden: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 70;
  }
}
