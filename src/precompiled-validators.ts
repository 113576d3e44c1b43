/**
 * Schema validators compiled at build time. In the sources (tests, scripts) there are none and
 * src/schema-validator.ts compiles each schema with ajv at first use; the bundles (scripts/build.mjs,
 * `precompiledValidatorsPlugin`) replace this module with ajv's standalone code for every
 * schema in SCHEMA_NAMES, so a bundled command never loads ajv's compiler (about half a second).
 */
import type { ValidateFunction } from 'ajv';

export const SCHEMA_NAMES = ['snapshot', 'policy', 'pack', 'config', 'fragment', 'cases'] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

export const PRECOMPILED: Partial<Record<SchemaName, ValidateFunction>> = {};
