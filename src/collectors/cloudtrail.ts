/**
 * CloudTrail: which trails apply to each account, with as few calls as AWS allows, and each trail's
 * facts read once per ARN, in its home region, in its owner account.
 *
 * Per account (API reference, DescribeTrails / ListTrails / GetTrailStatus):
 * - ListTrails (one region) lists the account's trails in every region, with their home regions.
 * - DescribeTrails with shadow trails (the default) in one region returns the trails homed there,
 *   every multi-region trail, and the organization trails that apply to a member account.
 * So: ListTrails first. When it already shows a trail of another account (an organization trail),
 * it shows all of them and no shadow DescribeTrails is needed; otherwise one DescribeTrails with
 * shadow trails finds organization trails ListTrails may not list. The account's own trails not yet
 * described are described by ARN in their home regions; an organization-trail-only member costs
 * ListTrails alone.
 */
import { compareIdentity } from '../snapshot/merge.js';
import {
  DescribeTrailsCommand,
  GetEventDataStoreCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailStatusCommand,
  ListEventDataStoresCommand,
  ListTagsCommand,
  ListTrailsCommand,
} from '@aws-sdk/client-cloudtrail';
import { foldEventSelectors } from '../snapshot/fold-event-selectors.js';
import { isCollectionError, type CollectionError, type EventDataStore, type Trail } from '../snapshot/schema.js';
import { factOf, openOwner, ownerUnavailable, type ScanContext } from './context.js';
import { AwsCallError, collectionError } from './errors.js';
import type { Target } from './gateway.js';
import {
  mapEventDataStore,
  mapInsightSelectors,
  mapTrailDescription,
  mapTrailInfo,
  mapTrailStatus,
  mapTrailTags,
  type DescribedTrail,
  type TrailConfig,
  type TrailSighting,
} from './map/cloudtrail.js';

interface TrailEntry {
  sighting: TrailSighting;
  /** The account whose view found the trail first: the fallback reader when the owner is not in the scan. */
  seenFrom: string;
  result: Promise<Trail | undefined>;
}

/**
 * Every trail seen in any scanned account, once per ARN. The first sighting starts the reads of the
 * trail's configuration (unless a DescribeTrails answer brought it) and facts.
 */
export class TrailRegistry {
  private readonly entries = new Map<string, TrailEntry>();
  /** Configurations from DescribeTrails answers, by ARN; the first one seen is kept. */
  private readonly descriptions = new Map<string, DescribedTrail>();

  constructor(
    private readonly context: ScanContext,
    /** Called once per trail with its configuration, to collect its bucket, key and log group. */
    private readonly onConfiguration: (config: TrailConfig) => void,
  ) {}

  /** A trail seen with its configuration (DescribeTrails). */
  describe(described: DescribedTrail, seenFrom: string): void {
    const { arn, name, homeRegion, ownerAccountId } = described.config;
    if (!this.descriptions.has(arn)) this.descriptions.set(arn, described);
    this.sight({ arn, name, homeRegion, ownerAccountId }, seenFrom);
  }

  /** A trail seen by name and home region only (ListTrails). */
  sight(sighting: TrailSighting, seenFrom: string): void {
    if (this.entries.has(sighting.arn)) return;
    const entry: TrailEntry = { sighting, seenFrom, result: this.context.tasks.spawn(() => this.resolve(entry)) };
    this.entries.set(sighting.arn, entry);
  }

  async trails(): Promise<Trail[]> {
    const results = await Promise.all([...this.entries.values()].map((entry) => entry.result));
    return results.filter((trail): trail is Trail => trail !== undefined).sort((a, b) => compareIdentity(a.arn, b.arn));
  }

  private async resolve(entry: TrailEntry): Promise<Trail | undefined> {
    const described = this.descriptions.get(entry.sighting.arn) ?? (await this.readConfiguration(entry));
    if (described === undefined) return undefined;
    this.onConfiguration(described.config);
    return { ...described.config, ...(await readTrailFacts(this.context, described, entry.seenFrom)) };
  }

  /**
   * DescribeTrails by ARN in the home region, in the owner account when it is in the scan, else
   * from the account that saw the trail. A trail whose configuration nobody can read has no entry
   * in the snapshot; the error names it (its ARN stays in the accounts' trailArns).
   */
  private async readConfiguration(entry: TrailEntry): Promise<DescribedTrail | undefined> {
    const { arn, homeRegion, ownerAccountId } = entry.sighting;
    const owner = await openOwner(this.context, ownerAccountId);
    const reader = owner.ok ? ownerAccountId : entry.seenFrom;
    try {
      const described = await describeByArn(this.context, { accountId: reader, region: homeRegion }, [arn]);
      const found = described.find((candidate) => candidate.config.arn === arn);
      if (found !== undefined) return found;
      this.context.errors.push(collectionError({ action: 'cloudtrail:DescribeTrails', code: 'TrailNotFoundException', accountId: reader, region: homeRegion, message: `trail ${arn} was listed but could not be described` }));
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      this.context.errors.push(
        owner.ok
          ? collectionError({ ...error.detail, message: `configuration of trail ${arn}: ${error.detail.message ?? error.detail.code}` })
          : ownerUnavailable(error.detail.action, ownerAccountId, homeRegion, owner, `configuration of trail ${arn}; from account ${reader}: ${error.detail.code}`),
      );
    }
    return this.descriptions.get(arn);
  }
}

async function describeByArn(context: ScanContext, target: Target, arns: string[]): Promise<DescribedTrail[]> {
  return context.gateway.read(target, 'cloudtrail', new DescribeTrailsCommand({ trailNameList: arns }), (output) =>
    (output.trailList ?? []).map(mapTrailDescription),
  );
}

type TrailFacts = Pick<Trail, 'status' | 'eventSelectors' | 'insightSelectors' | 'tags'>;

/**
 * Status, event selectors, insight selectors and tags, in the home region, by ARN, in the owner
 * account. When the owner is not in the scan the member's view is tried (GetTrailStatus documents
 * that a member account may ask by ARN); what it cannot read says where to evaluate instead.
 */
async function readTrailFacts(context: ScanContext, described: DescribedTrail, seenFrom: string): Promise<TrailFacts> {
  const { arn, homeRegion, ownerAccountId } = described.config;
  const owner = await openOwner(context, ownerAccountId);
  const target: Target = { accountId: owner.ok ? ownerAccountId : seenFrom, region: homeRegion };
  // What the member's view could not read is the owner's to answer: say so rather than pass on AWS's code alone.
  const relabel = <T>(fact: T | CollectionError): T | CollectionError => {
    if (owner.ok || !isCollectionError(fact)) return fact;
    return ownerUnavailable(fact.$error.action, ownerAccountId, homeRegion, owner, `from member account ${seenFrom}: ${fact.$error.code}`);
  };
  const partition = context.caller.partition;
  const gateway = context.gateway;

  const [status, eventSelectors, insightSelectors, tags] = await Promise.all([
    factOf(gateway.read(target, 'cloudtrail', new GetTrailStatusCommand({ Name: arn }), mapTrailStatus)),
    described.hasCustomEventSelectors === false
      ? foldEventSelectors(undefined, false, partition)
      : factOf(gateway.read(target, 'cloudtrail', new GetEventSelectorsCommand({ TrailName: arn }), (output) => foldEventSelectors(output, true, partition))),
    described.hasInsightSelectors === false
      ? []
      : factOf(gateway.read(target, 'cloudtrail', new GetInsightSelectorsCommand({ TrailName: arn }), mapInsightSelectors), {
          codes: ['InsightNotEnabledException'],
          value: [],
        }),
    factOf(gateway.read(target, 'cloudtrail', new ListTagsCommand({ ResourceIdList: [arn] }), (output) => mapTrailTags(output, arn))),
  ]);
  return { status: relabel(status), eventSelectors: relabel(eventSelectors), insightSelectors: relabel(insightSelectors), tags: relabel(tags) };
}

/**
 * The ARNs of every trail that applies to the account, registering each with the registry. A failed
 * call makes the list an error: a partial list could hide the trail that covers the account.
 *
 * @param scannedRegions resolves to the enabled regions in scope, or undefined when unknown.
 */
export async function discoverAccountTrails(
  context: ScanContext,
  registry: TrailRegistry,
  accountId: string,
  primaryRegion: string,
  scannedRegions: Promise<ReadonlySet<string> | undefined>,
): Promise<string[] | CollectionError> {
  const gateway = context.gateway;
  const primary: Target = { accountId, region: primaryRegion };
  let failure: CollectionError | undefined;
  const fail = (error: unknown) => {
    if (!(error instanceof AwsCallError)) throw error;
    failure ??= collectionError(error.detail);
  };
  const applying = new Set<string>();
  const accept = (described: DescribedTrail) => {
    applying.add(described.config.arn);
    registry.describe(described, accountId);
  };

  let listed: TrailSighting[] = [];
  try {
    listed = await gateway.readPages(primary, 'cloudtrail', (token) => new ListTrailsCommand(token ? { NextToken: token } : {}), (output) => (output.Trails ?? []).map(mapTrailInfo), (output) => output.NextToken);
  } catch (error) {
    fail(error);
  }
  const regions = await scannedRegions;
  const own = listed.filter((trail) => trail.ownerAccountId === accountId);
  const foreign = listed.filter((trail) => trail.ownerAccountId !== accountId);
  const homedOutOfScope = own.some((trail) => regions !== undefined && !regions.has(trail.homeRegion));

  // Without a foreign trail in the listing, organization trails may exist that ListTrails does not show;
  // a trail homed out of scope needs the shadow view to tell whether it is multi-region.
  if (failure !== undefined || foreign.length === 0 || homedOutOfScope) {
    try {
      const described = await gateway.read(primary, 'cloudtrail', new DescribeTrailsCommand({ includeShadowTrails: true }), (output) =>
        (output.trailList ?? []).map(mapTrailDescription),
      );
      described.forEach(accept);
    } catch (error) {
      fail(error);
    }
  }

  const undescribedByRegion = new Map<string, string[]>();
  for (const trail of own) {
    if (applying.has(trail.arn) || (regions !== undefined && !regions.has(trail.homeRegion))) continue;
    undescribedByRegion.set(trail.homeRegion, [...(undescribedByRegion.get(trail.homeRegion) ?? []), trail.arn]);
  }
  await Promise.all(
    [...undescribedByRegion].map(async ([region, arns]) => {
      try {
        (await describeByArn(context, { accountId, region }, arns)).forEach(accept);
      } catch (error) {
        fail(error);
      }
      // A listed trail the description left out (deleted meanwhile, or an inconsistent answer) is still read by ARN.
      for (const trail of own.filter((candidate) => arns.includes(candidate.arn) && !applying.has(candidate.arn))) {
        applying.add(trail.arn);
        registry.sight(trail, accountId);
      }
    }),
  );

  for (const trail of foreign) {
    applying.add(trail.arn);
    registry.sight(trail, accountId);
  }
  return failure ?? [...applying].sort();
}

/**
 * CloudTrail Lake event data stores of one account in the given regions: ListEventDataStores (which
 * no longer returns the settings) and GetEventDataStore per store.
 */
export async function collectEventDataStores(
  context: ScanContext,
  accountId: string,
  regions: readonly string[],
): Promise<{ arns: string[] | CollectionError; stores: EventDataStore[] }> {
  const gateway = context.gateway;
  let failure: CollectionError | undefined;
  const arns = new Set<string>();
  const stores: EventDataStore[] = [];
  await Promise.all(
    regions.map(async (region) => {
      const target: Target = { accountId, region };
      const listed = await factOf(
        gateway.readPages(target, 'cloudtrail', (token) => new ListEventDataStoresCommand(token ? { NextToken: token } : {}), (output) => output.EventDataStores ?? [], (output) => output.NextToken),
        { codes: ['UnsupportedOperationException'], value: [] },
      );
      if (isCollectionError(listed)) {
        failure ??= listed;
        return;
      }
      for (const store of listed) {
        const arn = store.EventDataStoreArn;
        if (arn === undefined || arns.has(arn)) continue;
        arns.add(arn);
        const details = await factOf(gateway.read(target, 'cloudtrail', new GetEventDataStoreCommand({ EventDataStore: arn }), mapEventDataStore));
        if (isCollectionError(details)) context.errors.push(collectionError({ ...details.$error, message: `event data store ${arn}: ${details.$error.message ?? details.$error.code}` }));
        else stores.push(details);
      }
    }),
  );
  return { arns: failure ?? [...arns].sort(), stores };
}
