/**
 * results.junit.xml: the scan as a JUnit XML test report, for the test report viewers of CI
 * systems (GitLab's test report, Jenkins' JUnit plugin, Azure Pipelines, GitHub test reporter
 * actions).
 *
 * One `<testsuite>` per rule, one `<testcase>` per finding (resource): a rule is what is being
 * tested, so viewers — which list suites and count failing cases per suite — show "3 of 40
 * trails fail trail/log-file-validation", the view the console and the SARIF alerts give too.
 * Suites per account would repeat every rule's name under every account and hide which control
 * fails across the organization; the account is in each case's name and classname instead.
 *
 * - fail -> `<failure>`, error (could not be evaluated) -> `<error>`, not applicable and
 *   suppressed -> `<skipped>`, pass -> an empty test case.
 * - `classname` is the rule id with `/` as `.` (Jenkins groups by the part before the last dot);
 *   `name` is the resource (and region for account-level findings), unique within a suite.
 * - Shape: the Ant/Jenkins junit-10.xsd most viewers accept (test/reporters/junit.test.ts checks
 *   every report against a schema of it).
 * - Text: XML-escaped; characters XML 1.0 cannot carry (C0 controls, lone surrogates, U+FFFE/F)
 *   and those that change what a reader sees (bidi, zero-width) become visible `\uXXXX` escapes,
 *   as in every report a person reads (text-safety.ts).
 */
import { SEVERITY_RANK, type Finding, type Results, type RuleMeta } from '../results.js';
import type { Reporter } from './context.js';
import { REPORT_FILE_NAMES } from './formats.js';
import { evidenceText, remediationText } from './interchange.js';
import { catalogRules, compareFindings, compareText, describeCollectionError, ruleHelpUri, SEVERITY_LABEL, STATUS_LABEL } from './model.js';
import { displayText } from './text-safety.js';

/** What displayText leaves that XML 1.0 cannot carry: lone surrogates and the noncharacters U+FFFE/U+FFFF. */
const XML_ILLEGAL = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uFFFE\uFFFF]/g;

function xmlSafe(text: string): string {
  return text.replace(XML_ILLEGAL, (character) => `\\u${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An attribute value: one line, escaped. */
export function xmlAttribute(value: string): string {
  return xmlSafe(displayText(value)).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Element text: each line made safe, line breaks kept. */
export function xmlText(value: string): string {
  return value
    .split(/\r\n|[\n\r\u2028\u2029]/)
    .map((line) => xmlSafe(displayText(line)).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'))
    .join('\n');
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${typeof value === 'number' ? String(value) : xmlAttribute(value)}"`)
    .join('');
}

interface SuiteCounts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function outcome(finding: Finding): 'failure' | 'error' | 'skipped' | 'passed' {
  if (finding.suppression) return 'skipped';
  switch (finding.status) {
    case 'fail':
      return 'failure';
    case 'error':
      return 'error';
    case 'not_applicable':
      return 'skipped';
    case 'pass':
      return 'passed';
  }
}

function count(findings: readonly Finding[]): SuiteCounts {
  const counts: SuiteCounts = { tests: findings.length, failures: 0, errors: 0, skipped: 0 };
  for (const finding of findings) {
    const kind = outcome(finding);
    if (kind === 'failure') counts.failures += 1;
    else if (kind === 'error') counts.errors += 1;
    else if (kind === 'skipped') counts.skipped += 1;
  }
  return counts;
}

function caseName(finding: Finding): string {
  const { arn, region, name, type, accountId } = finding.resource;
  // An account is named by its id, not by the ARN of its root user (which reads as that user).
  const subject = type === 'account' ? `account ${accountId}${name ? ` (${name})` : ''}` : name && !arn.endsWith(name) ? `${name} (${arn})` : arn;
  return region && !arn.includes(`:${region}:`) ? `${subject} [${region}]` : subject;
}

function details(finding: Finding, rule: RuleMeta, accountName: string | undefined): string {
  const { resource } = finding;
  const lines = [
    finding.message,
    '',
    ...(resource.type === 'account' ? [] : [`Resource: ${resource.arn}`]),
    `Account: ${resource.accountId}${accountName ? ` (${accountName})` : ''}`,
    ...(resource.region ? [`Region: ${resource.region}`] : []),
    `Severity: ${SEVERITY_LABEL[finding.severity]}`,
    `Status: ${STATUS_LABEL[finding.status]}`,
    ...(finding.frameworks.length > 0 ? [`Frameworks: ${finding.frameworks.join(', ')}`] : []),
    ...(finding.baselineState ? [`Since the baseline: ${finding.baselineState}`] : []),
    ...(finding.evidence.length > 0 ? [`Evidence: ${evidenceText(finding.evidence)}`] : []),
    ...(finding.errors ?? []).map((error) => `Not collected: ${describeCollectionError(error)}`),
  ];
  const remediation = remediationText(rule, finding);
  if (remediation) lines.push('', remediation);
  return lines.join('\n');
}

function testCase(finding: Finding, rule: RuleMeta, accountName: string | undefined): string {
  const open = `    <testcase${attributes({ name: caseName(finding), classname: rule.id.replace(/\//g, '.'), time: '0' })}`;
  const kind = outcome(finding);
  if (kind === 'passed') return `${open}/>\n`;
  let element: string;
  if (kind === 'skipped') {
    const message = finding.suppression
      ? `Suppressed: ${finding.suppression.reason}${finding.suppression.expires ? ` (until ${finding.suppression.expires})` : ''}`
      : finding.message;
    element = `<skipped${attributes({ message })}/>`;
  } else {
    const type = kind === 'failure' ? finding.severity : 'could-not-evaluate';
    element = `<${kind}${attributes({ message: finding.message, type })}>${xmlText(details(finding, rule, accountName))}</${kind}>`;
  }
  return `${open}>\n      ${element}\n    </testcase>\n`;
}

function* renderJunitChunks(results: Results): Generator<string> {
  const catalog = catalogRules(results);
  const names = new Map(results.accounts.map((account) => [account.id, account.name]));
  const byRule = new Map<string, Finding[]>();
  for (const finding of results.findings) {
    const list = byRule.get(finding.ruleId);
    if (list) list.push(finding);
    else byRule.set(finding.ruleId, [finding]);
  }
  // Worst rules first, as the console orders them; every rule with findings is a suite.
  const rules = [...byRule.keys()].map((id) => catalog.get(id)).sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || compareText(a.id, b.id));
  const total = count(results.findings);
  const timestamp = results.scanTime.replace(/(\.\d+)?Z$/, '');
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites${attributes({ name: 'trailwarden', tests: total.tests, failures: total.failures, errors: total.errors, time: '0' })}>\n`;
  for (const rule of rules) {
    const findings = byRule.get(rule.id)!.sort(compareFindings);
    const counts = count(findings);
    let suite = `  <testsuite${attributes({ name: rule.id, tests: counts.tests, failures: counts.failures, errors: counts.errors, skipped: counts.skipped, time: '0', timestamp })}>\n`;
    suite += '    <properties>\n';
    const properties: [string, string][] = [
      ['title', rule.title],
      ['severity', rule.severity],
      ['scope', rule.scope],
      ...(ruleHelpUri(rule) ? [['help', ruleHelpUri(rule)!] as [string, string]] : []),
      ...Object.entries(rule.frameworks)
        .sort(([a], [b]) => compareText(a, b))
        .map(([framework, controls]): [string, string] => [`framework.${framework}`, controls.join(', ')]),
    ];
    for (const [name, value] of properties) suite += `      <property${attributes({ name, value })}/>\n`;
    suite += '    </properties>\n';
    yield suite;
    for (const finding of findings) yield testCase(finding, rule, names.get(finding.resource.accountId));
    yield '  </testsuite>\n';
  }
  yield '</testsuites>\n';
}

export function renderJunit(results: Results): string {
  return [...renderJunitChunks(results)].join('');
}

export const junitReporter: Reporter = { fileName: REPORT_FILE_NAMES.junit, render: renderJunit, renderChunks: renderJunitChunks };
