/**
 * The gate of a run, one for both doors (CLI exit code, the Action's step result): findings gate
 * through `--fail-on`, incompleteness through `--fail-on-incomplete`. What it decides, and why, in
 * words each door prints; an incompleteness the gate was told to accept is still said.
 */
import { exitCodeFor, isPartial } from '../engine/build-results.js';
import { flagOf, type OptionNamer, type ReportChoice } from '../options/resolve.js';
import type { Results } from '../results.js';

export interface Gate {
  exitCode: 0 | 1 | 3;
  /** Why the run fails (exit 1 or 3); the incompleteness the options count is listed even when failures decided the code. */
  reasons: string[];
  /** Incompleteness that `--fail-on-incomplete` accepted: never silent. */
  accepted?: string;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** "1 part of the scope could not be enumerated" / "53 findings could not be evaluated, 19 facts could not be collected". */
function incompleteness(results: Pick<Results, 'findings' | 'collectionErrors' | 'incomplete'>): { scope?: string; facts?: string } {
  const errors = results.findings.filter((f) => !f.suppression && f.status === 'error').length;
  const facts = [
    errors > 0 ? `${plural(errors, 'finding')} could not be evaluated` : undefined,
    results.collectionErrors.length > 0 ? `${plural(results.collectionErrors.length, 'fact')} could not be collected` : undefined,
  ].filter(Boolean);
  return {
    ...(results.incomplete
      ? { scope: `the scan is incomplete (${plural(results.incomplete.gaps.length, 'part')} of the scope could not be enumerated); uploading its SARIF would close alerts of resources it could not see` }
      : {}),
    ...(facts.length > 0 ? { facts: facts.join(', ') } : {}),
  };
}

export function gateOf(results: Pick<Results, 'findings' | 'collectionErrors' | 'incomplete'>, report: Pick<ReportChoice, 'failOn' | 'failOnIncomplete' | 'failOnNew'>, nameOf: OptionNamer = flagOf): Gate {
  const failOnIncomplete = report.failOnIncomplete ?? 'any';
  const exitCode = exitCodeFor(results, report.failOn, { newOnly: report.failOnNew, failOnIncomplete });
  const failOn = `${nameOf('failOn')} (${report.failOn})`;
  const reasons = exitCode === 1 ? [report.failOnNew ? `new findings since the baseline fail at or above ${failOn}` : `findings fail at or above ${failOn}`] : [];
  if (!isPartial(results)) return { exitCode, reasons };
  const { scope, facts } = incompleteness(results);
  const switchName = `${nameOf('failOnIncomplete')} is ${failOnIncomplete}`;
  const counted = failOnIncomplete === 'any' ? [scope, facts] : failOnIncomplete === 'scope' ? [scope] : [];
  const ignored = failOnIncomplete === 'any' ? [] : failOnIncomplete === 'scope' ? [facts] : [scope, facts];
  const countedText = counted.filter(Boolean).join('; ');
  const ignoredText = ignored.filter(Boolean).join('; ');
  if (countedText) reasons.push(`${countedText} (${switchName}; ${failOnIncomplete === 'any' && !scope ? 'scope or none' : 'none'} would accept it)`);
  return { exitCode, reasons, ...(ignoredText ? { accepted: `${ignoredText}; accepted because ${switchName}` } : {}) };
}
