/** The CIS monitoring controls and the benchmark versions trailwarden knows, named once. */
export const MONITORING_CONTROLS = [
  'unauthorized-api-calls',
  'console-login-without-mfa',
  'root-account-usage',
  'iam-policy-changes',
  'cloudtrail-changes',
  'console-auth-failures',
  'kms-key-disable-or-deletion',
  's3-bucket-policy-changes',
  'config-changes',
  'security-group-changes',
  'nacl-changes',
  'network-gateway-changes',
  'route-table-changes',
  'vpc-changes',
  'organizations-changes',
] as const;
export type MonitoringControl = (typeof MONITORING_CONTROLS)[number];

export const CIS_VERSIONS = ['1.2', '1.4', '3.0', '5.0', '6.0'] as const;
export type CisVersion = (typeof CIS_VERSIONS)[number];
