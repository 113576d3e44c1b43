/**
 * Golden files: every reporter's output for the small-org fixture, byte for byte.
 *
 * After an intended change to a reporter or template, regenerate and review the diff:
 *
 *     UPDATE_GOLDEN=1 npx vitest run test/reporters/golden.test.ts
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FORMATS, REPORTERS, type Format, type ReportContext } from '../../src/reporters/index.js';
import { smallOrgResults } from './fixtures/small-org.js';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '__golden__');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Console output exists in two shapes: narrow without colour, wide with colour (matrix shown). */
const CASES: { name: string; format: Format; ctx: ReportContext }[] = [
  ...FORMATS.filter((format) => format !== 'console').map((format) => ({ name: REPORTERS[format].fileName!, format, ctx: { color: false, width: 80 } })),
  { name: 'console-80.txt', format: 'console', ctx: { color: false, width: 80 } },
  { name: 'console-120-color.txt', format: 'console', ctx: { color: true, width: 120 } },
  { name: 'results-category.sarif', format: 'sarif', ctx: { color: false, width: 80, category: 'trailwarden/org' } },
];

describe('golden files (small-org)', () => {
  it.each(CASES)('$name', ({ name, format, ctx }) => {
    const output = REPORTERS[format].render(smallOrgResults(), ctx);
    const path = join(GOLDEN_DIR, name);
    if (UPDATE) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(path, output);
    }
    if (!existsSync(path)) throw new Error(`Missing golden file ${name}: run UPDATE_GOLDEN=1 npx vitest run test/reporters/golden.test.ts`);
    expect(output).toBe(readFileSync(path, 'utf8'));
  });

  it('renders the same bytes twice', () => {
    for (const format of FORMATS) {
      const ctx = { color: false, width: 120 };
      expect(REPORTERS[format].render(smallOrgResults(), ctx)).toBe(REPORTERS[format].render(smallOrgResults(), ctx));
    }
  });
});
