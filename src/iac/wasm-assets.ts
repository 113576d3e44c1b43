/**
 * The WebAssembly the HCL parser runs: web-tree-sitter's runtime and the Terraform grammar of
 * @tree-sitter-grammars/tree-sitter-hcl. Read from the installed packages here (tests, the npm
 * CLI); scripts/build.mjs replaces this module in dist/action.js with the same bytes embedded,
 * because an Action runs without node_modules.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

export interface WasmAssets {
  runtime: Uint8Array;
  terraform: Uint8Array;
}

export async function wasmAssets(): Promise<WasmAssets> {
  const require = createRequire(import.meta.url);
  const [runtime, terraform] = await Promise.all([
    readFile(require.resolve('web-tree-sitter/tree-sitter.wasm')),
    readFile(require.resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm')),
  ]);
  return { runtime, terraform };
}
