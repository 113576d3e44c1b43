/**
 * The built CLI (dist/cli.js) as a user runs it, in a process of its own against the fake AWS:
 * its exit codes (SPEC §2), and Ctrl-C in the middle of a scan, which must stop it promptly
 * and leave no report or snapshot behind that could pass for a complete one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../fake-aws/behaviour.js';
import { generateOrganization, SCENARIO_TIME, SCENARIOS, type Scenario } from '../fake-aws/scenarios.js';
import { isReadOnlyAction, startFakeAws, type FakeAws, type FakeAwsOptions } from '../fake-aws/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = path.join(ROOT, 'dist', 'cli.js');

const cleanUp: (() => Promise<void>)[] = [];

beforeAll(() => {
  // `npm test` builds first (pretest); a direct `vitest run` of this folder may find no bundle yet.
  if (existsSync(CLI)) return;
  const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), 'cli'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('could not build dist/cli.js');
}, 60_000);

afterEach(async () => {
  for (const step of cleanUp.splice(0).reverse()) await step();
});

interface CliRun {
  fake: FakeAws;
  outDir: string;
  snapshotFile: string;
  child: ReturnType<typeof spawn>;
  exit: Promise<{ code: number | null; stderr: string }>;
}

async function startScan(scenario: Scenario, fakeOptions: FakeAwsOptions, args: string[]): Promise<CliRun> {
  const fake = await startFakeAws(scenario.model, { now: () => new Date(SCENARIO_TIME), ...fakeOptions });
  const dir = await mkdtemp(path.join(tmpdir(), 'trailwarden-process-'));
  cleanUp.push(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });
  const outDir = path.join(dir, 'out');
  const snapshotFile = path.join(dir, 'snapshot.json');
  const child = spawn(process.execPath, [CLI, 'scan', ...args, '--save-snapshot', snapshotFile, '--out-dir', outDir, '--format', 'json,sarif,html'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      NO_COLOR: '1',
      AWS_ENDPOINT_URL: fake.url,
      AWS_ACCESS_KEY_ID: scenario.caller.accessKeyId,
      AWS_SECRET_ACCESS_KEY: scenario.caller.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: path.join(dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-aws-credentials'),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  cleanUp.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exit = once(child, 'exit').then(([code]) => ({ code: code as number | null, stderr }));
  return { fake, outDir, snapshotFile, child, exit };
}

function organization(): Scenario {
  return SCENARIOS['org-trail-with-log-archive']!();
}

function scanArgs(scenario: Scenario, ...more: string[]): string[] {
  return ['--org', '--role-name', scenario.scanRoleName, ...more];
}

describe('exit codes of dist/cli.js scan', () => {
  const deniedKeyPolicy: FaultRule[] = [{ match: { action: 'GetKeyPolicy' }, fault: { kind: 'accessDenied' } }];
  const cases: { name: string; code: number; args: (scenario: Scenario) => string[]; faults?: FaultRule[]; reports: boolean }[] = [
    { name: 'nothing fails at or above the threshold and every fact was read', code: 0, args: (s) => scanArgs(s, '--fail-on', 'none'), reports: true },
    { name: 'a finding fails at or above the threshold', code: 1, args: (s) => scanArgs(s, '--fail-on', 'low'), reports: true },
    { name: 'the threshold is not reached, but a fact could not be read', code: 3, args: (s) => scanArgs(s, '--fail-on', 'none'), faults: deniedKeyPolicy, reports: true },
    { name: 'a failure at the threshold outranks a missing fact', code: 1, args: (s) => scanArgs(s, '--fail-on', 'low'), faults: deniedKeyPolicy, reports: true },
    { name: 'usage error: --org without --role-name', code: 2, args: () => ['--org', '--fail-on', 'none'], reports: false },
  ];

  it('exits 0, 1, 3 and 2 as SPEC §2 says, writing reports only for a finished scan', async () => {
    const runs = await Promise.all(
      cases.map(async (entry) => {
        const scenario = organization();
        const run = await startScan(scenario, entry.faults ? { faults: entry.faults } : {}, entry.args(scenario));
        const exit = await run.exit;
        const written = existsSync(run.outDir) ? (await readdir(run.outDir)).sort() : [];
        return { name: entry.name, code: exit.code, written, readOnly: run.fake.calls.every((call) => isReadOnlyAction(call.action)), stderr: exit.stderr };
      }),
    );
    expect(runs.map(({ name, code, written, readOnly }) => ({ name, code, written, readOnly }))).toEqual(
      cases.map((entry) => ({ name: entry.name, code: entry.code, written: entry.reports ? ['report.html', 'results.json', 'results.sarif'] : [], readOnly: true })),
    );
    expect(runs.at(-1)!.stderr).toContain('--org needs --role-name');
  }, 60_000);
});

describe('Ctrl-C during a scan', () => {
  it('stops promptly with exit 130, sends nothing more, and leaves no report or snapshot', async () => {
    // Slow enough that the scan is far from done when the signal comes.
    const scenario = generateOrganization({ accounts: 60, regions: 17, ownTrailShare: 0.2, seed: 7 });
    const run = await startScan(scenario, { latencyMs: 200, pageSizes: { 'organizations:ListAccountsForParent': 5 } }, scanArgs(scenario, '--fail-on', 'none'));
    await expect.poll(() => run.fake.calls.filter((call) => call.action === 'AssumeRole').length, { timeout: 20_000, interval: 20 }).toBeGreaterThanOrEqual(3);

    const sentBeforeSignal = run.fake.calls.length;
    const signalledAt = performance.now();
    run.child.kill('SIGINT');
    const exit = await run.exit;
    const stoppedAfterMs = performance.now() - signalledAt;
    // A beat for anything still on the wire to arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
    console.info(`Ctrl-C: exited ${stoppedAfterMs.toFixed(0)} ms after SIGINT, ${sentBeforeSignal} calls before it, ${run.fake.calls.length - sentBeforeSignal} after`);

    expect(exit.code).toBe(130);
    expect(exit.stderr).toContain('interrupted; no report was written');
    // Calls already on the wire may land; no new work starts. A complete scan would send hundreds.
    expect(run.fake.calls.length - sentBeforeSignal).toBeLessThanOrEqual(5);
    expect(run.fake.calls.filter((call) => call.action === 'AssumeRole').length).toBeLessThan(scenario.scanAccountIds.length - 1);
    expect(existsSync(run.snapshotFile)).toBe(false);
    expect(existsSync(run.outDir) ? await readdir(run.outDir) : []).toEqual([]);
    expect(run.fake.calls.every((call) => isReadOnlyAction(call.action))).toBe(true);
  }, 40_000);
});
