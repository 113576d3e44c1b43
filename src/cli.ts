#!/usr/bin/env node
// The bin: wire the process to run() and nothing else (STYLE habit 8).
import { toolVersion } from './package-root.js';

const argv = process.argv.slice(2);

// A reader that stops early (`trailwarden rules | head -1`) closes the pipe: end quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const controller = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130); // a second Ctrl-C does not wait
  interrupted = true;
  process.stderr.write('\ntrailwarden: stopping (Ctrl-C again to force)\n');
  controller.abort();
});

// `--version` alone answers before the command-line program (commander, every command's options)
// loads; what it prints is what commander's `.version()` prints. Everything else goes to run().
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(`${toolVersion()}\n`);
} else {
  const { run } = await import('./cli/main.js');
  process.exitCode = await run(argv, {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: !!process.stderr.isTTY && !!process.stdout.isTTY,
    env: process.env,
    columns: process.stdout.columns ?? 100,
    now: () => new Date(),
    signal: controller.signal,
  });
}
