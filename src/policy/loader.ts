/**
 * Policy files -> compiled rules and packs. Loading reports every problem of every file at once as
 * located diagnostics; it never stops at the first.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { readTextInput } from '../files.js';
import path from 'node:path';
import type { Diagnostic } from '../errors.js';
import { PARAM_CHECKS, compileCondition, type CompileProblem, type CompiledFragment, type FragmentTable } from '../engine/compile.js';
import type { CompiledRule } from '../engine/evaluate.js';
import { VIEW_SCHEMAS } from '../engine/view-schema.js';
import { fragmentSchema, packSchema, policySchema } from './policy-schema.js';
import type { FragmentDefinition, Pack, ParamValue, RuleDefinition } from '../language/types.js';
import { checkPath } from '../engine/paths.js';
import { FACT_PLACEHOLDER, parseMessage, type Placeholder } from '../engine/message-template.js';
import { closestName } from '../objects.js';
import { compileSchema, diagnosticAt, diagnosticInScalar, locate, parseYaml, schemaDiagnostics, type OneOfHint, type YamlSource } from './yaml-source.js';
import type { RuleSettings } from './rule-settings.js';
import { idLineOf, type PreparedPolicy } from './prepared.js';
import type { SchemaName } from '../precompiled-validators.js';

const CONDITION_HINT: OneOfHint = {
  definition: policySchema.$defs.condition,
  discriminators: ['all', 'any', 'not', 'some', 'every', 'none', 'count', 'path', 'param', 'use'],
  describe: 'a condition',
};

export interface SourceFile {
  /** The path shown in diagnostics and SARIF (repo-relative for built-ins). */
  file: string;
  text: string;
  builtin: boolean;
  /**
   * Set only on the built-in files a bundle carries (src/policy/prepared.ts): the data, parsed and
   * schema-checked at build time. The loader then neither parses the text nor checks the schema.
   */
  prepared?: PreparedPolicy;
}

/** A policy document that parsed and passed its schema; its YAML source is parsed when asked for. */
interface CheckedDocument {
  data: unknown;
  /** The parsed document, for locating a diagnostic (parsed on first call for a prepared file). */
  source: () => YamlSource;
  idLine: () => number;
}

/**
 * Parse a policy, pack or fragment file and check it against its schema (and, for rules and
 * fragments, the depth limit), or take a built-in file's prepared data as it is.
 */
function readChecked(sourceFile: SourceFile, schemaName: SchemaName, schema: object, hints: OneOfHint[], depthLimited: boolean): { doc?: CheckedDocument; diagnostics: Diagnostic[] } {
  const prepared = sourceFile.builtin ? sourceFile.prepared : undefined;
  if (prepared) {
    let parsed: YamlSource | undefined;
    return { doc: { data: prepared.data, source: () => (parsed ??= parseYaml(sourceFile.text, sourceFile.file)), idLine: () => prepared.idLine }, diagnostics: [] };
  }
  const source = parseYaml(sourceFile.text, sourceFile.file);
  if (source.diagnostics.length) return { diagnostics: source.diagnostics };
  if (depthLimited) {
    const deep = pathBeyondDepth(source.data, MAX_RULE_DEPTH);
    if (deep) return { diagnostics: [diagnosticAt(source, deep, 'policy/too-deep', `nests more than ${MAX_RULE_DEPTH} levels deep; split the condition`)] };
  }
  const diagnostics = schemaDiagnostics(source, compileSchema(schemaName, schema), hints);
  if (diagnostics.length) return { diagnostics };
  return { doc: { data: source.data, source: () => source, idLine: () => idLineOf(source) }, diagnostics: [] };
}

interface LoadResult {
  /** The rules to evaluate: every loaded rule the configuration did not disable. */
  rules: CompiledRule[];
  /** Every loaded rule, disabled ones included: the ids the configuration may name. */
  allRules: CompiledRule[];
  packs: Pack[];
  /** The condition fragments rules may `use`, by id. */
  fragments: FragmentTable;
  diagnostics: Diagnostic[];
}

export { PARAM_CHECKS };

export function isCasesFile(file: string): boolean {
  return /\.cases\.ya?ml$/.test(file);
}

export function isPackFile(file: string): boolean {
  return /(^|[\\/])packs[\\/][^\\/]+\.ya?ml$/.test(file);
}

export function isFragmentFile(file: string): boolean {
  return /(^|[\\/])fragments[\\/][^\\/]+\.ya?ml$/.test(file);
}

/** `.../policies/trail/kms-encryption.yaml` -> `trail/kms-encryption`. */
function idFromPath(file: string): string {
  const parts = file.split(/[\\/]/);
  const name = parts.at(-1)!.replace(/\.ya?ml$/, '');
  return `${parts.at(-2) ?? ''}/${name}`;
}

function problemToDiagnostic(source: YamlSource, p: CompileProblem): Diagnostic {
  return diagnosticAt(source, p.docPath, p.code, p.message);
}

/**
 * Deepest nesting of objects and arrays accepted in a rule file (about 45 levels of conditions).
 * Schema validation and compilation recurse; beyond this they would exhaust the stack.
 */
export const MAX_RULE_DEPTH = 100;

/** The path of the first value nested deeper than `max` levels, found without recursion. */
export function pathBeyondDepth(data: unknown, max: number): (string | number)[] | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: data, path: [] }];
  while (stack.length) {
    const { value, path: at } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (at.length >= max) return at;
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, child] of entries) stack.push({ value: child, path: [...at, key] });
  }
  return undefined;
}

/**
 * What is wrong with one placeholder of a message: an undeclared parameter, or a fact path that is
 * not in the scope's view (with the name probably meant), located at the placeholder.
 */
function placeholderProblems(source: () => YamlSource, at: (string | number)[], placeholder: Placeholder, params: Record<string, unknown>, schema: Record<string, unknown>): Diagnostic[] {
  const { part, text } = placeholder;
  const problem = (code: string, message: string) => [diagnosticInScalar(source(), at, text, code, message)];
  if (part.kind === 'param') {
    if (Object.hasOwn(params, part.name)) return [];
    const meant = closestName(part.name, Object.keys(params));
    return problem('policy/unknown-param', `message uses ${text}, which is not declared in params${meant ? ` (did you mean {param.${meant}}?)` : ''}`);
  }
  if (part.kind !== 'fact') return [];
  const known = ['resource', 'evidence', 'param.NAME', 'a fact path of the scope'];
  if (!FACT_PLACEHOLDER.test(part.path)) return problem('policy/unknown-placeholder', `unknown placeholder ${text}; a message may use ${known.join(', ')}`);
  const check = checkPath(schema, part.segments);
  if (check.ok) return [];
  const meant = closestName(check.badSegment ?? '', check.available ?? []) ?? closestName(part.path, ['resource', 'evidence']);
  return problem(
    'policy/unknown-placeholder',
    `unknown placeholder ${text}: '${part.path}' is not in the snapshot schema for this scope: no '${check.badSegment ?? part.path}'${meant ? ` (did you mean '${meant}'?)` : ''}${check.available?.length ? `; available here: ${check.available.slice(0, 30).join(', ')}` : ''}`,
  );
}

/** Parse, validate and compile one rule file. `settings` are the config's overrides for it. */
export function loadRule(sourceFile: SourceFile, settings?: RuleSettings, fragments: FragmentTable = new Map()): { rule?: CompiledRule; diagnostics: Diagnostic[] } {
  const read = readChecked(sourceFile, 'policy', policySchema, [CONDITION_HINT], true);
  if (!read.doc) return { diagnostics: read.diagnostics };
  const { source } = read.doc;
  const diagnostics: Diagnostic[] = [];
  const def = read.doc.data as RuleDefinition;

  const expectedId = idFromPath(sourceFile.file);
  if (def.id !== expectedId) {
    diagnostics.push(diagnosticAt(source(), ['id'], 'policy/id-mismatch', `id '${def.id}' must equal its path '${expectedId}' (policies/<group>/<name>.yaml)`));
  }
  const params = def.params ?? {};
  const paramValues: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(params)) {
    if (!PARAM_CHECKS[spec.type](spec.default)) {
      diagnostics.push(diagnosticAt(source(), ['params', name, 'default'], 'policy/param-type', `default of '${name}' must be ${spec.type}`));
    }
    paramValues[name] = spec.default;
  }
  for (const [name, value] of Object.entries(settings?.params ?? {})) {
    const spec = params[name];
    if (!spec) continue; // reported by the config check, which knows where the override is
    if (PARAM_CHECKS[spec.type](value)) paramValues[name] = value;
  }
  const schema = VIEW_SCHEMAS[def.scope] as unknown as Record<string, unknown>;
  for (const [key, template] of Object.entries(def.messages)) {
    for (const placeholder of parseMessage(template).placeholders) diagnostics.push(...placeholderProblems(source, ['messages', key], placeholder, params, schema));
  }

  const condition = compileCondition(def.condition, schema, paramValues, ['condition'], fragments);
  const applies = def.applies ? compileCondition(def.applies, schema, paramValues, ['applies'], fragments) : undefined;
  for (const p of [...condition.problems, ...(applies?.problems ?? [])]) diagnostics.push(problemToDiagnostic(source(), p));
  if (diagnostics.length) return { diagnostics };

  const idLine = read.doc.idLine();
  const rule: CompiledRule = {
    ...def,
    frameworks: def.frameworks ?? {},
    severity: settings?.severity ?? def.severity,
    params,
    paramValues,
    source: { file: sourceFile.file, line: idLine, builtin: sourceFile.builtin },
    evaluateCondition: condition.evaluate,
    ...(applies ? { evaluateApplies: applies.evaluate } : {}),
  };
  return { rule, diagnostics: [] };
}

/** Every `use` inside a condition, with its path, found without recursion. */
function usesIn(condition: unknown, at: (string | number)[]): { fragment: string; path: (string | number)[] }[] {
  const found: { fragment: string; path: (string | number)[] }[] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: condition, path: at }];
  while (stack.length) {
    const { value, path: here } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    const use = (value as { use?: unknown }).use;
    if (!Array.isArray(value) && use && typeof use === 'object' && typeof (use as { fragment?: unknown }).fragment === 'string') {
      found.push({ fragment: (use as { fragment: string }).fragment, path: [...here, 'use', 'fragment'] });
    }
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, child] of entries) stack.push({ value: child, path: [...here, key] });
  }
  return found;
}

/** Parse and check one fragment file: schema, id, parameter defaults. */
function loadFragment(sourceFile: SourceFile): { fragment?: FragmentDefinition; source?: () => YamlSource; diagnostics: Diagnostic[] } {
  const read = readChecked(sourceFile, 'fragment', fragmentSchema, [CONDITION_HINT], true);
  if (!read.doc) return { diagnostics: read.diagnostics };
  const { source } = read.doc;
  const diagnostics: Diagnostic[] = [];
  const fragment = read.doc.data as FragmentDefinition;
  const expected = path.basename(sourceFile.file).replace(/\.ya?ml$/, '');
  if (fragment.id !== expected) diagnostics.push(diagnosticAt(source(), ['id'], 'fragment/id-mismatch', `id '${fragment.id}' must equal the file name '${expected}'`));
  for (const [name, spec] of Object.entries(fragment.params ?? {})) {
    if (spec.default !== undefined && !PARAM_CHECKS[spec.type](spec.default)) {
      diagnostics.push(diagnosticAt(source(), ['params', name, 'default'], 'policy/param-type', `default of '${name}' must be ${spec.type}`));
    }
  }
  return { fragment, source, diagnostics };
}

/**
 * Fragments by id, and the problems of the set: a duplicate id, a `use` of an unknown fragment, and
 * every cycle (a fragment that, through its uses, includes itself), located at the `use` that
 * closes it. Fragments on a cycle are left out so rules using them report the cycle too.
 */
export function loadFragments(sources: readonly SourceFile[]): { fragments: FragmentTable; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const loaded = new Map<string, { fragment: FragmentDefinition; file: string; source: () => YamlSource }>();
  for (const sf of sources) {
    if (!isFragmentFile(sf.file)) continue;
    const r = loadFragment(sf);
    diagnostics.push(...r.diagnostics);
    if (!r.fragment || !r.source || r.diagnostics.length) continue;
    const previous = loaded.get(r.fragment.id);
    // A user's fragment overrides a built-in one of the same id, as rules do.
    if (previous && previous.file !== sf.file && !sf.builtin && sources.find((s) => s.file === previous.file)?.builtin) {
      loaded.set(r.fragment.id, { fragment: r.fragment, file: sf.file, source: r.source });
    } else if (previous) {
      diagnostics.push(diagnosticAt(r.source(), ['id'], 'fragment/duplicate-id', `fragment '${r.fragment.id}' is also defined in ${previous.file}`));
    } else loaded.set(r.fragment.id, { fragment: r.fragment, file: sf.file, source: r.source });
  }
  const edges = new Map([...loaded].map(([id, f]) => [id, usesIn(f.fragment.condition, ['condition'])]));
  const onCycle = new Set<string>();
  for (const [id, uses] of edges) {
    const { source } = loaded.get(id)!;
    for (const use of uses) {
      if (!loaded.has(use.fragment)) diagnostics.push(diagnosticAt(source(), use.path, 'policy/unknown-fragment', `no fragment '${use.fragment}'; known fragments: ${[...loaded.keys()].sort().join(', ')}`));
    }
  }
  // Iterative depth-first search; a back edge closes a cycle, reported once at its use.
  const state = new Map<string, 'open' | 'done'>();
  for (const start of [...edges.keys()].sort()) {
    if (state.has(start)) continue;
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    state.set(start, 'open');
    while (stack.length) {
      const top = stack.at(-1)!;
      const uses = edges.get(top.id)!;
      if (top.next >= uses.length) {
        state.set(top.id, 'done');
        stack.pop();
        continue;
      }
      const use = uses[top.next++]!;
      if (!edges.has(use.fragment)) continue;
      const s = state.get(use.fragment);
      if (s === 'open') {
        const chain = stack.slice(stack.findIndex((f) => f.id === use.fragment)).map((f) => f.id);
        for (const id of chain) onCycle.add(id);
        diagnostics.push(diagnosticAt(loaded.get(top.id)!.source(), use.path, 'policy/fragment-cycle', `fragment cycle: ${[...chain, use.fragment].join(' -> ')}`));
      } else if (!s) {
        state.set(use.fragment, 'open');
        stack.push({ id: use.fragment, next: 0 });
      }
    }
  }
  const fragments = new Map<string, CompiledFragment>();
  for (const [id, { fragment, source }] of loaded) {
    if (onCycle.has(id)) continue;
    fragments.set(id, {
      definition: fragment,
      where: (docPath) => {
        const { line, column } = locate(source(), docPath);
        return `${source().file}:${line}:${column}`;
      },
    });
  }
  return { fragments, diagnostics };
}

function loadPack(sourceFile: SourceFile): { pack?: Pack; diagnostics: Diagnostic[]; source?: () => YamlSource } {
  const read = readChecked(sourceFile, 'pack', packSchema, [], false);
  if (!read.doc) return { diagnostics: read.diagnostics };
  const { source } = read.doc;
  const diagnostics: Diagnostic[] = [];
  const pack = read.doc.data as Pack;
  const expected = path.basename(sourceFile.file).replace(/\.ya?ml$/, '');
  if (pack.id !== expected) diagnostics.push(diagnosticAt(source(), ['id'], 'pack/id-mismatch', `id '${pack.id}' must equal the file name '${expected}'`));
  return { pack, diagnostics, source };
}

/** Rule ids a pack selects. */
export function packRuleIds(pack: Pack): string[] {
  return [...new Set([...(pack.rules ?? []), ...(pack.controls ?? []).flatMap((c) => c.rules)])];
}

/**
 * Load rules and packs from sources; later sources override earlier ones by rule id (SPEC §4:
 * rules with the same id override built-ins).
 */
export function loadSources(sources: readonly SourceFile[], ruleSettings: Record<string, RuleSettings> = {}): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const rules = new Map<string, CompiledRule>();
  const seenInSet = new Map<string, string>();
  const packs: { pack: Pack; source: () => YamlSource }[] = [];
  const { fragments, diagnostics: fragmentProblems } = loadFragments(sources);
  diagnostics.push(...fragmentProblems);
  for (const sf of sources) {
    if (isCasesFile(sf.file) || isFragmentFile(sf.file)) continue;
    if (isPackFile(sf.file)) {
      const r = loadPack(sf);
      diagnostics.push(...r.diagnostics);
      if (r.pack && r.source && !r.diagnostics.length) packs.push({ pack: r.pack, source: r.source });
      continue;
    }
    const id = idFromPath(sf.file);
    const r = loadRule(sf, ruleSettings[id], fragments);
    diagnostics.push(...r.diagnostics);
    if (!r.rule) continue;
    const previous = seenInSet.get(r.rule.id);
    if (previous && rules.get(r.rule.id)?.source.builtin === sf.builtin) {
      diagnostics.push({ file: sf.file, line: r.rule.source.line, column: 1, code: 'policy/duplicate-id', message: `rule '${r.rule.id}' is also defined in ${previous}` });
      continue;
    }
    seenInSet.set(r.rule.id, sf.file);
    rules.set(r.rule.id, r.rule);
  }
  for (const { pack, source } of packs) {
    (pack.controls ?? []).forEach((control, i) =>
      control.rules.forEach((ruleId, j) => {
        if (!rules.has(ruleId)) diagnostics.push(diagnosticAt(source(), ['controls', i, 'rules', j], 'pack/unknown-rule', `control ${control.id} names unknown rule '${ruleId}'`));
      }),
    );
    (pack.rules ?? []).forEach((ruleId, j) => {
      if (!rules.has(ruleId)) diagnostics.push(diagnosticAt(source(), ['rules', j], 'pack/unknown-rule', `unknown rule '${ruleId}'`));
    });
  }
  const all = [...rules.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const enabled = all.filter((r) => ruleSettings[r.id]?.enabled !== false);
  return { rules: enabled, allRules: all, packs: packs.map((p) => p.pack), fragments, diagnostics };
}

/**
 * Every .yaml/.yml file under a path (a file or a folder), in a stable order. Symbolic links to
 * files and folders are followed; a folder reached twice (a link loop, or two links to one place)
 * is read once. A FIFO, device or socket named .yaml is refused, never opened.
 */
export async function readPolicyPath(target: string, options: { builtin: boolean; displayRoot?: string }): Promise<SourceFile[]> {
  const info = await stat(target);
  const files: string[] = [];
  if (info.isDirectory()) {
    const visited = new Set<string>();
    // An explicit stack of entries, pushed in reverse: the same sorted depth-first order as a
    // recursive walk, with no recursion however deep the folders go.
    const pending: { path: string; folder: boolean }[] = [{ path: target, folder: true }];
    while (pending.length) {
      const item = pending.pop()!;
      if (!item.folder) {
        files.push(item.path);
        continue;
      }
      const real = await realpath(item.path);
      if (visited.has(real)) continue;
      visited.add(real);
      const entries = (await readdir(item.path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
      const found: { path: string; folder: boolean }[] = [];
      for (const e of entries) {
        const full = path.join(item.path, e.name);
        let folder = e.isDirectory();
        if (e.isSymbolicLink()) {
          const linked = await stat(full).catch(() => undefined); // a dangling link is no policy
          if (!linked) continue;
          folder = linked.isDirectory();
        }
        if (folder || /\.ya?ml$/.test(e.name)) found.push({ path: full, folder });
      }
      for (let i = found.length - 1; i >= 0; i--) pending.push(found[i]!);
    }
  } else {
    files.push(target);
  }
  return Promise.all(
    files.map(async (f) => ({
      file: options.displayRoot ? path.relative(options.displayRoot, f).split(path.sep).join('/') : f,
      text: await readTextInput(f, { code: 'policy', what: 'policy' }),
      builtin: options.builtin,
    })),
  );
}
