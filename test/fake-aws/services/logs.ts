/** CloudWatch Logs reads: the caller's log groups in the request's region and their metric filters. */
import { AwsError, JSON_ERRORS } from '../errors.js';
import { logGroupArn, type FakeLogGroup, type FakeMetricFilter } from '../model.js';
import { paginate } from '../pagination.js';
import { numberMember, stringListMember, stringMember, type CallContext, type ServiceDefinition } from '../service.js';

const PAGE_SIZE = 50;
const invalidParameter = { code: 'InvalidParameterException', status: 400 };
const CREATED = '2022-06-01T00:00:00Z';

function groupsHere(context: CallContext): FakeLogGroup[] {
  return (context.world.account(context.caller.accountId)?.logGroups ?? []).filter((group) => group.region === context.region);
}

function pageLimit(context: CallContext, action: string, input: Record<string, unknown>): number {
  const limit = numberMember(input, 'limit');
  if (limit !== undefined && (limit < 1 || limit > PAGE_SIZE)) throw new AwsError(invalidParameter, `limit must be between 1 and ${PAGE_SIZE}.`);
  return Math.min(limit ?? PAGE_SIZE, context.pageSize(action, PAGE_SIZE));
}

/** Log group timestamps are epoch milliseconds (a long), unlike other JSON timestamps. */
function epochMillis(value: string | undefined): number {
  return new Date(value ?? CREATED).getTime();
}

export const logs: ServiceDefinition = {
  name: 'logs',
  protocol: 'json',
  jsonVersion: '1.1',
  targetPrefix: 'Logs_20140328',
  queryCompatible: false,
  regional: true,
  errors: JSON_ERRORS,
  actions: {
    DescribeLogGroups: (context, input) => {
      const prefix = stringMember(input, 'logGroupNamePrefix');
      const pattern = stringMember(input, 'logGroupNamePattern');
      const identifiers = stringListMember(input, 'logGroupIdentifiers');
      if ([prefix, pattern, identifiers].filter((value) => value !== undefined).length > 1) {
        throw new AwsError(invalidParameter, 'logGroupNamePrefix, logGroupNamePattern and logGroupIdentifiers are mutually exclusive.');
      }
      const accountId = context.caller.accountId;
      const arnOf = (group: FakeLogGroup) => logGroupArn(context.world.partition, group.region, accountId, group.name);
      const matching = groupsHere(context).filter(
        (group) =>
          (prefix === undefined || group.name.startsWith(prefix)) &&
          (pattern === undefined || group.name.includes(pattern)) &&
          (identifiers === undefined || identifiers.some((identifier) => identifier === group.name || identifier === arnOf(group).replace(/:\*$/, ''))),
      );
      const page = paginate(context, matching, stringMember(input, 'nextToken'), pageLimit(context, 'DescribeLogGroups', input), invalidParameter);
      return {
        logGroups: page.items.map((group) => ({
          logGroupName: group.name,
          creationTime: epochMillis(group.creationTime),
          retentionInDays: group.retentionInDays,
          metricFilterCount: group.metricFilters.length,
          arn: arnOf(group),
          logGroupArn: arnOf(group).replace(/:\*$/, ''),
          storedBytes: 0,
          kmsKeyId: group.kmsKeyId,
          logGroupClass: 'STANDARD',
        })),
        nextToken: page.nextToken,
      };
    },

    DescribeMetricFilters: (context, input) => {
      const groupName = stringMember(input, 'logGroupName');
      const filterPrefix = stringMember(input, 'filterNamePrefix');
      const metricName = stringMember(input, 'metricName');
      const metricNamespace = stringMember(input, 'metricNamespace');
      if (filterPrefix !== undefined && groupName === undefined) throw new AwsError(invalidParameter, 'filterNamePrefix requires logGroupName.');
      if ((metricName === undefined) !== (metricNamespace === undefined)) {
        throw new AwsError(invalidParameter, 'metricName and metricNamespace must be given together.');
      }
      const groups = groupsHere(context).filter((group) => groupName === undefined || group.name === groupName);
      if (groupName !== undefined && groups.length === 0) {
        throw new AwsError({ code: 'ResourceNotFoundException', status: 400 }, 'The specified log group does not exist.');
      }
      const filters: { group: FakeLogGroup; filter: FakeMetricFilter }[] = groups.flatMap((group) =>
        group.metricFilters
          .filter(
            (filter) =>
              (filterPrefix === undefined || filter.name.startsWith(filterPrefix)) &&
              (metricName === undefined || (filter.metricName === metricName && filter.metricNamespace === metricNamespace)),
          )
          .map((filter) => ({ group, filter })),
      );
      const page = paginate(context, filters, stringMember(input, 'nextToken'), pageLimit(context, 'DescribeMetricFilters', input), invalidParameter);
      return {
        metricFilters: page.items.map(({ group, filter }) => ({
          filterName: filter.name,
          filterPattern: filter.pattern,
          metricTransformations: [{ metricName: filter.metricName, metricNamespace: filter.metricNamespace, metricValue: filter.metricValue ?? '1' }],
          creationTime: epochMillis(group.creationTime),
          logGroupName: group.name,
        })),
        nextToken: page.nextToken,
      };
    },
  },
};
