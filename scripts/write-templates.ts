import { mkdirSync, writeFileSync } from 'node:fs';
import { memberRoleTemplate } from './member-role-template.js';

export function main(): number {
  mkdirSync('templates', { recursive: true });
writeFileSync('templates/member-role.yaml', memberRoleTemplate());
  process.stdout.write('wrote templates/member-role.yaml\n');
  return 0;
}
