/**
 * Built-in policies prepared at build time (src/policy/prepared.ts, scripts/prepared-policies.ts,
 * issue 15): loading them from their prepared data gives the very rules, packs and fragments that
 * parsing their YAML gives, and a diagnostic about a prepared file is located as it would be had
 * the file been parsed.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, type CompiledRule } from '../../src/engine/evaluate.js';
import { demoSnapshotPath } from '../../src/package-root.js';
import { builtinSources } from '../../src/policy/builtin-sources.js';
import { isCasesFile, loadSources, type SourceFile } from '../../src/policy/loader.js';
import { prepareBuiltinSource } from '../../src/policy/prepared.js';
import { readSnapshot } from '../../src/snapshot/io.js';

const parsed = (await builtinSources()).filter((s) => !isCasesFile(s.file));
const prepared: SourceFile[] = parsed.map((s) => ({ ...s, prepared: prepareBuiltinSource(s) }));

/** A rule without its compiled closures: everything the reporters and settings read. */
const plain = (rules: readonly CompiledRule[]) => JSON.parse(JSON.stringify(rules)) as unknown;

describe('prepared built-in policies', () => {
  it('load to the same rules, packs and fragments as their parsed YAML, and evaluate alike', async () => {
    const fromYaml = loadSources(parsed);
    const fromPrepared = loadSources(prepared);
    expect(fromPrepared.diagnostics).toEqual([]);
    expect(fromYaml.allRules.length).toBeGreaterThan(30);
    expect(plain(fromPrepared.allRules)).toEqual(plain(fromYaml.allRules));
    expect(fromPrepared.packs).toEqual(fromYaml.packs);
    expect([...fromPrepared.fragments.keys()]).toEqual([...fromYaml.fragments.keys()]);
    const snapshot = await readSnapshot(demoSnapshotPath());
    const now = new Date('2026-11-02T09:00:00.000Z');
    const findings = evaluate(snapshot, fromPrepared.rules, { now });
    expect(findings.length).toBeGreaterThan(100);
    expect(findings).toEqual(evaluate(snapshot, fromYaml.rules, { now }));
  });

  it('apply the configuration (severity, parameters, disabled rules) as parsed ones do', () => {
    const settings = {
      'monitoring/security-group-changes': { severity: 'critical' as const, params: { cisVersion: '1.4' } },
      'trail/kms-encryption': { enabled: false },
    };
    const fromYaml = loadSources(parsed, settings);
    const fromPrepared = loadSources(prepared, settings);
    expect(plain(fromPrepared.rules)).toEqual(plain(fromYaml.rules));
    expect(fromPrepared.rules.some((r) => r.id === 'trail/kms-encryption')).toBe(false);
    expect(fromPrepared.rules.find((r) => r.id === 'monitoring/security-group-changes')).toMatchObject({ severity: 'critical', paramValues: { cisVersion: '1.4' } });
  });

  it('locate a problem in a prepared file at its line and column, parsing the text only then', () => {
    // A user's fragment replaces the built-in one without the parameter the built-in rules pass:
    // the problems are in the built-in rule files, which were never parsed to load.
    const fragment: SourceFile = {
      file: 'mine/fragments/cis-metric-alarm.yaml',
      text: ['id: cis-metric-alarm', 'description: mine', 'condition: { path: trails, op: exists }', ''].join('\n'),
      builtin: false,
    };
    const fromYaml = loadSources([...parsed, fragment]).diagnostics;
    const fromPrepared = loadSources([...prepared, fragment]).diagnostics;
    expect(fromYaml.length).toBeGreaterThan(0);
    expect(fromYaml.some((d) => d.file.startsWith('policies/monitoring/') && d.line > 1)).toBe(true);
    expect(fromPrepared).toEqual(fromYaml);
  });

  it('are trusted only on built-in files: a user file that carries prepared data is parsed and checked', () => {
    const user: SourceFile = {
      file: 'mine/custom/broken.yaml',
      text: 'id: custom/broken\ntitle: [unclosed\n',
      builtin: false,
      prepared: prepareBuiltinSource(parsed.find((s) => s.file.endsWith('trail/kms-encryption.yaml'))!),
    };
    const { diagnostics, allRules } = loadSources([user]);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0]!.file).toBe('mine/custom/broken.yaml');
    expect(allRules).toEqual([]);
  });
});
