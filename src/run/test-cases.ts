/**
 * `trailwarden test [PATH…]`: run the cases next to policies (the built-ins when no path is given).
 * `checkCases` is the whole judgement over policy sources already read (the project's harness,
 * test/policies/cases.test.ts, calls it on the built-ins); `testRun` reads the paths, prints the
 * outcome, writes `--update`d expectations and returns the exit code: 0 every case holds, 1 a case
 * fails (or has no expectations yet), 2 a policy or cases file is invalid.
 */
import path from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { UserError, formatDiagnostic, type Diagnostic } from '../errors.js';
import { describeFsError, outputError, readTextInput, writeAtomically } from '../files.js';
import type { CompiledRule } from '../engine/evaluate.js';
import { packageRoot } from '../package-root.js';
import { builtinSources } from '../policy/builtin-sources.js';
import { expectationsFrom, loadCasesFile, runCase, type CaseOutcome, type CasesFile } from '../policy/cases.js';
import { PARAM_CHECKS, isCasesFile, isFragmentFile, isPackFile, loadRule, loadSources, readPolicyPath, type SourceFile } from '../policy/loader.js';
import { diagnosticAt } from '../policy/yaml-source.js';

export interface RuleCases {
  rule: CompiledRule;
  /** The cases file's path as shown (absent: the rule has no cases file). */
  casesFile?: string;
  outcomes: CaseOutcome[];
}

export interface CasesCheck {
  rules: RuleCases[];
  diagnostics: Diagnostic[];
  /** Parsed cases files by shown path (for --update). */
  files: Map<string, CasesFile>;
}

export function casesFileFor(ruleFile: string): string {
  return ruleFile.replace(/\.ya?ml$/, '.cases.yaml');
}

/**
 * Load every source (rules, packs, fragments) and run the cases of the rules `selected` picks.
 * Every problem of every file is reported; cases of a rule that does not load are not run.
 */
export function checkCases(sources: readonly SourceFile[], selected: (source: SourceFile) => boolean): CasesCheck {
  const loaded = loadSources(sources);
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  const byFile = new Map(sources.map((s) => [s.file, s]));
  const files = new Map<string, CasesFile>();
  const rules: RuleCases[] = [];
  const ruleOf = new Map(loaded.allRules.map((r) => [r.source.file, r]));

  for (const sf of sources) {
    if (!selected(sf) || isCasesFile(sf.file) || isPackFile(sf.file) || isFragmentFile(sf.file)) continue;
    const rule = ruleOf.get(sf.file);
    const casesName = casesFileFor(sf.file);
    const casesSource = byFile.get(casesName);
    if (!casesSource) {
      if (rule) rules.push({ rule, outcomes: [] });
      continue;
    }
    const { cases, diagnostics: caseProblems } = loadCasesFile(casesSource.file, casesSource.text);
    diagnostics.push(...caseProblems);
    if (!cases || !rule) continue;
    files.set(cases.file, cases);
    if (cases.rule !== rule.id) {
      diagnostics.push(diagnosticAt(cases.source, ['rule'], 'cases/rule-mismatch', `rule '${cases.rule}' must be the id of the rule beside it, '${rule.id}'`));
      continue;
    }
    const outcomes: CaseOutcome[] = [];
    for (const c of cases.cases) {
      let caseRule = rule;
      if (c.params) {
        const problems: Diagnostic[] = [];
        for (const [name, value] of Object.entries(c.params)) {
          const spec = rule.params[name];
          if (!spec) problems.push(diagnosticAt(cases.source, ['cases', c.index, 'params', name], 'cases/unknown-param', `rule ${rule.id} has no parameter '${name}'; it has ${Object.keys(rule.params).join(', ') || 'none'}`, name));
          else if (!PARAM_CHECKS[spec.type](value)) problems.push(diagnosticAt(cases.source, ['cases', c.index, 'params', name], 'cases/param-type', `parameter '${name}' must be ${spec.type}`));
        }
        const reloaded = problems.length ? undefined : loadRule(sf, { params: c.params }, loaded.fragments);
        if (reloaded?.diagnostics.length) problems.push(...reloaded.diagnostics);
        if (problems.length || !reloaded?.rule) {
          diagnostics.push(...problems);
          continue;
        }
        caseRule = reloaded.rule;
      }
      const run = runCase(caseRule, cases, c);
      diagnostics.push(...run.diagnostics);
      if (run.outcome) outcomes.push(run.outcome);
    }
    rules.push({ rule, casesFile: cases.file, outcomes });
  }
  return { rules, diagnostics, files };
}

export interface TestOptions {
  update?: boolean;
}

export interface TestIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

function formatValue(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

async function readSources(paths: readonly string[]): Promise<{ sources: SourceFile[]; tested: Set<string> }> {
  const sources = await builtinSources();
  if (!paths.length) return { sources, tested: new Set(sources.map((s) => s.file)) };
  const tested = new Set<string>();
  const builtinFiles = new Set(sources.map((s) => s.file));
  for (const p of paths) {
    let found: SourceFile[];
    try {
      found = await readPolicyPath(p, { builtin: false });
    } catch (err) {
      if (err instanceof UserError) throw err;
      const message = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : describeFsError(err);
      throw new UserError(`cannot read policies at ${p}`, [{ file: p, line: 0, column: 0, code: 'policy/unreadable', message }]);
    }
    // A rule named alone brings its cases file along.
    for (const f of found) {
      if (isCasesFile(f.file) || found.some((g) => g.file === casesFileFor(f.file))) continue;
      const casesFile = casesFileFor(f.file);
      const text = await readTextInput(casesFile, { code: 'cases', what: 'cases' }).catch(() => undefined);
      if (text !== undefined) found.push({ file: casesFile, text, builtin: false });
    }
    for (const f of found) {
      // A built-in named by its own path (run from the package folder) is tested as the built-in.
      if (builtinFiles.has(f.file)) tested.add(f.file);
      if (builtinFiles.has(f.file) || tested.has(f.file)) continue;
      tested.add(f.file);
      sources.push(f);
    }
  }
  return { sources, tested };
}

/** Where a shown path is on disk: built-ins are shown relative to the package. */
function diskPath(shown: string, builtin: boolean): string {
  return builtin ? path.join(packageRoot(), shown) : shown;
}

/** Write the actual verdicts into the cases that have no `expect`, keeping the rest of the YAML. */
async function writeExpectations(file: CasesFile, outcomes: readonly CaseOutcome[], target: string): Promise<number> {
  // Round-trip from the text on disk so comments, anchors and layout stay as written.
  void file;
  const original = parseDocument(await readTextInput(target, { code: 'cases', what: 'cases' }));
  let written = 0;
  for (const o of outcomes) {
    if (!o.unexpected) continue;
    const item = original.getIn(['cases', o.case.index], true);
    if (!isMap(item)) continue;
    const node = original.createNode(expectationsFrom(o.findings), { flow: false });
    if (isSeq(node)) for (const e of node.items) if (isMap(e)) e.flow = true;
    item.set('expect', node);
    written++;
  }
  if (written) {
    try {
      await writeAtomically(target, original.toString({ lineWidth: 0 }));
    } catch (err) {
      throw outputError(target, 'cases file', err);
    }
  }
  return written;
}

/** Run the cases of the policies at `paths` (the built-ins when none); print; return the exit code. */
export async function testRun(paths: readonly string[], options: TestOptions, io: TestIo): Promise<number> {
  const { sources, tested } = await readSources(paths);
  const builtin = new Map(sources.map((s) => [s.file, s.builtin]));
  const check = checkCases(sources, (s) => tested.has(s.file));
  if (check.diagnostics.length) {
    for (const d of check.diagnostics) io.stdout(`${formatDiagnostic(d)}\n`);
    io.stderr(`trailwarden: ${check.diagnostics.length} problem(s) in policies or cases files; no case was judged\n`);
    return 2;
  }
  if (!check.rules.length) io.stderr(`warning: no rule found in ${paths.join(', ')}\n`);
  let passed = 0;
  let failed = 0;
  let pending = 0;
  let updated = 0;
  for (const r of check.rules) {
    if (!r.casesFile) {
      io.stdout(`warning: ${r.rule.source.file}: rule ${r.rule.id} has no cases file (${casesFileFor(r.rule.source.file)})\n`);
      continue;
    }
    for (const o of r.outcomes) {
      const where = `${r.casesFile}:${o.case.line}`;
      if (o.unexpected) {
        if (options.update) {
          io.stdout(`new   ${where} ${r.rule.id} ${o.case.name}: ${expectationsFrom(o.findings).map((e) => `${e.resource}=${e.status}`).join(', ') || 'no findings'}\n`);
          updated++;
        } else {
          io.stdout(`FAIL  ${where} ${r.rule.id} ${o.case.name}: no expect block; run trailwarden test --update to record the actual verdicts\n`);
          pending++;
        }
        continue;
      }
      if (!o.mismatches.length) {
        io.stdout(`ok    ${where} ${r.rule.id} ${o.case.name}\n`);
        passed++;
        continue;
      }
      failed++;
      io.stdout(`FAIL  ${where} ${r.rule.id} ${o.case.name}\n`);
      for (const m of o.mismatches) {
        io.stdout(`  ${r.casesFile}:${m.line} ${m.resource}: expected ${m.expected}, got ${m.actual}\n`);
        if (m.message) io.stdout(`    message: ${m.message}\n`);
        for (const e of m.evidence) io.stdout(`    evidence: ${e.path} = ${formatValue(e.value)}\n`);
      }
    }
    if (options.update && r.outcomes.some((o) => o.unexpected)) {
      const file = check.files.get(r.casesFile)!;
      await writeExpectations(file, r.outcomes, diskPath(r.casesFile, builtin.get(r.casesFile) === true));
    }
  }
  const total = passed + failed + pending + updated;
  io.stdout(`\n${total} cases: ${passed} passed, ${failed + pending} failed${updated ? `, ${updated} recorded by --update (review them)` : ''}\n`);
  return failed + pending ? 1 : 0;
}

/**
 * What `validate` checks of cases files without running them: each is schema-valid and names the
 * rule beside it; a rule without a cases file is a warning (it is valid, but nothing proves it).
 */
export function lintCasesFiles(sources: readonly SourceFile[]): { diagnostics: Diagnostic[]; warnings: string[] } {
  const diagnostics: Diagnostic[] = [];
  const warnings: string[] = [];
  const files = new Set(sources.map((s) => s.file));
  for (const sf of sources) {
    if (isPackFile(sf.file) || isFragmentFile(sf.file)) continue;
    if (!isCasesFile(sf.file)) {
      if (!sf.builtin && !files.has(casesFileFor(sf.file))) warnings.push(`${sf.file}: the rule has no cases file (${casesFileFor(sf.file)}); trailwarden test cannot prove it`);
      continue;
    }
    const { cases, diagnostics: problems } = loadCasesFile(sf.file, sf.text);
    diagnostics.push(...problems);
    if (!cases) continue;
    const ruleFile = [...files].find((f) => !isCasesFile(f) && casesFileFor(f) === sf.file);
    if (!ruleFile) diagnostics.push(diagnosticAt(cases.source, ['rule'], 'cases/no-rule', `no rule file beside this cases file (expected ${sf.file.replace(/\.cases\.ya?ml$/, '.yaml')})`));
    else {
      const expected = `${ruleFile.split(/[\\/]/).at(-2) ?? ''}/${ruleFile.split(/[\\/]/).at(-1)!.replace(/\.ya?ml$/, '')}`;
      if (cases.rule !== expected) diagnostics.push(diagnosticAt(cases.source, ['rule'], 'cases/rule-mismatch', `rule '${cases.rule}' must be the id of the rule beside it, '${expected}'`));
    }
  }
  return { diagnostics, warnings };
}
