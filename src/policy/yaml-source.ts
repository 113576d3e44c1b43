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

export interface YamlSource {
  file: string;
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
    return { file, doc: parseDocument(''), lineCounter: new LineCounter(), data: undefined, diagnostics: [diagnostic] };
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
      return { file, doc, lineCounter, data: undefined, diagnostics };
    }
    const deep = tooDeepPath(data, MAX_YAML_DEPTH);
    if (deep) {
      const source = { file, doc, lineCounter, data, diagnostics };
      diagnostics.push(diagnosticAt(source, deep, 'yaml/too-deep', `nesting deeper than ${MAX_YAML_DEPTH} levels`));
      return { ...source, data: undefined };
    }
  }
  return { file, doc, lineCounter, data, diagnostics };
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

export function diagnosticAt(source: YamlSource, path: readonly (string | number)[], code: string, message: string, key?: string): Diagnostic {
  const { line, column } = locate(source, path, key);
  return { file: source.file, line, column, code, message };
}

/** The validator of one of trailwarden's schemas (precompiled in the bundles). */
export function compileSchema(name: SchemaName, schema: object): ValidateFunction {
  return schemaValidator(name, schema);
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
 * other alternatives are noise. `discriminators[i]` is the key that selects alternative i.
 */
export interface OneOfHint {
  schemaPathPrefix: string;
  discriminators: readonly string[];
  describe: string;
}

export function schemaDiagnostics(source: YamlSource, validate: ValidateFunction, hints: readonly OneOfHint[] = []): Diagnostic[] {
  if (validate(source.data)) return [];
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
  const unresolvedOneOf = new Map<string, ErrorObject>();
  for (const e of errors) {
    const instancePath = pointerToPath(e.instancePath);
    const hint = hints.find((h) => e.schemaPath.startsWith(h.schemaPathPrefix));
    if (hint) {
      if (e.keyword === 'oneOf' && e.schemaPath === `${hint.schemaPathPrefix}/oneOf`) {
        unresolvedOneOf.set(e.instancePath, e);
        continue;
      }
      const m = new RegExp(`^${hint.schemaPathPrefix.replace(/[$/]/g, (c) => `\\${c}`)}/oneOf/(\\d+)/(?:properties/([^/]+))?`).exec(e.schemaPath);
      if (m) {
        const branch = Number(m[1]);
        const prop = m[2];
        let objectPath = instancePath;
        if (prop !== undefined) {
          const idx = instancePath.lastIndexOf(prop);
          objectPath = idx >= 0 ? instancePath.slice(0, idx) : instancePath;
        }
        const obj = getAt(source.data, objectPath);
        const chosen = obj && typeof obj === 'object' && !Array.isArray(obj) ? hint.discriminators.findIndex((k) => Object.hasOwn(obj, k)) : -1;
        if (chosen !== branch) continue;
        unresolvedOneOf.delete(pointerFrom(objectPath));
      }
    }
    push(rewrite(source, e, instancePath));
  }
  for (const e of unresolvedOneOf.values()) {
    const instancePath = pointerToPath(e.instancePath);
    const obj = getAt(source.data, instancePath);
    const hint = hints.find((h) => e.schemaPath.startsWith(h.schemaPathPrefix))!;
    const chosen = obj && typeof obj === 'object' && !Array.isArray(obj) ? hint.discriminators.findIndex((k) => Object.hasOwn(obj, k)) : -1;
    if (chosen >= 0) continue; // the chosen branch reported its own, more precise errors
    const keys = obj && typeof obj === 'object' && !Array.isArray(obj) ? Object.keys(obj) : [];
    push(
      diagnosticAt(
        source,
        instancePath,
        'schema/condition',
        `${displayPath(instancePath)} is not ${hint.describe}${keys.length ? ` (has ${keys.map((k) => `'${k}'`).join(', ')})` : ''}; expected one of: ${hint.discriminators.join(', ')}`,
      ),
    );
  }
  return out;
}

function pointerFrom(path: readonly (string | number)[]): string {
  return path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function rewrite(source: YamlSource, e: ErrorObject, instancePath: (string | number)[]): Diagnostic {
  const where = displayPath(instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return diagnosticAt(source, instancePath, 'schema/required', `${where} is missing required property '${String(params.missingProperty)}'`);
    case 'additionalProperties':
      return diagnosticAt(source, instancePath, 'schema/unknown-property', `${where} has unknown property '${String(params.additionalProperty)}'`, String(params.additionalProperty));
    case 'enum':
      return diagnosticAt(
        source,
        instancePath,
        'schema/enum',
        `${where} is ${JSON.stringify(getAt(source.data, instancePath))}; expected one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`,
      );
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
