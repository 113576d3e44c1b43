/**
 * Scan benchmark: the built CLI (dist/cli.js) scans a generated organization served by the fake
 * AWS, each in a process of its own (the fake costs CPU per call, and the CLI's RSS must be its
 * own). Per run: a fresh fake, the CLI's wall time from spawn to exit, its peak RSS (getrusage
 * maxRSS, written by a --require preload from the CLI's own exit handler), and the fake's call log.
 */
import { spawn, spawnSync, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { packageRoot } from '../src/package-root.js';
import { readSnapshot } from '../src/snapshot/io.js';
import { collectionErrors } from '../src/snapshot/errors.js';
import type { CollectionError } from '../src/snapshot/schema.js';
import { AWS_LIKE_RATE_LIMITS } from '../test/fake-aws/behaviour.js';
import { generateOrganization, type Scenario } from '../test/fake-aws/scenarios.js';
import { isReadOnlyAction, type CallRecord } from '../test/fake-aws/server.js';
import { lowerBound, ownBudgetTime } from './lower-bound.js';

export interface ScanScenario {
  name: string;
  accounts: number;
  regions: number;
  latencyMs: number;
  /** Share of member accounts that own a trail besides the organization trail. */
  ownTrailShare: number;
  seed: number;
  /** IAM roles in every account (GetAccountAuthorizationDetails size). */
  rolesPerAccount?: number;
  /** OUs the accounts sit in (generateOrganization's organizationalUnits); absent: all under the root. */
  organizationalUnits?: number;
  /** Hours of signed digest chains the fake holds for the organization trail, verified with --verify-integrity. */
  verifyIntegrityHours?: number;
}

export interface ScanMeasurement {
  name: string;
  accounts: number;
  regions: number;
  latencyMs: number;
  runs: number;
  /** Best of the runs (this machine is small and shared; the minimum is the least noisy estimate). */
  wallSeconds: number;
  wallSecondsMedian: number;
  wallSecondsAll: number[];
  /** Of the best run, seconds from spawn until the accounts were all listed and until the snapshot was complete. */
  listedSeconds: number;
  collectedSeconds: number;
  exitCode: number;
  /** Calls by `service:Action`, of the best run. */
  apiCalls: Record<string, number>;
  apiCallsTotal: number;
  /** Mean calls an organization-trail-only member costs: those it signs plus its AssumeRole. */
  callsPerMemberAccount: number;
  callsPerMemberAccountMax: number;
  /** Highest peak RSS of all runs. */
  peakRssMb: number;
  throttled: number;
  /** Answers the SDK retries: throttling, 5xx, reset connections. */
  retried: number;
  /** Answers that were not a success (denials the scan expects included), by error code below. */
  failedCalls: number;
  failedCallsByCode: Record<string, number>;
  /** Facts recorded as errors because throttling outlasted the retries. */
  lostToThrottling: number;
  collectionErrors: number;
  nonReadOnlyCalls: number;
  lowerBoundSeconds: number;
  ratioToLowerBound: number;
  criticalPathRoundTrips: number;
  /** Which term of the lower bound binds (bench/lower-bound.ts): latency or a rate-limit key. */
  lowerBoundBinding: string;
  /** The two terms: the critical path's seconds and the busiest rate-limit key's seconds. */
  criticalPathSeconds: number;
  rateLimitSeconds: number;
  /**
   * Not a physical bound: the time trailwarden's own rate budgets (src/collectors/rate-budget.ts,
   * about half of AWS's quotas) need to let the calls of the busiest key through, and that key.
   */
  ownBudgetSeconds: number;
  ownBudgetKey: string;
  /**
   * Of the best run: CPU seconds of the CLI (all its threads) and of the fake AWS, the seconds the
   * CLI's JavaScript thread was busy, and this machine's cores. The scan's JavaScript runs on one
   * thread, so its busy time is a floor of its own for this machine: when it is close to the wall
   * time, the scan is bound by its CPU per call, not by AWS.
   */
  cliCpuSeconds: number;
  fakeCpuSeconds: number;
  cliJsBusySeconds: number;
  cores: number;
  /** Sizes of the best run's saved snapshot and results.json. */
  snapshotMb: number;
  resultsJsonMb: number;
}

const THROTTLING_CODES = new Set(['Throttling', 'ThrottlingException', 'SlowDown', 'RequestLimitExceeded', 'TooManyRequestsException', 'RequestThrottled']);

interface Workspace {
  root: string;
  dir: string;
  cli: string;
  serve: string;
  peakRssPreload: string;
}

interface FakeStarted {
  url: string;
  caller: { accessKeyId: string; secretAccessKey: string; accountId: string };
  scanRoleName: string;
}

/** Builds dist/cli.js from the current sources and compiles the fake's server script. */
export async function prepareScanBench(): Promise<Workspace> {
  const root = packageRoot();
  const dir = path.join(root, '.trailwarden-tmp', 'bench');
  mkdirSync(dir, { recursive: true });
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), 'cli'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build (cli) failed');
  const serve = path.join(dir, 'serve.mjs');
  await build({ entryPoints: [path.join(root, 'test', 'fake-aws', 'serve.ts')], bundle: true, platform: 'node', format: 'esm', outfile: serve, logLevel: 'warning' });
  const peakRssPreload = path.join(dir, 'peak-rss.cjs');
  writeFileSync(
    peakRssPreload,
    [
      '// Loaded with --require into the CLI: as it exits, its peak RSS (getrusage maxRSS, kB), its CPU',
      '// time (all threads, microseconds) and how long its one JavaScript thread was busy (event-loop utilization, ms).',
      "process.on('exit', () => require('node:fs').writeFileSync(process.env.TRAILWARDEN_BENCH_PEAK_RSS_FILE, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, cpu: process.cpuUsage(), eventLoop: require('node:perf_hooks').performance.eventLoopUtilization() })));",
      '',
    ].join('\n'),
  );
  return { root, dir, cli: path.join(root, 'dist', 'cli.js'), serve, peakRssPreload };
}

async function startFake(workspace: Workspace, scenario: ScanScenario): Promise<{ child: ChildProcess; started: FakeStarted }> {
  const child = fork(
    workspace.serve,
    [
      ...['--accounts', String(scenario.accounts), '--regions', String(scenario.regions), '--own-trail-share', String(scenario.ownTrailShare), '--seed', String(scenario.seed), '--latency-ms', String(scenario.latencyMs), '--throttling', 'aws', '--roles-per-account', String(scenario.rolesPerAccount ?? 0), '--organizational-units', String(scenario.organizationalUnits ?? 0)],
      ...(scenario.verifyIntegrityHours ? ['--digest-hours', String(scenario.verifyIntegrityHours), '--now', new Date().toISOString()] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { child, started: JSON.parse(line) as FakeStarted };
}

async function stopFake(child: ChildProcess): Promise<{ calls: CallRecord[]; unexpectedErrors: string[]; cpu: NodeJS.CpuUsage }> {
  child.send('calls');
  const [report] = (await once(child, 'message')) as [{ calls: CallRecord[]; unexpectedErrors: string[]; cpu: NodeJS.CpuUsage }];
  const exited = once(child, 'exit');
  child.send('close');
  await exited;
  return report;
}

/** Progress lines (stderr, not a TTY) that end the phases of a scan. */
const MILESTONES = {
  /** The organization's accounts are all listed. */
  listedSeconds: /account\(s\) to scan$/,
  /** The snapshot is complete; evaluation and reports follow. */
  collectedSeconds: /^trailwarden: collected /,
};

interface Run {
  wallSeconds: number;
  /** Seconds from spawn to each milestone. */
  milestones: Partial<Record<keyof typeof MILESTONES, number>>;
  exitCode: number;
  peakRssMb: number;
  /** CPU seconds of the CLI (every thread: its JavaScript, the garbage collector's helpers, libuv) and of the fake AWS. */
  cliCpuSeconds: number;
  fakeCpuSeconds: number;
  /** Seconds the CLI's one JavaScript thread was busy (event-loop utilization's active time). */
  cliJsBusySeconds: number;
  calls: CallRecord[];
  /** Accounts in the saved snapshot (readSnapshot validated it) and the errors it records. */
  snapshotAccounts: number;
  errors: CollectionError['$error'][];
  snapshotMb: number;
  resultsJsonMb: number;
}

async function runOnce(workspace: Workspace, scenario: ScanScenario, index: number): Promise<Run> {
  const { child, started } = await startFake(workspace, scenario);
  const runDir = path.join(workspace.dir, `${scenario.name}-${index}`);
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  const snapshotFile = path.join(runDir, 'snapshot.json');
  const peakRssFile = path.join(runDir, 'peak-rss-kb');
  // Only what the scan needs: a developer's AWS_PROFILE or config files must not leak into it.
  const env = {
    PATH: process.env.PATH ?? '',
    NO_COLOR: '1',
    AWS_ENDPOINT_URL: started.url,
    AWS_ACCESS_KEY_ID: started.caller.accessKeyId,
    AWS_SECRET_ACCESS_KEY: started.caller.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: path.join(runDir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(runDir, 'no-aws-credentials'),
    TRAILWARDEN_BENCH_PEAK_RSS_FILE: peakRssFile,
  };
  const args = ['--require', workspace.peakRssPreload, workspace.cli, 'scan', '--org', '--role-name', started.scanRoleName, '--save-snapshot', snapshotFile, '--out-dir', path.join(runDir, 'out'), '--format', 'json', ...(scenario.verifyIntegrityHours ? ['--verify-integrity', `${scenario.verifyIntegrityHours}h`] : [])];
  const startedAt = performance.now();
  const cli = spawn(process.execPath, args, { cwd: runDir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const milestones: Partial<Record<keyof typeof MILESTONES, number>> = {};
  createInterface({ input: cli.stderr! }).on('line', (line) => {
    stderr = `${stderr}${line}\n`.slice(-4000);
    for (const [name, marker] of Object.entries(MILESTONES) as [keyof typeof MILESTONES, RegExp][]) {
      if (milestones[name] === undefined && marker.test(line)) milestones[name] = (performance.now() - startedAt) / 1000;
    }
  });
  const closed = once(cli, 'close');
  const [code] = (await once(cli, 'exit')) as [number | null];
  const wallSeconds = (performance.now() - startedAt) / 1000;
  await closed;
  const fake = await stopFake(child);
  try {
    if (fake.unexpectedErrors.length > 0) throw new Error(`the fake AWS failed: ${fake.unexpectedErrors.join('; ')}`);
    if (code === null || ![0, 1, 3].includes(code)) throw new Error(`the scan exited with ${code}:\n${stderr}`);
    const snapshot = await readSnapshot(snapshotFile);
    const usage = JSON.parse(readFileSync(peakRssFile, 'utf8')) as { maxRssKb: number; cpu: NodeJS.CpuUsage; eventLoop: { active: number } };
    return {
      wallSeconds,
      milestones,
      exitCode: code,
      peakRssMb: usage.maxRssKb / 1024,
      cliCpuSeconds: (usage.cpu.user + usage.cpu.system) / 1e6,
      fakeCpuSeconds: (fake.cpu.user + fake.cpu.system) / 1e6,
      cliJsBusySeconds: usage.eventLoop.active / 1000,
      calls: fake.calls,
      snapshotAccounts: snapshot.accounts.length,
      errors: collectionErrors(snapshot),
      snapshotMb: statSync(snapshotFile).size / 2 ** 20,
      resultsJsonMb: statSync(path.join(runDir, 'out', 'results.json')).size / 2 ** 20,
    };
  } finally {
    // A 1,000-account run leaves ~30 MB of reports behind; BENCH_KEEP=1 keeps them to look at.
    if (!process.env.BENCH_KEEP) rmSync(runDir, { recursive: true, force: true });
  }
}

function countBy<T>(items: readonly T[], key: (item: T) => string | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const name = key(item);
    if (name !== undefined) counts[name] = (counts[name] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Calls of organization-trail-only members: those they sign, plus their share of the caller's AssumeRoles. */
function memberCosts(model: Scenario['model'], calls: readonly CallRecord[]): { mean: number; max: number } {
  // Index 0 is the management account, 1 log archive, 2 audit (generateOrganization).
  const members = model.accounts.slice(3).filter((account) => account.trails.length === 0);
  const signedBy = countBy(calls, (call) => call.accountId);
  const assumeRolePerAccount = calls.filter((call) => call.action === 'AssumeRole').length / (model.accounts.length - 1);
  const costs = members.map((member) => (signedBy[member.id] ?? 0) + assumeRolePerAccount);
  return { mean: costs.reduce((sum, cost) => sum + cost, 0) / Math.max(1, costs.length), max: Math.max(0, ...costs) };
}

export async function benchScan(workspace: Workspace, scenario: ScanScenario, runs: number): Promise<ScanMeasurement> {
  const completed: Run[] = [];
  for (let index = 0; index < runs; index++) {
    const run = await runOnce(workspace, scenario, index);
    process.stderr.write(`bench: ${scenario.name} run ${index + 1}/${runs}: ${run.wallSeconds.toFixed(2)} s, peak RSS ${run.peakRssMb.toFixed(0)} MB\n`);
    completed.push(run);
  }
  const best = completed.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
  const generated = generateOrganization({ accounts: scenario.accounts, regions: scenario.regions, ownTrailShare: scenario.ownTrailShare, seed: scenario.seed, rolesPerAccount: scenario.rolesPerAccount ?? 0, organizationalUnits: scenario.organizationalUnits ?? 0 });
  const calls = best.calls;
  const errors = best.errors;
  const failed = calls.filter((call) => call.status === 0 || call.status >= 400);
  const bound = lowerBound(generated.model, generated.caller.accountId, scenario.latencyMs, AWS_LIKE_RATE_LIMITS, calls);
  const members = memberCosts(generated.model, calls);
  const own = ownBudgetTime(calls);
  if (best.snapshotAccounts !== scenario.accounts) throw new Error(`the snapshot has ${best.snapshotAccounts} accounts, not ${scenario.accounts}`);
  return {
    name: scenario.name,
    accounts: scenario.accounts,
    regions: scenario.regions,
    latencyMs: scenario.latencyMs,
    runs,
    wallSeconds: best.wallSeconds,
    wallSecondsMedian: median(completed.map((run) => run.wallSeconds)),
    wallSecondsAll: completed.map((run) => run.wallSeconds),
    listedSeconds: best.milestones.listedSeconds ?? Number.NaN,
    collectedSeconds: best.milestones.collectedSeconds ?? Number.NaN,
    exitCode: best.exitCode,
    apiCalls: countBy(calls, (call) => `${call.service}:${call.action}`),
    apiCallsTotal: calls.length,
    callsPerMemberAccount: members.mean,
    callsPerMemberAccountMax: members.max,
    peakRssMb: Math.max(...completed.map((run) => run.peakRssMb)),
    throttled: calls.filter((call) => call.throttled).length,
    retried: calls.filter((call) => call.throttled || call.status === 0 || call.status >= 500).length,
    failedCalls: failed.length,
    failedCallsByCode: countBy(failed, (call) => `${call.service}:${call.action} ${call.errorCode ?? call.status}`),
    lostToThrottling: errors.filter((error) => THROTTLING_CODES.has(error.code)).length,
    collectionErrors: errors.length,
    nonReadOnlyCalls: calls.filter((call) => !isReadOnlyAction(call.action)).length,
    lowerBoundSeconds: bound.seconds,
    ratioToLowerBound: best.wallSeconds / bound.seconds,
    criticalPathRoundTrips: bound.criticalPathRoundTrips,
    lowerBoundBinding: bound.binding,
    ownBudgetSeconds: own.seconds,
    ownBudgetKey: own.key,
    snapshotMb: best.snapshotMb,
    resultsJsonMb: best.resultsJsonMb,
    cliCpuSeconds: best.cliCpuSeconds,
    fakeCpuSeconds: best.fakeCpuSeconds,
    cliJsBusySeconds: best.cliJsBusySeconds,
    cores: availableParallelism(),
    criticalPathSeconds: bound.criticalPathSeconds,
    rateLimitSeconds: bound.rateLimitSeconds,
  };
}
