import { Command } from 'commander';
import type { CliIo } from '../io.js';

export function permissionsCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('permissions').description('print the least-privilege IAM policy the collectors need').action(async () => {
    const { permissionsPolicy } = await import('../../collectors/permissions.js');
    io.stdout(`${JSON.stringify(permissionsPolicy(), null, 2)}\n`);
    setExit(0);
  });
}
