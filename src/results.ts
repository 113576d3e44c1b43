/**
 * Findings and results.json (SPEC §3): what evaluation produces and every reporter reads.
 */
import { createHash } from 'node:crypto';
import type { CollectionError } from './snapshot/schema.js';

export const RESULTS_SCHEMA_VERSION = '1.0';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** `--fail-on`: the lowest severity whose failures fail the run; `none` never fails on findings. */
export const FAIL_ON_LEVELS = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type FailOn = (typeof FAIL_ON_LEVELS)[number];

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
  pack?: string;
  /** Present when the scan verified digest chains (--verify-integrity). */
  integrity?: IntegritySummary;
  /** Present when the run had a baseline (--baseline): the comparison, findings carry their state. */
  baseline?: BaselineComparison;
  /** Present when the run read infrastructure code (--iac). */
  iac?: IacSummary;
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
