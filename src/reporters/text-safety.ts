/**
 * The one rule for text a person reads (console, SARIF messages and locations, markdown, the
 * job summary, annotations, the HTML report): strings from AWS, snapshots and policy files may
 * carry characters that drive a terminal or a log viewer, or that change what a reader sees
 * without being visible themselves. They become visible `\uXXXX` escapes (`\u001B`, `\u202E`;
 * no braces, which SARIF message strings reserve for placeholders):
 *
 * - C0 controls (ESC starts every terminal escape sequence), DEL and C1 controls (CSI U+009B);
 * - bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and marks (U+200E,
 *   U+200F, U+061C), which reorder what is displayed ("Trojan Source");
 * - zero-width and invisible format characters (U+200B–U+200D, U+2060–U+2064, U+206A–U+206F,
 *   U+FEFF, U+FFF9–U+FFFB), which make two different names look the same.
 *
 * Tabs and line breaks (U+2028/U+2029 too) become spaces: every value here is one line of a report.
 * Identity is never neutralized: fingerprints, results.json and other machine-read fields keep the
 * raw values, so an alert's identity does not depend on how it is displayed.
 */
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

export function displayText(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(INVISIBLE, (character) => `\\u${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** True when `displayText` would change the text. */
export function needsNeutralizing(text: string): boolean {
  LINE_BREAKS.lastIndex = 0;
  INVISIBLE.lastIndex = 0;
  return LINE_BREAKS.test(text) || INVISIBLE.test(text);
}

/** Nesting beyond which `displayData` leaves values as they are (the snapshot loader bounds depth too). */
const MAX_DATA_DEPTH = 200;

/**
 * Every string (keys included) of a JSON-like value made safe to show, for evidence and errors
 * displayed as data. Values that need no change are returned as they are, so the common case
 * allocates nothing.
 */
export function displayData(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return needsNeutralizing(value) ? displayText(value) : value;
  if (value === null || typeof value !== 'object' || depth >= MAX_DATA_DEPTH) return value;
  if (Array.isArray(value)) {
    let changed: unknown[] | undefined;
    value.forEach((item, index) => {
      const safe = displayData(item, depth + 1);
      if (safe !== item) (changed ??= [...value])[index] = safe;
    });
    return changed ?? value;
  }
  let changed = false;
  const entries = Object.entries(value).map(([key, item]) => {
    const safeKey = needsNeutralizing(key) ? displayText(key) : key;
    const safe = displayData(item, depth + 1);
    if (safeKey !== key || safe !== item) changed = true;
    return [safeKey, safe] as const;
  });
  if (!changed) return value;
  const out: Record<string, unknown> = {};
  // defineProperty: a key such as "__proto__" stays an own data property.
  for (const [key, item] of entries) Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
  return out;
}
