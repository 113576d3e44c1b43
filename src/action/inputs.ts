/**
 * Action inputs -> run options (SPEC §7: inputs mirror the CLI). The inputs are the options marked
 * `input` in options/schema.ts, named like their flags; a test holds action.yml to that list. An
 * empty input is unset, so the config file and the defaults apply exactly as on the command line,
 * and values go through the options' own parsers, so a bad value reads the same in both places.
 */
import { UserError } from '../errors.js';
import type { OptionNamer } from '../options/resolve.js';
import { ACTION_INPUTS, OPTION_SPECS, inputName, type OptionSpec, type RunOptions } from '../options/schema.js';

interface InputSource {
  getInput(name: string): string;
}

// YAML 1.2 core schema booleans, as core.getBooleanInput reads them.
const TRUE_VALUES = new Set(['true', 'True', 'TRUE']);
const FALSE_VALUES = new Set(['false', 'False', 'FALSE']);

/** An input's text as the option's flag would have said it. */
function valueOf(spec: OptionSpec, text: string): unknown {
  if (!spec.parse) {
    if (TRUE_VALUES.has(text)) return true;
    if (FALSE_VALUES.has(text)) return false;
    throw new UserError(`expected true or false, not '${text}'`);
  }
  // Paths may hold spaces: one per line, or comma separated.
  if (spec.repeatable) return text.split(/[\n,]/).map((item) => item.trim()).filter(Boolean).flatMap((item) => spec.parse!(item) as unknown[]);
  // Other lists may be written with commas, spaces or one item per line (a YAML block scalar).
  return spec.parse(acceptsList(spec.schema) ? text.split(/[\s,]+/).filter(Boolean).join(',') : text);
}

function acceptsList(schema: object): boolean {
  const { type, anyOf } = schema as { type?: unknown; anyOf?: object[] };
  return type === 'array' || (anyOf ?? []).some(acceptsList);
}

export function readInputs(core: InputSource): RunOptions {
  const given: Record<string, unknown> = {};
  for (const { name, option } of ACTION_INPUTS) {
    const text = core.getInput(name).trim();
    if (text === '') continue;
    try {
      given[option] = valueOf(OPTION_SPECS[option] as OptionSpec, text);
    } catch (err) {
      if (err instanceof UserError) throw new UserError(`input '${name}': ${err.message}`);
      throw err;
    }
  }
  return given as RunOptions;
}

/** Options named as the Action's user knows them. */
export const inputNameOf: OptionNamer = (option) => `input '${inputName(option)}'`;
