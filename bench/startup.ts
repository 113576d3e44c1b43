/**
 * Startup benchmark: whole-process wall time and peak RSS of the built CLI's light commands, each
 * as a ratio to `node -e 0` measured in the same run, the commands taken in turn (round robin) so
 * the load of a shared machine falls on all of them alike. Best of N; the median is printed too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export interface StartupMeasurement {
  name: string;
  command: string;
  wallSeconds: number;
  wallSecondsMedian: number;
  /** NaN where /usr/bin/time is missing. */
  peakRssMb: number;
  /** wallSeconds / the `node -e 0` row's wallSeconds of the same run. */
  ratioToNode: number;
}

const TIME = '/usr/bin/time';

function once(args: readonly string[], cwd: string): { seconds: number; rssMb: number } {
  const withTime = existsSync(TIME);
  const start = performance.now();
  const run = withTime ? spawnSync(TIME, ['-f', '%M', process.execPath, ...args], { cwd, encoding: 'utf8' }) : spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  const seconds = (performance.now() - start) / 1000;
  if (run.status !== 0 && run.status !== 1) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  const kb = withTime ? Number(run.stderr.trim().split('\n').at(-1)) : NaN;
  return { seconds, rssMb: kb / 1024 };
}

export function benchStartup(root: string, runs: number): StartupMeasurement[] {
  const cli = path.join(root, 'dist', 'cli.js');
  const out = mkdtempSync(path.join(tmpdir(), 'trailwarden-startup-'));
  const commands: { name: string; args: string[] }[] = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: '--version', args: [cli, '--version'] },
    { name: '--help', args: [cli, '--help'] },
    { name: 'scan --demo --format json', args: [cli, 'scan', '--demo', '--format', 'json', '--out-dir', out] },
    { name: 'validate', args: [cli, 'validate'] },
    { name: 'rules', args: [cli, 'rules'] },
    { name: 'permissions', args: [cli, 'permissions'] },
  ];
  const samples = commands.map(() => ({ seconds: [] as number[], rssMb: 0 }));
  try {
    for (const command of commands) once(command.args, root); // warm the file cache
    for (let run = 0; run < runs; run++) {
      commands.forEach((command, i) => {
        const { seconds, rssMb } = once(command.args, root);
        samples[i]!.seconds.push(seconds);
        samples[i]!.rssMb = Math.max(samples[i]!.rssMb, rssMb);
      });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const best = samples.map((s) => Math.min(...s.seconds));
  return commands.map((command, i) => {
    const sorted = [...samples[i]!.seconds].sort((a, b) => a - b);
    return {
      name: `startup ${command.name}`,
      command: command.name,
      wallSeconds: best[i]!,
      wallSecondsMedian: sorted[Math.floor(sorted.length / 2)]!,
      peakRssMb: samples[i]!.rssMb,
      ratioToNode: best[i]! / best[0]!,
    };
  });
}
