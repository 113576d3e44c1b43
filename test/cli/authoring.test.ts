/**
 * Policy authoring (issue 12): `trailwarden test`, fragments, `explain` and `init` through the CLI,
 * and the examples/custom-policies folder run by `trailwarden test`.
 */
import { cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../support/cli-runner.js';
import { builtinSources } from '../../src/policy/builtin-sources.js';
import { checkCases } from '../../src/run/test-cases.js';
import { explainRule } from '../../src/engine/explain.js';
import { loadSources } from '../../src/policy/loader.js';
import { buildSnapshot } from '../../src/policy/snapshot-builder.js';
import { evaluate } from '../../src/engine/evaluate.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples/custom-policies');

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'trailwarden-authoring-'));
}

/** A copy of the examples folder to break. */
function examplesCopy(): string {
  const dir = tempDir();
  cpSync(EXAMPLES, path.join(dir, 'custom'), { recursive: true });
  return path.join(dir, 'custom');
}

describe('trailwarden test', () => {
  it('runs the examples folder: every case passes, exit 0', async () => {
    const r = await runCli(['test', EXAMPLES]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok {4}\S*acme\/bucket-naming\.cases\.yaml:4 acme\/bucket-naming pass-conventional-name$/m);
    expect(r.stdout).toContain('9 cases: 9 passed, 0 failed');
  });

  it('runs the built-in suite through the same command', async () => {
    const r = await runCli(['test']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n(\d+) cases: \1 passed, 0 failed\n$/);
    expect(r.stdout).toContain('ok    policies/monitoring/root-account-usage.cases.yaml:');
  });

  it('points a failing case at the exact line of its expectation, with expected, actual and evidence', async () => {
    const dir = examplesCopy();
    const file = path.join(dir, 'acme/bucket-naming.cases.yaml');
    const text = readFileSync(file, 'utf8');
    // The legacy bucket's expectation (line 18) now claims a pass.
    const broken = text.replace('{ resource: "arn:aws:s3:::legacy-logs-111111111111", status: fail, messageIncludes: "naming convention" }', '{ resource: "arn:aws:s3:::legacy-logs-111111111111", status: pass }');
    expect(broken).not.toBe(text);
    writeFileSync(file, broken);
    const line = broken.split('\n').findIndex((l) => l.includes('legacy-logs-111111111111", status: pass')) + 1;
    const r = await runCli(['test', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL  ${file}:12 acme/bucket-naming fail-legacy-name`);
    expect(r.stdout).toContain(`  ${file}:${line} arn:aws:s3:::legacy-logs-111111111111: expected pass, got fail`);
    expect(r.stdout).toContain('message: The bucket legacy-logs-111111111111 does not follow the naming convention');
    expect(r.stdout).toContain('evidence: bucket.name = "legacy-logs-111111111111"');
    expect(r.stdout).toContain('9 cases: 8 passed, 1 failed');
  });

  it('a resource with no finding names the findings there are', async () => {
    const dir = examplesCopy();
    const file = path.join(dir, 'acme/trail-required-tags.cases.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('trail/team-trail", status: fail', 'trail/other", status: fail'));
    const r = await runCli(['test', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('arn:aws:cloudtrail:eu-west-1:222222222222:trail/other: expected fail, got no finding; the findings are arn:aws:cloudtrail:eu-west-1:222222222222:trail/team-trail=fail');
  });

  it('an invalid cases file and an invalid rule: exit 2, every problem located, no case judged', async () => {
    const dir = examplesCopy();
    const cases = path.join(dir, 'acme/bucket-naming.cases.yaml');
    writeFileSync(cases, readFileSync(cases, 'utf8').replace('status: pass }', 'status: passed }').replace('params: { pattern:', 'params: { patern:'));
    const rule = path.join(dir, 'acme/trail-required-tags.yaml');
    writeFileSync(rule, readFileSync(rule, 'utf8').replace('path: "trail.tags[].key"', 'path: "trail.tag[].key"'));
    const r = await runCli(['test', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(new RegExp(`${cases.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:11:\\d+ \\S+ `));
    expect(r.stdout).toMatch(/trail-required-tags\.yaml:\d+:\d+ policy\/unknown-path /);
    expect(r.stderr).toContain('no case was judged');
    expect(r.stdout).not.toMatch(/^ok /m);
  });

  it('an unknown case parameter is located at its key', async () => {
    const dir = examplesCopy();
    const cases = path.join(dir, 'acme/bucket-naming.cases.yaml');
    writeFileSync(cases, readFileSync(cases, 'utf8').replace('params: { pattern:', 'params: { patern:'));
    const r = await runCli(['test', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/bucket-naming\.cases\.yaml:21:\d+ cases\/unknown-param rule acme\/bucket-naming has no parameter 'patern'; it has pattern/);
  });

  it('--update records the actual verdicts of new cases and keeps comments and the other cases', async () => {
    const dir = examplesCopy();
    const file = path.join(dir, 'acme/log-retention-seven-years.cases.yaml');
    const added = [
      '  # A new story, expectations to be recorded.',
      '  - name: ninety-days',
      '    snapshot:',
      '      trails: [{ arn: "arn:aws:cloudtrail:eu-west-1:222222222222:trail/short" }]',
      '      logGroups:',
      '        - arn: arn:aws:logs:eu-west-1:222222222222:log-group:short-log-group',
      '          details: { retentionInDays: 90 }',
      '',
    ].join('\n');
    const before = `${readFileSync(file, 'utf8')}${added}`;
    writeFileSync(file, before);
    const pending = await runCli(['test', dir]);
    expect(pending.code).toBe(1);
    expect(pending.stdout).toContain('ninety-days: no expect block; run trailwarden test --update');

    const r = await runCli(['test', '--update', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('new   ');
    expect(r.stdout).toContain('ninety-days: arn:aws:logs:eu-west-1:222222222222:log-group:short-log-group=fail');
    const after = readFileSync(file, 'utf8');
    expect(after).toContain('# yaml-language-server: $schema=../../../schemas/cases.schema.json');
    expect(after).toContain('# A new story, expectations to be recorded.');
    expect(after).toContain('story: 400 days passes the built-in logs/retention but not Acme\'s seven years.');
    const doc = parse(after) as { cases: { name: string; expect?: unknown[] }[] };
    expect(doc.cases.at(-1)).toMatchObject({ name: 'ninety-days', expect: [{ resource: 'arn:aws:logs:eu-west-1:222222222222:log-group:short-log-group', status: 'fail' }] });
    expect(doc.cases).toHaveLength(4);

    const again = await runCli(['test', dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('10 cases: 10 passed, 0 failed');
  });

  it('tests built-ins named by their own path, and warns about a folder without rules', async () => {
    const r = await runCli(['test', 'policies/monitoring'], { cwd: ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok    policies/monitoring/vpc-changes.cases.yaml:');
    expect(r.stdout).not.toContain('policies/trail/');
    const empty = await runCli(['test', tempDir()]);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toMatch(/warning: no rule found in /);
  });

  it('a missing path is exit 2 with a located message', async () => {
    const r = await runCli(['test', path.join(tempDir(), 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('policy/unreadable no such file or folder');
  });
});

describe('validate and cases files', () => {
  it('checks cases files and warns about a rule without one', async () => {
    const dir = examplesCopy();
    writeFileSync(path.join(dir, 'acme/trail-required-tags.cases.yaml'), 'rule: acme/other\ncases:\n  - name: x\n    snapshot: { trails: 3 }\n');
    writeFileSync(path.join(dir, 'acme/untested.yaml'), readFileSync(path.join(dir, 'acme/bucket-naming.yaml'), 'utf8').replace('id: acme/bucket-naming', 'id: acme/untested'));
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/trail-required-tags\.cases\.yaml:4:\d+ schema\/\S+ /);
    expect(r.stderr).toMatch(/warning: \S*acme\/untested\.yaml: the rule has no cases file/);
    const ok = await runCli(['validate', EXAMPLES]);
    expect(ok.code).toBe(0);
  });
});

describe('condition fragments', () => {
  function rule(condition: string): string {
    return [
      'id: acme/uses-fragment',
      'title: t',
      'severity: low',
      'scope: account',
      'description: d',
      'remediation: { console: c }',
      'frameworks: {}',
      'params:',
      '  version: { type: string, default: "5.0", description: v }',
      `condition: ${condition}`,
      'messages: { pass: "{resource} ok", fail: "{resource} not ok" }',
      '',
    ].join('\n');
  }

  it('a user rule reuses the built-in CIS fragment for its own control in one line', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'acme'));
    writeFileSync(path.join(dir, 'acme/uses-fragment.yaml'), rule('{ use: { fragment: cis-metric-alarm, with: { control: vpc-changes, cisVersion: { param: version } } } }'));
    const r = await runCli(['validate', dir]);
    expect(r.stdout).toContain('rules and');
    expect(r.code).toBe(0);
  });

  it('unknown fragment, unknown and mistyped parameters, missing parameter: every problem located', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'acme'));
    writeFileSync(
      path.join(dir, 'acme/uses-fragment.yaml'),
      rule('\n  all:\n    - { use: { fragment: nope } }\n    - { use: { fragment: cis-metric-alarm, with: { contrl: x, strict: "yes" } } }\n'),
    );
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/uses-fragment\.yaml:12:\d+ policy\/unknown-fragment no fragment 'nope'; known fragments: cis-metric-alarm/);
    expect(r.stdout).toMatch(/uses-fragment\.yaml:13:\d+ policy\/unknown-param fragment 'cis-metric-alarm' has no parameter 'contrl'/);
    expect(r.stdout).toMatch(/uses-fragment\.yaml:13:\d+ policy\/param-type parameter 'strict' of fragment 'cis-metric-alarm' must be boolean/);
    expect(r.stdout).toMatch(/uses-fragment\.yaml:13:\d+ policy\/missing-param fragment 'cis-metric-alarm' needs parameter 'control'/);
  });

  it('a problem inside a fragment names the place in the fragment file; a cycle is located at the use that closes it', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'fragments'));
    mkdirSync(path.join(dir, 'acme'));
    writeFileSync(path.join(dir, 'fragments/a.yaml'), 'id: a\ndescription: a\ncondition:\n  use: { fragment: b }\n');
    writeFileSync(path.join(dir, 'fragments/b.yaml'), 'id: b\ndescription: b\ncondition:\n  any:\n    - { path: id, op: eq, value: "1" }\n    - { use: { fragment: a } }\n');
    writeFileSync(path.join(dir, 'fragments/typo.yaml'), 'id: typo\ndescription: t\nparams:\n  n: { type: integer, description: n }\ncondition:\n  all:\n    - { path: trailz, op: exists }\n    - { count: trails, op: gte, value: { param: n } }\n');
    writeFileSync(path.join(dir, 'acme/uses-fragment.yaml'), rule('\n  all:\n    - { use: { fragment: typo, with: { n: 1 } } }\n    - { use: { fragment: a } }\n'));
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(2);
    const fragmentB = path.join(dir, 'fragments/b.yaml');
    expect(r.stdout).toContain(`${fragmentB}:6:`);
    expect(r.stdout).toMatch(/policy\/fragment-cycle fragment cycle: a -> b -> a/);
    expect(r.stdout).toMatch(new RegExp(`uses-fragment\\.yaml:12:\\d+ policy/unknown-path in fragment 'typo' at ${path.join(dir, 'fragments/typo.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7:\\d+: 'trailz' is not in the snapshot schema`));
    expect(r.stdout).toMatch(/uses-fragment\.yaml:13:\d+ policy\/unknown-fragment no fragment 'a'/);
  });

  it('the monitoring rules give the same findings through the fragment as the condition written out', async () => {
    const sources = await builtinSources();
    const fragment = parse(sources.find((s) => s.file === 'policies/fragments/cis-metric-alarm.yaml')!.text) as { condition: unknown };
    const monitoring = sources.filter((s) => s.file.startsWith('policies/monitoring/') && !s.file.endsWith('.cases.yaml'));
    expect(monitoring.length).toBe(15);
    const inlined = monitoring.map((s) => {
      const control = /with: \{ control: ([a-z0-9-]+),/.exec(s.text)![1]!;
      const condition = JSON.stringify(fragment.condition).replace('{"param":"control"}', JSON.stringify(control));
      return { ...s, text: s.text.replace(/^condition:\n {2}use: .*$/m, `condition: ${condition}`) };
    });
    const viaFragment = loadSources(sources.filter((s) => s.file.startsWith('policies/fragments/') || monitoring.includes(s)));
    const written = loadSources(inlined);
    expect(viaFragment.diagnostics).toEqual([]);
    expect(written.diagnostics).toEqual([]);
    const demo = JSON.parse(readFileSync(path.join(ROOT, 'examples/demo/snapshot.json'), 'utf8'));
    const now = new Date(demo.scanTime);
    expect(evaluate(demo, viaFragment.rules, { now })).toEqual(evaluate(demo, written.rules, { now }));
  });
});

describe('trailwarden explain', () => {
  it('prints the condition tree with values and facts for one resource', async () => {
    const r = await runCli(['explain', 'trail/log-file-validation', '--snapshot', path.join(ROOT, 'examples/demo/snapshot.json'), '--resource', 'arn:aws:cloudtrail:us-east-1:111111111111:trail/acme-org-trail']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('trail/log-file-validation (trail):');
    expect(r.stdout).toMatch(/arn:aws:cloudtrail:us-east-1:111111111111:trail\/acme-org-trail: (pass|fail|error) - /);
    expect(r.stdout).toMatch(/\[(true|false|unknown)\] \S*logFileValidationEnabled eq true {4}\(\S*logFileValidationEnabled = (true|false)\)/);
  });

  it('shows a fragment with its bound parameters and unknown for a fact that was not collected', async () => {
    const r = await runCli(['explain', 'monitoring/root-account-usage', '--snapshot', path.join(ROOT, 'examples/demo/snapshot.json'), '--resource', '111111111111']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[false] use cis-metric-alarm (control="root-account-usage", cisVersion="5.0", strict=false)');
    expect(r.stdout).toContain('[false] [arn:aws:sns:us-east-1:111111111111:acme-unconfirmed-alerts] confirmedSubscriptions gte 1    (confirmedSubscriptions = 0)');
  });

  it('an unknown rule or resource is exit 2 and names what there is', async () => {
    const snapshot = path.join(ROOT, 'examples/demo/snapshot.json');
    const rule = await runCli(['explain', 'trail/log-file-validaton', '--snapshot', snapshot]);
    expect(rule.code).toBe(2);
    expect(rule.stderr).toContain("unknown rule 'trail/log-file-validaton'");
    const resource = await runCli(['explain', 'trail/log-file-validation', '--snapshot', snapshot, '--resource', 'arn:nope']);
    expect(resource.code).toBe(2);
    expect(resource.stderr).toMatch(/no trail 'arn:nope' in the snapshot; it has arn:aws:cloudtrail:/);
  });

  it("agrees with the engine's verdict on every built-in case", async () => {
    const sources = await builtinSources();
    const check = checkCases(sources, () => true);
    const loaded = loadSources(sources);
    let compared = 0;
    for (const { rule, outcomes } of check.rules) {
      for (const o of outcomes) {
        if (o.case.params) continue; // the rule was reloaded with other parameters
        const snapshot = buildSnapshot(o.case.snapshot);
        const explained = explainRule(snapshot, rule, loaded.fragments, new Date(snapshot.scanTime));
        for (const f of o.findings) {
          const e = explained.find((x) => x.resource.type === f.resource.type && x.resource.arn === f.resource.arn)!;
          const value = e.applies?.value === false ? 'not_applicable' : e.applies?.value === 'unknown' ? 'unknown' : e.condition!.value;
          const expected = { pass: true, fail: false, error: 'unknown', not_applicable: f.errors ? 'unknown' : 'not_applicable' }[f.status];
          // A not_applicable from "AWS does not offer it" is an unknown condition underneath.
          expect([expected, f.status === 'not_applicable' ? 'unknown' : expected], `${rule.id} ${o.case.name} ${f.resource.arn}`).toContain(value);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
  });
});

describe('trailwarden init', () => {
  it('writes the starter files, which validate and whose cases pass', async () => {
    const dir = tempDir();
    const r = await runCli(['init'], { cwd: dir });
    expect(r.code).toBe(0);
    for (const f of ['trailwarden.config.yaml', 'policies/custom/trail-owner-tag.yaml', 'policies/custom/trail-owner-tag.cases.yaml', '.github/workflows/trailwarden.yml']) {
      expect(existsSync(path.join(dir, f)), f).toBe(true);
      expect(r.stdout).toContain(`wrote   ${f}`);
    }
    const tested = await runCli(['test', 'policies'], { cwd: dir });
    expect(tested.code).toBe(0);
    expect(tested.stdout).toContain('2 cases: 2 passed, 0 failed');
    const validated = await runCli(['validate', '--config', 'trailwarden.config.yaml', 'policies'], { cwd: dir });
    expect(validated.stderr).toBe('');
    expect(validated.code).toBe(0);
  });

  it('never overwrites a file, and says which it skipped', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'trailwarden.config.yaml'), 'failOn: low\n');
    const r = await runCli(['init', '--dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('skipped trailwarden.config.yaml (it exists; left unchanged)');
    expect(readFileSync(path.join(dir, 'trailwarden.config.yaml'), 'utf8')).toBe('failOn: low\n');
    const again = await runCli(['init', '--dir', dir]);
    expect(again.stdout.match(/^skipped /gm)).toHaveLength(4);
    expect(again.stdout).not.toContain('wrote');
  });

  it("writes the README's scheduled workflow, word for word", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = /A complete scheduled workflow[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)![1];
    expect(readFileSync(path.join(ROOT, 'templates/init/trailwarden.yml'), 'utf8')).toBe(block);
  });

  it('uploads SARIF only from a complete scope, so a partial scan never closes alerts it could not see', () => {
    type Step = { id?: string; if?: string; uses?: string; with?: Record<string, unknown> };
    const workflow = parse(readFileSync(path.join(ROOT, 'templates/init/trailwarden.yml'), 'utf8')) as { jobs: { scan: { steps: Step[] } } };
    const steps = workflow.jobs.scan.steps;
    const upload = steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
    const scanId = steps.find((step) => step.uses?.startsWith('trailwarden/trailwarden@'))!.id!;
    expect(upload.if).toBe(`\${{ !cancelled() && steps.${scanId}.outputs.sarif-file != '' && steps.${scanId}.outputs.scope-gap-count == '0' }}`);
    // The HTML artifact is still uploaded from an incomplete scan: it says what is missing.
    expect(steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'))!.if).not.toContain('scope-gap-count');
    // The output the condition reads exists, and every README upload of the scheduled category is guarded the same way.
    const outputs = (parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { outputs: Record<string, unknown> }).outputs;
    expect(Object.keys(outputs)).toContain('scope-gap-count');
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const scheduled = [...readme.matchAll(/- if: (.*)\n\s+uses: github\/codeql-action\/upload-sarif@[^\n]*\n\s+with:\n[^\n]*\n\s+category: trailwarden-aws-cloudtrail/g)];
    expect(scheduled.length).toBe(2);
    for (const [, condition] of scheduled) expect(condition).toContain("steps.scan.outputs.scope-gap-count == '0'");
  });
});
