/**
 * HCL (Terraform's language) to a small plain syntax tree with source positions, through
 * tree-sitter's Terraform grammar compiled to WebAssembly (no native build, same bytes in the CLI
 * and the Action bundle). The tree-sitter tree is converted and freed at once: the evaluator
 * (terraform.ts) works on plain objects.
 *
 * Converting is bounded: expressions nested deeper than MAX_EXPRESSION_DEPTH become `other`
 * (evaluated as unknown), so a hostile file cannot exhaust the stack.
 */
import type { Node as TsNode, Parser as TsParser } from 'web-tree-sitter';
import type { Diagnostic } from '../errors.js';
import type { SourceSpan } from './types.js';
import { wasmAssets } from './wasm-assets.js';

export const MAX_EXPRESSION_DEPTH = 64;
/** Nested blocks (resource > rule > apply_server_side_encryption_by_default …) deeper than this are skipped. */
export const MAX_BLOCK_DEPTH = 16;

export type HclExpr =
  | { k: 'literal'; value: string | number | boolean | null; span: SourceSpan }
  /** A quoted or heredoc template: literal text and interpolated expressions, in order. */
  | { k: 'template'; parts: (string | HclExpr)[]; span: SourceSpan }
  /** `var.x`, `local.y`, `aws_s3_bucket.logs.id`, `module.m.out`, with index steps. */
  | { k: 'traversal'; root: string; steps: (string | number | HclExpr)[]; span: SourceSpan }
  | { k: 'call'; name: string; args: HclExpr[]; expandFinal: boolean; span: SourceSpan }
  | { k: 'conditional'; condition: HclExpr; whenTrue: HclExpr; whenFalse: HclExpr; span: SourceSpan }
  | { k: 'tuple'; items: HclExpr[]; span: SourceSpan }
  | { k: 'object'; entries: { key: HclExpr; value: HclExpr }[]; span: SourceSpan }
  /** Anything the evaluator does not resolve (for expressions, operators, splats, directives). */
  | { k: 'other'; what: string; refs: string[]; span: SourceSpan };

export interface HclAttribute {
  name: string;
  expr: HclExpr;
  span: SourceSpan;
}

export interface HclBlock {
  type: string;
  labels: string[];
  body: HclBody;
  span: SourceSpan;
}

export interface HclBody {
  attributes: HclAttribute[];
  blocks: HclBlock[];
}

export interface HclFile {
  file: string;
  body: HclBody;
  diagnostics: Diagnostic[];
}

let parserPromise: Promise<TsParser> | undefined;

/** One parser for the process: loading the runtime and the grammar costs a few milliseconds, once. */
function terraformParser(): Promise<TsParser> {
  parserPromise ??= (async () => {
    const { Parser, Language } = await import('web-tree-sitter');
    const assets = await wasmAssets();
    await Parser.init({ wasmBinary: assets.runtime } as Parameters<typeof Parser.init>[0]);
    const language = await Language.load(assets.terraform);
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  parserPromise.catch(() => {
    parserPromise = undefined;
  });
  return parserPromise;
}

/** Parses one .tf file. Syntax errors become located diagnostics; blocks that contain one are left out. */
export async function parseHcl(text: string, file: string): Promise<HclFile> {
  const parser = await terraformParser();
  const tree = parser.parse(text);
  if (!tree) return { file, body: { attributes: [], blocks: [] }, diagnostics: [{ file, line: 0, column: 0, code: 'iac/parse', message: 'the HCL parser gave no tree' }] };
  try {
    const converter = new Converter(file, text);
    const root = tree.rootNode;
    const body = root.namedChildren.find((c) => c?.type === 'body');
    const diagnostics: Diagnostic[] = [];
    if (root.hasError) diagnostics.push(converter.syntaxError(root));
    return { file, body: body ? converter.body(body, 0) : { attributes: [], blocks: [] }, diagnostics };
  } finally {
    tree.delete();
  }
}

class Converter {
  constructor(
    private readonly file: string,
    private readonly text: string,
  ) {}

  span(node: TsNode): SourceSpan {
    return {
      file: this.file,
      startLine: node.startPosition.row + 1,
      startColumn: node.startPosition.column + 1,
      endLine: node.endPosition.row + 1,
      endColumn: node.endPosition.column + 1,
    };
  }

  /** The first ERROR or MISSING node, located. */
  syntaxError(root: TsNode): Diagnostic {
    let node: TsNode = root;
    for (let guard = 0; guard < 10_000; guard++) {
      const next: TsNode | undefined = node.children.find((c): c is TsNode => c !== null && (c.hasError || c.isError || c.isMissing));
      if (!next) break;
      node = next;
      if (node.isError || node.isMissing) break;
    }
    const what = node.isMissing ? `missing ${JSON.stringify(node.type)}` : `unexpected ${JSON.stringify(this.text.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 20)))}`;
    return { file: this.file, line: node.startPosition.row + 1, column: node.startPosition.column + 1, code: 'iac/parse', message: `HCL syntax error: ${what}` };
  }

  body(node: TsNode, depth: number): HclBody {
    const body: HclBody = { attributes: [], blocks: [] };
    for (const child of node.namedChildren) {
      if (!child || child.hasError) continue;
      if (child.type === 'attribute') {
        const name = child.namedChildren.find((c) => c?.type === 'identifier');
        const expr = child.namedChildren.find((c) => c?.type === 'expression');
        if (name && expr) body.attributes.push({ name: name.text, expr: this.expr(expr, 0), span: this.span(child) });
      } else if (child.type === 'block' && depth < MAX_BLOCK_DEPTH) {
        const parts = child.namedChildren.filter((c): c is TsNode => c !== null);
        const type = parts[0]?.type === 'identifier' ? parts[0].text : undefined;
        if (type === undefined) continue;
        const labels: string[] = [];
        for (const part of parts.slice(1)) {
          if (part.type === 'identifier') labels.push(part.text);
          else if (part.type === 'string_lit') labels.push(this.stringLiteral(part));
        }
        const inner = parts.find((c) => c.type === 'body');
        body.blocks.push({ type, labels, body: inner ? this.body(inner, depth + 1) : { attributes: [], blocks: [] }, span: this.span(child) });
      }
    }
    return body;
  }

  /** The text of a string literal, escapes decoded. */
  stringLiteral(node: TsNode): string {
    return node.namedChildren
      .filter((c): c is TsNode => c?.type === 'template_literal')
      .map((c) => unescapeHcl(c.text))
      .join('');
  }

  expr(node: TsNode, depth: number): HclExpr {
    const span = this.span(node);
    if (depth > MAX_EXPRESSION_DEPTH) return { k: 'other', what: 'expression nested too deeply', refs: [], span };
    const children = node.namedChildren.filter((c): c is TsNode => c !== null && c.type !== 'comment');
    switch (node.type) {
      case 'expression': {
        const [head, ...rest] = children;
        if (!head) return { k: 'other', what: 'empty expression', refs: [], span };
        if (rest.length === 0) return this.expr(head, depth + 1);
        // A traversal: variable_expr (or any expression) followed by get_attr / index / splat steps.
        if (head.type !== 'variable_expr') return { k: 'other', what: 'a traversal of a computed value', refs: this.refsIn(node), span };
        const steps: (string | number | HclExpr)[] = [];
        for (const step of rest) {
          if (step.type === 'get_attr') {
            const id = step.namedChildren.find((c) => c?.type === 'identifier');
            if (!id) return { k: 'other', what: 'a traversal', refs: this.refsIn(node), span };
            steps.push(id.text);
          } else if (step.type === 'index') {
            const inner = step.namedChildren[0];
            if (inner?.type === 'legacy_index') steps.push(Number(inner.text.replace(/^\./, '')));
            else {
              const e = inner?.namedChildren.find((c) => c?.type === 'expression');
              if (!e) return { k: 'other', what: 'an index', refs: this.refsIn(node), span };
              steps.push(this.expr(e, depth + 1));
            }
          } else {
            return { k: 'other', what: 'a splat expression', refs: this.refsIn(node), span };
          }
        }
        return { k: 'traversal', root: head.text, steps, span };
      }
      case 'variable_expr':
        return { k: 'traversal', root: node.text, steps: [], span };
      case 'literal_value': {
        const lit = children[0];
        if (!lit) return { k: 'other', what: 'a literal', refs: [], span };
        if (lit.type === 'numeric_lit') return { k: 'literal', value: Number(lit.text), span };
        if (lit.type === 'bool_lit') return { k: 'literal', value: lit.text === 'true', span };
        if (lit.type === 'null_lit') return { k: 'literal', value: null, span };
        if (lit.type === 'string_lit') return { k: 'literal', value: this.stringLiteral(lit), span };
        return { k: 'other', what: lit.type, refs: [], span };
      }
      case 'template_expr': {
        const inner = children[0];
        return inner ? this.template(inner, depth + 1) : { k: 'other', what: 'a template', refs: [], span };
      }
      case 'function_call': {
        const name = children.find((c) => c.type === 'identifier')?.text ?? '';
        const argsNode = children.find((c) => c.type === 'function_arguments');
        const args = (argsNode?.namedChildren ?? []).filter((c): c is TsNode => c?.type === 'expression').map((c) => this.expr(c, depth + 1));
        const expandFinal = argsNode?.children.some((c) => c?.type === '...' || c?.type === 'expand_final') ?? false;
        return { k: 'call', name, args, expandFinal, span };
      }
      case 'conditional': {
        const [condition, whenTrue, whenFalse] = children.map((c) => this.expr(c, depth + 1));
        if (!condition || !whenTrue || !whenFalse) return { k: 'other', what: 'a conditional', refs: this.refsIn(node), span };
        return { k: 'conditional', condition, whenTrue, whenFalse, span };
      }
      case 'collection_value': {
        const inner = children[0];
        return inner ? this.expr(inner, depth + 1) : { k: 'other', what: 'a collection', refs: [], span };
      }
      case 'tuple':
        return { k: 'tuple', items: children.filter((c) => c.type === 'expression').map((c) => this.expr(c, depth + 1)), span };
      case 'object': {
        const entries: { key: HclExpr; value: HclExpr }[] = [];
        for (const elem of children.filter((c) => c.type === 'object_elem')) {
          const [key, value] = elem.namedChildren.filter((c): c is TsNode => c?.type === 'expression');
          if (!key || !value) continue;
          const keyExpr = this.expr(key, depth + 1);
          // A bare identifier key (`name = …`) is the key's text, not a variable.
          const bare = keyExpr.k === 'traversal' && keyExpr.steps.length === 0 ? ({ k: 'literal', value: keyExpr.root, span: keyExpr.span } as const) : keyExpr;
          entries.push({ key: bare, value: this.expr(value, depth + 1) });
        }
        return { k: 'object', entries, span };
      }
      default:
        return { k: 'other', what: describeNodeType(node.type), refs: this.refsIn(node), span };
    }
  }

  template(node: TsNode, depth: number): HclExpr {
    const span = this.span(node);
    const parts: (string | HclExpr)[] = [];
    const children = node.namedChildren.filter((c): c is TsNode => c !== null);
    if (node.type === 'heredoc_template') {
      const strip = this.text.slice(node.startIndex, node.startIndex + 3) === '<<-';
      const identifiers = children.filter((c) => c.type === 'heredoc_identifier');
      const open = identifiers[0];
      const close = identifiers[identifiers.length - 1];
      if (!open || !close || open === close) return { k: 'other', what: 'a heredoc', refs: [], span };
      if (children.some((c) => c.type === 'template_interpolation' || c.type === 'template_directive')) {
        return { k: 'other', what: 'a heredoc with interpolations', refs: this.refsIn(node), span };
      }
      const bodyStart = this.text.indexOf('\n', open.endIndex) + 1;
      const bodyEnd = this.text.lastIndexOf('\n', close.startIndex) + 1;
      let lines = this.text.slice(bodyStart, Math.max(bodyStart, bodyEnd)).split('\n');
      if (lines[lines.length - 1] === '') lines = lines.slice(0, -1);
      if (strip) {
        const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
        const indent = indents.length ? Math.min(...indents) : 0;
        lines = lines.map((l) => l.slice(indent));
      }
      return { k: 'template', parts: [lines.map((l) => `${l}\n`).join('')], span };
    }
    // quoted_template: the literal text is the source between the parts (tree-sitter leaves spaces out of its literals).
    let cursor = node.startIndex + 1;
    for (const child of children) {
      if (child.type === 'quoted_template_start' || child.type === 'quoted_template_end') continue;
      if (child.type === 'template_literal') continue;
      if (child.startIndex > cursor) parts.push(unescapeHcl(this.text.slice(cursor, child.startIndex)));
      if (child.type === 'template_interpolation') {
        const inner = child.namedChildren.find((c) => c?.type === 'expression');
        parts.push(inner ? this.expr(inner, depth + 1) : { k: 'other', what: 'an interpolation', refs: [], span: this.span(child) });
      } else {
        parts.push({ k: 'other', what: 'a template directive', refs: this.refsIn(child), span: this.span(child) });
      }
      cursor = child.endIndex;
    }
    const end = node.endIndex - 1;
    if (end > cursor) parts.push(unescapeHcl(this.text.slice(cursor, end)));
    return { k: 'template', parts, span };
  }

  /** Resource and module references anywhere inside an expression we do not evaluate (bounded walk). */
  refsIn(node: TsNode): string[] {
    const refs = new Set<string>();
    const stack: TsNode[] = [node];
    for (let visited = 0; stack.length > 0 && visited < 5_000; visited++) {
      const n = stack.pop() as TsNode;
      if (n.type === 'expression') {
        const [head, first, second] = n.namedChildren;
        if (head?.type === 'variable_expr' && first?.type === 'get_attr') {
          const root = head.text;
          const a = first.namedChildren.find((c) => c?.type === 'identifier')?.text;
          const b = second?.type === 'get_attr' ? second.namedChildren.find((c) => c?.type === 'identifier')?.text : undefined;
          if (a !== undefined && root === 'module') refs.add(`module.${a}`);
          else if (a !== undefined && root === 'data' && b !== undefined) refs.add(`data.${a}.${b}`);
          else if (a !== undefined && /^[a-z0-9]+_/.test(root)) refs.add(`${root}.${a}`);
        }
      }
      for (const child of n.namedChildren) if (child) stack.push(child);
    }
    return [...refs];
  }
}

function describeNodeType(type: string): string {
  switch (type) {
    case 'for_expr':
      return 'a for expression';
    case 'operation':
      return 'an operator';
    default:
      return type.replace(/_/g, ' ');
  }
}

/** HCL string escapes: \n \r \t \" \\ \uNNNN \UNNNNNNNN, and `$${` / `%%{` for literal `${` / `%{`. */
export function unescapeHcl(raw: string): string {
  return raw
    .replace(/\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))/g, (whole, u4: string | undefined, u8: string | undefined, c: string | undefined) => {
      const hex = u4 ?? u8;
      if (hex !== undefined) {
        const code = Number.parseInt(hex, 16);
        return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      switch (c) {
        case 'n':
          return '\n';
        case 'r':
          return '\r';
        case 't':
          return '\t';
        case '"':
          return '"';
        case '\\':
          return '\\';
        default:
          return whole;
      }
    })
    .replace(/\$\$\{/g, '${')
    .replace(/%%\{/g, '%{');
}
