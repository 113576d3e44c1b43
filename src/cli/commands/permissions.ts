import { Command } from 'commander';
import { UserError } from '../../errors.js';
import type { CliIo } from '../io.js';

/** An IAM role name, optionally with its path (`ops/TrailwardenReadOnly`): no wildcard widens the grant. */
const ROLE_NAME = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

export function permissionsCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('permissions')
    .description('print the least-privilege IAM policy the collectors need')
    .option('--verify-integrity', 'add what --verify-integrity reads (digest files, ListPublicKeys)')
    .option('--verify-integrity-files', 'add what --verify-integrity-files reads (log files, kms:Decrypt through S3)')
    .option('--role-name <name>', "scope sts:AssumeRole to the role scan's --role-name assumes (default: any role)")
    .action(async (flags: { verifyIntegrity?: boolean; verifyIntegrityFiles?: boolean; roleName?: string }) => {
      if (flags.roleName !== undefined && (flags.roleName.length > 512 || !ROLE_NAME.test(flags.roleName))) {
        throw new UserError(`--role-name ${JSON.stringify(flags.roleName)} is not an IAM role name (letters, digits and +=,.@_- up to 64 characters, optionally after a path such as ops/)`);
      }
      const { permissionsPolicy } = await import('../../collectors/permissions.js');
      const verify = flags.verifyIntegrity || flags.verifyIntegrityFiles ? { verifyIntegrity: { files: flags.verifyIntegrityFiles === true } } : {};
      io.stdout(`${JSON.stringify(permissionsPolicy({ ...verify, ...(flags.roleName !== undefined ? { roleName: flags.roleName } : {}) }), null, 2)}\n`);
      setExit(0);
    });
}
