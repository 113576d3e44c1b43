/**
 * Matching findings to definitions: by name with region and account when the definition knows
 * them, KMS keys through the definitions that use them, and ambiguity reported instead of guessed.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchFindings, readIac } from '../../src/iac/index.js';
import type { Finding } from '../../src/results.js';
import type { Snapshot } from '../../src/snapshot/schema.js';

function tempRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-iac-match-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const trailArn = (region: string, name: string) => `arn:aws:cloudtrail:${region}:111111111111:trail/${name}`;
const KEY = 'arn:aws:kms:us-east-1:111111111111:key/1234';

const snapshot = {
  partition: 'aws',
  trails: [
    { name: 'org', arn: trailArn('us-east-1', 'org'), homeRegion: 'us-east-1', ownerAccountId: '111111111111', kmsKeyId: KEY },
    { name: 'org', arn: trailArn('eu-west-1', 'org'), homeRegion: 'eu-west-1', ownerAccountId: '111111111111' },
    { name: 'twice', arn: trailArn('us-east-1', 'twice'), homeRegion: 'us-east-1', ownerAccountId: '111111111111' },
  ],
  buckets: [],
  kmsKeys: [{ arn: KEY, accountId: '111111111111', region: 'us-east-1' }],
  logGroups: [],
  eventDataStores: [],
} as unknown as Snapshot;

const finding = (ruleId: string, type: Finding['resource']['type'], arn: string, region: string, name?: string): Finding =>
  ({ ruleId, status: 'fail', severity: 'medium', resource: { type, arn, accountId: '111111111111', region, ...(name ? { name } : {}) }, message: '', evidence: [], frameworks: [] }) as Finding;

describe('matching findings to definitions', () => {
  it('tells two trails of one name apart by the region the provider sets, and finds the key through the trail', async () => {
    const repo = tempRepo({
      'us/main.tf': 'provider "aws" {\n  region = "us-east-1"\n}\nresource "aws_kms_key" "k" {\n  enable_key_rotation = false\n}\nresource "aws_cloudtrail" "t" {\n  name       = "org"\n  kms_key_id = aws_kms_key.k.arn\n}\n',
      'eu/main.tf': 'provider "aws" {\n  region = "eu-west-1"\n}\nresource "aws_cloudtrail" "t" {\n  name = "org"\n  enable_log_file_validation = false\n}\n',
    });
    const index = await readIac(['.'], { base: repo });
    const { findings, summary } = matchFindings(
      [
        finding('trail/log-file-validation', 'trail', trailArn('us-east-1', 'org'), 'us-east-1', 'org'),
        finding('trail/log-file-validation', 'trail', trailArn('eu-west-1', 'org'), 'eu-west-1', 'org'),
        finding('kms/key-rotation', 'kms-key', KEY, 'us-east-1'),
      ],
      index,
      snapshot,
    );
    expect(findings.map((f) => f.iac && `${f.iac.file}:${f.iac.startLine}`)).toEqual(['us/main.tf:7', 'eu/main.tf:6', 'us/main.tf:5']);
    expect(summary).toMatchObject({ locatedFindings: 3, ambiguous: [], unmatched: [] });
  });

  it('reports a resource defined by two calls of one module as ambiguous, and gives no location', async () => {
    const repo = tempRepo({
      'live/main.tf': 'module "a" {\n  source = "../mod"\n}\nmodule "b" {\n  source = "../mod"\n}\n',
      'mod/main.tf': 'resource "aws_cloudtrail" "t" { name = "twice" }\n',
    });
    const index = await readIac(['.'], { base: repo });
    const { findings, summary } = matchFindings([finding('trail/tagged', 'trail', trailArn('us-east-1', 'twice'), 'us-east-1', 'twice')], index, snapshot);
    expect(findings[0]?.iac).toBeUndefined();
    expect(summary.ambiguous).toEqual([
      {
        resource: { type: 'trail', arn: trailArn('us-east-1', 'twice'), name: 'twice' },
        definitions: [expect.objectContaining({ address: 'module.a.aws_cloudtrail.t' }), expect.objectContaining({ address: 'module.b.aws_cloudtrail.t' })],
      },
    ]);
  });

  it('does not match a definition whose name is unknown, and lists it as unmatched', async () => {
    const repo = tempRepo({ 'main.tf': 'variable "n" {}\nresource "aws_cloudtrail" "t" { name = var.n }\n' });
    const index = await readIac(['.'], { base: repo });
    const { findings, summary } = matchFindings([finding('trail/tagged', 'trail', trailArn('us-east-1', 'org'), 'us-east-1', 'org')], index, snapshot);
    expect(findings[0]?.iac).toBeUndefined();
    expect(summary.unmatched).toEqual([expect.objectContaining({ address: 'aws_cloudtrail.t', file: 'main.tf', startLine: 2 })]);
    expect(summary.unmatched[0]?.name).toBeUndefined();
  });
});
