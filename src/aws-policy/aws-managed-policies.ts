/**
 * AWS managed policies recognised by ARN. GetAccountAuthorizationDetails is called without the
 * AWSManagedPolicy filter (their documents would be most of every answer), so an attached AWS
 * managed policy arrives as an ARN only; the documents of the few that grant the tracked actions
 * are shipped here.
 *
 * Sources (default versions, read 2026-12):
 * - AdministratorAccess v1: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html
 * - PowerUserAccess v5: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/PowerUserAccess.html
 * - AWSCloudTrail_FullAccess v3: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCloudTrail_FullAccess.html
 *   (only its statements that can match a tracked action are kept, as the collector does for
 *   customer managed policies: cloudtrail:* on *, and s3:PutBucketPolicy on aws-cloudtrail-logs* buckets).
 *
 * Any other AWS managed policy is treated as granting none of the tracked actions: a limitation
 * that rules state in their descriptions.
 */

export const AWS_MANAGED_POLICY_DOCUMENTS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  [
    'AdministratorAccess',
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  ],
  [
    'PowerUserAccess',
    {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
        {
          Effect: 'Allow',
          Action: [
            'account:GetAccountInformation',
            'account:GetPrimaryEmail',
            'account:ListRegions',
            'iam:CreateServiceLinkedRole',
            'iam:DeleteServiceLinkedRole',
            'iam:ListRoles',
            'organizations:DescribeOrganization',
          ],
          Resource: '*',
        },
      ],
    },
  ],
  [
    'AWSCloudTrail_FullAccess',
    {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:CreateBucket', 's3:PutBucketPolicy', 's3:PutBucketPublicAccessBlock'], Resource: ['arn:aws:s3:::aws-cloudtrail-logs*'] },
        { Effect: 'Allow', Action: 'cloudtrail:*', Resource: '*' },
      ],
    },
  ],
]);

/** `arn:<partition>:iam::aws:policy/<path><name>`: an AWS managed policy, whatever its path. */
export function awsManagedPolicyName(arn: string): string | undefined {
  const match = /^arn:[a-z-]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  return match?.[1];
}

/** The shipped document of an AWS managed policy ARN, with `arn:aws:` rewritten for the partition. */
export function awsManagedPolicyDocument(arn: string, partition: string): unknown {
  const name = awsManagedPolicyName(arn);
  const document = name === undefined ? undefined : AWS_MANAGED_POLICY_DOCUMENTS.get(name);
  if (document === undefined || partition === 'aws') return document;
  return JSON.parse(JSON.stringify(document).replaceAll('arn:aws:', `arn:${partition}:`)) as unknown;
}
