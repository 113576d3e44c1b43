/**
 * The accounts a scan may read from, filled as Organizations pages arrive. Owner-level reads (a
 * trail's status, a bucket, a key) ask it whether their owner is in the scan, and wait for the
 * listing to finish only when the answer is not known yet.
 */

export interface DirectoryEntry {
  id: string;
  name?: string;
}

export class AccountDirectory {
  private readonly entries = new Map<string, DirectoryEntry>();
  private readonly waiters = new Map<string, Array<(known: boolean) => void>>();
  private completed = false;
  private readonly completion: Promise<void>;
  private markComplete!: () => void;

  /** @param alwaysInScan accounts readable whatever the listing says (the caller's own account). */
  constructor(private readonly alwaysInScan: ReadonlySet<string> = new Set()) {
    this.completion = new Promise((resolve) => {
      this.markComplete = resolve;
    });
  }

  add(entry: DirectoryEntry): void {
    if (this.entries.has(entry.id)) return;
    this.entries.set(entry.id, entry);
    for (const wake of this.waiters.get(entry.id) ?? []) wake(true);
    this.waiters.delete(entry.id);
  }

  /** No more accounts will be added; every pending question is answered. */
  complete(): void {
    if (this.completed) return;
    this.completed = true;
    for (const wakers of this.waiters.values()) for (const wake of wakers) wake(false);
    this.waiters.clear();
    this.markComplete();
  }

  whenComplete(): Promise<void> {
    return this.completion;
  }

  has(id: string): boolean {
    return this.entries.has(id) || this.alwaysInScan.has(id);
  }

  /** Whether the account is in the scan, waiting for the listing when it cannot tell yet. */
  async includes(id: string): Promise<boolean> {
    if (this.has(id)) return true;
    if (this.completed) return false;
    return new Promise<boolean>((resolve) => {
      const wakers = this.waiters.get(id) ?? [];
      wakers.push(resolve);
      this.waiters.set(id, wakers);
    });
  }

  get(id: string): DirectoryEntry | undefined {
    return this.entries.get(id);
  }

  /** Every account listed so far, plus the always-readable ones. */
  ids(): string[] {
    return [...new Set([...this.entries.keys(), ...this.alwaysInScan])];
  }
}
