import type { RESOURCE_TYPES, Remediation, Severity } from '../results.js';

export type Scope = (typeof RESOURCE_TYPES)[number];

/** A rule parameter's value, or a reference to one in a condition. */
export type ParamValue = string | number | boolean | null | string[] | number[];
interface ParamRef {
  param: string;
}
export type Operand = ParamValue | ParamRef;

export interface ParamSpec {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'string-array';
  default: ParamValue;
  description: string;
}

/** Conditions are data (SPEC §4): combinators, quantifiers over arrays, and leaf comparisons. */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { some: string; where: Condition }
  | { every: string; where: Condition }
  | { none: string; where: Condition }
  | { count: string; where?: Condition; op: CountOperator; value: number | ParamRef }
  | { path: string; op: string; value?: Operand }
  | { param: string; op: string; value?: Operand }
  | { use: FragmentUse };

/** A named condition fragment included with parameters: `use: { fragment: id, with: { … } }`. */
export interface FragmentUse {
  fragment: string;
  with?: Record<string, Operand>;
}

/** A fragment parameter: like a rule's, but without a default it must be given by every use. */
export interface FragmentParamSpec {
  type: ParamSpec['type'];
  default?: ParamValue;
  description: string;
}

/** `policies/fragments/<id>.yaml`: a reusable condition with typed parameters. */
export interface FragmentDefinition {
  id: string;
  description: string;
  params?: Record<string, FragmentParamSpec>;
  condition: Condition;
}

export type CountOperator = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';

interface RuleMessages {
  pass: string;
  fail: string;
  notApplicable?: string;
}

export interface RuleDefinition {
  id: string;
  title: string;
  severity: Severity;
  scope: Scope;
  description: string;
  remediation: Remediation;
  /** Optional in a rule file; a loaded rule without it maps to no framework. */
  frameworks?: Record<string, string[]>;
  params?: Record<string, ParamSpec>;
  applies?: Condition;
  condition: Condition;
  messages: RuleMessages;
  helpUri?: string;
  /**
   * Facts the scan collects only when asked (`verify-integrity`: --verify-integrity;
   * `verify-integrity-files`: --verify-integrity-files too). Without them the rule is not evaluated.
   */
  requires?: OptInCollection;
}

export const OPT_IN_COLLECTIONS = ['verify-integrity', 'verify-integrity-files'] as const;
export type OptInCollection = (typeof OPT_IN_COLLECTIONS)[number];

/** A rule as loaded: its definition, where it came from, and its effective parameters. */
export interface LoadedRule extends RuleDefinition {
  frameworks: Record<string, string[]>;
  params: Record<string, ParamSpec>;
  paramValues: Record<string, ParamValue>;
  source: { file: string; line: number; builtin: boolean };
}

export interface Pack {
  id: string;
  title: string;
  version?: string;
  description?: string;
  sources?: string[];
  controls?: { id: string; title: string; rules: string[] }[];
  rules?: string[];
}
