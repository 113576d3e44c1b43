/** Rewrites action.yml's inputs and the README's flag table from src/options/schema.ts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { withActionInputs, withReadmeFlagTable } from '../src/options/docs.js';

export function main(): number {
  const action = withActionInputs(readFileSync('action.yml', 'utf8'));
  const readme = withReadmeFlagTable(readFileSync('README.md', 'utf8'));
  if (action === undefined || readme === undefined) {
    process.stderr.write('action.yml needs an inputs: section before outputs:, and README.md the options markers\n');
    return 2;
  }
  writeFileSync('action.yml', action);
  writeFileSync('README.md', readme);
  process.stdout.write('wrote action.yml inputs and the README flag table\n');
  return 0;
}
