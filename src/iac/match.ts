/**
 * Findings <-> definitions. A scanned resource matches the definitions whose statically known
 * identity is its identity: trail, bucket, log group and event data store by name (and region or
 * account when the definition knows them), a KMS key by ARN or through the definition of the
 * trail, log group or event data store that uses it. One definition: the finding gets its
 * location, at the attribute that decides the rule's verdict when there is one. More than one
 * (two roots, a module instantiated twice): ambiguous, reported, no location guessed.
 */
import { withFields, type Finding, type IacDefinitionRef, type IacLocation, type IacSummary, type ResourceRef, type ResourceType } from '../results.js';
import type { Snapshot } from '../snapshot/schema.js';
import { decidingCandidates } from './deciding.js';
import { resourceTypeInfo } from './kinds.js';
import type { IacDefinition, IacIndex, IacKind } from './types.js';

/** The definitions a finding's resource can be: the kinds findings are about. */
const FINDING_KINDS: ReadonlySet<IacKind> = new Set(['trail', 'bucket', 'kms-key', 'log-group', 'event-data-store']);

export interface IacMatch {
  findings: Finding[];
  summary: IacSummary;
}

export function definitionRef(def: IacDefinition): IacDefinitionRef {
  return {
    tool: def.tool,
    resourceType: def.resourceType,
    address: def.address,
    file: def.block.file,
    startLine: def.block.startLine,
    endLine: def.block.endLine,
    ...(def.identity.name !== undefined ? { name: def.identity.name } : {}),
  };
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** A definition's primary: itself, or the definition a satellite belongs to. */
function primaryOf(def: IacDefinition, byKey: Map<string, IacDefinition>): IacDefinition {
  const info = resourceTypeInfo(def.resourceType);
  if (info?.satellite && def.parent !== undefined) return byKey.get(`${def.root}\u0000${def.parent}`) ?? def;
  return def;
}

export class IacMatcher {
  private readonly primaries: IacDefinition[];
  private readonly byKey = new Map<string, IacDefinition>();
  /** Primary key -> its satellites (linked, or naming the same bucket in the same root). */
  private readonly satellites = new Map<string, IacDefinition[]>();
  private readonly matched = new Set<IacDefinition>();

  constructor(
    private readonly index: IacIndex,
    private readonly snapshot: Snapshot,
  ) {
    for (const def of index.definitions) this.byKey.set(key(def), def);
    this.primaries = index.definitions.filter((d) => FINDING_KINDS.has(d.identity.kind) && !resourceTypeInfo(d.resourceType)?.satellite);
    for (const def of index.definitions) {
      if (!resourceTypeInfo(def.resourceType)?.satellite) continue;
      let primary = primaryOf(def, this.byKey);
      if (primary === def && def.identity.name !== undefined) {
        // A satellite naming its bucket by a literal: the bucket defined in the same root.
        const same = this.primaries.filter((p) => p.root === def.root && p.identity.kind === def.identity.kind && p.identity.name === def.identity.name);
        if (same.length === 1) primary = same[0] as IacDefinition;
      }
      if (primary === def) continue;
      const list = this.satellites.get(key(primary)) ?? [];
      list.push(def);
      this.satellites.set(key(primary), list);
    }
  }

  /** Definitions a scanned resource can be. */
  candidates(resource: Pick<ResourceRef, 'type' | 'arn' | 'name' | 'region' | 'accountId'>): IacDefinition[] {
    const kind = resource.type as IacKind;
    if (!FINDING_KINDS.has(kind)) return [];
    const fits = (def: IacDefinition) =>
      (def.identity.region === undefined || resource.region === undefined || def.identity.region === resource.region) &&
      (def.identity.accountId === undefined || def.identity.accountId === resource.accountId);
    const byIdentity = this.primaries.filter(
      (def) => def.identity.kind === kind && fits(def) && ((def.identity.arn !== undefined && def.identity.arn === resource.arn) || (def.identity.name !== undefined && def.identity.name === resource.name)),
    );
    if (kind !== 'kms-key' || byIdentity.length > 0) return byIdentity;
    return this.keysByUse(resource.arn);
  }

  /** KMS keys have no name the scan sees: the key definitions that the definitions of its users refer to. */
  private keysByUse(keyArn: string): IacDefinition[] {
    const users: { type: ResourceType; name: string; region?: string; accountId: string; attribute: string[] }[] = [];
    for (const trail of this.snapshot.trails) {
      if (str(trail.kmsKeyId) === keyArn) users.push({ type: 'trail', name: trail.name, region: trail.homeRegion, accountId: trail.ownerAccountId, attribute: ['kms_key_id', 'KMSKeyId'] });
    }
    for (const group of this.snapshot.logGroups ?? []) {
      const details = group.details as { kmsKeyId?: unknown } | null;
      if (details && str(details.kmsKeyId) === keyArn) users.push({ type: 'log-group', name: group.name, region: group.region, accountId: group.accountId, attribute: ['kms_key_id', 'KmsKeyId'] });
    }
    for (const store of this.snapshot.eventDataStores ?? []) {
      if (str(store.kmsKeyId) === keyArn) users.push({ type: 'event-data-store', name: store.name, region: store.region, accountId: store.accountId, attribute: ['kms_key_id', 'KmsKeyId'] });
    }
    const found = new Set<IacDefinition>();
    for (const user of users) {
      for (const def of this.candidates({ type: user.type, arn: '', name: user.name, accountId: user.accountId, ...(user.region !== undefined ? { region: user.region } : {}) })) {
        for (const attribute of user.attribute) {
          for (const ref of def.attributes[attribute]?.refs ?? []) {
            let target = this.byKey.get(`${def.root}\u0000${ref}`);
            if (target?.identity.kind === 'kms-alias' && target.parent !== undefined) target = this.byKey.get(`${def.root}\u0000${target.parent}`);
            if (target?.identity.kind === 'kms-key' && !resourceTypeInfo(target.resourceType)?.satellite) found.add(target);
          }
        }
      }
    }
    return [...found];
  }

  /** The location of a finding in its one definition: the deciding attribute, a satellite's block, or the block. */
  locate(ruleId: string, primary: IacDefinition): IacLocation {
    const group = [primary, ...(this.satellites.get(key(primary)) ?? [])];
    const candidates = decidingCandidates(ruleId, primary.tool);
    const at = (def: IacDefinition, attribute?: string): IacLocation => {
      const attr = attribute !== undefined ? def.attributes[attribute] : undefined;
      const span = attr?.span ?? def.block;
      return {
        tool: def.tool,
        file: span.file,
        startLine: span.startLine,
        startColumn: span.startColumn,
        endLine: span.endLine,
        endColumn: span.endColumn,
        address: def.address,
        resourceType: def.resourceType,
        ...(attr && attribute !== undefined ? { attribute } : {}),
      };
    };
    for (const candidate of candidates) {
      if (candidate.attribute === undefined) continue;
      const def = group.find((d) => {
        const attr = d.resourceType === candidate.resourceType ? d.attributes[candidate.attribute as string] : undefined;
        return attr !== undefined && (candidate.when === undefined || attr.value === candidate.when);
      });
      if (def) return at(def, candidate.attribute);
    }
    for (const candidate of candidates) {
      const def = group.find((d) => d.resourceType === candidate.resourceType);
      if (def) return at(def);
    }
    return at(primary);
  }

  /** Every finding of a resource defined once gets its location; the summary lists the rest. */
  match(findings: readonly Finding[]): IacMatch {
    const ambiguous = new Map<string, IacSummary['ambiguous'][number]>();
    let located = 0;
    const cache = new Map<string, IacDefinition[]>();
    const out = findings.map((finding) => {
      const { resource } = finding;
      const cacheKey = `${resource.type}\u0000${resource.arn}\u0000${resource.name ?? ''}\u0000${resource.region ?? ''}`;
      let defs = cache.get(cacheKey);
      if (!defs) {
        defs = this.candidates(resource);
        cache.set(cacheKey, defs);
      }
      for (const def of defs) this.matched.add(def);
      if (defs.length > 1) {
        if (!ambiguous.has(resource.arn)) {
          ambiguous.set(resource.arn, { resource: { type: resource.type, arn: resource.arn, ...(resource.name !== undefined ? { name: resource.name } : {}) }, definitions: defs.map(definitionRef) });
        }
        return finding;
      }
      const [def] = defs;
      if (!def) return finding;
      located++;
      return withFields(finding, { iac: this.locate(finding.ruleId, def) });
    });
    // Definitions no finding reached may still be resources of the snapshot (a rule that passed
    // is a finding too, so this is mostly rules filtered out by a pack): look them up directly.
    for (const resource of snapshotResources(this.snapshot)) {
      if (this.matched.size === this.primaries.length) break;
      for (const def of this.candidates(resource)) this.matched.add(def);
    }
    const unmatched = this.primaries.filter((d) => !this.matched.has(d)).map(definitionRef);
    return {
      findings: out,
      summary: {
        paths: this.index.paths,
        files: this.index.files,
        definitions: this.index.definitions.length,
        locatedFindings: located,
        unmatched,
        ambiguous: [...ambiguous.values()],
        diagnostics: this.index.diagnostics.map((d) => ({ file: d.file, line: d.line, column: d.column, code: d.code, message: d.message })),
      },
    };
  }
}

const key = (def: IacDefinition) => `${def.root}\u0000${def.address}`;

/** The scanned resources of the kinds definitions describe, as findings name them. */
function snapshotResources(snapshot: Snapshot): Pick<ResourceRef, 'type' | 'arn' | 'name' | 'region' | 'accountId'>[] {
  const out: Pick<ResourceRef, 'type' | 'arn' | 'name' | 'region' | 'accountId'>[] = [];
  for (const t of snapshot.trails) out.push({ type: 'trail', arn: t.arn, name: t.name, region: t.homeRegion, accountId: t.ownerAccountId });
  for (const b of snapshot.buckets) {
    const region = str(b.region);
    out.push({ type: 'bucket', arn: `arn:${snapshot.partition}:s3:::${b.name}`, name: b.name, accountId: str(b.ownerAccountId) ?? '', ...(region !== undefined ? { region } : {}) });
  }
  for (const k of snapshot.kmsKeys ?? []) out.push({ type: 'kms-key', arn: k.arn, accountId: k.accountId, region: k.region });
  for (const g of snapshot.logGroups ?? []) out.push({ type: 'log-group', arn: g.arn, name: g.name, region: g.region, accountId: g.accountId });
  for (const e of snapshot.eventDataStores ?? []) out.push({ type: 'event-data-store', arn: e.arn, name: e.name, region: e.region, accountId: e.accountId });
  return out;
}

/**
 * The definition of a Terraform resource address as a plan names it: instance keys
 * (`module.m["a"].aws_s3_bucket.b[0]`) are dropped, since one block defines every instance.
 * Undefined when no definition, or more than one in different roots, has that address.
 */
export function definitionForAddress(definitions: readonly IacDefinition[], address: string): IacDefinition | undefined {
  const bare = stripInstanceKeys(address);
  const found = definitions.filter((d) => d.tool === 'terraform' && d.address === bare);
  return found.length === 1 ? found[0] : undefined;
}

/** `module.a["x"].aws_b.c[0]` -> `module.a.aws_b.c`; a linear scan that skips quoted keys. */
export function stripInstanceKeys(address: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < address.length; i++) {
    const c = address.charAt(i);
    if (depth > 0) {
      if (quoted) {
        if (c === '\\') i++;
        else if (c === '"') quoted = false;
      } else if (c === '"') quoted = true;
      else if (c === ']') depth--;
      continue;
    }
    if (c === '[') depth++;
    else out += c;
  }
  return out;
}

/** Findings with their IaC locations, and what the reports list about the rest. */
export function matchFindings(findings: readonly Finding[], index: IacIndex, snapshot: Snapshot): IacMatch {
  return new IacMatcher(index, snapshot).match(findings);
}
