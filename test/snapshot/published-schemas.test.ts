import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_SCHEMAS, serializeSchema } from '../../src/schemas.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('published JSON Schemas', () => {
  for (const [name, schema] of Object.entries(PUBLISHED_SCHEMAS)) {
    it(`schemas/${name} is what the code defines (run npm run schemas after changing a schema)`, () => {
      expect(readFileSync(path.join(ROOT, 'schemas', name), 'utf8')).toBe(serializeSchema(schema));
    });
  }
});
