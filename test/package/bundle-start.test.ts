/**
 * The CLI bundle starts paying only for what a command uses (issue 15): the entry module and the
 * chunks it imports statically load no AWS SDK, no ajv compiler and no reporter; `--version` is
 * answered before commander loads; and the validators compiled at build time (ajv standalone code)
 * report exactly what the sources' run-time compiled validators report.
 */
import { execFile } from 'node:child_process';
import { isBuiltin } from 'node:module';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';

const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
// Inside the package, so the bundle finds package.json, the policies and node_modules by walking up.
const OUT = path.join(ROOT, '.trailwarden-tmp', `bundle-start-${process.pid}`);
const CLI = path.join(OUT, 'cli.js');

interface Metafile {
  outputs: Record<string, { imports: { path: string; kind: string }[]; inputs: Record<string, unknown> }>;
}
let metafile: Metafile;

beforeAll(async () => {
  const { buildCli } = (await import(path.join(ROOT, 'scripts', 'build.mjs'))) as { buildCli: (outdir: string) => Promise<Metafile> };
  metafile = await buildCli(OUT);
}, 120_000);
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

/** esbuild's name of an output file (relative to the package root, as the metafile keys them). */
const outputName = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');

/**
 * The npm packages bundled into an output file and, recursively, the chunks it imports statically:
 * what loading that file costs. Every dependency is bundled, so the metafile says which.
 */
function staticPackages(output: string, seen = new Set<string>()): Set<string> {
  const packages = new Set<string>();
  if (seen.has(output)) return packages;
  seen.add(output);
  const entry = metafile.outputs[output]!;
  for (const input of Object.keys(entry.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packages.add(match[1]!);
  }
  for (const imported of entry.imports) {
    if (imported.kind === 'import-statement' && metafile.outputs[imported.path]) for (const p of staticPackages(imported.path, seen)) packages.add(p);
  }
  return packages;
}

async function cli(args: string[], cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec(process.execPath, [CLI, ...args], { cwd }).then(
    (done) => ({ code: 0, ...done }),
    (failed: { code: number; stdout: string; stderr: string }) => failed,
  );
}

describe('the CLI bundle at start', () => {
  it('loads no package for --version, and neither the AWS SDK nor ajv nor the reporters for the command line', () => {
    const entry = outputName(CLI);
    expect([...staticPackages(entry)]).toEqual([]);
    // The command-line program (commander and every command's options) is the entry's one dynamic import.
    const dynamic = metafile.outputs[entry]!.imports.filter((imported) => imported.kind === 'dynamic-import').map((imported) => imported.path);
    expect(dynamic).toHaveLength(1);
    const program = [...staticPackages(dynamic[0]!)];
    expect(program).toContain('commander');
    expect(program.filter((p) => /^@aws-sdk\/|^@smithy\/|^ajv|^handlebars$|^cli-progress$|^yaml$/.test(p))).toEqual([]);
  });

  it('bundles every dependency: the package needs no node_modules', () => {
    const external = Object.values(metafile.outputs).flatMap((output) => output.imports.filter((imported) => !isBuiltin(imported.path) && !metafile.outputs[imported.path]));
    expect(external).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(manifest.dependencies ?? {}).toEqual({});
  });

  it('answers --version and -v with the package version, like commander did', async () => {
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-v']) {
      const r = await cli([flag]);
      expect(r).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('validates policies with its precompiled validators exactly as the sources do', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trailwarden-bundle-'));
    writeFileSync(
      path.join(dir, 'bad.yaml'),
      ['id: tw.custom.bad', 'title: 3', 'severity: extreme', 'scope: nowhere', 'unknownKey: true', 'when: { all: [ { fact: x, op: nope } ] }', ''].join('\n'),
    );
    const bundled = await cli(['validate', path.join(dir, 'bad.yaml')]);
    const source = await runCli(['validate', path.join(dir, 'bad.yaml')]);
    expect(bundled.code).toBe(2);
    expect(bundled.stdout.split('\n').length).toBeGreaterThan(2);
    expect({ code: bundled.code, stdout: bundled.stdout }).toEqual({ code: source.code, stdout: source.stdout });
  });

  it('reports a malformed snapshot with the same located problems as the sources', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trailwarden-bundle-'));
    const demo = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'demo', 'snapshot.json'), 'utf8')) as { accounts: Record<string, unknown>[]; scanTime?: unknown };
    demo.scanTime = 'yesterday';
    demo.accounts[0]!['accountId'] = 12;
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify(demo));
    const args = ['scan', '--snapshot', path.join(dir, 'bad.json'), '--out-dir', path.join(dir, 'out'), '--format', 'json'];
    const bundled = await cli(args);
    const source = await runCli(args);
    expect(bundled.code).toBe(2);
    expect(bundled.stderr).toMatch(/\$\.scanTime/);
    expect(bundled.stderr).toEqual(source.stderr);
  });

  it('embeds the built-in policies prepared from the policy files of this tree (a stale bundle is found out)', async () => {
    const build = (await import(path.join(ROOT, 'scripts', 'build.mjs'))) as {
      builtinPolicyFiles: () => Promise<{ file: string; text: string }[]>;
      builtinPoliciesHash: (files: { file: string; text: string }[]) => string;
      embeddedPoliciesHash: (text: string) => string | undefined;
    };
    const chunks = readdirSync(path.join(OUT, 'cli-chunks')).map((name) => readFileSync(path.join(OUT, 'cli-chunks', name), 'utf8'));
    const embedded = chunks.map(build.embeddedPoliciesHash).filter((hash) => hash !== undefined);
    expect(embedded).toEqual([build.builtinPoliciesHash(await build.builtinPolicyFiles())]);
    // One policy changed by a byte is another set.
    const files = await build.builtinPolicyFiles();
    files[0] = { ...files[0]!, text: `${files[0]!.text} ` };
    expect(build.builtinPoliciesHash(files)).not.toBe(embedded[0]);
  });

  it('scans the demo with its prepared built-in policies, finding what the sources find', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trailwarden-bundle-'));
    // Statuses and resources only: the bundle reads the real clock, the in-process CLI a fixed one.
    const args = (out: string) => ['scan', '--demo', '--format', 'json', '--out-dir', path.join(dir, out)];
    const bundled = await cli(args('bundled'));
    const source = await runCli(args('source'));
    expect(bundled.code).toBe(1);
    expect(bundled.code).toBe(source.code);
    const findings = (out: string) =>
      (JSON.parse(readFileSync(path.join(dir, out, 'results.json'), 'utf8')) as { findings: { ruleId: string; status: string; resource: unknown }[] }).findings.map((f) => [f.ruleId, f.status, f.resource]);
    expect(findings('bundled').length).toBeGreaterThan(100);
    expect(findings('bundled')).toEqual(findings('source'));
  });
});
