/**
 * Issue 17's leftovers in the reports people read: each failure's own commands (engine/fix.ts) in
 * the job summary and in SARIF, and an account shown as "account ID (name)", never as its
 * `…:root` ARN (which reads as the root user), where a human reads it. Identities keep the ARN.
 */
import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/results.js';
import { resourceLabel } from '../../src/reporters/model.js';
import { renderSarif, type SarifResult } from '../../src/reporters/sarif.js';
import { renderSummary, SUMMARY_LIMITS } from '../../src/reporters/summary.js';
import { smallOrgResults } from './fixtures/small-org.js';
import { githubUploadProblems, schemaErrors } from './sarif-checks.js';

const MEMBER = '222222222222';
const MEMBER_ROOT = `arn:aws:iam::${MEMBER}:root`;
const COMMANDS = 'aws cloudtrail create-trail --name org-trail --s3-bucket-name logs-1 --is-multi-region-trail\naws cloudtrail start-logging --name org-trail';

/** The small organization with its member account failing coverage/trail-logging, with a fix to paste. */
function failingAccount(): Results {
  const results = smallOrgResults();
  const finding = results.findings.find((f) => f.ruleId === 'coverage/trail-logging' && f.resource.arn === MEMBER_ROOT)!;
  finding.status = 'fail';
  finding.message = 'No logging trail covers this account.';
  finding.fix = { commands: COMMANDS };
  return results;
}

function sarifOf(results: Results): { text: string; results: SarifResult[] } {
  const text = renderSarif(results, { color: false, width: 80 });
  return { text, results: (JSON.parse(text) as { runs: { results: SarifResult[] }[] }).runs[0]!.results };
}

describe('resourceLabel', () => {
  it('shows an account as its id and name, and any other resource as its ARN', () => {
    const names = new Map([[MEMBER, 'prod']]);
    expect(resourceLabel({ type: 'account', arn: MEMBER_ROOT, accountId: MEMBER }, names)).toBe(`account ${MEMBER} (prod)`);
    expect(resourceLabel({ type: 'account', arn: MEMBER_ROOT, accountId: MEMBER, name: 'own' }, new Map())).toBe(`account ${MEMBER} (own)`);
    expect(resourceLabel({ type: 'account', arn: MEMBER_ROOT, accountId: MEMBER }, new Map())).toBe(`account ${MEMBER}`);
    expect(resourceLabel({ type: 'bucket', arn: 'arn:aws:s3:::logs', accountId: MEMBER }, names)).toBe('arn:aws:s3:::logs');
  });
});

describe('job summary', () => {
  it('names a failing account by id and name, never by its :root ARN', () => {
    const text = renderSummary(failingAccount());
    expect(text).not.toContain(':root');
    expect(text).toContain(`account ${MEMBER} (Prod`);
  });

  it('shows the first failure’s own commands of the top failing rules, one fenced block of commands each, bounded', () => {
    const text = renderSummary(failingAccount());
    const section = text.slice(text.indexOf('#### Fix the first ones'));
    // The account's name holds a backtick: the code span's fence grows around it.
    expect(section).toMatch(new RegExp(`^#### Fix the first ones\\n\\n\`coverage/trail-logging\` on \`+account ${MEMBER} \\(Prod <img`));
    const block = /```sh\n([\s\S]*?)\n```/.exec(section)![1];
    expect(block).toBe(COMMANDS);

    const many = failingAccount();
    const template = many.findings.find((f) => f.fix)!;
    const ruleIds = [...new Set(many.rules.map((rule) => rule.id))];
    // Every failing rule gets a fix: only `fixes` of them are shown, and a long line is cut.
    for (const ruleId of ruleIds.slice(0, 12)) many.findings.push({ ...template, ruleId, resource: { ...template.resource }, fix: { commands: `aws s3api x --bucket ${'b'.repeat(2_000)}` } });
    const bounded = renderSummary(many);
    const blocks = [...bounded.slice(bounded.indexOf('#### Fix the first ones')).matchAll(/```sh\n([\s\S]*?)\n```/g)].map((match) => match[1]!);
    expect(blocks).toHaveLength(SUMMARY_LIMITS.fixes);
    for (const lines of blocks) for (const line of lines.split('\n')) expect(line.length).toBeLessThanOrEqual(SUMMARY_LIMITS.commandLength);
  });

  it('keeps a hostile command inside its code block: the fence outgrows any backtick run', () => {
    const results = failingAccount();
    results.findings.find((f) => f.fix)!.fix = { commands: 'aws s3api x ```\n# Injected heading\n<img src=x onerror=alert(1)>' };
    const text = renderSummary(results);
    const fenced = /(`{4,})sh\n([\s\S]*?)\n\1/.exec(text)!;
    expect(fenced[2]).toContain('# Injected heading');
    expect(fenced[1]!.length).toBeGreaterThan(3);
    expect(text.replace(fenced[0], '')).not.toContain('Injected heading');
  });
});

describe('SARIF', () => {
  it('says "account ID (name)" in the message and keeps the :root ARN as the logical location and identity', () => {
    const { text, results } = sarifOf(failingAccount());
    const result = results.find((r) => r.ruleId === 'coverage/trail-logging' && r.properties.arn === MEMBER_ROOT)!;
    expect(result.message.text).toMatch(new RegExp(`^No logging trail covers this account \\(account ${MEMBER} \\(Prod `));
    expect(result.message.text).not.toContain(':root');
    expect(result.locations[0]!.logicalLocations![0]!.fullyQualifiedName).toBe(MEMBER_ROOT);
    expect(schemaErrors(JSON.parse(text))).toEqual([]);
    expect(githubUploadProblems(text)).toEqual([]);
  });

  it('carries the fix in properties for tools, and its commands in the message text code scanning shows', () => {
    const { text, results } = sarifOf(failingAccount());
    const result = results.find((r) => r.ruleId === 'coverage/trail-logging' && r.properties.arn === MEMBER_ROOT)!;
    expect(result.properties.fix).toEqual({ commands: COMMANDS });
    expect(result.message.text).toMatch(/\. To fix: aws cloudtrail create-trail --name org-trail --s3-bucket-name logs-1 --is-multi-region-trail; then aws cloudtrail start-logging --name org-trail$/);
    expect(schemaErrors(JSON.parse(text))).toEqual([]);
    // A finding without a fix has no "To fix".
    expect(results.filter((r) => r.properties.fix === undefined).every((r) => !r.message.text.includes('To fix'))).toBe(true);
  });
});
