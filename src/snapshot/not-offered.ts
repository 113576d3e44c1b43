/**
 * "Not offered here" answers (SPEC §1): AWS saying that a feature does not exist where it was asked
 * is an observed fact, not missing data. A collection error with one of these (action, code) pairs
 * makes the verdict that depends on it `not_applicable` with the reason below; every other code,
 * including the same code from another action, stays `error`.
 *
 * The table is deliberately short. Each row is an API whose documented "unsupported" answer can only
 * mean that the feature is absent from the region or partition asked:
 * - GetInsightSelectors: CloudTrail Insights is offered in a subset of regions and partitions
 *   (CloudTrail User Guide, "Working with CloudTrail Insights"); where it is not, CloudTrail answers
 *   UnsupportedOperationException ("the requested operation is not supported"). An absent selector
 *   on a trail where Insights exists is InsightNotEnabledException, recorded by the collector as []
 *   (a fail, not this).
 * - ListEventDataStores / GetEventDataStore: CloudTrail Lake is not offered in every region; there
 *   the Lake APIs answer UnsupportedOperationException. The collector already records a region
 *   without Lake as holding no event data store; a store whose details answer so is not judged.
 * InvalidInsightSelectorsException, OperationNotPermittedException, AccessDenied and the rest are
 * not on the list: they say nothing about the feature being absent.
 */
import type { CollectionError } from './schema.js';

interface NotOfferedAnswer {
  readonly action: string;
  readonly code: string;
  readonly feature: string;
}

export const NOT_OFFERED_ANSWERS: readonly NotOfferedAnswer[] = [
  { action: 'cloudtrail:GetInsightSelectors', code: 'UnsupportedOperationException', feature: 'CloudTrail Insights' },
  { action: 'cloudtrail:ListEventDataStores', code: 'UnsupportedOperationException', feature: 'CloudTrail Lake' },
  { action: 'cloudtrail:GetEventDataStore', code: 'UnsupportedOperationException', feature: 'CloudTrail Lake' },
];

function awsNotOfferedReason(error: CollectionError['$error']): string | undefined {
  const answer = NOT_OFFERED_ANSWERS.find((row) => row.action === error.action && row.code === error.code);
  if (!answer) return undefined;
  const where = error.region ? `in ${error.region}` : 'in the region or partition asked';
  const account = error.accountId ? ` for account ${error.accountId}` : '';
  return `${answer.feature} is not offered ${where}${account} (${error.action} answered ${error.code})`;
}

/**
 * Before deploy (`scan --plan`, `--template`) two more answers stand where a fact would be:
 * - UNKNOWN_BEFORE_APPLY: the planned value is computed by AWS or by another resource of the same
 *   deployment (Terraform's "known after apply", an unresolvable CloudFormation intrinsic). The
 *   verdict stays `error`: nobody can say yet, and guessing would be a pass or a fail nobody saw.
 * - NOT_KNOWABLE_BEFORE_DEPLOY: a fact no configuration can hold (is the trail logging now, when
 *   was a digest delivered, who in the account may stop the trail). Like a feature AWS does not
 *   offer, it is not a gap in the scan but outside what a plan describes: `not_applicable`.
 */
export const UNKNOWN_BEFORE_APPLY = 'UnknownBeforeApply';
export const NOT_KNOWABLE_BEFORE_DEPLOY = 'NotKnowableBeforeDeploy';

/** Why the feature is absent, when the error is a "not offered here" answer; undefined otherwise. */
export function notOfferedReason(error: CollectionError['$error']): string | undefined {
  if (error.code === NOT_KNOWABLE_BEFORE_DEPLOY) return `${error.message ?? `what ${error.action} reads`} cannot be known before deploy`;
  return awsNotOfferedReason(error);
}

export function isNotOffered(error: CollectionError['$error']): boolean {
  return notOfferedReason(error) !== undefined;
}
