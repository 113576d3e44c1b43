/**
 * evaluate(snapshot, rules, { now }) -> findings. Pure and deterministic: the same snapshot, rules
 * and time give the same findings in the same order.
 */
import type { Snapshot, CollectionError } from '../snapshot/schema.js';
import { deferFix, type Finding, type ResourceRef, type Status } from '../results.js';
import type { LoadedRule, OptInCollection, Scope } from '../language/types.js';
import { parseMessage, renderMessage, type MessagePart } from './message-template.js';
import { deferredFix } from './fix.js';
import type { EvalState, Evaluator } from './compile.js';
import { SnapshotViews, type Subject } from './views.js';
import { NOT_KNOWABLE_BEFORE_DEPLOY, UNKNOWN_BEFORE_APPLY, notOfferedReason } from '../snapshot/not-offered.js';

/** A loaded rule with its conditions compiled (see policy/loader). */
export interface CompiledRule extends LoadedRule {
  evaluateApplies?: Evaluator;
  evaluateCondition: Evaluator;
}

interface EvaluateOptions {
  now: Date;
}

const ARTICLE_LABELS: Record<ResourceRef['type'], (r: ResourceRef) => string> = {
  account: (r) => `account ${r.accountId}${r.name ? ` (${r.name})` : ''}`,
  region: (r) => (r.region ? `region ${r.region} of account ${r.accountId}` : `regions of account ${r.accountId}`),
  organization: (r) => `organization ${r.name ?? r.arn}`,
  trail: (r) => `trail ${r.name ?? ''} (${r.arn})`.replace('trail  (', 'trail ('),
  bucket: (r) => `bucket ${r.name ?? r.arn}`,
  'kms-key': (r) => `KMS key ${r.arn}`,
  'log-group': (r) => `log group ${r.name ?? r.arn}`,
  'event-data-store': (r) => `event data store ${r.name ?? ''} (${r.arn})`,
};

function resourceLabel(resource: ResourceRef): string {
  return ARTICLE_LABELS[resource.type](resource);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

type PreparedMessages = Record<'pass' | 'fail' | 'notApplicable', MessagePart[]>;
const preparedOf = new WeakMap<LoadedRule, PreparedMessages>();
function preparedMessages(rule: LoadedRule): PreparedMessages {
  let prepared = preparedOf.get(rule);
  if (!prepared) {
    prepared = {
      pass: parseMessage(rule.messages.pass).parts,
      fail: parseMessage(rule.messages.fail).parts,
      // The title is text, never a template: braces in it stay as they are.
      notApplicable: rule.messages.notApplicable === undefined ? [{ kind: 'resource' }, { kind: 'text', text: `: not applicable to "${rule.title}".` }] : parseMessage(rule.messages.notApplicable).parts,
    };
    preparedOf.set(rule, prepared);
  }
  return prepared;
}

function describeError(e: CollectionError['$error']): string {
  if (e.code === UNKNOWN_BEFORE_APPLY) return `unknown before apply${e.message ? ` (${e.message})` : ''}`;
  if (e.code === NOT_KNOWABLE_BEFORE_DEPLOY) return `${e.message ?? e.action} cannot be known before deploy`;
  const where = [e.accountId ? `account ${e.accountId}` : '', e.region ?? ''].filter(Boolean).join(', ');
  return `${e.action} failed with ${e.code}${where ? ` in ${where}` : ''}${e.message ? ` (${e.message})` : ''}`;
}

function uniqueErrors(errors: CollectionError[]): CollectionError['$error'][] {
  const seen = new Map<string, CollectionError['$error']>();
  for (const { $error: e } of errors) {
    const key = `${e.action}|${e.code}|${e.accountId ?? ''}|${e.region ?? ''}|${e.message ?? ''}`;
    if (!seen.has(key)) seen.set(key, e);
  }
  return [...seen.values()];
}

const frameworkTagsOf = new WeakMap<LoadedRule, string[]>();
/** Framework controls as "framework:control", computed once per rule and shared by its findings. */
function frameworkTags(rule: LoadedRule): string[] {
  let tags = frameworkTagsOf.get(rule);
  if (!tags) {
    tags = Object.entries(rule.frameworks).flatMap(([framework, controls]) => controls.map((c) => `${framework}:${c}`));
    frameworkTagsOf.set(rule, tags);
  }
  return tags;
}

/** A subject's resource label, computed once however many rules judge it. */
function labelOf(subject: Subject): string {
  return (subject.label ??= resourceLabel(subject.resource));
}

function evaluateSubject(rule: CompiledRule, subject: Subject, now: Date): Finding {
  const state: EvalState = { now, evidence: [], errors: [], prefix: '' };
  const messages = preparedMessages(rule);
  let status: Status;
  let message: string;
  const applies = rule.evaluateApplies ? rule.evaluateApplies(subject.view, state) : true;
  if (applies === false) {
    status = 'not_applicable';
    message = capitalize(renderMessage(messages.notApplicable, rule.paramValues, { label: labelOf(subject), view: subject.view }, state.evidence));
  } else {
    const verdict = applies === 'unknown' ? 'unknown' : rule.evaluateCondition(subject.view, state);
    const errors = verdict === 'unknown' ? uniqueErrors(state.errors) : [];
    const notOffered = errors.map(notOfferedReason);
    if (errors.length > 0 && notOffered.every((reason) => reason !== undefined)) {
      // SPEC §1: AWS answered that the feature does not exist there, an observed fact; only when
      // every unknown fact is such an answer (any other missing fact keeps the error).
      return {
        ruleId: rule.id,
        status: 'not_applicable',
        severity: rule.severity,
        resource: subject.resource,
        message: `Not applicable to the ${labelOf(subject)}: ${[...new Set(notOffered)].join('; ')}.`,
        evidence: state.evidence,
        frameworks: frameworkTags(rule),
      };
    }
    if (verdict === 'unknown') {
      status = 'error';
      message = `Could not evaluate "${rule.title}" for the ${labelOf(subject)}: ${errors.slice(0, 3).map(describeError).join('; ')}${errors.length > 3 ? `; and ${errors.length - 3} more` : ''}.`;
      const finding: Finding = { ruleId: rule.id, status, severity: rule.severity, resource: subject.resource, message, evidence: state.evidence, frameworks: frameworkTags(rule), errors };
      // The fix is computed when read (results.ts deferFix): stored, it would be most of a large scan's memory.
      const fix = deferredFix('error', rule.remediation, subject.resource, subject.view, errors);
      return fix ? deferFix(finding, fix) : finding;
    }
    status = verdict ? 'pass' : 'fail';
    message = capitalize(renderMessage(verdict ? messages.pass : messages.fail, rule.paramValues, { label: labelOf(subject), view: subject.view }, state.evidence));
    const fix = verdict ? undefined : deferredFix('fail', rule.remediation, subject.resource, subject.view);
    if (fix) return deferFix({ ruleId: rule.id, status, severity: rule.severity, resource: subject.resource, message, evidence: state.evidence, frameworks: frameworkTags(rule) }, fix);
  }
  return { ruleId: rule.id, status, severity: rule.severity, resource: subject.resource, message, evidence: state.evidence, frameworks: frameworkTags(rule) };
}

/**
 * Whether the snapshot holds the opt-in facts a rule requires. Without them there is nothing to
 * judge and no fault to report: the rule is left out (an `error` would blame a scan for not doing
 * what nobody asked, a `not_applicable` per trail would fill every report with noise).
 */
export function collected(snapshot: Snapshot, requirement: OptInCollection | undefined): boolean {
  switch (requirement) {
    case undefined:
      return true;
    case 'verify-integrity':
      return snapshot.integrity !== undefined;
    case 'verify-integrity-files':
      return snapshot.integrity?.files === true;
  }
}

export function evaluate(snapshot: Snapshot, rules: readonly CompiledRule[], options: EvaluateOptions): Finding[] {
  const views = new SnapshotViews(snapshot);
  const findings: Finding[] = [];
  // Rules in id order, subjects in snapshot order: deterministic output for golden files and diffs.
  const ordered = [...rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const subjectsByScope = new Map<Scope, Subject[]>();
  for (const rule of ordered) {
    if (!collected(snapshot, rule.requires)) continue;
    let subjects = subjectsByScope.get(rule.scope);
    if (!subjects) {
      subjects = views.subjects(rule.scope);
      subjectsByScope.set(rule.scope, subjects);
    }
    for (const subject of subjects) findings.push(evaluateSubject(rule, subject, options.now));
  }
  return findings;
}
