/** The built-in condition fragments, for tests that load one built-in rule with loadRule. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { FragmentTable } from '../../src/engine/compile.js';
import { loadFragments } from '../../src/policy/loader.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export function builtinFragments(): FragmentTable {
  const dir = path.join(ROOT, 'policies/fragments');
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ file: `policies/fragments/${f}`, text: readFileSync(path.join(dir, f), 'utf8'), builtin: true }));
  const { fragments, diagnostics } = loadFragments(sources);
  if (diagnostics.length) throw new Error(`built-in fragments: ${JSON.stringify(diagnostics)}`);
  return fragments;
}
