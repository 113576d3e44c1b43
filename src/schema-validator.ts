/**
 * The ajv validator of one of trailwarden's JSON schemas: the build's precompiled one when there
 * is one (src/precompiled-validators.ts), otherwise compiled once per process. Every schema is
 * compiled with the same options, the ones the build compiles with (AJV_OPTIONS).
 */
import { createRequire } from 'node:module';
import type * as AjvModule from 'ajv';
import type { ValidateFunction } from 'ajv';
import { PRECOMPILED, type SchemaName } from './precompiled-validators.js';

export const AJV_OPTIONS = { allErrors: true, strict: false, allowUnionTypes: true } as const;

let ajv: AjvModule.Ajv | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

export function schemaValidator<T = unknown>(name: SchemaName, schema: object): ValidateFunction<T> {
  const ready = PRECOMPILED[name] ?? compiled.get(name);
  if (ready) return ready as ValidateFunction<T>;
  if (!ajv) {
    // Loaded only here, synchronously: a bundle with precompiled validators never gets this far.
    const require = createRequire(import.meta.url);
    const { Ajv } = require('ajv') as typeof AjvModule;
    const addFormats = require('ajv-formats') as { default: (instance: AjvModule.Ajv) => unknown };
    ajv = new Ajv(AJV_OPTIONS);
    addFormats.default(ajv);
  }
  const validate = ajv.compile<T>(schema);
  compiled.set(name, validate);
  return validate;
}
