/**
 * Background work started while pages stream in, awaited as a whole at the end. A task that fails
 * before the end is awaited must not become an unhandled rejection (Node would exit), so each is
 * observed at once and its failure surfaced by `settle()`.
 */
import { AbortedError } from '../errors.js';

export class TaskGroup {
  private readonly pending = new Set<Promise<unknown>>();
  private failure: unknown;

  spawn<T>(work: () => Promise<T>): Promise<T> {
    const task = Promise.resolve().then(work);
    const observed = task.then(
      () => undefined,
      (error: unknown) => {
        // An abort explains every other failure that follows it; keep it as the reason.
        if (this.failure === undefined || (error instanceof AbortedError && !(this.failure instanceof AbortedError))) this.failure = error;
      },
    );
    this.pending.add(observed);
    void observed.finally(() => this.pending.delete(observed));
    return task;
  }

  /** Waits for every task, including those spawned while waiting; rethrows the first failure. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    if (this.failure !== undefined) throw this.failure;
  }
}
