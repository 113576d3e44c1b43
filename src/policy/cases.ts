/**
 * Cases files (`<rule>.cases.yaml`): stories that prove a rule, each a snapshot fragment plus the
 * verdict expected per resource (STYLE: ESLint's RuleTester, `opa test`). Loading keeps positions
 * so a failing case points at its line; running builds the snapshot, evaluates the rule alone and
 * compares. `trailwarden test` (src/run/test-cases.ts) and the project's own harness
 * (test/policies/cases.test.ts) are both callers of this module.
 */
import type { Diagnostic } from '../errors.js';
import { evaluate, type CompiledRule } from '../engine/evaluate.js';
import type { Evidence, Finding, Status } from '../results.js';
import type { ParamValue } from '../language/types.js';
import { formatInstancePath, snapshotValidator } from '../snapshot/validate.js';
import { buildSnapshot, type SnapshotFragment } from './snapshot-builder.js';
import { compileSchema, diagnosticAt, locate, parseYaml, schemaDiagnostics, type YamlSource } from './yaml-source.js';

const STATUSES: readonly Status[] = ['pass', 'fail', 'error', 'not_applicable'];
const fragmentList = { type: 'array', items: { type: 'object' } };

/** JSON Schema of cases files (published as schemas/cases.schema.json). */
export const casesSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://trailwarden.dev/schemas/cases.schema.json',
  title: 'trailwarden rule cases',
  type: 'object',
  required: ['rule', 'cases'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    rule: { type: 'string', pattern: '^[a-z0-9-]+/[a-z0-9-]+$', description: 'The id of the rule these cases prove (the rule file next to this one).' },
    cases: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'snapshot'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, description: 'Named by the story: pass-…, fail-…, error-…' },
          story: { type: 'string', description: 'One sentence: what the snapshot shows and why the verdict follows.' },
          params: { type: 'object', description: "Overrides of the rule's params for this case.", additionalProperties: { anyOf: [{ type: ['string', 'number', 'boolean', 'null'] }, { type: 'array' }] } },
          snapshot: {
            type: 'object',
            description: 'A snapshot fragment: every resource starts fully compliant; objects merge deeply, arrays replace, "$absent" removes a field, { $error: { action, code } } records a collection error.',
            additionalProperties: false,
            properties: {
              scanTime: { type: 'string', format: 'date-time' },
              partition: { enum: ['aws', 'aws-cn', 'aws-us-gov'] },
              callerAccountId: { type: 'string' },
              organization: { type: ['object', 'null'] },
              accounts: fragmentList,
              trails: fragmentList,
              buckets: fragmentList,
              kmsKeys: fragmentList,
              logGroups: fragmentList,
              eventDataStores: fragmentList,
              snsTopics: fragmentList,
              errors: fragmentList,
              integrity: { type: 'object' },
            },
          },
          expect: {
            type: 'array',
            description: 'The verdict per resource. Leave it out (or empty) and run `trailwarden test --update` to fill it in from the actual verdicts.',
            items: {
              type: 'object',
              required: ['resource', 'status'],
              additionalProperties: false,
              properties: {
                resource: { type: 'string', description: 'ARN, account id, or account/region (region scope).' },
                status: { enum: [...STATUSES] },
                errorAction: { type: 'string', description: 'The error message must name this API action.' },
                messageIncludes: { type: 'string', description: 'The message must contain this text.' },
              },
            },
          },
        },
      },
    },
  },
} as const;

export interface Expectation {
  resource: string;
  status: Status;
  errorAction?: string;
  messageIncludes?: string;
}

export interface Case {
  name: string;
  story?: string;
  params?: Record<string, ParamValue>;
  snapshot: SnapshotFragment;
  expect?: Expectation[];
}

/** A case with where it is: the line of its `name`, of each expectation, and its index. */
export interface LocatedCase extends Case {
  index: number;
  line: number;
  expectLines: number[];
}

export interface CasesFile {
  file: string;
  rule: string;
  cases: LocatedCase[];
  source: YamlSource;
}

/** Parse and check one cases file; every problem at once, located. */
export function loadCasesFile(file: string, text: string): { cases?: CasesFile; diagnostics: Diagnostic[] } {
  const source = parseYaml(text, file);
  if (source.diagnostics.length) return { diagnostics: source.diagnostics };
  const diagnostics = schemaDiagnostics(source, compileSchema('cases', casesSchema));
  if (diagnostics.length) return { diagnostics };
  const data = source.data as { rule: string; cases: Case[] };
  const names = new Map<string, number>();
  const cases = data.cases.map((c, index): LocatedCase => {
    if (names.has(c.name)) diagnostics.push(diagnosticAt(source, ['cases', index, 'name'], 'cases/duplicate-name', `case '${c.name}' is also at index ${names.get(c.name)}`));
    names.set(c.name, index);
    return {
      ...c,
      index,
      line: locate(source, ['cases', index, 'name']).line,
      expectLines: (c.expect ?? []).map((_e, j) => locate(source, ['cases', index, 'expect', j]).line),
    };
  });
  if (diagnostics.length) return { diagnostics };
  return { cases: { file, rule: data.rule, cases, source }, diagnostics: [] };
}

/** A finding matches an expectation's resource by ARN, account id, or "account/region". */
export function findingMatches(f: Finding, resource: string): boolean {
  return resourceMatches(f.resource, resource);
}

export function resourceMatches(ref: Finding['resource'], resource: string): boolean {
  if (ref.arn === resource) return true;
  if (ref.type === 'region') return `${ref.accountId}/${ref.region ?? '*'}` === resource;
  return ref.accountId === resource && (ref.type === 'account' || ref.type === 'organization');
}

/** The name an expectation uses for a finding's resource (the inverse of findingMatches). */
export function resourceName(f: Pick<Finding, 'resource'>): string {
  if (f.resource.type === 'region') return `${f.resource.accountId}/${f.resource.region ?? '*'}`;
  if (f.resource.type === 'account' || f.resource.type === 'organization') return f.resource.accountId;
  return f.resource.arn;
}

/** One expectation that did not hold. */
export interface CaseMismatch {
  line: number;
  resource: string;
  expected: string;
  actual: string;
  message?: string;
  evidence: Evidence[];
}

export interface CaseOutcome {
  case: LocatedCase;
  /** Every finding of the case's snapshot (what --update writes). */
  findings: Finding[];
  mismatches: CaseMismatch[];
  /** The case has no expectations yet. */
  unexpected: boolean;
}

const UNRENDERED = /\{(resource|param\.[A-Za-z0-9_]+)\}|undefined/;

/**
 * Run one case against a rule already loaded with the case's params. Problems of the case itself
 * (a snapshot the builder cannot make schema-valid) are diagnostics, located at the case.
 */
export function runCase(rule: CompiledRule, file: CasesFile, c: LocatedCase): { outcome?: CaseOutcome; diagnostics: Diagnostic[] } {
  let snapshot;
  try {
    snapshot = buildSnapshot(c.snapshot);
  } catch (err) {
    return { diagnostics: [diagnosticAt(file.source, ['cases', c.index, 'snapshot'], 'cases/snapshot', `cannot build the snapshot: ${err instanceof Error ? err.message : String(err)}`)] };
  }
  const validate = snapshotValidator();
  if (!validate(snapshot)) {
    const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${formatInstancePath(e.instancePath)} ${e.message ?? ''}`);
    return { diagnostics: [diagnosticAt(file.source, ['cases', c.index, 'snapshot'], 'cases/snapshot', `the snapshot is not schema-valid: ${errors.join('; ')}`)] };
  }
  const findings = evaluate(snapshot, [rule], { now: new Date(snapshot.scanTime) });
  const mismatches: CaseMismatch[] = [];
  (c.expect ?? []).forEach((e, j) => {
    const line = c.expectLines[j] ?? c.line;
    const found = findings.filter((f) => findingMatches(f, e.resource));
    if (found.length !== 1) {
      const actual = found.length ? `${found.length} findings` : `no finding; the findings are ${findings.map((f) => `${resourceName(f)}=${f.status}`).join(', ') || 'none'}`;
      mismatches.push({ line, resource: e.resource, expected: e.status, actual, evidence: [] });
      return;
    }
    const f = found[0]!;
    const base = { line, resource: e.resource, message: f.message, evidence: f.evidence };
    if (f.status !== e.status) mismatches.push({ ...base, expected: e.status, actual: f.status });
    else if (UNRENDERED.test(f.message)) mismatches.push({ ...base, expected: 'a message with every placeholder rendered', actual: f.message });
    else if (e.errorAction && !f.message.includes(e.errorAction)) mismatches.push({ ...base, expected: `${e.status} naming ${e.errorAction}`, actual: f.message });
    else if (e.messageIncludes && !f.message.includes(e.messageIncludes)) mismatches.push({ ...base, expected: `a message including "${e.messageIncludes}"`, actual: f.message });
  });
  return { outcome: { case: c, findings, mismatches, unexpected: !c.expect?.length }, diagnostics: [] };
}

/** The expectations --update writes for a new case: every finding's actual verdict. */
export function expectationsFrom(findings: readonly Finding[]): Expectation[] {
  return findings.map((f) => ({ resource: resourceName(f), status: f.status }));
}
