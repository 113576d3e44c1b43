/**
 * Findings and results.json (SPEC §3): what evaluation produces and every reporter reads.
 */
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
