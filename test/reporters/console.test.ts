import { describe, expect, it } from 'vitest';
import { CONSOLE_MATRIX_MIN_WIDTH, renderConsole } from '../../src/reporters/console.js';
import { tallyFindings, visibleControls } from '../../src/reporters/model.js';
import { SEVERITIES } from '../../src/results.js';
import { createResults } from '../fixtures/results-factory.js';
import { smallOrgResults } from './fixtures/small-org.js';
import { expectedPassingPercent, OUTSIDE_ACCOUNT, outsideAccountResults, packResults } from './fixtures/honest-counts.js';

// eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
const SGR = /\u001b\[[0-9;]*m/g;

describe('console reporter', () => {
  const hostileResults = createResults({ seed: 31, findings: 1_500, accounts: 25, regions: 5, hostile: true });

  it('writes no escape sequence at all without colour, even for hostile strings', () => {
    const text = renderConsole(hostileResults, { color: false, width: 120 });
    expect(text).not.toContain('\u001b');
    // eslint-disable-next-line no-control-regex -- asserting no control character got through
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
  });

  it('writes only colour codes of its own with colour', () => {
    const text = renderConsole(hostileResults, { color: true, width: 120 });
    expect(text).toMatch(SGR);
    expect(text.replace(SGR, '')).not.toContain('\u001b');
  });

  it('counts findings by status and severity, leaving suppressed ones apart', () => {
    const results = createResults({ seed: 32, findings: 800 });
    const tally = tallyFindings(results.findings);
    const text = renderConsole(results, { color: false, width: 80 });
    const failRow = text.split('\n').find((line) => line.startsWith('Fail '))!;
    const numbers = failRow.trim().split(/\s+/).slice(1).map((value) => Number(value.replace(/,/g, '')));
    expect(numbers).toEqual([...SEVERITIES.map((severity) => tally.bySeverity[severity].fail), tally.byStatus.fail]);
    expect(text).toContain(`${tally.suppressed} findings suppressed`);
    expect(text).toContain('1 suppression expired and no longer applies');
  });

  it('groups failing rules by account, worst first', () => {
    const text = renderConsole(smallOrgResults(), { color: false, width: 80 });
    const section = text.slice(text.indexOf('Failing rules by account'));
    expect(section.indexOf('(222222222222)')).toBeLessThan(section.indexOf('management (111111111111)'));
    expect(section).toMatch(/CRITICAL\s+bucket\/not-public\s+1 resource/);
    expect(section).toMatch(/ERROR\s+kms\/key-rotation\s+1 not evaluated/);
  });

  it('adds the account × rule matrix only on wide terminals, within their width', () => {
    const narrow = renderConsole(hostileResults, { color: false, width: CONSOLE_MATRIX_MIN_WIDTH - 1 });
    const wide = renderConsole(hostileResults, { color: false, width: CONSOLE_MATRIX_MIN_WIDTH });
    expect(narrow).not.toContain('Accounts × rules');
    expect(wide).toContain('Accounts × rules');
    const matrix = wide.slice(wide.indexOf('Accounts × rules'), wide.indexOf('Collection errors'));
    for (const line of matrix.split('\n').slice(1)) expect(line.length, line).toBeLessThanOrEqual(CONSOLE_MATRIX_MIN_WIDTH);
  });

  it('names the collection errors and the permission to grant', () => {
    const text = renderConsole(smallOrgResults(), { color: false, width: 80 });
    expect(text).toContain('Collection errors: 1 fact could not be collected');
    expect(text).toContain('kms:GetKeyRotationStatus AccessDenied ×1 (1 account, 1 region) — grant it to the scanning role');
  });

  it('makes control and bidi characters visible', () => {
    expect(visibleControls('a\u001b[31mb\u202ec\nd')).toBe('a\\u001B[31mb\\u202Ec d');
  });
});

describe('console counts, as every output counts them', () => {
  it('counts the accounts of the scan and names those outside it apart; the passing share counts unevaluated checks', () => {
    const results = outsideAccountResults();
    const { honest, old } = expectedPassingPercent(results);
    expect(honest).toBeLessThan(old);
    const text = renderConsole(results, { color: false, width: 120 });
    expect(text).toContain(`2 accounts (+1 outside the scan: ${OUTSIDE_ACCOUNT})`);
    expect(text).toContain(`passing (${honest}% of the checks, counting those not evaluated)`);
  });
});

describe('console per-control rollup', () => {
  it('prints each control of the pack with the share of accounts passing, failing and not evaluated', () => {
    const results = packResults();
    const text = renderConsole(results, { color: false, width: 120 });
    expect(text).toContain('Controls of CIS test benchmark (2 accounts each)');
    const rows = text.split('\n').filter((line) => /^ {2}(2\.1\.1|3\.1|3\.5) /.test(line));
    expect(rows.map((line) => line.trim().split(/\s+/)[0])).toEqual(results.controls!.controls.map((control) => control.id));
    for (const control of results.controls!.controls) {
      const row = rows.find((line) => line.startsWith(`  ${control.id} `))!;
      expect(row).toContain(`${control.passing} of 2`);
      expect(row).toContain(`${control.failing} of 2`);
      expect(row).toContain(`${control.unevaluated} of 2`);
    }
    expect(renderConsole(smallOrgResults(), { color: false, width: 120 })).not.toContain('Controls of');
  });
});
