import { writeFileSync } from 'node:fs';
import { benchEngine } from './engine.js';

function table(rows: Record<string, string | number>[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(width[i]!)).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => String(r[c]))))].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const jsonIndex = argv.indexOf('--json');
  const jsonFile = jsonIndex >= 0 ? argv[jsonIndex + 1] : undefined;
  const engine = [await benchEngine(1_000), await benchEngine(10_000)];
  process.stdout.write(
    `\nEngine: all built-in rules on a generated organization (org trail for all, 10% own trails, 17 regions)\n${table(
      engine.map((m) => ({
        scenario: m.name,
        accounts: m.accounts,
        rules: m.rules,
        findings: m.findings,
        'evaluate s': m.evaluateSeconds.toFixed(3),
        'results.json s': m.resultsJsonSeconds.toFixed(3),
        'results.json MB': Math.round(m.resultsJsonMb),
        'peak RSS MB': Math.round(m.peakRssMb),
      })),
    )}\n`,
  );
  if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify({ engine }, null, 2)}\n`);
  return 0;
}
