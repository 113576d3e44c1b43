/**
 * `trailwarden explain RULE --snapshot FILE [--resource ARN]`: why a rule gave the verdict it gave,
 * as the condition tree with each node's value and the facts it read.
 */
import { UserError } from '../errors.js';
import { explainRule, renderExplanation } from '../engine/explain.js';
import { evaluate } from '../engine/evaluate.js';
import { resourceMatches, resourceName } from '../policy/cases.js';
import { loadSources } from '../policy/loader.js';
import { readSnapshot } from '../snapshot/io.js';
import { readPolicySources } from './scan.js';

export interface ExplainOptions {
  snapshot: string;
  resource?: string;
  policies?: string[];
}

export async function explainRun(ruleId: string, options: ExplainOptions, io: { stdout: (t: string) => void; stderr: (t: string) => void }): Promise<number> {
  const loaded = loadSources(await readPolicySources(options.policies ?? [], (m) => io.stderr(`warning: ${m}\n`)));
  if (loaded.diagnostics.length) throw new UserError(`${loaded.diagnostics.length} problem(s) in policies`, loaded.diagnostics);
  const rule = loaded.allRules.find((r) => r.id === ruleId);
  if (!rule) {
    const near = loaded.allRules.map((r) => r.id).filter((id) => id.split('/')[1] === ruleId.split('/').at(-1) || id.startsWith(ruleId.split('/')[0] ?? ''));
    throw new UserError(`unknown rule '${ruleId}'${near.length ? `; did you mean ${near.slice(0, 8).join(', ')}?` : ' (trailwarden rules lists them)'}`);
  }
  const snapshot = await readSnapshot(options.snapshot);
  const now = new Date(snapshot.scanTime);
  const explanations = explainRule(snapshot, rule, loaded.fragments, now, (s) => options.resource === undefined || resourceMatches(s.resource, options.resource));
  if (!explanations.length) {
    const all = explainRule(snapshot, rule, loaded.fragments, now).map((e) => resourceName({ resource: e.resource }));
    const which = options.resource ? `no ${rule.scope} '${options.resource}' in the snapshot` : `the snapshot has no ${rule.scope} to judge`;
    throw new UserError(`${rule.id}: ${which}${all.length ? `; it has ${all.slice(0, 10).join(', ')}${all.length > 10 ? ', …' : ''}` : ''}`);
  }
  const findings = evaluate(snapshot, [rule], { now });
  io.stdout(`${rule.id} (${rule.scope}): ${rule.title}\n`);
  if (Object.keys(rule.paramValues).length) io.stdout(`params: ${Object.entries(rule.paramValues).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}\n`);
  for (const e of explanations) {
    const finding = findings.find((f) => f.resource.type === e.resource.type && f.resource.arn === e.resource.arn);
    io.stdout(`\n${resourceName({ resource: e.resource })}: ${finding ? `${finding.status} - ${finding.message}` : 'not evaluated'}\n`);
    if (e.applies) {
      io.stdout('applies:\n');
      for (const line of renderExplanation(e.applies, '  ')) io.stdout(`${line}\n`);
    }
    if (e.condition) {
      io.stdout('condition:\n');
      for (const line of renderExplanation(e.condition, '  ')) io.stdout(`${line}\n`);
    }
  }
  return 0;
}
