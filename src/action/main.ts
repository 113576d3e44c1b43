// The Action's entry (action.yml `runs.main` is its bundle, dist/action.js): wire the runner to
// run() and nothing else. core.setFailed sets the exit code; nothing here exits the process.
import * as core from '@actions/core';
import { run } from './run.js';

await run(core, {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
  now: () => new Date(),
});
