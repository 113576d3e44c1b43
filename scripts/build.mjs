// Bundles with esbuild. `node scripts/build.mjs [cli] [action]` (no argument: both).
//
// - dist/cli.js and dist/cli-chunks/, the npm bin: code-split, every dependency bundled (the
//   package has none to install), licences in dist/cli.licenses.txt; the built-in policies are
//   embedded, prepared (parsed and checked at build time); the demo snapshot is read from the
//   package folder.
// - dist/action.js, the GitHub Action (action.yml `runs.main`): everything bundled, because an
//   Action runs from its repository without node_modules; the built-in policies are embedded.
//   It is committed; scripts/check-dist.mjs fails when it is not what this script builds.
//
// Text assets imported with `?raw` (report templates, styles, client scripts) are embedded in
// both, so reporters never read files at run time.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const rawTextPlugin = {
  name: 'raw-text',
  setup(b) {
    // The path is kept relative to the package: esbuild names each module of the bundle by it, and
    // an absolute one would make dist/action.js differ between two checkouts of the same commit.
    b.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: path.relative(ROOT, path.resolve(args.resolveDir, args.path.slice(0, -'?raw'.length))).split(path.sep).join('/'),
      namespace: 'raw-text',
    }));
    b.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({
      contents: await readFile(path.join(ROOT, args.path), 'utf8'),
      loader: 'text',
      watchFiles: [path.join(ROOT, args.path)],
    }));
  },
};

// src/package-root.ts imports package.json for the version and the repository (the base of the
// reports' documentation links); a bundle carries only what it reads, so editing scripts or
// dependencies in package.json does not change dist/action.js.
const manifestPlugin = {
  name: 'manifest-version',
  setup(b) {
    const manifest = path.join(ROOT, 'package.json');
    b.onLoad({ filter: /[\\/]package\.json$/ }, async (args) => {
      if (args.path !== manifest) return undefined;
      const { name, version, repository } = JSON.parse(await readFile(manifest, 'utf8'));
      return { contents: JSON.stringify({ name, version, repository }), loader: 'json', watchFiles: [manifest] };
    });
  },
};

/**
 * The built-in policy files as src/policy/builtin-sources.ts reads them: repo-relative names, the
 * same walk order. Cases files are left out; the loader skips them.
 */
export async function builtinPolicyFiles() {
  const files = [];
  const walk = async (dir) => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (/\.ya?ml$/.test(entry.name) && !/\.cases\.ya?ml$/.test(entry.name)) {
        files.push({ file: path.relative(ROOT, full).split(path.sep).join('/'), text: await readFile(full, 'utf8') });
      }
    }
  };
  await walk(path.join(ROOT, 'policies'));
  return files;
}

/**
 * The identity of the built-in policy files (names and texts, in order), `sha256:<hex>`: the
 * prepared policies a bundle embeds carry it, and check-dist and the tests compare it with the
 * files of the working tree.
 */
export function builtinPoliciesHash(files) {
  const hash = createHash('sha256');
  for (const { file, text } of files) hash.update(`${file}\0${text.length}\0${text}\0`);
  return `sha256:${hash.digest('hex')}`;
}

/** The `policiesHash` a built bundle embeds, or undefined when it embeds no prepared policies. */
export function embeddedPoliciesHash(bundleText) {
  return /policiesHash\\?"\s*:\s*\\?"(sha256:[0-9a-f]{64})/.exec(bundleText)?.[1];
}

/**
 * Builds a TypeScript generator script (under .trailwarden-tmp, removed after) and imports it: the
 * code that writes a generated module runs from the sources it describes. Returns the module's
 * exports and the source files it was built from (esbuild's watch list).
 */
async function importGenerator(name) {
  const dir = path.join(ROOT, '.trailwarden-tmp');
  await mkdir(dir, { recursive: true });
  const generator = path.join(dir, `${name}-${process.pid}-${Date.now()}.mjs`);
  const generated = await build({ ...common, entryPoints: [path.join(ROOT, 'scripts', `${name}.ts`)], outfile: generator, packages: 'external', metafile: true });
  try {
    return {
      exports: await import(pathToFileURL(generator).href),
      inputs: Object.keys(generated.metafile.inputs).filter((input) => !input.includes(':')).map((input) => path.join(ROOT, input)),
    };
  } finally {
    await rm(generator, { force: true });
  }
}

/**
 * A plugin that replaces one module of src/ (its compiled `.js` path as imported) with contents
 * made at build time: `load` returns esbuild's onLoad result.
 */
function replaceModule(name, sourceFile, load) {
  const replaced = path.join(ROOT, sourceFile);
  const filter = new RegExp(`${path.basename(sourceFile).replace(/\./g, '\\.')}$`);
  return {
    name,
    setup(b) {
      b.onResolve({ filter }, (args) => (path.resolve(args.resolveDir, args.path) === replaced ? { path: path.basename(sourceFile, '.js'), namespace: name } : undefined));
      b.onLoad({ filter: /.*/, namespace: name }, load);
    },
  };
}

/**
 * Replaces src/policy/builtin-sources.ts with the policy files themselves, each with its data
 * parsed and schema-checked at build time (scripts/prepared-policies.ts): a scan does not parse
 * the built-in YAML at start, and the build fails on a built-in policy with a problem.
 */
export const embeddedPoliciesPlugin = replaceModule('embedded-policies', 'src/policy/builtin-sources.js', async () => {
  const files = await builtinPolicyFiles();
  const { exports, inputs } = await importGenerator('prepared-policies');
  return {
    contents: exports.preparedPoliciesModule(files, builtinPoliciesHash(files)),
    loader: 'js',
    watchFiles: [...files.map((f) => path.join(ROOT, f.file)), ...inputs],
  };
});

/**
 * Replaces src/precompiled-validators.ts with ajv's standalone code for every schema
 * (scripts/standalone-validators.ts): a bundle validates snapshots, policies and configuration
 * files without compiling a schema, and without loading ajv's compiler, at start.
 */
export const precompiledValidatorsPlugin = replaceModule('precompiled-validators', 'src/precompiled-validators.js', async () => {
  const { exports, inputs } = await importGenerator('standalone-validators');
  return { contents: exports.standaloneValidatorsModule(), loader: 'js', resolveDir: ROOT, watchFiles: inputs };
});

/**
 * Replaces src/iac/wasm-assets.ts with the WebAssembly of web-tree-sitter's runtime and the
 * Terraform grammar embedded (esbuild's binary loader): the Action and the npm package run without node_modules.
 */
export const embeddedWasmPlugin = replaceModule('embedded-wasm', 'src/iac/wasm-assets.js', () => ({
  contents: [
    "import runtime from 'web-tree-sitter/tree-sitter.wasm';",
    "import terraform from '@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm';",
    'export async function wasmAssets() { return { runtime, terraform }; }',
  ].join('\n'),
  loader: 'js',
  resolveDir: ROOT,
}));

export const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: ROOT,
  plugins: [rawTextPlugin, manifestPlugin],
  // Some bundled CommonJS dependencies call require(); give ESM output a real one.
  banner: { js: "import { createRequire as __twCreateRequire } from 'node:module'; const require = __twCreateRequire(import.meta.url);" },
};

/**
 * What both bundles (the CLI and the Action) share: the built-in policies embedded, prepared (no
 * YAML parsing at start); the schema validators compiled; the HCL grammar's WebAssembly embedded;
 * ESM builds first (jsonc-parser's `main` is a UMD module whose require() calls no bundler can
 * follow, and the AWS SDK's ESM builds tree-shake); whitespace and syntax minified but identifiers
 * kept as written, so stack traces of internal errors stay readable without esbuild's `keepNames`
 * (it wraps every function in a `__name()` call that runs each time a closure is created: the
 * SDK's middleware creates several per request, ~3% of a large scan's CPU, measured, and 15 MB of
 * its peak RSS); the metafile for the licences and the start-up tests.
 */
const selfContained = {
  plugins: [...common.plugins, embeddedPoliciesPlugin, precompiledValidatorsPlugin, embeddedWasmPlugin],
  loader: { '.wasm': 'binary' },
  mainFields: ['module', 'main'],
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
};

/**
 * dist/cli.js and its chunks in dist/cli-chunks/ (both in package.json "files"), and the licences
 * of what they bundle; returns esbuild's metafile (which chunk holds which module, and imports what). Code splitting
 * keeps each dynamic import() a chunk of its own, loaded only when a command reaches it: without
 * it esbuild inlines them, and `--version` would load the AWS SDK the collectors import.
 */
export async function buildCli(outdir = path.join(ROOT, 'dist')) {
  // Chunk names carry a content hash: remove the previous build's so the package ships only these.
  await rm(path.join(outdir, 'cli-chunks'), { recursive: true, force: true });
  const result = await build({
    ...common,
    entryPoints: { cli: 'src/cli.ts' },
    outdir,
    splitting: true,
    chunkNames: 'cli-chunks/[name]-[hash]',
    // Every dependency bundled, as in the Action: a chunk loads as one file instead of a package's
    // tens of CommonJS modules each resolved on disk (yaml, handlebars, jsonc-parser, the AWS
    // SDK), and the package installs with no dependency at all (npx fetches one tarball).
    ...selfContained,
  });
  await writeFile(path.join(outdir, 'cli.licenses.txt'), await bundledLicences(result.metafile, 'dist/cli.js and dist/cli-chunks/'));
  return result.metafile;
}

/**
 * dist/action.js and, beside it, the licences of the packages bundled into it: the bundle
 * redistributes their code, and their licences ask for the notices to travel with it.
 */
export async function buildAction(outfile = path.join(ROOT, 'dist', 'action.js')) {
  const result = await build({
    ...common,
    entryPoints: ['src/action/main.ts'],
    outfile,
    // Committed and rewritten on every release: minified (selfContained) to keep the repository small.
    ...selfContained,
  });
  await writeFile(outfile.replace(/\.js$/, '.licenses.txt'), await bundledLicences(result.metafile, 'dist/action.js'));
}

async function bundledLicences(metafile, bundle) {
  const packageDirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packageDirs.add(match[1]);
  }
  // Many packages share one licence text (the AWS SDK's Apache-2.0): each text once, with its packages.
  const packagesByText = new Map();
  for (const dir of [...packageDirs].sort()) {
    const manifest = JSON.parse(await readFile(path.join(ROOT, dir, 'package.json'), 'utf8'));
    const licenceFile = (await readdir(path.join(ROOT, dir))).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
    const text = licenceFile ? (await readFile(path.join(ROOT, dir, licenceFile), 'utf8')).trim() : `(no licence file; package.json says ${manifest.license ?? 'nothing'})`;
    packagesByText.set(text, [...(packagesByText.get(text) ?? []), `${manifest.name}@${manifest.version} (${manifest.license ?? 'unknown'})`]);
  }
  const sections = [...packagesByText].map(([text, packages]) => `${packages.join('\n')}\n\n${text}\n`);
  return `Packages bundled into ${bundle} and their licences.\n\n${sections.join(`\n${'-'.repeat(72)}\n\n`)}`;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const targets = process.argv.slice(2);
  const unknown = targets.filter((target) => target !== 'cli' && target !== 'action');
  if (unknown.length) throw new Error(`unknown build target(s): ${unknown.join(', ')} (cli, action)`);
  if (targets.length === 0 || targets.includes('cli')) await buildCli();
  if (targets.length === 0 || targets.includes('action')) await buildAction();
}
