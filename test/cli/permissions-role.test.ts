/** `permissions --role-name NAME` (issue 17): sts:AssumeRole on that role only, not on every role. */
import { describe, expect, it } from 'vitest';
import type { IamPolicyDocument } from '../../src/collectors/permissions.js';
import { runCli } from '../support/cli-runner.js';

function assumeRoleResources(stdout: string): unknown[] {
  const policy = JSON.parse(stdout) as IamPolicyDocument;
  return policy.Statement.filter((statement) => statement.Action.includes('sts:AssumeRole')).map((statement) => statement.Resource);
}

describe('permissions --role-name', () => {
  it('scopes sts:AssumeRole to the named role, with or without a path; without it any role', async () => {
    expect(assumeRoleResources((await runCli(['permissions'])).stdout)).toEqual(['arn:aws:iam::*:role/*']);
    const named = await runCli(['permissions', '--role-name', 'TrailwardenReadOnly']);
    expect(named.code).toBe(0);
    expect(assumeRoleResources(named.stdout)).toEqual(['arn:aws:iam::*:role/TrailwardenReadOnly']);
    expect(assumeRoleResources((await runCli(['permissions', '--role-name', 'security/TrailwardenReadOnly', '--verify-integrity'])).stdout)).toEqual([
      'arn:aws:iam::*:role/security/TrailwardenReadOnly',
    ]);
  });

  it('refuses a wildcard or a name IAM would refuse, exit 2', async () => {
    for (const name of ['Trail*', '', 'a b', 'x'.repeat(65), 'arn:aws:iam::1:role/x']) {
      const r = await runCli(['permissions', '--role-name', name]);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toContain('is not an IAM role name');
      expect(r.stdout, name).toBe('');
    }
  });
});
