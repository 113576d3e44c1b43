/** SNS topic attributes, read in the topic's own account and region. */
import { AwsError, QUERY_ERRORS } from '../errors.js';
import type { ServiceDefinition } from '../service.js';
import { XmlMap } from '../wire.js';

const TOPIC_ARN_PATTERN = /^arn:[a-z-]+:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256})$/;

export const sns: ServiceDefinition = {
  name: 'sns',
  protocol: 'query',
  xmlNamespace: 'http://sns.amazonaws.com/doc/2010-03-31/',
  regional: true,
  errors: { ...QUERY_ERRORS, throttling: { code: 'Throttled', status: 429 }, accessDenied: { code: 'AuthorizationError', status: 403 } },
  actions: {
    GetTopicAttributes: (context, params) => {
      const topicArn = params.get('TopicArn') ?? '';
      const match = TOPIC_ARN_PATTERN.exec(topicArn);
      if (!match || match[1] !== context.region) throw new AwsError({ code: 'InvalidParameter', status: 400 }, 'Invalid parameter: TopicArn');
      const [, region, accountId, name] = match as unknown as [string, string, string, string];
      if (accountId !== context.caller.accountId) {
        throw new AwsError(
          { code: 'AuthorizationError', status: 403 },
          `User: ${context.caller.arn} is not authorized to perform: SNS:GetTopicAttributes on resource: ${topicArn}`,
        );
      }
      const topic = context.world.account(accountId)?.snsTopics.find((candidate) => candidate.region === region && candidate.name === name);
      if (!topic) throw new AwsError({ code: 'NotFound', status: 404 }, 'Topic does not exist');
      const policy = {
        Version: '2008-10-17',
        Id: '__default_policy_ID',
        Statement: [
          {
            Sid: '__default_statement_ID',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: ['SNS:GetTopicAttributes', 'SNS:Subscribe', 'SNS:Publish'],
            Resource: topicArn,
            Condition: { StringEquals: { 'AWS:SourceOwner': accountId } },
          },
        ],
      };
      const attributes: Record<string, string> = {
        TopicArn: topicArn,
        Owner: accountId,
        DisplayName: '',
        Policy: JSON.stringify(policy),
        SubscriptionsConfirmed: String(topic.confirmedSubscriptions),
        SubscriptionsPending: String(topic.pendingSubscriptions ?? 0),
        SubscriptionsDeleted: '0',
      };
      if (topic.kmsMasterKeyId !== undefined) attributes.KmsMasterKeyId = topic.kmsMasterKeyId;
      return { Attributes: new XmlMap(attributes) };
    },
  },
};
