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
import { withFields, type Finding, type IacLocation, type IacSummary } from '../results.js';
import { definitionRef } from './match.js';
import { UNKNOWN_BEFORE_APPLY } from '../snapshot/not-offered.js';
import type { PlannedOrigin } from './plan-snapshot.js';
import type { IacDefinition, SourceSpan } from './types.js';

export interface PlanLocation {
  span: SourceSpan;
  definition: IacDefinition;
  /** The Terraform resource address (configuration address, with its module path). */
  address: string;
  /** The attribute whose line it is; absent when the block stands for it. */
  attribute?: string;
}

const MAIN_KINDS = new Set(['trail', 'bucket', 'kms-key', 'log-group', 'event-data-store']);

/** The scopes' top-level names in a rule's view (`trail.…`, `bucket.…`, `key.…`). */
const VIEW_ROOTS = new Set(['trail', 'bucket', 'key', 'logGroup', 'eventDataStore']);

function factOf(path: string): string | undefined {
  const [root, fact] = path.split('.');
  return root !== undefined && VIEW_ROOTS.has(root) ? fact?.replace(/\[.*$/, '') : undefined;
}

export class PlanLocator {
  private readonly byArn = new Map<string, PlannedOrigin[]>();
  private readonly byAddress = new Map<string, PlannedOrigin>();
  private readonly definitions = new Map<string, IacDefinition | undefined>();

  /**
   * @param root the folder of the configuration the plan was made from, as definitions name their
   *   root: among definitions of one address in several roots (two environments built from one
   *   layout), the one there; otherwise several are ambiguous and none is guessed.
   */
  constructor(origins: readonly PlannedOrigin[], definitions: readonly IacDefinition[], root?: string) {
    for (const o of origins) {
      this.byArn.set(o.arn, [...(this.byArn.get(o.arn) ?? []), o]);
      this.byAddress.set(o.address, o);
    }
    const byAddress = new Map<string, IacDefinition[]>();
    for (const d of definitions) byAddress.set(d.address, [...(byAddress.get(d.address) ?? []), d]);
    for (const [address, found] of byAddress) {
      const chosen = found.length === 1 ? found : found.filter((d) => d.root === root);
      this.definitions.set(address, chosen.length === 1 ? chosen[0] : undefined);
    }
  }

  private at(origin: PlannedOrigin, attribute: string | undefined): PlanLocation | undefined {
    const definition = this.definitions.get(origin.configAddress);
    if (!definition) return undefined;
    const attr = attribute === undefined ? undefined : definition.attributes[attribute];
    return attr ? { span: attr.span, definition, address: origin.configAddress, attribute: attribute! } : { span: definition.block, definition, address: origin.configAddress };
  }

  /** The definitions of resources findings are about that no planned resource came from. */
  unplanned(): IacDefinition[] {
    const planned = new Set([...this.byAddress.values()].map((o) => o.configAddress));
    return [...this.definitions.values()].filter((d): d is IacDefinition => d !== undefined && !d.parent && !planned.has(d.address) && MAIN_KINDS.has(d.identity.kind));
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
  return {
    tool: location.definition.tool,
    file,
    startLine,
    startColumn,
    endLine,
    endColumn,
    address: location.address,
    resourceType: location.definition.resourceType,
    ...(location.attribute !== undefined ? { attribute: location.attribute } : {}),
  };
}

/** Findings of a plan or template scan on their defining lines, and what was read, as --iac reports it. */
export function locateFindings(
  locator: PlanLocator,
  read: Pick<IacSummary, 'paths' | 'files' | 'definitions' | 'diagnostics'>,
): (findings: readonly Finding[]) => { findings: Finding[]; summary: IacSummary } {
  return (findings) => {
    let located = 0;
    const out = findings.map((finding) => {
      const found = locator.locate(finding);
      if (!found) return finding;
      located++;
      return withFields(finding, { iac: iacLocationOf(found) });
    });
    return { findings: out, summary: { ...read, locatedFindings: located, unmatched: locator.unplanned().map(definitionRef), ambiguous: [] } };
  };
}
