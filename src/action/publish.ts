/**
 * What the Action tells the workflow about a finished scan, as plain data: step outputs and the
 * annotations of the top failures. Pure; run.ts hands them to @actions/core.
 */
import type { AnnotationProperties } from '@actions/core';
import type { Format } from '../reporters/index.js';
import { displayText } from '../reporters/text-safety.js';
import { SEVERITY_RANK, type Finding, type IacLocation, type Results, type RuleMeta, type Severity } from '../results.js';

/** The outputs of action.yml, in its order; a test holds the two together. */
export const ACTION_OUTPUTS = [
  'sarif-file',
  'html-file',
  'json-file',
  'failed-count',
  'error-count',
  'critical-count',
  'high-count',
  'medium-count',
  'low-count',
  'incomplete',
  'scope-gap-count',
] as const;
type ActionOutput = (typeof ACTION_OUTPUTS)[number];

/** GitHub shows ten error and ten warning annotations per step; more are dropped. */
export const ANNOTATION_LIMIT = 10;

/** Counts leave suppressed findings out, as the exit code does. */
export function actionOutputs(results: Results, files: Partial<Record<Format, string>>): Record<ActionOutput, string> {
  const live = results.findings.filter((finding) => !finding.suppression);
  const failing = live.filter((finding) => finding.status === 'fail');
  const failingAt = (severity: Severity) => String(failing.filter((finding) => finding.severity === severity).length);
  return {
    'sarif-file': files.sarif ?? '',
    'html-file': files.html ?? '',
    'json-file': files.json ?? '',
    'failed-count': String(failing.length),
    'error-count': String(live.filter((finding) => finding.status === 'error').length),
    'critical-count': failingAt('critical'),
    'high-count': failingAt('high'),
    'medium-count': failingAt('medium'),
    'low-count': failingAt('low'),
    incomplete: results.incomplete ? 'true' : 'false',
    'scope-gap-count': String(results.incomplete?.gaps.length ?? 0),
  };
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  properties: AnnotationProperties;
}

/**
 * The most severe failures, one resource per rule before a second of any rule, so ten
 * annotations name as many different problems as they can. Custom rules point at their policy
 * file in the repository; built-in rules live in the Action, not the repository, so no file.
 */
export function failureAnnotations(results: Results, limit = ANNOTATION_LIMIT): Annotation[] {
  const rules = new Map(results.rules.map((rule) => [rule.id, rule]));
  const rankInRule = new Map<Finding, number>();
  const seenPerRule = new Map<string, number>();
  const failing = results.findings
    .filter((finding) => finding.status === 'fail' && !finding.suppression)
    .sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : a.resource.arn < b.resource.arn ? -1 : a.resource.arn > b.resource.arn ? 1 : 0));
  for (const finding of failing) {
    const seen = seenPerRule.get(finding.ruleId) ?? 0;
    rankInRule.set(finding, seen);
    seenPerRule.set(finding.ruleId, seen + 1);
  }
  const top = [...failing].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || rankInRule.get(a)! - rankInRule.get(b)!).slice(0, limit);
  return top.map((finding) => {
    const rule = rules.get(finding.ruleId);
    return {
      level: SEVERITY_RANK[finding.severity] >= SEVERITY_RANK.high ? 'error' : 'warning',
      // Resource names come from AWS: no control, bidi or invisible character reaches the log or the annotation.
      message: displayText(finding.message),
      properties: { title: displayText(`${finding.severity}: ${rule?.title ?? finding.ruleId} (${finding.ruleId})`), ...(finding.iac ? iacLocation(finding.iac) : policyLocation(rule)) },
    };
  });
}

/** --iac: the annotation sits on the lines that define the resource. */
function iacLocation(iac: IacLocation): AnnotationProperties {
  return { file: iac.file, startLine: iac.startLine, endLine: iac.endLine };
}

function policyLocation(rule: RuleMeta | undefined): AnnotationProperties {
  if (!rule || rule.source.builtin) return {};
  return { file: rule.source.file, startLine: rule.source.line };
}

/** An incomplete scope is an error annotation of its own: it is why the step fails (or would). */
export function incompleteAnnotation(results: Results): Annotation | undefined {
  if (!results.incomplete) return undefined;
  const shown = results.incomplete.gaps.slice(0, 3).map((gap) => gap.message);
  const more = results.incomplete.gaps.length - shown.length;
  return {
    level: 'error',
    message: displayText(`${results.incomplete.summary} ${shown.join(' ')}${more > 0 ? ` And ${more} more (results.json lists them).` : ''}`),
    properties: { title: 'trailwarden: incomplete scan' },
  };
}

/** One notice for everything that could not be evaluated, instead of an annotation per fact. */
export function unevaluatedNotice(results: Results): Annotation | undefined {
  const errors = results.findings.filter((finding) => finding.status === 'error' && !finding.suppression).length;
  if (errors === 0) return undefined;
  const actions = [...new Set(results.collectionErrors.map((error) => error.action))].sort();
  const shown = actions.slice(0, 5).join(', ');
  return {
    level: 'notice',
    message: displayText(`${errors} finding(s) could not be evaluated because facts could not be collected${shown ? ` (${shown}${actions.length > 5 ? `, and ${actions.length - 5} more` : ''})` : ''}. Missing data is never a pass: grant the scanning role these actions; the job summary lists where.`),
    properties: { title: 'trailwarden: facts not collected' },
  };
}
