import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { SnapshotSchema, type Snapshot } from './schema.js';

let compiled: ValidateFunction<Snapshot> | undefined;

/** The ajv validator of the snapshot schema, compiled once per process. */
export function snapshotValidator(): ValidateFunction<Snapshot> {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    compiled = ajv.compile<Snapshot>(SnapshotSchema);
  }
  return compiled;
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
