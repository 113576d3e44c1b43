/**
 * Drops members whose value is undefined, so optional fields are absent rather than
 * present-but-undefined (exactOptionalPropertyTypes; JSON schemas reject explicit undefined too).
 */
export function definedOnly<T extends object>(record: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

/** Names longer than this are no typo of a short name; the distance is not computed for them. */
const MAX_SUGGESTION_LENGTH = 64;

/**
 * Edit distance of two short strings, case-insensitive (a typo may be a wrong case), where
 * swapping two neighbouring letters is one edit (optimal string alignment).
 */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) current[j] = Math.min(current[j]!, beforePrevious[j - 2]! + 1);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[y.length]!;
}

/**
 * The candidate `name` is most likely a typo of ("did you mean …?"), or undefined when none is
 * close: at most a third of the name's length away (at least one edit), or differing only in case.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  if (!name || name.length > MAX_SUGGESTION_LENGTH) return undefined;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === name || candidate.length > MAX_SUGGESTION_LENGTH) continue;
    const distance = editDistance(name, candidate);
    if (distance <= Math.max(1, Math.floor(Math.max(name.length, candidate.length) / 3)) && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}
