/**
 * The demo organization one day earlier (examples/demo/snapshot-earlier.json), so that
 * `trailwarden scan --demo --baseline examples/demo/snapshot-earlier.json` and
 * `trailwarden diff examples/demo/snapshot-earlier.json examples/demo/snapshot.json` show drift out
 * of the box. Between the two scans, in Acme's organization:
 *
 * - payments turned log file validation off on its local trail (a new failure);
 * - payments rewrote the `LegacyPublicRead` statement of its trail bucket's policy from the
 *   account's own root to everyone (a new failure: the bucket became public);
 * - the sandbox trail's selectors were narrowed: KMS and RDS Data API management events are no
 *   longer recorded;
 * - the sandbox key policy gained an `AnyoneMayDecrypt` statement;
 * - the sandbox trail's log group retention was shortened from 400 days to 7;
 * - the organization's route-table metric filter was rewritten from an old runbook (CreateRouteTable
 *   no longer matched), and the root-usage alarm was pointed at an unconfirmed topic;
 * - the organization trail bucket's lifecycle went from expiring logs after 90 days to 7 years (a
 *   failure fixed);
 * - analytics deleted its scratch trail in us-west-2 (its failures are gone: the resource was removed);
 * - the acquired startup's account was added to the scan (its findings are outside the earlier
 *   run's scope: neither new nor fixed).
 */
import type { SnapshotFragment } from '../support/snapshot-builder.js';
import { monitoring } from '../support/monitoring.js';
import { DEMO_ORGANIZATION } from './demo-organization.js';

type Fragment = Record<string, unknown>;

const PAYMENTS = '333333333333';
const SANDBOX = '444444444444';
const ANALYTICS = '666666666666';
const ACQUIRED = '777777777777';
const MANAGEMENT = '111111111111';

const orgLogGroup = `arn:aws:logs:us-east-1:${MANAGEMENT}:log-group:aws-cloudtrail-logs-acme-org`;
const alertsTopic = `arn:aws:sns:us-east-1:${MANAGEMENT}:acme-security-alerts`;
export const SCRATCH_TRAIL = `arn:aws:cloudtrail:us-west-2:${ANALYTICS}:trail/fail-analytics-scratch-trail`;

function patchByKey(items: Fragment[] | undefined, key: string, value: string, patch: (item: Fragment) => Fragment): Fragment[] {
  let found = false;
  const out = (items ?? []).map((item) => {
    if (item[key] !== value) return item;
    found = true;
    return patch(item);
  });
  if (!found) throw new Error(`demo-earlier: no ${key} ${value} in the demo organization`);
  return out;
}

function earlier(): SnapshotFragment {
  const now = structuredClone(DEMO_ORGANIZATION);
  let trails = patchByKey(now.trails, 'arn', `arn:aws:cloudtrail:eu-west-1:${PAYMENTS}:trail/fail-payments-local-trail`, (t) => ({ ...t, logFileValidationEnabled: true }));
  trails = patchByKey(trails, 'arn', `arn:aws:cloudtrail:us-east-1:${SANDBOX}:trail/fail-sandbox-trail`, (t) => ({
    ...t,
    eventSelectors: { source: 'advanced', selectors: [{ name: 'management-events-all', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] }] },
  }));
  // The organization trail's chain for payments in eu-west-1 was intact the day before.
  trails = patchByKey(trails, 'arn', `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/acme-org-trail`, (t) => {
    const integrity = t.integrity as { chains: Fragment[] };
    const managementEuWest = integrity.chains.find((c) => c.name === `${MANAGEMENT}/eu-west-1`)!;
    const intact = JSON.parse(JSON.stringify(managementEuWest).replaceAll(MANAGEMENT, PAYMENTS)) as Fragment;
    return { ...t, integrity: { chains: integrity.chains.map((c) => (c.name === `${PAYMENTS}/eu-west-1` ? intact : c)) } };
  });
  // A scratch trail analytics deleted since: single-region, no validation, no encryption.
  trails = [
    ...trails,
    { arn: SCRATCH_TRAIL, isMultiRegion: false, logFileValidationEnabled: false, kmsKeyId: '$absent', s3BucketName: 'fail-analytics-scratch-logs' },
  ];
  let buckets = patchByKey(now.buckets, 'name', 'fail-payments-trail-logs', (b) => {
    const policy = b.policy as { Statement: Fragment[] };
    return {
      ...b,
      policy: { ...policy, Statement: policy.Statement.map((s) => (s.Sid === 'LegacyPublicRead' ? { ...s, Principal: { AWS: `arn:aws:iam::${PAYMENTS}:root` } } : s)) },
      policyStatusIsPublic: false,
    };
  });
  buckets = patchByKey(buckets, 'name', 'acme-org-cloudtrail-logs', (b) => ({
    ...b,
    lifecycleRules: [{ id: 'expire-after-90-days', status: 'Enabled', prefix: 'org/AWSLogs/', hasTagFilter: false, expirationDays: 90 }],
  }));
  const kmsKeys = patchByKey(now.kmsKeys, 'arn', `arn:aws:kms:us-east-1:${SANDBOX}:key/9a8b7c6d-sandbox-pending-deletion`, (k) => {
    const policy = k.policy as { Statement: Fragment[] };
    return { ...k, policy: { ...policy, Statement: policy.Statement.filter((s) => s.Sid !== 'AnyoneMayDecrypt') } };
  });
  let logGroups = patchByKey(now.logGroups, 'arn', `arn:aws:logs:us-east-1:${SANDBOX}:log-group:fail-sandbox-trail-log-group`, (g) => ({
    ...g,
    details: { retentionInDays: 400, kmsKeyId: '$absent' },
  }));
  logGroups = patchByKey(logGroups, 'arn', orgLogGroup, () => monitoring(orgLogGroup, alertsTopic));
  return {
    ...now,
    scanTime: '2026-10-31T12:00:00.000Z',
    integrity: { ...now.integrity, windowStart: '2026-10-30T12:00:00.000Z', windowEnd: '2026-10-31T12:00:00.000Z' },
    accounts: (now.accounts ?? []).filter((a) => a.id !== ACQUIRED),
    trails: trails.filter((t) => !String(t.arn).includes(`:${ACQUIRED}:`)),
    buckets,
    kmsKeys,
    logGroups,
  };
}

export const DEMO_ORGANIZATION_EARLIER: SnapshotFragment = earlier();
