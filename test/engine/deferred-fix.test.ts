/**
 * A finding's fix is computed when read (issue 15: the filled-in commands of every failing finding
 * were ~160 MB of a 10,000-account scan's memory), and reads as the value findingFix computed
 * eagerly before: the same fix, under the same key, in JSON, spreads and structured clones, on no
 * finding that had none, without keeping the subject's view alive.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { evaluate, type CompiledRule } from '../../src/engine/evaluate.js';
import { deferredFix, findingFix } from '../../src/engine/fix.js';
import { SnapshotViews, type Subject } from '../../src/engine/views.js';
import { loadSources } from '../../src/policy/loader.js';
import { builtinSources } from '../../src/policy/builtin-sources.js';
import { applySuppressions } from '../../src/policy/suppressions.js';
import { firstRunComparison } from '../../src/engine/baseline.js';
import { deferFix, hasDeferredFix, withFields, type Finding, type Remediation, type ResourceRef } from '../../src/results.js';
import { parseSnapshot } from '../../src/snapshot/io.js';
import type { Snapshot } from '../../src/snapshot/schema.js';

const DEMO_FILE = path.resolve(import.meta.dirname, '../../examples/demo/snapshot.json');

/** The finding as evaluate built it before fixes were deferred: the same keys, `fix` last, a data property. */
function eagerOf(finding: Finding, rule: CompiledRule, subject: Subject): Record<string, unknown> {
  const { fix: _deferred, ...rest } = finding;
  const fix = finding.status === 'fail' || finding.status === 'error' ? findingFix(finding.status, rule.remediation, subject.resource, subject.view, finding.errors ?? []) : undefined;
  return { ...rest, ...(fix ? { fix } : {}) };
}

/** Every object reachable from `root` through own properties (symbol keys too), bounded. */
function reachable(root: unknown, limit = 10_000): Set<object> {
  const seen = new Set<object>();
  const stack = [root];
  while (stack.length > 0 && seen.size < limit) {
    const value = stack.pop();
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) continue;
    seen.add(value);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
      stack.push(...('value' in descriptor ? [descriptor.value] : [descriptor.get, descriptor.set]));
    }
  }
  return seen;
}

describe('deferred fixes on the demo snapshot', async () => {
  const snapshot = parseSnapshot(readFileSync(DEMO_FILE, 'utf8'), DEMO_FILE);
  const { rules } = loadSources(await builtinSources());
  // The subjects evaluate judges, their views the very objects it had.
  const subjectsOf = new Map<string, Subject[]>();
  const original = SnapshotViews.prototype.subjects;
  const spy = vi.spyOn(SnapshotViews.prototype, 'subjects').mockImplementation(function (this: SnapshotViews, scope) {
    const subjects = original.call(this, scope);
    subjectsOf.set(scope, subjects);
    return subjects;
  });
  const findings = evaluate(snapshot, rules, { now: new Date(snapshot.scanTime) });
  spy.mockRestore();
  const rulesById = new Map(rules.map((rule) => [rule.id, rule]));
  const subjectOf = (finding: Finding): Subject => subjectsOf.get(rulesById.get(finding.ruleId)!.scope)!.find((s) => s.resource === finding.resource)!;
  const withFix = findings.filter((f) => Object.hasOwn(f, 'fix'));

  it('gives every failing and error finding the fix findingFix computes from its rule, resource, view and errors', () => {
    expect(withFix.length).toBeGreaterThan(50);
    // Every kind of resource whose values commands take, and error findings.
    const kinds = new Set(withFix.map((f) => (f.status === 'error' ? 'error' : f.resource.type)));
    for (const kind of ['trail', 'bucket', 'kms-key', 'log-group', 'error']) expect(kinds).toContain(kind);
    // The organization trail's digest check names its bucket, a fact of the trail's view.
    const signatures = withFix.find((f) => f.ruleId === 'integrity/digest-signatures-valid' && f.status === 'fail');
    expect(signatures?.fix?.commands).toContain('list-object-versions --bucket acme-org-cloudtrail-logs ');
    for (const finding of findings) {
      const eager = eagerOf(finding, rulesById.get(finding.ruleId)!, subjectOf(finding));
      expect(Object.keys(finding)).toEqual(Object.keys(eager));
      expect(JSON.stringify(finding)).toBe(JSON.stringify(eager));
    }
  });

  it('has no fix key at all on passes, not-applicable findings and failures whose rule has nothing to paste', () => {
    const without = findings.filter((f) => !Object.hasOwn(f, 'fix'));
    expect(without.length).toBeGreaterThan(0);
    for (const finding of without) {
      expect('fix' in finding).toBe(false);
      expect(Object.keys(finding)).not.toContain('fix');
      expect(eagerOf(finding, rulesById.get(finding.ruleId)!, subjectOf(finding))).not.toHaveProperty('fix');
    }
  });

  it('reads the same fix every time, and carries it through JSON, spreads, structuredClone and Object.entries', () => {
    for (const finding of withFix) {
      const fix = finding.fix;
      expect(fix).toBeDefined();
      expect(hasDeferredFix(finding)).toBe(true);
      expect(finding.fix).toEqual(fix);
      expect(finding.fix).not.toBe(fix); // computed on each read, kept by nobody
      expect(JSON.parse(JSON.stringify(finding)).fix).toEqual(fix);
      const spread = { ...finding };
      expect(Object.getOwnPropertyDescriptor(spread, 'fix')).toEqual({ value: fix, writable: true, enumerable: true, configurable: true });
      const cloned = structuredClone(finding);
      expect(cloned.fix).toEqual(fix);
      expect(Object.getOwnPropertySymbols(cloned)).toEqual([]);
      expect(Object.fromEntries(Object.entries(finding)).fix).toEqual(fix);
      expect(Object.keys(finding).at(-1)).toBe('fix');
    }
  });

  it('keeps the fix deferred through suppressions and baselines, with the keys a spread would give', () => {
    const failing = withFix.filter((f) => f.status === 'fail');
    const suppressed = applySuppressions(failing, [{ rule: '*', resource: '*', reason: 'accepted' }], new Date(snapshot.scanTime)).findings;
    const compared = firstRunComparison({ findings: failing }, 'baseline.json').findings;
    for (const [i, finding] of failing.entries()) {
      expect(hasDeferredFix(suppressed[i]!)).toBe(true);
      expect(JSON.stringify(suppressed[i])).toBe(JSON.stringify({ ...finding, suppression: { reason: 'accepted' } }));
      expect(hasDeferredFix(compared[i]!)).toBe(true);
      expect(JSON.stringify(compared[i])).toBe(JSON.stringify({ ...finding, baselineState: 'new' }));
    }
    // A finding with a stored fix (read from results.json) is copied as it is.
    const stored: Finding = { ...failing[0]! };
    expect(hasDeferredFix(stored)).toBe(false);
    expect(withFields(stored, { baselineState: 'new' })).toEqual({ ...stored, baselineState: 'new' });
  });

  it('holds no reference to the view: only the rule’s remediation and a trail’s bucket and key strings', () => {
    for (const finding of withFix) {
      const subject = subjectOf(finding);
      const held = reachable(finding);
      expect(held.has(subject.view)).toBe(false);
      for (const value of Object.values(subject.view)) if (typeof value === 'object' && value !== null && value !== finding.resource) expect(held.has(value)).toBe(false);
    }
  });
});

describe('deferredFix', () => {
  const trail: ResourceRef = { type: 'trail', arn: 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/t', accountId: '111111111111', region: 'eu-west-1', name: 't' };
  const remediation: Remediation = { cli: 'aws x --bucket <bucket> --key <key-arn> --name <trail-arn> --role <role>\n', terraform: 'bucket = "<bucket>"' };
  const base = (resource: ResourceRef): Finding => ({ ruleId: 'r', status: 'fail', severity: 'high', resource, message: 'm', evidence: [], frameworks: [] });

  it('fills a trail’s bucket and key taken from its view, as findingFix does, and refuses the same unsafe values', () => {
    for (const trailView of [
      { s3BucketName: 'logs-1', kmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/k' },
      { s3BucketName: 'x; rm -rf ~' },
      { s3BucketName: { $error: { action: 'cloudtrail:DescribeTrails', code: 'AccessDenied' } } },
      {},
    ]) {
      const view = { trail: trailView };
      const finding = deferFix(base(trail), deferredFix('fail', remediation, trail, view)!);
      expect(finding.fix).toEqual(findingFix('fail', remediation, trail, view));
    }
    expect(deferFix(base(trail), deferredFix('fail', remediation, trail, { trail: { s3BucketName: 'logs-1' } })!).fix).toEqual({
      commands: 'aws x --bucket logs-1 --key <key-arn> --name arn:aws:cloudtrail:eu-west-1:111111111111:trail/t --role <role>',
      terraform: 'bucket = "logs-1"',
    });
  });

  it('shares one source among a rule’s findings outside trails, and gives none where findingFix gives no fix', () => {
    const bucket: ResourceRef = { type: 'bucket', arn: 'arn:aws:s3:::b', accountId: '111111111111', region: 'us-east-1', name: 'b' };
    expect(deferredFix('fail', remediation, bucket, { bucket: {} })).toBe(deferredFix('fail', remediation, { ...bucket, name: 'c' }, undefined));
    expect(deferredFix('fail', { console: 'prose only' }, trail, undefined)).toBeUndefined();
    expect(deferredFix('error', remediation, trail, undefined, [])).toBeUndefined();
    const errors = [{ action: 's3:GetBucketAcl', code: 'AccessDenied', accountId: '222222222222' }];
    const error = deferFix({ ...base(bucket), status: 'error', errors }, deferredFix('error', remediation, bucket, undefined, errors)!);
    expect(error.fix).toEqual(findingFix('error', remediation, bucket, undefined, errors));
  });
});

describe('the view is not retained by a deferred fix (garbage collection)', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;

  it('lets every trail view of a failing evaluation be collected while its findings live', async () => {
    const { rules } = loadSources(await builtinSources());
    const refs: WeakRef<object>[] = [];
    const original = SnapshotViews.prototype.subjects;
    const spy = vi.spyOn(SnapshotViews.prototype, 'subjects').mockImplementation(function (this: SnapshotViews, scope) {
      const subjects = original.call(this, scope);
      if (scope === 'trail') for (const subject of subjects) refs.push(new WeakRef(subject.view));
      return subjects;
    });
    let findings: Finding[];
    {
      const snapshot: Snapshot = parseSnapshot(readFileSync(DEMO_FILE, 'utf8'), DEMO_FILE);
      findings = evaluate(snapshot, rules, { now: new Date(snapshot.scanTime) });
    }
    spy.mockRestore();
    const trailFixes = findings.filter((f) => f.resource.type === 'trail' && Object.hasOwn(f, 'fix'));
    expect(refs.length).toBeGreaterThan(0);
    expect(trailFixes.length).toBeGreaterThan(0);
    for (let i = 0; i < 5 && refs.some((ref) => ref.deref() !== undefined); i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      gc();
    }
    expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    // And the fixes still read (the facts they need were taken out of the views).
    expect(trailFixes.every((f) => f.fix !== undefined)).toBe(true);
  });
});
