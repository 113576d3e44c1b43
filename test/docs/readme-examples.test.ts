/**
 * The README's examples run. Every `trailwarden` command in a ```sh block of README.md and docs/
 * (written `npx trailwarden …` or `node dist/cli.js …`) is run, in the order the page gives them,
 * in one scratch folder that has the clone's examples/ (as a reader following along would): unless
 * it needs AWS credentials (a scan that names no --demo or --snapshot) or a file only the reader
 * has (a snapshot from their own scan), which is said, with the reason. Configuration examples
 * (```yaml blocks that name the config schema) pass `validate --config` and drive a demo scan.
 *
 * Other tests pin other blocks: the flag table (test/options), the scheduled workflow
 * (test/cli/authoring), the tarball's npx run (test/package); `npm ci`, `npm run build` and
 * `npm test` are what CI itself runs.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGES = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

interface Block {
  page: string;
  line: number;
  lang: string;
  text: string;
}

function fencedBlocks(page: string): Block[] {
  const lines = readFileSync(path.join(ROOT, page), 'utf8').split('\n');
  const blocks: Block[] = [];
  let open: { line: number; lang: string; body: string[] } | undefined;
  lines.forEach((line, index) => {
    const fence = /^```(\S*)/.exec(line);
    if (!fence) {
      open?.body.push(line);
      return;
    }
    if (open) {
      blocks.push({ page, line: open.line, lang: open.lang, text: open.body.join('\n') });
      open = undefined;
    } else open = { line: index + 1, lang: fence[1] ?? '', body: [] };
  });
  return blocks;
}

interface Example {
  where: string;
  argv: string[];
  source: string;
  /** Why it is not run here; absent for the examples that run. */
  skip?: string;
}

const TRAILWARDEN = /^(?:npx trailwarden|node dist\/cli\.js)(?:\s+(.*))?$/;

/** The trailwarden commands of every shell block, a line's ` && ` parts and what precedes a ` | ` each taken alone. */
function shellExamples(): { examples: Example[]; others: string[] } {
  const examples: Example[] = [];
  const others: string[] = [];
  for (const block of PAGES.flatMap(fencedBlocks).filter((b) => b.lang === 'sh' || b.lang === 'bash' || b.lang === 'shell')) {
    block.text.split('\n').forEach((raw, offset) => {
      const line = raw.replace(/\s+#.*$/, '').trim();
      if (!line || line.startsWith('#')) return;
      for (const part of line.split(' && ')) {
        const command = part.split(' | ')[0]!.trim();
        const match = TRAILWARDEN.exec(command);
        if (!match) {
          others.push(command);
          continue;
        }
        examples.push({ where: `${block.page}:${block.line + 1 + offset}`, argv: (match[1] ?? '').split(/\s+/).filter(Boolean), source: command });
      }
    });
  }
  return { examples, others };
}

/** Flags that take no value; every other flag takes the word after it. */
const BOOLEAN_FLAGS = new Set(['--demo', '--org', '--fail-on-new', '--verify-integrity-files', '--quiet', '--list-packs', '--help']);
/** Flags whose value is a file the example reads. */
const FILE_FLAGS = new Set(['--snapshot', '--baseline', '--config', '--policies']);
/** Commands whose operands are files they read (explain's and rules' operands are rule ids). */
const FILE_OPERANDS = new Set(['validate', 'test', 'diff', 'merge']);

/** What an example needs that this test cannot have, judged in the folder it runs in. */
function unmet(argv: readonly string[], cwd: string): string | undefined {
  const [command, ...rest] = argv;
  if (command === 'scan' && !rest.includes('--demo') && !rest.includes('--snapshot')) return 'needs AWS credentials';
  const files: string[] = [];
  rest.forEach((arg, index) => {
    const previous = rest[index - 1];
    const isValue = previous !== undefined && previous.startsWith('--') && !BOOLEAN_FLAGS.has(previous);
    if (arg.startsWith('-')) return;
    if (isValue ? FILE_FLAGS.has(previous) : FILE_OPERANDS.has(command!)) files.push(arg);
  });
  const missing = files.filter((file) => !existsSync(path.join(cwd, file)));
  return missing.length > 0 ? `needs the reader's own ${missing.join(', ')}` : undefined;
}

/** Exit codes an example may end with: the demo fails on purpose (exit 1, as the README says), everything else succeeds. */
function expectedCodes(argv: readonly string[]): number[] {
  if (argv[0] === 'scan' && argv.includes('--demo')) return argv.includes('--fail-on') ? [0, 1, 3] : [1];
  return [0];
}

describe("the README's examples", () => {
  let cwd: string;
  const original = process.cwd();
  const { examples, others } = shellExamples();

  beforeAll(() => {
    cwd = mkdtempSync(path.join(tmpdir(), 'trailwarden-readme-'));
    // A reader following the README from a clone has examples/ beside them.
    symlinkSync(path.join(ROOT, 'examples'), path.join(cwd, 'examples'), 'dir');
    process.chdir(cwd);
  });

  afterAll(() => {
    process.chdir(original);
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  const cli = (argv: readonly string[]) => runCli(argv, { now: new Date('2026-11-01T12:30:00Z') });

  it('finds the commands of the first screen, the usage list and the user sections', () => {
    expect(examples.length).toBeGreaterThanOrEqual(15);
    const sources = examples.map((example) => example.source);
    // The README starts with the command that sets up and runs the demo, then the one that runs the tests.
    const first = fencedBlocks('README.md')[0]!.text.split('\n');
    expect(first[0]).toMatch(/^npm ci && npm run build && node dist\/cli\.js scan --demo\b/);
    expect(first[1]).toMatch(/^npm test\b/);
    for (const command of ['scan', 'validate', 'test', 'explain', 'init', 'rules', 'permissions', 'diff']) expect(sources.some((source) => TRAILWARDEN.exec(source)?.[1]?.startsWith(`${command} `) || TRAILWARDEN.exec(source)?.[1] === command), command).toBe(true);
    // Shell lines that are not trailwarden commands: setup, packaging, the contributors' npm scripts,
    // and the tools that take trailwarden's output further (jq, a Security Hub import loop, terraform).
    for (const other of others) expect(other, other).toMatch(/^(npm |npx vitest |UPDATE_DEMO=1 npx vitest |git clone |cd |npx --yes |jq |while read |terraform )/);
  });

  it('runs each example that needs neither AWS nor the reader’s own files, with the exit code the README gives', async () => {
    const ran: string[] = [];
    const skipped: string[] = [];
    for (const example of examples) {
      const reason = unmet(example.argv, cwd);
      if (reason) {
        skipped.push(`${example.where} ${example.source}: ${reason}`);
        continue;
      }
      const { code, stderr } = await cli(example.argv);
      expect(expectedCodes(example.argv), `${example.where} ${example.source} exited ${code}\n${stderr}`).toContain(code);
      ran.push(example.source);
    }
    console.info(`README examples: ${ran.length} run, ${skipped.length} not run:\n  ${skipped.join('\n  ')}`);
    expect(ran.length).toBeGreaterThanOrEqual(12);
    // Only AWS scans and the reader's own snapshots are left out.
    for (const entry of skipped) expect(entry).toMatch(/needs (AWS credentials|the reader's own (snapshot|shard-)[^\s]*\.json)$/);
    // The demo scan wrote its report where the README says to open it.
    expect(existsSync(path.join(cwd, 'demo-results', 'report.html'))).toBe(true);
  }, 240_000);

  const configs = PAGES.flatMap(fencedBlocks).filter((block) => block.lang === 'yaml' && block.text.includes('schemas/config.schema.json'));

  it('has configuration examples', () => {
    expect(configs.length).toBeGreaterThanOrEqual(1);
  });

  it.each(configs.map((block) => [`${block.page}:${block.line}`, block] as const))('configuration example %s validates and drives a demo scan', async (_where, block) => {
    const file = path.join(cwd, `config-${block.line}.yaml`);
    writeFileSync(file, `${block.text}\n`);
    const validated = await cli(['validate', '--config', file]);
    expect(validated.code, validated.stderr).toBe(0);
    const scanned = await cli(['scan', '--demo', '--config', file, '--format', 'json', '--out-dir', path.join(cwd, `config-${block.line}-out`)]);
    expect([0, 1, 3], scanned.stderr).toContain(scanned.code);
  });
});
