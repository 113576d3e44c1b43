/**
 * `npm run bench [-- --json FILE] [--runs N] [--skip scan,engine,html] [--scenarios NAME,...]`: the SPEC §8 benchmark.
 *
 * - scan: the built CLI scans generated organizations (100 and 1,000 accounts × 17 regions) served
 *   by the fake AWS with 50 ms latency and AWS-like throttling, each in its own process;
 * - engine: every built-in rule on 1,000- and 10,000-account snapshots;
 * - html: report.html with 50,000 findings opened in headless Chromium;
 * - startup: whole-process time of the light commands, as ratios to `node -e 0` of the same run.
 *
 * Prints one table per part and writes `{ scenarios, engine, htmlReport, startup }` as JSON with --json.
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
  // IAM at scale: GetAccountAuthorizationDetails over 200 roles in every account.
  { name: 'org-1000x17-200roles-50ms', accounts: 1_000, regions: 17, latencyMs: 50, ownTrailShare: 0.1, seed: 1, rolesPerAccount: 200 },
  // --verify-integrity 24h: 1,700 digest chains, 40,800 signed digests in the log-archive bucket.
  { name: 'org-100x17-integrity-24h', accounts: 100, regions: 17, latencyMs: 50, ownTrailShare: 0.1, seed: 1, verifyIntegrityHours: 24 },
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

function printScans(scenarios: ScanMeasurement[]): void {
  process.stdout.write(
    `\nScan: dist/cli.js scan --org against the fake AWS in another process (AWS-like throttling), best of ${scenarios[0]?.runs ?? 0} runs; peak RSS is the highest of the runs\n${table(
      scenarios.map((m) => ({
        scenario: m.name,
        accounts: m.accounts,
        regions: m.regions,
        'wall s': m.wallSeconds.toFixed(2),
        'median s': m.wallSecondsMedian.toFixed(2),
        'listed at s': m.listedSeconds.toFixed(2),
        'collected at s': m.collectedSeconds.toFixed(2),
        'lower bound s': m.lowerBoundSeconds.toFixed(2),
        'x bound': m.ratioToLowerBound.toFixed(1),
        'API calls': m.apiCallsTotal,
        'calls/member': m.callsPerMemberAccount.toFixed(2),
        'peak RSS MB': Math.round(m.peakRssMb),
        throttled: m.throttled,
        retried: m.retried,
        failed: m.failedCalls,
        'lost to throttling': m.lostToThrottling,
        'non-read-only': m.nonReadOnlyCalls,
      })),
    )}\n`,
  );
  for (const m of scenarios) {
    process.stdout.write(`\n${m.name}: API calls by action\n${table(Object.entries(m.apiCalls).map(([action, calls]) => ({ action, calls })))}\n`);
    const failures = Object.entries(m.failedCallsByCode);
    if (failures.length > 0) process.stdout.write(`${m.name}: failed calls: ${failures.map(([what, count]) => `${what} ×${count}`).join(', ')}\n`);
  }
}

function printStartup(rows: StartupMeasurement[]): void {
  process.stdout.write(
    `\nStartup: node dist/cli.js COMMAND, whole process, best of ${STARTUP_RUNS} (commands in turn); x node is the ratio to \`node -e 0\` (${rows[0]?.wallSeconds.toFixed(3)} s) of this run\n${table(
      rows.map((m) => ({
        command: m.command,
        'wall s': m.wallSeconds.toFixed(3),
        'median s': m.wallSecondsMedian.toFixed(3),
        'x node': m.ratioToNode.toFixed(1),
        'peak RSS MB': Number.isNaN(m.peakRssMb) ? '-' : Math.round(m.peakRssMb),
      })),
    )}\n`,
  );
}

function printEngine(engine: EngineMeasurement[]): void {
  process.stdout.write(
    `\nEngine: all built-in rules on a generated organization (org trail for all, 10% own trails, 17 regions)\n${table(
      engine.map((m) => ({
        scenario: m.name,
        accounts: m.accounts,
        rules: m.rules,
        findings: m.findings,
        'evaluate s': m.evaluateSeconds.toFixed(3),
        'results.json s': m.resultsJsonSeconds.toFixed(3),
        'results.json MB': Math.round(m.resultsJsonMb),
        'peak RSS MB': Math.round(m.peakRssMb),
      })),
    )}\n`,
  );
}

function printHtml(html: HtmlOutcome): void {
  if ('skipped' in html) {
    process.stdout.write(`\nHTML report: skipped (${html.skipped})\n`);
    return;
  }
  process.stdout.write(
    `\nHTML report in headless Chromium, best of ${html.loads} loads\n${table([
      {
        findings: html.findings,
        'file MB': html.fileMb.toFixed(1),
        'render s': html.renderSeconds.toFixed(2),
        'ready s': html.loadSeconds.toFixed(2),
        'median ready s': html.loadSecondsMedian.toFixed(2),
        'DOMContentLoaded s': html.domContentLoadedSeconds.toFixed(2),
        'first paint s': html.firstContentfulPaintSeconds.toFixed(2),
      },
    ])}\n`,
  );
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

  const report: { scenarios?: ScanMeasurement[]; engine?: EngineMeasurement[]; htmlReport?: HtmlOutcome; startup?: StartupMeasurement[] } = {};
  if (!skipped.has('startup')) {
    const root = packageRoot();
    const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), 'cli'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('could not build dist/cli.js');
    report.startup = benchStartup(root, STARTUP_RUNS);
    printStartup(report.startup);
  }
  if (!skipped.has('scan')) {
    const workspace = await prepareScanBench();
    report.scenarios = [];
    for (const scenario of SCAN_SCENARIOS.filter((candidate) => chosen.length === 0 || chosen.includes(candidate.name))) report.scenarios.push(await benchScan(workspace, scenario, runs));
    printScans(report.scenarios);
  }
  if (!skipped.has('engine')) {
    report.engine = [await benchEngine(1_000), await benchEngine(10_000)];
    printEngine(report.engine);
  }
  if (!skipped.has('html')) {
    report.htmlReport = await benchHtmlReport(HTML_FINDINGS, runs);
    printHtml(report.htmlReport);
  }
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  return 0;
}
