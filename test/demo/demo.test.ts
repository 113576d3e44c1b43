/**
 * The bundled demo snapshot is generated from demo-organization.ts (UPDATE_DEMO=1 regenerates it)
 * and must show what the README promises: every built-in rule with both a pass and a fail.
 */
import { NO_POLICY_SETTINGS } from '../../src/policy/rule-settings.js';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../support/snapshot-builder.js';
import { DEMO_ORGANIZATION } from './demo-organization.js';
import { DEMO_ORGANIZATION_EARLIER } from './demo-earlier.js';
import { parseSnapshot } from '../../src/snapshot/io.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadRuleSet } from '../../src/run/scan.js';

const FILE = path.resolve(import.meta.dirname, '../../examples/demo/snapshot.json');
const EARLIER_FILE = path.resolve(import.meta.dirname, '../../examples/demo/snapshot-earlier.json');

describe('demo organization', () => {
  const generated = `${JSON.stringify(buildSnapshot(DEMO_ORGANIZATION), null, 2)}\n`;
  const generatedEarlier = `${JSON.stringify(buildSnapshot(DEMO_ORGANIZATION_EARLIER), null, 2)}\n`;
  if (process.env.UPDATE_DEMO) {
    mkdirSync(path.dirname(FILE), { recursive: true });
    writeFileSync(FILE, generated);
    writeFileSync(EARLIER_FILE, generatedEarlier);
  }

  it('examples/demo/snapshot-earlier.json is generated from demo-earlier.ts and is a valid snapshot', () => {
    expect(readFileSync(EARLIER_FILE, 'utf8')).toBe(generatedEarlier);
    expect(() => parseSnapshot(generatedEarlier, EARLIER_FILE)).not.toThrow();
  });

  it('examples/demo/snapshot.json is generated from the demo stories (UPDATE_DEMO=1 to regenerate)', () => {
    expect(readFileSync(FILE, 'utf8')).toBe(generated);
  });

  it('is a valid snapshot', () => {
    expect(() => parseSnapshot(generated, FILE)).not.toThrow();
  });

  it('shows a pass and a fail for every built-in rule, and errors where facts are missing', async () => {
    const { rules } = await loadRuleSet([], NO_POLICY_SETTINGS);
    const snapshot = parseSnapshot(generated, FILE);
    const findings = evaluate(snapshot, rules, { now: new Date(snapshot.scanTime) });
    const statusesByRule = new Map<string, Set<string>>();
    for (const f of findings) statusesByRule.set(f.ruleId, (statusesByRule.get(f.ruleId) ?? new Set()).add(f.status));
    // One organization has one organization-scope finding: it cannot both pass and fail.
    const missing = rules
      .filter((r) => r.scope !== 'organization')
      .filter((r) => !statusesByRule.get(r.id)?.has('pass') || !statusesByRule.get(r.id)?.has('fail'))
      .map((r) => `${r.id}: ${[...(statusesByRule.get(r.id) ?? [])].join(',')}`);
    expect(missing).toEqual([]);
    const withErrors = rules.filter((r) => statusesByRule.get(r.id)?.has('error'));
    expect(withErrors.length).toBeGreaterThan(rules.length / 2);
  });
});
