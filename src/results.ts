/**
 * Findings and results.json (SPEC §3): what evaluation produces and every reporter reads.
 */
import type { CollectionError } from './snapshot/schema.js';

export const RESULTS_SCHEMA_VERSION = '1.0';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

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

export interface Suppression {
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
  /** Suppressions from the config that expired and no longer apply. */
  expiredSuppressions?: { ruleId: string; resource: string; reason: string; expires: string }[];
  pack?: string;
  /** Present when the scan verified digest chains (--verify-integrity). */
  integrity?: IntegritySummary;
}

export const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };
