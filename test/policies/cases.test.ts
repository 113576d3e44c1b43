/**
 * The built-in rules' cases, judged by the same code as `trailwarden test` (src/run/test-cases.ts):
 * each case builds a snapshot from a story fragment, evaluates the rule alone and checks the
 * verdict per resource. This harness adds what the project demands of its own rules: a cases file
 * with a pass and a fail case, remediation, and a real description.
 */
import { describe, expect, it } from 'vitest';
import { builtinSources } from '../../src/policy/builtin-sources.js';
import { checkCases } from '../../src/run/test-cases.js';

const sources = await builtinSources();
const check = checkCases(sources, () => true);

describe('rule cases', () => {
  it('finds the built-in rules, and every policy and cases file is valid', () => {
    expect(check.rules.length).toBeGreaterThan(0);
    expect(check.diagnostics).toEqual([]);
  });

  for (const { rule, casesFile, outcomes } of check.rules) {
    describe(rule.source.file, () => {
      it('carries its metadata', () => {
        expect(rule.remediation.console, 'remediation.console').toBeTruthy();
        expect(rule.remediation.cli, 'remediation.cli').toBeTruthy();
        expect(rule.description.length).toBeGreaterThan(40);
      });

      it('has a cases file with at least one pass and one fail case', () => {
        expect(casesFile, `${rule.source.file} has no cases file`).toBeDefined();
        const statuses = new Set(outcomes.flatMap((o) => (o.case.expect ?? []).map((e) => e.status)));
        expect(statuses.has('pass'), 'a pass case').toBe(true);
        expect(statuses.has('fail'), 'a fail case').toBe(true);
      });

      for (const o of outcomes) {
        it(o.case.name, () => {
          expect(o.unexpected, `${casesFile}:${o.case.line} has no expect block`).toBe(false);
          expect(o.mismatches.map((m) => `${casesFile}:${m.line} ${m.resource}: expected ${m.expected}, got ${m.actual}${m.message ? ` (${m.message})` : ''}`)).toEqual([]);
        });
      }
    });
  }
});
