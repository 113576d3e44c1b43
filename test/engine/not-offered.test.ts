/**
 * SPEC §1: "not offered here" is a fact. A verdict that is unknown only because AWS answered that
 * the feature does not exist where it was asked is `not_applicable` with that reason; any other
 * missing fact, or the same code from another API, stays `error`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, type CompiledRule } from '../../src/engine/evaluate.js';
import { buildResults, exitCodeFor } from '../../src/engine/build-results.js';
import { loadRule } from '../../src/policy/loader.js';
import { NOT_OFFERED_ANSWERS, isNotOffered, notOfferedReason } from '../../src/snapshot/not-offered.js';
import { buildSnapshot } from '../support/snapshot-builder.js';
import { builtinFragments } from '../support/fragments.js';

const TRAIL = 'arn:aws:cloudtrail:eu-south-2:111111111111:trail/audit';
const root = path.resolve(import.meta.dirname, '../..');

function rule(file: string): CompiledRule {
  const { rule: loaded, diagnostics } = loadRule({ file, text: readFileSync(path.join(root, file), 'utf8'), builtin: true }, undefined, builtinFragments());
  if (!loaded) throw new Error(JSON.stringify(diagnostics));
  return loaded;
}

const insightsError = (code: string, action = 'cloudtrail:GetInsightSelectors') => ({ $error: { action, code, accountId: '111111111111', region: 'eu-south-2' } });

function judge(trail: Record<string, unknown>) {
  const snapshot = buildSnapshot({ trails: [{ arn: TRAIL, ...trail }] });
  const findings = evaluate(snapshot, [rule('policies/trail/insights-enabled.yaml')], { now: new Date(snapshot.scanTime) });
  return { snapshot, findings };
}

describe('not offered here', () => {
  it('lists only UnsupportedOperationException from the Insights and Lake read APIs', () => {
    expect(NOT_OFFERED_ANSWERS.map((row) => `${row.action}:${row.code}`)).toEqual([
      'cloudtrail:GetInsightSelectors:UnsupportedOperationException',
      'cloudtrail:ListEventDataStores:UnsupportedOperationException',
      'cloudtrail:GetEventDataStore:UnsupportedOperationException',
    ]);
    expect(notOfferedReason({ action: 'cloudtrail:GetInsightSelectors', code: 'UnsupportedOperationException', region: 'eu-south-2' })).toBe(
      'CloudTrail Insights is not offered in eu-south-2 (cloudtrail:GetInsightSelectors answered UnsupportedOperationException)',
    );
    expect(isNotOffered({ action: 'cloudtrail:GetInsightSelectors', code: 'InvalidInsightSelectorsException' })).toBe(false);
    expect(isNotOffered({ action: 'kms:GetKeyRotationStatus', code: 'UnsupportedOperationException' })).toBe(false);
    expect(isNotOffered({ action: 'cloudtrail:GetInsightSelectors', code: 'AccessDenied' })).toBe(false);
  });

  it('makes the Insights verdict not_applicable with the reason, and the scan complete', () => {
    const { snapshot, findings } = judge({ insightSelectors: insightsError('UnsupportedOperationException') });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'trail/insights-enabled', status: 'not_applicable' });
    expect(findings[0]?.message).toBe(
      `Not applicable to the trail audit (${TRAIL}): CloudTrail Insights is not offered in eu-south-2 for account 111111111111 (cloudtrail:GetInsightSelectors answered UnsupportedOperationException).`,
    );
    expect(findings[0]).not.toHaveProperty('errors');
    const results = buildResults({ snapshot, rules: [rule('policies/trail/insights-enabled.yaml')], findings, toolVersion: '0.0.0', scanTime: new Date(snapshot.scanTime) });
    expect(results.collectionErrors).toEqual([]);
    expect(exitCodeFor(results, 'high')).toBe(0);
  });

  it.each([
    ['an invalid-selectors answer', insightsError('InvalidInsightSelectorsException')],
    ['a denied read', insightsError('AccessDenied')],
    ['an unknown answer', insightsError('UnknownError')],
  ])('keeps %s an error', (_name, insightSelectors) => {
    const { snapshot, findings } = judge({ insightSelectors });
    expect(findings[0]).toMatchObject({ status: 'error', errors: [insightSelectors.$error] });
    const results = buildResults({ snapshot, rules: [rule('policies/trail/insights-enabled.yaml')], findings, toolVersion: '0.0.0', scanTime: new Date(snapshot.scanTime) });
    expect(exitCodeFor(results, 'high')).toBe(3);
  });

  it('keeps the error when whether the rule applies is unknown for another reason', () => {
    const { findings } = judge({
      insightSelectors: insightsError('UnsupportedOperationException'),
      status: insightsError('AccessDenied', 'cloudtrail:GetTrailStatus'),
    });
    expect(findings[0]).toMatchObject({ status: 'error', errors: [{ action: 'cloudtrail:GetTrailStatus', code: 'AccessDenied' }] });
  });

  it('keeps the error when another unknown fact stands beside the not-offered one', () => {
    const text = [
      'id: custom/insights-and-tags',
      'title: Insights on and tagged',
      'severity: low',
      'scope: trail',
      'description: Both facts are needed.',
      'remediation: { console: Turn both on. }',
      'frameworks: {}',
      'condition:',
      '  all:',
      '    - { path: trail.insightSelectors, op: notEmpty }',
      '    - { path: trail.tags, op: notEmpty }',
      'messages:',
      '  pass: The {resource} passes.',
      '  fail: The {resource} fails.',
    ].join('\n');
    const { rule: custom, diagnostics } = loadRule({ file: 'policies/custom/insights-and-tags.yaml', text, builtin: false });
    if (!custom) throw new Error(JSON.stringify(diagnostics));
    const snapshot = buildSnapshot({
      trails: [{ arn: TRAIL, insightSelectors: insightsError('UnsupportedOperationException'), tags: insightsError('AccessDenied', 'cloudtrail:ListTags') }],
    });
    const [finding] = evaluate(snapshot, [custom], { now: new Date(snapshot.scanTime) });
    expect(finding).toMatchObject({ status: 'error' });
    expect(finding?.errors?.map((e) => e.code).sort()).toEqual(['AccessDenied', 'UnsupportedOperationException']);
  });

  it('lets a decided verdict stand: a stopped trail is not applicable for its own reason', () => {
    const { findings } = judge({ insightSelectors: insightsError('UnsupportedOperationException'), status: { isLogging: false } });
    expect(findings[0]).toMatchObject({ status: 'not_applicable', message: expect.stringContaining('not logging') });
  });
});
