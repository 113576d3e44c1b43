/**
 * Reading the JSON of `terraform show -json PLAN` (Terraform's "JSON Output Format", plan
 * representation): the planned resources with their values, what is known only after apply, and
 * where each resource is configured (module path, provider, the references of each attribute).
 *
 * Hostile input: the text is size-bounded by the reader, nesting is bounded before parsing, and
 * every walk below is iterative or bounded by MAX_MODULE_DEPTH. A file that is not a plan, or whose
 * format_version has another major version than 1 (Terraform: "reject any input which reports an
 * unsupported major version"), is a located error.
 */
import { UserError, type Diagnostic } from '../errors.js';
import { readTextInput } from '../files.js';
import { findStructureProblem } from '../snapshot/structure.js';
import { structureDiagnostic } from '../snapshot/io.js';
import { lineColumnAt } from '../errors.js';

/** Module calls nest; real configurations stay within a handful of levels. */
const MAX_MODULE_DEPTH = 32;
/** JSON nesting: each module level adds three (module_calls, the call, module); values add their own. */
const MAX_PLAN_DEPTH = 160;

export type PlanAction = 'create' | 'update' | 'no-op' | 'replace' | 'read';

export interface PlannedResource {
  /** The instance address, e.g. module.trail["org"].aws_cloudtrail.this[0]. */
  address: string;
  /** The configuration address: module calls and resource without instance keys (module.trail.aws_cloudtrail.this). */
  configAddress: string;
  /** module.trail (instance keys removed); '' in the root module. */
  modulePath: string;
  type: string;
  name: string;
  action: PlanAction;
  /** change.after: the planned values (unknown ones are absent or null). */
  values: Record<string, unknown>;
  /** change.after_unknown: `true` at every value known only after apply. */
  unknown: unknown;
  /** The resource's provider configuration key (configuration.provider_config). */
  providerKey?: string;
  /** For each attribute, the references of its configuration expression (e.g. aws_kms_key.trail.arn). */
  references: Record<string, string[]>;
  /**
   * A resource that stands for another tool's definition (a CloudFormation resource): the address
   * and attribute names findings and messages use instead, and why an attribute is not known.
   */
  label?: { address: string; attributes: Record<string, string>; reasons: Record<string, string> };
}

export interface ProviderSettings {
  region?: string;
  /** allowed_account_ids, when the configuration pins exactly one. */
  accountId?: string;
}

export interface ParsedPlan {
  file: string;
  terraformVersion?: string;
  resources: PlannedResource[];
  providers: Map<string, ProviderSettings>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Drops instance keys: module.a["x"].module.b[0] -> module.a.module.b. */
export function withoutInstanceKeys(address: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < address.length; i++) {
    const c = address[i]!;
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (depth > 0 && c === '"') quoted = true;
    else if (depth === 0) out += c;
  }
  return out;
}

function actionOf(actions: unknown): PlanAction | 'delete' | undefined {
  if (!Array.isArray(actions)) return undefined;
  const list = actions.filter((a): a is string => typeof a === 'string');
  if (list.includes('delete') && list.includes('create')) return 'replace';
  if (list.length === 1) {
    const [only] = list;
    if (only === 'create' || only === 'update' || only === 'no-op' || only === 'read' || only === 'delete') return only;
  }
  return undefined;
}

/** Configuration expressions' references of every resource, by configuration address. */
function configurationReferences(configuration: unknown): Map<string, { references: Record<string, string[]>; providerKey?: string }> {
  const out = new Map<string, { references: Record<string, string[]>; providerKey?: string }>();
  const stack: Array<{ module: unknown; path: string; depth: number }> = [];
  if (isObject(configuration)) stack.push({ module: configuration.root_module, path: '', depth: 0 });
  while (stack.length) {
    const { module, path, depth } = stack.pop()!;
    if (!isObject(module) || depth > MAX_MODULE_DEPTH) continue;
    for (const resource of Array.isArray(module.resources) ? module.resources : []) {
      if (!isObject(resource) || typeof resource.address !== 'string') continue;
      const references: Record<string, string[]> = {};
      if (isObject(resource.expressions)) {
        for (const [attribute, expression] of Object.entries(resource.expressions)) {
          if (isObject(expression) && Array.isArray(expression.references)) references[attribute] = expression.references.filter((r): r is string => typeof r === 'string');
        }
      }
      out.set(path ? `${path}.${resource.address}` : resource.address, {
        references,
        ...(typeof resource.provider_config_key === 'string' ? { providerKey: resource.provider_config_key } : {}),
      });
    }
    if (isObject(module.module_calls)) {
      for (const [name, call] of Object.entries(module.module_calls)) {
        if (isObject(call)) stack.push({ module: call.module, path: path ? `${path}.module.${name}` : `module.${name}`, depth: depth + 1 });
      }
    }
  }
  return out;
}

function constantOf(expression: unknown): unknown {
  return isObject(expression) ? expression.constant_value : undefined;
}

function providerSettings(configuration: unknown): Map<string, ProviderSettings> {
  const out = new Map<string, ProviderSettings>();
  const config = isObject(configuration) ? configuration.provider_config : undefined;
  if (!isObject(config)) return out;
  for (const [key, provider] of Object.entries(config)) {
    if (!isObject(provider) || provider.name !== 'aws' || !isObject(provider.expressions)) continue;
    const region = constantOf(provider.expressions.region);
    const accounts = constantOf(provider.expressions.allowed_account_ids);
    const settings: ProviderSettings = {};
    if (typeof region === 'string') settings.region = region;
    if (Array.isArray(accounts) && accounts.length === 1 && typeof accounts[0] === 'string') settings.accountId = accounts[0];
    out.set(key, settings);
  }
  return out;
}

function planError(file: string, text: string, offset: number, code: string, message: string): UserError {
  const { line, column } = lineColumnAt(text, offset);
  const diagnostic: Diagnostic = { file, line, column, code: `plan/${code}`, message };
  return new UserError(`${file} is not a Terraform plan trailwarden can read`, [diagnostic]);
}

/** Parses the text of `terraform show -json PLAN`; throws a located UserError otherwise. */
export function parsePlan(text: string, file: string): ParsedPlan {
  const structure = findStructureProblem(text, MAX_PLAN_DEPTH);
  if (structure?.kind === 'too-deep') throw new UserError(`${file} nests too deeply`, [structureDiagnostic(text, file, structure, 'plan', MAX_PLAN_DEPTH)]);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // Truncated or not JSON: the position of the first problem, as JSON.parse reports it when it can.
    const position = /position (\d+)/.exec(err instanceof Error ? err.message : '')?.[1];
    throw planError(file, text, position ? Number(position) : text.length, 'json', `not valid JSON (truncated?): ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isObject(data) || typeof data.format_version !== 'string') {
    throw planError(file, text, 0, 'not-a-plan', 'not the JSON of `terraform show -json PLAN`: it has no format_version');
  }
  const major = data.format_version.split('.')[0];
  if (major !== '1') {
    throw planError(file, text, text.indexOf('"format_version"'), 'format-version', `format_version ${data.format_version} is not supported; trailwarden reads the 1.x plan format (Terraform 1.x)`);
  }
  if (!Array.isArray(data.resource_changes) && !isObject(data.planned_values)) {
    const state = isObject(data.values) ? ' (this is a state: run terraform show -json on a saved plan, terraform plan -out=tfplan)' : '';
    throw planError(file, text, 0, 'not-a-plan', `a plan has resource_changes or planned_values; this file has neither${state}`);
  }
  const references = configurationReferences(data.configuration);
  const resources: PlannedResource[] = [];
  const changes = Array.isArray(data.resource_changes) ? data.resource_changes : [];
  for (const [index, change] of changes.entries()) {
    if (!isObject(change) || change.mode !== 'managed') continue;
    const { address, type, name } = change;
    if (typeof address !== 'string' || typeof type !== 'string' || typeof name !== 'string' || !isObject(change.change)) {
      throw planError(file, text, 0, 'resource-change', `resource_changes[${index}] lacks address, type, name or change`);
    }
    const action = actionOf(change.change.actions);
    if (action === undefined) throw planError(file, text, 0, 'resource-change', `resource_changes[${index}] (${address}) has no known change.actions`);
    // A resource being deleted is not in the planned configuration.
    if (action === 'delete') continue;
    const after = change.change.after;
    const modulePath = typeof change.module_address === 'string' ? withoutInstanceKeys(change.module_address) : '';
    const configAddress = modulePath ? `${modulePath}.${type}.${name}` : `${type}.${name}`;
    const configured = references.get(configAddress);
    resources.push({
      address,
      configAddress,
      modulePath,
      type,
      name,
      action,
      values: isObject(after) ? after : {},
      unknown: change.change.after_unknown ?? {},
      references: configured?.references ?? {},
      ...(configured?.providerKey !== undefined ? { providerKey: configured.providerKey } : {}),
    });
  }
  return {
    file,
    ...(typeof data.terraform_version === 'string' ? { terraformVersion: data.terraform_version } : {}),
    resources,
    providers: providerSettings(data.configuration),
  };
}

export async function readPlan(file: string): Promise<ParsedPlan> {
  return parsePlan(await readTextInput(file, { code: 'plan', what: 'Terraform plan (terraform show -json)' }), file);
}
