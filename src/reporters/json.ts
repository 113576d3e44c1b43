/**
 * results.json: the Results object itself (SPEC §3) in a canonical form. Known objects keep the
 * field order of their declaration in src/results.ts; free-form data (evidence values, framework
 * maps) and any field added later are ordered by key. The same results always serialize to the
 * same bytes, whatever order the engine built its objects in, so diffs between scans stay small.
 *
 * Size (schema 2.0, docs/results-json.md): everything but the findings is indented by two spaces;
 * each finding is one line of compact JSON (grep and line-by-line readers see one finding per
 * line). What repeats is written once: a finding's evidence, framework controls and message (its
 * resource's name and account id taken out, see messageTemplate) are indexes into evidenceTable,
 * frameworkTable, messageTable and fixTable (a fix's JSON text, templated as a message is), written before the findings; a finding leaves out the
 * severity and resource type its rule states. readResultsDocument (src/results.ts) puts all of it
 * back. A table stops growing at TABLE_LIMIT entries or bytes; past that findings carry the value
 * itself, so writing holds at most the tables and an index per finding beside the results (and the
 * caches below, each an entry per distinct object or text).
 *
 * Speed (issue 15): the bytes are those JSON.stringify of a canonical copy gave (the writer before,
 * kept in test/reporters/fixtures/json-2.0-reference.ts, is compared byte for byte with this one by
 * test/reporters/json-identical.test.ts), but written without the copy: writeJson writes straight
 * from a value's shape and hands anything unusual back to the copy. What findings share by identity
 * is written once (a rule's framework list, a resource, an evidence item), an evidence list is
 * looked up by its items' numbers, a message's template is built from its text, and the finding
 * lines are joined per chunk.
 */
import { RESULTS_TABLES, messageTemplate, type Finding, type Results, type RuleMeta } from '../results.js';
import type { Reporter } from './context.js';
import { REPORT_FILE_NAMES } from './formats.js';
import { compareText } from './model.js';

/** How to order one JSON value: listed fields first (with their own shapes), array items by `each`. */
export interface Shape {
  readonly fields?: readonly (readonly [string, Shape?])[];
  readonly each?: Shape;
}

export const FIX_SHAPE: Shape = { fields: [['commands'], ['terraform'], ['collect']] };

const collectionError: Shape = { fields: [['action'], ['code'], ['accountId'], ['region'], ['message']] };

export const resultsShape: Shape = {
  fields: [
    ['schemaVersion'],
    ['tool', { fields: [['name'], ['version']] }],
    ['runId'],
    ['scanTime'],
    ['snapshotTime'],
    ['partition'],
    ['organizationId'],
    ['pack'],
    ['accounts', { each: { fields: [['id'], ['name']] } }],
    ['regions'],
    ['collectionErrors', { each: collectionError }],
    [
      'rules',
      {
        each: {
          fields: [
            ['id'],
            ['title'],
            ['severity'],
            ['scope'],
            ['description'],
            ['remediation', { fields: [['console'], ['cli'], ['terraform']] }],
            ['frameworks'],
            ['source', { fields: [['file'], ['line'], ['builtin']] }],
            ['helpUri'],
          ],
        },
      },
    ],
    [
      'findings',
      {
        each: {
          fields: [
            ['ruleId'],
            ['status'],
            ['severity'],
            ['resource', { fields: [['type'], ['arn'], ['accountId'], ['region'], ['name']] }],
            ['message'],
            ['evidence', { each: { fields: [['path'], ['value']] } }],
            ['frameworks'],
            ['errors', { each: collectionError }],
            ['suppression', { fields: [['reason'], ['expires']] }],
            ['fix', FIX_SHAPE],
            ['baselineState'],
            ['baselineStatus'],
            ['iac', { fields: [['file'], ['startLine'], ['startColumn'], ['endLine'], ['endColumn'], ['address'], ['attribute']] }],
          ],
        },
      },
    ],
    ['incomplete', { fields: [['summary'], ['gaps', { each: { fields: [['kind'], ['arn'], ['accountId'], ['action'], ['code'], ['message']] } }]] }],
    ['expiredSuppressions', { each: { fields: [['ruleId'], ['resource'], ['reason'], ['expires']] } }],
    ['shard', { fields: [['index'], ['count']] }],
    ['warnings', { each: { fields: [['file'], ['line'], ['column'], ['code'], ['message']] } }],
    [
      'baseline',
      {
        fields: [
          ['file'],
          ['kind'],
          ['time'],
          ['firstRun'],
          ['counts', { fields: [['new'], ['unchanged'], ['updated'], ['absent']] }],
          ['newFailures'],
          ['outsideScope', { fields: [['rules'], ['accounts'], ['findings']] }],
          ['absent', { each: { fields: [['ruleId'], ['status'], ['severity'], ['reason'], ['resource', { fields: [['type'], ['arn'], ['accountId'], ['region'], ['name']] }], ['message']] } }],
        ],
      },
    ],
  ],
};

const listedKeys = new WeakMap<Shape, ReadonlySet<string>>();
export function listedOf(shape: Shape): ReadonlySet<string> {
  let listed = listedKeys.get(shape);
  if (!listed) {
    listed = new Set((shape.fields ?? []).map(([key]) => key));
    listedKeys.set(shape, listed);
  }
  return listed;
}

function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Rebuilds `value` with its keys in canonical order; `undefined` fields vanish as in JSON. */
export function canonical(value: unknown, shape: Shape | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => canonical(item, shape?.each));
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  // Ordinary objects keep V8's fast properties (JSON.stringify of null-prototype dictionaries is
  // several times slower); a data key named "__proto__" (a tag key, say) is defined, not assigned.
  const ordered: Record<string, unknown> = {};
  let unlisted: string[] | undefined;
  if (shape?.fields) {
    for (const [key, fieldShape] of shape.fields) {
      if (Object.hasOwn(source, key)) setField(ordered, key, canonical(source[key], fieldShape));
    }
    const listed = listedOf(shape);
    for (const key in source) if (Object.hasOwn(source, key) && !listed.has(key)) (unlisted ??= []).push(key);
  } else {
    unlisted = Object.keys(source);
  }
  if (unlisted) for (const key of unlisted.sort(compareText)) setField(ordered, key, canonical(source[key], undefined));
  return ordered;
}

/**
 * Thrown by writeJson where JSON.stringify(canonical(…)) could differ from writing the value field
 * by field: a key that may be an array index (an object puts those first, in numeric order), a
 * function (JSON.stringify calls a toJSON it has) or a bigint (JSON.stringify throws). canonicalJson
 * then takes the slow way, which gives exactly the old bytes (or the old error).
 */
const UNUSUAL = new Error('unusual JSON value');

/** A Shape as writeJson follows it: each field's `{"key":` and `,"key":` ready, the listed keys as a set. */
interface Plan {
  readonly fields: readonly { readonly key: string; readonly first: string; readonly next: string; readonly plan: Plan | undefined }[] | undefined;
  readonly listed: ReadonlySet<string>;
  readonly each: Plan | undefined;
}
const plans = new WeakMap<Shape, Plan>();
function planOf(shape: Shape | undefined): Plan | undefined {
  if (!shape) return undefined;
  let plan = plans.get(shape);
  if (!plan) {
    plan = {
      fields: shape.fields?.map(([key, fieldShape]) => ({ key, first: `{${JSON.stringify(key)}:`, next: `,${JSON.stringify(key)}:`, plan: planOf(fieldShape) })),
      listed: listedOf(shape),
      each: planOf(shape.each),
    };
    plans.set(shape, plan);
  }
  return plan;
}

/**
 * Whether an object's key could be an array index: an object lists those first, in numeric order,
 * whatever order canonical() inserted them in. (A toJSON key matters only when it holds a function,
 * and writeJson refuses functions.)
 */
function unusualKey(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57;
}

/**
 * JSON.stringify(canonical(value, shape)), written straight from `value` without the rebuilt copy
 * (whose garbage and second walk were most of the writer's time); undefined where JSON.stringify
 * gives undefined. Throws UNUSUAL (see there) rather than guess.
 */
function writeJson(value: unknown, plan: Plan | undefined): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    case 'undefined':
    case 'symbol':
      return undefined;
    default:
      // A bigint, or a function (JSON.stringify would call a toJSON it has).
      throw UNUSUAL;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const each = plan?.each;
    let out = '[';
    for (let i = 0; i < value.length; i++) out += `${i === 0 ? '' : ','}${writeJson(value[i], each) ?? 'null'}`;
    return `${out}]`;
  }
  const source = value as Record<string, unknown>;
  let out = '';
  let unlisted: string[] | undefined;
  const fields = plan?.fields;
  if (fields) {
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      if (!Object.hasOwn(source, field.key)) continue;
      const text = writeJson(source[field.key], field.plan);
      if (text !== undefined) out += out === '' ? field.first + text : field.next + text;
    }
    const listed = plan.listed;
    for (const key in source) if (Object.hasOwn(source, key) && !listed.has(key)) (unlisted ??= []).push(key);
  } else {
    unlisted = Object.keys(source);
  }
  if (unlisted) {
    if (unlisted.length > 1) unlisted.sort(compareText);
    for (const key of unlisted) {
      if (unusualKey(key)) throw UNUSUAL;
      const text = writeJson(source[key], undefined);
      if (text !== undefined) out += `${out === '' ? '{' : ','}${JSON.stringify(key)}:${text}`;
    }
  }
  return out === '' ? '{}' : `${out}}`;
}

/** JSON.stringify(canonical(value, shape)), byte for byte, mostly without the copy. */
function canonicalJson(value: unknown, shape: Shape | undefined): string | undefined {
  try {
    return writeJson(value, planOf(shape));
  } catch {
    // Whatever writeJson refused or failed on, the old way decides (and throws what it threw).
    return JSON.stringify(canonical(value, shape));
  }
}

/** The JSON text of `text.split(separator)` (no split for ""), its parts as JSON strings. */
function splitJson(text: string, separator: string): string {
  if (separator === '') return `[${JSON.stringify(text)}]`;
  let at = text.indexOf(separator);
  if (at === -1) return `[${JSON.stringify(text)}]`;
  let out = `[${JSON.stringify(text.slice(0, at))}`;
  for (;;) {
    const from = at + separator.length;
    at = text.indexOf(separator, from);
    if (at === -1) return `${out},${JSON.stringify(text.slice(from))}]`;
    out += `,${JSON.stringify(text.slice(from, at))}`;
  }
}

/** A character JSON.stringify writes otherwise than as itself (or half of a surrogate pair, to be safe). */
// eslint-disable-next-line no-control-regex -- the control characters JSON escapes are the point
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Characters of the template's own syntax, besides those ESCAPED. */
const TEMPLATE_SYNTAX = /[[\],]/;

/**
 * JSON.stringify(messageTemplate(text, resource)) without the arrays in between: `text` split around
 * the name, each part split around the account id. A text with nothing to escape (most are) is
 * written without JSON.stringify: the template is the text itself with its name made `"],["` and
 * then its account id `","` (which cannot meet a `"` it does not have, so it is only ever found
 * where the split would find it). The same call as before when a value is not a string.
 */
function templateJson(text: string, resource: Finding['resource']): string {
  const name: unknown = resource.name;
  const accountId: unknown = resource.accountId;
  if (typeof text !== 'string' || (name && typeof name !== 'string') || (accountId && typeof accountId !== 'string')) return JSON.stringify(messageTemplate(text, resource));
  const account = (accountId as string | undefined) || '';
  const separator = (name as string | undefined) || '';
  if (!ESCAPED.test(text) && !ESCAPED.test(account) && !TEMPLATE_SYNTAX.test(account)) {
    const byName = separator === '' ? text : text.replaceAll(separator, '"],["');
    return `[["${account === '' ? byName : byName.replaceAll(account, '","')}"]]`;
  }
  let at = separator === '' ? -1 : text.indexOf(separator);
  if (at === -1) return `[${splitJson(text, account)}]`;
  let out = `[${splitJson(text.slice(0, at), account)}`;
  for (;;) {
    const from = at + separator.length;
    at = text.indexOf(separator, from);
    if (at === -1) return `${out},${splitJson(text.slice(from), account)}]`;
    out += `,${splitJson(text.slice(from, at), account)}`;
  }
}

/** How many templates per rule MessageIndex tries before writing a message's own. */
const TEMPLATES_PER_RULE = 4;

/** A message template MessageIndex has met: its parts and its answer from the message table. */
interface KnownTemplate {
  readonly parts: readonly (readonly string[])[];
  readonly at: number;
}

/**
 * Whether `message.split(name)`, each part `.split(account)`, gives `parts` (messageTemplate with
 * "" for no name or account), checked with indexOf and startsWith, nothing built.
 */
function hasTemplate(message: string, name: string, account: string, parts: readonly (readonly string[])[]): boolean {
  let pos = 0;
  for (let j = 0; j < parts.length; j++) {
    const next = name === '' ? -1 : message.indexOf(name, pos);
    const last = j === parts.length - 1;
    if (last ? next !== -1 : next === -1) return false;
    const end = last ? message.length : next;
    const group = parts[j]!;
    let at = pos;
    for (let i = 0; i < group.length; i++) {
      const part = group[i]!;
      if (at + part.length > end || !message.startsWith(part, at)) return false;
      // The first account id inside this group after `at` (one that runs past the group's end is not in it).
      const found = account === '' ? -1 : message.indexOf(account, at);
      const inside = found !== -1 && found + account.length <= end ? found : -1;
      if (i === group.length - 1) {
        if (inside !== -1 || at + part.length !== end) return false;
      } else {
        if (inside !== at + part.length) return false;
        at = inside + account.length;
      }
    }
    pos = end + name.length;
  }
  return true;
}

/**
 * The message table (or the fix table), looked up cheaply: a rule's findings mostly share a few
 * templates (70 messages for 455,000 findings at 10,000 accounts), so each message is first checked
 * against the templates its rule's messages had (hasTemplate), and only written out (templateJson)
 * and looked up by its text when none fits. A table answer never changes for the same text, so it
 * is kept.
 */
class MessageIndex {
  private readonly byRule = new Map<unknown, KnownTemplate[]>();
  constructor(private readonly table: Table) {}

  /** The table answer for the template of `message` (a message, or a fix's JSON text) around the resource's name and account id. */
  add(ruleId: unknown, message: string, resource: Finding['resource']): number {
    const name: unknown = resource.name;
    const accountId: unknown = resource.accountId;
    if (typeof message !== 'string' || (name && typeof name !== 'string') || (accountId && typeof accountId !== 'string')) return this.table.add(templateJson(message, resource));
    const separator = (name as string | undefined) || '';
    const account = (accountId as string | undefined) || '';
    let known = this.byRule.get(ruleId);
    if (known === undefined) {
      known = [];
      this.byRule.set(ruleId, known);
    }
    for (const template of known) if (hasTemplate(message, separator, account, template.parts)) return template.at;
    const json = templateJson(message, resource);
    const at = this.table.add(json);
    known.unshift({ parts: JSON.parse(json) as string[][], at });
    if (known.length > TEMPLATES_PER_RULE) known.pop();
    return at;
  }
}

// A string JSON.stringify can never produce from real data, standing in for the findings array.
const FINDINGS_SLOT = '\u0000trailwarden:findings\u0000';
const findingsShape = resultsShape.fields!.find(([key]) => key === 'findings')![1]!.each!;
const evidenceShape = findingsShape.fields!.find(([key]) => key === 'evidence')![1]!;
const resourceShape = findingsShape.fields!.find(([key]) => key === 'resource')![1]!;
const ITEM_PLAN = planOf(evidenceShape.each);

/** A table stops taking new entries past this many entries or characters (see the header). */
export const TABLE_LIMIT = { entries: 1 << 20, chars: 64 << 20 };

/** Distinct values as JSON text, each with its index; NO_ENTRY once the table is full. */
export class Table {
  readonly entries: string[] = [];
  private readonly index = new Map<string, number>();
  private chars = 0;
  add(json: string): number {
    let at = this.index.get(json);
    if (at === undefined) {
      if (this.entries.length >= TABLE_LIMIT.entries || this.chars + json.length > TABLE_LIMIT.chars) return NO_ENTRY;
      at = this.entries.length;
      this.entries.push(json);
      this.index.set(json, at);
      this.chars += json.length;
    }
    return at;
  }
}
export const NO_ENTRY = -1;

/** How many values of one evidence path EvidenceIndex keeps to find items by (see idOfPlain). */
const VALUES_PER_PATH = 8;

/** A node of EvidenceIndex's trie: the table answer for the list that ends here, the lists that go on. */
interface ListNode {
  at: number | undefined;
  next: Map<number, ListNode> | undefined;
}

/**
 * The evidence table, keyed cheaply. An evidence list is mostly a new array of new `{ path, value }`
 * objects for each finding, but its items repeat (by identity when the engine memoized them, by
 * text otherwise): each distinct item text gets a number, and a list is looked up by its items'
 * numbers in a trie instead of by its whole JSON text. A table answer, NO_ENTRY included, never
 * changes for the same text (the table only grows), so it is kept in the trie.
 */
class EvidenceIndex {
  private readonly idOfObject = new Map<object, number>();
  private readonly idOfText = new Map<string, number>();
  /** Per path: value, id, value, id… (see idOfPlain). */
  private readonly idsOfPath = new Map<string, unknown[]>();
  private readonly texts: string[] = [];
  private readonly root: ListNode = { at: undefined, next: undefined };
  constructor(private readonly table: Table) {}

  /**
   * The id of a `{ path, value }` item of a string path and a plain value (most are, each a new
   * object), found by those (a few values per path) without writing its text; undefined for
   * another item.
   */
  private idOfPlain(item: object): number | undefined {
    const source = item as Record<string, unknown>;
    if (!Object.hasOwn(source, 'path') || !Object.hasOwn(source, 'value')) return undefined;
    for (const key in source) if (key !== 'path' && key !== 'value') return undefined;
    const path = source.path;
    const value = source.value;
    if (typeof path !== 'string' || !(value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) return undefined;
    let seen = this.idsOfPath.get(path);
    if (seen === undefined) {
      seen = [];
      this.idsOfPath.set(path, seen);
    }
    for (let i = 0; i < seen.length; i += 2) if (seen[i] === value) return seen[i + 1] as number;
    const id = this.idOf(item);
    if (seen.length < 2 * VALUES_PER_PATH) seen.push(value, id);
    return id;
  }

  /** An item's id: a plain one by its path and value, another object by identity, then by its text. */
  private idOfItem(item: unknown): number {
    if (typeof item !== 'object' || item === null) return this.idOf(item);
    let id = this.idOfPlain(item) ?? this.idOfObject.get(item);
    if (id === undefined) {
      id = this.idOf(item);
      this.idOfObject.set(item, id);
    }
    return id;
  }

  private idOf(item: unknown): number {
    const text = writeJson(item, ITEM_PLAN) ?? 'null';
    let id = this.idOfText.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(text);
      this.idOfText.set(text, id);
    }
    return id;
  }

  add(evidence: unknown): number {
    if (!Array.isArray(evidence)) return this.table.add(JSON.stringify(canonical(evidence, evidenceShape)));
    let node = this.root;
    try {
      for (let i = 0; i < evidence.length; i++) {
        const id = this.idOfItem(evidence[i]);
        let next = (node.next ??= new Map()).get(id);
        if (next === undefined) {
          next = { at: undefined, next: undefined };
          node.next.set(id, next);
        }
        node = next;
      }
    } catch {
      // An item writeJson refuses (see UNUSUAL): the whole list the old way, as it always was.
      return this.table.add(JSON.stringify(canonical(evidence, evidenceShape)));
    }
    if (node.at === undefined) {
      let json = '[';
      for (let i = 0; i < evidence.length; i++) {
        json += `${i === 0 ? '' : ','}${this.texts[this.idOfItem(evidence[i])]!}`;
      }
      node.at = this.table.add(`${json}]`);
    }
    return node.at;
  }
}

/** Findings' lines are handed on joined, a chunk once it has this many pieces (some 300 lines), not one by one. */
const CHUNK_PARTS = 1 << 13;

/**
 * The pieces of a chunk of finding lines, in one array made big enough once (not grown push by push,
 * nor made again per chunk): a chunk's text is the array joined, what the chunk before left behind
 * it emptied first.
 */
class Pieces {
  private readonly items = new Array<string>(CHUNK_PARTS + 64).fill('');
  count = 0;
  add(piece: string): void {
    this.items[this.count++] = piece;
  }
  add2(first: string, second: string): void {
    this.items[this.count++] = first;
    this.items[this.count++] = second;
  }
  /** How far the chunk before filled the array. */
  private filled = 0;
  /** The chunk's text; the pieces start again. */
  take(): string {
    const items = this.items;
    for (let i = this.count; i < this.filled; i++) items[i] = '';
    this.filled = this.count;
    this.count = 0;
    return items.join('');
  }
}

/**
 * results.json in pieces: everything but the findings in one piece (as JSON.stringify(…, null, 2)
 * formats it, with the tables before `findings`), then the findings, one per line.
 *
 * Objects that findings share (a rule's framework list, a resource, evidence the engine memoized)
 * are written once per run, cached by identity: the results must not change while being written.
 */
function* renderJsonChunks(results: Results): Generator<string> {
  const rules = new Map<string, RuleMeta>();
  for (const rule of results.rules) if (!rules.has(rule.id)) rules.set(rule.id, rule);
  // First pass: each finding's entry in each table (its evidence, controls and message template).
  const count = results.findings.length;
  const tables = { evidenceTable: new Table(), frameworkTable: new Table(), messageTable: new Table(), fixTable: new Table() };
  const evidence = new EvidenceIndex(tables.evidenceTable);
  const messages = new MessageIndex(tables.messageTable);
  const fixes = new MessageIndex(tables.fixTable);
  const frameworksOf = new Map<object, number>();
  const evidenceAt = new Int32Array(count);
  const frameworksAt = new Int32Array(count);
  const messageAt = new Int32Array(count);
  const fixAt = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const finding = results.findings[i]!;
    evidenceAt[i] = evidence.add(finding.evidence);
    const frameworks: unknown = finding.frameworks;
    if (typeof frameworks === 'object' && frameworks !== null) {
      let at = frameworksOf.get(frameworks);
      if (at === undefined) {
        at = tables.frameworkTable.add(JSON.stringify(frameworks));
        frameworksOf.set(frameworks, at);
      }
      frameworksAt[i] = at;
    } else {
      frameworksAt[i] = tables.frameworkTable.add(JSON.stringify(frameworks));
    }
    messageAt[i] = messages.add(finding.ruleId, finding.message, finding.resource);
    // A fix repeats the resource's values in its commands: templated as its JSON text, as a message is.
    // Read once: an evaluated finding's fix is computed when read (results.ts deferFix).
    const fix = finding.fix;
    fixAt[i] = fix ? fixes.add(finding.ruleId, canonicalJson(fix, FIX_SHAPE)!, finding.resource) : NO_ENTRY;
  }
  const head = JSON.stringify(canonical({ ...results, findings: FINDINGS_SLOT }, resultsShape), null, 2);
  const slot = `  "findings": ${JSON.stringify(FINDINGS_SLOT)}`;
  const at = head.indexOf(slot);
  yield head.slice(0, at);
  for (const name of RESULTS_TABLES) {
    const { entries } = tables[name];
    yield entries.length === 0 ? `  ${JSON.stringify(name)}: [],\n` : `  ${JSON.stringify(name)}: [\n    ${entries.join(',\n    ')}\n  ],\n`;
  }
  if (count === 0) {
    yield '  "findings": []';
  } else {
    yield '  "findings": [\n';
    const resources = new ResourceTexts();
    const quoted = new Map<string, string>();
    const parts = new Pieces();
    for (let i = 0; i < count; i++) {
      const finding = results.findings[i]!;
      const rule = rules.get(finding.ruleId);
      parts.add('    ');
      findingLine(
        parts,
        quoted,
        finding,
        rule?.severity === finding.severity ? undefined : finding.severity,
        resources.text(finding.resource, rule?.scope === finding.resource.type),
        messageAt[i] === NO_ENTRY ? finding.message : messageAt[i],
        evidenceAt[i] === NO_ENTRY ? finding.evidence : evidenceAt[i],
        frameworksAt[i] === NO_ENTRY ? finding.frameworks : frameworksAt[i],
        fixAt[i] === NO_ENTRY ? finding.fix : fixAt[i],
      );
      parts.add(i + 1 < count ? ',\n' : '\n');
      if (parts.count >= CHUNK_PARTS) yield parts.take();
    }
    parts.add('  ]');
    yield parts.take();
  }
  yield `${head.slice(at + slot.length)}\n`;
}

/** A resource's canonical JSON text, with and without its type, once per resource object. */
class ResourceTexts {
  private readonly withType = new Map<object, string | undefined>();
  private readonly withoutType = new Map<object, string | undefined>();
  text(resource: Finding['resource'], typeLeftOut: boolean): string | undefined {
    if (typeof resource !== 'object' || resource === null) return resourceJson(resource, typeLeftOut);
    const cache = typeLeftOut ? this.withoutType : this.withType;
    let text = cache.get(resource);
    if (text === undefined && !cache.has(resource)) {
      text = resourceJson(resource, typeLeftOut);
      cache.set(resource, text);
    }
    return text;
  }
}

function resourceJson(resource: Finding['resource'], typeLeftOut: boolean): string | undefined {
  return canonicalJson(typeLeftOut ? { ...resource, type: undefined } : resource, resourceShape);
}

/**
 * Adds the field `"key":…` to the finding line being written in `parts` ("{" before the first, ","
 * before the others), unless the value is undefined. Returns whether the line has a field now.
 */
function put(parts: Pieces, started: boolean, key: FindingField, value: unknown, shape: Shape | undefined): boolean {
  if (value === undefined) return started;
  let text: string | undefined;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'number' && value >= 0 && Number.isInteger(value)) text = value < INDEX_TEXTS.length ? (INDEX_TEXTS[value] ??= `${value}`) : `${value}`;
  else text = canonicalJson(value, shape);
  // What a template literal writes for a value JSON.stringify gives no text for.
  parts.add2(started ? NEXT[key] : FIRST[key], text ?? 'undefined');
  return true;
}

/** The text of table indexes (and other small numbers), made once per process. */
const INDEX_TEXTS: (string | undefined)[] = new Array<string | undefined>(1 << 16);

/** Words that repeat on every line (rule ids, statuses) are quoted once: a few thousand short ones at most. */
const QUOTED_WORDS = { count: 4096, chars: 256 };

/** put() for a field whose value is mostly one of a few strings, their JSON text kept in `quoted`. */
function putWord(parts: Pieces, started: boolean, key: FindingField, value: unknown, quoted: Map<string, string>): boolean {
  if (typeof value !== 'string') return put(parts, started, key, value, undefined);
  let text = quoted.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    if (quoted.size < QUOTED_WORDS.count && value.length <= QUOTED_WORDS.chars) quoted.set(value, text);
  }
  parts.add2(started ? NEXT[key] : FIRST[key], text);
  return true;
}

const fieldShape = (key: string) => findingsShape.fields!.find(([field]) => field === key)![1];
const ERRORS_SHAPE = fieldShape('errors');
const SUPPRESSION_SHAPE = fieldShape('suppression');
const IAC_SHAPE = fieldShape('iac');
/** The fields findingLine writes, in this order; checked against findingsShape when the module loads. */
const FINDING_FIELDS = ['ruleId', 'status', 'severity', 'resource', 'message', 'evidence', 'frameworks', 'errors', 'suppression', 'fix', 'baselineState', 'baselineStatus', 'iac'] as const;
type FindingField = (typeof FINDING_FIELDS)[number];
if (findingsShape.fields!.map(([key]) => key).join() !== FINDING_FIELDS.join()) throw new Error('findingLine does not write the fields of findingsShape');
const FIRST = Object.fromEntries(FINDING_FIELDS.map((key) => [key, `{${JSON.stringify(key)}:`])) as Record<FindingField, string>;
const NEXT = Object.fromEntries(FINDING_FIELDS.map((key) => [key, `,${JSON.stringify(key)}:`])) as Record<FindingField, string>;

/**
 * One finding as compact canonical JSON, in pieces added to `parts`: its fields in findingsShape's
 * order, the ones given here (undefined: left out; resource: already JSON text) in place of its
 * own, then fields it has that findingsShape does not list, by name. Written field by field rather
 * than through a rebuilt copy, and joined once per chunk rather than concatenated per line.
 */
function findingLine(parts: Pieces, quoted: Map<string, string>, finding: Finding, severity: unknown, resource: string | undefined, message: unknown, evidence: unknown, frameworks: unknown, fix: unknown): void {
  let started = putWord(parts, false, 'ruleId', finding.ruleId, quoted);
  started = putWord(parts, started, 'status', finding.status, quoted);
  started = put(parts, started, 'severity', severity, undefined);
  // The resource is never undefined (its type was read); its text is, when JSON.stringify gives none.
  parts.add2(started ? NEXT.resource : FIRST.resource, resource ?? 'undefined');
  put(parts, true, 'message', message, undefined);
  put(parts, true, 'evidence', evidence, evidenceShape);
  put(parts, true, 'frameworks', frameworks, undefined);
  put(parts, true, 'errors', finding.errors, ERRORS_SHAPE);
  put(parts, true, 'suppression', finding.suppression, SUPPRESSION_SHAPE);
  put(parts, true, 'fix', fix, FIX_SHAPE);
  put(parts, true, 'baselineState', finding.baselineState, undefined);
  put(parts, true, 'baselineStatus', finding.baselineStatus, undefined);
  put(parts, true, 'iac', finding.iac, IAC_SHAPE);
  const source = finding as unknown as Record<string, unknown>;
  const listed = listedOf(findingsShape);
  let unlisted: string[] | undefined;
  for (const key in source) if (Object.hasOwn(source, key) && !listed.has(key)) (unlisted ??= []).push(key);
  if (unlisted) {
    for (const key of unlisted.sort(compareText)) {
      const value = source[key];
      if (value !== undefined) parts.add2(`,${JSON.stringify(key)}:`, canonicalJson(value, undefined) ?? 'undefined');
    }
  }
  parts.add('}');
}

export function renderJson(results: Results): string {
  return [...renderJsonChunks(results)].join('');
}

export const jsonReporter: Reporter = { fileName: REPORT_FILE_NAMES.json, render: renderJson, renderChunks: renderJsonChunks };
