import { describe, expect, it } from 'vitest';
import { describeCoverage, selectorCoverage, type SelectorCoverage } from '../../src/engine/analysis/selector-coverage.js';
import { foldEventSelectors, type ClassicSelector } from '../../src/snapshot/fold-event-selectors.js';
import type { EventSelector, EventSelectors, FieldSelector } from '../../src/snapshot/schema.js';

const field = (name: string, conditions: Omit<FieldSelector, 'field'>): FieldSelector => ({ field: name, ...conditions });
const managementCategory = field('eventCategory', { equals: ['Management'] });
const dataCategory = field('eventCategory', { equals: ['Data'] });
const readOnlyTrue = field('readOnly', { equals: ['true'] });
const readOnlyFalse = field('readOnly', { equals: ['false'] });
const s3Type = field('resources.type', { equals: ['AWS::S3::Object'] });
const lambdaType = field('resources.type', { equals: ['AWS::Lambda::Function'] });

const advanced = (...selectors: EventSelector[]): EventSelectors => ({ source: 'advanced', selectors });
const selector = (...fieldSelectors: FieldSelector[]): EventSelector => ({ fieldSelectors });
const named = (name: string, ...fieldSelectors: FieldSelector[]): EventSelector => ({ name, fieldSelectors });
const classic = (partition: string, ...selectors: ClassicSelector[]): EventSelectors => foldEventSelectors({ EventSelectors: selectors }, true, partition);

const none = { read: false, write: false };
const both = { read: true, write: true };
const readOnly = { read: true, write: false };
const writeOnly = { read: false, write: true };

function coverage(overrides: {
  management?: Partial<SelectorCoverage['management']>;
  s3?: SelectorCoverage['s3DataAllBuckets'];
  lambda?: SelectorCoverage['lambdaDataAllFunctions'];
  bedrock?: string[];
}): SelectorCoverage {
  return {
    management: { ...none, excludedSources: [], narrowedBy: [], ...overrides.management },
    s3DataAllBuckets: overrides.s3 ?? none,
    lambdaDataAllFunctions: overrides.lambda ?? none,
    bedrockDataTypes: overrides.bedrock ?? [],
  };
}

interface CoverageCase {
  story: string;
  selectors: EventSelectors;
  partition?: string;
  expected: SelectorCoverage;
}

const cases: CoverageCase[] = [
  {
    story: 'advanced Bedrock agent alias, no narrowing: recorded',
    selectors: {
      source: 'advanced',
      selectors: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: ['AWS::Bedrock::AgentAlias'] }] }],
    },
    expected: coverage({ bedrock: ['AWS::Bedrock::AgentAlias'] }),
  },
  {
    story: 'advanced Bedrock read-only plus write-only selectors: union records both',
    selectors: {
      source: 'advanced',
      selectors: [
        { fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: ['AWS::Bedrock::Model'] }, { field: 'readOnly', equals: ['true'] }] },
        { fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: ['AWS::Bedrock::Model'] }, { field: 'readOnly', equals: ['false'] }] },
      ],
    },
    expected: coverage({ bedrock: ['AWS::Bedrock::Model'] }),
  },
  {
    story: 'advanced Bedrock narrowed to one knowledge base, or write only: not recorded',
    selectors: {
      source: 'advanced',
      selectors: [
        {
          fieldSelectors: [
            { field: 'eventCategory', equals: ['Data'] },
            { field: 'resources.type', equals: ['AWS::Bedrock::KnowledgeBase'] },
            { field: 'resources.ARN', equals: ['arn:aws:bedrock:us-east-1:111111111111:knowledge-base/KB1'] },
          ],
        },
        { fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: ['AWS::Bedrock::Guardrail'] }, { field: 'readOnly', equals: ['false'] }] },
      ],
    },
    expected: coverage({}),
  },
  {
    story: 'default selectors: management read and write',
    selectors: foldEventSelectors(undefined, false, 'aws'),
    expected: coverage({ management: both }),
  },
  {
    story: 'classic All',
    selectors: classic('aws', { ReadWriteType: 'All', IncludeManagementEvents: true }),
    expected: coverage({ management: both }),
  },
  {
    story: 'classic ReadOnly',
    selectors: classic('aws', { ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }),
    expected: coverage({ management: readOnly }),
  },
  {
    story: 'classic WriteOnly',
    selectors: classic('aws', { ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }),
    expected: coverage({ management: writeOnly }),
  },
  {
    story: 'classic ReadOnly plus classic WriteOnly cover both',
    selectors: classic('aws', { ReadWriteType: 'ReadOnly' }, { ReadWriteType: 'WriteOnly' }),
    expected: coverage({ management: both }),
  },
  {
    story: 'classic kms and rdsdata exclusions: management not covered',
    selectors: classic('aws', { ReadWriteType: 'All', IncludeManagementEvents: true, ExcludeManagementEventSources: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] }),
    expected: coverage({
      management: {
        excludedSources: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'],
        narrowedBy: ['eventSource notEquals kms.amazonaws.com, rdsdata.amazonaws.com'],
      },
    }),
  },
  {
    story: 'classic IncludeManagementEvents false: no management, S3 all buckets both',
    selectors: classic('aws', { IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }] }),
    expected: coverage({ s3: both }),
  },
  {
    story: 'classic S3 arn:aws:s3::: is all buckets',
    selectors: classic('aws', { IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::'] }] }),
    expected: coverage({ s3: both }),
  },
  {
    story: 'classic S3 arn:aws:s3:::bucket/ is not all buckets',
    selectors: classic('aws', { IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::fail-bucket/'] }] }),
    expected: coverage({}),
  },
  {
    story: 'classic WriteOnly S3 all buckets: writes only, management writes only',
    selectors: classic('aws', { ReadWriteType: 'WriteOnly', DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }] }),
    expected: coverage({ management: writeOnly, s3: writeOnly }),
  },
  {
    story: 'classic Lambda all functions',
    selectors: classic('aws', { IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::Lambda::Function', Values: ['arn:aws:lambda'] }] }),
    expected: coverage({ lambda: both }),
  },
  {
    story: 'aws-cn: arn:aws-cn:s3 is all buckets',
    partition: 'aws-cn',
    selectors: classic('aws-cn', { DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws-cn:s3'] }] }),
    expected: coverage({ management: both, s3: both }),
  },
  {
    story: 'aws-cn: an aws-partition all-buckets value records nothing there',
    partition: 'aws-cn',
    selectors: classic('aws-cn', { IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }] }),
    expected: coverage({}),
  },
  {
    story: 'aws-us-gov: Lambda all functions',
    partition: 'aws-us-gov',
    selectors: classic('aws-us-gov', { IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::Lambda::Function', Values: ['arn:aws-us-gov:lambda'] }] }),
    expected: coverage({ lambda: both }),
  },
  {
    story: 'advanced union: a read-only and a write-only selector cover both',
    selectors: advanced(selector(managementCategory, readOnlyTrue), selector(managementCategory, readOnlyFalse)),
    expected: coverage({ management: both }),
  },
  {
    story: 'advanced management with no readOnly field covers both',
    selectors: advanced(selector(managementCategory)),
    expected: coverage({ management: both }),
  },
  {
    story: 'advanced readOnly equals both values covers both',
    selectors: advanced(selector(managementCategory, field('readOnly', { equals: ['true', 'false'] }))),
    expected: coverage({ management: both }),
  },
  {
    story: 'advanced readOnly notEquals true is writes only',
    selectors: advanced(selector(managementCategory, field('readOnly', { notEquals: ['true'] }))),
    expected: coverage({ management: writeOnly }),
  },
  {
    story: 'advanced readOnly notEquals both values is nothing',
    selectors: advanced(selector(managementCategory, field('readOnly', { notEquals: ['true', 'false'] }))),
    expected: coverage({}),
  },
  {
    story: 'advanced eventSource notEquals kms: excluded, not covered',
    selectors: advanced(selector(managementCategory, field('eventSource', { notEquals: ['kms.amazonaws.com'] }))),
    expected: coverage({ management: { excludedSources: ['kms.amazonaws.com'], narrowedBy: ['eventSource notEquals kms.amazonaws.com'] } }),
  },
  {
    story: 'advanced eventName equals ConsoleLogin: narrowed, not covered',
    selectors: advanced(selector(managementCategory, field('eventName', { equals: ['ConsoleLogin'] }))),
    expected: coverage({ management: { narrowedBy: ['eventName equals ConsoleLogin'] } }),
  },
  {
    story: 'advanced: a narrowed write selector does not complete an un-narrowed read selector',
    selectors: advanced(
      selector(managementCategory, readOnlyTrue),
      selector(managementCategory, readOnlyFalse, field('userIdentity.arn', { notStartsWith: ['arn:aws:sts::111122223333:assumed-role/ci/'] })),
    ),
    expected: coverage({ management: { ...readOnly, narrowedBy: ['userIdentity.arn notStartsWith arn:aws:sts::111122223333:assumed-role/ci/'] } }),
  },
  {
    story: 'advanced: an un-narrowed selector covers management even beside a narrowed one',
    selectors: advanced(selector(managementCategory), selector(managementCategory, field('eventSource', { notEquals: ['kms.amazonaws.com'] }))),
    expected: coverage({ management: { ...both, excludedSources: ['kms.amazonaws.com'], narrowedBy: ['eventSource notEquals kms.amazonaws.com'] } }),
  },
  {
    story: 'names that promise everything are ignored: "management-all" narrowed by errorCode',
    selectors: advanced(named('management-all', managementCategory, field('errorCode', { equals: ['AccessDenied'] }))),
    expected: coverage({ management: { narrowedBy: ['errorCode equals AccessDenied'] } }),
  },
  {
    story: 'names that promise everything are ignored: "s3-all-buckets" on one bucket',
    selectors: advanced(named('s3-all-buckets', dataCategory, s3Type, field('resources.ARN', { startsWith: ['arn:aws:s3:::fail-bucket/'] }))),
    expected: coverage({}),
  },
  {
    story: 'advanced S3 with no ARN field: all buckets, read and write',
    selectors: advanced(selector(dataCategory, s3Type)),
    expected: coverage({ s3: both }),
  },
  {
    story: 'advanced S3 resources.ARN startsWith arn:aws:s3::: is all buckets',
    selectors: advanced(selector(dataCategory, s3Type, field('resources.ARN', { startsWith: ['arn:aws:s3:::'] }), readOnlyFalse)),
    expected: coverage({ s3: writeOnly }),
  },
  {
    story: 'advanced S3 resources.ARN startsWith a specific bucket is not all',
    selectors: advanced(selector(dataCategory, s3Type, field('resources.ARN', { startsWith: ['arn:aws:s3:::fail-bucket/'] }))),
    expected: coverage({}),
  },
  {
    story: 'advanced S3 resources.ARN notStartsWith a bucket is not all',
    selectors: advanced(selector(dataCategory, s3Type, field('resources.ARN', { notStartsWith: ['arn:aws:s3:::noisy-bucket/'] }))),
    expected: coverage({}),
  },
  {
    story: 'advanced S3 eventName equals PutObject is narrowed',
    selectors: advanced(selector(dataCategory, s3Type, field('eventName', { equals: ['PutObject'] }))),
    expected: coverage({}),
  },
  {
    story: 'advanced S3 read selector plus S3 write selector cover both',
    selectors: advanced(selector(dataCategory, s3Type, readOnlyTrue), selector(dataCategory, s3Type, readOnlyFalse)),
    expected: coverage({ s3: both }),
  },
  {
    story: 'advanced S3 without eventCategory is not counted',
    selectors: advanced(selector(s3Type)),
    expected: coverage({}),
  },
  {
    story: 'advanced data selector for another type does not count for S3',
    selectors: advanced(selector(dataCategory, field('resources.type', { equals: ['AWS::DynamoDB::Table'] }))),
    expected: coverage({}),
  },
  {
    story: 'advanced Lambda all functions',
    selectors: advanced(selector(dataCategory, lambdaType)),
    expected: coverage({ lambda: both }),
  },
  {
    story: 'advanced Lambda resources.ARN startsWith arn:aws:lambda is all functions',
    selectors: advanced(selector(dataCategory, lambdaType, field('resources.ARN', { startsWith: ['arn:aws:lambda'] }))),
    expected: coverage({ lambda: both }),
  },
  {
    story: 'advanced Lambda for one function is not all',
    selectors: advanced(selector(dataCategory, lambdaType, field('resources.ARN', { equals: ['arn:aws:lambda:us-east-1:111122223333:function:fail-fn'] }))),
    expected: coverage({}),
  },
  {
    story: 'a management selector never counts as data, nor data as management',
    selectors: advanced(selector(managementCategory, s3Type), selector(dataCategory)),
    expected: coverage({ management: { narrowedBy: ['resources.type equals AWS::S3::Object'] } }),
  },
  {
    story: 'empty selector list: nothing covered',
    selectors: advanced(),
    expected: coverage({}),
  },
];

describe('selectorCoverage', () => {
  it.each(cases)('$story', ({ selectors, partition = 'aws', expected }) => {
    expect(selectorCoverage(selectors, partition)).toEqual(expected);
  });
});

describe('describeCoverage', () => {
  it.each([
    [coverage({ management: both }), 'Management events: read and write; S3 data events for all buckets: none; Lambda data events for all functions: none.'],
    [
      coverage({ management: { ...writeOnly, narrowedBy: ['eventName equals ConsoleLogin'] }, s3: readOnly, lambda: both }),
      'Management events: write only (narrowed by eventName equals ConsoleLogin); S3 data events for all buckets: read only; Lambda data events for all functions: read and write.',
    ],
    [
      coverage({ management: { ...both, narrowedBy: ['eventSource notEquals kms.amazonaws.com'] } }),
      'Management events: read and write; S3 data events for all buckets: none; Lambda data events for all functions: none.',
    ],
    [
      coverage({ management: { excludedSources: ['kms.amazonaws.com'], narrowedBy: ['eventSource notEquals kms.amazonaws.com', 'eventName equals Decrypt'] } }),
      'Management events: none (narrowed by eventSource notEquals kms.amazonaws.com; eventName equals Decrypt); S3 data events for all buckets: none; Lambda data events for all functions: none.',
    ],
  ])('%#: %s', (input, sentence) => {
    expect(describeCoverage(input)).toBe(sentence);
  });
});
