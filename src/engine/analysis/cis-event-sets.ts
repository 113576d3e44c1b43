/**
 * The decision table of the CIS monitoring controls: which CloudTrail events each control is about,
 * per CIS version, as `(eventSource, eventName)` pairs, plus the specials that key on other fields
 * (sign-in results, root identity, error codes). docs/cis-monitoring.md prints this table.
 *
 * A metric filter satisfies a control when it selects every event of the control's set. An event
 * is identified by its service and its name, not by its name alone: `CreateRoute` is an EC2 action
 * (route tables) and an API Gateway v2 action (`apigateway.amazonaws.com`, HTTP API routes). The
 * route-table control is about the first only, so a filter qualified by `$.eventSource =
 * ec2.amazonaws.com` selects exactly the events the control means and passes, while the
 * unqualified CIS text selects a few more events and passes as well; a filter qualified by another
 * service selects none of them and fails.
 *
 * Sources, checked for every row:
 * - CIS AWS Foundations Benchmark 1.2 §3.1–3.14, 1.4 / 3.0 / 5.0 §4.1–4.15, 6.0 §5.1–5.15: the
 *   metric filter texts (reproduced in cis-monitoring.ts). Every CIS text for the EC2-family, IAM
 *   and CloudTrail controls names EC2, IAM and CloudTrail API actions; KMS, S3, Config and
 *   Organizations texts carry their own `$.eventSource` condition; CIS 3.0+ prints
 *   `$.eventSource = ec2.amazonaws.com` in the route-table audit text.
 * - AWS Security Hub CloudWatch.1–14 (the CIS 1.2 texts, with the same service of each action).
 * - Prowler `cloudwatch_log_metric_filter_*` / `cloudwatch_changes_to_*_alarm_configured` checks:
 *   the route-table check expects `$.eventSource = ec2.amazonaws.com` before the event names, and
 *   Prowler's remediation writes the EC2-family filters that way.
 * - The CloudTrail User Guide, "CloudTrail record contents" and "AWS console sign-in events": console
 *   sign-in records have `eventSource` signin.amazonaws.com and `eventName` ConsoleLogin, with the
 *   result in `responseElements.ConsoleLogin`, the MFA flag in `additionalEventData.MFAUsed` and
 *   the failure text in `errorMessage`.
 * - The service authorization reference / API references: every name listed under a service is an
 *   API action of that service that CloudTrail records as a management event with that eventSource.
 */
import type { CisVersion, MonitoringControl } from './cis-controls.js';

/** One alternative of an event set: events of one service (or of every service) with extra conditions. */
interface CisEventClass {
  /** The service that emits these events; absent when the class spans every service (root usage, access denials). */
  readonly eventSource?: string;
  /** The API actions (CloudTrail `eventName`); absent when the class is keyed on other fields only. */
  readonly eventNames?: readonly string[];
  /** Further conditions every event of the class satisfies, as a filter-pattern body. */
  readonly where?: string;
}

/**
 * The event set of a control in one CIS version. A filter must select every event of at least one
 * of the alternatives (CIS 1.4+ offers two console-login-without-mfa texts; either one satisfies).
 */
type CisEventSet = readonly (readonly CisEventClass[])[];

const EC2 = 'ec2.amazonaws.com';
const SIGNIN = 'signin.amazonaws.com';

const IAM_POLICY_NAMES = [
  'DeleteGroupPolicy', 'DeleteRolePolicy', 'DeleteUserPolicy', 'PutGroupPolicy', 'PutRolePolicy', 'PutUserPolicy', 'CreatePolicy', 'DeletePolicy',
  'CreatePolicyVersion', 'DeletePolicyVersion', 'AttachRolePolicy', 'DetachRolePolicy', 'AttachUserPolicy', 'DetachUserPolicy', 'AttachGroupPolicy', 'DetachGroupPolicy',
];
const CLOUDTRAIL_NAMES = ['CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging'];
const KMS_NAMES = ['DisableKey', 'ScheduleKeyDeletion'];
const S3_NAMES = [
  'PutBucketAcl', 'PutBucketPolicy', 'PutBucketCors', 'PutBucketLifecycle', 'PutBucketReplication', 'DeleteBucketPolicy', 'DeleteBucketCors', 'DeleteBucketLifecycle', 'DeleteBucketReplication',
];
const CONFIG_NAMES = ['StopConfigurationRecorder', 'DeleteDeliveryChannel', 'PutDeliveryChannel', 'PutConfigurationRecorder'];
const SECURITY_GROUP_NAMES = ['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress', 'CreateSecurityGroup', 'DeleteSecurityGroup'];
const NACL_NAMES = ['CreateNetworkAcl', 'CreateNetworkAclEntry', 'DeleteNetworkAcl', 'DeleteNetworkAclEntry', 'ReplaceNetworkAclEntry', 'ReplaceNetworkAclAssociation'];
const GATEWAY_NAMES = ['CreateCustomerGateway', 'DeleteCustomerGateway', 'AttachInternetGateway', 'CreateInternetGateway', 'DeleteInternetGateway', 'DetachInternetGateway'];
const ROUTE_TABLE_NAMES = ['CreateRoute', 'CreateRouteTable', 'ReplaceRoute', 'ReplaceRouteTableAssociation', 'DeleteRouteTable', 'DeleteRoute', 'DisassociateRouteTable'];
const VPC_NAMES = [
  'CreateVpc', 'DeleteVpc', 'ModifyVpcAttribute', 'AcceptVpcPeeringConnection', 'CreateVpcPeeringConnection', 'DeleteVpcPeeringConnection', 'RejectVpcPeeringConnection',
  'AttachClassicLinkVpc', 'DetachClassicLinkVpc', 'DisableVpcClassicLink', 'EnableVpcClassicLink',
];
const ORGANIZATIONS_NAMES = [
  'AcceptHandshake', 'AttachPolicy', 'CreateAccount', 'CreateOrganizationalUnit', 'CreatePolicy', 'DeclineHandshake', 'DeleteOrganization', 'DeleteOrganizationalUnit', 'DeletePolicy',
  'DetachPolicy', 'DisablePolicyType', 'EnablePolicyType', 'InviteAccountToOrganization', 'LeaveOrganization', 'MoveAccount', 'RemoveAccountFromOrganization', 'UpdatePolicy', 'UpdateOrganizationalUnit',
];

const one = (...classes: CisEventClass[]): CisEventSet => [classes];
const service = (eventSource: string, eventNames: readonly string[]): CisEventSet => one({ eventSource, eventNames });

/** Any service: CIS 1.2 counts every UnauthorizedOperation / AccessDenied answer. */
const UNAUTHORIZED_V12 = one({ where: '$.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*"' });
/**
 * Any service, minus CloudTrail's own delivery probes: CIS 1.3 added the delivery.logs / HeadBucket
 * exclusions (printed with `||` until 2.0, an erratum: read with `&&`, as CIS 2.0+ prints them).
 */
const UNAUTHORIZED_V13 = one({
  where: '$.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*" && $.sourceIPAddress != "delivery.logs.amazonaws.com" && $.eventName != "HeadBucket"',
});
const LOGIN_WITHOUT_MFA: CisEventClass = { eventSource: SIGNIN, eventNames: ['ConsoleLogin'], where: '$.additionalEventData.MFAUsed != "Yes"' };
/** CIS 1.3+ alternative "to reduce false positives in case Single Sign-On (SSO) is used". */
const LOGIN_WITHOUT_MFA_SSO: CisEventClass = {
  eventSource: SIGNIN,
  eventNames: ['ConsoleLogin'],
  where: '$.additionalEventData.MFAUsed != "Yes" && $.userIdentity.type = "IAMUser" && $.responseElements.ConsoleLogin = "Success"',
};
/** Any service: what the root user does itself (not a service acting for it, not an AWS service event). */
const ROOT_USAGE = one({ where: '$.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent"' });

function everyVersion(set: CisEventSet, except: readonly CisVersion[] = []): Partial<Record<CisVersion, CisEventSet>> {
  const versions: readonly CisVersion[] = ['1.2', '1.4', '3.0', '5.0', '6.0'];
  return Object.fromEntries(versions.filter((version) => !except.includes(version)).map((version) => [version, set]));
}

/** The decision table. A missing version means that benchmark has no such recommendation. */
export const CIS_EVENT_SETS: Record<MonitoringControl, Partial<Record<CisVersion, CisEventSet>>> = {
  'unauthorized-api-calls': { '1.2': UNAUTHORIZED_V12, '1.4': UNAUTHORIZED_V13, '3.0': UNAUTHORIZED_V13, '5.0': UNAUTHORIZED_V13, '6.0': UNAUTHORIZED_V13 },
  'console-login-without-mfa': {
    '1.2': [[LOGIN_WITHOUT_MFA]],
    ...Object.fromEntries((['1.4', '3.0', '5.0', '6.0'] as const).map((version) => [version, [[LOGIN_WITHOUT_MFA], [LOGIN_WITHOUT_MFA_SSO]]])),
  },
  'root-account-usage': everyVersion(ROOT_USAGE),
  'iam-policy-changes': everyVersion(service('iam.amazonaws.com', IAM_POLICY_NAMES)),
  'cloudtrail-changes': everyVersion(service('cloudtrail.amazonaws.com', CLOUDTRAIL_NAMES)),
  'console-auth-failures': everyVersion(one({ eventSource: SIGNIN, eventNames: ['ConsoleLogin'], where: '$.errorMessage = "Failed authentication"' })),
  'kms-key-disable-or-deletion': everyVersion(service('kms.amazonaws.com', KMS_NAMES)),
  's3-bucket-policy-changes': everyVersion(service('s3.amazonaws.com', S3_NAMES)),
  'config-changes': everyVersion(service('config.amazonaws.com', CONFIG_NAMES)),
  'security-group-changes': {
    ...everyVersion(service(EC2, SECURITY_GROUP_NAMES)),
    // CIS 5.0 added ModifySecurityGroupRules.
    '5.0': service(EC2, [...SECURITY_GROUP_NAMES, 'ModifySecurityGroupRules']),
    '6.0': service(EC2, [...SECURITY_GROUP_NAMES, 'ModifySecurityGroupRules']),
  },
  'nacl-changes': everyVersion(service(EC2, NACL_NAMES)),
  'network-gateway-changes': everyVersion(service(EC2, GATEWAY_NAMES)),
  // The same set in every version: CIS 3.0+ only wrote down (for CreateRoute) what the control always
  // meant. API Gateway v2's CreateRoute / DeleteRoute (apigateway.amazonaws.com) are not in it.
  'route-table-changes': everyVersion(service(EC2, ROUTE_TABLE_NAMES)),
  'vpc-changes': everyVersion(service(EC2, VPC_NAMES)),
  'organizations-changes': everyVersion(service('organizations.amazonaws.com', ORGANIZATIONS_NAMES), ['1.2']),
};

/** The event set as filter-pattern texts, one per alternative, for the matcher. */
export function eventSetPatterns(set: CisEventSet): string[] {
  return set.map((alternative) => `{ ${alternative.flatMap(classTerms).join(' || ')} }`);
}

function classTerms(eventClass: CisEventClass): string[] {
  const where = eventClass.where === undefined ? [] : [`(${eventClass.where})`];
  const source = eventClass.eventSource === undefined ? [] : [`$.eventSource = "${eventClass.eventSource}"`];
  if (!eventClass.eventNames) return [`(${[...source, ...where].join(' && ')})`];
  return eventClass.eventNames.map((name) => `(${[...source, `$.eventName = "${name}"`, ...where].join(' && ')})`);
}

/** The service that owns a control's events in a version, when a single one does. */
export function owningEventSource(control: MonitoringControl, version: CisVersion): string | undefined {
  const sources = new Set((CIS_EVENT_SETS[control][version] ?? []).flat().map((eventClass) => eventClass.eventSource));
  const [only] = sources;
  return sources.size === 1 ? only : undefined;
}
