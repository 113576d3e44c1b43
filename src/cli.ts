#!/usr/bin/env node
// The bin: wire the process to run() and nothing else (STYLE habit 8).
import { run } from './cli/main.js';

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

process.exitCode = await run(process.argv.slice(2), {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  isTTY: !!process.stderr.isTTY && !!process.stdout.isTTY,
  env: process.env,
  columns: process.stdout.columns ?? 100,
  now: () => new Date(),
  signal: controller.signal,
});
