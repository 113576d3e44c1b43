// The built-in policies as the bundles carry them (scripts/build.mjs, embeddedPoliciesPlugin): each
// file's text and, prepared here at build time, its parsed and schema-checked data and the line of
// its `id`. A scan then compiles the built-in rules from that data without parsing YAML or checking
// it against the policy schemas at every start. The build fails if a built-in policy has a problem,
// and the module carries a hash of the files it was prepared from (`policiesHash`), which
// scripts/check-dist.mjs and test/package/bundle-start.test.ts compare with the policy files of
// the working tree: a bundle built before a policy changed is found out.
import { loadSources, type SourceFile } from '../src/policy/loader.js';
import { prepareBuiltinSource } from '../src/policy/prepared.js';
import { formatDiagnostic } from '../src/errors.js';

/** `policiesHash`: scripts/build.mjs's builtinPoliciesHash of `files`. */
export function preparedPoliciesModule(files: readonly { file: string; text: string }[], policiesHash: string): string {
  const sources: SourceFile[] = files.map(({ file, text }) => ({ file, text, builtin: true }));
  const { diagnostics } = loadSources(sources);
  if (diagnostics.length) throw new Error(`built-in policies have problems:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  const prepared = sources.map((source) => ({ file: source.file, text: source.text, prepared: prepareBuiltinSource(source) }));
  // The hash travels inside the data (a string literal no minifier touches), where
  // scripts/check-dist.mjs and test/package/bundle-start.test.ts find it: `sha256:<hex>`.
  const payload = { policiesHash, files: prepared };
  return [
    `const PREPARED_POLICIES_JSON = ${JSON.stringify(JSON.stringify(payload))};`,
    // Parsed per call (JSON.parse of a string starts faster than a JS literal of the same data):
    // fresh objects every time, so nothing a run does to a definition reaches the next run, and a
    // fresh array, to which readPolicySources appends the user's policies.
    'export async function builtinSources() { return JSON.parse(PREPARED_POLICIES_JSON).files.map(({ file, text, prepared }) => ({ file, text, builtin: true, prepared })); }',
  ].join('\n');
}
