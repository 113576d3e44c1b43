/**
 * The one regular-expression engine for patterns that come from outside: a policy's `matches`
 * operand and the `%regex%` values of CloudWatch Logs filter patterns read from a snapshot.
 *
 * JavaScript's RegExp backtracks: `^(a+)+$` against 29 characters takes seconds, and one member
 * account's metric filter could stop an organization-wide scan. Patterns here run on RE2JS (a
 * port of RE2), whose matching time is linear in the input. RE2 syntax has no backreferences and
 * no lookaround; patterns that RE2 cannot compile, that are longer than MAX_REGEX_SOURCE_LENGTH or
 * that compile to more than MAX_REGEX_PROGRAM_SIZE instructions are refused with a reason, never
 * run. Each distinct pattern is compiled once (cached); plain literals, optionally anchored, skip
 * the engine altogether.
 */
import { RE2JS } from 're2js';

/** Longest pattern source accepted (CloudWatch caps a whole filter pattern at 1024 characters). */
export const MAX_REGEX_SOURCE_LENGTH = 4096;
/** Largest compiled program accepted, in RE2 instructions (bounds memory and per-character work). */
export const MAX_REGEX_PROGRAM_SIZE = 50_000;
/** Distinct patterns kept compiled; the cache starts over when full. */
const MAX_CACHED_PATTERNS = 10_000;

export interface SafeRegex {
  readonly source: string;
  /** True when the pattern matches somewhere in `text` (unanchored search, like RegExp#test). */
  test(text: string): boolean;
}

export type CompiledRegex = { readonly ok: true; readonly regex: SafeRegex } | { readonly ok: false; readonly message: string };

/** Characters with a meaning in RE2 syntax; a source without any of them is a plain literal. */
const METACHARACTERS = /[\\^$.|?*+()[\]{}]/;

function literalMatcher(source: string): SafeRegex | undefined {
  const anchoredStart = source.startsWith('^');
  const anchoredEnd = source.endsWith('$') && source.length > (anchoredStart ? 1 : 0);
  const core = source.slice(anchoredStart ? 1 : 0, anchoredEnd ? -1 : undefined);
  if (METACHARACTERS.test(core)) return undefined;
  if (anchoredStart && anchoredEnd) return { source, test: (text) => text === core };
  if (anchoredStart) return { source, test: (text) => text.startsWith(core) };
  if (anchoredEnd) return { source, test: (text) => text.endsWith(core) };
  return { source, test: (text) => text.includes(core) };
}

function compileUncached(source: string): CompiledRegex {
  if (source.length > MAX_REGEX_SOURCE_LENGTH) {
    return { ok: false, message: `the regular expression is ${source.length} characters long; at most ${MAX_REGEX_SOURCE_LENGTH} are accepted` };
  }
  const literal = literalMatcher(source);
  if (literal) return { ok: true, regex: literal };
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `not a valid RE2 regular expression (${message.replace(/^error parsing regexp: /, '')})` };
  }
  const size = (compiled.re2().prog as { numInst(): number }).numInst();
  if (size > MAX_REGEX_PROGRAM_SIZE) {
    return { ok: false, message: `the regular expression compiles to ${size} instructions; at most ${MAX_REGEX_PROGRAM_SIZE} are accepted` };
  }
  return { ok: true, regex: { source, test: (text) => compiled.test(text) } };
}

const cache = new Map<string, CompiledRegex>();

/** Compiles `source` in RE2 syntax, once per distinct source; never throws. */
export function compileSafeRegex(source: string): CompiledRegex {
  let result = cache.get(source);
  if (!result) {
    if (cache.size >= MAX_CACHED_PATTERNS) cache.clear();
    result = compileUncached(source);
    cache.set(source, result);
  }
  return result;
}

/** Why `source` cannot be used as a pattern, or undefined when it can. */
export function regexProblem(source: string): string | undefined {
  const compiled = compileSafeRegex(source);
  return compiled.ok ? undefined : compiled.message;
}

/**
 * CloudWatch Logs accepts only a subset of regular-expression syntax between `%` signs: ASCII
 * letters and digits, the symbols `: _ # = @ / ; , -`, the operators `^ $ ? [ ] { } | \ * + .`,
 * and no parentheses (no subpatterns) and no multi-byte characters. Returns the offset (within
 * `source`) and reason of the first character outside that subset, or undefined. A space is let
 * through (AWS's own examples of JSON patterns use one); an escaped printable ASCII character is a
 * literal.
 */
export function cloudWatchRegexProblem(source: string): { offset: number; message: string } | undefined {
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (char === '\\') {
      const next = source[i + 1];
      if (next === undefined) return { offset: i, message: 'a regular expression cannot end with a lone backslash' };
      if (!/[\x21-\x7e]/.test(next)) return { offset: i + 1, message: `'\\' must be followed by a printable ASCII character in a CloudWatch regular expression` };
      i++;
      continue;
    }
    if (/[ A-Za-z0-9:_#=@/;,\-^$?[\]{}|*+.]/.test(char)) continue;
    const shown = /[\x21-\x7e]/.test(char) ? `'${char}'` : `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    const why = char === '(' || char === ')' ? 'CloudWatch regular expressions have no parentheses (subpatterns)' : 'CloudWatch regular expressions accept only ASCII letters, digits, spaces, the symbols : _ # = @ / ; , - and the operators ^ $ ? [ ] { } | \\ * + .';
    return { offset: i, message: `${shown} is not allowed: ${why}` };
  }
  const compiled = compileSafeRegex(source);
  return compiled.ok ? undefined : { offset: 0, message: compiled.message };
}
