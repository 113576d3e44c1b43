/**
 * What the formats other tools ingest (CSV, JUnit XML, OCSF, ASFF) share: one identity per
 * finding, the framework names those tools show, a short evidence text and the remediation a
 * finding points at. Each of those formats is a stream of one record per finding, so nothing here
 * holds more than a map from identity to finding.
 */
import { findingIdentity, type Evidence, type Finding, type Results, type RuleMeta } from '../results.js';
import type { ReportContext, Reporter } from './context.js';
import { compareFindings, compareText, frameworkKey, isAccessDenial, plural, truncate } from './model.js';

/** The display names of the framework keys built-in rules use; a custom key is shown as it is. */
const FRAMEWORK_NAMES: Readonly<Record<string, string>> = {
  'aws-config': 'AWS Config managed rules',
  'aws-security-hub': 'AWS Security Hub controls',
  'aws-security-hub-fsbp': 'AWS Foundational Security Best Practices',
  'nist-800-53-r5': 'NIST SP 800-53 Rev. 5',
  'pci-dss-v4': 'PCI DSS v4.0',
};

/** "cis-aws-foundations-v5.0" -> "CIS AWS Foundations Benchmark v5.0" */
export function frameworkName(key: string): string {
  const cis = /^cis-aws-foundations-v(\d+(?:\.\d+)*)$/.exec(key);
  if (cis) return `CIS AWS Foundations Benchmark v${cis[1]}`;
  return FRAMEWORK_NAMES[key] ?? key;
}

/** The distinct framework keys of a finding's controls, in their order of first appearance. */
export function frameworkKeys(controls: readonly string[]): string[] {
  return [...new Set(controls.map(frameworkKey))];
}

/** "cis-aws-foundations-v5.0:3.2" -> "3.2"; a control without a framework is itself. */
export function controlId(control: string): string {
  const colon = control.indexOf(':');
  return colon < 0 ? control : control.slice(colon + 1);
}

/**
 * Findings with their identity (the SARIF fingerprint: rule, partition, account, region, resource
 * id), one per identity. A consumer that keys on the identity (Security Hub's `Id`, a SIEM's
 * `finding_info.uid`) would let the last of two records with one identity overwrite the first,
 * so the worst one is kept (as SARIF keeps one alert) and the others are counted.
 */
export function uniqueFindings(results: Results): { findings: { finding: Finding; identity: string }[]; merged: number } {
  const byIdentity = new Map<string, number>();
  const kept: { finding: Finding; identity: string }[] = [];
  for (const finding of results.findings) {
    const identity = findingIdentity(finding, results.partition);
    const at = byIdentity.get(identity);
    if (at === undefined) {
      byIdentity.set(identity, kept.length);
      kept.push({ finding, identity });
    } else if (compareFindings(finding, kept[at]!.finding) < 0) {
      kept[at] = { finding, identity };
    }
  }
  return { findings: kept, merged: results.findings.length - kept.length };
}

/** The warning a format gives when `uniqueFindings` merged findings. */
export function mergedWarning(format: string, merged: number): string {
  return `${format}: ${plural(merged, 'finding')} repeated the rule and resource of another and ${merged === 1 ? 'was' : 'were'} left out (the worst of each is kept; results.json keeps all).`;
}

/** Characters of evidence text kept per finding in one-line formats; results.json keeps the values whole. */
const EVIDENCE_TEXT_LIMIT = 1_000;

/** "trail.logFileValidationEnabled = false; bucket.tags = [...]", bounded. */
export function evidenceText(evidence: readonly Evidence[], limit = EVIDENCE_TEXT_LIMIT): string {
  const parts: string[] = [];
  let length = 0;
  for (const item of evidence) {
    const part = `${item.path} = ${valueText(item.value)}`;
    parts.push(part);
    length += part.length + 2;
    if (length > limit) break;
  }
  return truncate(parts.join('; '), limit);
}

function valueText(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // A cycle cannot come out of a parsed snapshot; say so rather than fail the report.
    return '[unprintable]';
  }
}

/**
 * What to do about a finding, as plain text: how to fix a failure (console steps, then the CLI
 * command), or for a finding that could not be evaluated, which facts were missing.
 */
export function remediationText(rule: RuleMeta, finding: Finding): string {
  if (finding.status === 'error') {
    const errors = finding.errors ?? [];
    if (errors.length === 0) return 'Could not be evaluated: the facts it needs were not collected; scan the account again.';
    const denied = [...new Set(errors.filter((error) => isAccessDenial(error.code)).map((error) => error.action))].sort(compareText);
    const failed = [...new Set(errors.filter((error) => !isAccessDenial(error.code)).map((error) => `${error.action} (${error.code})`))].sort(compareText);
    return [
      'Could not be evaluated.',
      ...(denied.length > 0 ? [`Allow ${denied.join(', ')} to the scanning role in account ${finding.resource.accountId}, then scan again.`] : []),
      ...(failed.length > 0 ? [`These calls failed and may succeed on a new scan: ${failed.join(', ')}.`] : []),
    ].join(' ');
  }
  const steps = [rule.remediation.console?.trim(), rule.remediation.cli?.trim() && `CLI: ${rule.remediation.cli.trim()}`].filter((step): step is string => Boolean(step));
  return steps.join('\n');
}

/** Account id -> name, from the results' accounts. */
export function accountNameMap(results: Results): Map<string, string> {
  const names = new Map<string, string>();
  for (const account of results.accounts) if (account.name !== undefined) names.set(account.id, account.name);
  return names;
}

/**
 * A reporter writing a JSON array of one record per unique finding (OCSF, ASFF), one record per
 * line and streamed: `record` turns a finding and its identity into the record, with whatever
 * context `prepare` builds once per run.
 */
export function findingRecordsReporter<C>(
  format: string,
  fileName: string,
  prepare: (results: Results) => C,
  record: (finding: Finding, identity: string, context: C) => unknown,
): Reporter {
  function* renderChunks(results: Results, ctx: ReportContext): Generator<string> {
    const { findings, merged } = uniqueFindings(results);
    if (merged > 0) ctx.onWarning?.(mergedWarning(format, merged));
    if (findings.length === 0) {
      yield '[]\n';
      return;
    }
    const context = prepare(results);
    yield '[\n';
    for (let i = 0; i < findings.length; i++) {
      const { finding, identity } = findings[i]!;
      yield `${JSON.stringify(record(finding, identity, context))}${i + 1 < findings.length ? ',' : ''}\n`;
    }
    yield ']\n';
  }
  return { fileName, render: (results, ctx) => [...renderChunks(results, ctx)].join(''), renderChunks };
}
