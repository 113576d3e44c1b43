import { Command } from 'commander';
import type { CliIo } from '../io.js';

export function permissionsCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('permissions')
    .description('print the least-privilege IAM policy the collectors need')
    .option('--verify-integrity', 'add what --verify-integrity reads (digest files, ListPublicKeys)')
    .option('--verify-integrity-files', 'add what --verify-integrity-files reads (log files, kms:Decrypt through S3)')
    .action(async (flags: { verifyIntegrity?: boolean; verifyIntegrityFiles?: boolean }) => {
      const { permissionsPolicy } = await import('../../collectors/permissions.js');
      const verify = flags.verifyIntegrity || flags.verifyIntegrityFiles ? { verifyIntegrity: { files: flags.verifyIntegrityFiles === true } } : {};
      io.stdout(`${JSON.stringify(permissionsPolicy(verify), null, 2)}\n`);
      setExit(0);
    });
}
