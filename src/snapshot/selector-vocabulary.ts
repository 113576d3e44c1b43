/**
 * The words the snapshot's selector model is written in, shared by the collectors (which fold
 * GetEventSelectors into it) and the engine (which reads coverage out of it), so the two cannot
 * disagree.
 */
import type { FieldSelector } from './schema.js';

export type FieldOperator = Exclude<keyof FieldSelector, 'field'>;

export const FIELD_OPERATORS = ['equals', 'notEquals', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith'] as const satisfies readonly FieldOperator[];

export const S3_OBJECT_TYPE = 'AWS::S3::Object';
export const LAMBDA_FUNCTION_TYPE = 'AWS::Lambda::Function';
const DYNAMODB_TABLE_TYPE = 'AWS::DynamoDB::Table';

/**
 * Classic resource types: the service in their ARNs, the fixed head every such ARN starts with
 * (S3 object ARNs have empty region and account), and whether classic values are prefixes. AWS
 * documents S3 values as prefixes and Lambda function ARNs as exact; DynamoDB is read as exact,
 * the narrower reading.
 */
const CLASSIC_RESOURCE_TYPES: Record<string, { service: string; arnHeadAfterService: string; valuesArePrefixes: boolean }> = {
  [S3_OBJECT_TYPE]: { service: 's3', arnHeadAfterService: ':::', valuesArePrefixes: true },
  [LAMBDA_FUNCTION_TYPE]: { service: 'lambda', arnHeadAfterService: ':', valuesArePrefixes: false },
  [DYNAMODB_TABLE_TYPE]: { service: 'dynamodb', arnHeadAfterService: ':', valuesArePrefixes: false },
};

/**
 * Whether an ARN prefix selects every resource of the type in the partition: `arn:<partition>:s3`
 * up to `arn:<partition>:s3:::` for S3 objects, `arn:<partition>:lambda` or `…:lambda:` for
 * functions. Shared by the fold and by coverage, so the two cannot disagree.
 */
export function isAllResourcesArnPrefix(resourceType: string, arnPrefix: string, partition: string): boolean {
  const known = CLASSIC_RESOURCE_TYPES[resourceType];
  if (known === undefined) return false;
  const serviceRoot = `arn:${partition}:${known.service}`;
  return arnPrefix.startsWith(serviceRoot) && `${serviceRoot}${known.arnHeadAfterService}`.startsWith(arnPrefix);
}

/** Whether classic selector values of the type are ARN prefixes (S3) rather than exact ARNs. */
export function classicValuesArePrefixes(resourceType: string): boolean {
  return CLASSIC_RESOURCE_TYPES[resourceType]?.valuesArePrefixes === true;
}
