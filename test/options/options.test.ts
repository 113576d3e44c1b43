/**
 * The one options table and what is derived from it: the config file's schema, commander's flags,
 * the Action's inputs, action.yml and the README's table; and the one resolution both doors use.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputs } from '../../src/action/inputs.js';
import { buildProgram } from '../../src/cli/main.js';
import { UserError } from '../../src/errors.js';
import { NO_CONFIG_FILE, configSchema, parseConfigFile } from '../../src/options/config-file.js';
import { withActionInputs, withReadmeFlagTable } from '../../src/options/docs.js';
import { resolveRun } from '../../src/options/resolve.js';
import { ACTION_INPUTS, OPTION_SPECS, longName, optionsFor, type OptionSpec } from '../../src/options/schema.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const io = { stdout: () => undefined, stderr: () => undefined, isTTY: false, env: {}, columns: 100, now: () => new Date(0) };

describe('derived from the options table', () => {
  it('action.yml lists exactly the inputs, in order, with their descriptions (npm run options)', () => {
    const current = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
    expect(withActionInputs(current)).toBe(current);
  });

  it("the README's flag table is the table's scan flags (npm run options)", () => {
    const current = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(withReadmeFlagTable(current)).toBe(current);
  });

  it('each command takes exactly the flags the table gives it', () => {
    const program = buildProgram(io, () => undefined);
    for (const name of ['scan', 'merge', 'validate', 'rules'] as const) {
      const command = program.commands.find((c) => c.name() === name)!;
      const flags = command.options.map((o) => o.long).filter((flag) => flag !== '--json' && flag !== '--packs');
      expect(flags, name).toEqual(optionsFor(name).flatMap(([, spec]) => (spec.flag ? [`--${longName(spec)}`] : [])));
    }
  });

  it('the config file accepts every option marked for it, and nothing else', () => {
    const settable = Object.entries(OPTION_SPECS).filter(([, spec]) => (spec as OptionSpec).config !== false).map(([name]) => name);
    expect(Object.keys(configSchema.properties).sort()).toEqual(['$schema', ...settable, 'rules', 'suppressions'].sort());
    expect(() => parseConfigFile('demo: true\n', 'c.yaml')).toThrow(UserError);
    expect(parseConfigFile('maxConcurrency: 16\nfailOn: low\n', 'c.yaml').options).toEqual({ maxConcurrency: 16, failOn: 'low' });
  });

  it('Action inputs are named like the flags and parsed by the same parsers', () => {
    expect(ACTION_INPUTS.map((input) => input.name)).toContain('max-concurrency');
    const inputs: Record<string, string> = { accounts: '111111111111\n222222222222', regions: 'us-east-1 eu-west-1', 'max-concurrency': '8', org: 'true', policies: 'a b/x.yaml\nc' };
    expect(readInputs({ getInput: (name) => inputs[name] ?? '' })).toEqual({
      org: true,
      accounts: ['111111111111', '222222222222'],
      regions: ['us-east-1', 'eu-west-1'],
      policies: ['a b/x.yaml', 'c'],
      maxConcurrency: 8,
    });
    expect(() => readInputs({ getInput: (name) => (name === 'max-concurrency' ? 'many' : '') })).toThrow(/input 'max-concurrency': expected a whole number/);
  });
});

describe('resolveRun', () => {
  const file = (options: object) => ({ ...NO_CONFIG_FILE, file: 'c.yaml', options });

  it('takes what was given over the config file over the defaults; policies add up', () => {
    const run = resolveRun({ failOn: 'critical', policies: ['mine'], roleName: 'Flag' }, file({ failOn: 'low', outDir: 'from-file', policies: ['theirs'], roleName: 'File', org: true, maxConcurrency: 4 }));
    expect(run.report).toEqual({ formats: ['console', 'json', 'sarif', 'html'], outDir: 'from-file', failOn: 'critical', failOnIncomplete: 'any' });
    expect(run.policies).toEqual(['theirs', 'mine']);
    expect(run.snapshot).toEqual({ kind: 'collect', collect: { org: true, regions: 'all', roleName: 'Flag', maxConcurrency: 4 } });
  });

  it('reports every problem at once', () => {
    let caught: unknown;
    try {
      resolveRun({ demo: true, snapshot: ['x.json'], org: true }, NO_CONFIG_FILE);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as Error).message).toMatch(/^2 problems with the options:\n {2}--demo and --snapshot both name a snapshot; choose one\n {2}--demo evaluates a saved snapshot; it cannot be combined with --org$/);
  });

  it('refuses collection options with a saved snapshot instead of ignoring them', () => {
    expect(() => resolveRun({ demo: true, regions: ['eu-west-1'] }, NO_CONFIG_FILE)).toThrow('--demo evaluates a saved snapshot; it cannot be combined with --regions');
    expect(() => resolveRun({ snapshot: ['s.json'], maxConcurrency: 4 }, NO_CONFIG_FILE)).toThrow('--snapshot evaluates a saved snapshot; it cannot be combined with --max-concurrency');
  });

  it('names options the way the door does', () => {
    expect(() => resolveRun({ org: true }, NO_CONFIG_FILE, (name) => `input '${name}'`)).toThrow("input 'org' needs input 'roleName'");
  });
});
