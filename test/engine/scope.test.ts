/**
 * Scope completeness (engine/scope.ts): every part of the scope the scan could not enumerate is an
 * `error` finding of trailwarden/scan-scope at its own scope, the Results say the scan is incomplete,
 * and every report says so — SARIF with executionSuccessful false, still valid for the OASIS schema
 * and GitHub's upload rules.
 */
import { NO_POLICY_SETTINGS } from '../../src/policy/rule-settings.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.js';
import { mergeResults } from '../../src/engine/merge-results.js';
import { buildResults, exitCodeFor } from '../../src/engine/build-results.js';
import { SCOPE_RULE_ID, scopeGaps } from '../../src/engine/scope.js';
import { applySuppressions } from '../../src/policy/suppressions.js';
import { REPORTERS } from '../../src/reporters/index.js';
import type { Results } from '../../src/results.js';
import { loadRuleSet, type RuleSet } from '../../src/run/scan.js';
import { parseSnapshot } from '../../src/snapshot/io.js';
import type { CollectionError, Snapshot } from '../../src/snapshot/schema.js';
import { githubUploadProblems, schemaErrors } from '../reporters/sarif-checks.js';
import { parseResultsJson } from '../support/results-json.js';

const DEMO_FILE = path.resolve(import.meta.dirname, '../../examples/demo/snapshot.json');
const INACCESSIBLE = '555555555555';
const demo = (): Snapshot => parseSnapshot(readFileSync(DEMO_FILE, 'utf8'), DEMO_FILE);

/** The demo organization without its inaccessible account: a scan that saw its whole scope. */
function completeDemo(): Snapshot {
  const snapshot = demo();
  return { ...snapshot, accounts: snapshot.accounts.filter((a) => a.id !== INACCESSIBLE), errors: (snapshot.errors ?? []).filter((e) => e.$error.accountId !== INACCESSIBLE) };
}

let ruleSet: RuleSet;
beforeAll(async () => {
  ruleSet = await loadRuleSet([], NO_POLICY_SETTINGS);
});

function resultsOf(snapshot: Snapshot, rules = ruleSet.rules, suppressions: Parameters<typeof applySuppressions>[1] = []): Results {
  const now = new Date(snapshot.scanTime);
  const findings = applySuppressions(evaluate(snapshot, rules, { now }), suppressions, now).findings;
  return buildResults({ snapshot, rules, findings, toolVersion: '0.0.0-test', scanTime: new Date('2026-11-02T09:00:00.000Z') });
}

const listingCut = (snapshot: Snapshot): Snapshot => ({
  ...snapshot,
  errors: [
    ...(snapshot.errors ?? []),
    { $error: { action: 'organizations:ListAccounts', code: 'ThrottlingException', accountId: snapshot.callerAccountId!, message: 'the account listing stopped after 1 page(s), 4 account(s) read; accounts after them were not scanned' } },
  ],
});

describe('scope gaps', () => {
  it('a complete scan has none: no scope finding, no incomplete field, SARIF executionSuccessful true', () => {
    const results = resultsOf(completeDemo());
    expect(results.incomplete).toBeUndefined();
    expect(results.findings.some((f) => f.ruleId === SCOPE_RULE_ID)).toBe(false);
    expect(results.rules.some((r) => r.id === SCOPE_RULE_ID)).toBe(false);
    const sarif = JSON.parse(REPORTERS.sarif.render(results, { color: false, width: 80 }) as string);
    expect(sarif.runs[0].invocations[0].executionSuccessful).toBe(true);
  });

  it('an interrupted account listing is an organization-scope error finding naming the action, the code and the accounts read', () => {
    const snapshot = listingCut(completeDemo());
    const results = resultsOf(snapshot);
    const scope = results.findings.filter((f) => f.ruleId === SCOPE_RULE_ID);
    expect(scope).toHaveLength(1);
    expect(scope[0]).toMatchObject({ status: 'error', severity: 'high', resource: { type: 'organization', name: 'o-acme0example' } });
    expect(scope[0]!.message).toBe(
      `The account list of organization o-acme0example is incomplete: organizations:ListAccounts failed with ThrottlingException (the account listing stopped after 1 page(s), 4 account(s) read; accounts after them were not scanned); ${snapshot.accounts.length} accounts were read and scanned, the accounts after them were not.`,
    );
    expect(results.incomplete).toEqual({
      summary: expect.stringMatching(/^Incomplete scan: 1 part of the scope \(accounts\) could not be enumerated; resources there were not checked/),
      gaps: [expect.objectContaining({ kind: 'accounts', action: 'organizations:ListAccounts', code: 'ThrottlingException' })],
    });
    expect(exitCodeFor(results, 'none')).toBe(3);
  });

  it('runs whatever --pack selected, and no suppression hides it', () => {
    const cis = ruleSet.rules.filter((r) => r.id === 'trail/log-file-validation');
    const results = resultsOf(listingCut(completeDemo()), cis, [{ rule: '*', resource: '*', reason: 'silence everything' }]);
    const scope = results.findings.filter((f) => f.ruleId === SCOPE_RULE_ID);
    expect(scope).toHaveLength(1);
    expect(scope[0]!.suppression).toBeUndefined();
    expect(results.rules.map((r) => r.id)).toEqual(['trail/log-file-validation', SCOPE_RULE_ID]);
  });

  it('an inaccessible account, unlisted regions, unlisted trails and a listed trail never described: one gap each, at its own scope', () => {
    const base = demo();
    const [a, b, c] = base.accounts.filter((acc) => acc.id !== INACCESSIBLE);
    const regionsDenied: CollectionError = { $error: { action: 'ec2:DescribeRegions', code: 'UnauthorizedOperation', accountId: a!.id } };
    const trailsDenied: CollectionError = { $error: { action: 'cloudtrail:ListTrails', code: 'AccessDeniedException', accountId: b!.id, region: 'us-east-1' } };
    const ghost = `arn:aws:cloudtrail:eu-west-1:${c!.id}:trail/ghost`;
    const snapshot: Snapshot = {
      ...base,
      accounts: base.accounts.map((acc) =>
        acc.id === a!.id ? { ...acc, regions: regionsDenied } : acc.id === b!.id ? { ...acc, trailArns: trailsDenied } : acc.id === c!.id && Array.isArray(acc.trailArns) ? { ...acc, trailArns: [...acc.trailArns, ghost] } : acc,
      ),
    };
    const gaps = scopeGaps(snapshot);
    const byKind = gaps.map((g) => [g.kind, g.resource.type, g.resource.accountId]);
    expect(byKind).toEqual(
      expect.arrayContaining([
        ['accounts', 'account', INACCESSIBLE],
        ['regions', 'region', a!.id],
        ['trails', 'account', b!.id],
        ['trails', 'trail', c!.id],
      ]),
    );
    expect(gaps).toHaveLength(4);
    const ghostGap = gaps.find((g) => g.resource.arn === ghost)!;
    expect(ghostGap.resource).toEqual({ type: 'trail', arn: ghost, accountId: c!.id, region: 'eu-west-1', name: 'ghost' });
    expect(ghostGap.message).toMatch(/^Trail arn:aws:cloudtrail:eu-west-1:\d{12}:trail\/ghost, listed by account \d{12}.*, could not be described, so no rule checked it: cloudtrail:DescribeTrails failed with TrailNotCollected/);
    expect(gaps.find((g) => g.kind === 'regions')!.message).toMatch(/The regions of account \d{12}.* could not be listed, so none of them was checked region by region: ec2:DescribeRegions failed with UnauthorizedOperation\./);
    expect(gaps.find((g) => g.resource.accountId === INACCESSIBLE)!.message).toMatch(/^Nothing in account 555555555555 \(acme-legacy-erp\) could be scanned: sts:AssumeRole failed with AccessDenied/);

    const results = resultsOf(snapshot);
    const sarifText = REPORTERS.sarif.render(results, { color: false, width: 80 }) as string;
    const sarif = JSON.parse(sarifText);
    expect(schemaErrors(sarif)).toEqual([]);
    expect(githubUploadProblems(sarifText)).toEqual([]);
    const invocation = sarif.runs[0].invocations[0];
    expect(invocation.executionSuccessful).toBe(false);
    const scopeNotes = invocation.toolExecutionNotifications.filter((n: { descriptor: { id: string } }) => n.descriptor.id.startsWith('trailwarden/scan-scope/'));
    expect(scopeNotes.map((n: { descriptor: { id: string }; level: string }) => [n.descriptor.id, n.level])).toEqual([
      ['trailwarden/scan-scope/accounts', 'error'],
      ['trailwarden/scan-scope/regions', 'error'],
      ['trailwarden/scan-scope/trails', 'error'],
    ]);
    // A gap is "could not evaluate", like every error finding: its own rule, a note without security-severity.
    const scopeResults = sarif.runs[0].results.filter((r: { ruleId: string }) => r.ruleId === `${SCOPE_RULE_ID}/could-not-evaluate`);
    expect(scopeResults).toHaveLength(4);
    expect(scopeResults.every((r: { level: string; kind: string }) => r.level === 'note' && r.kind === 'open')).toBe(true);
    const ruleIds = sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id);
    expect(ruleIds).toContain(SCOPE_RULE_ID);
    expect(ruleIds).toContain(`${SCOPE_RULE_ID}/could-not-evaluate`);
  });

  it('every report says the scan is incomplete', () => {
    const results = resultsOf(listingCut(completeDemo()));
    const line = 'Incomplete scan: 1 part of the scope (accounts) could not be enumerated';
    expect(REPORTERS.console.render(results, { color: false, width: 120 })).toContain(line);
    expect(REPORTERS.summary.render(results, { color: false, width: 80 })).toContain(`> [!CAUTION]\n> **${line}`);
    expect(REPORTERS.html.render(results, { color: false, width: 80 })).toContain(`<p class="note incomplete" role="alert"><strong>${line}`);
    const json = parseResultsJson(REPORTERS.json.render(results, { color: false, width: 80 }) as string);
    expect(json.incomplete?.summary).toContain(line);
  });

  it('merged shard results stay incomplete when one shard was, whichever shard lists the scope rule', () => {
    const complete = resultsOf(completeDemo());
    const incomplete = resultsOf(listingCut(completeDemo()));
    for (const parts of [
      [complete, incomplete],
      [incomplete, complete],
    ]) {
      const { results } = mergeResults(parts);
      expect(results.incomplete?.gaps).toHaveLength(1);
      expect(results.rules.filter((r) => r.id === SCOPE_RULE_ID)).toHaveLength(1);
      expect(results.findings.filter((f) => f.ruleId === SCOPE_RULE_ID)).toHaveLength(1);
    }
    expect(mergeResults([complete, complete]).results.incomplete).toBeUndefined();
  });
});
