/**
 * results.ocsf.json: every finding as an OCSF Compliance Finding (class 2003, category 2
 * Findings), a JSON array with one finding per line (small, and each line is one event for
 * line-oriented tools), for Amazon Security Lake custom sources and the SIEMs that read OCSF.
 *
 * Mapping (schema: OCSF 1.5.0, events/findings/compliance_finding.json and the objects it uses):
 * - `finding_info.uid` is the finding's identity across runs (the SARIF fingerprint: rule,
 *   partition, account, region, resource id), so a consumer updates one finding per rule and
 *   resource as its verdict changes; `metadata.correlation_uid` is the run id.
 * - `compliance.status_id`: pass 1 Pass, fail 3 Fail, error 2 Warning ("did not yield a result
 *   due to missing information"), not applicable 99 Other ("Not Applicable").
 *   `compliance.control` is the rule id, `requirements` its framework controls
 *   ("cis-aws-foundations-v5.0:3.2"), `standards` the frameworks' names.
 * - `severity_id` is the rule's severity for failures only: a pass or a not-applicable verdict
 *   is Informational and a check that could not be evaluated is Low, so a SIEM alerting on High
 *   never fires on a missing permission (as Security Hub does with passed controls).
 * - `status_id` (the finding's lifecycle): suppressed 3 Suppressed, pass 4 Resolved, not
 *   applicable 5 Archived, otherwise 1 New.
 * - `resources[0]`: the resource (`uid` its ARN, the account id for an account), its
 *   CloudFormation-style type, region, partition, and the evidence as `data`; `cloud.account`
 *   the account it belongs to.
 */
import { type Finding, type Results, type ResourceType, type Severity, type Status } from '../results.js';
import type { ReportContext, Reporter } from './context.js';
import { REPORT_FILE_NAMES } from './formats.js';
import { accountNameMap, findingRecordsReporter, frameworkKeys, frameworkName, remediationText } from './interchange.js';
import { catalogRules, ruleHelpUri, type RuleCatalog } from './model.js';

export const OCSF_VERSION = '1.5.0';
const CLASS_UID = 2003;
const CATEGORY_UID = 2;
const ACTIVITY_CREATE = 1;

const SEVERITY_ID: Record<Severity, number> = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };
const SEVERITY_NAME: Record<number, string> = { 1: 'Informational', 2: 'Low', 3: 'Medium', 4: 'High', 5: 'Critical' };

const COMPLIANCE_STATUS: Record<Status, [number, string]> = { pass: [1, 'Pass'], error: [2, 'Warning'], fail: [3, 'Fail'], not_applicable: [99, 'Not Applicable'] };

/** CloudFormation's names where AWS has one; AWS names no type for a region's set of trails. */
export const OCSF_RESOURCE_TYPE: Record<ResourceType, string> = {
  account: 'AWS::::Account',
  region: 'AWS::::Region',
  organization: 'AWS::Organizations::Organization',
  trail: 'AWS::CloudTrail::Trail',
  bucket: 'AWS::S3::Bucket',
  'kms-key': 'AWS::KMS::Key',
  'log-group': 'AWS::Logs::LogGroup',
  'event-data-store': 'AWS::CloudTrail::EventDataStore',
};

/** The severity a consumer sees: the rule's only when the control fails. */
function severityId(finding: Finding): number {
  switch (finding.status) {
    case 'fail':
      return SEVERITY_ID[finding.severity];
    case 'error':
      return SEVERITY_ID.low;
    default:
      return SEVERITY_ID.info;
  }
}

function lifecycle(finding: Finding): [number, string] {
  if (finding.suppression) return [3, 'Suppressed'];
  if (finding.status === 'pass') return [4, 'Resolved'];
  if (finding.status === 'not_applicable') return [5, 'Archived'];
  return [1, 'New'];
}

interface OcsfContext {
  results: Results;
  catalog: RuleCatalog;
  time: number;
  accountNames: Map<string, string>;
}

function account(accountId: string, names: Map<string, string>) {
  const name = names.get(accountId);
  return { uid: accountId, ...(name !== undefined ? { name } : {}), type_id: 10, type: 'AWS Account' };
}

export function ocsfFinding(finding: Finding, identity: string, { results, catalog, time, accountNames }: OcsfContext) {
  const rule = catalog.get(finding.ruleId);
  const severity = severityId(finding);
  const [statusId, status] = lifecycle(finding);
  const [complianceStatusId, complianceStatus] = COMPLIANCE_STATUS[finding.status];
  const { resource } = finding;
  const helpUri = ruleHelpUri(rule);
  const remediation = remediationText(rule, finding);
  const standards = frameworkKeys(finding.frameworks).map(frameworkName);
  return {
    activity_id: ACTIVITY_CREATE,
    activity_name: 'Create',
    category_uid: CATEGORY_UID,
    category_name: 'Findings',
    class_uid: CLASS_UID,
    class_name: 'Compliance Finding',
    type_uid: CLASS_UID * 100 + ACTIVITY_CREATE,
    type_name: 'Compliance Finding: Create',
    severity_id: severity,
    severity: SEVERITY_NAME[severity]!,
    status_id: statusId,
    status,
    time,
    message: finding.message,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'trailwarden', vendor_name: 'trailwarden', version: results.tool.version },
      ...(results.runId ? { correlation_uid: results.runId } : {}),
      profiles: ['cloud'],
    },
    finding_info: {
      uid: identity,
      title: rule.title,
      ...(rule.description.trim() ? { desc: rule.description.trim() } : {}),
      ...(helpUri ? { src_url: helpUri } : {}),
      types: [rule.id.includes('/') ? rule.id.slice(0, rule.id.indexOf('/')) : rule.id],
    },
    compliance: {
      control: rule.id,
      ...(finding.frameworks.length > 0 ? { requirements: finding.frameworks } : {}),
      standards: standards.length > 0 ? standards : ['trailwarden'],
      status_id: complianceStatusId,
      status: complianceStatus,
      ...(finding.status === 'error' || finding.suppression ? { status_detail: finding.suppression ? `Suppressed: ${finding.suppression.reason}` : remediation } : {}),
    },
    resources: [
      {
        uid: resource.type === 'account' ? resource.accountId : resource.arn,
        ...(resource.name !== undefined ? { name: resource.name } : {}),
        type: OCSF_RESOURCE_TYPE[resource.type],
        ...(resource.region ? { region: resource.region } : {}),
        cloud_partition: results.partition,
        ...(finding.evidence.length > 0 ? { data: { evidence: finding.evidence } } : {}),
      },
    ],
    cloud: {
      provider: 'AWS',
      account: account(resource.accountId, accountNames),
      ...(results.organizationId ? { org: { uid: results.organizationId } } : {}),
      ...(resource.region ? { region: resource.region } : {}),
    },
    ...(remediation ? { remediation: { desc: remediation } } : {}),
    ...(finding.baselineState ? { unmapped: { baseline_state: finding.baselineState } } : {}),
  };
}

export const ocsfReporter: Reporter = findingRecordsReporter<OcsfContext>(
  'OCSF',
  REPORT_FILE_NAMES.ocsf,
  (results) => ({
    results,
    catalog: catalogRules(results),
    time: Date.parse(results.scanTime),
    accountNames: accountNameMap(results),
  }),
  ocsfFinding,
);

export function renderOcsf(results: Results, ctx: ReportContext): string {
  return ocsfReporter.render(results, ctx);
}
