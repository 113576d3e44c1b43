import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import type { GetEventSelectorsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { foldEventSelectors, MalformedSelectorError, type EventSelectorsResponse } from '../../../src/snapshot/fold-event-selectors.js';
import { isAllResourcesArnPrefix } from '../../../src/snapshot/selector-vocabulary.js';
import { EventSelectorsSchema, type EventSelectors, type FieldSelector } from '../../../src/snapshot/schema.js';

const validateEventSelectors = new Ajv({ allErrors: true, strict: false }).compile<EventSelectors>(EventSelectorsSchema);

const management: FieldSelector = { field: 'eventCategory', equals: ['Management'] };
const data: FieldSelector = { field: 'eventCategory', equals: ['Data'] };
const s3Objects: FieldSelector = { field: 'resources.type', equals: ['AWS::S3::Object'] };
const lambdaFunctions: FieldSelector = { field: 'resources.type', equals: ['AWS::Lambda::Function'] };
const readOnly: FieldSelector = { field: 'readOnly', equals: ['true'] };
const writeOnly: FieldSelector = { field: 'readOnly', equals: ['false'] };

interface FoldCase {
  story: string;
  api: EventSelectorsResponse | undefined;
  hasCustom?: boolean;
  partition?: string;
  expected: EventSelectors;
}

const classic = (...EventSelectors: NonNullable<EventSelectorsResponse['EventSelectors']>): EventSelectorsResponse => ({ EventSelectors });
const s3Resource = (...Values: string[]) => ({ Type: 'AWS::S3::Object', Values });

const cases: FoldCase[] = [
  {
    story: 'no custom selectors: all management events, whatever the response says',
    api: classic({ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }),
    hasCustom: false,
    expected: { source: 'default', selectors: [{ fieldSelectors: [management] }] },
  },
  {
    story: 'no custom selectors and no response',
    api: undefined,
    hasCustom: false,
    expected: { source: 'default', selectors: [{ fieldSelectors: [management] }] },
  },
  {
    story: 'classic All with management events',
    api: classic({ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }),
    expected: { source: 'classic', selectors: [{ fieldSelectors: [management] }] },
  },
  {
    story: 'classic without ReadWriteType or IncludeManagementEvents takes the AWS defaults (All, true)',
    api: classic({}),
    expected: { source: 'classic', selectors: [{ fieldSelectors: [management] }] },
  },
  {
    story: 'classic ReadOnly',
    api: classic({ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }),
    expected: { source: 'classic', selectors: [{ fieldSelectors: [management, readOnly] }] },
  },
  {
    story: 'classic WriteOnly',
    api: classic({ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }),
    expected: { source: 'classic', selectors: [{ fieldSelectors: [management, writeOnly] }] },
  },
  {
    story: 'classic kms and rdsdata exclusions stay as an eventSource narrowing',
    api: classic({ ReadWriteType: 'All', IncludeManagementEvents: true, ExcludeManagementEventSources: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] }),
    expected: {
      source: 'classic',
      selectors: [{ fieldSelectors: [management, { field: 'eventSource', notEquals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] }] }],
    },
  },
  {
    story: 'classic IncludeManagementEvents false keeps only the data resources',
    api: classic({ ReadWriteType: 'All', IncludeManagementEvents: false, DataResources: [s3Resource('arn:aws:s3')] }),
    expected: { source: 'classic', selectors: [{ fieldSelectors: [data, s3Objects] }] },
  },
  {
    story: 'classic S3 arn:aws:s3 is all buckets',
    api: classic({ IncludeManagementEvents: false, DataResources: [s3Resource('arn:aws:s3')] }),
    expected: { source: 'classic', selectors: [{ fieldSelectors: [data, s3Objects] }] },
  },
  {
    story: 'classic S3 arn:aws:s3::: is all buckets',
    api: classic({ IncludeManagementEvents: false, DataResources: [s3Resource('arn:aws:s3:::')] }),
    expected: { source: 'classic', selectors: [{ fieldSelectors: [data, s3Objects] }] },
  },
  {
    story: 'classic S3 arn:aws:s3:::bucket/ is one bucket, kept as a prefix',
    api: classic({ IncludeManagementEvents: false, DataResources: [s3Resource('arn:aws:s3:::pass-bucket/')] }),
    expected: {
      source: 'classic',
      selectors: [{ fieldSelectors: [data, s3Objects, { field: 'resources.ARN', startsWith: ['arn:aws:s3:::pass-bucket/'] }] }],
    },
  },
  {
    story: 'classic S3 with a bucket and the all-buckets value is all buckets (values are a union)',
    api: classic({ IncludeManagementEvents: false, DataResources: [s3Resource('arn:aws:s3:::pass-bucket/', 'arn:aws:s3')] }),
    expected: { source: 'classic', selectors: [{ fieldSelectors: [data, s3Objects] }] },
  },
  {
    story: 'classic WriteOnly applies to management and data alike',
    api: classic({ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [s3Resource('arn:aws:s3')] }),
    expected: {
      source: 'classic',
      selectors: [{ fieldSelectors: [management, writeOnly] }, { fieldSelectors: [data, s3Objects, writeOnly] }],
    },
  },
  {
    story: 'classic Lambda arn:aws:lambda is all functions',
    api: classic({ IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::Lambda::Function', Values: ['arn:aws:lambda'] }] }),
    expected: { source: 'classic', selectors: [{ fieldSelectors: [data, lambdaFunctions] }] },
  },
  {
    story: 'classic Lambda function ARNs are exact, so they fold to equals, not a prefix',
    api: classic({
      IncludeManagementEvents: false,
      DataResources: [{ Type: 'AWS::Lambda::Function', Values: ['arn:aws:lambda:us-east-1:111122223333:function:hello'] }],
    }),
    expected: {
      source: 'classic',
      selectors: [
        { fieldSelectors: [data, lambdaFunctions, { field: 'resources.ARN', equals: ['arn:aws:lambda:us-east-1:111122223333:function:hello'] }] },
      ],
    },
  },
  {
    story: 'classic data resource without values selects nothing',
    api: classic({ IncludeManagementEvents: true, DataResources: [{ Type: 'AWS::S3::Object', Values: [] }] }),
    expected: { source: 'classic', selectors: [{ fieldSelectors: [management] }] },
  },
  {
    story: 'aws-cn: arn:aws-cn:s3::: is all buckets',
    api: classic({ IncludeManagementEvents: false, DataResources: [s3Resource('arn:aws-cn:s3:::')] }),
    partition: 'aws-cn',
    expected: { source: 'classic', selectors: [{ fieldSelectors: [data, s3Objects] }] },
  },
  {
    story: 'aws-cn: an aws-partition value is not all buckets and stays a narrowing',
    api: classic({ IncludeManagementEvents: false, DataResources: [s3Resource('arn:aws:s3')] }),
    partition: 'aws-cn',
    expected: { source: 'classic', selectors: [{ fieldSelectors: [data, s3Objects, { field: 'resources.ARN', startsWith: ['arn:aws:s3'] }] }] },
  },
  {
    story: 'aws-us-gov: arn:aws-us-gov:lambda is all functions',
    api: classic({ IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::Lambda::Function', Values: ['arn:aws-us-gov:lambda'] }] }),
    partition: 'aws-us-gov',
    expected: { source: 'classic', selectors: [{ fieldSelectors: [data, lambdaFunctions] }] },
  },
  {
    story: 'advanced: camelCase copy, empty operator arrays dropped, names kept',
    api: {
      AdvancedEventSelectors: [
        {
          Name: 'management-all',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Management'], NotEquals: [] },
            { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'], StartsWith: [] },
          ],
        },
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::a/'], NotStartsWith: ['arn:aws:s3:::a/tmp/'], EndsWith: ['.json'], NotEndsWith: ['.gz'] },
          ],
        },
      ],
    },
    expected: {
      source: 'advanced',
      selectors: [
        { name: 'management-all', fieldSelectors: [management, { field: 'eventSource', notEquals: ['kms.amazonaws.com'] }] },
        {
          fieldSelectors: [
            data,
            s3Objects,
            { field: 'resources.ARN', startsWith: ['arn:aws:s3:::a/'], notStartsWith: ['arn:aws:s3:::a/tmp/'], endsWith: ['.json'], notEndsWith: ['.gz'] },
          ],
        },
      ],
    },
  },
  {
    story: 'advanced: an empty list is advanced with no selectors (nothing logged)',
    api: { AdvancedEventSelectors: [] },
    expected: { source: 'advanced', selectors: [] },
  },
  {
    story: 'custom selectors with an empty classic list log nothing',
    api: { EventSelectors: [] },
    expected: { source: 'classic', selectors: [] },
  },
];

describe('foldEventSelectors', () => {
  it.each(cases)('$story', ({ api, hasCustom = true, partition = 'aws', expected }) => {
    const folded = foldEventSelectors(api, hasCustom, partition);
    expect(folded).toEqual(expected);
    expect(validateEventSelectors(folded), JSON.stringify(validateEventSelectors.errors)).toBe(true);
  });

  it('takes a GetEventSelectors response exactly as the SDK types it', () => {
    const response: GetEventSelectorsCommandOutput = {
      $metadata: { httpStatusCode: 200 },
      TrailARN: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/pass-trail',
      AdvancedEventSelectors: [{ Name: 'writes', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['false'] }] }],
    };
    expect(foldEventSelectors(response, true, 'aws')).toEqual({
      source: 'advanced',
      selectors: [{ name: 'writes', fieldSelectors: [management, writeOnly] }],
    });
  });

  it('does not share mutable arrays with the response', () => {
    const response = classic({ ExcludeManagementEventSources: ['kms.amazonaws.com'] });
    const folded = foldEventSelectors(response, true, 'aws');
    response.EventSelectors?.[0]?.ExcludeManagementEventSources?.push('rdsdata.amazonaws.com');
    expect(folded.selectors[0]?.fieldSelectors[1]).toEqual({ field: 'eventSource', notEquals: ['kms.amazonaws.com'] });
  });

  const malformed: { story: string; api: EventSelectorsResponse | undefined; message: RegExp }[] = [
    { story: 'custom selectors without a response', api: undefined, message: /no GetEventSelectors response/ },
    {
      story: 'both selector kinds',
      api: { EventSelectors: [{}], AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] },
      message: /both/,
    },
    { story: 'an unknown ReadWriteType', api: classic({ ReadWriteType: 'Sometimes' }), message: /ReadWriteType Sometimes/ },
    { story: 'a data resource without Type', api: classic({ DataResources: [{ Values: ['arn:aws:s3'] }] }), message: /no Type/ },
    { story: 'an advanced selector without FieldSelectors', api: { AdvancedEventSelectors: [{ Name: 'x', FieldSelectors: undefined }] }, message: /x has no FieldSelectors/ },
    { story: 'a field selector without Field', api: { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: undefined, Equals: ['Data'] }] }] }, message: /no Field/ },
  ];

  it.each(malformed)('refuses to guess: $story', ({ api, message }) => {
    expect(() => foldEventSelectors(api, true, 'aws')).toThrow(MalformedSelectorError);
    expect(() => foldEventSelectors(api, true, 'aws')).toThrow(message);
  });
});

describe('isAllResourcesArnPrefix', () => {
  it.each([
    ['AWS::S3::Object', 'arn:aws:s3', 'aws', true],
    ['AWS::S3::Object', 'arn:aws:s3:', 'aws', true],
    ['AWS::S3::Object', 'arn:aws:s3:::', 'aws', true],
    ['AWS::S3::Object', 'arn:aws:s3:::b', 'aws', false],
    ['AWS::S3::Object', 'arn:aws', 'aws', false],
    ['AWS::S3::Object', 'arn:aws:s3', 'aws-cn', false],
    ['AWS::S3::Object', 'arn:aws-cn:s3:::', 'aws-cn', true],
    ['AWS::S3::Object', 'arn:aws:lambda', 'aws', false],
    ['AWS::Lambda::Function', 'arn:aws:lambda', 'aws', true],
    ['AWS::Lambda::Function', 'arn:aws:lambda:', 'aws', true],
    ['AWS::Lambda::Function', 'arn:aws:lambda:us-east-1', 'aws', false],
    ['AWS::Lambda::Function', 'arn:aws-us-gov:lambda', 'aws-us-gov', true],
    ['AWS::DynamoDB::Table', 'arn:aws:dynamodb', 'aws', true],
    ['AWS::S3Outposts::Object', 'arn:aws:s3-outposts', 'aws', false],
  ])('%s %s in %s -> %s', (type, prefix, partition, expected) => {
    expect(isAllResourcesArnPrefix(type, prefix, partition)).toBe(expected);
  });
});
