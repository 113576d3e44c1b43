/** The CLI in process: argv -> exit code and what it printed, at a fixed time, in a chosen folder. */
import { run, type CliIo } from '../../src/cli/main.js';

export const FIXED_NOW = new Date('2026-11-02T09:00:00.000Z');
/** Reports carry a run id; a fixed one keeps two runs' files byte-comparable. */
export const FIXED_RUN_ID = '00000000-0000-4000-8000-000000000000';

export async function runCli(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; runId?: string; signal?: AbortSignal; now?: Date } = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    isTTY: false,
    env: options.env ?? {},
    columns: 120,
    now: () => options.now ?? FIXED_NOW,
    runId: () => options.runId ?? FIXED_RUN_ID,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const previous = process.cwd();
  if (options.cwd) process.chdir(options.cwd);
  try {
    const code = await run([...args], io);
    return { code, stdout, stderr };
  } finally {
    process.chdir(previous);
  }
}
