/**
 * `trailwarden diff OLD NEW`: configuration drift between two snapshots, fact by fact, per
 * resource — trail settings and status, event selectors as coverage (what is no longer recorded,
 * not a JSON diff), bucket and key policy statements added, removed or rewritten, log group
 * retention, metric filters and alarms — with the verdicts each resource's drift changed when both
 * snapshots are evaluated with the same rules. Pure: snapshots and findings in, drift out.
 */
import { isCollectionError, type EventSelectors, type Snapshot } from '../snapshot/schema.js';
import type { DriftChange, DriftResource, Finding, SnapshotDrift, Status, VerdictChange } from '../results.js';
import { selectorCoverage, type SelectorCoverage } from './analysis/selector-coverage.js';

type Json = Record<string, unknown>;
const MAX_DEPTH = 16;

function canonical(value: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) return '…';
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, depth + 1)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Json)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v, depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** A short rendering of a value for a sentence. */
function show(value: unknown): string {
  if (value === undefined) return 'not set';
  if (isCollectionError(value)) return `unreadable (${value.$error.code})`;
  const text = typeof value === 'string' ? value : canonical(value);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/** Status fields that move on every scan: their change is not drift. */
const VOLATILE = new Set(['latestDeliveryTime', 'latestDigestDeliveryTime', 'latestCloudWatchLogsDeliveryTime', 'latestNotificationTime', 'startLoggingTime', 'integrity', 'deletionDate']);

/** Field by field, one level into objects, for the facts without a dedicated reading. */
function genericChanges(before: Json, after: Json, prefix = '', depth = 0): DriftChange[] {
  const changes: DriftChange[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const key of keys) {
    if (VOLATILE.has(key)) continue;
    const a = before[key];
    const b = after[key];
    if (same(a, b)) continue;
    const fact = `${prefix}${key}`;
    const plainObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v) && !isCollectionError(v);
    if (depth < 2 && plainObject(a) && plainObject(b)) changes.push(...genericChanges(a, b, `${fact}.`, depth + 1));
    else changes.push({ fact, text: `${fact} changed from ${show(a)} to ${show(b)}` });
  }
  return changes;
}

// --- trails ---------------------------------------------------------------------------------

const TRAIL_SWITCHES: Record<string, [string, string]> = {
  logFileValidationEnabled: ['log file validation turned on', 'log file validation turned off'],
  isMultiRegion: ['became multi-region', 'no longer multi-region: records only its home region'],
  isOrganizationTrail: ['became an organization trail', 'no longer an organization trail: member accounts are not recorded'],
  includeGlobalServiceEvents: ['records global service events (IAM, STS) again', 'no longer records global service events (IAM, STS)'],
};

function coverageOf(selectors: unknown, partition: string): SelectorCoverage | undefined {
  return selectors && !isCollectionError(selectors) ? selectorCoverage(selectors as EventSelectors, partition) : undefined;
}

function selectorChanges(before: unknown, after: unknown, partition: string, where: string): DriftChange[] {
  if (same(before, after)) return [];
  const a = coverageOf(before, partition);
  const b = coverageOf(after, partition);
  if (!a || !b) return [{ fact: 'eventSelectors', text: `event selectors changed from ${show(before)} to ${show(after)}` }];
  const out: string[] = [];
  const flip = (was: boolean, is: boolean, what: string) => {
    if (was && !is) out.push(`${what} no longer recorded ${where}`);
    if (!was && is) out.push(`${what} now recorded ${where}`);
  };
  const excluded = b.management.excludedSources.filter((s) => !a.management.excludedSources.includes(s));
  const readmitted = a.management.excludedSources.filter((s) => !b.management.excludedSources.includes(s));
  const narrowed = b.management.narrowedBy.filter((n) => !a.management.narrowedBy.includes(n) && !(excluded.length > 0 && n.startsWith('eventSource notEquals')));
  // Excluding event sources makes "all management events" false: say what is excluded, not that
  // all management events stopped.
  const explained = excluded.length > 0 || narrowed.length > 0 || readmitted.length > 0;
  if (!explained || (!b.management.read && !b.management.write && (a.management.read || a.management.write) && b.management.narrowedBy.length === 0)) {
    flip(a.management.read, b.management.read, 'management read events');
    flip(a.management.write, b.management.write, 'management write events');
  }
  for (const source of excluded) out.push(`management events of ${source} no longer recorded ${where}`);
  for (const source of readmitted) out.push(`management events of ${source} recorded again ${where}`);
  for (const n of narrowed) out.push(`management events narrowed to ${n}: the others are no longer recorded ${where}`);
  flip(a.s3DataAllBuckets.read, b.s3DataAllBuckets.read, 'S3 object read data events (all buckets)');
  flip(a.s3DataAllBuckets.write, b.s3DataAllBuckets.write, 'S3 object write data events (all buckets)');
  flip(a.lambdaDataAllFunctions.read || a.lambdaDataAllFunctions.write, b.lambdaDataAllFunctions.read || b.lambdaDataAllFunctions.write, 'Lambda invocation data events (all functions)');
  if (out.length === 0) out.push('event selectors rewritten; what they record is the same');
  return out.map((text) => ({ fact: 'eventSelectors', text }));
}

function statusChanges(before: unknown, after: unknown): DriftChange[] {
  if (isCollectionError(before) || isCollectionError(after)) return same(before, after) ? [] : [{ fact: 'status', text: `trail status changed from ${show(before)} to ${show(after)}` }];
  const a = (before ?? {}) as Json;
  const b = (after ?? {}) as Json;
  const out: DriftChange[] = [];
  if (a.isLogging === true && b.isLogging === false) out.push({ fact: 'status.isLogging', text: `stopped logging${b.stopLoggingTime ? ` at ${show(b.stopLoggingTime)}` : ''}` });
  if (a.isLogging === false && b.isLogging === true) out.push({ fact: 'status.isLogging', text: 'started logging again' });
  for (const key of ['latestDeliveryError', 'latestDigestDeliveryError', 'latestCloudWatchLogsDeliveryError', 'latestNotificationError']) {
    if (same(a[key], b[key])) continue;
    out.push({ fact: `status.${key}`, text: b[key] ? `${key} is now ${show(b[key])}` : `${key} ${show(a[key])} cleared` });
  }
  return out;
}

function trailChanges(before: Json, after: Json, partition: string): DriftChange[] {
  const where = after.isMultiRegion === true || before.isMultiRegion === true ? 'in any region' : `in ${show(after.homeRegion)}`;
  const out: DriftChange[] = [];
  for (const [key, [on, off]] of Object.entries(TRAIL_SWITCHES)) if (before[key] !== after[key]) out.push({ fact: key, text: after[key] ? on : off });
  out.push(...statusChanges(before.status, after.status));
  out.push(...selectorChanges(before.eventSelectors, after.eventSelectors, partition, where));
  const handled = new Set([...Object.keys(TRAIL_SWITCHES), 'status', 'eventSelectors', 'hasCustomEventSelectors']);
  const rest = (o: Json) => Object.fromEntries(Object.entries(o).filter(([k]) => !handled.has(k)));
  return [...out, ...genericChanges(rest(before), rest(after))];
}

// --- policies -------------------------------------------------------------------------------

function statements(policy: unknown): Json[] {
  if (!policy || typeof policy !== 'object' || isCollectionError(policy)) return [];
  const list = (policy as Json).Statement;
  return (Array.isArray(list) ? list : list ? [list] : []).filter((s): s is Json => s !== null && typeof s === 'object');
}

function describeStatement(s: Json): string {
  const sid = typeof s.Sid === 'string' && s.Sid ? `${s.Sid}: ` : '';
  return `${sid}${show(s.Effect)} ${show(s.Principal)} ${show(s.Action ?? s.NotAction)}`;
}

function policyChanges(fact: string, what: string, before: unknown, after: unknown): DriftChange[] {
  if (same(before, after)) return [];
  if (isCollectionError(before) || isCollectionError(after) || !before || !after) {
    return [{ fact, text: `${what} ${!before ? 'added' : !after ? 'removed' : `changed from ${show(before)} to ${show(after)}`}` }];
  }
  const a = statements(before);
  const b = statements(after);
  const aKeys = new Set(a.map((s) => canonical(s)));
  const bKeys = new Set(b.map((s) => canonical(s)));
  const removed = a.filter((s) => !bKeys.has(canonical(s)));
  const added = b.filter((s) => !aKeys.has(canonical(s)));
  const out: DriftChange[] = [];
  for (const s of added) {
    const old = typeof s.Sid === 'string' && s.Sid ? removed.find((r) => r.Sid === s.Sid) : undefined;
    if (old) {
      out.push({ fact: `${fact}.Statement`, text: `${what} statement ${s.Sid as string} rewritten: was ${describeStatement(old)}, now ${describeStatement(s)}` });
      removed.splice(removed.indexOf(old), 1);
    } else out.push({ fact: `${fact}.Statement`, text: `${what} statement added: ${describeStatement(s)}` });
  }
  for (const s of removed) out.push({ fact: `${fact}.Statement`, text: `${what} statement removed: ${describeStatement(s)}` });
  if (out.length === 0) out.push({ fact, text: `${what} changed outside its statements` });
  return out;
}

// --- log groups -----------------------------------------------------------------------------

function retentionText(days: unknown): string {
  return typeof days === 'number' ? `${days} days` : 'never expire';
}

function byName(list: unknown): Map<string, Json> {
  return new Map((Array.isArray(list) ? (list as Json[]) : []).map((item) => [String(item.name), item]));
}

function namedListChanges(fact: string, what: string, before: unknown, after: unknown, describe: (a: Json, b: Json) => string): DriftChange[] {
  if (same(before, after)) return [];
  if (isCollectionError(before) || isCollectionError(after)) return [{ fact, text: `${what}s changed from ${show(before)} to ${show(after)}` }];
  const a = byName(before);
  const b = byName(after);
  const out: DriftChange[] = [];
  for (const [name, item] of b) {
    const old = a.get(name);
    if (!old) out.push({ fact, text: `${what} ${name} added` });
    else if (!same(old, item)) out.push({ fact, text: `${what} ${name} ${describe(old, item)}` });
  }
  for (const name of a.keys()) if (!b.has(name)) out.push({ fact, text: `${what} ${name} removed` });
  return out;
}

function logGroupChanges(before: Json, after: Json): DriftChange[] {
  const out: DriftChange[] = [];
  const da = before.details;
  const db = after.details;
  if (!isCollectionError(da) && !isCollectionError(db) && da && db) {
    const ra = (da as Json).retentionInDays;
    const rb = (db as Json).retentionInDays;
    if (ra !== rb) {
      const shorter = typeof rb === 'number' && (typeof ra !== 'number' || rb < ra);
      out.push({ fact: 'details.retentionInDays', text: `retention ${shorter ? 'shortened' : 'lengthened'} from ${retentionText(ra)} to ${retentionText(rb)}` });
    }
    if ((da as Json).kmsKeyId !== (db as Json).kmsKeyId) out.push({ fact: 'details.kmsKeyId', text: `KMS key changed from ${show((da as Json).kmsKeyId)} to ${show((db as Json).kmsKeyId)}` });
  } else if (!same(da, db)) out.push({ fact: 'details', text: `details changed from ${show(da)} to ${show(db)}` });
  out.push(...namedListChanges('metricFilters', 'metric filter', before.metricFilters, after.metricFilters, (a, b) => (a.pattern !== b.pattern ? `pattern changed from ${show(a.pattern)} to ${show(b.pattern)}` : 'metrics changed')));
  out.push(
    ...namedListChanges('alarms', 'alarm', before.alarms, after.alarms, (a, b) =>
      a.actionsEnabled !== b.actionsEnabled ? `actions ${b.actionsEnabled ? 'enabled' : 'disabled'}` : !same(a.alarmActions, b.alarmActions) ? `now notifies ${show(b.alarmActions)} (was ${show(a.alarmActions)})` : 'metric changed',
    ),
  );
  return out;
}

// --- assembly -------------------------------------------------------------------------------

interface Described {
  kind: DriftResource['kind'];
  arn: string;
  name: string;
  accountId: string;
  region: string;
  fact: Json;
  changes: (before: Json, after: Json) => DriftChange[];
}

const str = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);

function describeResources(snapshot: Snapshot): Map<string, Described> {
  const p = snapshot.partition;
  const out = new Map<string, Described>();
  const add = (d: Described) => out.set(d.arn, d);
  for (const t of snapshot.trails) add({ kind: 'trail', arn: t.arn, name: t.name, accountId: t.ownerAccountId, region: t.homeRegion, fact: t as unknown as Json, changes: (a, b) => trailChanges(a, b, p) });
  for (const b of snapshot.buckets) {
    add({
      kind: 'bucket',
      arn: `arn:${p}:s3:::${b.name}`,
      name: b.name,
      accountId: str(b.ownerAccountId, 'unknown'),
      region: str(b.region, 'global'),
      fact: b as unknown as Json,
      changes: (x, y) => [...policyChanges('policy', 'bucket policy', x.policy, y.policy), ...genericChanges({ ...x, policy: undefined }, { ...y, policy: undefined })],
    });
  }
  for (const k of snapshot.kmsKeys) {
    add({
      kind: 'kms-key',
      arn: k.arn,
      name: k.arn.split('/').pop() ?? k.arn,
      accountId: k.accountId,
      region: k.region,
      fact: k as unknown as Json,
      changes: (x, y) => [...policyChanges('policy', 'key policy', x.policy, y.policy), ...genericChanges({ ...x, policy: undefined }, { ...y, policy: undefined })],
    });
  }
  for (const g of snapshot.logGroups) {
    add({
      kind: 'log-group',
      arn: g.arn,
      name: g.name,
      accountId: g.accountId,
      region: g.region,
      fact: g as unknown as Json,
      changes: (x, y) => [...logGroupChanges(x, y), ...genericChanges({ ...x, details: undefined, metricFilters: undefined, alarms: undefined }, { ...y, details: undefined, metricFilters: undefined, alarms: undefined })],
    });
  }
  for (const s of snapshot.snsTopics ?? []) {
    const parts = s.arn.split(':');
    add({ kind: 'sns-topic', arn: s.arn, name: parts[5] ?? s.arn, accountId: parts[4] ?? 'unknown', region: parts[3] ?? 'global', fact: s as unknown as Json, changes: (x, y) => genericChanges(x, y) });
  }
  for (const e of snapshot.eventDataStores) {
    const parts = e.arn.split(':');
    add({ kind: 'event-data-store', arn: e.arn, name: str((e as unknown as Json).name, e.arn), accountId: parts[4] ?? 'unknown', region: parts[3] ?? 'global', fact: e as unknown as Json, changes: (x, y) => genericChanges(x, y) });
  }
  for (const a of snapshot.accounts) {
    add({ kind: 'account', arn: `arn:${p}:iam::${a.id}:root`, name: str(a.name, a.id), accountId: a.id, region: 'global', fact: a as unknown as Json, changes: (x, y) => genericChanges(x, y) });
  }
  return out;
}

function verdictKey(f: Finding): string {
  return `${f.ruleId}\u0000${f.resource.arn}`;
}

/** Verdicts that differ, suppressed findings left out (their status says nothing here). */
function verdictChanges(before: readonly Finding[], after: readonly Finding[]): VerdictChange[] {
  const a = new Map(before.filter((f) => !f.suppression).map((f) => [verdictKey(f), f]));
  const b = new Map(after.filter((f) => !f.suppression).map((f) => [verdictKey(f), f]));
  const out: VerdictChange[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(key);
    const y = b.get(key);
    const was: Status | 'none' = x?.status ?? 'none';
    const is: Status | 'none' = y?.status ?? 'none';
    if (was === is) continue;
    const f = (y ?? x)!;
    out.push({ ruleId: f.ruleId, severity: f.severity, arn: f.resource.arn, before: was, after: is });
  }
  return out;
}

export function snapshotDrift(before: Snapshot, after: Snapshot, findings: { before: readonly Finding[]; after: readonly Finding[] }): SnapshotDrift {
  const a = describeResources(before);
  const b = describeResources(after);
  const verdicts = verdictChanges(findings.before, findings.after);
  const byArn = new Map<string, VerdictChange[]>();
  for (const v of verdicts) byArn.set(v.arn, [...(byArn.get(v.arn) ?? []), v]);
  const resources: DriftResource[] = [];
  for (const arn of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(arn);
    const y = b.get(arn);
    const d = (y ?? x)!;
    const changes = x && y ? d.changes(x.fact, y.fact) : [{ fact: d.kind, text: `${d.kind} ${x ? 'removed' : 'added'}` }];
    const all = byArn.get(arn) ?? [];
    byArn.delete(arn);
    // A resource that came or went: only the verdicts that fail or error on either side matter.
    const own = x && y ? all : all.filter((v) => [v.before, v.after].some((s) => s === 'fail' || s === 'error'));
    if (changes.length === 0 && own.length === 0) continue;
    resources.push({ kind: d.kind, arn, name: d.name, accountId: d.accountId, region: d.region, state: !x ? 'added' : !y ? 'removed' : 'changed', changes, verdicts: own });
  }
  // Verdicts on resources neither snapshot lists by that ARN (rules judged on a region scope).
  for (const [arn, own] of byArn) {
    const parts = arn.split(':');
    resources.push({ kind: 'region', arn, name: parts[3] || arn, accountId: parts[4] || 'unknown', region: parts[3] || 'global', state: 'changed', changes: [], verdicts: own });
  }
  const cmp = (p: string, q: string) => (p < q ? -1 : p > q ? 1 : 0);
  resources.sort((p, q) => cmp(p.accountId, q.accountId) || cmp(p.region, q.region) || cmp(p.kind, q.kind) || cmp(p.arn, q.arn));
  for (const r of resources) r.verdicts.sort((p, q) => cmp(p.ruleId, q.ruleId));
  const isFail = (s: Status | 'none') => s === 'fail';
  return {
    before: { scanTime: before.scanTime, accounts: before.accounts.length },
    after: { scanTime: after.scanTime, accounts: after.accounts.length },
    resources,
    verdictTotals: {
      newFailures: verdicts.filter((v) => isFail(v.after) && !isFail(v.before)).length,
      fixed: verdicts.filter((v) => isFail(v.before) && !isFail(v.after)).length,
      other: verdicts.filter((v) => isFail(v.before) === isFail(v.after)).length,
    },
  };
}
