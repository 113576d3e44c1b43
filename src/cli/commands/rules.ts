import { Command } from 'commander';
import { SEVERITY_RANK } from '../../results.js';
import type { CliIo } from '../io.js';
import { addRunOptions } from '../options.js';

async function rulesAction(flags: { pack?: string; json?: boolean; policies?: string[] }, io: CliIo): Promise<number> {
  // Both with the run code: rule-settings reads YAML, which the command line must not load.
  const [{ loadRuleSet }, { NO_POLICY_SETTINGS }] = await Promise.all([import('../../run/scan.js'), import('../../policy/rule-settings.js')]);
  const ruleSet = await loadRuleSet(flags.policies ?? [], NO_POLICY_SETTINGS, flags.pack, (m) => io.stderr(`warning: ${m}\n`));
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
  return addRunOptions(new Command('rules').description('list rules with severity and framework controls'), 'rules')
    .option('--json', 'print JSON')
    .action(async (flags: { pack?: string; json?: boolean; policies?: string[] }) => setExit(await rulesAction(flags, io)));
}
