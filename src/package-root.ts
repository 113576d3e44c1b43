import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// Embedded at build time, so the version is known even where no package.json is (the Action bundle).
import manifest from '../package.json' with { type: 'json' };

let root: string | undefined;

/**
 * The folder of trailwarden's package.json: where built-in policies, report assets and the demo
 * snapshot live. Found by walking up from this module, so it works from src/ (tests), from the
 * bundled dist/ (npx) and from the Action's checkout.
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'trailwarden') {
      root = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('trailwarden: cannot find its package folder (package.json)');
    dir = parent;
  }
}

export function toolVersion(): string {
  return manifest.version;
}

export const builtinPoliciesDir = () => path.join(packageRoot(), 'policies');
export const demoSnapshotPath = () => path.join(packageRoot(), 'examples', 'demo', 'snapshot.json');
