/**
 * What a trail's folded event selectors record (RULES.md, "Event selectors"). Selectors are a
 * union: an event is logged when any selector admits it. A selector counts towards "all management
 * events" or "all S3 objects / Lambda functions" only when nothing in it narrows that scope, so a
 * selector's Name is never read.
 */
import type { EventSelector, EventSelectors, FieldSelector } from '../../snapshot/schema.js';
import {
  FIELD_OPERATORS,
  LAMBDA_FUNCTION_TYPE,
  S3_OBJECT_TYPE,
  isAllResourcesArnPrefix,
  type FieldOperator,
} from '../../snapshot/selector-vocabulary.js';

interface ReadWriteCoverage {
  read: boolean;
  write: boolean;
}

export interface SelectorCoverage {
  management: ReadWriteCoverage & {
    /** eventSource NotEquals values seen on management selectors (kms.amazonaws.com, rdsdata.amazonaws.com). */
    excludedSources: string[];
    /** Every narrowing condition seen on management selectors, e.g. "eventName equals ConsoleLogin". */
    narrowedBy: string[];
  };
  s3DataAllBuckets: ReadWriteCoverage;
  lambdaDataAllFunctions: ReadWriteCoverage;
  /** Bedrock resource types (AWS::Bedrock::*) whose read and write data events are recorded for every resource. */
  bedrockDataTypes: string[];
}

const BEDROCK_TYPE_PREFIX = 'AWS::Bedrock::';

/**
 * Operator semantics: an including operator admits a value matching any operand, an excluding one
 * admits a value matching none. Several operators on one field must all admit the value (the
 * narrower of AWS's possible readings).
 */
const OPERATOR_SEMANTICS: Record<FieldOperator, { includes: boolean; matches: (value: string, operand: string) => boolean }> = {
  equals: { includes: true, matches: (value, operand) => value === operand },
  notEquals: { includes: false, matches: (value, operand) => value === operand },
  startsWith: { includes: true, matches: (value, operand) => value.startsWith(operand) },
  notStartsWith: { includes: false, matches: (value, operand) => value.startsWith(operand) },
  endsWith: { includes: true, matches: (value, operand) => value.endsWith(operand) },
  notEndsWith: { includes: false, matches: (value, operand) => value.endsWith(operand) },
};

function fieldSelectorAdmits(fieldSelector: FieldSelector, value: string): boolean {
  return FIELD_OPERATORS.every((operator) => {
    const operands = fieldSelector[operator];
    if (operands === undefined) return true;
    const { includes, matches } = OPERATOR_SEMANTICS[operator];
    return operands.some((operand) => matches(value, operand)) === includes;
  });
}

/** Every condition the selector puts on the field admits the value (true when there is none). */
function admits(selector: EventSelector, field: string, value: string): boolean {
  return selector.fieldSelectors.every((fieldSelector) => fieldSelector.field !== field || fieldSelectorAdmits(fieldSelector, value));
}

/** The field is constrained and admits the value: eventCategory and resources.type must be stated. */
function requires(selector: EventSelector, field: string, value: string): boolean {
  return selector.fieldSelectors.some((fieldSelector) => fieldSelector.field === field) && admits(selector, field, value);
}

function readWriteAdmitted(selector: EventSelector): ReadWriteCoverage {
  return { read: admits(selector, 'readOnly', 'true'), write: admits(selector, 'readOnly', 'false') };
}

function union(a: ReadWriteCoverage, b: ReadWriteCoverage): ReadWriteCoverage {
  return { read: a.read || b.read, write: a.write || b.write };
}

const NOTHING: ReadWriteCoverage = { read: false, write: false };

/** Fields that choose the kind of event a selector logs rather than narrowing it. */
const SCOPE_FIELDS = new Set(['eventCategory', 'readOnly']);

function describeCondition(fieldSelector: FieldSelector): string[] {
  const conditions = FIELD_OPERATORS.flatMap((operator) => {
    const operands = fieldSelector[operator];
    return operands === undefined ? [] : [`${fieldSelector.field} ${operator} ${operands.join(', ')}`];
  });
  return conditions.length > 0 ? conditions : [`${fieldSelector.field} (no condition)`];
}

function managementCoverage(selectors: EventSelector[]): SelectorCoverage['management'] {
  let covered = NOTHING;
  const excludedSources = new Set<string>();
  const narrowedBy = new Set<string>();
  for (const selector of selectors) {
    if (!requires(selector, 'eventCategory', 'Management')) continue;
    const narrowing = selector.fieldSelectors.filter((fieldSelector) => !SCOPE_FIELDS.has(fieldSelector.field));
    for (const fieldSelector of narrowing) {
      describeCondition(fieldSelector).forEach((condition) => narrowedBy.add(condition));
      if (fieldSelector.field === 'eventSource') fieldSelector.notEquals?.forEach((source) => excludedSources.add(source));
    }
    if (narrowing.length === 0) covered = union(covered, readWriteAdmitted(selector));
  }
  return { ...covered, excludedSources: [...excludedSources], narrowedBy: [...narrowedBy] };
}

/** A resources.ARN condition that still spans every resource of the type: only StartsWith, with an all-resources prefix. */
function spansAllResources(fieldSelector: FieldSelector, resourceType: string, partition: string): boolean {
  const onlyStartsWith = FIELD_OPERATORS.every((operator) => operator === 'startsWith' || fieldSelector[operator] === undefined);
  return onlyStartsWith && (fieldSelector.startsWith ?? []).some((prefix) => isAllResourcesArnPrefix(resourceType, prefix, partition));
}

function narrowsDataScope(fieldSelector: FieldSelector, resourceType: string, partition: string): boolean {
  if (SCOPE_FIELDS.has(fieldSelector.field) || fieldSelector.field === 'resources.type') return false;
  if (fieldSelector.field === 'resources.ARN') return !spansAllResources(fieldSelector, resourceType, partition);
  return true;
}

function allResourcesCoverage(selectors: EventSelector[], resourceType: string, partition: string): ReadWriteCoverage {
  return selectors
    .filter(
      (selector) =>
        requires(selector, 'eventCategory', 'Data') &&
        requires(selector, 'resources.type', resourceType) &&
        !selector.fieldSelectors.some((fieldSelector) => narrowsDataScope(fieldSelector, resourceType, partition)),
    )
    .map(readWriteAdmitted)
    .reduce(union, NOTHING);
}

/**
 * Bedrock types only advanced selectors can name (resources.type Equals). A type counts when the
 * union of Data selectors on it records reads and writes with nothing narrowing them, the same
 * semantics as the S3 and Lambda coverage.
 */
function bedrockDataTypes(selectors: EventSelector[], partition: string): string[] {
  const named = new Set(
    selectors.flatMap((selector) =>
      selector.fieldSelectors.flatMap((fieldSelector) =>
        fieldSelector.field === 'resources.type' ? (fieldSelector.equals ?? []).filter((type) => type.startsWith(BEDROCK_TYPE_PREFIX)) : [],
      ),
    ),
  );
  return [...named].filter((type) => {
    const covered = allResourcesCoverage(selectors, type, partition);
    return covered.read && covered.write;
  }).sort();
}

export function selectorCoverage(es: EventSelectors, partition: string): SelectorCoverage {
  return {
    management: managementCoverage(es.selectors),
    s3DataAllBuckets: allResourcesCoverage(es.selectors, S3_OBJECT_TYPE, partition),
    lambdaDataAllFunctions: allResourcesCoverage(es.selectors, LAMBDA_FUNCTION_TYPE, partition),
    bedrockDataTypes: bedrockDataTypes(es.selectors, partition),
  };
}

function describeReadWrite({ read, write }: ReadWriteCoverage): string {
  if (read && write) return 'read and write';
  if (read) return 'read only';
  if (write) return 'write only';
  return 'none';
}

/** One sentence for evidence and messages, e.g. "Management events: write only (narrowed by …); S3 …; Lambda …." */
export function describeCoverage(c: SelectorCoverage): string {
  const { management } = c;
  const fullyCovered = management.read && management.write;
  const narrowing = !fullyCovered && management.narrowedBy.length > 0 ? ` (narrowed by ${management.narrowedBy.join('; ')})` : '';
  return (
    `Management events: ${describeReadWrite(management)}${narrowing}; ` +
    `S3 data events for all buckets: ${describeReadWrite(c.s3DataAllBuckets)}; ` +
    `Lambda data events for all functions: ${describeReadWrite(c.lambdaDataAllFunctions)}.`
  );
}
