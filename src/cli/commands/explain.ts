import { Command } from 'commander';
import type { CliIo } from '../io.js';

export function explainCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('explain')
    .description("print a rule's condition tree for each resource (or one) of a snapshot: every node's value (true/false/unknown) and the facts it read")
    .argument('<rule>', 'rule id, e.g. trail/log-file-validation')
    .requiredOption('--snapshot <file>', 'a snapshot (scan --save-snapshot, or examples/demo/snapshot.json)')
    .option('--resource <arn>', 'only this resource: ARN, account id, or account/region')
    .option('--policies <path...>', 'extra policy files or folders, as for scan')
    .action(async (rule: string, flags: { snapshot: string; resource?: string; policies?: string[] }) =>
      setExit(await (await import('../../run/explain.js')).explainRun(rule, { snapshot: flags.snapshot, ...(flags.resource !== undefined ? { resource: flags.resource } : {}), ...(flags.policies ? { policies: flags.policies } : {}) }, io)),
    );
}
