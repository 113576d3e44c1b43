/**
 * The parts of action.yml and the README that list the options, rendered from the options table.
 * `npm run options` writes them; a test fails when either file disagrees with the table.
 */
import { ACTION_INPUTS, OPTION_SPECS, optionsFor, type OptionSpec } from './schema.js';

/** The `inputs:` section of action.yml. */
function actionInputsYaml(): string {
  const lines = ['inputs:'];
  for (const { name, option } of ACTION_INPUTS) {
    const spec = OPTION_SPECS[option] as OptionSpec;
    const text = spec.inputHelp ?? `${spec.help[0]!.toUpperCase()}${spec.help.slice(1)}${spec.defaultText ? ` (default ${spec.defaultText})` : ''}.`;
    lines.push(`  ${name}:`, `    description: ${JSON.stringify(text)}`, '    required: false');
  }
  return `${lines.join('\n')}\n`;
}

/** The README's table of `scan` flags. */
function readmeFlagTable(): string {
  const rows = optionsFor('scan')
    .filter(([, spec]) => spec.flag !== undefined)
    .map(([, spec]) => {
      const flag = spec.flag!.replace(/</g, '').replace(/>/g, '').replace(/ ([a-zA-Z/-]+)$/, (_, arg: string) => ` ${arg.toUpperCase()}`);
      const meaning = `${spec.help}${spec.defaultText ? `; default ${spec.defaultText}` : ''}`.replace(/\|/g, '\\|');
      return `| \`${flag}\` | ${meaning} |`;
    });
  return ['| flag | meaning |', '|---|---|', ...rows].join('\n') + '\n';
}

/** action.yml with its `inputs:` section rendered anew; undefined when it has no inputs before outputs. */
export function withActionInputs(actionYml: string): string | undefined {
  const start = actionYml.indexOf('\ninputs:\n');
  const end = actionYml.indexOf('\noutputs:', start);
  if (start < 0 || end < 0) return undefined;
  return `${actionYml.slice(0, start + 1)}${actionInputsYaml()}${actionYml.slice(end)}`;
}

/** README.md with its flag table rendered anew; undefined when the markers are missing. */
export function withReadmeFlagTable(readme: string): string | undefined {
  return replaceBetween(readme, README_MARKERS.start, README_MARKERS.end, readmeFlagTable());
}

const README_MARKERS = { start: '<!-- options:start (npm run options) -->\n', end: '<!-- options:end -->' } as const;

/** `text` with the part between `start` and `end` replaced by `content`; undefined when a marker is missing. */
function replaceBetween(text: string, start: string, end: string, content: string): string | undefined {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from + start.length);
  if (from < 0 || to < 0) return undefined;
  return text.slice(0, from + start.length) + content + text.slice(to);
}
