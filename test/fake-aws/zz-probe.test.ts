import { CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { it } from 'vitest';
import { orgTrailWithLogArchive } from '/work/main/test/fake-aws/scenarios.js';
import { clientConfig, s3Config, staticCredentials } from '/work/main/test/fake-aws/sdk-config.js';
import { startFakeAws } from '/work/main/test/fake-aws/server.js';
it('probe', async () => {
  const s = orgTrailWithLogArchive();
  const fake = await startFakeAws(s.model, { faults: [
    { match: { action: 'DescribeTrails', region: 'us-east-1' }, fault: { kind: 'malformedBody' } },
    { match: { action: 'DescribeTrails', region: 'eu-west-1' }, fault: { kind: 'truncatedBody' } },
  ] });
  const c = staticCredentials(s.caller);
  for (const r of ['us-east-1', 'eu-west-1']) {
    try { await new CloudTrailClient({ ...clientConfig(fake.url, c, r), maxAttempts: 3 }).send(new DescribeTrailsCommand({})); } catch (e) { const x = e as any; console.log(r, x.name, x.code, x.message?.slice(0, 120), x.$metadata); }
  }
  try { await new S3Client(s3Config(fake.url, c)).send(new HeadBucketCommand({ Bucket: 'pass-org-trail-logs-222222222222' })); } catch (e) { const x = e as any; console.log('head403', x.name, x.message); }
  console.log(fake.calls);
  await fake.close();
});
