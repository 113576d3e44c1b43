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

/**
 * Where trailwarden's sources are published, from package.json's `repository` (embedded at build
 * time like the version): the base of every documentation link the reports write (SARIF helpUri
 * and informationUri, the HTML and job summary's links to policy files). A fork or a republished
 * package changes it there, in one place. Accepts npm's forms: a URL (`git+https://….git`), or
 * the `github:owner/name` and `owner/name` shorthands.
 */
export function repositoryUrl(repository: unknown = (manifest as { repository?: unknown }).repository): string {
  const given = typeof repository === 'string' ? repository : typeof repository === 'object' && repository !== null ? (repository as { url?: unknown }).url : undefined;
  if (typeof given !== 'string' || given.trim() === '') throw new Error('trailwarden: package.json has no repository URL');
  const shorthand = /^(?:github:)?([A-Za-z0-9][\w.-]*\/[\w.-]+)$/.exec(given.trim());
  const url = shorthand ? `https://github.com/${shorthand[1]}` : given.trim().replace(/^git\+/, '').replace(/^git:\/\//, 'https://');
  if (!/^https:\/\/[^\s/]+\/[^\s]+$/.test(url)) throw new Error(`trailwarden: package.json's repository is not an https URL: ${given}`);
  return url.replace(/\.git$/, '').replace(/\/+$/, '');
}

export const builtinPoliciesDir = () => path.join(packageRoot(), 'policies');
export const demoSnapshotPath = () => path.join(packageRoot(), 'examples', 'demo', 'snapshot.json');
