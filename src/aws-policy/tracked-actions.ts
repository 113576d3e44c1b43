/**
 * The IAM actions trailwarden judges (who can blind the trail or delete its logs), and the
 * reduction the collectors apply to identity policies as pages arrive: shared by collection and
 * evaluation, so what is kept is exactly what the rules read.
 */
import { parsePolicyDocument, statementAppliesToAction } from './policy-document.js';

/** Actions that stop, delete or reconfigure a trail. */
export const TRAIL_TAMPER_ACTIONS = [
  'cloudtrail:StopLogging',
  'cloudtrail:DeleteTrail',
  'cloudtrail:UpdateTrail',
  'cloudtrail:PutEventSelectors',
  'cloudtrail:PutInsightSelectors',
] as const;

/** Object actions delete logs; the bucket actions expire, unprotect or remove them. */
export const LOG_OBJECT_DELETION_ACTIONS = ['s3:DeleteObject', 's3:DeleteObjectVersion'] as const;
export const LOG_BUCKET_DELETION_ACTIONS = ['s3:PutLifecycleConfiguration', 's3:PutBucketPolicy', 's3:DeleteBucket'] as const;

/** Statements that cannot match one of these are dropped when IAM facts are collected. */
export const TRACKED_IAM_ACTIONS: readonly string[] = [...TRAIL_TAMPER_ACTIONS, ...LOG_OBJECT_DELETION_ACTIONS, ...LOG_BUCKET_DELETION_ACTIONS];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The document with only the statements that can apply to a tracked action, or `undefined` when
 * none can. A document that does not parse is kept whole, so evaluation reports it instead of
 * silently reading nothing into it.
 */
export function reduceIdentityPolicy(document: unknown): unknown {
  const parsed = parsePolicyDocument(document, 'identity');
  if (parsed.malformed !== undefined) return document;
  const raw = document as Record<string, unknown>;
  const rawStatements = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  const kept = rawStatements.filter((_statement, index) => TRACKED_IAM_ACTIONS.some((action) => statementAppliesToAction(parsed.statements[index]!, action)));
  if (kept.length === 0) return undefined;
  return { ...(isRecord(raw) && typeof raw.Version === 'string' ? { Version: raw.Version } : {}), Statement: kept };
}
