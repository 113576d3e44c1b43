/** The JSON Schemas trailwarden publishes under schemas/ (npm run schemas; pinned by a test). */
import { SnapshotSchema } from './snapshot/schema.js';
import { configSchema } from './options/config-file.js';
import { casesSchema } from './policy/cases.js';
import { fragmentSchema, packSchema, policySchema } from './policy/policy-schema.js';

export const PUBLISHED_SCHEMAS: Record<string, object> = {
  'snapshot.schema.json': { $schema: 'http://json-schema.org/draft-07/schema#', ...SnapshotSchema },
  'policy.schema.json': policySchema,
  'pack.schema.json': packSchema,
  'fragment.schema.json': fragmentSchema,
  'cases.schema.json': casesSchema,
  'config.schema.json': configSchema,
};

export function serializeSchema(schema: object): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
