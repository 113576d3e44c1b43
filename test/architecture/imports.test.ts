/**
 * The layers of the house, checked on every run: imports go down, never up, never sideways between
 * peers, and never round in a cycle. A new import that breaks this fails here, naming the file.
 *
 *   adapters     cli/, action/                      argv or Action inputs -> options -> library
 *   library      run/, options/                     the run: source, evaluation, reports, exit code
 *   policy       policy/                            YAML -> compiled rules, packs, suppressions
 *   parts        engine/ | collectors/ | reporters/ | iac/ each on its own; none imports another
 *   contracts    snapshot/, results.ts, language/   what the parts exchange; aws-policy/ (the IAM
 *                policy language, read by collectors and engine alike)
 *   foundations  errors.ts, objects.ts, package-root.ts
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

interface Layer {
  name: string;
  rank: number;
  /** Members of one layer that may not import one another (the parts are independent). */
  isolated?: boolean;
  members: string[];
}

const LAYERS: Layer[] = [
  { name: 'foundations', rank: 0, members: ['errors.ts', 'objects.ts', 'files.ts', 'memory.ts', 'package-root.ts', 'precompiled-validators.ts', 'schema-validator.ts'] },
  { name: 'contracts', rank: 1, members: ['snapshot/', 'results.ts', 'language/', 'aws-policy/'] },
  { name: 'parts', rank: 2, isolated: true, members: ['engine/', 'collectors/', 'reporters/', 'iac/'] },
  { name: 'policy', rank: 3, members: ['policy/'] },
  { name: 'library', rank: 4, members: ['run/', 'options/', 'schemas.ts'] },
  { name: 'adapters', rank: 5, isolated: true, members: ['cli/', 'cli.ts', 'action/'] },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

function placeOf(file: string): { layer: Layer; member: string } {
  const relative = path.relative(SRC, file).split(path.sep).join('/');
  for (const layer of LAYERS) {
    for (const member of layer.members) {
      if (member.endsWith('/') ? relative.startsWith(member) : relative === member) return { layer, member };
    }
  }
  throw new Error(`src/${relative} belongs to no layer: add its folder to LAYERS in test/architecture/imports.test.ts`);
}

/** Static and dynamic imports (and re-exports) of project files, resolved to .ts paths. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((ref) => ref.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts'))
    .filter((target) => target.startsWith(SRC + path.sep));
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const shown = (file: string) => `src/${path.relative(SRC, file).split(path.sep).join('/')}`;

describe('import layers', () => {
  it('places every source file in a layer', () => {
    for (const file of files) expect(() => placeOf(file)).not.toThrow();
  });

  it('imports only downwards, and parts and adapters do not import one another', () => {
    const violations: string[] = [];
    for (const [file, targets] of graph) {
      const from = placeOf(file);
      for (const target of targets) {
        const to = placeOf(target);
        if (to.layer.rank > from.layer.rank) violations.push(`${shown(file)} (${from.layer.name}) imports ${shown(target)} (${to.layer.name}), a higher layer`);
        else if (to.layer === from.layer && from.layer.isolated && to.member !== from.member && !(from.member === 'cli.ts' && to.member === 'cli/')) {
          violations.push(`${shown(file)} imports ${shown(target)}: ${from.member} and ${to.member} are independent ${from.layer.name}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('has no import cycle', () => {
    // Tarjan's strongly connected components, iteratively (no recursion on a long chain).
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const cycles: string[][] = [];
    let counter = 0;
    for (const start of graph.keys()) {
      if (index.has(start)) continue;
      const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
      index.set(start, counter);
      low.set(start, counter++);
      stack.push(start);
      onStack.add(start);
      while (work.length > 0) {
        const frame = work[work.length - 1]!;
        const targets = graph.get(frame.node) ?? [];
        if (frame.next < targets.length) {
          const target = targets[frame.next++]!;
          if (!index.has(target)) {
            index.set(target, counter);
            low.set(target, counter++);
            stack.push(target);
            onStack.add(target);
            work.push({ node: target, next: 0 });
          } else if (onStack.has(target)) {
            low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
          }
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
        if (low.get(frame.node) === index.get(frame.node)) {
          const component: string[] = [];
          let member: string;
          do {
            member = stack.pop()!;
            onStack.delete(member);
            component.push(shown(member));
          } while (member !== frame.node);
          if (component.length > 1) cycles.push(component.sort());
        }
      }
    }
    expect(cycles).toEqual([]);
  });
});
