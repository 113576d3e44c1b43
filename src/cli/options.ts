/** commander's options, made from the one options table (options/schema.ts). */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UserError } from '../errors.js';
import { longName, optionsFor, type CommandName, type OptionSpec } from '../options/schema.js';

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

/** commander's attribute for a flag: `--exclude-rules` -> `excludeRules`. */
function attributeOf(spec: OptionSpec): string | undefined {
  return longName(spec)?.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function addRunOptions(command: Command, name: CommandName): Command {
  // An option whose flag does not spell its name (`--rules` is `onlyRules`: the config file's
  // `rules:` holds rule settings) reaches the action under its option name.
  const renamed = optionsFor(name).flatMap(([optionName, spec]) => {
    const attribute = attributeOf(spec);
    return attribute !== undefined && attribute !== optionName ? [{ optionName, attribute }] : [];
  });
  if (renamed.length > 0) {
    command.hook('preAction', (_, actionCommand) => {
      for (const { optionName, attribute } of renamed) {
        const value: unknown = actionCommand.getOptionValue(attribute);
        if (value === undefined) continue;
        actionCommand.setOptionValue(optionName, value);
        actionCommand.setOptionValue(attribute, undefined);
      }
    });
  }
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
