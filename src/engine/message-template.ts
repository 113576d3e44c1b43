/**
 * Rule messages: one sentence with placeholders, filled per finding. `{resource}` names the
 * resource, `{param.NAME}` a parameter, `{evidence}` the facts that decided the verdict, and any
 * path of the rule's scope (`{trail.s3BucketName}`, `{bucket.publicExposure.publicThrough}`) the
 * fact's value. Placeholders are checked when policies load, like condition paths; a `{…}` that is
 * no placeholder at all (spaces, quotes, nothing inside) stays literal text.
 */
import type { Evidence } from '../results.js';
import { isCollectionError } from '../snapshot/schema.js';
import { parsePath, resolvePath } from './paths.js';

export type MessagePart =
  | { kind: 'text'; text: string }
  | { kind: 'resource' }
  | { kind: 'evidence' }
  | { kind: 'param'; name: string }
  | { kind: 'fact'; path: string; segments: ReturnType<typeof parsePath> };

/** A placeholder as written, with its offset in the template (for located load errors). */
export interface Placeholder {
  text: string;
  offset: number;
  part: MessagePart;
}

const TOKEN = /\{([^{}\s"'`]+)\}/g;
export const FACT_PLACEHOLDER = /^[A-Za-z_][A-Za-z0-9_]*(\[\])?(\.[A-Za-z_$][A-Za-z0-9_]*(\[\])?)*$/;

function partOf(name: string): MessagePart {
  if (name === 'resource') return { kind: 'resource' };
  if (name === 'evidence') return { kind: 'evidence' };
  if (name.startsWith('param.')) return { kind: 'param', name: name.slice('param.'.length) };
  return { kind: 'fact', path: name, segments: parsePath(name) };
}

/** The template cut into text and placeholders. */
export function parseMessage(template: string): { parts: MessagePart[]; placeholders: Placeholder[] } {
  const parts: MessagePart[] = [];
  const placeholders: Placeholder[] = [];
  let last = 0;
  for (const m of template.matchAll(TOKEN)) {
    if (m.index > last) parts.push({ kind: 'text', text: template.slice(last, m.index) });
    const part = partOf(m[1]!);
    parts.push(part);
    placeholders.push({ text: m[0], offset: m.index, part });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push({ kind: 'text', text: template.slice(last) });
  return { parts, placeholders };
}

/** Longest rendering of one value; a fact may be a long list or a hostile string. */
const MAX_VALUE_LENGTH = 300;
/** Elements of a list shown before "and N more". */
const MAX_LIST_ITEMS = 10;

function clip(text: string): string {
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

/** A fact's value as words: lists joined, nothing as "none", a missing fact as "unknown". */
export function formatValue(value: unknown): string {
  if (isCollectionError(value)) return 'unknown';
  if (value === undefined || value === null) return 'none';
  if (typeof value === 'string') return clip(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    const shown = value.slice(0, MAX_LIST_ITEMS).map((item) => (typeof item === 'string' ? item : formatValue(item)));
    return clip(`${shown.join(', ')}${value.length > MAX_LIST_ITEMS ? ` and ${value.length - MAX_LIST_ITEMS} more` : ''}`);
  }
  return clip(JSON.stringify(value));
}

function formatEvidence(evidence: readonly Evidence[]): string {
  if (evidence.length === 0) return 'no fact recorded';
  return clip(evidence.map((e) => `${e.path} = ${typeof e.value === 'string' ? JSON.stringify(e.value) : formatValue(e.value)}`).join('; '));
}

/** The message for one subject: its label, its view (for facts) and the verdict's evidence. */
export function renderMessage(parts: readonly MessagePart[], params: Record<string, unknown>, subject: { label: string; view: unknown }, evidence: readonly Evidence[]): string {
  let out = '';
  for (const part of parts) {
    switch (part.kind) {
      case 'text':
        out += part.text;
        break;
      case 'resource':
        out += subject.label;
        break;
      case 'evidence':
        out += formatEvidence(evidence);
        break;
      case 'param':
        out += formatParam(params[part.name]);
        break;
      case 'fact': {
        const resolved = resolvePath(subject.view, part.segments);
        out += resolved.ok ? formatValue(resolved.value) : 'unknown';
        break;
      }
    }
  }
  return out;
}

function formatParam(value: unknown): string {
  if (Array.isArray(value)) return value.join(', ');
  return value === null || value === undefined ? '' : String(value);
}
