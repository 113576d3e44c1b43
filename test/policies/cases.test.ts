/**
 * The one harness for every rule's cases file (STYLE: ESLint's RuleTester). Each case builds a
 * snapshot from a story fragment, evaluates the rule alone and checks the verdict per resource.
 * It refuses a rule without a pass case, a fail case, remediation or messages.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadRule } from '../../src/policy/loader.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { snapshotValidator, formatInstancePath } from '../../src/snapshot/validate.js';
import type { Finding, Status } from '../../src/results.js';
import type { ParamValue } from '../../src/language/types.js';
import { buildSnapshot, type SnapshotFragment } from '../support/snapshot-builder.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const POLICIES = path.join(ROOT, 'policies');

interface Expectation {
  resource: string;
  status: Status;
  errorAction?: string;
  messageIncludes?: string;
}
interface Case {
  name: string;
  story?: string;
  params?: Record<string, ParamValue>;
  snapshot: SnapshotFragment;
  expect: Expectation[];
}

export function ruleFiles(): string[] {
  return readdirSync(POLICIES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'packs')
    .flatMap((d) =>
      readdirSync(path.join(POLICIES, d.name))
        .filter((f) => f.endsWith('.yaml') && !f.endsWith('.cases.yaml'))
        .map((f) => `policies/${d.name}/${f}`),
    )
    .sort();
}

/** A finding matches an expectation's resource by ARN, account id, or "account/region". */
function matches(f: Finding, resource: string): boolean {
  return f.resource.arn === resource || (f.resource.type === 'region' ? `${f.resource.accountId}/${f.resource.region ?? '*'}` === resource : f.resource.accountId === resource && ['account', 'organization'].includes(f.resource.type));
}

const files = ruleFiles();

describe('rule cases', () => {
  it('finds the built-in rules', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    describe(file, () => {
      const casesFile = file.replace(/\.yaml$/, '.cases.yaml');
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      const loaded = loadRule({ file, text, builtin: true });

      it('loads without diagnostics and carries its metadata', () => {
        expect(loaded.diagnostics).toEqual([]);
        const rule = loaded.rule!;
        expect(rule.remediation.console, 'remediation.console').toBeTruthy();
        expect(rule.remediation.cli, 'remediation.cli').toBeTruthy();
        expect(rule.description.length).toBeGreaterThan(40);
      });

      it('has a cases file with at least one pass and one fail case', () => {
        expect(existsSync(path.join(ROOT, casesFile)), `${casesFile} is missing`).toBe(true);
        const doc = parse(readFileSync(path.join(ROOT, casesFile), 'utf8')) as { cases: Case[] };
        const statuses = new Set(doc.cases.flatMap((c) => c.expect.map((e) => e.status)));
        expect(statuses.has('pass'), 'a pass case').toBe(true);
        expect(statuses.has('fail'), 'a fail case').toBe(true);
      });

      if (!existsSync(path.join(ROOT, casesFile))) return;
      const doc = parse(readFileSync(path.join(ROOT, casesFile), 'utf8')) as { cases: Case[] };
      for (const c of doc.cases ?? []) {
        it(c.name, () => {
          const { rule, diagnostics } = c.params ? loadRule({ file, text, builtin: true }, { params: c.params }) : loaded;
          expect(diagnostics).toEqual([]);
          if (c.params) for (const [k, v] of Object.entries(c.params)) expect(rule!.paramValues[k], `param ${k}`).toEqual(v);
          const snapshot = buildSnapshot(c.snapshot);
          const validate = snapshotValidator();
          if (!validate(snapshot)) {
            throw new Error(`case snapshot is not schema-valid: ${(validate.errors ?? []).slice(0, 5).map((e) => `${formatInstancePath(e.instancePath)} ${e.message}`).join('; ')}`);
          }
          const findings = evaluate(snapshot, [rule!], { now: new Date(snapshot.scanTime) });
          for (const e of c.expect) {
            const found = findings.filter((f) => matches(f, e.resource));
            expect(found.length, `one finding for ${e.resource}; got ${findings.map((f) => `${f.resource.arn}=${f.status}`).join(', ')}`).toBe(1);
            const f = found[0]!;
            expect(f.status, `${e.resource}: ${f.message}`).toBe(e.status);
            expect(f.message, 'no unrendered placeholder').not.toMatch(/\{(resource|param\.[A-Za-z0-9_]+)\}|undefined/);
            if (e.errorAction) expect(f.message).toContain(e.errorAction);
            if (e.messageIncludes) expect(f.message).toContain(e.messageIncludes);
          }
        });
      }
    });
  }
});
