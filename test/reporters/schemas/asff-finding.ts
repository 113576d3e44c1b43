/**
 * A JSON Schema of one AWS Security Finding Format record as BatchImportFindings accepts it,
 * written by hand from botocore's Security Hub service model
 * (boto/botocore, botocore/data/securityhub/2018-10-26/service-2.json): the shapes
 * AwsSecurityFinding, Severity, Remediation/Recommendation, Resource, Compliance, Workflow, their
 * `required` lists and enums, NonEmptyString's pattern `.*\S.*`, and the length and count limits
 * their documentation states. Every member of those shapes is allowed; a name outside them is an
 * error, so a misspelt field cannot pass unnoticed. Only the members trailwarden writes are typed
 * further.
 */
const nonEmpty = { type: 'string', pattern: '\\S' } as const;
const bounded = (maxLength: number, minLength = 1) => ({ ...nonEmpty, minLength, maxLength });
const timestamp = { ...nonEmpty, format: 'date-time', pattern: 'Z$' } as const;

/** AwsSecurityFinding's members (service-2.json), all of which the API accepts. */
const FINDING_MEMBERS = [
  'SchemaVersion', 'Id', 'ProductArn', 'ProductName', 'CompanyName', 'Region', 'GeneratorId', 'AwsAccountId', 'Types', 'FirstObservedAt', 'LastObservedAt',
  'CreatedAt', 'UpdatedAt', 'Severity', 'Confidence', 'Criticality', 'Title', 'Description', 'Remediation', 'SourceUrl', 'ProductFields', 'UserDefinedFields',
  'Malware', 'Network', 'NetworkPath', 'Process', 'Threats', 'ThreatIntelIndicators', 'Resources', 'Compliance', 'VerificationState', 'WorkflowState', 'Workflow',
  'RecordState', 'RelatedFindings', 'Note', 'Vulnerabilities', 'PatchSummary', 'Action', 'FindingProviderFields', 'Sample', 'GeneratorDetails', 'ProcessedAt',
  'AwsAccountName', 'Detection',
];

export const ASFF_FINDING_SCHEMA = {
  type: 'object',
  required: ['SchemaVersion', 'Id', 'ProductArn', 'GeneratorId', 'AwsAccountId', 'CreatedAt', 'UpdatedAt', 'Title', 'Description', 'Resources'],
  propertyNames: { enum: FINDING_MEMBERS },
  properties: {
    SchemaVersion: { const: '2018-10-08' },
    Id: bounded(512),
    ProductArn: { ...bounded(2048, 12), pattern: '^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:[0-9]{12}:product/[0-9]{12}/default$' },
    GeneratorId: bounded(512),
    AwsAccountId: { type: 'string', pattern: '^[0-9]{12}$' },
    Types: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: { type: 'string', pattern: '^(Software and Configuration Checks|TTPs|Effects|Unusual Behaviors|Sensitive Data Identifications)(/[^/]+){0,2}$' },
    },
    LastObservedAt: timestamp,
    FirstObservedAt: timestamp,
    CreatedAt: timestamp,
    UpdatedAt: timestamp,
    Severity: {
      type: 'object',
      additionalProperties: false,
      properties: {
        Product: { type: 'number' },
        Label: { enum: ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] },
        Normalized: { type: 'integer', minimum: 0, maximum: 100 },
        Original: bounded(64),
      },
    },
    Title: bounded(256),
    Description: bounded(1024),
    Remediation: {
      type: 'object',
      additionalProperties: false,
      properties: {
        Recommendation: { type: 'object', additionalProperties: false, properties: { Text: bounded(512), Url: { ...nonEmpty, format: 'uri' } } },
      },
    },
    ProductFields: {
      type: 'object',
      maxProperties: 50,
      propertyNames: { minLength: 1, maxLength: 128, pattern: '\\S' },
      additionalProperties: bounded(2048),
    },
    Resources: {
      type: 'array',
      minItems: 1,
      maxItems: 32,
      items: {
        type: 'object',
        required: ['Type', 'Id'],
        propertyNames: { enum: ['Type', 'Id', 'Partition', 'Region', 'Provider', 'Owner', 'ResourceRole', 'Tags', 'DataClassification', 'Details', 'ApplicationName', 'ApplicationArn'] },
        properties: {
          Type: bounded(256),
          Id: nonEmpty,
          Partition: { enum: ['aws', 'aws-cn', 'aws-us-gov', 'aws-us-iso', 'aws-us-iso-b', 'AzureCloud'] },
          Region: bounded(16),
        },
      },
    },
    Compliance: {
      type: 'object',
      propertyNames: { enum: ['Status', 'RelatedRequirements', 'StatusReasons', 'SecurityControlId', 'AssociatedStandards', 'SecurityControlParameters'] },
      properties: {
        Status: { enum: ['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE'] },
        RelatedRequirements: { type: 'array', maxItems: 32, items: nonEmpty },
        SecurityControlId: nonEmpty,
      },
    },
    RecordState: { enum: ['ACTIVE', 'ARCHIVED'] },
    Workflow: { type: 'object', additionalProperties: false, properties: { Status: { enum: ['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'] } } },
  },
} as const;

/** BatchImportFindings: at most 100 findings per call and 240 KB per finding. */
export const ASFF_MAX_FINDING_BYTES = 240 * 1024;
