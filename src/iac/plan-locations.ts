/**
 * Where a finding of a plan or template scan points: the .tf or template line that decides its verdict. Each snapshot
 * resource made from the plan keeps its plan address and, per fact, the attribute that sets it
 * (PlannedOrigin); the Terraform definitions read from the configuration (readIac) give the lines.
 *
 * The deciding fact is read from the finding itself: an "unknown before apply" error names the
 * address and attribute, otherwise the evidence paths (`trail.logFileValidationEnabled`), latest
 * first. An attribute the configuration leaves at its default has no line: the block's lines
 * stand for it. A resource whose definition is not found, or is found in several roots, has no
 * location (it keeps the one reports give every finding). Pure.
 */
import type { Finding, IacLocation } from '../results.js';
import { UNKNOWN_BEFORE_APPLY } from '../snapshot/not-offered.js';
import type { PlannedOrigin } from './plan-snapshot.js';
import type { IacDefinition, SourceSpan } from './types.js';

export interface PlanLocation {
  span: SourceSpan;
  /** The Terraform resource address (configuration address, with its module path). */
  address: string;
  /** The attribute whose line it is; absent when the block stands for it. */
  attribute?: string;
}

/** The scopes' top-level names in a rule's view (`trail.…`, `bucket.…`, `key.…`). */
const VIEW_ROOTS = new Set(['trail', 'bucket', 'key', 'logGroup', 'eventDataStore']);

function factOf(path: string): string | undefined {
  const [root, fact] = path.split('.');
  return root !== undefined && VIEW_ROOTS.has(root) ? fact?.replace(/\[.*$/, '') : undefined;
}

export class PlanLocator {
  private readonly byArn = new Map<string, PlannedOrigin[]>();
  private readonly byAddress = new Map<string, PlannedOrigin>();
  private readonly definitions = new Map<string, IacDefinition | null>();

  constructor(origins: readonly PlannedOrigin[], definitions: readonly IacDefinition[]) {
    for (const o of origins) {
      this.byArn.set(o.arn, [...(this.byArn.get(o.arn) ?? []), o]);
      this.byAddress.set(o.address, o);
    }
    for (const d of definitions) {
      // One address in two roots (two workspaces of one module) is ambiguous: no guess.
      this.definitions.set(d.address, this.definitions.has(d.address) ? null : d);
    }
  }

  private at(origin: PlannedOrigin, attribute: string | undefined): PlanLocation | undefined {
    const definition = this.definitions.get(origin.configAddress);
    if (!definition) return undefined;
    const attr = attribute === undefined ? undefined : definition.attributes[attribute];
    return attr ? { span: attr.span, address: origin.configAddress, attribute: attribute! } : { span: definition.block, address: origin.configAddress };
  }

  locate(finding: Pick<Finding, 'resource' | 'evidence' | 'errors'>): PlanLocation | undefined {
    for (const error of finding.errors ?? []) {
      if (error.code !== UNKNOWN_BEFORE_APPLY || !error.message) continue;
      for (const [address, origin] of this.byAddress) {
        if (!error.message.startsWith(`${address}.`)) continue;
        const attribute = /^\S+/.exec(error.message.slice(address.length + 1))?.[0];
        const found = this.at(origin, attribute);
        if (found) return found;
      }
    }
    const origins = this.byArn.get(finding.resource.arn) ?? [];
    for (let i = finding.evidence.length - 1; i >= 0; i--) {
      const fact = factOf(finding.evidence[i]!.path);
      if (fact === undefined) continue;
      for (const origin of origins) {
        const attribute = origin.attributes[fact];
        if (attribute === undefined) continue;
        const found = this.at(origin, attribute);
        if (found) return found;
      }
    }
    // The resource's own block (its first origin is the resource itself, satellites come after).
    const main = origins.find((o) => this.definitions.get(o.configAddress));
    return main ? this.at(main, undefined) : undefined;
  }
}

/** A location as findings carry it. */
export function iacLocationOf(location: PlanLocation): IacLocation {
  const { file, startLine, startColumn, endLine, endColumn } = location.span;
  return { file, startLine, startColumn, endLine, endColumn, address: location.address, ...(location.attribute !== undefined ? { attribute: location.attribute } : {}) };
}
