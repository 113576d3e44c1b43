/**
 * Progress of a collection, on stderr (SPEC §2): a cli-progress bar on a terminal, plain lines
 * otherwise (CI logs). Collectors only talk to the `ProgressSink` interface.
 */
import cliProgress from 'cli-progress';

export interface ProgressSink {
  /** Accounts to scan known so far; `final` once the listing is complete. */
  accountsFound(total: number, final: boolean): void;
  /** An account left out of the scan (suspended, closed, not in the organization, …). */
  accountSkipped(accountId: string, reason: string): void;
  /** An account's own facts are collected; `errors` counts the facts that could not be. */
  accountDone(accountId: string, errors: number): void;
  /** A stage after the per-account work (trail details, buckets, keys, log groups). */
  stage(name: string): void;
  /** The collection is over. */
  done(summary: { accounts: number; errors: number; apiCalls: number }): void;
}

export const silentProgress: ProgressSink = {
  accountsFound: () => undefined,
  accountSkipped: () => undefined,
  accountDone: () => undefined,
  stage: () => undefined,
  done: () => undefined,
};

interface ProgressOptions {
  /** Whether the output is a terminal: a live bar instead of lines. */
  tty: boolean;
  write: (text: string) => void;
  /** Terminal width for the bar. */
  columns?: number;
}

export function createProgress(options: ProgressOptions): ProgressSink {
  return options.tty ? new BarProgress(options) : new LineProgress(options.write);
}

class Tally {
  total = 0;
  final = false;
  done = 0;
  errors = 0;
}

/** Plain lines: one per ~5% of accounts, every skip, every stage, and a closing summary. */
class LineProgress implements ProgressSink {
  private readonly tally = new Tally();
  private lastReported = 0;

  constructor(private readonly write: (text: string) => void) {}

  accountsFound(total: number, final: boolean): void {
    this.tally.total = total;
    this.tally.final = final;
    if (final) this.write(`trailwarden: ${total} account(s) to scan\n`);
  }

  accountSkipped(accountId: string, reason: string): void {
    this.write(`trailwarden: skipping account ${accountId}: ${reason}\n`);
  }

  accountDone(_accountId: string, errors: number): void {
    this.tally.done++;
    this.tally.errors += errors;
    const step = Math.max(1, Math.floor(this.tally.total / 20));
    if (this.tally.done - this.lastReported >= step || (this.tally.final && this.tally.done === this.tally.total)) {
      this.lastReported = this.tally.done;
      this.write(`trailwarden: accounts ${this.tally.done}/${this.tally.total}${this.tally.final ? '' : '+'} scanned, ${this.tally.errors} error(s)\n`);
    }
  }

  stage(name: string): void {
    this.write(`trailwarden: ${name}\n`);
  }

  done(summary: { accounts: number; errors: number; apiCalls: number }): void {
    this.write(`trailwarden: collected ${summary.accounts} account(s) with ${summary.apiCalls} API call(s); ${summary.errors} fact(s) could not be collected\n`);
  }
}

/** A live bar: accounts done / known, errors so far, and the current stage. */
class BarProgress implements ProgressSink {
  private readonly tally = new Tally();
  private readonly bar: cliProgress.SingleBar;
  private readonly skipped: string[] = [];
  private started = false;
  private stageName = 'accounts';

  constructor(private readonly options: ProgressOptions) {
    // cli-progress drives a stream; this one forwards to the caller's writer and claims to be a TTY.
    const stream = {
      isTTY: true,
      columns: options.columns ?? 80,
      write: (text: string) => {
        options.write(text);
        return true;
      },
    } as unknown as NodeJS.WritableStream;
    this.bar = new cliProgress.SingleBar(
      {
        stream,
        format: 'trailwarden {bar} {value}/{total}{more} accounts | {errors} error(s) | {stage}',
        hideCursor: true,
        clearOnComplete: false,
        barsize: 24,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  private payload() {
    return { errors: this.tally.errors, stage: this.stageName, more: this.tally.final ? '' : '+' };
  }

  accountsFound(total: number, final: boolean): void {
    this.tally.total = total;
    this.tally.final = final;
    if (!this.started) {
      this.started = true;
      this.bar.start(Math.max(total, 1), this.tally.done, this.payload());
    } else {
      this.bar.setTotal(Math.max(total, 1));
      this.bar.update(this.payload());
    }
  }

  accountSkipped(accountId: string, reason: string): void {
    // A note above the bar would break its redraw; skipped accounts are few and named at the end.
    this.skipped.push(`${accountId} (${reason})`);
  }

  accountDone(_accountId: string, errors: number): void {
    this.tally.done++;
    this.tally.errors += errors;
    if (this.started) this.bar.update(this.tally.done, this.payload());
  }

  stage(name: string): void {
    this.stageName = name;
    if (this.started) this.bar.update(this.payload());
  }

  done(summary: { accounts: number; errors: number; apiCalls: number }): void {
    if (this.started) this.bar.stop();
    if (this.skipped.length > 0) this.options.write(`trailwarden: skipped ${this.skipped.join(', ')}\n`);
    this.options.write(`trailwarden: collected ${summary.accounts} account(s) with ${summary.apiCalls} API call(s); ${summary.errors} fact(s) could not be collected\n`);
  }
}
