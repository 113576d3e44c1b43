import { CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { AWS_LIKE_RATE_LIMITS } from './behaviour.js';
import { logGroupArn, snsTopicArn, trailArn, type FakeAwsModel } from './model.js';
import { generateOrganization, SCENARIOS } from './scenarios.js';
import { assumeScanRole, clientConfig, staticCredentials } from './sdk-config.js';
import { isReadOnlyAction, startFakeAws } from './server.js';
import { World } from './world.js';

const VERDICT_PREFIX = /^(pass|fail|error)-/;

/** Every reference inside the model that is not the point of its story resolves to a resource. */
function danglingReferences(model: FakeAwsModel): string[] {
  const world = new World(model);
  const dangling: string[] = [];
  for (const account of model.accounts) {
    for (const trail of account.trails) {
      if (!world.bucket(trail.s3BucketName) && !trail.s3BucketName.startsWith('fail-deleted')) dangling.push(`bucket ${trail.s3BucketName}`);
      if (trail.kmsKeyId && !world.kmsKey(trail.kmsKeyId)) dangling.push(`key ${trail.kmsKeyId}`);
      const groups = account.logGroups.map((group) => logGroupArn(model.partition, group.region, account.id, group.name));
      if (trail.cloudWatchLogsLogGroupArn && !groups.includes(trail.cloudWatchLogsLogGroupArn)) dangling.push(`log group ${trail.cloudWatchLogsLogGroupArn}`);
      if (trail.cloudWatchLogsRoleArn && !world.role(trail.cloudWatchLogsRoleArn)) dangling.push(`role ${trail.cloudWatchLogsRoleArn}`);
    }
    for (const bucket of account.buckets) {
      if (bucket.logging && !world.bucket(bucket.logging.targetBucket)) dangling.push(`log target ${bucket.logging.targetBucket}`);
    }
    const topics = account.snsTopics.map((topic) => snsTopicArn(model.partition, topic.region, account.id, topic.name));
    for (const alarm of account.alarms) dangling.push(...alarm.alarmActions.filter((action) => !topics.includes(action)).map((action) => `topic ${action}`));
  }
  return dangling;
}

describe('named scenarios', () => {
  it.each(Object.entries(SCENARIOS))('%s is a consistent model told by its name', (name, build) => {
    const scenario = build();
    expect(scenario.name).toBe(name);
    expect(danglingReferences(scenario.model)).toEqual([]);
    const names = scenario.model.accounts.flatMap((account) => [...account.trails.map((trail) => trail.name), ...account.buckets.map((bucket) => bucket.name)]);
    expect(names.filter((resource) => !VERDICT_PREFIX.test(resource))).toEqual([]);
    expect(scenario.scanAccountIds.every((accountId) => scenario.model.accounts.some((account) => account.id === accountId))).toBe(true);
    expect(scenario.model.callers).toContainEqual(scenario.caller);
  });

  it('gives the deleted-bucket trail a bucket that exists nowhere', () => {
    const { model } = SCENARIOS['deleted-bucket']!();
    const trail = model.accounts[0]!.trails[0]!;
    expect(new World(model).bucket(trail.s3BucketName)).toBeUndefined();
  });
});

describe('generated organizations', () => {
  it('are reproducible from their seed and sized as asked', () => {
    const options = { accounts: 1000, regions: 17, ownTrailShare: 0.1, seed: 42 };
    const started = performance.now();
    const scenario = generateOrganization(options);
    const elapsedMs = performance.now() - started;
    expect(elapsedMs).toBeLessThan(2000);
    expect(generateOrganization(options)).toEqual(scenario);
    expect(generateOrganization({ ...options, seed: 43 })).not.toEqual(scenario);

    const { accounts } = scenario.model;
    expect(accounts).toHaveLength(1000);
    expect(accounts[0]!.regions.filter((region) => region.optInStatus !== 'not-opted-in')).toHaveLength(17);
    const membersWithTrails = accounts.slice(3).filter((account) => account.trails.length > 0).length;
    expect(membersWithTrails / 997).toBeGreaterThan(0.07);
    expect(membersWithTrails / 997).toBeLessThan(0.13);
    expect(accounts[0]!.trails.filter((trail) => trail.isOrganizationTrail)).toHaveLength(1);
    const logArchive = accounts[1]!;
    expect(logArchive.buckets.length).toBe(membersWithTrails + 2);
    expect(logArchive.kmsKeys.length).toBe(membersWithTrails + 1);
    expect(danglingReferences(scenario.model)).toEqual([]);
  });

  it('can be scanned read-only end to end with the real SDK under AWS-like throttling', async () => {
    const scenario = generateOrganization({ accounts: 12, regions: 17, ownTrailShare: 0.5, seed: 7 });
    const fake = await startFakeAws(scenario.model, { latencyMs: 5, throttling: AWS_LIKE_RATE_LIMITS });
    try {
      const caller = staticCredentials(scenario.caller);
      const views = await Promise.all(
        scenario.scanAccountIds.slice(1).map(async (accountId) => {
          const credentials = await assumeScanRole(fake.url, caller, accountId);
          const regions = (await new EC2Client(clientConfig(fake.url, credentials)).send(new DescribeRegionsCommand({}))).Regions ?? [];
          const perRegion = await Promise.all(
            regions.map(async (region) => (await new CloudTrailClient(clientConfig(fake.url, credentials, region.RegionName)).send(new DescribeTrailsCommand({}))).trailList ?? []),
          );
          return { accountId, regions: regions.length, arns: new Set(perRegion.flat().map((trail) => trail.TrailARN)) };
        }),
      );
      const orgTrail = trailArn('aws', 'us-east-1', scenario.caller.accountId, 'pass-org-trail');
      for (const view of views) {
        const own = scenario.model.accounts.find((account) => account.id === view.accountId)!.trails.length;
        expect(view.regions).toBe(17);
        expect(view.arns.has(orgTrail)).toBe(true);
        expect(view.arns.size).toBe(1 + own);
      }
      expect(fake.calls.every((call) => isReadOnlyAction(call.action) && call.status === 200)).toBe(true);
      expect(fake.calls).toHaveLength(11 * (1 + 1 + 17));
    } finally {
      expect(fake.unexpectedErrors).toEqual([]);
      await fake.close();
    }
  });
});
