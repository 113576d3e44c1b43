import { writeFileSync, mkdirSync } from 'node:fs';
import { PUBLISHED_SCHEMAS, serializeSchema } from '../src/schemas.js';

export function main(): number {
mkdirSync('schemas', { recursive: true });
for (const [name, schema] of Object.entries(PUBLISHED_SCHEMAS)) writeFileSync(`schemas/${name}`, serializeSchema(schema));
process.stdout.write(`wrote ${Object.keys(PUBLISHED_SCHEMAS).length} schemas to schemas/\n`);
return 0;
}
