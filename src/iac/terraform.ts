/**
 * Terraform configurations -> definitions. A folder of .tf files is a module; a folder no other
 * folder calls (`source = "./modules/x"`) is a root. Each root is instantiated with its variables'
 * values (terraform.tfvars and *.auto.tfvars, then defaults), its locals, and the local modules it
 * calls with their inputs, to a bounded depth. Values are resolved statically: literals, variables,
 * locals, string templates, a few pure functions, references to configured arguments of other
 * resources, module outputs. Anything else is an explicit unknown, never a guess.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../errors.js';
import { stripBom } from '../files.js';
import { parseHcl, type HclAttribute, type HclBlock, type HclBody, type HclExpr, type HclFile } from './hcl.js';
import { resourceTypeInfo } from './kinds.js';
import { isUnknown, unknown, type IacAttribute, type IacDefinition, type IacIdentity, type IacValue } from './types.js';

export const MAX_MODULE_DEPTH = 8;
/** CloudFormation accepts templates up to 1 MB; a .tf file this large is generated. The wasm parser reads about 0.5 MB/s. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** Evaluation steps per attribute (locals calling locals calling module outputs…). */
const MAX_EVALUATION_DEPTH = 48;
/** A resolved string longer than this is left unknown (a template that doubles itself). */
const MAX_STRING_LENGTH = 64 * 1024;

/** One folder of .tf files, parsed. `dir` is repo-relative with forward slashes ('' for the top). */
export interface TerraformModule {
  dir: string;
  files: HclFile[];
  variables: Map<string, HclBlock>;
  locals: Map<string, HclAttribute>;
  outputs: Map<string, HclBlock>;
  resources: HclBlock[];
  calls: { name: string; block: HclBlock; source?: string }[];
  providers: HclBlock[];
  /** Variable values from terraform.tfvars and *.auto.tfvars (roots only). */
  tfvars: Map<string, HclAttribute>;
}

/** Reads and parses the .tf files of one folder (absolute `abs`, repo-relative `dir`). */
export async function readTerraformModule(abs: string, dir: string, diagnostics: Diagnostic[]): Promise<TerraformModule> {
  const module: TerraformModule = { dir, files: [], variables: new Map(), locals: new Map(), outputs: new Map(), resources: [], calls: [], providers: [], tfvars: new Map() };
  const names = (await readdir(abs)).sort();
  for (const name of names) {
    const isTf = name.endsWith('.tf');
    const isVars = name === 'terraform.tfvars' || name.endsWith('.auto.tfvars');
    if (!isTf && !isVars) continue;
    const rel = dir === '' ? name : `${dir}/${name}`;
    const text = await readSourceFile(path.join(abs, name), rel, diagnostics);
    if (text === undefined) continue;
    const file = await parseHcl(text, rel);
    diagnostics.push(...file.diagnostics);
    if (isVars) {
      for (const attr of file.body.attributes) module.tfvars.set(attr.name, attr);
      continue;
    }
    module.files.push(file);
    for (const block of file.body.blocks) {
      const [first, second] = block.labels;
      if (block.type === 'variable' && first !== undefined) module.variables.set(first, block);
      else if (block.type === 'locals') for (const attr of block.body.attributes) module.locals.set(attr.name, attr);
      else if (block.type === 'output' && first !== undefined) module.outputs.set(first, block);
      else if (block.type === 'resource' && first !== undefined && second !== undefined) module.resources.push(block);
      else if (block.type === 'provider' && first === 'aws') module.providers.push(block);
      else if (block.type === 'module' && first !== undefined) {
        const source = block.body.attributes.find((a) => a.name === 'source');
        const value = source?.expr.k === 'literal' && typeof source.expr.value === 'string' ? source.expr.value : undefined;
        module.calls.push({ name: first, block, ...(value !== undefined ? { source: value } : {}) });
      }
    }
  }
  return module;
}

/** Reads a source file within the size limit; a problem is a diagnostic, not a failure. */
export async function readSourceFile(abs: string, rel: string, diagnostics: Diagnostic[]): Promise<string | undefined> {
  try {
    const info = await stat(abs);
    if (info.size > MAX_FILE_BYTES) {
      diagnostics.push({ file: rel, line: 0, column: 0, code: 'iac/too-large', message: `skipped: ${info.size} bytes is more than the ${MAX_FILE_BYTES} bytes an IaC file may have` });
      return undefined;
    }
    return stripBom(await readFile(abs, 'utf8'));
  } catch (err) {
    diagnostics.push({ file: rel, line: 0, column: 0, code: 'iac/read', message: `cannot read: ${(err as Error).message}` });
    return undefined;
  }
}

/** A local module source (`./x`, `../x`) resolved against the calling folder; undefined for registry, git, … sources. */
export function localModuleDir(callerDir: string, source: string): string | undefined {
  if (!source.startsWith('./') && !source.startsWith('../')) return undefined;
  const joined = path.posix.normalize(path.posix.join(callerDir === '' ? '.' : callerDir, source));
  if (joined === '..' || joined.startsWith('../')) return undefined;
  return joined === '.' ? '' : joined.replace(/\/$/, '');
}

interface Instance {
  module: TerraformModule;
  /** `module.a.module.b.` or '' for the root. */
  prefix: string;
  root: string;
  depth: number;
  repeated: boolean;
  inputs: Map<string, () => Evaluated>;
  localCache: Map<string, Evaluated>;
  localsInProgress: Set<string>;
  children: Map<string, Instance | null>;
  region?: string;
}

interface Evaluated {
  value: IacValue;
  refs: string[];
}

export interface TerraformResult {
  definitions: IacDefinition[];
  diagnostics: Diagnostic[];
}

/**
 * Instantiates one root module and the local modules it calls, and returns the definitions of the
 * resource types that feed the snapshot. `load` gives the parsed module of a repo-relative folder.
 */
export async function instantiateRoot(root: TerraformModule, load: (dir: string) => Promise<TerraformModule | undefined>): Promise<TerraformResult> {
  const diagnostics: Diagnostic[] = [];
  const instances: Instance[] = [];
  const create = async (module: TerraformModule, prefix: string, depth: number, repeated: boolean, inputs: Map<string, () => Evaluated>, region: string | undefined): Promise<Instance> => {
    const instance: Instance = { module, prefix, root: root.dir, depth, repeated, inputs, localCache: new Map(), localsInProgress: new Set(), children: new Map(), ...(region !== undefined ? { region } : {}) };
    instances.push(instance);
    for (const call of module.calls) {
      const dir = call.source === undefined ? undefined : localModuleDir(module.dir, call.source);
      if (dir === undefined) {
        instance.children.set(call.name, null);
        continue;
      }
      if (depth + 1 > MAX_MODULE_DEPTH) {
        diagnostics.push({ file: call.block.span.file, line: call.block.span.startLine, column: call.block.span.startColumn, code: 'iac/module-depth', message: `module "${call.name}" not read: modules nest deeper than ${MAX_MODULE_DEPTH}` });
        instance.children.set(call.name, null);
        continue;
      }
      const child = await load(dir);
      if (!child) {
        diagnostics.push({ file: call.block.span.file, line: call.block.span.startLine, column: call.block.span.startColumn, code: 'iac/module-source', message: `module "${call.name}": no Terraform files in ${dir || '.'}` });
        instance.children.set(call.name, null);
        continue;
      }
      const childInputs = new Map<string, () => Evaluated>();
      for (const attr of call.block.body.attributes) {
        if (['source', 'version', 'count', 'for_each', 'providers', 'depends_on'].includes(attr.name)) continue;
        childInputs.set(attr.name, () => evaluate(instance, attr.expr, 0));
      }
      const callRepeated = repeated || call.block.body.attributes.some((a) => a.name === 'count' || a.name === 'for_each');
      instance.children.set(call.name, await create(child, `${prefix}module.${call.name}.`, depth + 1, callRepeated, childInputs, region));
    }
    return instance;
  };
  const top = await create(root, '', 0, false, new Map(), undefined);
  const region = providerRegion(top);
  if (region !== undefined) for (const instance of instances) instance.region = region;

  const definitions: IacDefinition[] = [];
  for (const instance of instances) {
    for (const block of instance.module.resources) {
      const [type, name] = block.labels as [string, string];
      const info = resourceTypeInfo(type);
      if (!info || info.tool !== 'terraform') continue;
      const attributes: Record<string, IacAttribute> = {};
      flattenBody(instance, block.body, '', attributes);
      const identity: IacIdentity = { kind: info.kind };
      if (info.nameAttribute !== undefined) {
        const named = attributes[info.nameAttribute];
        if (named && typeof named.value === 'string') identity.name = named.value;
        else identity.unknown = named ? describeUnknown(named.value, info.nameAttribute) : `no ${info.nameAttribute}: the name is chosen at apply`;
      }
      if (instance.region !== undefined) identity.region = instance.region;
      if (type === 'aws_s3_bucket' && identity.name !== undefined) identity.arn = `arn:aws:s3:::${identity.name}`;
      const repeated = instance.repeated || block.body.attributes.some((a) => a.name === 'count' || a.name === 'for_each');
      definitions.push({
        tool: 'terraform',
        resourceType: type,
        address: `${instance.prefix}${type}.${name}`,
        root: root.dir,
        block: block.span,
        attributes,
        identity,
        ...(repeated ? { repeated: true } : {}),
      });
    }
  }
  linkDefinitions(definitions);
  return { definitions, diagnostics };
}

function providerRegion(top: Instance): string | undefined {
  const plain = top.module.providers.filter((p) => !p.body.attributes.some((a) => a.name === 'alias'));
  if (plain.length !== 1) return undefined;
  const attr = plain[0]?.body.attributes.find((a) => a.name === 'region');
  if (!attr) return undefined;
  const value = evaluate(top, attr.expr, 0).value;
  return typeof value === 'string' ? value : undefined;
}

/** Satellites to their parents, aliases to their keys; a satellite named by a literal gets the name. */
export function linkDefinitions(definitions: IacDefinition[]): void {
  const byAddress = new Map(definitions.map((d) => [d.address, d]));
  for (const def of definitions) {
    const info = resourceTypeInfo(def.resourceType);
    if (info?.parentAttribute === undefined) continue;
    const attr = def.attributes[info.parentAttribute];
    if (!attr) continue;
    const parent = (attr.refs ?? []).map((r) => byAddress.get(r)).find((d) => d !== undefined);
    if (parent) def.parent = parent.address;
    if (info.satellite) {
      if (typeof attr.value === 'string' && def.identity.kind === 'bucket') def.identity.name = attr.value;
      else if (parent?.identity.name !== undefined) def.identity.name = parent.identity.name;
      if (def.identity.name !== undefined && def.identity.kind === 'bucket') def.identity.arn = `arn:aws:s3:::${def.identity.name}`;
      if (parent?.identity.region !== undefined) def.identity.region = parent.identity.region;
    }
    if (def.identity.kind === 'kms-alias' && parent && def.identity.name !== undefined) {
      parent.identity.aliases = [...(parent.identity.aliases ?? []), def.identity.name];
    }
  }
}

function describeUnknown(value: IacValue, attribute: string): string {
  if (isUnknown(value)) return `${attribute}: ${value.$unknown}`;
  return `${attribute} is not a string`;
}

/** Attributes and nested blocks of a body into path -> {span, value, refs}. */
function flattenBody(instance: Instance, body: HclBody, prefix: string, out: Record<string, IacAttribute>): Record<string, IacValue> {
  const object: Record<string, IacValue> = {};
  for (const attr of body.attributes) {
    const evaluated = evaluate(instance, attr.expr, 0);
    object[attr.name] = evaluated.value;
    out[`${prefix}${attr.name}`] = { span: attr.span, value: evaluated.value, ...(evaluated.refs.length ? { refs: evaluated.refs } : {}) };
  }
  const seen = new Map<string, number>();
  for (const block of body.blocks) {
    if (block.type === 'dynamic' || block.type === 'lifecycle') continue;
    const index = seen.get(block.type) ?? 0;
    seen.set(block.type, index + 1);
    const key = index === 0 ? `${prefix}${block.type}` : `${prefix}${block.type}[${index}]`;
    const entry: IacAttribute = { span: block.span, value: null };
    out[key] = entry;
    entry.value = flattenBody(instance, block.body, `${key}.`, out);
    object[index === 0 ? block.type : `${block.type}[${index}]`] = entry.value;
  }
  return object;
}

const known = (value: IacValue, refs: string[] = []): Evaluated => ({ value, refs });
const unknownOf = (reason: string, refs: string[] = []): Evaluated => ({ value: unknown(reason), refs });

/** Statically evaluates an expression in a module instance. */
function evaluate(instance: Instance, expr: HclExpr, depth: number): Evaluated {
  if (depth > MAX_EVALUATION_DEPTH) return unknownOf('the expression refers too deeply');
  switch (expr.k) {
    case 'literal':
      return known(expr.value);
    case 'template': {
      let text = '';
      const refs: string[] = [];
      for (const part of expr.parts) {
        if (typeof part === 'string') {
          text += part;
          continue;
        }
        const inner = evaluate(instance, part, depth + 1);
        refs.push(...inner.refs);
        if (typeof inner.value === 'string' || typeof inner.value === 'number' || typeof inner.value === 'boolean') text += String(inner.value);
        else return unknownOf(isUnknown(inner.value) ? inner.value.$unknown : 'a template interpolates a collection', refs);
        if (text.length > MAX_STRING_LENGTH) return unknownOf('the string is too long', refs);
      }
      return known(text, refs);
    }
    case 'traversal':
      return traverse(instance, expr, depth);
    case 'call':
      return call(instance, expr, depth);
    case 'conditional': {
      const condition = evaluate(instance, expr.condition, depth + 1);
      if (typeof condition.value !== 'boolean') {
        const t = evaluate(instance, expr.whenTrue, depth + 1);
        const f = evaluate(instance, expr.whenFalse, depth + 1);
        return unknownOf('a condition that is not known statically', [...condition.refs, ...t.refs, ...f.refs]);
      }
      const branch = evaluate(instance, condition.value ? expr.whenTrue : expr.whenFalse, depth + 1);
      return known(branch.value, [...condition.refs, ...branch.refs]);
    }
    case 'tuple': {
      const items = expr.items.map((item) => evaluate(instance, item, depth + 1));
      return known(
        items.map((i) => i.value),
        items.flatMap((i) => i.refs),
      );
    }
    case 'object': {
      const object: Record<string, IacValue> = {};
      const refs: string[] = [];
      for (const entry of expr.entries) {
        const key = evaluate(instance, entry.key, depth + 1);
        const value = evaluate(instance, entry.value, depth + 1);
        refs.push(...key.refs, ...value.refs);
        if (typeof key.value !== 'string') return unknownOf('an object key that is not known statically', refs);
        object[key.value] = value.value;
      }
      return known(object, refs);
    }
    case 'other':
      return unknownOf(`${expr.what} is not evaluated statically`, expr.refs.map((r) => (r.startsWith('data.') ? r : `${instance.prefix}${r}`)));
  }
}

function applySteps(value: IacValue, steps: readonly (string | number | HclExpr)[], instance: Instance, depth: number, refs: string[]): Evaluated {
  let current = value;
  for (const step of steps) {
    if (isUnknown(current)) return { value: current, refs };
    let key: string | number;
    if (typeof step === 'object') {
      const evaluated = evaluate(instance, step, depth + 1);
      refs.push(...evaluated.refs);
      if (typeof evaluated.value !== 'string' && typeof evaluated.value !== 'number') return unknownOf('an index that is not known statically', refs);
      key = evaluated.value;
    } else key = step;
    if (Array.isArray(current) && typeof key === 'number') current = current[key] ?? unknown(`index ${key} is out of range`);
    else if (current !== null && typeof current === 'object' && !Array.isArray(current) && Object.hasOwn(current, String(key))) current = (current as Record<string, IacValue>)[String(key)] as IacValue;
    else return unknownOf(`no ${String(key)} in the value`, refs);
  }
  return { value: current, refs };
}

function traverse(instance: Instance, expr: Extract<HclExpr, { k: 'traversal' }>, depth: number): Evaluated {
  const [first, ...rest] = expr.steps;
  switch (expr.root) {
    case 'var': {
      if (typeof first !== 'string') return unknownOf('a variable reference');
      const value = variableValue(instance, first, depth);
      return applySteps(value.value, rest, instance, depth, [...value.refs]);
    }
    case 'local': {
      if (typeof first !== 'string') return unknownOf('a local reference');
      const value = localValue(instance, first, depth);
      return applySteps(value.value, rest, instance, depth, [...value.refs]);
    }
    case 'module': {
      if (typeof first !== 'string') return unknownOf('a module reference');
      const child = instance.children.get(first);
      const address = `${instance.prefix}module.${first}`;
      if (!child) return unknownOf(`module.${first} is not a module of this repository`, [address]);
      const [output, ...more] = rest;
      if (typeof output !== 'string') return unknownOf(`module.${first}`, [address]);
      const block = child.module.outputs.get(output);
      const value = block?.body.attributes.find((a) => a.name === 'value');
      if (!value) return unknownOf(`module.${first} has no output ${output}`, [address]);
      const evaluated = evaluate(child, value.expr, depth + 1);
      return applySteps(evaluated.value, more, instance, depth, [...evaluated.refs]);
    }
    case 'count':
    case 'each':
    case 'self':
      return unknownOf(`${expr.root}.* is known only per instance`);
    case 'path':
    case 'terraform':
      return unknownOf(`${expr.root}.* is known only when Terraform runs`);
    case 'data': {
      const [type, name] = expr.steps;
      return unknownOf('a data source is read when Terraform runs', typeof type === 'string' && typeof name === 'string' ? [`data.${type}.${name}`] : []);
    }
    default:
      return resourceReference(instance, expr, depth);
  }
}

/** `aws_s3_bucket.logs.bucket`: a configured argument of another resource; a few computed ones that follow from them. */
function resourceReference(instance: Instance, expr: Extract<HclExpr, { k: 'traversal' }>, depth: number): Evaluated {
  const [name, ...rest] = expr.steps;
  if (typeof name !== 'string') return unknownOf(`a reference to ${expr.root}`);
  const address = `${instance.prefix}${expr.root}.${name}`;
  const refs = [address];
  const block = instance.module.resources.find((r) => r.labels[0] === expr.root && r.labels[1] === name);
  if (!block) return unknownOf(`${expr.root}.${name} is not defined in this module`, refs);
  let steps = rest;
  if (typeof steps[0] === 'number' || (typeof steps[0] === 'object' && steps[0] !== null)) steps = steps.slice(1); // [count.index]
  const [attribute, ...more] = steps;
  if (typeof attribute !== 'string') return unknownOf(`${address} as a whole`, refs);
  const argument = (argName: string): Evaluated | undefined => {
    const attr = block.body.attributes.find((a) => a.name === argName);
    return attr ? evaluate(instance, attr.expr, depth + 1) : undefined;
  };
  let result: Evaluated | undefined;
  const type = expr.root;
  if (type === 'aws_s3_bucket' && (attribute === 'id' || attribute === 'bucket' || attribute === 'arn')) {
    const bucket = argument('bucket');
    if (bucket && typeof bucket.value === 'string') result = known(attribute === 'arn' ? `arn:aws:s3:::${bucket.value}` : bucket.value, bucket.refs);
  } else if ((type === 'aws_cloudwatch_log_group' || type === 'aws_kms_alias' || type === 'aws_sns_topic' || type === 'aws_cloudtrail') && (attribute === 'id' || attribute === 'name')) {
    result = argument('name');
  } else if (!['id', 'arn', 'key_id', 'home_region'].includes(attribute)) {
    result = argument(attribute);
  }
  if (!result) return unknownOf(`${address}.${attribute} is known after apply`, refs);
  return applySteps(result.value, more, instance, depth, [...refs, ...result.refs]);
}

function variableValue(instance: Instance, name: string, depth: number): Evaluated {
  const input = instance.inputs.get(name);
  if (input) return input();
  if (instance.depth === 0) {
    const tfvar = instance.module.tfvars.get(name);
    if (tfvar) return evaluate(instance, tfvar.expr, depth + 1);
  }
  const block = instance.module.variables.get(name);
  if (!block) return unknownOf(`var.${name} is not declared`);
  const fallback = block.body.attributes.find((a) => a.name === 'default');
  if (!fallback) return unknownOf(`var.${name} has no default and no value in this repository`);
  return evaluate(instance, fallback.expr, depth + 1);
}

function localValue(instance: Instance, name: string, depth: number): Evaluated {
  const cached = instance.localCache.get(name);
  if (cached) return cached;
  const attr = instance.module.locals.get(name);
  if (!attr) return unknownOf(`local.${name} is not defined`);
  if (instance.localsInProgress.has(name)) return unknownOf(`local.${name} refers to itself`);
  instance.localsInProgress.add(name);
  try {
    const value = evaluate(instance, attr.expr, depth + 1);
    // A value cut short by the depth bound is not cached: a shallower reference may resolve it.
    if (!(isUnknown(value.value) && value.value.$unknown === 'the expression refers too deeply')) instance.localCache.set(name, value);
    return value;
  } finally {
    instance.localsInProgress.delete(name);
  }
}

const isScalar = (v: IacValue): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** The pure functions whose result follows from known arguments; any other function is unknown. */
function call(instance: Instance, expr: Extract<HclExpr, { k: 'call' }>, depth: number): Evaluated {
  const args = expr.args.map((a) => evaluate(instance, a, depth + 1));
  const refs = args.flatMap((a) => a.refs);
  const values = args.map((a) => a.value);
  const firstUnknown = values.find(isUnknown);
  if (firstUnknown) return unknownOf(firstUnknown.$unknown, refs);
  if (expr.expandFinal) return unknownOf(`${expr.name}(…) with expanded arguments`, refs);
  const str = (i: number) => (isScalar(values[i] as IacValue) ? String(values[i]) : undefined);
  const out = (value: IacValue | undefined) => (value === undefined ? unknownOf(`${expr.name}() of these arguments is not evaluated statically`, refs) : known(value, refs));
  switch (expr.name) {
    case 'lower':
      return out(str(0)?.toLowerCase());
    case 'upper':
      return out(str(0)?.toUpperCase());
    case 'trimspace':
      return out(str(0)?.trim());
    case 'tostring':
      return out(str(0));
    case 'tobool':
      return out(typeof values[0] === 'boolean' ? values[0] : values[0] === 'true' ? true : values[0] === 'false' ? false : undefined);
    case 'tonumber':
      return out(typeof values[0] === 'number' ? values[0] : typeof values[0] === 'string' && /^-?\d+(\.\d+)?$/.test(values[0]) ? Number(values[0]) : undefined);
    case 'join': {
      const list = values[1];
      const sep = str(0);
      if (sep === undefined || !Array.isArray(list) || !list.every(isScalar)) return out(undefined);
      return out(list.map(String).join(sep));
    }
    case 'concat':
      return out(values.every(Array.isArray) ? (values as IacValue[][]).flat() : undefined);
    case 'coalesce':
      return out(values.find((v) => v !== null && v !== ''));
    case 'merge':
      return out(values.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v)) ? Object.assign({}, ...values) : undefined);
    case 'format': {
      const spec = str(0);
      if (spec === undefined) return out(undefined);
      let i = 1;
      let failed = false;
      const text = spec.replace(/%([%sdv])/g, (_, c: string) => {
        if (c === '%') return '%';
        const v = values[i++];
        if (v === undefined || !isScalar(v)) failed = true;
        return String(v);
      });
      return out(failed ? undefined : text);
    }
    case 'replace': {
      const [s, from, to] = [str(0), str(1), str(2)];
      if (s === undefined || from === undefined || to === undefined || from.startsWith('/')) return out(undefined);
      return out(s.split(from).join(to));
    }
    case 'jsonencode':
      return out(JSON.stringify(values[0]));
    default:
      return unknownOf(`${expr.name}() is not evaluated statically`, refs);
  }
}

