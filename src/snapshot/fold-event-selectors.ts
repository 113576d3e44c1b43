/**
 * Folds what cloudtrail:GetEventSelectors returns into the snapshot's one selector model
 * (schema.ts, EventSelectorsSchema): classic EventSelectors are rewritten as advanced field
 * selectors, so rules reason about a single shape. Pure: collectors call it with the raw response.
 *
 * The one invariant: folding never widens. A classic selector that logs less than "everything of
 * its kind" keeps a field selector saying so; only values AWS documents as "all resources of the
 * type" are dropped.
 */
import type { EventSelector, EventSelectors, FieldSelector } from './schema.js';
import { FIELD_OPERATORS, classicValuesArePrefixes, isAllResourcesArnPrefix, type FieldOperator } from './selector-vocabulary.js';

// The response shapes of GetEventSelectors (cloudtrail 2013-11-01), written here so that nothing
// outside src/collectors/ depends on the SDK. Members are `| undefined` where the SDK's are, so a
// GetEventSelectorsCommandOutput can be passed as is.

interface ClassicDataResource {
  Type?: string | undefined;
  Values?: string[] | undefined;
}

export interface ClassicSelector {
  /** All | ReadOnly | WriteOnly; AWS's default is All. */
  ReadWriteType?: string | undefined;
  /** AWS's default is true. */
  IncludeManagementEvents?: boolean | undefined;
  DataResources?: ClassicDataResource[] | undefined;
  ExcludeManagementEventSources?: string[] | undefined;
}

export interface AdvancedFieldSelector {
  Field: string | undefined;
  Equals?: string[] | undefined;
  StartsWith?: string[] | undefined;
  EndsWith?: string[] | undefined;
  NotEquals?: string[] | undefined;
  NotStartsWith?: string[] | undefined;
  NotEndsWith?: string[] | undefined;
}

interface AdvancedSelector {
  Name?: string | undefined;
  FieldSelectors: AdvancedFieldSelector[] | undefined;
}

export interface EventSelectorsResponse {
  EventSelectors?: ClassicSelector[] | undefined;
  AdvancedEventSelectors?: AdvancedSelector[] | undefined;
}

/**
 * The response contradicts the GetEventSelectors contract (a required member is missing, an enum
 * has an unknown value, both selector kinds are set). Thrown rather than guessed, because a guess
 * could widen coverage; collectors record it as a MalformedResponse error for the trail.
 */
export class MalformedSelectorError extends Error {
  override readonly name = 'MalformedSelectorError';
}

/** Each snapshot operator and the AdvancedFieldSelector member it comes from. */
const AWS_OPERATOR_MEMBERS = {
  equals: 'Equals',
  notEquals: 'NotEquals',
  startsWith: 'StartsWith',
  notStartsWith: 'NotStartsWith',
  endsWith: 'EndsWith',
  notEndsWith: 'NotEndsWith',
} as const satisfies Record<FieldOperator, Exclude<keyof AdvancedFieldSelector, 'Field'>>;

const MANAGEMENT_CATEGORY: FieldSelector = { field: 'eventCategory', equals: ['Management'] };
const DATA_CATEGORY: FieldSelector = { field: 'eventCategory', equals: ['Data'] };

/**
 * @param api the GetEventSelectors response (home region, trail ARN); may be absent only when
 *   `hasCustomEventSelectors` is false.
 * @param hasCustomEventSelectors Trail.HasCustomEventSelectors from DescribeTrails.
 * @param partition from GetCallerIdentity (aws, aws-cn, aws-us-gov).
 * @throws MalformedSelectorError when the response cannot be folded without guessing.
 */
export function foldEventSelectors(
  api: EventSelectorsResponse | undefined,
  hasCustomEventSelectors: boolean,
  partition: string,
): EventSelectors {
  if (!hasCustomEventSelectors) {
    // RULES.md: a trail without custom selectors logs all management events, read and write.
    return { source: 'default', selectors: [{ fieldSelectors: [{ ...MANAGEMENT_CATEGORY }] }] };
  }
  if (api === undefined) {
    throw new MalformedSelectorError('The trail has custom event selectors but no GetEventSelectors response was given.');
  }
  const classic = api.EventSelectors ?? [];
  const advanced = api.AdvancedEventSelectors ?? [];
  if (classic.length > 0 && advanced.length > 0) {
    throw new MalformedSelectorError('GetEventSelectors returned both EventSelectors and AdvancedEventSelectors.');
  }
  if (advanced.length > 0 || (api.EventSelectors === undefined && api.AdvancedEventSelectors !== undefined)) {
    return { source: 'advanced', selectors: advanced.map(foldAdvancedSelector) };
  }
  return { source: 'classic', selectors: classic.flatMap((selector) => foldClassicSelector(selector, partition)) };
}

function foldAdvancedSelector(selector: AdvancedSelector): EventSelector {
  if (selector.FieldSelectors === undefined) {
    throw new MalformedSelectorError(`Advanced event selector ${selector.Name ?? '(unnamed)'} has no FieldSelectors.`);
  }
  const fieldSelectors = selector.FieldSelectors.map((fieldSelector) => foldAdvancedFieldSelector(fieldSelector, selector.Name));
  return selector.Name === undefined ? { fieldSelectors } : { name: selector.Name, fieldSelectors };
}

function foldAdvancedFieldSelector(fieldSelector: AdvancedFieldSelector, selectorName: string | undefined): FieldSelector {
  if (fieldSelector.Field === undefined) {
    throw new MalformedSelectorError(`A field selector of advanced event selector ${selectorName ?? '(unnamed)'} has no Field.`);
  }
  const folded: FieldSelector = { field: fieldSelector.Field };
  for (const operator of FIELD_OPERATORS) {
    const values = fieldSelector[AWS_OPERATOR_MEMBERS[operator]];
    if (values !== undefined && values.length > 0) folded[operator] = [...values];
  }
  return folded;
}

function foldClassicSelector(selector: ClassicSelector, partition: string): EventSelector[] {
  const readOnly = readOnlyCondition(selector.ReadWriteType);
  const folded: EventSelector[] = [];
  if (selector.IncludeManagementEvents ?? true) {
    const excludedSources = selector.ExcludeManagementEventSources ?? [];
    folded.push({
      fieldSelectors: [
        { ...MANAGEMENT_CATEGORY },
        ...readOnly,
        ...(excludedSources.length > 0 ? [{ field: 'eventSource', notEquals: [...excludedSources] }] : []),
      ],
    });
  }
  for (const resource of selector.DataResources ?? []) {
    const dataSelector = foldClassicDataResource(resource, readOnly, partition);
    if (dataSelector !== undefined) folded.push(dataSelector);
  }
  return folded;
}

/** ReadWriteType as a readOnly field selector; All (or absent, AWS's default) needs none. */
function readOnlyCondition(readWriteType: string | undefined): FieldSelector[] {
  switch (readWriteType) {
    case undefined:
    case 'All':
      return [];
    case 'ReadOnly':
      return [{ field: 'readOnly', equals: ['true'] }];
    case 'WriteOnly':
      return [{ field: 'readOnly', equals: ['false'] }];
    default:
      throw new MalformedSelectorError(`Unknown ReadWriteType ${readWriteType}.`);
  }
}

/** One data resource as one selector; undefined when it has no values and so selects nothing. */
function foldClassicDataResource(resource: ClassicDataResource, readOnly: FieldSelector[], partition: string): EventSelector | undefined {
  const resourceType = resource.Type;
  if (resourceType === undefined) throw new MalformedSelectorError('A classic DataResource has no Type.');
  const values = resource.Values ?? [];
  if (values.length === 0) return undefined;
  const base: FieldSelector[] = [{ ...DATA_CATEGORY }, { field: 'resources.type', equals: [resourceType] }, ...readOnly];
  // One "all resources" value makes the whole list all resources: the values are a union.
  if (values.some((value) => isAllResourcesArnPrefix(resourceType, value, partition))) {
    return { fieldSelectors: base };
  }
  const operator: FieldOperator = classicValuesArePrefixes(resourceType) ? 'startsWith' : 'equals';
  return { fieldSelectors: [...base, { field: 'resources.ARN', [operator]: [...values] }] };
}
