// Bundles the CLI (dist/cli.js) with esbuild. Text assets imported with `?raw` (report templates,
// styles, client scripts) are embedded, so reporters never read files at run time.
// Runtime dependencies stay external for the npm package: they are installed with it.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const rawTextPlugin = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: path.resolve(args.resolveDir, args.path.slice(0, -'?raw'.length)),
      namespace: 'raw-text',
    }));
    b.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
      watchFiles: [args.path],
    }));
  },
};

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

export const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [rawTextPlugin],
  // Some bundled CommonJS dependencies call require(); give ESM output a real one.
  banner: { js: "import { createRequire as __twCreateRequire } from 'node:module'; const require = __twCreateRequire(import.meta.url);" },
};

const isMain = import.meta.url === `file://${process.argv[1]}`;
const targets = isMain ? process.argv.slice(2) : ["none"];
const all = isMain && targets.length === 0;

if (all || targets.includes('cli')) {
  await build({
    ...common,
    entryPoints: ['src/cli.ts'],
    outfile: 'dist/cli.js',
    external: Object.keys(pkg.dependencies ?? {}),
  });
}
