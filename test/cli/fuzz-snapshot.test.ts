/**
 * Random and adversarial snapshots through `scan --snapshot`, in process (issue 10): whatever the
 * file holds, the run ends with exit 0, 1, 2 or 3 (never 70, never a thrown error) within a
 * generous per-case budget. Mutations of the demo snapshot keep most of it valid, so the engine
 * and every reporter see the damaged values, not only the parser.
 *
 * Reproduce a failure with the seed it prints: TRAILWARDEN_FUZZ_SEED=<seed> npx vitest run test/cli/fuzz-snapshot.test.ts
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';
import { seededRandom } from '../support/random.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEMO_TEXT = readFileSync(path.join(ROOT, 'examples/demo/snapshot.json'), 'utf8');
const SEED = Number(process.env.TRAILWARDEN_FUZZ_SEED ?? 0x7a11) >>> 0;
const CASES = 48;
/** Per case; a real hang runs for minutes. The demo scan itself takes well under a second. */
const BUDGET_MS = 8_000;


type Path = (string | number)[];

function allPaths(root: unknown): Path[] {
  const out: Path[] = [];
  const stack: { value: unknown; path: Path }[] = [{ value: root, path: [] }];
  while (stack.length) {
    const { value, path: p } = stack.pop()!;
    if (p.length) out.push(p);
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) stack.push({ value: v, path: [...p, Array.isArray(value) ? Number(k) : k] });
    }
  }
  return out;
}

function setAt(root: unknown, p: Path, value: unknown, remove = false): void {
  let cur = root as Record<string | number, unknown>;
  for (const seg of p.slice(0, -1)) {
    // An earlier mutation may have replaced a parent: then this one has nowhere to go.
    if (cur === null || typeof cur !== 'object') return;
    cur = cur[seg] as Record<string | number, unknown>;
  }
  if (cur === null || typeof cur !== 'object') return;
  const last = p.at(-1)!;
  if (remove) {
    if (Array.isArray(cur)) cur.splice(last as number, 1);
    else delete cur[last];
  } else {
    cur[last] = value;
  }
}

const NASTY_STRINGS = [
  '',
  '\u0000\u0001\u001b[31mred\u001b[0m',
  '\u202eevil\u202c\u2066x\u2069',
  '<script>alert(1)</script>',
  '{{constructor.constructor("return 1")()}}',
  '%((\\w+)+)+!%',
  '*'.repeat(5000),
  'arn:aws:s3:::' + 'a'.repeat(300),
  '__proto__',
  '\ud800',
  '../../../etc/passwd',
];

function randomValue(rand: () => number, depth = 0): unknown {
  const pick = Math.floor(rand() * 12);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return [0, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.1, -1][Math.floor(rand() * 7)];
    case 3:
      return NASTY_STRINGS[Math.floor(rand() * NASTY_STRINGS.length)];
    case 4:
      return 'x'.repeat(1 + Math.floor(rand() * 2_000_000));
    case 5:
      return depth < 3 ? [randomValue(rand, depth + 1), randomValue(rand, depth + 1)] : [];
    case 6:
      return depth < 3 ? { __proto__: null, constructor: randomValue(rand, depth + 1), $error: randomValue(rand, depth + 1) } : {};
    case 7:
      return { $error: { action: 's3:GetBucketPolicy', code: NASTY_STRINGS[Math.floor(rand() * NASTY_STRINGS.length)] } };
    case 8:
      return '2026-13-45T99:99:99Z';
    default:
      return String(rand());
  }
}

interface Case {
  name: string;
  text: string | Buffer;
}

/** One adversarial snapshot file, chosen and shaped by the PRNG. */
function makeCase(rand: () => number): Case {
  const kind = Math.floor(rand() * 11);
  const data = JSON.parse(DEMO_TEXT) as unknown;
  const paths = allPaths(data);
  const somePath = () => paths[Math.floor(rand() * paths.length)]!;
  switch (kind) {
    case 0: {
      const n = 1 + Math.floor(rand() * 6);
      for (let i = 0; i < n; i++) setAt(data, somePath(), randomValue(rand));
      return { name: `type change x${n}`, text: JSON.stringify(data) };
    }
    case 1: {
      const n = 1 + Math.floor(rand() * 10);
      for (let i = 0; i < n; i++) {
        const p = allPaths(data);
        if (p.length) setAt(data, p[Math.floor(rand() * p.length)]!, undefined, true);
      }
      return { name: `deletion x${n}`, text: JSON.stringify(data) };
    }
    case 2: {
      const depth = [50, 65, 1_000, 20_000, 100_000][Math.floor(rand() * 5)]!;
      const at = somePath();
      const marker = '"\u0000deep\u0000"';
      setAt(data, at, '\u0000deep\u0000');
      const deep = rand() < 0.5 ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      return { name: `nesting ${depth} at ${at.join('.')}`, text: JSON.stringify(data).replace(JSON.stringify(marker).slice(1, -1), deep) };
    }
    case 3: {
      const text = JSON.stringify(data, null, 2);
      const keys = [...text.matchAll(/\n(\s+)"([A-Za-z]+)": ("[^"\n]*"|\d+|true|false|null),?\n/g)];
      const m = keys[Math.floor(rand() * keys.length)]!;
      const insert = `\n${m[1]}"${m[2]}": ${JSON.stringify(randomValue(rand))},`;
      return { name: `duplicate key ${m[2]}`, text: text.slice(0, m.index) + insert + text.slice(m.index) };
    }
    case 4: {
      const cut = Math.floor(rand() * DEMO_TEXT.length);
      return { name: `truncated at ${cut}`, text: DEMO_TEXT.slice(0, cut) };
    }
    case 5: {
      const bytes = Buffer.from(DEMO_TEXT, 'utf8');
      const n = 1 + Math.floor(rand() * 20);
      for (let i = 0; i < n; i++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      return { name: `${n} random bytes`, text: bytes };
    }
    case 6: {
      const bytes = Buffer.alloc(Math.floor(rand() * 4096));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
      return { name: 'random bytes', text: bytes };
    }
    case 7: {
      const text = JSON.stringify(data);
      const at = Math.floor(rand() * text.length);
      const junk = ['\u0000', '\u001f', '\u202e', '\ufeff', '"', '\\', '}', ']', ',', '\ud800'][Math.floor(rand() * 10)]!;
      return { name: `control char ${JSON.stringify(junk)} at ${at}`, text: text.slice(0, at) + junk + text.slice(at) };
    }
    case 8: {
      // Strings everywhere replaced by nasty ones: the reporters and engine see them all.
      for (const p of paths) {
        let cur: unknown = data;
        for (const seg of p) cur = (cur as Record<string | number, unknown>)[seg];
        if (typeof cur === 'string' && rand() < 0.3) setAt(data, p, NASTY_STRINGS[Math.floor(rand() * NASTY_STRINGS.length)]);
      }
      return { name: 'nasty strings', text: JSON.stringify(data) };
    }
    case 9: {
      const doc = data as { buckets: { policy: unknown }[] };
      const bucket = doc.buckets[Math.floor(rand() * doc.buckets.length)]!;
      const depth = [100, 10_000, 100_000][Math.floor(rand() * 3)]!;
      bucket.policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}]}`;
      return { name: `string policy ${depth} deep`, text: JSON.stringify(data) };
    }
    default: {
      const text = `\ufeff${JSON.stringify(data)}`;
      return { name: 'byte-order mark', text };
    }
  }
}

describe(`scan --snapshot with adversarial snapshots (seed ${SEED})`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'trailwarden-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rand = seededRandom(SEED);
  const cases = Array.from({ length: CASES }, (_, i) => ({ index: i, ...makeCase(rand) }));

  it.each(cases)('case $index: $name', { timeout: 60_000 }, async ({ index, name, text }) => {
    const file = path.join(dir, `case-${index}.json`);
    writeFileSync(file, text);
    const formats = index % 4 === 0 ? 'console,json,sarif,html,summary,csv,junit,ocsf,asff' : 'json';
    const started = performance.now();
    let outcome: { code: number; stderr: string } | undefined;
    let thrown: unknown;
    try {
      outcome = await runCli(['scan', '--snapshot', file, '--out-dir', path.join(dir, `out-${index}`), '--format', formats]);
    } catch (err) {
      thrown = err;
    }
    const elapsed = performance.now() - started;
    const where = `seed ${SEED}, case ${index} (${name}); reproduce with TRAILWARDEN_FUZZ_SEED=${SEED}`;
    expect(thrown, `${where}: run() threw`).toBeUndefined();
    expect([0, 1, 2, 3], `${where}: exit ${outcome?.code}\n${outcome?.stderr.slice(0, 2000)}`).toContain(outcome!.code);
    expect(outcome!.stderr, where).not.toMatch(/internal error/);
    expect(elapsed, `${where}: took ${Math.round(elapsed)} ms`).toBeLessThan(BUDGET_MS);
    rmSync(file, { force: true });
  });
});
