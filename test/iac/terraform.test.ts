/**
 * Terraform definitions: identities resolved statically (variables, tfvars, locals, templates,
 * local modules with their inputs), positions of blocks and attributes, explicit unknowns, and
 * hostile configurations that must give located diagnostics instead of a crash or a hang.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readIac, type IacDefinition, type IacIndex } from '../../src/iac/index.js';
import { parseHcl } from '../../src/iac/hcl.js';
import { MAX_FILE_BYTES, MAX_MODULE_DEPTH } from '../../src/iac/terraform.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURE = 'test/fixtures/iac/terraform-org-trail';
const MODULE = `${FIXTURE}/modules/org-cloudtrail`;

const byAddress = (index: IacIndex, address: string): IacDefinition => {
  const found = index.definitions.find((d) => d.address === address);
  if (!found) throw new Error(`no ${address} in ${index.definitions.map((d) => d.address).join(', ')}`);
  return found;
};

function tempRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-iac-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('the org-trail module fixture', () => {
  it('reads the root and the local module it calls, with module addresses', async () => {
    const index = await readIac([FIXTURE], { base: ROOT });
    expect(index.diagnostics).toEqual([]);
    expect(index.files).toBe(9);
    // The module folder is called by the root: it is not a root of its own.
    expect(new Set(index.definitions.map((d) => d.root))).toEqual(new Set([FIXTURE]));
    expect(index.definitions.map((d) => d.address)).toContain('module.org_trail.aws_cloudtrail.this');
  });

  it('resolves names through module inputs, tfvars, locals and string templates', async () => {
    const index = await readIac([FIXTURE], { base: ROOT });
    const trail = byAddress(index, 'module.org_trail.aws_cloudtrail.this');
    // name_prefix default "acme-org" passed as an input, local.trail_name = "${var.name_prefix}-organization-trail"
    expect(trail.identity).toEqual({ kind: 'trail', name: 'acme-org-organization-trail', region: 'us-east-1' });
    // log_archive_bucket = "${var.name_prefix}-cloudtrail-logs-${var.log_archive_account_id}", the account id from terraform.tfvars
    const bucket = byAddress(index, 'module.org_trail.aws_s3_bucket.logs');
    expect(bucket.identity.name).toBe('acme-org-cloudtrail-logs-222222222222');
    expect(bucket.identity.arn).toBe('arn:aws:s3:::acme-org-cloudtrail-logs-222222222222');
    expect(byAddress(index, 'module.org_trail.aws_cloudwatch_log_group.cloudtrail').identity.name).toBe('/aws/cloudtrail/acme-org-organization-trail');
    // The alias names the key it targets.
    expect(byAddress(index, 'module.org_trail.aws_kms_key.cloudtrail').identity.aliases).toEqual(['alias/acme-org-cloudtrail']);
    // A reference to another resource's configured argument resolves; the root's locals reach the module as tags.
    expect(trail.attributes.s3_bucket_name?.value).toBe('acme-org-cloudtrail-logs-222222222222');
    expect(trail.attributes.tags?.value).toEqual({ Owner: 'security', ManagedBy: 'terraform', Environment: 'prod' });
  });

  it('records the line range of each block and attribute', async () => {
    const index = await readIac([FIXTURE], { base: ROOT });
    const trail = byAddress(index, 'module.org_trail.aws_cloudtrail.this');
    expect(trail.block).toMatchObject({ file: `${MODULE}/main.tf`, startLine: 11, startColumn: 1, endLine: 30 });
    expect(trail.attributes.enable_log_file_validation).toMatchObject({ value: false, span: { file: `${MODULE}/main.tf`, startLine: 17, endLine: 17, startColumn: 3 } });
    expect(trail.attributes['event_selector.read_write_type']).toMatchObject({ value: 'All', span: { startLine: 23 } });
    const versioning = byAddress(index, 'module.org_trail.aws_s3_bucket_versioning.logs');
    expect(versioning.attributes['versioning_configuration.status']).toMatchObject({ value: 'Suspended', span: { file: `${MODULE}/s3.tf`, startLine: 11 } });
  });

  it('links satellites to their bucket or key, and keeps what is known only after apply unknown', async () => {
    const index = await readIac([FIXTURE], { base: ROOT });
    for (const type of ['aws_s3_bucket_versioning', 'aws_s3_bucket_public_access_block', 'aws_s3_bucket_policy', 'aws_s3_bucket_lifecycle_configuration', 'aws_s3_bucket_server_side_encryption_configuration']) {
      const satellite = byAddress(index, `module.org_trail.${type}.logs`);
      expect(satellite.parent).toBe('module.org_trail.aws_s3_bucket.logs');
      expect(satellite.identity.name).toBe('acme-org-cloudtrail-logs-222222222222');
    }
    expect(byAddress(index, 'module.org_trail.aws_kms_key_policy.cloudtrail').parent).toBe('module.org_trail.aws_kms_key.cloudtrail');
    const trail = byAddress(index, 'module.org_trail.aws_cloudtrail.this');
    expect(trail.attributes.kms_key_id?.value).toEqual({ $unknown: 'module.org_trail.aws_kms_key.cloudtrail.arn is known after apply' });
    expect(trail.attributes.kms_key_id?.refs).toEqual(['module.org_trail.aws_kms_key.cloudtrail']);
    // for_each: one block, several resources, names known only per instance.
    const cis = byAddress(index, 'module.org_trail.aws_cloudwatch_log_metric_filter.cis');
    expect(cis.repeated).toBe(true);
    expect(cis.identity.name).toBeUndefined();
    expect(cis.identity.unknown).toContain('each');
  });
});

describe('static evaluation', () => {
  it('never guesses: a variable without a value, a data source, an unknown function stay unknown', async () => {
    const repo = tempRepo({
      'main.tf': `
variable "name" {}
data "aws_caller_identity" "me" {}
resource "aws_cloudtrail" "a" { name = var.name }
resource "aws_cloudtrail" "b" { name = "t-\${data.aws_caller_identity.me.account_id}" }
resource "aws_cloudtrail" "c" { name = sha256("x") }
resource "aws_s3_bucket" "d" { bucket_prefix = "logs-" }
resource "aws_cloudtrail" "e" { name = format("%s-%s", lower("ORG"), join("-", ["a", "b"])) }
resource "aws_cloudtrail" "f" { name = true ? "yes" : "no" }
`,
    });
    const index = await readIac(['.'], { base: repo });
    const identity = (address: string) => byAddress(index, address).identity;
    expect(identity('aws_cloudtrail.a')).toMatchObject({ unknown: 'name: var.name has no default and no value in this repository' });
    expect(identity('aws_cloudtrail.b').name).toBeUndefined();
    expect(identity('aws_cloudtrail.c').unknown).toContain('sha256()');
    expect(identity('aws_s3_bucket.d').unknown).toContain('no bucket');
    expect(identity('aws_cloudtrail.e').name).toBe('org-a-b');
    expect(identity('aws_cloudtrail.f').name).toBe('yes');
  });

  it('decodes escapes and keeps literal ${ in strings', async () => {
    const file = await parseHcl('a = "x\\"y\\u0041 $${z}"\n', 'a.tf');
    expect(file.body.attributes[0]?.expr).toMatchObject({ k: 'literal', value: 'x"yA ${z}' });
  });

  it('reads heredocs, stripping the indentation of <<-', async () => {
    const repo = tempRepo({ 'main.tf': 'resource "aws_cloudtrail" "t" {\n  name = <<-EOT\n    heredoc-trail\n    EOT\n}\n' });
    const index = await readIac(['.'], { base: repo });
    expect(byAddress(index, 'aws_cloudtrail.t').attributes.name?.value).toBe('heredoc-trail\n');
  });

  it('gives a module called twice two definitions, each with its own inputs', async () => {
    const repo = tempRepo({
      'live/main.tf': 'module "a" {\n  source = "../mod"\n  n = "one"\n}\nmodule "b" {\n  source = "../mod"\n  n = "two"\n}\n',
      'mod/main.tf': 'variable "n" {}\nresource "aws_cloudtrail" "t" { name = "trail-${var.n}" }\n',
    });
    const index = await readIac(['.'], { base: repo });
    expect(index.definitions.map((d) => [d.address, d.identity.name])).toEqual([
      ['module.a.aws_cloudtrail.t', 'trail-one'],
      ['module.b.aws_cloudtrail.t', 'trail-two'],
    ]);
    expect(index.definitions.every((d) => d.root === 'live' && d.block.file === 'mod/main.tf')).toBe(true);
  });
});

describe('hostile configurations', () => {
  it('reports broken HCL at its file, line and column, and still reads the other files', async () => {
    const repo = tempRepo({
      'broken.tf': 'resource "aws_cloudtrail" "ok" {\n  name = "fine"\n}\n\nresource "aws_cloudtrail" "bad" {\n  name = \n}\n',
      'other.tf': 'resource "aws_s3_bucket" "b" { bucket = "still-read" }\n',
    });
    const index = await readIac(['.'], { base: repo });
    expect(index.diagnostics).toHaveLength(1);
    expect(index.diagnostics[0]).toMatchObject({ file: 'broken.tf', code: 'iac/parse' });
    expect(index.diagnostics[0]?.line).toBeGreaterThanOrEqual(5);
    expect(index.diagnostics[0]?.line).toBeLessThanOrEqual(7);
    expect(index.definitions.map((d) => d.address).sort()).toEqual(['aws_cloudtrail.ok', 'aws_s3_bucket.b']);
  });

  it('skips a file over the size limit with a diagnostic', async () => {
    const repo = tempRepo({ 'huge.tf': `# ${'x'.repeat(MAX_FILE_BYTES)}\n`, 'small.tf': 'resource "aws_cloudtrail" "t" { name = "t" }\n' });
    const index = await readIac(['.'], { base: repo });
    expect(index.diagnostics).toEqual([expect.objectContaining({ file: 'huge.tf', code: 'iac/too-large' })]);
    expect(index.definitions).toHaveLength(1);
  });

  it('survives deeply nested expressions and self-referencing locals', { timeout: 20_000 }, async () => {
    const depth = 5_000;
    const repo = tempRepo({
      'main.tf': `locals {\n  a = local.b\n  b = local.a\n  deep = ${'['.repeat(depth)}"x"${']'.repeat(depth)}\n}\nresource "aws_cloudtrail" "t" {\n  name = local.a\n  tags = local.deep\n}\n`,
    });
    const index = await readIac(['.'], { base: repo });
    const trail = byAddress(index, 'aws_cloudtrail.t');
    expect(trail.identity.unknown).toContain('refers to itself');
    expect(JSON.stringify(trail.attributes.tags?.value)).toContain('$unknown');
  });

  it('stops a module that calls itself at the depth bound', { timeout: 20_000 }, async () => {
    const repo = tempRepo({
      'root/main.tf': 'module "m" {\n  source = "../loop"\n}\n',
      'loop/main.tf': 'module "again" {\n  source = "./"\n}\nresource "aws_cloudtrail" "t" { name = "looped" }\n',
    });
    const index = await readIac(['root', 'loop'], { base: repo });
    expect(index.diagnostics.some((d) => d.code === 'iac/module-depth' && d.file === 'loop/main.tf' && d.line === 1)).toBe(true);
    expect(index.definitions.length).toBeLessThanOrEqual(MAX_MODULE_DEPTH + 1);
  });

  it('skips .terraform and node_modules, and ignores module sources outside the repository', async () => {
    const repo = tempRepo({
      '.terraform/modules/x/main.tf': 'resource "aws_cloudtrail" "hidden" { name = "no" }\n',
      'node_modules/y/main.tf': 'resource "aws_cloudtrail" "hidden" { name = "no" }\n',
      'main.tf': 'module "far" {\n  source = "../../elsewhere"\n}\nmodule "registry" {\n  source = "terraform-aws-modules/cloudtrail/aws"\n}\n',
    });
    const index = await readIac(['.'], { base: repo });
    expect(index.definitions).toEqual([]);
    expect(index.files).toBe(1);
  });
});

describe('plan addresses', () => {
  it('finds the definition of an address with instance keys', async () => {
    const { definitionForAddress, stripInstanceKeys } = await import('../../src/iac/index.js');
    expect(stripInstanceKeys('module.m["a]b\\"c"].aws_s3_bucket.b[0]')).toBe('module.m.aws_s3_bucket.b');
    const index = await readIac([FIXTURE], { base: ROOT });
    expect(definitionForAddress(index.definitions, 'module.org_trail.aws_cloudwatch_log_metric_filter.cis["root_usage"]')?.block.file).toBe(`${MODULE}/alarms.tf`);
    expect(definitionForAddress(index.definitions, 'aws_cloudtrail.nowhere')).toBeUndefined();
  });
});

describe('fuzzed HCL', () => {
  it('never throws on random input; every problem is a located diagnostic', { timeout: 30_000 }, async () => {
    let seed = 16;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const alphabet = ['resource', ' ', '"', '{', '}', '[', ']', '(', ')', '=', '\n', '${', '%{', '<<EOT\n', 'EOT\n', 'var.x', 'local.y', '.', ',', '#', '/*', '*/', 'aws_cloudtrail', 'name', '\\', 'é', '\u0000'];
    for (let run = 0; run < 200; run++) {
      let text = '';
      const length = Math.floor(random() * 200);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      const file = await parseHcl(text, 'fuzz.tf');
      for (const d of file.diagnostics) {
        expect(d.file).toBe('fuzz.tf');
        expect(d.line).toBeGreaterThan(0);
      }
    }
  });
});
