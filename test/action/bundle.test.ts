/**
 * The built Action as the runner starts it: `node <action.yml runs.main>` in the workspace, with
 * inputs as INPUT_<NAME> variables (dashes kept: INPUT_FAIL-ON) and the GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files. The bundle carries its policies and templates: copied away from the
 * package, it still scans. Against the fake AWS it collects, shards and merges like the CLI.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_OUTPUTS } from '../../src/action/publish.js';
import { mergeSnapshots } from '../../src/snapshot/merge.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { generateOrganization } from '../fake-aws/scenarios.js';
import { startFakeAws, type FakeAws } from '../fake-aws/server.js';
import { runCli } from '../support/cli-runner.js';
import { readResultsJson } from '../support/results-json.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEMO = path.join(ROOT, 'examples/demo/snapshot.json');
/** The runner runs node24; ACTION_NODE=$(npx -y node@24 -p process.execPath) tests on it here too. */
const NODE = process.env.ACTION_NODE ?? process.execPath;
const BUNDLE = path.join(ROOT, (parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { runs: { main: string } }).runs.main);

interface StepResult {
  status: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  workspace: string;
}

/** `name<<DELIMITER\nvalue\nDELIMITER` entries, as @actions/core writes them to GITHUB_OUTPUT. */
function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const entry = /^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(entry)) outputs[match[1]!] = match[3]!;
  return outputs;
}

/**
 * One step of a job: a fresh workspace, the runner's files and variables, nothing inherited but
 * PATH. Asynchronous, so a fake AWS served from this process keeps answering.
 */
async function runStep(bundle: string, inputs: Record<string, string>, env: Record<string, string> = {}, checkout?: (workspace: string) => void): Promise<StepResult> {
  const workspace = mkdtempSync(path.join(tmpdir(), 'trailwarden-step-'));
  checkout?.(workspace);
  const outputFile = path.join(workspace, '.github_output');
  const summaryFile = path.join(workspace, '.github_step_summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const inputEnv = Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]));
  const child = spawn(NODE, [bundle], {
    cwd: workspace,
    env: { PATH: process.env.PATH ?? '', HOME: workspace, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_WORKSPACE: workspace, ...inputEnv, ...env },
  });
  const step = { stdout: '', stderr: '', status: null as number | null };
  child.stdout.on('data', (chunk: Buffer) => void (step.stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => void (step.stderr += chunk.toString('utf8')));
  step.status = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return {
    status: step.status,
    stdout: step.stdout,
    stderr: step.stderr,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    workspace,
  };
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

beforeAll(() => {
  // The bundle of the sources under test, as `npm run build` makes it.
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), 'action'], { cwd: ROOT, stdio: 'pipe' });
});

describe('dist/action.js run as the runner runs it', () => {
  it('writes every output, the job summary and the reports, annotates, and fails per fail-on', async () => {
    const step = await runStep(BUNDLE, { snapshot: DEMO, 'fail-on': 'high', 'out-dir': 'reports', format: 'json\nsarif\nhtml', 'fail-on-incomplete': 'none' });
    expect(step.stderr).not.toMatch(/internal error|Error:/);
    expect(step.status).toBe(1);
    expect(Object.keys(step.outputs)).toEqual([...ACTION_OUTPUTS]);
    expect(step.outputs['sarif-file']).toBe(path.join('reports', 'results.sarif'));
    for (const name of ['sarif-file', 'html-file', 'json-file']) expect(existsSync(path.join(step.workspace, step.outputs[name]!))).toBe(true);
    const results = readResultsJson(path.join(step.workspace, step.outputs['json-file']!));
    expect(step.outputs['failed-count']).toBe(String(results.findings.filter((f) => f.status === 'fail' && !f.suppression).length));
    expect(Number(step.outputs['failed-count'])).toBeGreaterThan(0);
    expect(step.summary).toContain('trailwarden');
    expect(step.summary).toContain('Top failures');
    // Ten annotations at most: the demo's incomplete scope first, then the most severe failures (critical and high are errors).
    expect(step.outputs.incomplete).toBe('true');
    expect(step.stdout).toMatch(/^::error title=trailwarden%3A incomplete scan::Incomplete scan: /m);
    const severe = Number(step.outputs['critical-count']) + Number(step.outputs['high-count']);
    expect(step.stdout.match(/^::error title=/gm)?.length).toBe(1 + Math.min(9, severe));
    expect(step.stdout.match(/^::(error|warning) title=/gm)?.length).toBe(1 + Math.min(9, Number(step.outputs['failed-count'])));
    expect(step.stdout).toMatch(/^::error::trailwarden: findings fail at or above input 'fail-on' \(high\)/m);
  });

  it('succeeds below the threshold', async () => {
    const step = await runStep(BUNDLE, { snapshot: DEMO, 'fail-on': 'none', 'fail-on-incomplete': 'none' });
    expect(step.status).toBe(0);
    expect(step.outputs['json-file']).toBe(path.join('trailwarden-results', 'results.json'));
  });

  it('fails an incomplete scan by default, after writing its reports', async () => {
    const step = await runStep(BUNDLE, { snapshot: DEMO, 'fail-on': 'none' });
    expect(step.status).toBe(1);
    expect(step.outputs.incomplete).toBe('true');
    expect(existsSync(path.join(step.workspace, step.outputs['sarif-file']!))).toBe(true);
    expect(step.stdout).toMatch(/^::error::trailwarden: the scan is incomplete/m);
  });

  it('carries its policies and version: copied away from the package it evaluates exactly as the CLI does', async () => {
    const alone = path.join(mkdtempSync(path.join(tmpdir(), 'trailwarden-bundle-')), 'action.js');
    copyFileSync(BUNDLE, alone);
    const step = await runStep(alone, { snapshot: DEMO, format: 'json' });
    expect(step.stderr).not.toMatch(/internal error/);
    const fromBundle = readResultsJson(path.join(step.workspace, step.outputs['json-file']!));
    const cliOut = mkdtempSync(path.join(tmpdir(), 'trailwarden-cli-'));
    await runCli(['scan', '--snapshot', DEMO, '--out-dir', cliOut, '--format', 'json']);
    const fromCli = readResultsJson(path.join(cliOut, 'results.json'));
    expect({ ...fromBundle, scanTime: '', runId: '' }).toEqual({ ...fromCli, scanTime: '', runId: '' });
  });
});

describe('dist/action.js in a repository that holds infrastructure code', () => {
  // The demo's Terraform and CloudFormation checked out under infra/; the bundle copied away from
  // the package, so the HCL grammar's WebAssembly must travel inside it.
  const checkout = (workspace: string) => cpSync(path.join(ROOT, 'examples/demo/iac'), path.join(workspace, 'infra'), { recursive: true });

  it('reads the checked-out repository by default and annotates the defining lines', async () => {
    const alone = path.join(mkdtempSync(path.join(tmpdir(), 'trailwarden-bundle-')), 'action.js');
    copyFileSync(BUNDLE, alone);
    const step = await runStep(alone, { snapshot: DEMO, format: 'json\nsarif', 'fail-on': 'none', 'fail-on-incomplete': 'none' }, {}, checkout);
    expect(step.stderr).not.toMatch(/internal error|Error:/);
    expect(step.status).toBe(0);
    const results = readResultsJson(path.join(step.workspace, step.outputs['json-file']!));
    expect(results.iac).toMatchObject({ paths: ['.'], definitions: 26, unmatched: [expect.objectContaining({ address: 'aws_cloudtrail.staging' })] });
    const validation = results.findings.find((f) => f.ruleId === 'trail/log-file-validation' && f.resource.name === 'fail-payments-local-trail');
    expect(validation?.iac).toMatchObject({ file: 'infra/payments/main.tf', attribute: 'enable_log_file_validation' });
    expect(step.stdout).toMatch(/^::(error|warning) title=[^:]*,file=infra\/[^,]+,line=\d+/m);
  });

  it("reads nothing with iac: 'none'", async () => {
    const step = await runStep(BUNDLE, { snapshot: DEMO, format: 'json', 'fail-on': 'none', 'fail-on-incomplete': 'none', iac: 'none' }, {}, checkout);
    expect(step.status).toBe(0);
    expect(readResultsJson(path.join(step.workspace, step.outputs['json-file']!)).iac).toBeUndefined();
  });
});

describe('dist/action.js collecting from a fake AWS, in shards', () => {
  let fake: FakeAws;
  const scenario = generateOrganization({ accounts: 9, regions: 2, ownTrailShare: 0.5, seed: 7 });
  const awsEnv = () => ({
    AWS_ENDPOINT_URL: fake.url,
    AWS_ACCESS_KEY_ID: scenario.caller.accessKeyId,
    AWS_SECRET_ACCESS_KEY: scenario.caller.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  });

  beforeAll(async () => {
    fake = await startFakeAws(scenario.model);
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('collects the organization, and two shards merge into the full snapshot', async () => {
    const scan = (shard?: string) =>
      runStep(BUNDLE, { org: 'true', 'role-name': scenario.scanRoleName, 'fail-on': 'none', format: 'json', 'save-snapshot': 'snapshot.json', ...(shard ? { shard } : {}) }, awsEnv());
    const full = await scan();
    expect(full.stderr).not.toMatch(/internal error/);
    expect(full.status).toBe(0);
    const fullSnapshot = readJson<Snapshot>(path.join(full.workspace, 'snapshot.json'));
    expect(fullSnapshot.accounts.map((a) => a.id).sort()).toEqual([...scenario.scanAccountIds].sort());
    expect(fake.unexpectedErrors).toEqual([]);

    const shards = await Promise.all(['1/2', '2/2'].map((shard) => scan(shard)));
    const shardSnapshots = shards.map((step) => readJson<Snapshot>(path.join(step.workspace, 'snapshot.json')));
    expect(shardSnapshots.every((snapshot) => snapshot.accounts.length > 0 && snapshot.accounts.length < fullSnapshot.accounts.length)).toBe(true);
    const merged = mergeSnapshots(shardSnapshots);
    expect({ ...merged, scanTime: '' }).toEqual({ ...fullSnapshot, scanTime: '' });

    // The same through `trailwarden merge`, into the reports of the full scan.
    const dir = mkdtempSync(path.join(tmpdir(), 'trailwarden-shards-'));
    const files = shards.map((step) => path.join(step.workspace, 'snapshot.json'));
    const mergedRun = await runCli(['merge', ...files, '--out-dir', path.join(dir, 'merged'), '--format', 'json', '--save-snapshot', path.join(dir, 'merged.json')]);
    expect(mergedRun.stderr).not.toMatch(/warning|internal error/);
    writeFileSync(path.join(dir, 'full.json'), JSON.stringify({ ...fullSnapshot, scanTime: merged.scanTime }));
    await runCli(['scan', '--snapshot', path.join(dir, 'full.json'), '--out-dir', path.join(dir, 'full'), '--format', 'json']);
    expect(readFileSync(path.join(dir, 'merged', 'results.json'), 'utf8')).toBe(readFileSync(path.join(dir, 'full', 'results.json'), 'utf8'));

    // And through the Action itself, as the merge job of a matrix runs it.
    const mergeStep = await runStep(BUNDLE, { snapshot: files.join('\n'), format: 'json,sarif', 'fail-on': 'none' });
    expect(mergeStep.status).toBe(0);
    expect(readResultsJson(path.join(mergeStep.workspace, mergeStep.outputs['json-file']!)).findings).toEqual(readResultsJson(path.join(dir, 'full', 'results.json')).findings);
  });
});
