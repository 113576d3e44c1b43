/**
 * Action inputs -> the CLI's scan flags (SPEC §7: inputs mirror the CLI). An empty input is unset,
 * so the config file and the CLI's defaults apply exactly as they do on the command line; values
 * go through the CLI's own parsers, so a bad value reads the same in both places.
 */
import { InvalidArgumentError } from 'commander';
import { UserError } from '../errors.js';
import type { FailOn } from '../engine/results.js';
import { FAIL_ON, parseAccounts, parseFormats, parseRegions, parseShard, type ScanFlags } from '../cli/main.js';

export interface InputSource {
  getInput(name: string): string;
}

/** The inputs of action.yml, in its order; a test holds the two together. */
export const ACTION_INPUTS = [
  'org',
  'accounts',
  'role-name',
  'external-id',
  'regions',
  'policies',
  'config',
  'pack',
  'snapshot',
  'save-snapshot',
  'format',
  'out-dir',
  'fail-on',
  'category',
  'shard',
  'allow-incomplete',
] as const;
export type ActionInput = (typeof ACTION_INPUTS)[number];

// YAML 1.2 core schema booleans, as core.getBooleanInput reads them.
const TRUE_VALUES = new Set(['true', 'True', 'TRUE']);
const FALSE_VALUES = new Set(['false', 'False', 'FALSE']);

/** Lists may be written with commas, spaces or one item per line (a YAML block scalar). */
function listOf(value: string): string {
  return value
    .split(/[\s,]+/)
    .filter(Boolean)
    .join(',');
}

export interface ActionInputs {
  flags: ScanFlags;
  /**
   * Saved snapshots to evaluate instead of collecting: files or folders of them, one per line.
   * Several (the shards of a matrix) are evaluated as their union, as `trailwarden merge` does.
   */
  snapshots?: string[];
  /**
   * Accept a scan that could not enumerate its whole scope (accounts, regions, trails) without
   * failing the step. Off by default: uploading such a SARIF closes the alerts of every resource the
   * scan could not see.
   */
  allowIncomplete: boolean;
}

export function readInputs(core: InputSource): ActionInputs {
  const input = (name: ActionInput): string | undefined => core.getInput(name).trim() || undefined;
  const parsed = <T>(name: ActionInput, parse: (value: string) => T): T | undefined => {
    const value = input(name);
    if (value === undefined) return undefined;
    try {
      return parse(value);
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw new UserError(`input '${name}': ${err.message}`);
      throw err;
    }
  };
  const booleanInput = (value: string): boolean => {
    if (TRUE_VALUES.has(value)) return true;
    if (FALSE_VALUES.has(value)) return false;
    throw new InvalidArgumentError(`expected true or false, not '${value}'`);
  };
  const org = parsed('org', booleanInput);
  const allowIncomplete = parsed('allow-incomplete', booleanInput) ?? false;
  const failOn = parsed('fail-on', (value) => {
    if (!(FAIL_ON as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${FAIL_ON.join(', ')}, not '${value}'`);
    return value as FailOn;
  });
  const flags: ScanFlags = {
    org,
    accounts: parsed('accounts', (value) => parseAccounts(listOf(value))),
    roleName: input('role-name'),
    externalId: input('external-id'),
    regions: parsed('regions', (value) => parseRegions(value === 'all' ? value : listOf(value))),
    // Paths may hold spaces: one per line, or comma separated.
    policies: parsed('policies', (value) => value.split(/[\n,]/).map((path) => path.trim()).filter(Boolean)),
    config: input('config'),
    pack: input('pack'),
    saveSnapshot: input('save-snapshot'),
    format: parsed('format', (value) => parseFormats(listOf(value))),
    outDir: input('out-dir'),
    failOn,
    category: input('category'),
    shard: parsed('shard', parseShard),
  };
  const snapshots = parsed('snapshot', (value) => value.split('\n').map((line) => line.trim()).filter(Boolean));
  if (snapshots === undefined) return { flags, allowIncomplete };
  const collecting = (['org', 'accounts', 'role-name', 'external-id', 'shard'] as const).filter((name) => input(name) !== undefined && !(name === 'org' && org === false));
  if (collecting.length > 0) throw new UserError(`input 'snapshot' evaluates saved snapshots; it cannot be combined with ${collecting.join(', ')}`);
  return { flags, snapshots, allowIncomplete };
}
