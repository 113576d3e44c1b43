/**
 * results.asff.json: every finding in the AWS Security Finding Format, a JSON array with one
 * finding per line, ready for `aws securityhub batch-import-findings` (100 findings per call).
 * trailwarden itself stays read-only and never calls Security Hub.
 *
 * Mapping (shape: botocore's securityhub 2018-10-26 service model, AwsSecurityFinding):
 * - `Id` is the finding's identity across runs (the SARIF fingerprint: rule, partition, account,
 *   region, resource id): a later import updates the same finding as its verdict changes, as
 *   Security Hub's own control findings do. `GeneratorId` is the rule.
 * - `ProductArn` is the account's own default product (`product/ACCOUNT/default`) in the
 *   resource's region (the partition's home region for global resources): the finding's account
 *   can import it as it is; a delegated administrator importing for members replaces it with its
 *   own account's product ARN.
 * - `Compliance.Status`: pass PASSED, fail FAILED, error WARNING (missing information), not
 *   applicable NOT_AVAILABLE (and `RecordState` ARCHIVED, as Security Hub archives those).
 * - `Severity.Label` is the rule's severity for failures only; passes and not-applicable verdicts
 *   are INFORMATIONAL (as Security Hub's passed controls) and checks that could not be evaluated
 *   LOW, so a missing permission never raises a high-severity finding. `Severity.Original` keeps
 *   the rule's severity.
 * - `Workflow.Status`: suppressed SUPPRESSED, pass RESOLVED, otherwise NEW.
 * - Length limits of the API are kept (Title 256, Description 1,024, Recommendation 512,
 *   ProductFields values 2,048, RelatedRequirements 32, Types 50).
 */
import { type Finding, type Results, type ResourceType, type Severity, type Status } from '../results.js';
import type { ReportContext, Reporter } from './context.js';
import { REPORT_FILE_NAMES } from './formats.js';
import { controlId, evidenceText, findingRecordsReporter, frameworkKeys, frameworkName, remediationText } from './interchange.js';
import { catalogRules, frameworkKey, ruleHelpUri, truncate, type RuleCatalog } from './model.js';
import { displayText } from './text-safety.js';

const SCHEMA_VERSION = '2018-10-08';

/** API limits (AwsSecurityFinding, Recommendation, Resource documentation). */
export const ASFF_LIMITS = { title: 256, description: 1_024, recommendation: 512, generatorId: 512, productFieldValue: 2_048, relatedRequirements: 32, types: 50, region: 16 } as const;

const SEVERITY_LABEL: Record<Severity, string> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFORMATIONAL' };
const COMPLIANCE_STATUS: Record<Status, string> = { pass: 'PASSED', fail: 'FAILED', error: 'WARNING', not_applicable: 'NOT_AVAILABLE' };

/** Security Hub's resource types where it has one; `Other` where it has none. */
export const ASFF_RESOURCE_TYPE: Record<ResourceType, string> = {
  account: 'AwsAccount',
  region: 'Other',
  organization: 'Other',
  trail: 'AwsCloudTrailTrail',
  bucket: 'AwsS3Bucket',
  'kms-key': 'AwsKmsKey',
  'log-group': 'Other',
  'event-data-store': 'Other',
};

/** The partitions the API accepts in `Resources[].Partition`. */
const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-us-iso', 'aws-us-iso-b']);

/** Where a partition's global resources are reported (Security Hub's home region for global controls). */
const HOME_REGION: Record<string, string> = { aws: 'us-east-1', 'aws-cn': 'cn-north-1', 'aws-us-gov': 'us-gov-west-1', 'aws-iso': 'us-iso-east-1', 'aws-iso-b': 'us-isob-east-1' };

/** "Software and Configuration Checks/Industry and Regulatory Standards/…" per framework. */
function findingType(framework: string): string {
  const standards = 'Software and Configuration Checks/Industry and Regulatory Standards';
  if (framework.startsWith('cis-aws-foundations-')) return `${standards}/CIS AWS Foundations Benchmark`;
  if (framework.startsWith('pci-dss')) return `${standards}/PCI-DSS Controls`;
  if (framework.startsWith('nist-800-53')) return `${standards}/NIST 800-53 Controls (USA)`;
  return 'Software and Configuration Checks/AWS Security Best Practices';
}

function severityLabel(finding: Finding): string {
  if (finding.status === 'fail') return SEVERITY_LABEL[finding.severity];
  return finding.status === 'error' ? SEVERITY_LABEL.low : SEVERITY_LABEL.info;
}

/** Security Hub rejects a value without a non-blank character. */
function nonBlank(text: string | undefined, fallback: string): string {
  return text && /\S/.test(text) ? text : fallback;
}

/** Security Hub's timestamp form (ISO 8601, UTC, milliseconds); a value that is no date is left for the schema check to name. */
function isoTime(text: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

interface AsffContext {
  results: Results;
  catalog: RuleCatalog;
  time: string;
}

export function asffFinding(finding: Finding, identity: string, { results, catalog, time }: AsffContext) {
  const rule = catalog.get(finding.ruleId);
  const { resource } = finding;
  const partition = results.partition;
  const home = HOME_REGION[partition] ?? HOME_REGION.aws!;
  const region = resource.region && resource.region.length <= ASFF_LIMITS.region ? resource.region : home;
  const helpUri = ruleHelpUri(rule);
  const types = [...new Set(frameworkKeys(finding.frameworks).map(findingType))];
  const securityControl = finding.frameworks.find((control) => frameworkKey(control) === 'aws-security-hub' || frameworkKey(control) === 'aws-security-hub-fsbp');
  const productFields: Record<string, string> = {
    'trailwarden/RuleId': finding.ruleId,
    'trailwarden/Status': finding.status,
    'trailwarden/ResourceType': resource.type,
    ...(resource.name ? { 'trailwarden/ResourceName': resource.name } : {}),
    ...(results.runId ? { 'trailwarden/RunId': results.runId } : {}),
    ...(finding.suppression ? { 'trailwarden/SuppressionReason': finding.suppression.reason } : {}),
    ...(finding.baselineState ? { 'trailwarden/BaselineState': finding.baselineState } : {}),
    ...(finding.evidence.length > 0 ? { 'trailwarden/Evidence': evidenceText(finding.evidence, ASFF_LIMITS.productFieldValue) } : {}),
  };
  for (const [key, value] of Object.entries(productFields)) {
    if (/\S/.test(value)) productFields[key] = truncate(value, ASFF_LIMITS.productFieldValue);
    else delete productFields[key];
  }
  return {
    SchemaVersion: SCHEMA_VERSION,
    Id: identity,
    ProductArn: `arn:${partition}:securityhub:${region}:${resource.accountId}:product/${resource.accountId}/default`,
    GeneratorId: truncate(`trailwarden/${finding.ruleId}`, ASFF_LIMITS.generatorId),
    AwsAccountId: resource.accountId,
    Types: (types.length > 0 ? types : ['Software and Configuration Checks/AWS Security Best Practices']).slice(0, ASFF_LIMITS.types),
    LastObservedAt: isoTime(results.snapshotTime),
    CreatedAt: time,
    UpdatedAt: time,
    Severity: { Label: severityLabel(finding), Original: SEVERITY_LABEL[finding.severity] },
    Title: truncate(nonBlank(displayText(rule.title), rule.id), ASFF_LIMITS.title),
    Description: truncate(nonBlank(displayText(finding.message), rule.id), ASFF_LIMITS.description),
    Remediation: {
      Recommendation: {
        Text: truncate(nonBlank(displayText(remediationText(rule, finding)), `See ${rule.id}.`), ASFF_LIMITS.recommendation),
        ...(helpUri ? { Url: helpUri } : {}),
      },
    },
    ProductFields: productFields,
    Resources: [
      {
        Type: ASFF_RESOURCE_TYPE[resource.type],
        // Security Hub names an account AWS::::Account:ID, not by its root user's ARN.
        Id: resource.type === 'account' ? `AWS::::Account:${resource.accountId}` : resource.arn,
        ...(PARTITIONS.has(partition) ? { Partition: partition } : {}),
        Region: region,
      },
    ],
    Compliance: {
      Status: COMPLIANCE_STATUS[finding.status],
      ...(finding.frameworks.length > 0 ? { RelatedRequirements: finding.frameworks.slice(0, ASFF_LIMITS.relatedRequirements).map((control) => `${frameworkName(frameworkKey(control))}/${controlId(control)}`) } : {}),
      ...(securityControl ? { SecurityControlId: controlId(securityControl) } : {}),
    },
    RecordState: finding.status === 'not_applicable' ? 'ARCHIVED' : 'ACTIVE',
    Workflow: { Status: finding.suppression ? 'SUPPRESSED' : finding.status === 'pass' ? 'RESOLVED' : 'NEW' },
  };
}

export const asffReporter: Reporter = findingRecordsReporter<AsffContext>(
  'ASFF',
  REPORT_FILE_NAMES.asff,
  (results) => ({ results, catalog: catalogRules(results), time: isoTime(results.scanTime) }),
  asffFinding,
);

export function renderAsff(results: Results, ctx: ReportContext): string {
  return asffReporter.render(results, ctx);
}
