/** What the CLI needs of the process; the bin fills it in, tests fake it. */
import type { Gate } from '../run/gate.js';
import type { RunIo } from '../run/scan.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress bar) and stdout supports colour. */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  columns: number;
  now: () => Date;
  signal?: AbortSignal;
  /** The run id every report carries; a random UUID unless a test fixes it. */
  runId?: () => string;
}

/** What the library may do with the terminal: colour only on a TTY that allows it. */
export function runIo(io: CliIo): RunIo {
  const color = io.isTTY && !('NO_COLOR' in io.env && io.env.NO_COLOR !== '') && io.env.TERM !== 'dumb';
  return { stdout: io.stdout, stderr: io.stderr, color, progressBar: io.isTTY, width: io.columns, now: io.now, ...(io.signal ? { signal: io.signal } : {}), ...(io.runId ? { runId: io.runId } : {}) };
}

/** Why the exit code is what it is, and any incompleteness the gate accepted: never silent. */
export function announceGate(gate: Gate, io: CliIo): void {
  if (gate.reasons.length > 0) io.stderr(`trailwarden: exit ${gate.exitCode}: ${gate.reasons.join('; ')}\n`);
  if (gate.accepted) io.stderr(`trailwarden: note: ${gate.accepted}\n`);
}

export function announceFiles(files: Record<string, string | undefined>, io: CliIo): void {
  const written = Object.values(files).filter((file): file is string => file !== undefined);
  if (written.length) io.stderr(`trailwarden: wrote ${written.join(', ')}\n`);
}
