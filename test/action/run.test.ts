/**
 * The Action's run() with a typed fake of @actions/core: inputs -> scan -> outputs, job summary,
 * annotations and step result, in the order the runner needs them (reports before failure).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AnnotationProperties } from '@actions/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run, type ActionCore, type ActionIo } from '../../src/action/run.js';
import { ACTION_OUTPUTS } from '../../src/action/publish.js';
import { renderSummary } from '../../src/reporters/summary.js';
import { parseSnapshot } from '../../src/snapshot/io.js';
import { mergeSnapshots } from '../../src/snapshot/merge.js';
import { shardsOfSnapshot, smallestSplittingShardCount } from '../support/shards.js';
import { runCli } from '../support/cli-runner.js';
import { parseResultsJson } from '../support/results-json.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEMO = path.join(ROOT, 'examples/demo/snapshot.json');

interface RecordedAnnotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  properties?: AnnotationProperties;
}

/** Records what the Action tells the runner; checks at failure time that the reports exist. */
class FakeCore implements ActionCore {
  readonly outputs = new Map<string, string>();
  readonly annotations: RecordedAnnotation[] = [];
  readonly failures: { message: string; filesAtFailure: boolean[] }[] = [];
  readonly logged: string[] = [];
  summaryText = '';
  summaryWrites = 0;
  summary = {
    addRaw: (text: string) => {
      this.summaryText += text;
      return this.summary;
    },
    write: async () => {
      if (this.summaryUnavailable) throw new Error('Unable to find environment variable for $GITHUB_STEP_SUMMARY');
      this.summaryWrites++;
      return this.summary;
    },
  };

  constructor(
    private readonly inputs: Record<string, string>,
    private readonly summaryUnavailable = false,
  ) {}

  getInput(name: string): string {
    return this.inputs[name] ?? '';
  }
  setOutput(name: string, value: string): void {
    this.outputs.set(name, value);
  }
  setFailed(message: string): void {
    const files = ['sarif-file', 'html-file', 'json-file'].map((name) => this.outputs.get(name) ?? '').filter(Boolean);
    this.failures.push({ message, filesAtFailure: files.map((file) => existsSync(file)) });
  }
  error(message: string, properties?: AnnotationProperties): void {
    this.annotations.push({ level: 'error', message, ...(properties ? { properties } : {}) });
  }
  warning(message: string, properties?: AnnotationProperties): void {
    this.annotations.push({ level: 'warning', message, ...(properties ? { properties } : {}) });
  }
  notice(message: string, properties?: AnnotationProperties): void {
    this.annotations.push({ level: 'notice', message, ...(properties ? { properties } : {}) });
  }
  info(message: string): void {
    this.logged.push(message);
  }
}

let workspace: string;
let previousCwd: string;
let stdout: string;
let stderr: string;
const io: ActionIo = {
  stdout: (text) => void (stdout += text),
  stderr: (text) => void (stderr += text),
  env: {},
  now: () => new Date('2026-11-02T09:00:00.000Z'),
};

// The runner starts an Action in the workspace; relative inputs and the default out-dir resolve there.
beforeEach(() => {
  workspace = mkdtempSync(path.join(tmpdir(), 'trailwarden-action-'));
  previousCwd = process.cwd();
  process.chdir(workspace);
  stdout = '';
  stderr = '';
});
afterEach(() => process.chdir(previousCwd));

async function runAction(inputs: Record<string, string>, options: { summaryUnavailable?: boolean } = {}): Promise<FakeCore> {
  const core = new FakeCore(inputs, options.summaryUnavailable);
  await run(core, io);
  return core;
}

const readResults = (core: FakeCore) => parseResultsJson(readFileSync(core.outputs.get('json-file')!, 'utf8'));

describe('the Action on the demo snapshot', () => {
  it('sets every output from the results it wrote', async () => {
    const core = await runAction({ snapshot: DEMO });
    expect([...core.outputs.keys()]).toEqual([...ACTION_OUTPUTS]);
    expect(core.outputs.get('sarif-file')).toBe(path.join('trailwarden-results', 'results.sarif'));
    expect(core.outputs.get('html-file')).toBe(path.join('trailwarden-results', 'report.html'));
    const results = readResults(core);
    const live = results.findings.filter((finding) => !finding.suppression);
    const failing = live.filter((finding) => finding.status === 'fail');
    expect(core.outputs.get('failed-count')).toBe(String(failing.length));
    expect(core.outputs.get('error-count')).toBe(String(live.filter((finding) => finding.status === 'error').length));
    for (const severity of ['critical', 'high', 'medium', 'low'] as const) {
      expect(core.outputs.get(`${severity}-count`)).toBe(String(failing.filter((finding) => finding.severity === severity).length));
    }
    expect(Number(core.outputs.get('failed-count'))).toBeGreaterThan(0);
  });

  it('with a baseline, leads the job summary with what changed since the last run and gates on new failures', async () => {
    const earlier = path.join(ROOT, 'examples/demo/snapshot-earlier.json');
    const core = await runAction({ snapshot: DEMO, baseline: earlier, 'fail-on-new': 'true', format: 'json' });
    const results = readResults(core);
    expect(core.summaryText).toBe(renderSummary(results));
    expect(core.summaryText.indexOf('### Since the last run')).toBeLessThan(core.summaryText.indexOf('| Severity | Fail |'));
    const fixed = results.baseline!.absent.filter((a) => a.reason === 'fixed').length;
    expect(core.summaryText).toContain(`**${results.baseline!.newFailures} new failures, ${fixed} fixed since 2026-10-31T12:00:00.000Z**`);
    expect(core.failures.map((f) => f.message).join('\n')).toContain("new findings since the baseline fail at or above input 'fail-on' (high)");
  });

  it('writes the summary reporter’s markdown as the job summary', async () => {
    const core = await runAction({ snapshot: DEMO, format: 'json' });
    expect(core.summaryWrites).toBe(1);
    expect(core.summaryText).toBe(renderSummary(readResults(core)));
    expect(core.summaryText).toContain('Top failures');
  });

  it('annotates the ten most severe failures, then one notice for what could not be evaluated', async () => {
    const core = await runAction({ snapshot: DEMO });
    // The demo organization has an account whose role cannot be assumed: the incomplete scope is the first error annotation.
    expect(core.annotations[0]).toMatchObject({ level: 'error', properties: { title: 'trailwarden: incomplete scan' } });
    expect(core.annotations[0]!.message).toMatch(/^Incomplete scan: .*Nothing in account 555555555555 \(acme-legacy-erp\) could be scanned: sts:AssumeRole failed with AccessDenied/);
    const failures = core.annotations.filter((a) => a.level !== 'notice' && a.properties?.title !== undefined && a.properties.title !== 'trailwarden: incomplete scan');
    expect(failures).toHaveLength(9);
    const rank = { critical: 4, high: 3, medium: 2, low: 1, info: 0 } as const;
    const severities = failures.map((a) => a.properties!.title!.split(':')[0] as keyof typeof rank);
    expect(severities.map((s) => rank[s])).toEqual([...severities.map((s) => rank[s])].sort((a, b) => b - a));
    const worst = Math.max(...readResults(core).findings.filter((f) => f.status === 'fail').map((f) => rank[f.severity]));
    expect(rank[severities[0]!]).toBe(worst);
    expect(failures.every((a) => a.level === (rank[a.properties!.title!.split(':')[0] as keyof typeof rank] >= 3 ? 'error' : 'warning'))).toBe(true);
    // Different problems first: no rule is named twice while another failing rule is left out.
    const rules = failures.map((a) => /\(([^)]+)\)$/.exec(a.properties!.title!)![1]);
    expect(new Set(rules).size).toBe(Math.min(9, new Set(readResults(core).findings.filter((f) => f.status === 'fail' && rank[f.severity] >= rank[severities.at(-1)!]).map((f) => f.ruleId)).size));
    // Built-in rules are not files of the user's repository.
    expect(failures.every((a) => a.properties!.file === undefined)).toBe(true);
    const notices = core.annotations.filter((a) => a.level === 'notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toMatch(/^\d+ finding\(s\) could not be evaluated/);
    expect(core.logged.some((line) => /more failing findings are in the job summary/.test(line))).toBe(true);
  });

  it('fails the step only per fail-on, after the reports and outputs are written', async () => {
    const allow = { 'fail-on-incomplete': 'none' };
    const high = await runAction({ snapshot: DEMO, ...allow });
    expect(high.failures).toHaveLength(1);
    expect(high.failures[0]!.message).toContain("findings fail at or above input 'fail-on' (high)");
    expect(high.failures[0]!.message).not.toContain('incomplete');
    expect(high.failures[0]!.filesAtFailure).toEqual([true, true, true]);

    expect((await runAction({ snapshot: DEMO, 'fail-on': 'none', ...allow })).failures).toEqual([]);
    const levels = ['low', 'medium', 'high', 'critical'] as const;
    for (const level of levels) {
      const failingAtOrAbove = levels.slice(levels.indexOf(level)).some((severity) => Number(high.outputs.get(`${severity}-count`)) > 0);
      expect((await runAction({ snapshot: DEMO, 'fail-on': level, ...allow })).failures).toHaveLength(failingAtOrAbove ? 1 : 0);
    }
  });

  it('fails an incomplete scan by default, after the reports, so its SARIF cannot close alerts; fail-on-incomplete relaxes it', async () => {
    const strict = await runAction({ snapshot: DEMO, 'fail-on': 'none' });
    expect(strict.outputs.get('incomplete')).toBe('true');
    expect(strict.outputs.get('scope-gap-count')).toBe('1');
    expect(strict.failures).toHaveLength(1);
    expect(strict.failures[0]!.message).toMatch(/the scan is incomplete \(1 part of the scope could not be enumerated\); uploading its SARIF would close alerts/);
    expect(strict.failures[0]!.message).toMatch(/\d+ findings could not be evaluated, \d+ facts could not be collected \(input 'fail-on-incomplete' is any; none would accept it\)/);
    expect(strict.failures[0]!.filesAtFailure).toEqual([true, true, true]);
    const sarif = JSON.parse(readFileSync(strict.outputs.get('sarif-file')!, 'utf8')) as { runs: [{ invocations: [{ executionSuccessful: boolean }] }] };
    expect(sarif.runs[0].invocations[0].executionSuccessful).toBe(false);
    expect(strict.summaryText).toMatch(/Incomplete scan: 1 part of the scope \(accounts\) could not be enumerated/);

    const both = await runAction({ snapshot: DEMO, 'fail-on': 'high' });
    expect(both.failures).toHaveLength(1);
    expect(both.failures[0]!.message).toMatch(/fail-on' \(high\).*; the scan is incomplete/);

    const relaxed = await runAction({ snapshot: DEMO, 'fail-on': 'none', 'fail-on-incomplete': 'none' });
    expect(relaxed.failures).toEqual([]);
    expect(relaxed.outputs.get('incomplete')).toBe('true');
    expect(relaxed.annotations.some((a) => a.properties?.title === 'trailwarden: incomplete scan')).toBe(true);

    const scopeOnly = await runAction({ snapshot: DEMO, 'fail-on': 'none', 'fail-on-incomplete': 'scope' });
    expect(scopeOnly.failures).toHaveLength(1);
    expect(scopeOnly.failures[0]!.message).toMatch(/the scan is incomplete/);
    expect(scopeOnly.failures[0]!.message).not.toMatch(/could not be evaluated/);
    expect(scopeOnly.logged.some((line) => /findings could not be evaluated.*; accepted because input 'fail-on-incomplete' is scope/.test(line))).toBe(true);

    const bad = await runAction({ snapshot: DEMO, 'fail-on-incomplete': 'yes' });
    expect(bad.failures[0]!.message).toMatch(/input 'fail-on-incomplete': expected one of any, scope, none, not 'yes'/);
  });

  it('gates exactly as the CLI does: the same options fail the step where the CLI exits non-zero', async () => {
    const snapshot = parseSnapshot(readFileSync(DEMO, 'utf8'), DEMO);
    const complete = { ...snapshot, accounts: snapshot.accounts.filter((account) => account.id !== '555555555555'), errors: (snapshot.errors ?? []).filter((e) => e.$error.accountId !== '555555555555') };
    writeFileSync('complete.json', JSON.stringify(complete));
    const cases: { snapshot: string; failOn: string; failOnIncomplete?: string; exit: number }[] = [
      { snapshot: DEMO, failOn: 'high', exit: 1 },
      { snapshot: DEMO, failOn: 'none', exit: 3 },
      { snapshot: DEMO, failOn: 'none', failOnIncomplete: 'scope', exit: 3 },
      { snapshot: DEMO, failOn: 'none', failOnIncomplete: 'none', exit: 0 },
      { snapshot: 'complete.json', failOn: 'none', exit: 3 },
      { snapshot: 'complete.json', failOn: 'none', failOnIncomplete: 'scope', exit: 0 },
      { snapshot: 'complete.json', failOn: 'critical', failOnIncomplete: 'none', exit: 1 },
    ];
    for (const c of cases) {
      const cli = await runCli(['scan', '--snapshot', c.snapshot, '--format', 'json', '--out-dir', 'cli', '--fail-on', c.failOn, ...(c.failOnIncomplete ? ['--fail-on-incomplete', c.failOnIncomplete] : [])]);
      const action = await runAction({ snapshot: c.snapshot, format: 'json', 'fail-on': c.failOn, ...(c.failOnIncomplete ? { 'fail-on-incomplete': c.failOnIncomplete } : {}) });
      expect({ ...c, cli: cli.code, actionFails: action.failures.length > 0 }).toEqual({ ...c, cli: c.exit, actionFails: c.exit !== 0 });
      // Both doors give the same reasons, each in its own words for the options.
      const reasons = action.failures[0]?.message.replace(/^trailwarden: /, '').replace(/input '([a-z-]+)'/g, '--$1').replace(' (see the job summary)', '') ?? '';
      expect(cli.stderr).toContain(c.exit === 0 ? '' : `trailwarden: exit ${c.exit}: ${reasons}`);
    }
  });

  it('says a complete scan is complete', async () => {
    const snapshot = parseSnapshot(readFileSync(DEMO, 'utf8'), DEMO);
    const complete = { ...snapshot, accounts: snapshot.accounts.filter((account) => account.id !== '555555555555'), errors: (snapshot.errors ?? []).filter((e) => e.$error.accountId !== '555555555555') };
    writeFileSync('complete.json', JSON.stringify(complete));
    const core = await runAction({ snapshot: 'complete.json', 'fail-on': 'none', 'fail-on-incomplete': 'scope' });
    expect(core.outputs.get('incomplete')).toBe('false');
    expect(core.outputs.get('scope-gap-count')).toBe('0');
    expect(core.failures).toEqual([]);
    // Facts still missing inside a complete scope fail the step only under the default, any: as the CLI's exit 3.
    const strict = await runAction({ snapshot: 'complete.json', 'fail-on': 'none' });
    expect(strict.failures).toHaveLength(1);
    expect(strict.failures[0]!.message).not.toMatch(/the scan is incomplete/);
    expect(strict.failures[0]!.message).toMatch(/could not be evaluated/);
  });

  it('takes unset inputs from the config file, like the CLI', async () => {
    writeFileSync('trailwarden.config.yaml', 'failOn: none\nformat: [json, summary]\noutDir: audit\n');
    const core = await runAction({ snapshot: DEMO, 'fail-on-incomplete': 'none' });
    expect(core.failures).toEqual([]);
    expect(core.outputs.get('json-file')).toBe(path.join('audit', 'results.json'));
    expect(core.outputs.get('sarif-file')).toBe('');
    expect(existsSync(path.join('audit', 'summary.md'))).toBe(true);
    expect(stdout).toBe(''); // no console format asked for
  });

  it('points annotations of the repository’s own rules at their policy file', async () => {
    mkdirSync('policies/trail', { recursive: true });
    const builtin = readFileSync(path.join(ROOT, 'policies/trail/log-file-validation.yaml'), 'utf8');
    writeFileSync('policies/trail/log-file-validation.yaml', builtin.replace(/^severity: \w+$/m, 'severity: critical'));
    const core = await runAction({ snapshot: DEMO, policies: 'policies\n' });
    const own = core.annotations.filter((a) => a.properties?.file === 'policies/trail/log-file-validation.yaml');
    expect(own.length).toBeGreaterThan(0);
    expect(own[0]!.properties!.startLine).toBe(builtin.split('\n').findIndex((line) => line.startsWith('id:')) + 1);
  });

  it('evaluates the union of shard snapshots, listed or in a folder, as one full scan', async () => {
    const full = parseSnapshot(readFileSync(DEMO, 'utf8'), DEMO);
    mkdirSync('shards');
    const files = shardsOfSnapshot(full, smallestSplittingShardCount(full)).map((shard, i) => {
      writeFileSync(path.join('shards', `snapshot-${i + 1}.json`), JSON.stringify(shard));
      return path.join('shards', `snapshot-${i + 1}.json`);
    });
    writeFileSync('full.json', JSON.stringify(mergeSnapshots([full])));
    // Each run has its own run id; everything else must agree.
    const withoutRunId = (core: FakeCore) => ({ ...readResults(core), runId: undefined });
    const expected = withoutRunId(await runAction({ snapshot: 'full.json', 'out-dir': 'full' }));
    const listed = await runAction({ snapshot: files.join('\n'), 'out-dir': 'listed', 'save-snapshot': 'merged.json' });
    expect(withoutRunId(listed)).toEqual(expected);
    expect(JSON.parse(readFileSync('merged.json', 'utf8'))).toEqual(mergeSnapshots([full]));
    const folder = await runAction({ snapshot: 'shards', 'out-dir': 'folder' });
    expect(withoutRunId(folder)).toEqual(expected);
    expect((await runAction({ snapshot: 'full.json\nshards' })).failures[0]!.message).toMatch(/^trailwarden: findings fail/);
    mkdirSync('empty');
    expect((await runAction({ snapshot: 'empty' })).failures[0]!.message).toMatch(/input 'snapshot' names no snapshot file: empty/);
  });

  it('keeps the scan’s outcome when there is no job summary file (a local run)', async () => {
    const core = await runAction({ snapshot: DEMO }, { summaryUnavailable: true });
    expect(core.annotations.some((a) => a.level === 'warning' && a.message.startsWith('trailwarden: job summary not written'))).toBe(true);
    expect(core.outputs.size).toBe(ACTION_OUTPUTS.length);
    expect(core.failures).toHaveLength(1);
  });
});

describe('the Action with bad inputs', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ accounts: '111111111111\n12345' }, /input 'accounts': account ids are 12 digits; not: 12345/],
    [{ 'fail-on': 'severe' }, /input 'fail-on': expected one of none, low, medium, high, critical, not 'severe'/],
    [{ org: 'yes' }, /input 'org': expected true or false, not 'yes'/],
    [{ shard: '3/2' }, /input 'shard': expected I\/N with 1 <= I <= N/],
    [{ format: 'json pdf' }, /input 'format': unknown format pdf/],
    [{ snapshot: DEMO, shard: '1/2' }, /input 'snapshot' evaluates a saved snapshot; it cannot be combined with input 'shard'/],
    [{ snapshot: 'no-such-snapshot.json' }, /cannot read snapshot no-such-snapshot\.json/],
    [{ org: 'true' }, /input 'org' needs input 'role-name'/],
    [{ snapshot: DEMO, org: 'true', accounts: '111111111111' }, /input 'snapshot' evaluates a saved snapshot; it cannot be combined with input 'org', input 'accounts'/],
  ];
  for (const [inputs, message] of cases) {
    it(`fails with what is wrong: ${JSON.stringify(inputs)}`, async () => {
      const core = await runAction(inputs);
      expect(core.failures).toHaveLength(1);
      expect(core.failures[0]!.message).toMatch(message);
      expect(core.outputs.size).toBe(0);
    });
  }

  it('annotates configuration problems at their file, line and column', async () => {
    writeFileSync('trailwarden.config.yaml', 'failOn: high\nrules:\n  trail/no-such-rule:\n    enabled: false\n');
    const core = await runAction({ snapshot: DEMO });
    expect(core.failures).toHaveLength(1);
    const located = core.annotations.filter((a) => a.level === 'error' && a.properties?.file === 'trailwarden.config.yaml');
    expect(located.length).toBeGreaterThan(0);
    expect(located[0]!.properties!.startLine).toBe(3);
    expect(core.failures[0]!.message).toMatch(/trailwarden\.config\.yaml:3:\d+ /);
  });
});

describe('action.yml', () => {
  it('declares exactly the inputs run() reads and the outputs it sets, and runs the bundle on node24', async () => {
    const { parse } = await import('yaml');
    const { ACTION_INPUTS } = await import('../../src/options/schema.js');
    const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: object; outputs: object; runs: { using: string; main: string } };
    expect(Object.keys(action.inputs)).toEqual(ACTION_INPUTS.map((input) => input.name));
    expect(Object.keys(action.outputs)).toEqual([...ACTION_OUTPUTS]);
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/action.js' });
  });
});
