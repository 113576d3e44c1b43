/**
 * Authoring paper cuts (issue 17): a wrong operator or key in a policy is one located diagnostic
 * with a suggestion, not the schema's every alternative; the documentation an author reads is whole.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';
import { closestName } from '../../src/objects.js';
import { OPERATOR_NAMES } from '../../src/engine/operators.js';
import { CIS_VERSIONS, MONITORING_CONTROLS } from '../../src/engine/analysis/cis-controls.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A rule file whose condition is `condition` (YAML lines, indented under `condition:`). */
function ruleText(id: string, condition: string, extra = ''): string {
  return [
    `id: ${id}`,
    'title: Trail bucket follows the naming convention',
    'severity: low',
    'scope: trail',
    'description: Buckets are named acme-*.',
    'remediation:',
    '  cli: aws s3api create-bucket --bucket acme-logs',
    extra,
    'condition:',
    condition,
    'messages:',
    '  pass: The {resource} is well named.',
    '  fail: The {resource} is not well named.',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

/** Validates a policies folder holding the given rules (id -> text); stdout lines and exit code. */
async function validate(rules: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'trailwarden-diagnostics-'));
  for (const [id, text] of Object.entries(rules)) {
    mkdirSync(path.join(dir, path.dirname(id)), { recursive: true });
    writeFileSync(path.join(dir, `${id}.yaml`), text);
  }
  const r = await runCli(['validate', dir]);
  return { code: r.code, lines: r.stdout.split('\n').filter(Boolean).map((l) => l.replace(`${dir}/`, '')), stderr: r.stderr };
}

describe('schema diagnostics of a policy', () => {
  it('a wrong operator is one located line that suggests the operator meant', async () => {
    const r = await validate({ 'acme/prefix': ruleText('acme/prefix', ['  all:', '    - path: trail.s3BucketName', '      op: startWith', '      value: acme-'].join('\n')) });
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([
      `acme/prefix.yaml:11:11 schema/enum condition.all[0].op is "startWith"; did you mean 'startsWith'? expected one of: ${OPERATOR_NAMES.join(', ')}`,
    ]);
  });

  it('a misspelt condition key, a misspelt property and a misspelt enum value: one line each, with the key meant', async () => {
    const r = await validate({
      'acme/key': ruleText('acme/key', ['  all:', '    - paht: trail.s3BucketName', '      op: startsWith', '      value: acme-'].join('\n')),
      'acme/prop': ruleText('acme/prop', ['  path: trail.s3BucketName', '  op: startsWith', '  vaule: acme-'].join('\n')),
      'acme/combinator': ruleText('acme/combinator', ['  alll:', '    - { path: trail.s3BucketName, op: startsWith, value: acme- }'].join('\n')).replace('severity: low', 'severity: hgih'),
    });
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([
      "acme/combinator.yaml:3:11 schema/enum severity is \"hgih\"; did you mean 'high'? expected one of: critical, high, medium, low, info",
      "acme/combinator.yaml:9:3 schema/condition condition is not a condition (has 'alll'; did you mean 'all' for 'alll'?); expected one of: all, any, not, some, every, none, count, path, param, use",
      "acme/key.yaml:10:7 schema/condition condition.all[0] is not a condition (has 'paht', 'op', 'value'; did you mean 'path' for 'paht'?); expected one of: all, any, not, some, every, none, count, path, param, use",
      "acme/prop.yaml:11:3 schema/unknown-property condition has unknown property 'vaule'; did you mean 'value'?",
    ]);
  });

  it('an operand of no allowed type is one line naming the types', async () => {
    const r = await validate({ 'acme/operand': ruleText('acme/operand', ['  path: trail.s3BucketName', '  op: startsWith', '  value: { param: prefix, extra: 1 }'].join('\n')) });
    expect(r.lines).toEqual([
      `acme/operand.yaml:11:10 schema/type condition.value is {"param":"prefix","extra":1}; expected a string, a number, a boolean, null, a list of strings, a list of numbers, { param: NAME } or an object of the operator's arguments`,
    ]);
  });

  it('an unknown fact path suggests the path meant', async () => {
    const r = await validate({ 'acme/path': ruleText('acme/path', ['  path: trail.s3BuketName', '  op: startsWith', '  value: acme-'].join('\n')) });
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^acme\/path\.yaml:9:9 policy\/unknown-path 'trail\.s3BuketName' is not in the snapshot schema for this scope: no 's3BuketName' \(did you mean 's3BucketName'\?\); available here: /);
  });

  it('frameworks is optional: a rule without it validates and maps to no framework', async () => {
    const r = await validate({ 'acme/plain': ruleText('acme/plain', ['  path: trail.s3BucketName', '  op: startsWith', '  value: acme-'].join('\n')) });
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^\d+ rules and \d+ packs are valid\.$/);
    expect(r.code).toBe(0);
  });
});

describe('suggestions', () => {
  it('finds a swapped letter, a missing letter and a wrong case, and nothing for a distant name', () => {
    expect(closestName('startWith', OPERATOR_NAMES)).toBe('startsWith');
    expect(closestName('conatins', OPERATOR_NAMES)).toBe('contains');
    expect(closestName('NOTIN', OPERATOR_NAMES)).toBe('notIn');
    expect(closestName('banana', OPERATOR_NAMES)).toBeUndefined();
    expect(closestName('x'.repeat(10_000), OPERATOR_NAMES)).toBeUndefined();
  });
});

describe('the authoring documentation', () => {
  it('policy-paths.md: every table row has three cells (a | inside a type is escaped)', () => {
    const rows = readFileSync(path.join(ROOT, 'docs/policy-paths.md'), 'utf8').split('\n').filter((l) => l.startsWith('| `'));
    expect(rows.length).toBeGreaterThan(100);
    for (const row of rows) expect(row.replace(/\\\|/g, '').split('|').length - 2, row).toBe(3);
  });

  it('policy-language.md documents every operator, and coversCis with every control and version', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/policy-language.md'), 'utf8');
    const list = /Operators \(a closed table, `src\/engine\/operators\.ts`\): `([^`]+)`/.exec(doc)?.[1]?.split(/\s+/);
    expect(list).toEqual(OPERATOR_NAMES);
    const table = doc.slice(doc.indexOf('`coversCis` is true'), doc.indexOf('`matches` searches'));
    for (const control of MONITORING_CONTROLS) expect(table).toContain(`\`${control}\``);
    for (const version of CIS_VERSIONS) expect(table).toContain(`\`"${version}"\``);
    expect(table).toContain('`strict`');
  });
});
