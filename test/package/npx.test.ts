/**
 * SLOW (tens of seconds: npm pack, then npm install of the tarball and its dependencies from the
 * npm cache or registry). The published package works with `npx trailwarden` from an empty folder:
 * the tarball holds the bin with its shebang, the policies, report templates and demo snapshot,
 * and the bundle imports nothing that only development installs.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseResultsJson } from '../support/results-json.js';

const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const NPM_ENV = {
  ...process.env,
  // Dependencies come from the npm cache when they are there (CI has just run npm ci).
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  npm_config_loglevel: 'error',
};

interface PackedFile {
  path: string;
  mode: number;
}

let tarball: string;
let packed: PackedFile[];

beforeAll(async () => {
  // The package ships the CLI bundle of the sources under test.
  await exec(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), 'cli'], { cwd: ROOT });
  const destination = mkdtempSync(path.join(tmpdir(), 'trailwarden-pack-'));
  const { stdout } = await exec('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], { cwd: ROOT, env: NPM_ENV });
  const [report] = JSON.parse(stdout) as { filename: string; files: PackedFile[] }[];
  tarball = path.join(destination, report!.filename);
  packed = report!.files;
}, 120_000);

describe('the npm package (slow: npm pack + npm install)', () => {
  it('holds the bin, the policies, the report templates and the demo, and no sources or tests', () => {
    const files = packed.map((file) => file.path);
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const bin = manifest.bin.trailwarden!;
    expect(files).toContain(bin);
    expect(readFileSync(path.join(ROOT, bin), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    // The bin's chunks (code splitting: the AWS SDK and the run library load when a command needs them).
    expect(files.some((file) => /^dist\/cli-chunks\/.+\.js$/.test(file))).toBe(true);
    expect(files).toContain('policies/trail/log-file-validation.yaml');
    expect(files.filter((file) => file.startsWith('policies/packs/')).length).toBeGreaterThan(0);
    expect(files).toContain('examples/demo/snapshot.json');
    expect(files).toContain('schemas/snapshot.schema.json');
    expect(files.some((file) => file.startsWith('src/') || file.startsWith('test/'))).toBe(false);
  });

  it(
    'runs `npx trailwarden scan --demo` in an empty folder',
    async () => {
      const project = mkdtempSync(path.join(tmpdir(), 'trailwarden-npx-'));
      await exec('npm', ['install', '--no-save', '--no-package-lock', tarball], { cwd: project, env: NPM_ENV, timeout: 150_000 });
      // No exec of a shell: reject() carries the exit code when the scan exits non-zero.
      const scan = await exec('npx', ['--no-install', 'trailwarden', 'scan', '--demo', '--out-dir', 'out', '--format', 'console,json'], { cwd: project, env: NPM_ENV }).then(
        (done) => ({ code: 0, ...done }),
        (failed: { code: number; stdout: string; stderr: string }) => failed,
      );
      expect(scan.stderr).not.toMatch(/internal error|ERR_MODULE_NOT_FOUND|Cannot find/);
      expect(scan.code).toBe(1); // the demo has high-severity failures
      expect(scan.stdout).toMatch(/fail/i);
      expect(existsSync(path.join(project, 'out', 'results.json'))).toBe(true);
      const results = parseResultsJson(readFileSync(path.join(project, 'out', 'results.json'), 'utf8'));
      expect(results.tool).toEqual({ name: 'trailwarden', version: (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version });
      expect(results.rules.length).toBeGreaterThan(0);
      expect(results.rules.every((rule) => rule.source.file.startsWith('policies/'))).toBe(true);

      const version = await exec('npx', ['--no-install', 'trailwarden', '--version'], { cwd: project, env: NPM_ENV });
      expect(version.stdout.trim()).toBe(results.tool.version);
    },
    180_000,
  );
});
