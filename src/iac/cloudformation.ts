/**
 * CloudFormation templates (YAML with the short-form intrinsic tags, and JSON, which is YAML) ->
 * definitions. The `yaml` package keeps every node's source range; the short forms (`!Sub`,
 * `!Ref`, `!GetAtt` …) are registered as tags that keep their node, so a value written with an
 * intrinsic function is located like any other. Intrinsics are resolved with the template's
 * parameter defaults (or values given), mappings, conditions and the pseudo parameters that were
 * given; AWS::AccountId, AWS::Region and the like stay unknown otherwise.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type ScalarTag, type CollectionTag } from 'yaml';
import type { Diagnostic } from '../errors.js';
import { stripBom } from '../files.js';
import { resourceTypeInfo } from './kinds.js';
import { isUnknown, unknown, type IacAttribute, type IacDefinition, type IacIdentity, type IacValue, type SourceSpan } from './types.js';
import { linkDefinitions } from './terraform.js';

export const INTRINSIC_FUNCTIONS = [
  'Ref',
  'Sub',
  'GetAtt',
  'Join',
  'If',
  'Select',
  'Split',
  'FindInMap',
  'ImportValue',
  'Base64',
  'Equals',
  'Not',
  'And',
  'Or',
  'Condition',
  'GetAZs',
  'Cidr',
  'Transform',
  'Length',
  'ToJsonString',
] as const;

/** Property nesting followed below a resource's Properties. */
const MAX_PROPERTY_DEPTH = 32;
const MAX_EVALUATION_DEPTH = 48;
const MAX_STRING_LENGTH = 64 * 1024;

/** Each short form as a scalar, a sequence and a mapping tag that return the node itself (keeping its range). */
const CUSTOM_TAGS: (ScalarTag | CollectionTag)[] = INTRINSIC_FUNCTIONS.flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => value } satisfies ScalarTag,
  { tag: `!${name}`, collection: 'seq', resolve: (node: unknown) => node } satisfies CollectionTag,
  { tag: `!${name}`, collection: 'map', resolve: (node: unknown) => node } satisfies CollectionTag,
]);

export interface CloudFormationOptions {
  /** Parameter values (override defaults). */
  parameters?: Record<string, string>;
  accountId?: string;
  region?: string;
}

export interface CloudFormationResult {
  /** False when the file is YAML/JSON but not a CloudFormation template (then nothing else is set). */
  template: boolean;
  definitions: IacDefinition[];
  diagnostics: Diagnostic[];
}

/** A quick look at the text: could this be a template (so a parse error is worth reporting)? */
export function looksLikeTemplate(text: string): boolean {
  return text.includes('AWSTemplateFormatVersion') || (/\bResources\b/.test(text) && /AWS::[A-Za-z0-9]+::/.test(text));
}

export function parseCloudFormation(input: string, file: string, options: CloudFormationOptions = {}): CloudFormationResult {
  const text = stripBom(input);
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, customTags: CUSTOM_TAGS, uniqueKeys: true, merge: false });
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return { template: looksLikeTemplate(text), definitions: [], diagnostics: [{ file, line: 1, column: 1, code: 'iac/too-deep', message: 'the document nests too deeply to read' }] };
  }
  const errors = doc.errors.map((e): Diagnostic => {
    const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, code: 'iac/parse', message: `YAML: ${e.message.split('\n')[0] ?? ''}` };
  });
  const root = doc.contents;
  if (errors.length) return { template: looksLikeTemplate(text), definitions: [], diagnostics: errors };
  if (!isMap(root)) return { template: false, definitions: [], diagnostics: [] };
  const resources = mapGet(root, 'Resources');
  const hasVersion = mapGet(root, 'AWSTemplateFormatVersion') !== undefined;
  const isTemplate = hasVersion || (isMap(resources) && resources.items.some((pair) => {
    const type = isMap(pair.value) ? mapGet(pair.value, 'Type') : undefined;
    return isScalar(type) && typeof type.value === 'string' && type.value.startsWith('AWS::');
  }));
  if (!isTemplate) return { template: false, definitions: [], diagnostics: [] };
  const template = new Template(file, text, lineCounter, root, options);
  return { template: true, definitions: template.definitions(), diagnostics: template.diagnostics };
}

function mapGet(map: Node, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  for (const pair of map.items) {
    if (isScalar(pair.key) && pair.key.value === key) return (pair.value ?? undefined) as Node | undefined;
  }
  return undefined;
}

interface Evaluated {
  value: IacValue;
  refs: string[];
}
const known = (value: IacValue, refs: string[] = []): Evaluated => ({ value, refs });
const unknownOf = (reason: string, refs: string[] = []): Evaluated => ({ value: unknown(reason), refs });
const NO_VALUE = unknown('AWS::NoValue');

class Template {
  readonly diagnostics: Diagnostic[] = [];
  private readonly resources = new Map<string, Node>();
  private readonly resourcePairs = new Map<string, Pair>();
  private readonly parameters = new Map<string, Node | undefined>();
  private readonly conditions = new Map<string, Node>();
  private readonly conditionsInProgress = new Set<string>();
  private readonly mappings: Node | undefined;

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly lines: LineCounter,
    root: Node,
    private readonly options: CloudFormationOptions,
  ) {
    const resources = mapGet(root, 'Resources');
    if (isMap(resources)) {
      for (const pair of resources.items) {
        if (!isScalar(pair.key) || !pair.value) continue;
        this.resources.set(String(pair.key.value), pair.value as Node);
        this.resourcePairs.set(String(pair.key.value), pair as Pair);
      }
    }
    const parameters = mapGet(root, 'Parameters');
    if (isMap(parameters)) for (const pair of parameters.items) if (isScalar(pair.key)) this.parameters.set(String(pair.key.value), mapGet(pair.value as Node, 'Default'));
    const conditions = mapGet(root, 'Conditions');
    if (isMap(conditions)) for (const pair of conditions.items) if (isScalar(pair.key)) this.conditions.set(String(pair.key.value), pair.value as Node);
    this.mappings = mapGet(root, 'Mappings');
  }

  /** A node's range, without the line breaks and spaces YAML counts into a block's end. */
  span(start: number, end: number): SourceSpan {
    while (end > start && /\s/.test(this.text.charAt(end - 1))) end--;
    const a = this.lines.linePos(start);
    const b = this.lines.linePos(end);
    return { file: this.file, startLine: a.line, startColumn: a.col, endLine: b.line, endColumn: b.col };
  }

  pairSpan(pair: Pair): SourceSpan {
    const key = pair.key as Node | null;
    const value = pair.value as Node | null;
    const start = key?.range?.[0] ?? value?.range?.[0] ?? 0;
    const end = value?.range?.[1] ?? key?.range?.[1] ?? start;
    return this.span(start, end);
  }

  definitions(): IacDefinition[] {
    const out: IacDefinition[] = [];
    for (const [logicalId, node] of this.resources) {
      const type = mapGet(node, 'Type');
      const typeName = isScalar(type) && typeof type.value === 'string' ? type.value : undefined;
      if (typeName === undefined) continue;
      const info = resourceTypeInfo(typeName);
      if (!info || info.tool !== 'cloudformation') continue;
      const pair = this.resourcePairs.get(logicalId);
      const attributes: Record<string, IacAttribute> = {};
      const properties = mapGet(node, 'Properties');
      if (isMap(properties)) this.flatten(properties, '', attributes, 0);
      const identity: IacIdentity = { kind: info.kind };
      if (info.nameAttribute !== undefined) {
        const named = attributes[info.nameAttribute];
        if (named && typeof named.value === 'string') identity.name = named.value;
        else identity.unknown = named ? (isUnknown(named.value) ? `${info.nameAttribute}: ${named.value.$unknown}` : `${info.nameAttribute} is not a string`) : `no ${info.nameAttribute}: CloudFormation generates the name`;
      }
      if (this.options.region !== undefined) identity.region = this.options.region;
      if (this.options.accountId !== undefined) identity.accountId = this.options.accountId;
      if (typeName === 'AWS::S3::Bucket' && identity.name !== undefined) identity.arn = `arn:aws:s3:::${identity.name}`;
      if (typeName === 'AWS::CloudTrail::Trail' && identity.name !== undefined && identity.region !== undefined && identity.accountId !== undefined) {
        identity.arn = `arn:aws:cloudtrail:${identity.region}:${identity.accountId}:trail/${identity.name}`;
      }
      out.push({
        tool: 'cloudformation',
        resourceType: typeName,
        address: logicalId,
        root: this.file,
        block: pair ? this.pairSpan(pair) : this.span(node.range?.[0] ?? 0, node.range?.[1] ?? 0),
        attributes,
        identity,
      });
    }
    linkDefinitions(out);
    return out;
  }

  /** Properties into path -> {span, value, refs}; an intrinsic function is a value, not a path. */
  private flatten(node: Node, prefix: string, out: Record<string, IacAttribute>, depth: number): void {
    if (depth > MAX_PROPERTY_DEPTH) return;
    if (isMap(node) && !this.intrinsicOf(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const path = `${prefix}${String(pair.key.value)}`;
        const value = pair.value as Node | null;
        const evaluated = value ? this.evaluate(value, 0) : known(null);
        out[path] = { span: this.pairSpan(pair), value: evaluated.value, ...(evaluated.refs.length ? { refs: [...new Set(evaluated.refs)] } : {}) };
        if (value && (isMap(value) || isSeq(value))) this.flatten(value, `${path}.`, out, depth + 1);
      }
    } else if (isSeq(node) && !node.tag) {
      const base = prefix.slice(0, -1);
      node.items.forEach((item, i) => {
        const child = item as Node;
        const path = `${base}[${i}]`;
        const evaluated = this.evaluate(child, 0);
        out[path] = { span: this.span(child.range?.[0] ?? 0, child.range?.[1] ?? 0), value: evaluated.value, ...(evaluated.refs.length ? { refs: [...new Set(evaluated.refs)] } : {}) };
        if (isMap(child) || isSeq(child)) this.flatten(child, `${path}.`, out, depth + 1);
      });
    }
  }

  /** The intrinsic function a node is: a short-form tag, or a one-key map `Fn::X` / `Ref` / `Condition`. */
  private intrinsicOf(node: Node): { name: string; arg: Node | undefined; argValue?: string } | undefined {
    const tag = node.tag;
    if (tag?.startsWith('!') && (INTRINSIC_FUNCTIONS as readonly string[]).includes(tag.slice(1))) {
      if (isScalar(node)) return { name: tag.slice(1), arg: node, argValue: String(node.value) };
      return { name: tag.slice(1), arg: node };
    }
    if (isMap(node) && node.items.length === 1) {
      const pair = node.items[0] as Pair;
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (key === 'Ref' || key === 'Condition') return { name: key, arg: pair.value as Node | undefined };
      if (key.startsWith('Fn::') && (INTRINSIC_FUNCTIONS as readonly string[]).includes(key.slice(4))) return { name: key.slice(4), arg: pair.value as Node | undefined };
    }
    return undefined;
  }

  /** The items of an intrinsic's argument list (the tagged sequence itself, or the long form's value). */
  private argList(fn: { arg: Node | undefined }): Node[] | undefined {
    const arg = fn.arg;
    if (arg && isSeq(arg)) return arg.items as Node[];
    return undefined;
  }

  evaluate(node: Node, depth: number): Evaluated {
    if (depth > MAX_EVALUATION_DEPTH) return unknownOf('the value nests too deeply');
    const fn = this.intrinsicOf(node);
    if (fn) return this.intrinsic(fn, depth);
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return known(v);
      return known(String(v));
    }
    if (isSeq(node)) {
      const items = node.items.map((item) => this.evaluate(item as Node, depth + 1));
      return known(
        items.filter((i) => i.value !== NO_VALUE).map((i) => i.value),
        items.flatMap((i) => i.refs),
      );
    }
    if (isMap(node)) {
      const object: Record<string, IacValue> = {};
      const refs: string[] = [];
      for (const pair of node.items) {
        if (!isScalar(pair.key) || !pair.value) continue;
        const value = this.evaluate(pair.value as Node, depth + 1);
        refs.push(...value.refs);
        if (value.value !== NO_VALUE) object[String(pair.key.value)] = value.value;
      }
      return known(object, refs);
    }
    return unknownOf('an alias');
  }

  private scalarText(node: Node | undefined): string | undefined {
    return node && isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') ? String(node.value) : undefined;
  }

  private ref(name: string, depth: number): Evaluated {
    if (this.parameters.has(name) || Object.hasOwn(this.options.parameters ?? {}, name)) {
      const given = this.options.parameters?.[name];
      if (given !== undefined) return known(given);
      const fallback = this.parameters.get(name);
      return fallback ? this.evaluate(fallback, depth + 1) : unknownOf(`parameter ${name} has no default`);
    }
    switch (name) {
      case 'AWS::AccountId':
        return this.options.accountId !== undefined ? known(this.options.accountId) : unknownOf('AWS::AccountId is known when the stack is deployed');
      case 'AWS::Region':
        return this.options.region !== undefined ? known(this.options.region) : unknownOf('AWS::Region is known when the stack is deployed');
      case 'AWS::NoValue':
        return known(NO_VALUE);
      case 'AWS::Partition':
      case 'AWS::URLSuffix':
      case 'AWS::StackName':
      case 'AWS::StackId':
      case 'AWS::NotificationARNs':
        return unknownOf(`${name} is known when the stack is deployed`);
      default:
        break;
    }
    const resource = this.resources.get(name);
    if (!resource) return unknownOf(`Ref ${name}: no such parameter or resource`);
    // Ref returns the name for these types; the name is known when the template sets it.
    const type = this.scalarText(mapGet(resource, 'Type'));
    const nameProperty = {
      'AWS::S3::Bucket': 'BucketName',
      'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::CloudTrail::Trail': 'TrailName',
      'AWS::KMS::Alias': 'AliasName',
    }[type ?? ''];
    const property = nameProperty !== undefined ? mapGet(mapGet(resource, 'Properties') ?? resource, nameProperty) : undefined;
    if (property) {
      const value = this.evaluate(property, depth + 1);
      if (typeof value.value === 'string') return known(value.value, [name, ...value.refs]);
    }
    return unknownOf(`Ref ${name} is known when the stack is deployed`, [name]);
  }

  private getAtt(resource: string, attribute: string, depth: number): Evaluated {
    if (attribute === 'Arn' && this.scalarText(mapGet(this.resources.get(resource) ?? ({} as Node), 'Type')) === 'AWS::S3::Bucket') {
      const name = this.ref(resource, depth + 1);
      if (typeof name.value === 'string') return known(`arn:aws:s3:::${name.value}`, [resource]);
    }
    return unknownOf(`${resource}.${attribute} is known when the stack is deployed`, this.resources.has(resource) ? [resource] : []);
  }

  private condition(name: string, depth: number): Evaluated {
    const node = this.conditions.get(name);
    if (!node) return unknownOf(`no condition ${name}`);
    if (this.conditionsInProgress.has(name)) return unknownOf(`condition ${name} refers to itself`);
    this.conditionsInProgress.add(name);
    try {
      return this.evaluate(node, depth + 1);
    } finally {
      this.conditionsInProgress.delete(name);
    }
  }

  private intrinsic(fn: { name: string; arg: Node | undefined; argValue?: string }, depth: number): Evaluated {
    const list = this.argList(fn);
    const items = (): Evaluated[] => (list ?? []).map((n) => this.evaluate(n, depth + 1));
    const text = fn.argValue ?? this.scalarText(fn.arg);
    switch (fn.name) {
      case 'Ref':
        return text !== undefined ? this.ref(text, depth) : unknownOf('Ref of a non-string');
      case 'Condition':
        return text !== undefined ? this.condition(text, depth) : unknownOf('Condition of a non-string');
      case 'GetAtt': {
        if (text !== undefined) {
          const dot = text.indexOf('.');
          return dot > 0 ? this.getAtt(text.slice(0, dot), text.slice(dot + 1), depth) : unknownOf('GetAtt without an attribute');
        }
        const [r, a] = list ?? [];
        const resource = this.scalarText(r);
        const attribute = this.scalarText(a);
        return resource !== undefined && attribute !== undefined ? this.getAtt(resource, attribute, depth) : unknownOf('a computed GetAtt');
      }
      case 'Sub': {
        let template = text;
        const locals = new Map<string, Evaluated>();
        if (template === undefined && list) {
          template = this.scalarText(list[0]);
          const vars = list[1];
          if (vars && isMap(vars)) for (const pair of vars.items) if (isScalar(pair.key)) locals.set(String(pair.key.value), this.evaluate(pair.value as Node, depth + 1));
        }
        if (template === undefined) return unknownOf('Sub of a computed string');
        return this.sub(template, locals, depth);
      }
      case 'Join': {
        const [sep, values] = list ?? [];
        const separator = this.scalarText(sep) ?? (sep && isScalar(sep) && sep.value === null ? '' : undefined);
        if (separator === undefined || !values) return unknownOf('Join with a computed separator');
        const joined = this.evaluate(values, depth + 1);
        if (!Array.isArray(joined.value)) return unknownOf(isUnknown(joined.value) ? joined.value.$unknown : 'Join of a non-list', joined.refs);
        const bad = joined.value.find((v) => typeof v !== 'string' && typeof v !== 'number');
        if (bad !== undefined) return unknownOf(isUnknown(bad) ? bad.$unknown : 'Join of a non-string', joined.refs);
        return known(joined.value.join(separator), joined.refs);
      }
      case 'If': {
        const [c, a, b] = list ?? [];
        const name = this.scalarText(c);
        if (name === undefined || !a || !b) return unknownOf('a malformed If');
        const condition = this.condition(name, depth);
        if (typeof condition.value !== 'boolean') {
          const refs = [...this.evaluate(a, depth + 1).refs, ...this.evaluate(b, depth + 1).refs];
          return unknownOf(`condition ${name} is known when the stack is deployed`, refs);
        }
        return this.evaluate(condition.value ? a : b, depth + 1);
      }
      case 'Equals': {
        const [a, b] = items();
        if (!a || !b) return unknownOf('a malformed Equals');
        if (isUnknown(a.value) || isUnknown(b.value)) return unknownOf('Equals of a value known when the stack is deployed', [...a.refs, ...b.refs]);
        return known(JSON.stringify(a.value) === JSON.stringify(b.value) || String(a.value) === String(b.value));
      }
      case 'Not': {
        const [a] = items();
        return typeof a?.value === 'boolean' ? known(!a.value) : unknownOf('Not of an unknown condition');
      }
      case 'And':
      case 'Or': {
        const values = items().map((i) => i.value);
        const decisive = fn.name === 'And' ? false : true;
        if (values.includes(decisive)) return known(decisive);
        if (values.every((v) => typeof v === 'boolean')) return known(!decisive);
        return unknownOf(`${fn.name} of an unknown condition`);
      }
      case 'Select': {
        const [i, l] = list ?? [];
        const index = Number(this.scalarText(i));
        const values = l ? this.evaluate(l, depth + 1) : undefined;
        if (!values || !Array.isArray(values.value) || !Number.isInteger(index)) return unknownOf('Select from a computed list', values?.refs ?? []);
        return known(values.value[index] ?? unknown(`Select index ${index} is out of range`), values.refs);
      }
      case 'Split': {
        const [s, v] = list ?? [];
        const separator = this.scalarText(s);
        const value = v ? this.evaluate(v, depth + 1) : undefined;
        if (separator === undefined || !value || typeof value.value !== 'string' || separator === '') return unknownOf('Split of a computed string', value?.refs ?? []);
        return known(value.value.split(separator), value.refs);
      }
      case 'FindInMap': {
        const [m, k1, k2] = items();
        if (!m || !k1 || !k2 || !this.mappings) return unknownOf('FindInMap');
        if (typeof m.value !== 'string' || typeof k1.value !== 'string' || typeof k2.value !== 'string') return unknownOf('FindInMap with a key known when the stack is deployed', [...m.refs, ...k1.refs, ...k2.refs]);
        const found = mapGet(mapGet(mapGet(this.mappings, m.value) ?? ({} as Node), k1.value) ?? ({} as Node), k2.value);
        return found ? this.evaluate(found, depth + 1) : unknownOf(`no mapping ${m.value}.${k1.value}.${k2.value}`);
      }
      case 'Length': {
        const value = fn.arg ? this.evaluate(fn.arg, depth + 1) : undefined;
        return value && Array.isArray(value.value) ? known(value.value.length, value.refs) : unknownOf('Length of a computed list');
      }
      default: {
        const refs = fn.arg ? this.evaluate(fn.arg, depth + 1).refs : [];
        return unknownOf(`Fn::${fn.name} is evaluated when the stack is deployed`, refs);
      }
    }
  }

  /** `${Param}`, `${Resource}`, `${Resource.Attr}`, `${AWS::Region}`, `${!Literal}`. Linear scan. */
  private sub(template: string, locals: Map<string, Evaluated>, depth: number): Evaluated {
    let out = '';
    const refs: string[] = [];
    let unknownReason: string | undefined;
    let i = 0;
    while (i < template.length) {
      const open = template.indexOf('${', i);
      if (open < 0) {
        out += template.slice(i);
        break;
      }
      out += template.slice(i, open);
      const close = template.indexOf('}', open + 2);
      if (close < 0) {
        out += template.slice(open);
        break;
      }
      const name = template.slice(open + 2, close).trim();
      i = close + 1;
      if (name.startsWith('!')) {
        out += `\${${name.slice(1)}}`;
        continue;
      }
      let value: Evaluated;
      const local = locals.get(name);
      if (local) value = local;
      else if (name.includes('.') && !name.startsWith('AWS::')) {
        const dot = name.indexOf('.');
        value = this.getAtt(name.slice(0, dot), name.slice(dot + 1), depth + 1);
      } else value = this.ref(name, depth + 1);
      refs.push(...value.refs);
      if (typeof value.value === 'string' || typeof value.value === 'number' || typeof value.value === 'boolean') out += String(value.value);
      else unknownReason ??= isUnknown(value.value) ? value.value.$unknown : `\${${name}} is not a string`;
      if (out.length > MAX_STRING_LENGTH) return unknownOf('the string is too long', refs);
    }
    return unknownReason !== undefined ? unknownOf(unknownReason, refs) : known(out, refs);
  }
}
