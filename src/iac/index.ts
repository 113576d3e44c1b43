/**
 * `--iac PATH…`: finds the Terraform configurations and CloudFormation templates under the paths,
 * and reads the definitions of the resources that feed the snapshot. Walks are bounded (entries,
 * depth, file size); .terraform/, node_modules/, .git/ and other dot-folders are skipped.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../errors.js';
import { looksLikeTemplate, parseCloudFormation, type CloudFormationOptions } from './cloudformation.js';
import { instantiateRoot, localModuleDir, readSourceFile, readTerraformModule, type TerraformModule } from './terraform.js';
import type { IacDefinition, IacIndex } from './types.js';

export type { IacAttribute, IacDefinition, IacIdentity, IacIndex, IacKind, IacTool, IacUnknown, IacValue, SourceSpan } from './types.js';
export { isUnknown } from './types.js';
export { parseCloudFormation, looksLikeTemplate, type CloudFormationOptions, type CloudFormationResult } from './cloudformation.js';
export { readTerraformModule, instantiateRoot, type TerraformModule, type TerraformResult } from './terraform.js';
export { RESOURCE_TYPES, resourceTypeInfo, type ResourceTypeInfo } from './kinds.js';

/** Directory entries a walk visits before it stops (and says so). */
export const MAX_WALK_ENTRIES = 50_000;
const MAX_WALK_DEPTH = 24;
const SKIPPED_DIRS = new Set(['node_modules', '.terraform', '.git', '.terragrunt-cache', 'cdk.out']);
const TEMPLATE_FILE = /\.(ya?ml|json|template)$/i;
const NOT_TEMPLATES = new Set(['package.json', 'package-lock.json', 'tsconfig.json', 'composer.lock', 'yarn.lock', 'pnpm-lock.yaml']);

export interface ReadIacOptions {
  /** Folder file names are made relative to (the repository root); default: the current directory. */
  base?: string;
  /** CloudFormation parameter values and pseudo parameters. */
  cloudFormation?: CloudFormationOptions;
}

/** Reads every path; problems are diagnostics in the index (located), never exceptions. */
export async function readIac(paths: readonly string[], options: ReadIacOptions = {}): Promise<IacIndex> {
  const base = path.resolve(options.base ?? process.cwd());
  const diagnostics: Diagnostic[] = [];
  const rel = (abs: string) => {
    const r = path.relative(base, abs).split(path.sep).join('/');
    return r === '' ? '' : r;
  };
  const tfDirs = new Set<string>();
  const templateFiles: string[] = [];
  let visited = 0;
  let truncated = false;

  const walk = async (abs: string, depth: number): Promise<void> => {
    if (visited >= MAX_WALK_ENTRIES) {
      truncated = true;
      return;
    }
    let entries;
    try {
      entries = (await readdir(abs, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (err) {
      diagnostics.push({ file: rel(abs) || '.', line: 0, column: 0, code: 'iac/read', message: `cannot read the folder: ${(err as Error).message}` });
      return;
    }
    for (const entry of entries) {
      if (++visited > MAX_WALK_ENTRIES) {
        truncated = true;
        return;
      }
      const full = path.join(abs, entry.name);
      if (entry.isDirectory()) {
        if (SKIPPED_DIRS.has(entry.name) || entry.name.startsWith('.')) continue;
        if (depth + 1 <= MAX_WALK_DEPTH) await walk(full, depth + 1);
      } else if (entry.isFile()) {
        if (entry.name.endsWith('.tf')) tfDirs.add(abs);
        else if (TEMPLATE_FILE.test(entry.name) && !NOT_TEMPLATES.has(entry.name)) templateFiles.push(full);
      }
    }
  };

  for (const given of paths) {
    const abs = path.resolve(base, given);
    let info;
    try {
      info = await stat(abs);
    } catch (err) {
      diagnostics.push({ file: given, line: 0, column: 0, code: 'iac/read', message: `cannot read: ${(err as Error).message}` });
      continue;
    }
    if (info.isDirectory()) await walk(abs, 0);
    else if (abs.endsWith('.tf')) tfDirs.add(path.dirname(abs));
    else templateFiles.push(abs);
  }
  if (truncated) diagnostics.push({ file: paths.join(' '), line: 0, column: 0, code: 'iac/too-many-files', message: `stopped after ${MAX_WALK_ENTRIES} folder entries; give narrower --iac paths` });

  let files = 0;
  const definitions: IacDefinition[] = [];

  // Terraform: parse each folder once; the folders no other folder calls are roots.
  const modules = new Map<string, Promise<TerraformModule | undefined>>();
  const load = (dir: string): Promise<TerraformModule | undefined> => {
    let loaded = modules.get(dir);
    if (!loaded) {
      const abs = path.join(base, dir);
      loaded = (async () => {
        try {
          const names = await readdir(abs);
          if (!names.some((n) => n.endsWith('.tf'))) return undefined;
        } catch {
          return undefined;
        }
        const module = await readTerraformModule(abs, dir, diagnostics);
        files += module.files.length;
        return module;
      })();
      modules.set(dir, loaded);
    }
    return loaded;
  };
  const dirs = [...tfDirs].map(rel).sort();
  const parsed = (await Promise.all(dirs.map(load))).filter((m): m is TerraformModule => m !== undefined);
  const called = new Set<string>();
  for (const module of parsed) {
    for (const call of module.calls) {
      const dir = call.source === undefined ? undefined : localModuleDir(module.dir, call.source);
      if (dir !== undefined && dir !== module.dir) called.add(dir);
    }
  }
  for (const module of parsed) {
    if (called.has(module.dir)) continue;
    const result = await instantiateRoot(module, load);
    definitions.push(...result.definitions);
    diagnostics.push(...result.diagnostics);
  }

  // CloudFormation: only files that look like templates are parsed.
  for (const abs of [...new Set(templateFiles)].sort()) {
    const name = rel(abs);
    const text = await readSourceFile(abs, name, diagnostics);
    if (text === undefined || !looksLikeTemplate(text)) continue;
    const result = parseCloudFormation(text, name, options.cloudFormation ?? {});
    if (!result.template) continue;
    files++;
    definitions.push(...result.definitions);
    diagnostics.push(...result.diagnostics);
  }

  return { paths: [...paths], files, definitions, diagnostics: dedupe(diagnostics) };
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.file}:${d.line}:${d.column}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export { matchFindings, IacMatcher, definitionRef, definitionForAddress, stripInstanceKeys, type IacMatch } from './match.js';
export { DECIDING_ATTRIBUTES, decidingCandidates, type DecidingCandidate, type DecidingEntry } from './deciding.js';

/**
 * Whether a folder holds infrastructure code trailwarden reads: a .tf file, or a YAML/JSON file
 * that looks like a CloudFormation template. A bounded walk (the Action's default for --iac).
 */
export async function containsIac(dir: string): Promise<boolean> {
  const stack: { dir: string; depth: number }[] = [{ dir, depth: 0 }];
  let visited = 0;
  while (stack.length > 0) {
    const next = stack.pop() as { dir: string; depth: number };
    let entries;
    try {
      entries = await readdir(next.dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (++visited > MAX_WALK_ENTRIES) return false;
      const full = path.join(next.dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.') && next.depth + 1 <= MAX_WALK_DEPTH) stack.push({ dir: full, depth: next.depth + 1 });
      } else if (entry.isFile()) {
        if (entry.name.endsWith('.tf')) return true;
        if (TEMPLATE_FILE.test(entry.name) && !NOT_TEMPLATES.has(entry.name)) {
          const text = await readSourceFile(full, entry.name, []);
          if (text !== undefined && looksLikeTemplate(text)) return true;
        }
      }
    }
  }
  return false;
}
