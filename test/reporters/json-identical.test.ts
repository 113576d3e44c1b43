/**
 * The results.json writer was rewritten for speed (issue 15): it must still write the very bytes the
 * writer before it wrote, for every input. The old writer is kept, unchanged, in
 * fixtures/json-2.0-reference.ts; these tests compare the two on the goldens' data, on the engine's
 * own results, and on randomized Results made to hit every shortcut the new writer takes (objects
 * shared by identity, keys that need the slow way, values JSON.stringify treats specially, full tables).
 */
import { describe, expect, it } from 'vitest';
import type { Evidence, Finding, Results } from '../../src/results.js';
import { TABLE_LIMIT, jsonReporter, renderJson } from '../../src/reporters/json.js';
import { NO_POLICY_SETTINGS } from '../../src/policy/rule-settings.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { buildResults } from '../../src/engine/build-results.js';
import { loadRuleSet } from '../../src/run/scan.js';
import { generatedOrganization } from '../../bench/engine.js';
import { buildSnapshot } from '../support/snapshot-builder.js';
import { seededRandom } from '../support/random.js';
import { HOSTILE_STRINGS, createResults } from '../fixtures/results-factory.js';
import { renderJsonReference } from './fixtures/json-2.0-reference.js';
import { smallOrgResults } from './fixtures/small-org.js';

const KEYS = ['path', 'value', 'a', 'b', 'zeta', 'Alpha', '__proto__', 'toJSON', '0', '1', '10', '9', '01', '-1', '4294967295', '1.5', ' ', '', 'ü', '😀', 'constructor', 'name', 'type', 'arn', 'accountId', 'region', 'commands', 'collect', 'terraform'];

/** A generator of awkward JSON-ish data, the same for the same seed. */
function randomData(seed: number) {
  const rand = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const text = (): string => {
    switch (Math.floor(rand() * 8)) {
      case 0:
        return pick(HOSTILE_STRINGS);
      case 1:
        return '\ud800 lone \udfff surrogates';
      case 2:
        return '';
      case 3:
        return pick(KEYS);
      case 4:
        return 'x'.repeat(Math.floor(rand() * 300));
      default:
        return `${pick(['trail', 'bucket', 'account', 'key'])}-${Math.floor(rand() * 50)}`;
    }
  };
  const value = (depth: number): unknown => {
    switch (Math.floor(rand() * (depth > 3 ? 7 : 10))) {
      case 0:
        return null;
      case 1:
        return pick([true, false]);
      case 2:
        return pick([0, -0, 1, -1.5, 1e21, 1e-7, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity, 123456789012]);
      case 3:
      case 4:
        return text();
      case 5:
        return undefined;
      case 6:
        return pick([new Date(0), new String('ab'), new Number(3), new Boolean(false)]);
      case 7: {
        const list: unknown[] = Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
        if (rand() < 0.1) list.length += 2; // holes
        return list;
      }
      default: {
        const object: Record<string, unknown> = {};
        for (let i = Math.floor(rand() * 5); i > 0; i--) Object.defineProperty(object, pick(KEYS), { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
        return object;
      }
    }
  };
  return { rand, pick, text, value };
}

/** Results from the factory, then roughened: shared objects, odd keys and values, unknown fields. */
function awkwardResults(seed: number): Results {
  const results = createResults({ seed, findings: 120, hostile: seed % 2 === 0 });
  const { rand, pick, text, value } = randomData(seed * 7919);
  const shared: Evidence[] = [];
  const sharedFrameworks = [['cis:1.1'], [], ['b', 'a']];
  results.findings.forEach((finding: Finding, i) => {
    const record = finding as unknown as Record<string, unknown>;
    const roll = () => rand() < 0.2;
    if (roll()) finding.evidence = Array.from({ length: Math.floor(rand() * 4) }, () => ({ path: text(), value: value(0) }));
    if (roll() && shared.length > 0) finding.evidence = [...finding.evidence, pick(shared)];
    if (roll()) shared.push(...finding.evidence);
    if (roll()) (finding.evidence as unknown[]).push(pick([null, 'loose', 3, undefined, { value: 1, path: 'reversed', extra: 2 }, { path: 'odd', 7: 'index key' }]));
    if (roll()) finding.frameworks = pick(sharedFrameworks);
    if (roll()) finding.resource = { ...finding.resource, ...(rand() < 0.5 ? { name: text() } : { name: '' }) };
    if (roll()) (finding.resource as unknown as Record<string, unknown>)[pick(KEYS.filter((key) => key !== 'name' && key !== 'accountId'))] = value(1);
    if (roll()) finding.resource.accountId = pick(['', finding.resource.accountId, 'aa', 'a']);
    if (roll()) finding.message = `${finding.resource.name ?? ''}${finding.resource.accountId}${finding.message}${finding.resource.accountId}${finding.resource.name ?? ''}${text()}`;
    if (roll()) finding.resource.name = pick(['a', 'aa', finding.resource.accountId]);
    if (roll()) finding.message = pick(['aaa', 'aaaa', '', 'a', `${finding.resource.accountId}${finding.resource.accountId}`]);
    if (roll()) finding.fix = { commands: `${text()} ${finding.resource.name ?? ''} --account ${finding.resource.accountId}`, ...(rand() < 0.5 ? { collect: [text(), finding.resource.accountId] } : {}), ...(rand() < 0.3 ? { [pick(KEYS)]: value(1) } : {}) };
    if (roll()) finding.severity = pick(['critical', 'low', 'info']);
    if (roll()) finding.resource.type = pick(['bucket', 'account', 'trail']);
    if (roll()) record[pick(['zz', 'aa', '__proto__', '0', 'toJSON', 'rollup'])] = value(0);
    if (roll()) record.suppression = { reason: text(), [pick(KEYS)]: value(1) };
    if (roll()) record.iac = { file: text(), startLine: i, extra: value(1) };
    if (roll()) record.baselineState = pick(['new', 'unchanged', undefined]);
    if (i % 17 === 0) finding.errors = [{ action: 'x:Y', code: text(), [pick(KEYS)]: value(1) } as never];
  });
  if (seed % 3 === 0) results.findings.push(...results.findings.slice(0, 10)); // the same finding objects twice
  return results;
}

/** The same data with every object's keys inserted in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const reversed = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value).reverse()) Object.defineProperty(reversed, key, { value: reversedKeys((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
  return reversed;
}

function expectSameBytes(results: Results): void {
  const text = renderJsonReference(results);
  expect(renderJson(results)).toBe(text);
  expect(text.length).toBeGreaterThan(100);
  expect([...jsonReporter.renderChunks!(results, { color: false, width: 100 })].join('')).toBe(text);
}

describe('results.json is byte for byte what the writer before it wrote', () => {
  it('for the golden reports’ data and the factory’s results, plain and hostile', () => {
    expectSameBytes(smallOrgResults());
    for (let seed = 1; seed <= 6; seed++) expectSameBytes(createResults({ seed, findings: 400, hostile: seed % 2 === 0 }));
  });

  it('for the engine’s own results (shared resources, framework lists and memoized evidence)', async () => {
    const snapshot = buildSnapshot(generatedOrganization(25));
    const { rules } = await loadRuleSet([], NO_POLICY_SETTINGS);
    const findings = evaluate(snapshot, rules, { now: new Date(snapshot.scanTime) });
    const results = buildResults({ snapshot, rules, findings, toolVersion: 'test', scanTime: new Date(snapshot.scanTime) });
    expect(results.findings.length).toBeGreaterThan(1000);
    expectSameBytes(results);
  });

  it('for randomized awkward results: odd keys and values, objects shared by identity, unknown fields', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const results = awkwardResults(seed);
      expectSameBytes(results);
      if (seed % 5 === 0) expectSameBytes(reversedKeys(results) as Results);
    }
  });

  it('with tables that fill up, by entries and by characters', () => {
    const saved = { ...TABLE_LIMIT };
    try {
      for (const limit of [{ entries: 0 }, { entries: 3 }, { entries: 40 }, { chars: 0 }, { chars: 200 }, { chars: 3000 }]) {
        Object.assign(TABLE_LIMIT, saved, limit);
        expectSameBytes(createResults({ seed: 9, findings: 300, hostile: true }));
        expectSameBytes(awkwardResults(11));
      }
    } finally {
      Object.assign(TABLE_LIMIT, saved);
    }
  });

  it('with values JSON.stringify treats specially: toJSON, functions, symbols, non-string names', () => {
    const base = () => createResults({ seed: 12, findings: 20 });
    const cases: ((results: Results) => void)[] = [
      (r) => (r.findings[0]!.evidence = [{ path: 'p', value: { toJSON: () => 'called', b: 1 } }]),
      (r) => (r.findings[0]!.evidence = [{ path: 'p', value: { toJSON: 'data', b: 1 } }]),
      (r) => (r.findings[1]!.evidence = [{ path: 'p', value: { f: () => 1, s: Symbol('s'), u: undefined, list: [() => 1, Symbol('t'), undefined] } }]),
      (r) => ((r.findings[2]!.resource as unknown as Record<string, unknown>).name = 12),
      (r) => ((r.findings[2]!.resource as unknown as Record<string, unknown>).accountId = ['1', '2']),
      (r) => ((r.findings[3] as unknown as Record<string, unknown>).extra = () => 1),
      (r) => ((r.findings[3] as unknown as Record<string, unknown>).status = { b: 1, a: [2, { d: 1, c: 2 }] }),
      (r) => ((r.findings[4] as unknown as Record<string, unknown>).frameworks = [{ b: 1, a: 2 }]),
      (r) => ((r.findings[4] as unknown as Record<string, unknown>).message = 'no resource name here'),
      (r) => (r.findings[5]!.fix = { terraform: 'x', commands: 'y', collect: ['z'], zz: { '2': 1, '10': 2, b: 3 } } as never),
      (r) => ((r.findings[6] as unknown as Record<string, unknown>).severity = undefined),
      (r) => ((r.findings[6] as unknown as Record<string, unknown>).ruleId = undefined),
    ];
    for (const change of cases) {
      const results = base();
      change(results);
      expectSameBytes(results);
    }
  });

  it('tells evidence items apart that share a path and a value but not their other keys or the type of their value', () => {
    const results = createResults({ seed: 14, findings: 40 });
    const items: unknown[] = [
      { path: 'p', value: 1 },
      { path: 'p', value: 1, extra: 2 },
      { value: 1, path: 'p' },
      Object.assign(Object.create({ path: 'p' }) as object, { value: 1 }),
      Object.assign(Object.create({ inherited: true }) as object, { path: 'p', value: 1 }),
      { path: 'p', value: '1' },
      { path: 'p', value: -0 },
      { path: 'p', value: 0 },
      { path: 'p', value: NaN },
      { path: 'p', value: Infinity },
      { path: 'p', value: null },
      { path: 'p', value: true },
      { path: 'p', value: 'true' },
      ...Array.from({ length: 12 }, (_, i) => ({ path: 'p', value: i })),
      { path: 'p', value: 1 },
    ];
    results.findings.forEach((finding, i) => (finding.evidence = [items[i % items.length] as Evidence, { path: 'p', value: i % 3 }]));
    expectSameBytes(results);
  });

  it('templates every short message around every short name and account id as before, one rule’s findings after another', () => {
    const results = createResults({ seed: 15, findings: 1 });
    const base = results.findings[0]!;
    const words = [''];
    for (let length = 1; length <= 5; length++) for (const word of words.filter((w) => w.length === length - 1)) words.push(`${word}a`, `${word}b`);
    results.findings = [];
    for (const name of ['', 'a', 'aa', 'ab', 'b', 'aba']) {
      for (const accountId of ['', 'a', 'b', 'ba', 'aa']) {
        for (const message of words) results.findings.push({ ...base, message, resource: { ...base.resource, name, accountId }, fix: { commands: `${message} ${name}` } });
      }
    }
    expect(results.findings.length).toBeGreaterThan(1800);
    expectSameBytes(results);
  });

  it('fails where the writer before it failed', () => {
    const withBigint = createResults({ seed: 13, findings: 5 });
    withBigint.findings[0]!.evidence = [{ path: 'p', value: 1n }];
    expect(() => renderJsonReference(withBigint)).toThrow(TypeError);
    expect(() => renderJson(withBigint)).toThrow(TypeError);
  });
});
