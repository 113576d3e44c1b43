import { Command } from 'commander';
import { definedOnly } from '../../objects.js';
import { SEVERITY_RANK, type Severity } from '../../results.js';
import type { CliIo } from '../io.js';
import { addRunOptions } from '../options.js';

interface RulesFlags {
  pack?: string;
  json?: boolean;
  packs?: boolean;
  policies?: string[];
  onlyRules?: string[];
  excludeRules?: string[];
  severity?: Severity[];
}

async function rulesAction(flags: RulesFlags, io: CliIo): Promise<number> {
  // With the run code: rule-settings reads YAML, which the command line must not load.
  const [{ loadRuleSet }, { NO_POLICY_SETTINGS }, { packRuleIds }] = await Promise.all([
    import('../../run/scan.js'),
    import('../../policy/rule-settings.js'),
    import('../../policy/loader.js'),
  ]);
  const selection = definedOnly({ rules: flags.onlyRules, excludeRules: flags.excludeRules, severities: flags.severity });
  const ruleSet = await loadRuleSet(flags.policies ?? [], NO_POLICY_SETTINGS, flags.pack, (m) => io.stderr(`warning: ${m}\n`), selection);
  if (flags.packs) {
    // `--packs`: the framework packs a scan can narrow to (--pack), with how many of their rules are loaded.
    const loaded = new Set(ruleSet.allRules.map((r) => r.id));
    const packs = [...ruleSet.packs]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((p) => ({ id: p.id, title: p.title, controls: (p.controls ?? []).length, rules: packRuleIds(p).filter((id) => loaded.has(id)).length }));
    if (flags.json) {
      io.stdout(`${JSON.stringify(packs, null, 2)}\n`);
      return 0;
    }
    const idWidth = Math.max(...packs.map((p) => p.id.length), 4);
    io.stdout(`${'PACK'.padEnd(idWidth)}  CONTROLS  RULES  TITLE\n`);
    for (const p of packs) io.stdout(`${p.id.padEnd(idWidth)}  ${String(p.controls).padStart(8)}  ${String(p.rules).padStart(5)}  ${p.title}\n`);
    io.stdout(`\n${packs.length} packs; scan --pack NAME evaluates one, rules --pack NAME lists its rules\n`);
    return 0;
  }
  const pack = flags.pack ? ruleSet.packs.find((p) => p.id === flags.pack) : undefined;
  const controlsOf = (id: string) =>
    pack ? (pack.controls ?? []).filter((c) => c.rules.includes(id)).map((c) => c.id) : Object.entries(ruleSet.rules.find((r) => r.id === id)!.frameworks).flatMap(([k, v]) => v.map((c) => `${k}:${c}`));
  const rows = [...ruleSet.rules]
    .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || (a.id < b.id ? -1 : 1))
    .map((r) => ({ id: r.id, severity: r.severity, scope: r.scope, title: r.title, controls: controlsOf(r.id) }));
  if (flags.json) {
    io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const idWidth = Math.max(...rows.map((r) => r.id.length), 4);
  io.stdout(`${'RULE'.padEnd(idWidth)}  SEVERITY  SCOPE             ${pack ? `${pack.id} CONTROLS` : 'FRAMEWORK CONTROLS'}\n`);
  for (const r of rows) io.stdout(`${r.id.padEnd(idWidth)}  ${r.severity.padEnd(8)}  ${r.scope.padEnd(16)}  ${r.controls.join(', ') || '-'}\n`);
  io.stdout(`\n${rows.length} rules${pack ? ` in pack ${pack.id}` : ''}; packs: ${ruleSet.packs.map((p) => p.id).sort().join(', ')}\n`);
  return 0;
}

export function rulesCommand(io: CliIo, setExit: (code: number) => void): Command {
  return addRunOptions(new Command('rules').description('list rules with severity and framework controls (--packs: the framework packs)'), 'rules')
    .option('--packs', 'list the framework packs instead of the rules')
    .option('--json', 'print JSON')
    .action(async (flags: RulesFlags) => setExit(await rulesAction(flags, io)));
}
