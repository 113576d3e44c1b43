import { describe, expect, it } from 'vitest';
import { controlRollup } from '../../src/engine/control-rollup.js';
import type { Finding, Status } from '../../src/results.js';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const OUTSIDE = '999999999999';

function finding(ruleId: string, accountId: string, status: Status, suppressed = false): Finding {
  return {
    ruleId,
    status,
    severity: 'high',
    resource: { type: 'trail', arn: `arn:aws:cloudtrail:us-east-1:${accountId}:trail/${ruleId}-${status}`, accountId, region: 'us-east-1' },
    message: 'm',
    evidence: [],
    frameworks: [],
    ...(suppressed ? { suppression: { reason: 'accepted' } } : {}),
  };
}

const accounts = [{ id: A }, { id: B }, { id: C }];
const pack = {
  id: 'cis-test',
  title: 'CIS test',
  controls: [
    { id: '4.10', title: 'ten', rules: ['r/one'] },
    { id: '4.9', title: 'nine', rules: ['r/one', 'r/two'] },
    { id: '2.1', title: 'unmapped here', rules: ['r/none'] },
  ],
};

describe('per-control rollup', () => {
  const findings = [
    // r/one: A passes, B fails on one resource and passes on another, C could not be evaluated.
    finding('r/one', A, 'pass'),
    finding('r/one', B, 'pass'),
    finding('r/one', B, 'fail'),
    finding('r/one', C, 'error'),
    // r/two: A fails but suppressed (accepted: counts as passing), C fails: worse than its error.
    finding('r/two', A, 'fail', true),
    finding('r/two', C, 'fail'),
    // An account outside the scan has no scanned account to count against.
    finding('r/one', OUTSIDE, 'fail'),
  ];
  const rollup = controlRollup({ accounts, findings }, pack);

  it('orders controls numerically and counts every scanned account once per control', () => {
    expect(rollup.controls.map((control) => control.id)).toEqual(['2.1', '4.9', '4.10']);
    expect(rollup.accounts).toBe(3);
    for (const control of rollup.controls) expect(control.passing + control.failing + control.unevaluated + control.notApplicable).toBe(3);
  });

  it('takes the worst verdict of the control’s rules per account: fail over error over pass', () => {
    const ten = rollup.controls.find((control) => control.id === '4.10')!;
    expect(ten).toMatchObject({ passing: 1, failing: 1, unevaluated: 1, notApplicable: 0, failingAccounts: [B], unevaluatedAccounts: [C] });
    const nine = rollup.controls.find((control) => control.id === '4.9')!;
    expect(nine).toMatchObject({ passing: 1, failing: 2, unevaluated: 0, failingAccounts: [B, C] });
  });

  it('a control no finding speaks to is not applicable in every account', () => {
    expect(rollup.controls.find((control) => control.id === '2.1')).toMatchObject({ passing: 0, failing: 0, unevaluated: 0, notApplicable: 3 });
  });
});

describe('per-control rollup of merged shards', () => {
  it('counts the union of the shards’ accounts, as one scan of them would', async () => {
    const { mergeResults } = await import('../../src/engine/merge-results.js');
    const { packResults } = await import('../reporters/fixtures/honest-counts.js');
    const whole = packResults();
    const shard = (ids: string[]) => {
      const part = { ...whole, accounts: whole.accounts.filter((a) => ids.includes(a.id)), findings: whole.findings.filter((f) => ids.includes(f.resource.accountId)) };
      return { ...part, controls: controlRollup(part, { id: whole.pack!, title: whole.controls!.title, controls: whole.controls!.controls }) };
    };
    const [first, second] = whole.accounts.map((a) => shard([a.id]));
    expect(first!.controls.accounts).toBe(1);
    const merged = mergeResults([first!, second!]).results;
    expect(merged.controls).toEqual(whole.controls);
  });
});
