/**
 * --verify-integrity and --verify-integrity-files on the command line, in the config file and as
 * Action inputs: the window is checked before any AWS call, and `permissions` prints the extra
 * statements only when asked.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputs } from '../../src/action/inputs.js';
import type { IamPolicyDocument } from '../../src/collectors/permissions.js';
import { runCli } from '../support/cli-runner.js';

describe('--verify-integrity', () => {
  it('permissions --verify-integrity adds the digest statements; --verify-integrity-files the log and KMS ones', async () => {
    const plain = JSON.parse((await runCli(['permissions'])).stdout) as IamPolicyDocument;
    const digests = await runCli(['permissions', '--verify-integrity']);
    expect(digests.code).toBe(0);
    const withDigests = JSON.parse(digests.stdout) as IamPolicyDocument;
    expect(withDigests.Statement.map((statement) => statement.Sid)).toEqual([
      ...plain.Statement.map((statement) => statement.Sid),
      'TrailwardenVerifyIntegrityPublicKeys',
      'TrailwardenVerifyIntegrityList',
      'TrailwardenVerifyIntegrityRead',
    ]);
    const files = JSON.parse((await runCli(['permissions', '--verify-integrity', '--verify-integrity-files'])).stdout) as IamPolicyDocument;
    expect(files.Statement.flatMap((statement) => statement.Action)).toContain('kms:Decrypt');
    expect(plain.Statement.flatMap((statement) => statement.Action)).not.toContain('s3:GetObject');
  });

  it('refuses a malformed or unbounded window with exit 2, before collecting', async () => {
    for (const window of ['3w', '0h', '91d']) {
      const result = await runCli(['scan', '--accounts', '111111111111', '--verify-integrity', window]);
      expect(result.code, window).toBe(2);
      expect(result.stderr).toMatch(/24h or 7d|between 1h and 90d/);
    }
  });

  it('refuses --verify-integrity-files without a window, and verification of a saved snapshot', async () => {
    const files = await runCli(['scan', '--accounts', '111111111111', '--verify-integrity-files']);
    expect(files.code).toBe(2);
    expect(files.stderr).toContain('--verify-integrity-files needs --verify-integrity WINDOW');
    const demo = await runCli(['scan', '--demo', '--verify-integrity', '24h']);
    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain('--verify-integrity');
  });

  it('is read from the config file, which rejects a window that is not hours or days with its location', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-integrity-'));
    writeFileSync(path.join(dir, 'trailwarden.config.yaml'), 'verifyIntegrity: 30m\n');
    const result = await runCli(['scan', '--demo', '--out-dir', path.join(dir, 'out')], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/trailwarden\.config\.yaml:1:\d+/);
  });

  it('maps the Action inputs onto the same flags', () => {
    const inputs: Record<string, string> = { 'verify-integrity': '7d', 'verify-integrity-files': 'true' };
    expect(readInputs({ getInput: (name) => inputs[name] ?? '' })).toMatchObject({ verifyIntegrity: '7d', verifyIntegrityFiles: true });
    expect(() => readInputs({ getInput: (name) => (name === 'verify-integrity' ? '2w' : '') })).toThrow(/input 'verify-integrity'/);
  });
});
