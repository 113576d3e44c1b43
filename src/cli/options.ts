/** commander's options, made from the one options table (options/schema.ts). */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UserError } from '../errors.js';
import { optionsFor, type CommandName, type OptionSpec } from '../options/schema.js';

/** The option's parser, its UserError turned into the usage error commander reports. */
function argParser(spec: OptionSpec): ((value: string, previous: unknown) => unknown) | undefined {
  const parse = spec.parse;
  if (!parse) return undefined;
  return (value, previous) => {
    let parsed: unknown;
    try {
      parsed = parse(value);
    } catch (err) {
      if (err instanceof UserError) throw new InvalidArgumentError(err.message);
      throw err;
    }
    return spec.repeatable && Array.isArray(previous) && Array.isArray(parsed) ? [...(previous as unknown[]), ...parsed] : parsed;
  };
}

export function addRunOptions(command: Command, name: CommandName): Command {
  for (const [, spec] of optionsFor(name)) {
    if (!spec.flag) continue;
    const help = spec.defaultText ? `${spec.help} (default ${spec.defaultText})` : spec.help;
    const option = new Option(spec.flag, help);
    const parser = argParser(spec);
    if (parser) option.argParser(parser);
    command.addOption(option);
  }
  return command;
}
