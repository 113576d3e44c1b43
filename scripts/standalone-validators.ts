// The validators of trailwarden's schemas as one ES module of ajv standalone code, for the bundles
// (scripts/build.mjs, precompiledValidatorsPlugin): compiled here at build time instead of at every
// start. Same schemas and options as src/schema-validator.ts compiles with at run time.
import { Ajv, _ } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import addFormats from 'ajv-formats';
import { configSchema } from '../src/options/config-file.js';
import { casesSchema } from '../src/policy/cases.js';
import { fragmentSchema, packSchema, policySchema } from '../src/policy/policy-schema.js';
import { SCHEMA_NAMES, type SchemaName } from '../src/precompiled-validators.js';
import { AJV_OPTIONS } from '../src/schema-validator.js';
import { SnapshotSchema } from '../src/snapshot/schema.js';

const SCHEMAS: Record<SchemaName, object> = { snapshot: SnapshotSchema, policy: policySchema, pack: packSchema, config: configSchema, fragment: fragmentSchema, cases: casesSchema };

export function standaloneValidatorsModule(): string {
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } });
  addFormats.default(ajv);
  for (const name of SCHEMA_NAMES) ajv.addSchema(SCHEMAS[name], name);
  const code = standaloneCode.default(ajv, Object.fromEntries(SCHEMA_NAMES.map((name) => [name, name])));
  return [
    code,
    `export const SCHEMA_NAMES = ${JSON.stringify(SCHEMA_NAMES)};`,
    `export const PRECOMPILED = { ${SCHEMA_NAMES.join(', ')} };`,
  ].join('\n');
}
