/**
 * `npm run bench [-- --json FILE] [--runs N] [--skip scan,engine,html] [--scenarios NAME,...]`: the SPEC §8 benchmark.
 *
 * - scan: the built CLI scans generated organizations (100 and 1,000 accounts × 17 regions) served
 *   by the fake AWS with 50 ms latency and AWS-like throttling, each in its own process;
 * - engine: every built-in rule on 1,000- and 10,000-account snapshots;
 * - html: report.html with 50,000 findings opened in headless Chromium;
 * - startup: whole-process time of the light commands, as ratios to `node -e 0` of the same run.
 *
 * Prints ONE table with every measured row (startup, scan, engine, HTML), each ratio beside the
 * denominator measured in the same run (`node -e 0` for startup rows, the lower bound for scans),
 * then each scan's calls by action. With --json writes `{ scenarios, engine, htmlReport, startup }`:
 * `scenarios` holds the scan rows and the startup rows, in the same shape
 * (`name, accounts, regions, wallSeconds, apiCalls, callsPerMemberAccount, peakRssMb, throttled,
 * retried, failedCalls, failedCallsByCode, lowerBoundSeconds`; a startup row's lowerBoundSeconds is
 * the `node -e 0` time of the run).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { benchEngine, type EngineMeasurement } from './engine.js';
import { benchHtmlReport, type HtmlOutcome } from './html.js';
import { benchScan, prepareScanBench, type ScanMeasurement, type ScanScenario } from './scan.js';
import { benchStartup, type StartupMeasurement } from './startup.js';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../src/package-root.js';

const SCAN_SCENARIOS: ScanScenario[] = [
  { name: 'org-100x17-50ms', accounts: 100, regions: 17, latencyMs: 50, ownTrailShare: 0.1, seed: 1 },
  { name: 'org-1000x17-50ms', accounts: 1_000, regions: 17, latencyMs: 50, ownTrailShare: 0.1, seed: 1 },
  // A landing-zone tree: 1,000 accounts in 50 OUs two levels deep.
  { name: 'org-1000x17-50ous-50ms', accounts: 1_000, regions: 17, latencyMs: 50, ownTrailShare: 0.1, seed: 1, organizationalUnits: 50 },
  // IAM at scale: GetAccountAuthorizationDetails over 200 roles in every account.
  { name: 'org-1000x17-200roles-50ms', accounts: 1_000, regions: 17, latencyMs: 50, ownTrailShare: 0.1, seed: 1, rolesPerAccount: 200 },
  // --verify-integrity 24h: 1,700 digest chains, 40,800 signed digests in the log-archive bucket.
  { name: 'org-100x17-integrity-24h', accounts: 100, regions: 17, latencyMs: 50, ownTrailShare: 0.1, seed: 1, verifyIntegrityHours: 24 },
  // End to end at the size of the largest organizations (issue 15): wall, RSS, nothing lost.
  { name: 'org-10000x17-50ms', accounts: 10_000, regions: 17, latencyMs: 50, ownTrailShare: 0.1, seed: 1 },
];
const HTML_FINDINGS = 50_000;
const PARTS = ['startup', 'scan', 'engine', 'html'] as const;
const STARTUP_RUNS = 7;

function table(rows: Record<string, string | number>[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(width[i]!)).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => String(r[c]))))].join('\n');
}

type Report = { scenarios?: ScanMeasurement[]; engine?: EngineMeasurement[]; htmlReport?: HtmlOutcome; startup?: StartupMeasurement[] };

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** Every measured row in one table; a ratio always beside its denominator of the same run. */
function printTable(report: Report): void {
  const blank = { accounts: '', regions: '', 'wall s': '', 'median s': '', ratio: '', 'of (denominator s)': '', binds: '', 'own budget s': '', 'CPU s cli/fake': '', 'JS busy s': '', 'listed at s': '', 'API calls': '', 'calls/member': '', 'peak RSS MB': '', throttled: '', retried: '', failed: '', lost: '', 'results.json MB': '' };
  const rows: Record<string, string | number>[] = [];
  const node = report.startup?.[0];
  for (const m of report.startup ?? []) {
    rows.push({ scenario: `startup ${m.command}`, ...blank, 'wall s': fixed(m.wallSeconds, 3), 'median s': fixed(m.wallSecondsMedian, 3), ratio: `${fixed(m.ratioToNode, 1)}x`, 'of (denominator s)': `node -e 0 (${fixed(node!.wallSeconds, 3)})`, 'peak RSS MB': Number.isNaN(m.peakRssMb) ? '-' : Math.round(m.peakRssMb) });
  }
  for (const m of report.scenarios ?? []) {
    rows.push({
      scenario: m.name,
      ...blank,
      accounts: m.accounts,
      regions: m.regions,
      'wall s': fixed(m.wallSeconds, 2),
      'median s': fixed(m.wallSecondsMedian, 2),
      ratio: `${fixed(m.ratioToLowerBound, 2)}x`,
      'of (denominator s)': `lower bound (${fixed(m.lowerBoundSeconds, 2)})`,
      binds: m.lowerBoundBinding,
      'own budget s': `${fixed(m.ownBudgetSeconds, 2)} (${m.ownBudgetKey.split(' ')[0]})`,
      'CPU s cli/fake': `${fixed(m.cliCpuSeconds, 1)}/${fixed(m.fakeCpuSeconds, 1)} (${m.cores} cores)`,
      'JS busy s': `${fixed(m.cliJsBusySeconds, 2)} (${Math.round((100 * m.cliJsBusySeconds) / m.wallSeconds)}%)`,
      'listed at s': fixed(m.listedSeconds, 2),
      'API calls': m.apiCallsTotal,
      'calls/member': fixed(m.callsPerMemberAccount, 2),
      'peak RSS MB': Math.round(m.peakRssMb),
      throttled: m.throttled,
      retried: m.retried,
      failed: m.failedCalls,
      lost: m.lostToThrottling,
      'results.json MB': `${fixed(m.resultsJsonMb, 1)} (snapshot ${fixed(m.snapshotMb, 1)})`,
    });
  }
  for (const m of report.engine ?? []) {
    rows.push({ scenario: `${m.name} (evaluate ${m.rules} rules, ${m.findings} findings; results.json ${fixed(m.resultsJsonSeconds, 2)} s)`, ...blank, accounts: m.accounts, regions: 17, 'wall s': fixed(m.evaluateSeconds, 2), 'peak RSS MB': Math.round(m.peakRssMb), 'results.json MB': Math.round(m.resultsJsonMb) });
  }
  const html = report.htmlReport;
  if (html && !('skipped' in html)) {
    rows.push({ scenario: `html report ${html.findings} findings in Chromium (render ${fixed(html.renderSeconds, 2)} s, ${fixed(html.fileMb, 1)} MB, first paint ${fixed(html.firstContentfulPaintSeconds, 2)} s)`, ...blank, 'wall s': fixed(html.loadSeconds, 2), 'median s': fixed(html.loadSecondsMedian, 2) });
  } else if (html) {
    rows.push({ scenario: `html report: skipped (${html.skipped})`, ...blank });
  }
  process.stdout.write(
    `\nBenchmark (startup: best of ${STARTUP_RUNS}, commands in turn; scans: dist/cli.js scan --org against the fake AWS in another process, 50 ms latency, AWS-like throttling, best of ${report.scenarios?.[0]?.runs ?? 0}, peak RSS the highest run; a ratio's denominator is measured in this run)\n${table(rows)}\n`,
  );
  for (const m of report.scenarios ?? []) {
    process.stdout.write(`\n${m.name}: API calls by action\n${table(Object.entries(m.apiCalls).map(([action, calls]) => ({ action, calls })))}\n`);
    const failures = Object.entries(m.failedCallsByCode);
    if (failures.length > 0) process.stdout.write(`${m.name}: failed calls: ${failures.map(([what, count]) => `${what} ×${count}`).join(', ')}\n`);
  }
}

/** A startup row in the shape of a scan row, for readers of `scenarios`. */
function startupScenario(m: StartupMeasurement, node: StartupMeasurement) {
  return {
    name: m.name,
    kind: 'startup',
    accounts: 0,
    regions: 0,
    wallSeconds: m.wallSeconds,
    wallSecondsMedian: m.wallSecondsMedian,
    apiCalls: {},
    apiCallsTotal: 0,
    callsPerMemberAccount: 0,
    peakRssMb: m.peakRssMb,
    throttled: 0,
    retried: 0,
    failedCalls: 0,
    failedCallsByCode: {},
    lowerBoundSeconds: node.wallSeconds,
    lowerBoundBinding: 'node -e 0',
    ratioToLowerBound: m.ratioToNode,
  };
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'string' },
      runs: { type: 'string', default: '3' },
      skip: { type: 'string', default: '' },
      scenarios: { type: 'string', default: '' },
    },
  });
  const chosen = values.scenarios.split(',').filter(Boolean);
  const unknownScenarios = chosen.filter((name) => !SCAN_SCENARIOS.some((scenario) => scenario.name === name));
  if (unknownScenarios.length > 0) throw new Error(`--scenarios takes ${SCAN_SCENARIOS.map((scenario) => scenario.name).join(', ')}; not ${unknownScenarios.join(', ')}`);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs takes a positive whole number, not ${values.runs}`);
  const skipped = new Set(values.skip.split(',').filter(Boolean));
  const unknown = [...skipped].filter((part) => !(PARTS as readonly string[]).includes(part));
  if (unknown.length > 0) throw new Error(`--skip takes ${PARTS.join(', ')}; not ${unknown.join(', ')}`);

  const report: Report = {};
  if (!skipped.has('startup')) {
    const root = packageRoot();
    const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), 'cli'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('could not build dist/cli.js');
    report.startup = benchStartup(root, STARTUP_RUNS);
  }
  if (!skipped.has('scan')) {
    const workspace = await prepareScanBench();
    report.scenarios = [];
    for (const scenario of SCAN_SCENARIOS.filter((candidate) => chosen.length === 0 || chosen.includes(candidate.name))) report.scenarios.push(await benchScan(workspace, scenario, runs));
  }
  if (!skipped.has('engine')) {
    report.engine = [await benchEngine(1_000), await benchEngine(10_000)];
  }
  if (!skipped.has('html')) {
    report.htmlReport = await benchHtmlReport(HTML_FINDINGS, runs);
  }
  printTable(report);
  if (values.json) {
    const node = report.startup?.[0];
    const scenarios = [...(report.scenarios ?? []).map((m) => ({ kind: 'scan', ...m })), ...(node ? (report.startup ?? []).map((m) => startupScenario(m, node)) : [])];
    writeFileSync(values.json, `${JSON.stringify({ ...report, scenarios }, null, 2)}\n`);
  }
  return 0;
}
