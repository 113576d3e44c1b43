/**
 * The small error taxonomy of the CLI (STYLE habit 6): every user-facing problem has a code, a
 * location and a sentence, and problems found together are reported together.
 */

export interface Diagnostic {
  /** File the problem is in (as the user named it). */
  file: string;
  /** 1-based line and column; 0 when the problem has no position (e.g. a missing file). */
  line: number;
  column: number;
  /** Stable, greppable code such as `policy/unknown-path` or `snapshot/schema`. */
  code: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`;
}

/** An error the user can fix: bad flags, configuration, policies or snapshots. Exit code 2. */
export class UserError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(message: string, diagnostics: Diagnostic[] = []) {
    super(message);
    this.name = 'UserError';
    this.diagnostics = diagnostics;
  }
}

/** The user interrupted the run (Ctrl-C). */
export class AbortedError extends Error {
  constructor(message = 'interrupted') {
    super(message);
    this.name = 'AbortedError';
  }
}

/** 1-based line and column of a character offset in a text. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
