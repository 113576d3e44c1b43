import type { ValidateFunction } from 'ajv';
import { schemaValidator } from '../schema-validator.js';
import { SnapshotSchema, type Snapshot } from './schema.js';

/** The ajv validator of the snapshot schema: precompiled in the bundles, else compiled once per process. */
export function snapshotValidator(): ValidateFunction<Snapshot> {
  return schemaValidator<Snapshot>('snapshot', SnapshotSchema);
}

/** `/accounts/3/trailArns` -> `$.accounts[3].trailArns` (the JSON path users see). */
export function formatInstancePath(instancePath: string): string {
  if (!instancePath) return '$';
  return (
    '$' +
    instancePath
      .split('/')
      .slice(1)
      .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : /^[A-Za-z_$][\w$]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`))
      .join('')
  );
}
