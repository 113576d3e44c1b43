/**
 * A JSON Schema of one OCSF 1.5.0 Compliance Finding event (class_uid 2003), written by hand from
 * the OCSF schema's definitions (ocsf/ocsf-schema): events/base_event.json with the
 * classification and occurrence traits, events/findings/finding.json,
 * events/findings/compliance_finding.json, and the objects they use (objects/metadata.json,
 * product, finding_info, compliance, resource_details, cloud, account, organization,
 * remediation); attribute types from dictionary.json (timestamp_t is integer milliseconds).
 *
 * Required attributes are required here; the enums are the schema's own; every object lists the
 * attributes OCSF defines for it and refuses others, so an attribute OCSF does not have cannot
 * pass unnoticed. Rules a JSON Schema cannot state (type_uid = class_uid × 100 + activity_id,
 * captions matching their ids) are checked by the test itself.
 */
const string = { type: 'string', minLength: 1 } as const;
const stringArray = { type: 'array', items: string } as const;
const timestamp = { type: 'integer', minimum: 0 } as const;
/** OCSF enums: the listed ids, 0 Unknown and 99 Other. */
const enumId = (...ids: number[]) => ({ type: 'integer', enum: [0, ...ids, 99] });

const product = {
  type: 'object',
  required: ['vendor_name'],
  additionalProperties: false,
  properties: { name: string, vendor_name: string, version: string, uid: string, lang: string, url_string: string, path: string, cpe_name: string, feature: { type: 'object' } },
} as const;

const account = {
  type: 'object',
  additionalProperties: false,
  properties: { uid: string, name: string, type_id: enumId(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), type: string, labels: stringArray, tags: { type: 'array' } },
} as const;

export const OCSF_COMPLIANCE_FINDING_SCHEMA = {
  type: 'object',
  required: ['activity_id', 'category_uid', 'class_uid', 'type_uid', 'severity_id', 'time', 'metadata', 'finding_info', 'compliance', 'cloud'],
  additionalProperties: false,
  properties: {
    // base_event + classification and occurrence traits
    activity_id: enumId(1, 2, 3),
    activity_name: string,
    category_uid: { const: 2 },
    category_name: { const: 'Findings' },
    class_uid: { const: 2003 },
    class_name: { const: 'Compliance Finding' },
    type_uid: { type: 'integer' },
    type_name: string,
    severity_id: enumId(1, 2, 3, 4, 5, 6),
    severity: string,
    time: timestamp,
    start_time: timestamp,
    end_time: timestamp,
    count: { type: 'integer' },
    duration: { type: 'integer' },
    timezone_offset: { type: 'integer' },
    message: { type: 'string' },
    status_id: enumId(1, 2, 3, 4, 5, 6),
    status: string,
    status_code: string,
    status_detail: string,
    enrichments: { type: 'array' },
    observables: { type: 'array' },
    raw_data: { type: 'string' },
    unmapped: { type: 'object' },
    metadata: {
      type: 'object',
      required: ['version', 'product'],
      additionalProperties: false,
      properties: {
        version: { type: 'string', pattern: '^1\\.[0-9]+\\.[0-9]+' },
        product,
        correlation_uid: string,
        event_code: string,
        extension: { type: 'object' },
        extensions: { type: 'array' },
        labels: stringArray,
        log_level: string,
        log_name: string,
        log_provider: string,
        log_version: string,
        logged_time: timestamp,
        modified_time: timestamp,
        original_time: string,
        processed_time: timestamp,
        profiles: stringArray,
        sequence: { type: 'integer' },
        tenant_uid: string,
        uid: string,
      },
    },
    // finding
    confidence_id: enumId(1, 2, 3),
    finding_info: {
      type: 'object',
      required: ['uid', 'title'],
      additionalProperties: false,
      properties: {
        uid: string,
        title: string,
        desc: string,
        types: stringArray,
        src_url: { type: 'string', format: 'uri' },
        created_time: timestamp,
        first_seen_time: timestamp,
        last_seen_time: timestamp,
        modified_time: timestamp,
        product_uid: string,
        uid_alt: string,
        analytic: { type: 'object' },
        related_events: { type: 'array' },
        data_sources: stringArray,
      },
    },
    // compliance_finding
    compliance: {
      type: 'object',
      required: ['standards'],
      additionalProperties: false,
      properties: {
        control: string,
        requirements: stringArray,
        standards: { ...stringArray, minItems: 1 },
        status_id: enumId(1, 2, 3),
        status: string,
        status_code: string,
        status_detail: string,
      },
    },
    remediation: {
      type: 'object',
      required: ['desc'],
      additionalProperties: false,
      properties: { desc: string, kb_articles: stringArray },
    },
    resources: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          uid: string,
          name: string,
          type: string,
          region: string,
          cloud_partition: string,
          criticality: string,
          group: { type: 'object' },
          labels: stringArray,
          owner: { type: 'object' },
          version: string,
          data: { type: 'object' },
        },
      },
    },
    // the cloud profile
    cloud: {
      type: 'object',
      required: ['provider'],
      additionalProperties: false,
      properties: {
        provider: string,
        region: string,
        zone: string,
        project_uid: string,
        account,
        org: { type: 'object', additionalProperties: false, properties: { uid: string, name: string, ou_uid: string, ou_name: string } },
      },
    },
  },
} as const;

/** Captions of the ids the test checks against the names written beside them. */
export const OCSF_CAPTIONS = {
  severity: { 0: 'Unknown', 1: 'Informational', 2: 'Low', 3: 'Medium', 4: 'High', 5: 'Critical', 6: 'Fatal' },
  activity: { 1: 'Create', 2: 'Update', 3: 'Close' },
  status: { 1: 'New', 2: 'In Progress', 3: 'Suppressed', 4: 'Resolved', 5: 'Archived', 6: 'Deleted' },
  complianceStatus: { 1: 'Pass', 2: 'Warning', 3: 'Fail' },
} as const;
