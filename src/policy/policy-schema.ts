/**
 * JSON Schemas of the files users write: policy rules, framework packs and the config file.
 * Published under schemas/ (npm run schemas) for editor completion via `$schema` or
 * `# yaml-language-server: $schema=…`; a test pins the published copies.
 */
import { OPERATOR_NAMES } from '../engine/operators.js';
import { RESOURCE_TYPES, SEVERITIES } from '../results.js';

const paramValue = {
  anyOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'null' },
    { type: 'array', items: { type: 'string' } },
    { type: 'array', items: { type: 'number' } },
  ],
};
const plainOperand = { anyOf: [...paramValue.anyOf, { $ref: '#/$defs/paramRef' }] };
/** Operators with structured arguments (e.g. coversCis) take an object whose fields are operands. */
const operand = { anyOf: [...plainOperand.anyOf, { type: 'object', not: { required: ['param'] }, additionalProperties: plainOperand }] };
const countOps = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'];
const pathString = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\[\\])?(\\.[A-Za-z_$][A-Za-z0-9_]*(\\[\\])?)*$' };

const conditionDefs = {
  paramRef: {
    type: 'object',
    required: ['param'],
    additionalProperties: false,
    properties: { param: { type: 'string' } },
  },
  condition: {
    description: 'A condition: all / any / not, a quantifier (some / every / none / count) over an array, or a comparison.',
    oneOf: [
      { type: 'object', required: ['all'], additionalProperties: false, properties: { all: { type: 'array', minItems: 1, items: { $ref: '#/$defs/condition' } } } },
      { type: 'object', required: ['any'], additionalProperties: false, properties: { any: { type: 'array', minItems: 1, items: { $ref: '#/$defs/condition' } } } },
      { type: 'object', required: ['not'], additionalProperties: false, properties: { not: { $ref: '#/$defs/condition' } } },
      ...(['some', 'every', 'none'] as const).map((q) => ({
        type: 'object',
        required: [q, 'where'],
        additionalProperties: false,
        properties: { [q]: { ...pathString, description: `Path of an array; true when ${q} element(s) satisfy 'where'.` }, where: { $ref: '#/$defs/condition' } },
      })),
      {
        type: 'object',
        required: ['count', 'op', 'value'],
        additionalProperties: false,
        properties: {
          count: pathString,
          where: { $ref: '#/$defs/condition' },
          op: { enum: countOps },
          value: { anyOf: [{ type: 'integer', minimum: 0 }, { $ref: '#/$defs/paramRef' }] },
        },
      },
      {
        type: 'object',
        required: ['path', 'op'],
        additionalProperties: false,
        properties: { path: pathString, op: { enum: OPERATOR_NAMES }, value: operand },
      },
      {
        type: 'object',
        required: ['param', 'op'],
        additionalProperties: false,
        properties: { param: { type: 'string' }, op: { enum: OPERATOR_NAMES }, value: operand },
      },
      {
        type: 'object',
        required: ['use'],
        additionalProperties: false,
        properties: {
          use: {
            type: 'object',
            description: 'Include a named condition fragment (policies/fragments/<id>.yaml or a fragments/ folder of --policies) with its parameters.',
            required: ['fragment'],
            additionalProperties: false,
            properties: {
              fragment: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
              with: { type: 'object', description: "Fragment parameter -> a value, or { param: NAME } of the including rule's parameters.", additionalProperties: operand },
            },
          },
        },
      },
    ],
  },
};

export const policySchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://trailwarden.dev/schemas/policy.schema.json',
  title: 'trailwarden policy rule',
  type: 'object',
  required: ['id', 'title', 'severity', 'scope', 'description', 'remediation', 'condition', 'messages'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    id: { type: 'string', pattern: '^[a-z0-9-]+/[a-z0-9-]+$', description: '<group>/<name>, equal to the file path policies/<group>/<name>.yaml' },
    title: { type: 'string', minLength: 1 },
    severity: { enum: [...SEVERITIES] },
    scope: { enum: [...RESOURCE_TYPES], description: 'The resource type the rule is evaluated on.' },
    description: { type: 'string', minLength: 1 },
    remediation: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        console: { type: 'string', description: 'Console steps (prose).' },
        cli: {
          type: 'string',
          description:
            'AWS CLI commands only, no prose. <bucket>, <region>, <trail-arn>, <home-region>, <account-id>, <key-arn>, <log-group>, <log-group-arn>, <log-group-region>, <event-data-store-arn>, <store-region> are filled with each finding\'s values.',
        },
        terraform: { type: 'string', description: 'A Terraform (HCL) snippet; placeholders as in cli.' },
      },
    },
    frameworks: {
      type: 'object',
      description: 'Optional. Framework key -> control ids, e.g. cis-aws-foundations-v5.0: ["3.1"]. Only mappings that are true.',
      additionalProperties: { type: 'array', items: { type: 'string' } },
    },
    params: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['type', 'default', 'description'],
        additionalProperties: false,
        properties: {
          type: { enum: ['string', 'number', 'integer', 'boolean', 'string-array'] },
          default: paramValue,
          description: { type: 'string' },
        },
      },
    },
    applies: { $ref: '#/$defs/condition', description: 'When false the finding is not_applicable.' },
    requires: {
      enum: ['verify-integrity', 'verify-integrity-files'],
      description:
        'Facts collected only on request (--verify-integrity, --verify-integrity-files): a snapshot without them leaves the rule unevaluated (no finding), not error.',
    },
    condition: { $ref: '#/$defs/condition' },
    messages: {
      type: 'object',
      required: ['pass', 'fail'],
      additionalProperties: false,
      description: "One sentence each; {resource} names the resource, {param.NAME} a parameter, {evidence} the facts that decided the verdict, and a path of the scope (e.g. {trail.s3BucketName}) the fact's value.",
      properties: { pass: { type: 'string' }, fail: { type: 'string' }, notApplicable: { type: 'string' } },
    },
    helpUri: { type: 'string' },
  },
  $defs: conditionDefs,
} as const;

export const fragmentSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://trailwarden.dev/schemas/fragment.schema.json',
  title: 'trailwarden condition fragment',
  description: 'A reusable condition with typed parameters, included in rules by `use: { fragment: <id>, with: { … } }`.',
  type: 'object',
  required: ['id', 'description', 'condition'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$', description: 'Equal to the file name: fragments/<id>.yaml' },
    description: { type: 'string', minLength: 1 },
    params: {
      type: 'object',
      description: 'Parameters the condition reads as { param: NAME }; one without a default must be given by every use.',
      additionalProperties: {
        type: 'object',
        required: ['type', 'description'],
        additionalProperties: false,
        properties: {
          type: { enum: ['string', 'number', 'integer', 'boolean', 'string-array'] },
          default: paramValue,
          description: { type: 'string' },
        },
      },
    },
    condition: { $ref: '#/$defs/condition' },
  },
  $defs: conditionDefs,
} as const;

export const packSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://trailwarden.dev/schemas/pack.schema.json',
  title: 'trailwarden framework pack',
  type: 'object',
  required: ['id', 'title'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]*$' },
    title: { type: 'string' },
    version: { type: 'string' },
    description: { type: 'string' },
    sources: { type: 'array', items: { type: 'string' } },
    controls: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'title', 'rules'],
        additionalProperties: false,
        properties: {
          id: { type: 'string' },
          title: { type: 'string' },
          rules: { type: 'array', minItems: 1, items: { type: 'string' } },
        },
      },
    },
    rules: { type: 'array', items: { type: 'string' } },
  },
  oneOf: [{ required: ['controls'] }, { required: ['rules'] }],
} as const;

/** The `rules:` section of the config file: per-rule settings by rule id. */
export const ruleSettingsSchema = {
  type: 'object',
  description: 'Per-rule settings by rule id.',
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    properties: {
      enabled: { type: 'boolean' },
      severity: { enum: [...SEVERITIES] },
      params: { type: 'object', additionalProperties: paramValue },
    },
  },
} as const;

/** The `suppressions:` section of the config file. */
export const suppressionsSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['rule', 'resource', 'reason'],
    additionalProperties: false,
    properties: {
      rule: { type: 'string', description: 'Rule id, or a glob such as trail/*.' },
      resource: { type: 'string', description: 'Resource ARN (or account id), or a glob; * matches any characters.' },
      reason: { type: 'string', minLength: 1 },
      expires: { type: 'string', format: 'date', description: 'YYYY-MM-DD; the suppression stops applying after this day.' },
    },
  },
} as const;
