import { Command } from 'commander';
import { formatDiagnostic } from '../../errors.js';
import type { CliIo } from '../io.js';
import { addRunOptions } from '../options.js';

async function validate(paths: string[], given: { config?: string }, io: CliIo): Promise<number> {
  const [{ readConfigFile }, { loadSources }, { checkSettingsAgainstRules }, { suppressionWarnings }, { readPolicySources }, { lintCasesFiles }] = await Promise.all([
    import('../../options/config-file.js'),
    import('../../policy/loader.js'),
    import('../../policy/rule-settings.js'),
    import('../../policy/suppressions.js'),
    import('../../run/scan.js'),
    import('../../run/test-cases.js'),
  ]);
  const configFile = await readConfigFile(given.config);
  const sources = await readPolicySources(paths, (m) => io.stderr(`warning: ${m.replace(/^--policies /, '')}\n`));
  const result = loadSources(sources, configFile.policy.rules);
  const cases = lintCasesFiles(sources);
  const diagnostics = [...result.diagnostics, ...cases.diagnostics, ...checkSettingsAgainstRules(configFile.policy, result.allRules)];
  for (const warning of cases.warnings) io.stderr(`warning: ${warning}\n`);
  for (const d of diagnostics) io.stdout(`${formatDiagnostic(d)}\n`);
  for (const warning of suppressionWarnings(configFile.policy.suppressions, configFile.policy.source)) io.stderr(`warning: ${formatDiagnostic(warning)}\n`);
  if (diagnostics.length) {
    io.stderr(`trailwarden: ${diagnostics.length} problem(s)\n`);
    return 2;
  }
  io.stdout(`${result.rules.length} rules and ${result.packs.length} packs are valid.\n`);
  return 0;
}

export function validateCommand(io: CliIo, setExit: (code: number) => void): Command {
  return addRunOptions(
    new Command('validate').description('lint policy files; every problem as file:line:col code message').argument('[paths...]', 'policy files or folders (default: the built-in policies)'),
    'validate',
  ).action(async (paths: string[], given: { config?: string }) => setExit(await validate(paths, given, io)));
}
