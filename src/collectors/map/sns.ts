/** SNS answers -> topic facts. Pure. */
import { MalformedResponseError } from '../errors.js';

/** GetTopicAttributes.Attributes.SubscriptionsConfirmed (a decimal string). */
export function mapConfirmedSubscriptions(attributes: Record<string, string> | undefined): number {
  const raw = attributes?.SubscriptionsConfirmed;
  const count = raw === undefined ? Number.NaN : Number(raw);
  if (!Number.isInteger(count) || count < 0) throw new MalformedResponseError('GetTopicAttributes has no valid SubscriptionsConfirmed');
  return count;
}
