// `npm run bench [-- --json FILE] [--only NAME]`: bundles bench/main.ts with esbuild and runs it.
// A script, not a test: it prints a table of measurements; nothing here asserts wall-clock limits.
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { common } from './build.mjs';

const out = path.join(mkdtempSync(path.join(tmpdir(), 'trailwarden-bench-')), 'bench.mjs');
await build({ ...common, entryPoints: ['bench/main.ts'], outfile: out, packages: 'external' });
const { main } = await import(pathToFileURL(out).href);
process.exitCode = await main(process.argv.slice(2));
