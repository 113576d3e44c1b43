/** SNS topics that monitoring alarms notify: confirmed subscriptions, each topic read once per scan. */
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { compareIdentity } from '../snapshot/merge.js';
import type { CollectionError, SnsTopic } from '../snapshot/schema.js';
import { factOf, openOwner, ownerUnavailable, type ScanContext } from './context.js';
import { locate } from './locate.js';
import { parseArn } from './map/arn.js';
import { mapConfirmedSubscriptions } from './map/sns.js';

export class TopicCollector {
  private readonly topics = new Map<string, Promise<SnsTopic | undefined>>();

  constructor(private readonly context: ScanContext) {}

  async snsTopics(): Promise<SnsTopic[]> {
    const topics = await Promise.all(this.topics.values());
    return topics.filter((topic): topic is SnsTopic => topic !== undefined).sort((a, b) => compareIdentity(a.arn, b.arn));
  }

  /** Starts reading the topic an alarm action names (once); other action kinds are not topics. */
  notify(arn: string): void {
    const parsed = parseArn(arn);
    if (parsed?.service !== 'sns' || this.topics.has(arn)) return;
    this.topics.set(arn, this.context.tasks.spawn(() => this.readTopic(arn)));
  }

  private async readTopic(arn: string): Promise<SnsTopic | undefined> {
    const location = locate(this.context, arn, 'alarm action', 'sns:GetTopicAttributes');
    if (location === undefined) return undefined;
    const owner = await openOwner(this.context, location.accountId);
    const confirmedSubscriptions: number | CollectionError = owner.ok
      ? await factOf(
          this.context.gateway.read(location, 'sns', new GetTopicAttributesCommand({ TopicArn: arn }), (output) => mapConfirmedSubscriptions(output.Attributes)),
          // A deleted topic notifies nobody: zero confirmed subscriptions is the truth.
          { codes: ['NotFound', 'NotFoundException'], value: 0 },
        )
      : ownerUnavailable('sns:GetTopicAttributes', location.accountId, location.region, owner);
    return { arn, ...location, confirmedSubscriptions };
  }
}
