/**
 * YAML documents with positions, and JSON Schema errors rewritten into located diagnostics
 * (STYLE: Spectral's errors.ts). Every problem of a file is reported, not just the first.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { SchemaName } from '../precompiled-validators.js';
import { schemaValidator } from '../schema-validator.js';
import { LineCounter, isAlias, isCollection, isMap, isPair, isScalar, parseDocument, type Document, type Node } from 'yaml';
import { stripBom } from '../files.js';
import { tooDeepPath } from '../snapshot/structure.js';
import type { Diagnostic } from '../errors.js';
import { closestName } from '../objects.js';

export interface YamlSource {
  file: string;
  /** The text as parsed (without a byte order mark): positions inside scalars are found in it. */
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  data: unknown;
  diagnostics: Diagnostic[];
}

/** Aliases a document may expand to (the `yaml` package's guard against "billion laughs"). */
const MAX_ALIAS_COUNT = 100;
/** Policies and configuration nest a few levels; every walk below (schema, compiler) recurses. */
export const MAX_YAML_DEPTH = 64;

/** The first alias node of a document, found without recursion (the document may be deep). */
function firstAlias(doc: Document.Parsed): Node | undefined {
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const node = stack.pop();
    if (isAlias(node)) return node;
    if (isPair(node)) stack.push(node.value, node.key);
    else if (isCollection(node)) for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
  }
  return undefined;
}

/**
 * The YAML parser recurses per nesting level: a deeply nested document exhausts the stack (a
 * RangeError). That is a located problem of the file, like any other.
 */
export function parseYaml(input: string, file: string): YamlSource {
  try {
    return parseYamlUnguarded(input, file);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const diagnostic = { file, line: 1, column: 1, code: 'yaml/too-deep', message: `the document nests too deeply to read (${error.message})` };
    return { file, text: '', doc: parseDocument(''), lineCounter: new LineCounter(), data: undefined, diagnostics: [diagnostic] };
  }
}

function parseYamlUnguarded(input: string, file: string): YamlSource {
  const text = stripBom(input);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: false });
  const diagnostics: Diagnostic[] = [...doc.errors, ...doc.warnings].map((e) => {
    const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, code: `yaml/${e.code.toLowerCase().replace(/_/g, '-')}`, message: e.message.split('\n')[0]! };
  });
  let data: unknown;
  if (!doc.errors.length) {
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      // `yaml` throws a ReferenceError for an alias bomb (and a RangeError if it still runs out
      // of stack): both are problems of the file, located at its first alias.
      if (!(err instanceof ReferenceError || err instanceof RangeError)) throw err;
      const range = firstAlias(doc)?.range;
      const pos = range ? lineCounter.linePos(range[0]) : { line: 1, col: 1 };
      const message = err instanceof ReferenceError ? `aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT} per anchor); refusing a possible alias bomb` : 'the document is too deeply nested to read';
      diagnostics.push({ file, line: pos.line, column: pos.col, code: 'yaml/resource-exhaustion', message });
      return { file, text, doc, lineCounter, data: undefined, diagnostics };
    }
    const deep = tooDeepPath(data, MAX_YAML_DEPTH);
    if (deep) {
      const source = { file, text, doc, lineCounter, data, diagnostics };
      diagnostics.push(diagnosticAt(source, deep, 'yaml/too-deep', `nesting deeper than ${MAX_YAML_DEPTH} levels`));
      return { ...source, data: undefined };
    }
  }
  return { file, text, doc, lineCounter, data, diagnostics };
}

/** Position of the node at `path` (or of the key `key` inside it), falling back to the nearest parent. */
export function locate(source: YamlSource, path: readonly (string | number)[], key?: string): { line: number; column: number } {
  let node: unknown;
  for (let depth = path.length; depth >= 0; depth--) {
    node = depth === 0 ? source.doc.contents : source.doc.getIn(path.slice(0, depth), true);
    if (node) break;
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    if (pair && isScalar(pair.key) && pair.key.range) node = pair.key;
  }
  const range = (node as Node | undefined)?.range;
  if (!range) return { line: 1, column: 1 };
  const pos = source.lineCounter.linePos(range[0]);
  return { line: pos.line, column: pos.col };
}

/**
 * A diagnostic at `needle` inside the scalar at `path` (a placeholder in a message), found in the
 * scalar's source text; at the scalar itself when the source does not hold it verbatim.
 */
export function diagnosticInScalar(source: YamlSource, path: readonly (string | number)[], needle: string, code: string, message: string): Diagnostic {
  const node = source.doc.getIn(path, true) as Node | undefined;
  const range = isScalar(node) ? node.range : undefined;
  const at = range ? source.text.slice(range[0], range[1]).indexOf(needle) : -1;
  if (!range || at < 0) return diagnosticAt(source, path, code, message);
  const pos = source.lineCounter.linePos(range[0] + at);
  return { file: source.file, line: pos.line, column: pos.col, code, message };
}

export function diagnosticAt(source: YamlSource, path: readonly (string | number)[], code: string, message: string, key?: string): Diagnostic {
  const { line, column } = locate(source, path, key);
  return { file: source.file, line, column, code, message };
}

/** The validator of one of trailwarden's schemas (precompiled in the bundles). */
export function compileSchema(name: SchemaName, schema: object): ValidateFunction {
  const validate = schemaValidator(name, schema);
  SCHEMAS.set(validate, schema);
  return validate;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function displayPath(path: readonly (string | number)[]): string {
  return path.length ? path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[') : '(document)';
}

function getAt(data: unknown, path: readonly (string | number)[]): unknown {
  let cur = data;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/**
 * Which alternative of a `oneOf` the author meant, from the keys the object has: errors of the
 * other alternatives are noise. `discriminators[i]` is the key that selects alternative i of the
 * `oneOf` of `definition` (the very schema object, found again from each error's schema path).
 */
export interface OneOfHint {
  definition: object;
  discriminators: readonly string[];
  describe: string;
}

/** The schema each validator was compiled from: error paths are resolved in it for suggestions. */
const SCHEMAS = new WeakMap<ValidateFunction, object>();

/** The schema object at an error's schema path; a recursive definition's errors start at its own root. */
function schemaAt(root: object | undefined, schemaPath: string): unknown {
  if (!root) return undefined;
  const steps = schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const walk = (from: unknown): unknown => {
    let cur = from;
    for (const step of steps) {
      if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, step)) return undefined;
      cur = (cur as Record<string, unknown>)[step];
    }
    return cur;
  };
  const direct = walk(root);
  if (direct !== undefined) return direct;
  const defs = (root as { $defs?: Record<string, unknown> }).$defs ?? {};
  for (const def of Object.values(defs)) {
    const found = walk(def);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Plain words for a schema alternative (in an anyOf), for "expected …" messages. */
function describeSchema(node: unknown): string {
  if (node === null || typeof node !== 'object') return 'a value';
  const n = node as { type?: unknown; items?: { type?: unknown }; required?: unknown; $ref?: unknown; minimum?: unknown };
  if (typeof n.$ref === 'string' && n.$ref.endsWith('/paramRef')) return '{ param: NAME }';
  if (n.type === 'array') return `a list of ${typeof n.items?.type === 'string' ? `${n.items.type}s` : 'values'}`;
  if (n.type === 'integer' && n.minimum === 0) return 'a whole number of 0 or more';
  if (n.type === 'object' && 'not' in n) return "an object of the operator's arguments";
  if (typeof n.type === 'string') return n.type === 'null' ? 'null' : `a${/^[aeiou]/.test(n.type) ? 'n' : ''} ${n.type}`;
  return 'an object';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isUnder(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

/**
 * ajv's errors, rewritten into one located diagnostic per problem. An `anyOf` that fails is one
 * diagnostic ("expected a string, a number, …"), not one per alternative; a `oneOf` with a hint
 * keeps only the errors of the alternative the object's keys select, or, when its keys select none,
 * says so once with a suggestion for the key that was probably meant.
 */
export function schemaDiagnostics(source: YamlSource, validate: ValidateFunction, hints: readonly OneOfHint[] = []): Diagnostic[] {
  if (validate(source.data)) return [];
  const schema = SCHEMAS.get(validate);
  const errors = validate.errors ?? [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const push = (d: Diagnostic) => {
    const key = `${d.line}:${d.column}:${d.code}:${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(d);
    }
  };
  // An anyOf's own error stands for the errors of its alternatives at the same place.
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  const absorbed = (e: ErrorObject) =>
    e.keyword !== 'anyOf' && anyOfs.some((a) => isUnder(e.instancePath, a.instancePath) && (e.schemaPath.startsWith(`${a.schemaPath}/`) || (e.instancePath === a.instancePath && !/\/(one|any)Of\/\d+\//.test(e.schemaPath))));
  // The hinted oneOfs, with the alternative each object selects (-1: none).
  const hinted = errors.flatMap((e) => {
    if (e.keyword !== 'oneOf') return [];
    const alternatives = schemaAt(schema, e.schemaPath);
    const hint = hints.find((h) => alternatives !== undefined && alternatives === (h.definition as { oneOf?: unknown }).oneOf);
    if (!hint) return [];
    const obj = getAt(source.data, pointerToPath(e.instancePath));
    const chosen = isPlainObject(obj) ? hint.discriminators.findIndex((k) => Object.hasOwn(obj, k)) : -1;
    return [{ error: e, hint, chosen }];
  });
  // The hinted oneOf an error belongs to: the nearest enclosing one whose schema path it extends.
  const ownerOf = (e: ErrorObject) => {
    let owner: (typeof hinted)[number] | undefined;
    for (const h of hinted) {
      if (h.error === e || !isUnder(e.instancePath, h.error.instancePath) || !e.schemaPath.startsWith(`${h.error.schemaPath}/`)) continue;
      if (!owner || h.error.instancePath.length > owner.error.instancePath.length) owner = h;
    }
    return owner;
  };
  for (const e of errors) {
    if (absorbed(e) || hinted.some((h) => h.error === e)) continue;
    const owner = ownerOf(e);
    if (owner) {
      const branch = Number(/^\/(\d+)/.exec(e.schemaPath.slice(owner.error.schemaPath.length))?.[1]);
      if (branch !== owner.chosen) continue;
    }
    push(rewrite(source, e, pointerToPath(e.instancePath), schema));
  }
  for (const { error, hint, chosen } of hinted) {
    if (chosen >= 0) continue; // the chosen alternative reported its own, more precise errors
    const instancePath = pointerToPath(error.instancePath);
    const obj = getAt(source.data, instancePath);
    const keys = isPlainObject(obj) ? Object.keys(obj) : [];
    const meant = keys.map((k) => closestName(k, hint.discriminators)).find((k) => k !== undefined);
    const misspelt = meant === undefined ? undefined : keys.find((k) => closestName(k, hint.discriminators) === meant);
    push(
      diagnosticAt(
        source,
        instancePath,
        'schema/condition',
        `${displayPath(instancePath)} is not ${hint.describe}${keys.length ? ` (has ${keys.map((k) => `'${k}'`).join(', ')}${meant ? `; did you mean '${meant}' for '${misspelt}'?` : ''})` : ''}; expected one of: ${hint.discriminators.join(', ')}`,
        misspelt,
      ),
    );
  }
  return out;
}

function rewrite(source: YamlSource, e: ErrorObject, instancePath: (string | number)[], schema: object | undefined): Diagnostic {
  const where = displayPath(instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'anyOf': {
      const alternatives = schemaAt(schema, e.schemaPath);
      const expected = Array.isArray(alternatives) ? alternatives.map(describeSchema) : [];
      const list = expected.length > 1 ? `${expected.slice(0, -1).join(', ')} or ${expected.at(-1)!}` : (expected[0] ?? 'another value');
      return diagnosticAt(source, instancePath, 'schema/type', `${where} is ${JSON.stringify(getAt(source.data, instancePath)) ?? 'invalid'}; expected ${list}`);
    }
    case 'required':
      return diagnosticAt(source, instancePath, 'schema/required', `${where} is missing required property '${String(params.missingProperty)}'`);
    case 'additionalProperties': {
      const property = String(params.additionalProperty);
      const known = schemaAt(schema, e.schemaPath.replace(/\/additionalProperties$/, '/properties'));
      const meant = isPlainObject(known) ? closestName(property, Object.keys(known).filter((k) => k !== '$schema')) : undefined;
      return diagnosticAt(source, instancePath, 'schema/unknown-property', `${where} has unknown property '${property}'${meant ? `; did you mean '${meant}'?` : ''}`, property);
    }
    case 'enum': {
      const value = getAt(source.data, instancePath);
      const allowed = (params.allowedValues as unknown[]).map(String);
      const meant = typeof value === 'string' ? closestName(value, allowed) : undefined;
      return diagnosticAt(source, instancePath, 'schema/enum', `${where} is ${JSON.stringify(value)}; ${meant ? `did you mean '${meant}'? ` : ''}expected one of: ${allowed.join(', ')}`);
    }
    case 'type':
      return diagnosticAt(source, instancePath, 'schema/type', `${where} must be ${String(params.type)}`);
    case 'pattern':
      return diagnosticAt(source, instancePath, 'schema/pattern', `${where} ${JSON.stringify(getAt(source.data, instancePath))} does not match ${String(params.pattern)}`);
    case 'format':
      return diagnosticAt(source, instancePath, 'schema/format', `${where} must be a valid ${String(params.format)}`);
    default:
      return diagnosticAt(source, instancePath, `schema/${e.keyword}`, `${where} ${e.message ?? 'is invalid'}`);
  }
}
