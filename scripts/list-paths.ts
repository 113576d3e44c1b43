// Prints every path a rule can use, per scope, from the view schemas (docs/policy-paths.md).
import { writeFileSync } from 'node:fs';
import { VIEW_SCHEMAS } from '../src/engine/view-schema.js';

type S = Record<string, unknown>;
const isErr = (s: S) => !!(s.properties && Object.hasOwn(s.properties as S, '$error'));
function alts(s: S): S[] {
  const b = (s.anyOf ?? s.oneOf) as S[] | undefined;
  return b ? b.flatMap(alts) : isErr(s) ? [] : [s];
}
function typeOf(s: S): string {
  const a = alts(s);
  const fact = ((s.anyOf ?? s.oneOf) as S[] | undefined)?.some(isErr) ? ' (fact: may be a collection error)' : '';
  return a.map((x) => (x.type === 'array' ? 'array' : x.type ? String(x.type) : x.const !== undefined ? JSON.stringify(x.const) : 'any')).join(' | ') + fact;
}
function walk(s: S, prefix: string, out: string[], depth: number): void {
  for (const a of alts(s)) {
    if (a.type === 'object' && a.properties) {
      for (const [k, v] of Object.entries(a.properties as Record<string, S>)) {
        const p = prefix ? `${prefix}.${k}` : k;
        const desc = (v.description as string | undefined) ?? alts(v)[0]?.description ?? '';
        out.push(`| \`${p}\` | ${typeOf(v).replace(/\|/g, '\\|')} | ${String(desc).replace(/\|/g, '\\|')} |`);
        if (depth < 6) walk(v, p, out, depth + 1);
      }
    } else if (a.type === 'array' && a.items && depth < 6) {
      const items = a.items as S;
      if (alts(items).some((x) => x.type === 'object')) walk(items, `${prefix}[]`, out, depth + 1);
    }
  }
}
/** docs/policy-paths.md, rendered from the view schemas (a test pins the committed file to it). */
export function policyPathsMarkdown(): string {
const lines = ['# Paths a rule can use, by scope', '', 'Generated from the view schemas (`npm run docs:paths`). `name[]` projects over an array; quantifiers (`some`/`every`/`none`/`count`) take an array path and evaluate `where` relative to each element.', ''];
for (const [scope, schema] of Object.entries(VIEW_SCHEMAS)) {
  const out: string[] = [];
  walk(schema as unknown as S, '', out, 0);
  lines.push(`## scope: ${scope}`, '', '| path | type | from |', '|---|---|---|', ...[...new Set(out)], '');
}
return lines.join('\n');
}

export function main(): number {
  writeFileSync('docs/policy-paths.md', policyPathsMarkdown());
  return 0;
}
