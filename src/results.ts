/**
 * Findings and results.json (SPEC §3): what evaluation produces and every reporter reads.
 */
import { createHash } from 'node:crypto';
import { UserError } from './errors.js';
import type { CollectionError, ShardRef } from './snapshot/schema.js';

/**
 * results.json's format version. 2.0 (docs/results-json.md) writes one finding per line and keeps
 * what repeats once: a finding's evidence, framework controls and message (with its resource's
 * name and account id taken out) are indexes into tables written before the findings, and a
 * finding leaves out the severity and resource type its rule already states. In memory nothing
 * changed: readResultsDocument turns a 1.0 or 2.0 document into the same Results.
 */
export const RESULTS_SCHEMA_VERSION = '2.0';
/** The versions readResultsDocument reads. */
export const READABLE_RESULTS_VERSIONS = ['1.0', '2.0'] as const;

/** results.json 2.0's tables, in the order they are written (before `findings`). */
export const RESULTS_TABLES = ['evidenceTable', 'frameworkTable', 'messageTable', 'fixTable'] as const;

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** `--fail-on`: the lowest severity whose failures fail the run; `none` never fails on findings. */
export const FAIL_ON_LEVELS = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type FailOn = (typeof FAIL_ON_LEVELS)[number];

/**
 * `--fail-on-incomplete`: which incompleteness makes the exit code 3 (when nothing fails at or above
 * `--fail-on`). `any`: a fact could not be collected or the scope could not be enumerated (SPEC §2's
 * exit 3); `scope`: only accounts, regions or trails that could not be enumerated; `none`: never.
 */
export const FAIL_ON_INCOMPLETE_LEVELS = ['any', 'scope', 'none'] as const;
export type FailOnIncomplete = (typeof FAIL_ON_INCOMPLETE_LEVELS)[number];

export const STATUSES = ['fail', 'error', 'pass', 'not_applicable'] as const;
export type Status = (typeof STATUSES)[number];

export const RESOURCE_TYPES = ['account', 'region', 'organization', 'trail', 'bucket', 'kms-key', 'log-group', 'event-data-store'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export interface ResourceRef {
  type: ResourceType;
  arn: string;
  accountId: string;
  /** Absent for global resources (account, organization, bucket without a known region). */
  region?: string;
  /** A short human name (trail name, bucket name, account name). */
  name?: string;
}

/** A snapshot value the verdict rests on: the path the condition read and what it found. */
export interface Evidence {
  path: string;
  value: unknown;
}

/** A located warning about the run's configuration: `file:line:col code message`, as the console prints it. */
export interface RunWarning {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
}

/** A suppression from the config whose expiry day has passed: it no longer applies, and says so. */
export interface ExpiredSuppression {
  ruleId: string;
  resource: string;
  reason: string;
  expires: string;
}

interface Suppression {
  reason: string;
  expires?: string;
}

export interface Finding {
  ruleId: string;
  status: Status;
  severity: Severity;
  resource: ResourceRef;
  message: string;
  evidence: Evidence[];
  /** Framework controls, e.g. "cis-aws-foundations-v5.0:3.1". */
  frameworks: string[];
  /** The collection errors that made this an `error` finding. */
  errors?: CollectionError['$error'][];
  suppression?: Suppression;
  /** On failing and error findings whose rule has something to paste or to do: see FindingFix. */
  fix?: FindingFix;
  /**
   * Present only when the run had a baseline (--baseline), on failing and error findings inside
   * the scope both runs share: how this finding compares with the baseline's (SARIF baselineState).
   */
  baselineState?: BaselineState;
  /** With `updated`: the status the baseline had, when it differed. */
  baselineStatus?: Status;
  /**
   * Present only when the run read infrastructure code (--iac) and the resource is defined there:
   * the lines of the attribute that decides the verdict, or of the definition's block.
   */
  iac?: IacLocation;
}

/** Where a resource is defined in infrastructure code (Terraform, CloudFormation). */
export interface IacLocation {
  tool: 'terraform' | 'cloudformation';
  /** Relative to the repository root, forward slashes. */
  file: string;
  /** 1-based; the end column is exclusive. */
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  /** The Terraform address (with its module path) or CloudFormation logical id of the definition. */
  address: string;
  resourceType: string;
  /** The attribute the location is, when it is one (`enable_log_file_validation`); absent: the block. */
  attribute?: string;
}

/** A definition as the reports list it. */
export interface IacDefinitionRef {
  tool: 'terraform' | 'cloudformation';
  resourceType: string;
  address: string;
  file: string;
  startLine: number;
  endLine: number;
  /** The statically known name, when there is one. */
  name?: string;
}

/** What --iac read and how it matched the scanned resources; results.json's `iac`. */
export interface IacSummary {
  paths: string[];
  files: number;
  definitions: number;
  /** Findings that carry an `iac` location. */
  locatedFindings: number;
  /** Definitions of resources the scan looks at (trail, bucket, key, log group, event data store) that match no scanned resource. */
  unmatched: IacDefinitionRef[];
  /** Scanned resources defined more than once (two roots, or twice in one): no location is guessed. */
  ambiguous: { resource: { type: ResourceType; arn: string; name?: string }; definitions: IacDefinitionRef[] }[];
  /** Files that could not be read or parsed, limits hit (file:line:col). */
  diagnostics: { file: string; line: number; column: number; code: string; message: string }[];
}

/**
 * How a failing or error finding compares with the baseline's, matched on the SARIF fingerprint
 * identity (rule, partition, account, region, resource id): `new` (no failure or error there
 * before), `unchanged` (same status and evidence), `updated` (same rule and resource, other status
 * or evidence), `absent` (in the baseline, gone now).
 */
export const BASELINE_STATES = ['new', 'unchanged', 'updated', 'absent'] as const;
export type BaselineState = (typeof BASELINE_STATES)[number];

/** A failure or error of the baseline that this run no longer has. */
export interface AbsentFinding {
  ruleId: string;
  /** The baseline's status. */
  status: Status;
  severity: Severity;
  resource: ResourceRef;
  message: string;
  /** `fixed`: the resource is still there and the rule no longer fails; `removed`: the resource is gone. */
  reason: 'fixed' | 'removed';
}

/** What the run compared itself with (--baseline) and what it found; results.json's `baseline`. */
export interface BaselineComparison {
  /** The file given, and what it held. */
  file: string;
  kind: 'results' | 'snapshot' | 'none';
  /** When the baseline's facts were collected (its snapshotTime); absent on a first run. */
  time?: string;
  counts: Record<BaselineState, number>;
  /** Failures (status fail) that are new, also counting `updated` findings that were not failing before. */
  newFailures: number;
  /** The baseline's failures and errors gone now. */
  absent: AbsentFinding[];
  /**
   * Parts of either run the other did not cover: their findings are neither new nor fixed.
   * Rules evaluated by only one run, accounts scanned by only one run.
   */
  outsideScope?: { rules: string[]; accounts: string[]; findings: number };
  /** Set when the baseline file did not exist: everything is new because nothing came before. */
  firstRun?: true;
}

/** The identity of a finding across runs: the SARIF partialFingerprints value (SPEC §3). */
export function findingIdentity(finding: Pick<Finding, 'ruleId' | 'resource'>, partition: string): string {
  const { accountId, region, arn } = finding.resource;
  const parts = arn.split(':');
  const resourceId = parts.length > 5 ? parts.slice(5).join(':') : arn;
  return createHash('sha256').update([finding.ruleId, partition, accountId, region ?? '', resourceId].join('\u0000')).digest('hex');
}

/** A failure a `--fail-on-new` run counts: failing now, and not failing in the baseline. */
export function isNewFailure(finding: Finding): boolean {
  return finding.status === 'fail' && (finding.baselineState === 'new' || (finding.baselineState === 'updated' && finding.baselineStatus !== undefined && finding.baselineStatus !== 'fail'));
}

export interface Remediation {
  console?: string;
  cli?: string;
  /** A Terraform (HCL) snippet, where the control maps to a resource argument. */
  terraform?: string;
}

/**
 * What to do about one finding: for a failure, the rule's commands and Terraform filled with the
 * finding's own values (placeholders without a value stay `<…>`); for an error, how to collect the
 * missing fact (the permission, the account to scan), not how to fix the control.
 */
export interface FindingFix {
  commands?: string;
  terraform?: string;
  collect?: string[];
}

/**
 * How a finding's fix is computed when it is read, from what the finding holds (its resource, its
 * errors) and what the source keeps (shared per rule where it can be).
 */
export interface FixSource {
  fixOf(finding: Finding): FindingFix;
}

/**
 * A finding's fix is computed when read, not stored: at 10,000 accounts the filled-in commands of
 * every failing finding are ~160 MB of strings nobody reads until a report is written. `fix` is an
 * own enumerable accessor, so JSON.stringify, spreads, structuredClone, `Object.hasOwn` and `'fix'
 * in` see it as the data property it was; the source is in an own non-enumerable symbol key that
 * none of them copy. One getter function serves every finding, so the findings keep V8's shared
 * shapes (a closure per finding would turn each into a dictionary, ~500 bytes more).
 */
const FIX_SOURCE = Symbol('trailwarden.fixSource');

type Deferred = Finding & { [FIX_SOURCE]?: FixSource };

function readFix(this: Deferred): FindingFix | undefined {
  return this[FIX_SOURCE]?.fixOf(this);
}

const FIX_ACCESSOR: PropertyDescriptor = { get: readFix, enumerable: true, configurable: true };

/** Gives `finding` a `fix` computed by `source` when read (the finding must have no `fix` yet). */
export function deferFix<F extends Finding>(finding: F, source: FixSource): F {
  Object.defineProperty(finding, FIX_SOURCE, { value: source });
  Object.defineProperty(finding, 'fix', FIX_ACCESSOR);
  return finding;
}

/** Whether `finding.fix` is computed when read (deferFix) rather than stored. */
export function hasDeferredFix(finding: Finding): boolean {
  return Object.getOwnPropertyDescriptor(finding, 'fix')?.get === readFix;
}

/**
 * `{ ...finding, ...fields }` that keeps a deferred fix deferred (a spread would compute and store
 * it): the same keys in the same order, with the same values.
 */
export function withFields(finding: Finding, fields: Omit<Partial<Finding>, 'fix'>): Finding {
  const source = (finding as Deferred)[FIX_SOURCE];
  if (source === undefined || !hasDeferredFix(finding)) return { ...finding, ...fields };
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(finding)) {
    if (key === 'fix') {
      Object.defineProperty(copy, FIX_SOURCE, { value: source });
      Object.defineProperty(copy, 'fix', FIX_ACCESSOR);
    } else copy[key] = finding[key as keyof Finding];
  }
  for (const key of Object.keys(fields)) copy[key] = fields[key as keyof typeof fields];
  return copy as unknown as Finding;
}

/** Rule metadata as reporters need it (no condition). */
export interface RuleMeta {
  id: string;
  title: string;
  severity: Severity;
  scope: ResourceType;
  description: string;
  remediation: Remediation;
  /** framework key -> control ids, e.g. { "cis-aws-foundations-v5.0": ["3.1"] } */
  frameworks: Record<string, string[]>;
  /** Where the rule's YAML lives, repo-relative for built-ins (used for SARIF locations). */
  source: { file: string; line: number; builtin: boolean };
  helpUri?: string;
}

/** Per trail, what a --verify-integrity scan found in its digest chains (reports only; rules give the verdicts). */
export interface IntegrityTrailSummary {
  trailArn: string;
  trailName: string;
  chains: number;
  verified: number;
  broken: number;
  /** Chains whose digests (or, with files, log files) could not be read. */
  unreadable: number;
  explainedGaps: number;
  brokenChains: { chain: string; accountId: string; region: string; problems: number; firstBrokenKey: string; reason: string }[];
}

export interface IntegritySummary {
  windowStart: string;
  windowEnd: string;
  windowHours: number;
  files: boolean;
  objectsRead: number;
  bytesRead: number;
  trails: IntegrityTrailSummary[];
}

export interface Results {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  tool: { name: 'trailwarden'; version: string };
  /**
   * A fresh id per run, carried by every report file the run writes, so a set of reports mixed
   * from two runs (a killed run, two runs into one folder) can be told apart.
   */
  runId?: string;
  scanTime: string;
  /** The snapshot's time of collection. */
  snapshotTime: string;
  partition: string;
  organizationId?: string;
  accounts: { id: string; name?: string }[];
  regions: string[];
  collectionErrors: CollectionError['$error'][];
  rules: RuleMeta[];
  findings: Finding[];
  /**
   * Present only when the scan could not enumerate part of its scope (accounts, regions, trails):
   * resources there were judged by no rule. Each gap is also an `error` finding of
   * `trailwarden/scan-scope`.
   */
  incomplete?: { summary: string; gaps: ScopeGapRef[] };
  /** Suppressions from the config that expired and no longer apply. */
  expiredSuppressions?: ExpiredSuppression[];
  /** The slice of the accounts the snapshot covers (--shard I/N), for `trailwarden merge` to check. */
  shard?: ShardRef;
  /** Problems of the configuration that do not stop the run (a catch-all or unused suppression), located in the config file. */
  warnings?: RunWarning[];
  pack?: string;
  /** With a pack that maps controls: the per-control rollup over the scanned accounts. */
  controls?: ControlRollup;
  /** Present when the scan verified digest chains (--verify-integrity). */
  integrity?: IntegritySummary;
  /** Present when the run had a baseline (--baseline): the comparison, findings carry their state. */
  baseline?: BaselineComparison;
  /** Present when the run read infrastructure code (--iac). */
  iac?: IacSummary;
}

/**
 * With `--pack`: each control of the pack, with how many of the scanned accounts pass, fail, could
 * not be evaluated on, or have nothing it applies to (engine/control-rollup.ts).
 */
export interface ControlRollup {
  pack: string;
  title: string;
  /** The scanned accounts every control's counts add up to. */
  accounts: number;
  controls: {
    id: string;
    title: string;
    rules: string[];
    passing: number;
    failing: number;
    unevaluated: number;
    notApplicable: number;
    failingAccounts: string[];
    unevaluatedAccounts: string[];
  }[];
}

/** One part of the scope the scan could not enumerate (see engine/scope.ts). */
export interface ScopeGapRef {
  kind: 'accounts' | 'regions' | 'trails';
  arn: string;
  accountId: string;
  action: string;
  code: string;
  message: string;
}

/**
 * A message template of results.json 2.0: the message split around its resource's name, each part
 * split around its account id; joining them back with the finding's own name and account gives
 * the message again.
 */
export type MessageTemplate = string[][];

export function messageTemplate(message: string, resource: Pick<ResourceRef, 'accountId' | 'name'>): MessageTemplate {
  const byName = resource.name ? message.split(resource.name) : [message];
  return byName.map((part) => (resource.accountId ? part.split(resource.accountId) : [part]));
}

export function messageFromTemplate(template: MessageTemplate, resource: Pick<ResourceRef, 'accountId' | 'name'>): string {
  return template.map((parts) => parts.join(resource.accountId)).join(resource.name ?? '');
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A parsed results.json (1.0 or 2.0) as the Results every reader works with: 2.0's table indexes
 * and left-out fields are put back, anything else (fields a later version adds) passes through
 * untouched. A document of another version, or with an index or table entry that does not hold,
 * is a UserError naming the file and the JSON path. `what` starts the message (e.g. "--baseline x.json").
 */
export function readResultsDocument(data: Record<string, unknown>, what: string): Results {
  const version = data.schemaVersion;
  if (!(READABLE_RESULTS_VERSIONS as readonly unknown[]).includes(version)) {
    throw new UserError(`${what} is results.json version ${JSON.stringify(version)}; this trailwarden reads versions ${READABLE_RESULTS_VERSIONS.join(' and ')}`);
  }
  if (version === '1.0') return { ...(data as unknown as Results), schemaVersion: RESULTS_SCHEMA_VERSION };
  const fail = (path: string, problem: string): never => {
    throw new UserError(`${what} is not a usable results.json: ${path} ${problem}`);
  };
  const tables: Record<(typeof RESULTS_TABLES)[number], unknown[]> = { evidenceTable: [], frameworkTable: [], messageTable: [], fixTable: [] };
  for (const name of RESULTS_TABLES) {
    const table = data[name];
    if (table === undefined) continue;
    if (!Array.isArray(table)) fail(`$.${name}`, 'must be a list');
    tables[name] = table as unknown[];
  }
  const rules = new Map<string, Record<string, unknown>>();
  if (!Array.isArray(data.rules)) fail('$.rules', 'must be a list');
  for (const rule of data.rules as unknown[]) if (isRecord(rule) && typeof rule.id === 'string' && !rules.has(rule.id)) rules.set(rule.id, rule);
  if (!Array.isArray(data.findings)) fail('$.findings', 'must be a list');
  const entry = (name: (typeof RESULTS_TABLES)[number], index: number, at: string, ok: (value: unknown) => boolean, shape: string): unknown => {
    const value = Number.isInteger(index) && index >= 0 ? tables[name][index] : undefined;
    if (value === undefined) return fail(at, `is ${index}, not an index of $.${name} (${tables[name].length} entries)`);
    if (!ok(value)) fail(`$.${name}[${index}]`, `must be ${shape}`);
    return value;
  };
  const isStrings = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string');
  const findings = (data.findings as unknown[]).map((item, i): unknown => {
    if (!isRecord(item)) return item;
    const at = `$.findings[${i}]`;
    const finding: Record<string, unknown> = { ...item };
    const rule = typeof item.ruleId === 'string' ? rules.get(item.ruleId) : undefined;
    const fromRule = (field: string, ruleField: string, target: Record<string, unknown>, path: string) => {
      if (target[field] !== undefined) return;
      if (rule?.[ruleField] === undefined) fail(path, `has no ${field} and $.rules has no rule ${JSON.stringify(item.ruleId)} to take it from`);
      target[field] = rule![ruleField];
    };
    fromRule('severity', 'severity', finding, at);
    if (isRecord(item.resource)) {
      const resource = { ...item.resource };
      fromRule('type', 'scope', resource, `${at}.resource`);
      finding.resource = resource;
    }
    if (typeof item.evidence === 'number') finding.evidence = entry('evidenceTable', item.evidence, `${at}.evidence`, Array.isArray, 'a list of evidence');
    if (typeof item.frameworks === 'number') finding.frameworks = entry('frameworkTable', item.frameworks, `${at}.frameworks`, isStrings, 'a list of strings');
    const isTemplate = (value: unknown) => Array.isArray(value) && value.length > 0 && value.every(isStrings);
    const filled = (field: 'message' | 'fix', table: 'messageTable' | 'fixTable'): string => {
      const template = entry(table, item[field] as number, `${at}.${field}`, isTemplate, 'a list of lists of strings') as MessageTemplate;
      const resource = finding.resource;
      if (!isRecord(resource) || typeof resource.accountId !== 'string' || (resource.name !== undefined && typeof resource.name !== 'string')) return fail(`${at}.resource`, 'must hold accountId and an optional name as strings');
      return messageFromTemplate(template, resource as Pick<ResourceRef, 'accountId' | 'name'>);
    };
    if (typeof item.message === 'number') finding.message = filled('message', 'messageTable');
    if (typeof item.fix === 'number') {
      // The fix's JSON text, templated as a message is: its commands repeat the resource's name and account.
      const text = filled('fix', 'fixTable');
      let fix: unknown;
      try {
        fix = JSON.parse(text);
      } catch {
        fail(`$.fixTable[${item.fix}]`, 'must give a fix as JSON text');
      }
      if (!isRecord(fix)) fail(`$.fixTable[${item.fix}]`, 'must give a fix object');
      finding.fix = fix;
    }
    return finding;
  });
  const upgraded: Record<string, unknown> = { ...data, findings };
  for (const name of RESULTS_TABLES) delete upgraded[name];
  return upgraded as unknown as Results;
}

export const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/** Run ids are UUIDs; anything else (a hand-edited results.json) is not echoed into reports. */
export function isRunId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
}

/** `trailwarden diff OLD NEW`: the configuration drift between two snapshots (engine/drift.ts). */
export interface DriftChange {
  /** The fact, as a snapshot path relative to the resource (e.g. `status.isLogging`, `policy.Statement`). */
  fact: string;
  /** One sentence a person reads: "stopped logging at 2026-11-01T03:12:00Z". */
  text: string;
}

/** A verdict that differs between the two snapshots, evaluated with the same rules. */
export interface VerdictChange {
  ruleId: string;
  severity: Severity;
  arn: string;
  before: Status | 'none';
  after: Status | 'none';
}

export interface DriftResource {
  kind: ResourceType | 'sns-topic';
  /** ARN (bucket ARNs are arn:PARTITION:s3:::NAME). */
  arn: string;
  name: string;
  accountId: string;
  /** Home region; `global` for resources without one. */
  region: string;
  state: 'added' | 'removed' | 'changed';
  changes: DriftChange[];
  verdicts: VerdictChange[];
}

export interface SnapshotDrift {
  before: { scanTime: string; accounts: number };
  after: { scanTime: string; accounts: number };
  /** Grouped and sorted by account, region, resource. */
  resources: DriftResource[];
  /** Verdict changes counted by direction. */
  verdictTotals: { newFailures: number; fixed: number; other: number };
}
