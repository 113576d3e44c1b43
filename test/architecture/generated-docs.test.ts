/** Generated documentation stays what its generator writes, like schemas/ (npm run docs:paths). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyPathsMarkdown } from '../../scripts/list-paths.js';

describe('docs/policy-paths.md', () => {
  it('is what npm run docs:paths writes from the view schemas', () => {
    expect(readFileSync(path.resolve(import.meta.dirname, '../../docs/policy-paths.md'), 'utf8')).toBe(policyPathsMarkdown());
  });
});
