/** The CLI in process: argv -> exit code and what it printed, at a fixed time, in a chosen folder. */
import { run, type CliIo } from '../../src/cli/main.js';

export const FIXED_NOW = new Date('2026-11-02T09:00:00.000Z');

export async function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    isTTY: false,
    env: options.env ?? {},
    columns: 120,
    now: () => FIXED_NOW,
  };
  const previous = process.cwd();
  if (options.cwd) process.chdir(options.cwd);
  try {
    const code = await run(args, io);
    return { code, stdout, stderr };
  } finally {
    process.chdir(previous);
  }
}
