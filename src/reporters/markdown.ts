/**
 * Markdown building blocks shared by the job summary and SARIF rule help.
 *
 * `Markdown` is a branded string: only the functions here produce it, and the summary's view
 * model accepts nothing else, so an AWS-supplied string cannot reach a markdown template without
 * passing through `inline()` first.
 */
import type { RuleMeta } from '../results.js';
import { ruleControls, SEVERITY_LABEL, visibleControls } from './model.js';

declare const markdownBrand: unique symbol;
export type Markdown = string & { readonly [markdownBrand]: true };

/** Characters that start markdown syntax anywhere in a line (GFM tables included: `|`). */
const INLINE_SYNTAX = /[\\`*_[\]|~#!]/g;
const HTML_SYNTAX = /[&<>]/g;
const HTML_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Escapes untrusted text for one line of markdown: syntax characters are backslash-escaped, HTML
 * characters become entities, line breaks become spaces (they would end a table row), control and
 * bidi characters become visible, and a leading list or heading marker is neutralised.
 */
export function inline(text: string): Markdown {
  return visibleControls(text)
    .replace(INLINE_SYNTAX, '\\$&')
    .replace(HTML_SYNTAX, (character) => HTML_ENTITY[character] ?? character)
    .replace(/^([-+=])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2') as Markdown;
}

/**
 * A code span that survives any backticks inside. In a GFM table a pipe ends the cell even inside
 * a code span, so table cells need it escaped (and the escape is shown literally anywhere else).
 */
export function codeSpan(text: string, place: 'table' | 'text' = 'text'): Markdown {
  const flat = visibleControls(text);
  const fence = '`'.repeat(longestRun(flat, '`') + 1);
  const padded = flat.startsWith('`') || flat.endsWith('`') ? ` ${flat} ` : flat;
  return `${fence}${place === 'table' ? padded.replace(/\|/g, '\\|') : padded}${fence}` as Markdown;
}

/** A fenced code block whose fence is longer than any backtick run in the content. */
export function codeBlock(text: string, language = ''): Markdown {
  const fence = '`'.repeat(Math.max(3, longestRun(text, '`') + 1));
  return `${fence}${language}\n${text.replace(/\s+$/, '')}\n${fence}` as Markdown;
}

/**
 * Policy text (descriptions, console steps) is written in markdown by policy authors, so its
 * formatting is kept; raw HTML is not, because it has no place in help text.
 */
function authored(text: string): Markdown {
  return text.trim().replace(/</g, '&lt;') as Markdown;
}

/** Joins markdown pieces; the result is markdown because every piece is. */
export function join(parts: readonly Markdown[], separator = ''): Markdown {
  return parts.join(separator) as Markdown;
}

function longestRun(text: string, character: string): number {
  let longest = 0;
  let current = 0;
  for (const c of text) {
    current = c === character ? current + 1 : 0;
    longest = Math.max(longest, current);
  }
  return longest;
}

// ---------------------------------------------------------------------------------------------
// Rule help: why it matters and how to fix it, in the console and with the AWS CLI.
// ---------------------------------------------------------------------------------------------

interface HelpSection {
  heading: string;
  text: string;
  kind: 'prose' | 'shell' | 'hcl' | 'list';
}

function helpSections(rule: RuleMeta): HelpSection[] {
  const sections: HelpSection[] = [{ heading: 'Why it matters', text: rule.description, kind: 'prose' }];
  if (rule.remediation.console) sections.push({ heading: 'Fix in the AWS console', text: rule.remediation.console, kind: 'prose' });
  if (rule.remediation.cli) sections.push({ heading: 'Fix with the AWS CLI', text: rule.remediation.cli, kind: 'shell' });
  if (rule.remediation.terraform) sections.push({ heading: 'Fix with Terraform', text: rule.remediation.terraform, kind: 'hcl' });
  const controls = ruleControls(rule);
  if (controls.length > 0) sections.push({ heading: 'Framework controls', text: controls.join('\n'), kind: 'list' });
  return sections;
}

function helpFacts(rule: RuleMeta): string {
  return `Severity: ${SEVERITY_LABEL[rule.severity]}. Evaluated per ${rule.scope}. Policy: ${rule.source.file}:${rule.source.line}.`;
}

export function ruleHelpText(rule: RuleMeta): string {
  const body = helpSections(rule).map(({ heading, text }) => `${heading}\n${text.trim()}`);
  return [rule.title, ...body, helpFacts(rule)].join('\n\n');
}

export function ruleHelpMarkdown(rule: RuleMeta): Markdown {
  const body = helpSections(rule).map(({ heading, text, kind }) => {
    const content =
      kind === 'shell' || kind === 'hcl' ? codeBlock(text.trim(), kind === 'shell' ? 'sh' : 'hcl') : kind === 'list' ? join(text.split('\n').map((line) => `- ${codeSpan(line)}` as Markdown), '\n') : authored(text);
    return `### ${inline(heading)}\n\n${content}` as Markdown;
  });
  return join([`**${inline(rule.title)}**` as Markdown, ...body, inline(helpFacts(rule))], '\n\n');
}
