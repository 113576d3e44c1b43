// `node scripts/run-ts.mjs ENTRY.ts [args...]`: bundles a TypeScript entry with the project's esbuild
// settings (text assets via ?raw included) into .trailwarden-tmp/ and runs its exported main(argv).
// The bundle lives inside the package so node_modules and the built-in policies resolve.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { common } from './build.mjs';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node scripts/run-ts.mjs ENTRY.ts [args...]\n');
  process.exit(2);
}
const dir = path.resolve('.trailwarden-tmp');
mkdirSync(dir, { recursive: true });
const out = path.join(dir, `${path.basename(entry, '.ts')}.mjs`);
await build({ ...common, entryPoints: [entry], outfile: out, packages: 'external' });
const mod = await import(pathToFileURL(out).href);
if (typeof mod.main === 'function') process.exitCode = await mod.main(args);
