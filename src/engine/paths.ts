/**
 * Paths into a scope view: `trail.status.isLogging`, `bucket.lifecycleRules[].expirationDays`.
 * `name[]` projects over an array (the result is the array of what follows, flattened).
 * Checking a path against the view schema happens once at load; resolving happens per resource.
 */
import { isCollectionError, type CollectionError } from '../snapshot/schema.js';

interface PathSegment {
  name: string;
  project: boolean;
}

export function parsePath(path: string): PathSegment[] {
  return path.split('.').map((part) => (part.endsWith('[]') ? { name: part.slice(0, -2), project: true } : { name: part, project: false }));
}

/** The outcome of a resolution: the value, or the error recorded where a fact should have been. */
type Resolved = { ok: true; value: unknown } | { ok: false; error: CollectionError };

export function resolvePath(root: unknown, segments: readonly PathSegment[], from = 0): Resolved {
  let current = root;
  for (let i = from; i < segments.length; i++) {
    if (isCollectionError(current)) return { ok: false, error: current };
    if (current === null || current === undefined || typeof current !== 'object') return { ok: true, value: undefined };
    const segment = segments[i]!;
    current = Object.hasOwn(current, segment.name) ? (current as Record<string, unknown>)[segment.name] : undefined;
    if (segment.project) {
      if (isCollectionError(current)) return { ok: false, error: current };
      if (!Array.isArray(current)) return { ok: true, value: undefined };
      const out: unknown[] = [];
      for (const element of current) {
        const r = resolvePath(element, segments, i + 1);
        if (!r.ok) return r;
        if (Array.isArray(r.value) && i + 1 < segments.length) out.push(...r.value);
        else if (r.value !== undefined) out.push(r.value);
      }
      return { ok: true, value: out };
    }
  }
  if (isCollectionError(current)) return { ok: false, error: current };
  return { ok: true, value: current };
}

// ------------------------------------------------------------------------------------------------
// Schema checking
// ------------------------------------------------------------------------------------------------

type JsonSchema = Record<string, unknown>;
export type ValueKind = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null' | 'any';

function isErrorBranch(schema: JsonSchema): boolean {
  const props = schema.properties as JsonSchema | undefined;
  return !!props && Object.hasOwn(props, '$error');
}

/** The non-error alternatives of a schema (unions of a value and a CollectionError unfold). */
function alternatives(schema: JsonSchema): JsonSchema[] {
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (!branches) return isErrorBranch(schema) ? [] : [schema];
  return branches.flatMap(alternatives);
}

function isOpen(schema: JsonSchema): boolean {
  // Type.Unknown() (raw policy documents) has no constraints: anything below it is allowed.
  return !('type' in schema) && !('anyOf' in schema) && !('oneOf' in schema) && !('const' in schema) && !('enum' in schema);
}

function kindsOf(schema: JsonSchema): ValueKind[] {
  if (isOpen(schema)) return ['any'];
  if ('const' in schema) return [typeof schema.const as ValueKind];
  const type = schema.type;
  if (type === 'integer') return ['number'];
  if (typeof type === 'string') return [type as ValueKind];
  return ['any'];
}

interface PathCheck {
  ok: boolean;
  /** What the path can hold, for operator checks. */
  kinds: Set<ValueKind>;
  /** For arrays: the element schemas (quantifiers evaluate nested conditions against them). */
  elementSchemas: JsonSchema[];
  /** When !ok: the first segment that does not exist and what was available there. */
  badSegment?: string;
  available?: string[];
}

/** Check a path against a view schema; returns the kinds of value it can hold. */
export function checkPath(schema: JsonSchema, segments: readonly PathSegment[]): PathCheck {
  let current: JsonSchema[] = [schema];
  let projected = false;
  for (const segment of segments) {
    const next: JsonSchema[] = [];
    const available = new Set<string>();
    let open = false;
    for (const s of current.flatMap(alternatives)) {
      if (isOpen(s)) {
        open = true;
        continue;
      }
      const props = s.properties as Record<string, JsonSchema> | undefined;
      if (!props) continue;
      Object.keys(props).forEach((k) => available.add(k));
      const child = props[segment.name];
      if (child) next.push(child);
    }
    if (open) next.push({});
    if (next.length === 0) {
      return { ok: false, kinds: new Set(), elementSchemas: [], badSegment: segment.name, available: [...available].sort() };
    }
    if (segment.project) {
      const elements = next.flatMap(alternatives).flatMap((s) => (isOpen(s) ? [{}] : s.type === 'array' ? [s.items as JsonSchema] : []));
      if (elements.length === 0) return { ok: false, kinds: new Set(), elementSchemas: [], badSegment: `${segment.name}[]`, available: [`${segment.name} (not an array)`] };
      current = elements;
      projected = true;
    } else {
      current = next;
    }
  }
  const leaves = current.flatMap(alternatives);
  const kinds = new Set<ValueKind>(projected ? ['array'] : leaves.flatMap(kindsOf));
  const elementSchemas = projected
    ? leaves
    : leaves.flatMap((s) => (isOpen(s) ? [{}] : s.type === 'array' ? [s.items as JsonSchema] : []));
  return { ok: true, kinds, elementSchemas };
}
