/**
 * Snapshot -> the subjects rules are evaluated on, one per resource and scope (RULES.md "Scopes").
 * Derived facts (selector coverage, policy analysis, exposure, retention) are computed here once
 * per resource; a derived fact whose input was not collected is that input's CollectionError.
 */
import { isCollectionError, type Account, type Bucket, type CollectionError, type FactOf, type LogGroup, type PublicAccessBlock, type Snapshot, type SnsTopic, type Trail } from '../snapshot/schema.js';
import type { ResourceRef } from '../results.js';
import type { Scope } from '../language/types.js';
import { selectorCoverage } from './analysis/selector-coverage.js';
import { analyzeBucketPolicy, analyzeKeyPolicy } from '../aws-policy/policy-document.js';
import { cloudTrailObjectPrefix, effectiveBlockPublicAccess, lifecycleRetention, publicAclGrants } from './analysis/bucket-exposure.js';
import type { Truth } from './operators.js';
import type { AccountFactsView, TrailView } from './view-schema.js';
import { TRAIL_TAMPER_ACTIONS } from '../aws-policy/tracked-actions.js';
import { fullCloudTrailAccess, logDeletionPrincipals, parseAccountIam, principalsAllowed, scpProtection, type ParsedAccountIam } from './analysis/iam-access.js';

export interface Subject {
  resource: ResourceRef;
  view: Record<string, unknown>;
  /** The resource's label in messages, filled in on first use. */
  label?: string;
}

type Fact<T> = FactOf<T>;

/** Apply `fn` to observed inputs; the first missing input stands in for the result. */
function derive<I extends unknown[], R>(inputs: { [K in keyof I]: Fact<I[K]> }, fn: (...values: I) => R): Fact<R> {
  for (const input of inputs) if (isCollectionError(input)) return input;
  return fn(...(inputs as unknown as I));
}

function missing(action: string, code: string, accountId: string | undefined, message: string, region?: string): CollectionError {
  return { $error: { action, code, ...(accountId ? { accountId } : {}), ...(region ? { region } : {}), message } };
}

/**
 * A policy document AWS returned but that cannot be read as a policy is not evidence of anything:
 * the analysis becomes an error naming the API that returned it.
 */
function wellFormed<T extends { malformed?: string }>(analysis: Fact<T>, action: string, accountId: string, region: string | undefined): Fact<T> {
  if (isCollectionError(analysis) || !analysis.malformed) return analysis;
  return missing(action, 'MalformedPolicy', accountId, analysis.malformed, region);
}

/** Kleene helpers for facts that combine several partial observations. */
const and = (a: Truth, b: Truth): Truth => (a === false || b === false ? false : a === 'unknown' || b === 'unknown' ? 'unknown' : true);
const or = (a: Truth, b: Truth): Truth => (a === true || b === true ? true : a === 'unknown' || b === 'unknown' ? 'unknown' : false);
const not = (a: Truth): Truth => (a === 'unknown' ? a : !a);

function normalizeLogGroupArn(arn: string): string {
  return arn.endsWith(':*') ? arn.slice(0, -2) : arn;
}

export class SnapshotViews {
  readonly snapshot: Snapshot;
  readonly partition: string;
  private readonly trailViews = new Map<string, TrailView>();
  private readonly accountsById = new Map<string, Account>();
  private readonly bucketsByName = new Map<string, Bucket>();
  private readonly accountFacts = new Map<string, AccountFactsView>();
  private readonly organizationId: string | undefined;
  private readonly logGroupsByArn = new Map<string, LogGroup>();
  private readonly topicsByArn = new Map<string, SnsTopic>();
  private readonly iamByAccount = new Map<string, Fact<ParsedAccountIam>>();
  /** Planned scalar facts known only after deploy (scan --plan / --template), by resource ARN. */
  private readonly plannedUnknown = new Map<string, Record<string, CollectionError>>();

  constructor(snapshot: Snapshot) {
    this.snapshot = snapshot;
    this.partition = snapshot.partition;
    const org = snapshot.organization;
    this.organizationId = org && !isCollectionError(org) ? org.id : undefined;
    for (const a of snapshot.accounts) this.accountsById.set(a.id, a);
    for (const b of snapshot.buckets) this.bucketsByName.set(b.name, b);
    for (const g of snapshot.logGroups) this.logGroupsByArn.set(normalizeLogGroupArn(g.arn), g);
    for (const t of snapshot.snsTopics ?? []) this.topicsByArn.set(t.arn, t);
    for (const u of snapshot.planned?.unknown ?? []) this.plannedUnknown.set(u.arn, { ...this.plannedUnknown.get(u.arn), [u.fact]: u.error });
    for (const t of snapshot.trails) this.trailViews.set(t.arn, this.buildTrailView(t));
  }

  private buildTrailView(trail: Trail): TrailView {
    return {
      ...trail,
      // A planned fact known only after deploy is its error, which the rules reading it see.
      ...this.plannedUnknown.get(trail.arn),
      ...this.integrityOf(trail),
      coverage: derive([trail.eventSelectors], (es) => selectorCoverage(es, this.partition)),
      tamperPrincipals: derive([this.accountIam(trail.ownerAccountId)], (iam) =>
        principalsAllowed(
          iam,
          TRAIL_TAMPER_ACTIONS.map((action) => ({ action, arn: trail.arn })),
        ),
      ),
      ownerIsOrganizationAdmin: this.isOrganizationAdmin(trail.ownerAccountId),
      logGroup: this.logGroupView(trail),
    };
  }

  /**
   * A scan asked to verify digest chains records them for every trail with validation on; a trail
   * without them (a snapshot merged from partial scans, say) is missing data, never a pass.
   */
  private integrityOf(trail: Trail): Pick<TrailView, 'integrity'> {
    if (trail.integrity !== undefined || this.snapshot.integrity === undefined || !trail.logFileValidationEnabled) return {};
    return { integrity: missing('s3:ListBucket', 'IntegrityNotCollected', trail.ownerAccountId, `the digest chains of ${trail.arn} were not verified by this scan`, trail.homeRegion) };
  }

  /** The trail's log group joined to its metric filters, their alarms and the alarms' SNS topics. */
  private logGroupView(trail: Trail): TrailView['logGroup'] {
    const unknown = this.plannedUnknown.get(trail.arn)?.cloudWatchLogsLogGroupArn;
    if (unknown) return unknown;
    if (!trail.cloudWatchLogsLogGroupArn) return null;
    const arn = normalizeLogGroupArn(trail.cloudWatchLogsLogGroupArn);
    const group = this.logGroupsByArn.get(arn);
    const account = arn.split(':')[4];
    if (!group) return missing('logs:DescribeLogGroups', 'LogGroupNotCollected', account, `log group ${arn} was not collected (is account ${account} in the scan?)`);
    const notCollected = (action: string) => missing(action, 'NotCollected', group.accountId, `not collected for ${group.name}`, group.region);
    const alarms = group.alarms ?? notCollected('cloudwatch:DescribeAlarms');
    const topic = (topicArn: string): SnsTopic | CollectionError =>
      this.topicsByArn.get(topicArn) ?? missing('sns:GetTopicAttributes', 'TopicNotCollected', topicArn.split(':')[4], `SNS topic ${topicArn} was not collected`);
    const metricFilters = derive([group.metricFilters ?? notCollected('logs:DescribeMetricFilters')], (filters) =>
      filters.map((filter) => ({
        ...filter,
        alarms: derive([alarms], (list) =>
          list
            .filter((alarm) => filter.metrics.some((m) => m.name === alarm.metricName && m.namespace === alarm.namespace))
            .map((alarm) => ({ ...alarm, topics: alarm.alarmActions.filter((a) => a.split(':')[2] === 'sns').map(topic) })),
        ),
      })),
    );
    return { arn, name: group.name, accountId: group.accountId, region: group.region, details: group.details, metricFilters };
  }

  /**
   * An account's IAM facts, parsed once: an account outside the scan, a snapshot taken before IAM
   * was collected, a failed listing and an unreadable policy are each an error, never "no one".
   */
  private accountIam(accountId: string): Fact<ParsedAccountIam> {
    let parsed = this.iamByAccount.get(accountId);
    if (parsed === undefined) {
      const action = 'iam:GetAccountAuthorizationDetails';
      const account = this.accountsById.get(accountId);
      if (!account) parsed = missing(action, 'AccountNotInScan', accountId, `IAM of account ${accountId} was not read; evaluate in account ${accountId}`);
      else if (account.iam === undefined) parsed = missing(action, 'NotCollected', accountId, `IAM of account ${accountId} is not in the snapshot`);
      else if (isCollectionError(account.iam)) parsed = account.iam;
      else {
        const iam = parseAccountIam(account.iam, this.partition);
        parsed = iam.malformed !== undefined ? missing(action, 'MalformedPolicy', accountId, iam.malformed) : iam;
      }
      this.iamByAccount.set(accountId, parsed);
    }
    return parsed;
  }

  /** SCPs that deny trail tampering on the account (the organization's SCPs and the account's place in it). */
  private scpProtectionOf(account: Account): AccountFactsView['scpProtection'] {
    const org = this.snapshot.organization;
    if (org === null) return missing('organizations:DescribeOrganization', 'NotInOrganization', account.id, 'the scan is not of an organization');
    if (isCollectionError(org)) return org;
    const policies = org.serviceControlPolicies ?? missing('organizations:ListPolicies', 'NotCollected', org.managementAccountId, 'service control policies are not in the snapshot');
    const path = account.organizationPath ?? missing('organizations:ListAccountsForParent', 'NotCollected', org.managementAccountId, `the place of account ${account.id} in the organization is not in the snapshot`);
    const analysis = derive([policies, path], (list, ancestors) => scpProtection(list, account.id, ancestors, this.partition));
    return wellFormed(analysis, 'organizations:DescribePolicy', org.managementAccountId, undefined);
  }

  private isOrganizationAdmin(accountId: string): Fact<boolean> {
    const org = this.snapshot.organization;
    if (org === null) return false;
    if (isCollectionError(org)) return org;
    if (org.managementAccountId === accountId) return true;
    return derive([org.cloudTrailDelegatedAdministrators], (admins) => admins.includes(accountId));
  }

  private facts(account: Account): AccountFactsView {
    let facts = this.accountFacts.get(account.id);
    if (!facts) {
      const org = this.snapshot.organization;
      const isManagementAccount: Fact<boolean> = org === null ? false : isCollectionError(org) ? org : org.managementAccountId === account.id;
      facts = {
        id: account.id,
        ...(account.name !== undefined ? { name: account.name } : {}),
        isManagementAccount,
        isDelegatedAdministrator: isManagementAccount === true ? false : this.isOrganizationAdmin(account.id),
        regions: account.regions,
        ...(account.publicAccessBlock !== undefined ? { publicAccessBlock: account.publicAccessBlock } : {}),
        inOrganization: org === null ? false : isCollectionError(org) ? org : true,
        iamAnalysis: derive([this.accountIam(account.id)], (iam) => ({
          fullCloudTrailAccess: fullCloudTrailAccess(iam, this.partition),
          counts: (account.iam as Exclude<Account['iam'], CollectionError | undefined>).counts,
        })),
        scpProtection: this.scpProtectionOf(account),
      };
      this.accountFacts.set(account.id, facts);
    }
    return facts;
  }

  /** Trails for ARNs an account reported; an ARN with no collected trail is an explicit error. */
  private trailsOf(arns: Fact<string[]>, accountId: string): Fact<(TrailView | CollectionError)[]> {
    // One trail is one trail however often it was listed (shadow copies, ListTrails + DescribeTrails).
    return derive([arns], (list) =>
      [...new Set(list)].map(
        (arn) =>
          this.trailViews.get(arn) ??
          missing('cloudtrail:DescribeTrails', 'TrailNotCollected', accountId, `trail ${arn} was listed but its configuration was not collected`),
      ),
    );
  }

  private readonly trailIndexes = new Map<string, Map<string, TrailView[]>>();

  /** Trails grouped by a key (bucket name, key ARN, log group ARN), built once per kind. */
  private trailsBy(kind: string, keyOf: (t: TrailView) => unknown, key: string): TrailView[] {
    let index = this.trailIndexes.get(kind);
    if (!index) {
      index = new Map();
      for (const t of this.trailViews.values()) {
        const k = keyOf(t);
        // A key known only after deploy (an error in its place) joins the trail to nothing.
        if (typeof k === 'string') index.set(k, [...(index.get(k) ?? []), t]);
      }
      this.trailIndexes.set(kind, index);
    }
    return index.get(key) ?? [];
  }

  private trailsUsingBucket(name: string): TrailView[] {
    return this.trailsBy('bucket', (t) => t.s3BucketName, name);
  }

  private trailsUsingKey(arn: string): TrailView[] {
    return this.trailsBy('kms-key', (t) => t.kmsKeyId, arn);
  }

  private trailsUsingLogGroup(arn: string): TrailView[] {
    return this.trailsBy('log-group', (t) => (typeof t.cloudWatchLogsLogGroupArn === 'string' ? normalizeLogGroupArn(t.cloudWatchLogsLogGroupArn) : undefined), normalizeLogGroupArn(arn));
  }

  private accountArn(id: string): string {
    return `arn:${this.partition}:iam::${id}:root`;
  }

  subjects(scope: Scope): Subject[] {
    switch (scope) {
      case 'account':
        return this.snapshot.accounts.map((a) => ({
          resource: { type: 'account', arn: this.accountArn(a.id), accountId: a.id, ...(a.name ? { name: a.name } : {}) },
          view: { account: this.facts(a), trails: this.trailsOf(a.trailArns, a.id), eventDataStores: this.eventDataStoresRecording(a) },
        }));
      case 'region':
        return this.snapshot.accounts.flatMap((a) => this.regionSubjects(a));
      case 'organization':
        return this.organizationSubjects();
      case 'trail':
        return [...this.trailViews.values()].map((t) => ({
          resource: { type: 'trail', arn: t.arn, accountId: t.ownerAccountId, region: t.homeRegion, name: t.name },
          view: { trail: t },
        }));
      case 'bucket':
        return this.snapshot.buckets.map((b) => this.bucketSubject(b));
      case 'kms-key':
        return this.snapshot.kmsKeys.map((k) => {
          const trails = this.trailsUsingKey(k.arn);
          const inBucketRegion = trails.reduce<Fact<boolean>>((acc, t) => {
            if (isCollectionError(acc) || acc === false || !t.s3BucketName) return acc;
            if (isCollectionError(t.s3BucketName)) return t.s3BucketName;
            const bucket = this.bucketsByName.get(t.s3BucketName);
            if (!bucket) return missing('s3:GetBucketLocation', 'BucketNotCollected', t.ownerAccountId, `bucket ${t.s3BucketName} was not collected`);
            return derive([bucket.region], (region) => region === k.region);
          }, true);
          return {
            resource: { type: 'kms-key', arn: k.arn, accountId: k.accountId, region: k.region },
            view: {
              key: {
                ...k,
                policyAnalysis: wellFormed(
                  derive([k.policy], (doc) =>
                    analyzeKeyPolicy(doc, { partition: this.partition, keyAccountId: k.accountId, trailArns: trails.map((t) => t.arn), ...(this.organizationId ? { organizationId: this.organizationId } : {}) }),
                  ),
                  'kms:GetKeyPolicy',
                  k.accountId,
                  k.region,
                ),
                inBucketRegion,
              },
              trails,
            },
          };
        });
      case 'log-group':
        return this.snapshot.logGroups.map((g) => ({
          resource: { type: 'log-group', arn: normalizeLogGroupArn(g.arn), accountId: g.accountId, region: g.region, name: g.name },
          view: { logGroup: g, trails: this.trailsUsingLogGroup(g.arn) },
        }));
      case 'event-data-store':
        return this.snapshot.eventDataStores.map((e) => {
          const account = this.accountsById.get(e.accountId);
          return {
            resource: { type: 'event-data-store', arn: e.arn, accountId: e.accountId, region: e.region, name: e.name },
            view: {
              eventDataStore: { ...e, ...this.plannedUnknown.get(e.arn) },
              account: account
                ? this.facts(account)
                : missing('cloudtrail:ListEventDataStores', 'AccountNotInScan', e.accountId, `account ${e.accountId} is not in the scan`),
            },
          };
        });
    }
  }

  /**
   * The account's own event data stores. An organization store of the management account also
   * records the members, but members' verdicts cannot rest on it: Lake is read only in the
   * administrator accounts, so a shard without them would judge a member differently from the
   * full scan. Members are judged by their trails (organization trails included).
   */
  private eventDataStoresRecording(account: Account) {
    if (account.eventDataStoreArns !== undefined && isCollectionError(account.eventDataStoreArns)) return account.eventDataStoreArns;
    return this.snapshot.eventDataStores
      .filter((store) => store.accountId === account.id)
      .map((store) => ({
        ...store,
        ...this.plannedUnknown.get(store.arn),
        coverage: store.eventSelectors
          ? selectorCoverage({ source: 'advanced', selectors: store.eventSelectors }, this.partition)
          : missing('cloudtrail:GetEventDataStore', 'NotCollected', store.accountId, `advanced event selectors of ${store.arn} are not in the snapshot`, store.region),
      }));
  }

  private regionSubjects(account: Account): Subject[] {
    const facts = this.facts(account);
    const trails = this.trailsOf(account.trailArns, account.id);
    if (isCollectionError(account.regions)) {
      // Without the region list no region can be judged: one error subject stands for them all.
      return [
        {
          resource: { type: 'region', arn: `arn:${this.partition}:cloudtrail:*:${account.id}:trail/*`, accountId: account.id, name: '*' },
          view: { account: facts, region: account.regions, trails: account.regions },
        },
      ];
    }
    return account.regions.map((region) => ({
      resource: { type: 'region', arn: `arn:${this.partition}:cloudtrail:${region.name}:${account.id}:trail/*`, accountId: account.id, region: region.name, name: region.name },
      view: {
        account: facts,
        region,
        trails: derive([trails], (list) => list.filter((t) => isCollectionError(t) || t.isMultiRegion || t.homeRegion === region.name)),
      },
    }));
  }

  private organizationSubjects(): Subject[] {
    const org = this.snapshot.organization;
    if (org === null) return [];
    const caller = this.snapshot.callerAccountId ?? this.snapshot.accounts[0]?.id ?? '000000000000';
    if (isCollectionError(org)) {
      return [{ resource: { type: 'organization', arn: `arn:${this.partition}:organizations::${caller}:organization/unknown`, accountId: caller }, view: { organization: org, trails: org } }];
    }
    return [
      {
        resource: { type: 'organization', arn: `arn:${this.partition}:organizations::${org.managementAccountId}:organization/${org.id}`, accountId: org.managementAccountId, name: org.id },
        view: { organization: org, trails: [...this.trailViews.values()].filter((t) => t.isOrganizationTrail) },
      },
    ];
  }

  private bucketSubject(bucket: Bucket): Subject {
    const trails = this.trailsUsingBucket(bucket.name);
    const referrer = trails[0]?.ownerAccountId;
    const owner = bucket.ownerAccountId;
    const ownerAccount: Fact<Account> = derive([owner], (id) => this.accountsById.get(id) ?? missing('s3:ListAllMyBuckets', 'OwnerNotInScan', id, `evaluate in account ${id}`));
    const accountBlock = isCollectionError(ownerAccount)
      ? ownerAccount
      : ownerAccount.publicAccessBlock === undefined // null is an observation: no account-level block
        ? missing('s3:GetAccountPublicAccessBlock', 'NotCollected', ownerAccount.id, `account Block Public Access of ${ownerAccount.id} was not collected`)
        : ownerAccount.publicAccessBlock;
    const bucketRegion = isCollectionError(bucket.region) ? undefined : bucket.region;
    const resourceAccount = isCollectionError(owner) ? (owner.$error.accountId ?? referrer ?? '000000000000') : owner;
    const prefixes = trails.map((t) => cloudTrailObjectPrefix(t.s3KeyPrefix));
    const trailOwners = [...new Set(trails.map((t) => t.ownerAccountId))];
    const policyAnalysis = wellFormed(
      derive([bucket.policy], (doc) =>
        analyzeBucketPolicy(doc, {
          partition: this.partition,
          bucketName: bucket.name,
          trailArns: trails.map((t) => t.arn),
          trailOwnerAccountIds: trailOwners,
          ...(this.organizationId ? { organizationId: this.organizationId } : {}),
          ...(isCollectionError(owner) ? {} : { bucketOwnerAccountId: owner }),
        }),
      ),
      's3:GetBucketPolicy',
      resourceAccount,
      bucketRegion,
    );
    return {
      resource: { type: 'bucket', arn: `arn:${this.partition}:s3:::${bucket.name}`, accountId: resourceAccount, ...(bucketRegion ? { region: bucketRegion } : {}), name: bucket.name },
      view: {
        bucket: {
          ...bucket,
          publicExposure: this.publicExposure(bucket, accountBlock, policyAnalysis),
          policyAnalysis,
          retention: derive([bucket.lifecycleRules], (rules) => lifecycleRetention(rules, prefixes)),
          accessLogging: this.accessLogging(bucket),
          deletionPrincipals: derive(
            [
              wellFormed(
                derive([owner, bucket.policy], (ownerId, policy) =>
                  derive([this.accountIam(ownerId)], (iam) => logDeletionPrincipals(policy, iam, { partition: this.partition, bucketName: bucket.name, ownerAccountId: ownerId })),
                ) as Fact<ReturnType<typeof logDeletionPrincipals>>,
                's3:GetBucketPolicy',
                resourceAccount,
                bucketRegion,
              ),
            ],
            (analysis) => analysis.principals,
          ),
        },
        trails,
      },
    };
  }

  private publicExposure(
    bucket: Bucket,
    accountBlock: Fact<PublicAccessBlock | null>,
    policyAnalysis: Fact<ReturnType<typeof analyzeBucketPolicy>>,
  ) {
    const errors: CollectionError[] = [];
    const truth = <T>(fact: Fact<T>, fn: (v: T) => boolean): Truth => {
      if (isCollectionError(fact)) {
        errors.push(fact);
        return 'unknown';
      }
      return fn(fact);
    };
    const aclGrants = isCollectionError(bucket.acl) ? [] : publicAclGrants(bucket.acl);
    const policyStatements = isCollectionError(policyAnalysis) ? [] : policyAnalysis.publicStatements;
    const aclPublic = truth(bucket.acl, () => aclGrants.length > 0);
    const policyPublic = or(
      truth(policyAnalysis, (a) => a.publicStatements.length > 0),
      truth(bucket.policyStatusIsPublic, (p) => p === true),
    );
    const bucketBlock = bucket.publicAccessBlock;
    const block = (key: 'ignorePublicAcls' | 'restrictPublicBuckets'): Truth =>
      or(
        truth(bucketBlock, (b) => !!b?.[key]),
        truth(accountBlock, (b) => !!b?.[key]),
      );
    const aclBlocked = block('ignorePublicAcls');
    const policyBlocked = block('restrictPublicBuckets');
    const isPublic = or(and(aclPublic, not(aclBlocked)), and(policyPublic, not(policyBlocked)));
    if (isPublic === 'unknown') return errors[0]!;
    // The grants that make it public, each named as a reader finds it in the console.
    const publicThrough = [
      ...(aclBlocked === false ? aclGrants.map((grant) => `ACL grant ${grant}`) : []),
      ...(policyBlocked === false ? policyStatements.map((label) => `bucket policy statement ${label}`) : []),
    ];
    if (policyBlocked === false && policyStatements.length === 0 && bucket.policyStatusIsPublic === true) publicThrough.push('bucket policy (S3 policy status: public)');
    return {
      isPublic,
      aclPublicGrants: aclGrants,
      policyPublicStatements: policyStatements,
      policyStatusIsPublic: isCollectionError(bucket.policyStatusIsPublic) ? null : bucket.policyStatusIsPublic,
      blockPublicAccess: effectiveBlockPublicAccess(
        isCollectionError(bucketBlock) ? null : bucketBlock,
        isCollectionError(accountBlock) ? null : accountBlock,
      ),
      publicThrough: isPublic ? publicThrough : [],
    };
  }

  private accessLogging(bucket: Bucket) {
    return derive([bucket.logging], (logging) => {
      if (!logging) return { enabled: false, targetBucket: null, targetIsSelf: false, sameRegion: null };
      const targetRegion = bucket.loggingTargetRegion;
      // Unknown regions stay unknown (an error), not null: null means "not collected at all".
      const sameRegion: Fact<boolean | null> = targetRegion === undefined ? null : derive([targetRegion, bucket.region], (target, own) => target === own);
      return { enabled: true, targetBucket: logging.targetBucket, targetIsSelf: logging.targetBucket === bucket.name, sameRegion };
    });
  }
}
