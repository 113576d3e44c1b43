/**
 * A hint to V8 to reclaim garbage now. V8 runs a full collection only when the old generation
 * reaches a limit it sets at up to four times the live heap after the previous one; between two,
 * a phase that promotes much short-lived garbage (thousands of SDK calls; a results.json of
 * hundreds of thousands of findings written in chunks) grows the heap towards that limit, and the
 * limit, not the data, then sets the process's peak RSS. A full collection where such a phase ends
 * costs tens to a few hundred milliseconds and keeps the peak near the data.
 *
 * Setting --expose-gc is process-wide: from here on, any context created afterwards (as this one
 * is) can reach `gc`, though the main context's globals stay as they were. trailwarden creates no
 * other contexts, so this costs nothing elsewhere; a library embedding it should know.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function releaseGarbage(): void {
  try {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  } catch {
    // A hint to the garbage collector, never a reason for a run to fail.
  }
}
