/**
 * The model indexed for lookups by name and ARN, built once per server. Handlers read only this.
 */
import {
  eventDataStoreArn,
  isRegionEnabled,
  kmsKeyArn,
  roleArn,
  trailArn,
  type FakeAccount,
  type FakeAwsModel,
  type FakeBucket,
  type FakeEventDataStore,
  type FakeKmsKey,
  type FakeRole,
  type FakeTrail,
  type Partition,
} from './model.js';

export interface Owned<T> {
  owner: FakeAccount;
  item: T;
  arn: string;
}

export class World {
  readonly partition: Partition;
  readonly model: FakeAwsModel;
  private readonly accounts = new Map<string, FakeAccount>();
  private readonly bucketsByName = new Map<string, Owned<FakeBucket>>();
  private readonly trailsByArn = new Map<string, Owned<FakeTrail>>();
  private readonly keysByArn = new Map<string, Owned<FakeKmsKey>>();
  private readonly rolesByArn = new Map<string, Owned<FakeRole>>();
  private readonly eventDataStoresByArn = new Map<string, Owned<FakeEventDataStore>>();
  /** Organization trails, which apply to every active member account. */
  readonly organizationTrails: Owned<FakeTrail>[] = [];

  constructor(model: FakeAwsModel) {
    this.model = model;
    this.partition = model.partition;
    for (const account of model.accounts) {
      if (this.accounts.has(account.id)) throw new Error(`fake AWS model: account ${account.id} appears twice`);
      this.accounts.set(account.id, account);
      for (const trail of account.trails) {
        const entry = { owner: account, item: trail, arn: trailArn(this.partition, trail.homeRegion, account.id, trail.name) };
        this.addUnique(this.trailsByArn, entry.arn, entry);
        if (trail.isOrganizationTrail) this.organizationTrails.push(entry);
      }
      for (const bucket of account.buckets) {
        this.addUnique(this.bucketsByName, bucket.name, { owner: account, item: bucket, arn: `arn:${this.partition}:s3:::${bucket.name}` });
      }
      for (const key of account.kmsKeys) {
        const arn = kmsKeyArn(this.partition, key.region, account.id, key.keyId);
        this.addUnique(this.keysByArn, arn, { owner: account, item: key, arn });
      }
      for (const role of account.roles) {
        const arn = roleArn(this.partition, account.id, role.name, role.path);
        this.addUnique(this.rolesByArn, arn, { owner: account, item: role, arn });
      }
      for (const store of account.eventDataStores) {
        const arn = eventDataStoreArn(this.partition, store.region, account.id, store.id);
        this.addUnique(this.eventDataStoresByArn, arn, { owner: account, item: store, arn });
      }
    }
    const organization = model.organization;
    const referenced = [
      ...(organization ? [organization.managementAccountId, ...organization.delegatedAdministrators.map((delegation) => delegation.accountId)] : []),
      ...model.callers.map((caller) => caller.accountId),
    ];
    const missing = referenced.find((accountId) => !this.accounts.has(accountId));
    if (missing !== undefined) throw new Error(`fake AWS model: account ${missing} is referenced but not among the accounts`);
  }

  private addUnique<T>(map: Map<string, T>, key: string, value: T): void {
    if (map.has(key)) throw new Error(`fake AWS model: ${key} appears twice`);
    map.set(key, value);
  }

  account(accountId: string): FakeAccount | undefined {
    return this.accounts.get(accountId);
  }

  allAccounts(): FakeAccount[] {
    return this.model.accounts;
  }

  isRegionEnabled(accountId: string, region: string): boolean {
    const state = this.accounts.get(accountId)?.regions.find((candidate) => candidate.name === region);
    return state !== undefined && isRegionEnabled(state);
  }

  isOrganizationMember(accountId: string): boolean {
    return this.model.organization !== null && this.accounts.get(accountId)?.status === 'ACTIVE';
  }

  bucket(name: string): Owned<FakeBucket> | undefined {
    return this.bucketsByName.get(name);
  }

  trail(arn: string): Owned<FakeTrail> | undefined {
    return this.trailsByArn.get(arn);
  }

  kmsKey(arn: string): Owned<FakeKmsKey> | undefined {
    return this.keysByArn.get(arn);
  }

  role(arn: string): Owned<FakeRole> | undefined {
    return this.rolesByArn.get(arn);
  }

  eventDataStore(arn: string): Owned<FakeEventDataStore> | undefined {
    return this.eventDataStoresByArn.get(arn);
  }

  trailsOf(account: FakeAccount): Owned<FakeTrail>[] {
    return account.trails.map((trail) => this.trailsByArn.get(trailArn(this.partition, trail.homeRegion, account.id, trail.name))!);
  }

  /** Organization trails of other accounts that apply to this account. */
  organizationTrailsApplyingTo(account: FakeAccount): Owned<FakeTrail>[] {
    if (!this.isOrganizationMember(account.id)) return [];
    return this.organizationTrails.filter((entry) => entry.owner.id !== account.id);
  }

  /** Whether `accountId` may call organizations:List* (management account or a delegated administrator). */
  canListOrganization(accountId: string): boolean {
    const organization = this.model.organization;
    if (!organization) return false;
    return (
      organization.managementAccountId === accountId ||
      organization.delegatedAdministrators.some((delegation) => delegation.accountId === accountId)
    );
  }
}
