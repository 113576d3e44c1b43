/**
 * Structural limits of JSON read from outside (snapshots, policy documents): duplicate keys are
 * refused (JSON.parse silently keeps the last one) and nesting is bounded, so no recursive walk
 * further down (schema validation, collection-error search, policy analysis, reporters) can
 * overflow the stack. Both checks are iterative: the input itself may be 100,000 levels deep.
 */

/**
 * The deepest nesting a snapshot may have. Real snapshots stay under 15 levels (a bucket policy
 * Condition value sits at about 12); the margin is for hand-written additions.
 */
export const MAX_JSON_DEPTH = 64;

export type JsonPathSegment = string | number;

export interface StructureProblem {
  kind: 'duplicate-key' | 'too-deep';
  /** Character offset of the offending key or opening bracket. */
  offset: number;
  /** Where it is: the object holding the duplicate key, or the container one level too deep. */
  path: JsonPathSegment[];
  key?: string;
}

interface Frame {
  array: boolean;
  /** Keys seen so far (objects); an array while small, a set once it grows. */
  keys?: string[] | Set<string>;
  index: number;
  key?: string;
  expectKey: boolean;
}

function pathOf(stack: readonly Frame[], upTo: number): JsonPathSegment[] {
  const out: JsonPathSegment[] = [];
  for (let i = 0; i < upTo; i++) {
    const frame = stack[i]!;
    if (frame.array) out.push(frame.index);
    else if (frame.key !== undefined) out.push(frame.key);
  }
  return out;
}

function hasKey(frame: Frame, key: string): boolean {
  const keys = frame.keys;
  if (!keys) {
    frame.keys = [key];
    return false;
  }
  if (Array.isArray(keys)) {
    if (keys.includes(key)) return true;
    keys.push(key);
    if (keys.length > 16) frame.keys = new Set(keys);
    return false;
  }
  if (keys.has(key)) return true;
  keys.add(key);
  return false;
}

/** A key with escapes, decoded; the raw text when it is not a valid JSON string (invalid input). */
function decodeKey(quoted: string, raw: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return raw;
  }
}

/**
 * The first duplicate key or too-deep container of a text that is already known to be valid JSON
 * (JSON.parse accepted it), or undefined. One linear pass, no recursion. On invalid text it still
 * ends and never throws, so it can find the depth problem before a recursive parser is tried.
 */
export function findStructureProblem(text: string, maxDepth = MAX_JSON_DEPTH): StructureProblem | undefined {
  const stack: Frame[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= maxDepth) return { kind: 'too-deep', offset: i, path: pathOf(stack, stack.length) };
      stack.push({ array: c === 0x5b, index: 0, expectKey: c === 0x7b });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top) {
        if (top.array) top.index++;
        else top.expectKey = true;
      }
    } else if (c === 0x22 /* " */) {
      // Find the closing quote: one preceded by an even number of backslashes.
      let end = i + 1;
      for (;;) {
        end = text.indexOf('"', end);
        if (end < 0) return undefined; // cannot happen for valid JSON
        let backslashes = 0;
        for (let k = end - 1; text.charCodeAt(k) === 0x5c; k--) backslashes++;
        if (backslashes % 2 === 0) break;
        end++;
      }
      const top = stack[stack.length - 1];
      if (top && !top.array && top.expectKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? decodeKey(text.slice(i, end + 1), raw) : raw;
        if (hasKey(top, key)) return { kind: 'duplicate-key', offset: i, path: pathOf(stack, stack.length - 1), key };
        top.key = key;
        top.expectKey = false;
      }
      i = end;
    }
    i++;
  }
  return undefined;
}

/**
 * The path of the first container nested deeper than `maxDepth` in an in-memory value (a parsed
 * policy document), or undefined. Iterative, so it is safe on any depth.
 */
export function tooDeepPath(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonPathSegment[] | undefined {
  const stack: { value: unknown; depth: number; path: JsonPathSegment[] }[] = [{ value, depth: 0, path: [] }];
  while (stack.length) {
    const item = stack.pop()!;
    const v = item.value;
    if (v === null || typeof v !== 'object') continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) return item.path;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) if (v[i] !== null && typeof v[i] === 'object') stack.push({ value: v[i], depth, path: [...item.path, i] });
    } else {
      for (const [k, child] of Object.entries(v)) if (child !== null && typeof child === 'object') stack.push({ value: child, depth, path: [...item.path, k] });
    }
  }
  return undefined;
}

/** `$.a[0].b…` for messages, shortened in the middle when very long. */
export function formatJsonPath(path: readonly JsonPathSegment[], maxSegments = 16): string {
  const seg = (s: JsonPathSegment) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`);
  if (path.length <= maxSegments) return `$${path.map(seg).join('')}`;
  const head = path.slice(0, maxSegments - 2).map(seg).join('');
  const tail = path.slice(-2).map(seg).join('');
  return `$${head}…(${path.length - maxSegments} more levels)…${tail}`;
}
