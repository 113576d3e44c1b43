/**
 * The engine's side of planned configurations: a scalar fact known only after deploy is read as its
 * error (planned.unknown), "cannot be known before deploy" is not_applicable only when every missing
 * fact is such, and a saved plan snapshot evaluates to the same verdicts.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.js';
import { readPlan } from '../../src/iac/plan-json.js';
import { planToSnapshot } from '../../src/iac/plan-snapshot.js';
import { loadRuleSet, type RuleSet } from '../../src/run/scan.js';
import { parseSnapshot } from '../../src/snapshot/io.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { NO_POLICY_SETTINGS } from '../../src/policy/rule-settings.js';

const PLANS = path.resolve(import.meta.dirname, '../fixtures/iac/plans');
const NOW = new Date('2026-12-04T12:00:00Z');
let ruleSet: RuleSet;
let unknownKey: Snapshot;

beforeAll(async () => {
  ruleSet = await loadRuleSet([], NO_POLICY_SETTINGS);
  unknownKey = planToSnapshot(await readPlan(path.join(PLANS, 'unknown-kms-key', 'tfplan.json')), NOW).snapshot;
});

const verdict = (snapshot: Snapshot, ruleId: string) => evaluate(snapshot, ruleSet.rules, { now: NOW }).find((f) => f.ruleId === ruleId)!;

describe('planned snapshots in the engine', () => {
  it('reads a planned scalar known only after deploy as its error, in every scope that reads it', () => {
    expect(verdict(unknownKey, 'trail/kms-encryption')).toMatchObject({ status: 'error', errors: [expect.objectContaining({ code: 'UnknownBeforeApply' })] });
    // The baseline needs the key too: it cannot pass or fail on a key nobody knows yet.
    expect(verdict(unknownKey, 'coverage/security-trail-baseline').status).toBe('error');
  });

  it('makes a verdict not_applicable only when every missing fact cannot be known before deploy', () => {
    expect(verdict(unknownKey, 'trail/delivery-healthy')).toMatchObject({ status: 'not_applicable', message: expect.stringContaining('cannot be known before deploy') });
    const denied: Snapshot = structuredClone(unknownKey);
    denied.trails[0]!.status = { $error: { action: 'cloudtrail:GetTrailStatus', code: 'AccessDenied' } };
    expect(verdict(denied, 'trail/delivery-healthy').status).toBe('error');
  });

  it('fails a planned trail that will not log (enable_logging = false) instead of calling it unknowable', () => {
    const stopped: Snapshot = structuredClone(unknownKey);
    stopped.trails[0]!.status = { isLogging: false };
    expect(verdict(stopped, 'trail/delivery-healthy').status).toBe('fail');
  });

  it('evaluates a saved plan snapshot exactly like the plan', () => {
    const saved = parseSnapshot(JSON.stringify(unknownKey), 'saved.json');
    expect(evaluate(saved, ruleSet.rules, { now: NOW })).toEqual(evaluate(unknownKey, ruleSet.rules, { now: NOW }));
  });
});
