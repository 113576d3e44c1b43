/**
 * Built-in policies prepared at build time (scripts/prepared-policies.ts): the bundles carry each
 * built-in file's parsed, schema-checked data and the line of its `id` beside its text, so a scan
 * compiles the built-in rules without parsing YAML or running the policy schemas at start. The
 * text stays: a diagnostic about a built-in file (a configuration override that does not compile,
 * say) parses it then, to locate itself.
 *
 * Only built-in sources the bundle itself carries are prepared; a user's policy file is always
 * parsed and checked.
 */
import { locate, parseYaml } from './yaml-source.js';

export interface PreparedPolicy {
  /** The document as `parseYaml` reads it, already checked against its schema. */
  data: unknown;
  /** Line of the document's `id` key (1 when it has none), as SARIF locates a rule. */
  idLine: number;
}

/** Parses one built-in file; throws when it does not parse (the build then fails). */
export function prepareBuiltinSource(source: { file: string; text: string }): PreparedPolicy {
  const parsed = parseYaml(source.text, source.file);
  if (parsed.diagnostics.length || parsed.data === undefined) throw new Error(`${source.file} does not parse: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
  return { data: parsed.data, idLine: idLineOf(parsed) };
}

export function idLineOf(source: ReturnType<typeof parseYaml>): number {
  return source.doc.contents && 'items' in source.doc.contents ? locate(source, ['id']).line : 1;
}
