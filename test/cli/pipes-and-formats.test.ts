/** What a shell user runs into first: a reader that stops early, and how formats are spelled. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';

const CLI = path.resolve(import.meta.dirname, '../../dist/cli.js');

describe('a closed stdout', () => {
  it('ends `rules | head -1` quietly with exit 0, not an unhandled EPIPE', async () => {
    const child = spawn(process.execPath, [CLI, 'rules'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Read the first chunk, then close the pipe as `head -1` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});

describe('--format', () => {
  it('takes format names in any case', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'tw-format-'));
    const result = await runCli(['scan', '--demo', '--format', 'SARIF,Json', '--out-dir', out]);
    expect(result.code).toBe(1);
    expect(readdirSync(out).filter((name) => !name.startsWith('.')).sort()).toEqual(['results.json', 'results.sarif']);
  });

  it('refuses an empty list with exit 2 instead of writing nothing', async () => {
    const result = await runCli(['scan', '--demo', '--format', '']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('lists no format');
  });
});

describe('a console-only run', () => {
  it('does not send the reader to a report.html it did not write', async () => {
    const consoleOnly = await runCli(['scan', '--demo', '--format', 'console']);
    expect(consoleOnly.stdout).not.toContain('see report.html');
    expect(consoleOnly.stdout).toContain('add --format html for the full list');
    const out = mkdtempSync(path.join(tmpdir(), 'tw-format-'));
    const withJson = await runCli(['scan', '--demo', '--format', 'console,json', '--out-dir', out]);
    expect(withJson.stdout).toContain('(see results.json)');
  });
});
