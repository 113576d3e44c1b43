import { describe, expect, it } from 'vitest';
import { asffReporter, renderAsff } from '../../src/reporters/asff.js';
import { findingIdentity, type Results } from '../../src/results.js';
import { createResults } from '../fixtures/results-factory.js';
import { smallOrgResults } from './fixtures/small-org.js';
import { asffErrors, hostileResults, records } from './interchange-support.js';

const ctx = { color: false, width: 80 };

interface AsffFinding {
  Id: string;
  ProductArn: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  CreatedAt: string;
  Severity: { Label: string; Original: string };
  Title: string;
  Description: string;
  Remediation: { Recommendation: { Text: string; Url?: string } };
  ProductFields: Record<string, string>;
  Resources: { Type: string; Id: string; Partition?: string; Region: string }[];
  Compliance: { Status: string; RelatedRequirements?: string[]; SecurityControlId?: string };
  RecordState: string;
  Workflow: { Status: string };
}

function findings(results: Results): AsffFinding[] {
  return records(renderAsff(results, ctx)) as unknown as AsffFinding[];
}

describe('ASFF (AWS Security Finding Format)', () => {
  it.each([
    ['small-org', smallOrgResults()],
    ['hostile values', hostileResults()],
    ['400 hostile findings in China', createResults({ seed: 29, findings: 400, hostile: true, partition: 'aws-cn' })],
  ] as [string, Results][])('is what BatchImportFindings accepts (botocore AwsSecurityFinding): %s', (_name, results) => {
    const text = renderAsff(results, ctx);
    expect(asffErrors(text)).toEqual([]);
    expect(records(text)).toHaveLength(results.findings.length);
  });

  it('the schema check catches a missing required field, a field the API does not have, and a length over its limit', () => {
    const [finding] = records(renderAsff(smallOrgResults(), ctx));
    const { Title: _title, ...untitled } = finding!;
    expect(asffErrors(JSON.stringify([untitled]))).not.toEqual([]);
    expect(asffErrors(JSON.stringify([{ ...finding, Tittle: 'x' }]))).not.toEqual([]);
    expect(asffErrors(JSON.stringify([{ ...finding, Description: 'x'.repeat(1025) }]))).not.toEqual([]);
    expect(asffErrors(JSON.stringify([{ ...finding, Title: '   ' }]))).not.toEqual([]);
    expect(asffErrors(JSON.stringify([{ ...finding, CreatedAt: '2025-06-01 12:00' }]))).not.toEqual([]);
  });

  it('maps verdicts to Compliance.Status, severity, record state and workflow', () => {
    const results = smallOrgResults();
    const byId = new Map(findings(results).map((finding) => [finding.Id, finding]));
    const of = (ruleId: string) => byId.get(findingIdentity(results.findings.find((finding) => finding.ruleId === ruleId)!, results.partition))!;

    const bucket = of('bucket/not-public');
    expect(bucket).toMatchObject({
      ProductArn: 'arn:aws:securityhub:eu-west-1:222222222222:product/222222222222/default',
      GeneratorId: 'trailwarden/bucket/not-public',
      AwsAccountId: '222222222222',
      Severity: { Label: 'CRITICAL', Original: 'CRITICAL' },
      Resources: [{ Type: 'AwsS3Bucket', Id: 'arn:aws:s3:::fail-member-logs', Partition: 'aws', Region: 'eu-west-1' }],
      Compliance: { Status: 'FAILED', SecurityControlId: 'CloudTrail.6' },
      RecordState: 'ACTIVE',
      Workflow: { Status: 'NEW' },
    });
    expect(bucket.Types).toContain('Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark');
    expect(bucket.Compliance.RelatedRequirements).toContain('CIS AWS Foundations Benchmark v1.4/3.3');

    const key = of('kms/key-rotation');
    expect(key).toMatchObject({ Severity: { Label: 'LOW', Original: 'MEDIUM' }, Compliance: { Status: 'WARNING' }, Workflow: { Status: 'NEW' } });
    expect(key.Remediation.Recommendation.Text).toContain('Allow kms:GetKeyRotationStatus to the scanning role in account 222222222222');

    expect(of('trail/kms-encryption')).toMatchObject({ Severity: { Label: 'INFORMATIONAL' }, Compliance: { Status: 'PASSED' }, Workflow: { Status: 'RESOLVED' }, RecordState: 'ACTIVE' });
    expect(of('lake/kms-encryption')).toMatchObject({ Severity: { Label: 'INFORMATIONAL' }, Compliance: { Status: 'NOT_AVAILABLE' }, RecordState: 'ARCHIVED' });
    expect(of('custom/require-owner-tag')).toMatchObject({ Compliance: { Status: 'FAILED' }, Workflow: { Status: 'SUPPRESSED' } });

    // An account is AWS::::Account:ID, reported in the partition's home region.
    expect(of('coverage/trail-logging')).toMatchObject({
      ProductArn: 'arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default',
      Resources: [{ Type: 'AwsAccount', Id: 'AWS::::Account:111111111111', Region: 'us-east-1' }],
    });
  });

  it('reports global resources in their partition home region', () => {
    const results = createResults({ seed: 31, findings: 200, partition: 'aws-us-gov' });
    const accounts = findings(results).filter((finding) => finding.Resources[0]!.Type === 'AwsAccount');
    expect(accounts.length).toBeGreaterThan(0);
    for (const finding of accounts) {
      expect(finding.ProductArn).toMatch(/^arn:aws-us-gov:securityhub:us-gov-west-1:/);
      expect(finding.Resources[0]).toMatchObject({ Partition: 'aws-us-gov', Region: 'us-gov-west-1' });
    }
  });

  it('keeps the API limits with long titles, messages, remediation and evidence', () => {
    const results = smallOrgResults();
    results.rules = results.rules.map((rule) => (rule.source.builtin ? rule : { ...rule, title: 'T'.repeat(400), remediation: { console: 'R'.repeat(900) } }));
    results.findings = results.findings.map((finding) => ({ ...finding, message: 'M'.repeat(3_000), evidence: [{ path: 'bucket.policy', value: 'E'.repeat(300_000) }] }));
    const text = renderAsff(results, ctx);
    expect(asffErrors(text)).toEqual([]);
    const custom = findings(results).find((finding) => finding.GeneratorId === 'trailwarden/custom/require-owner-tag')!;
    expect(custom.Title).toHaveLength(256);
    expect(custom.Description).toHaveLength(1024);
    expect(custom.Remediation.Recommendation.Text).toHaveLength(512);
    expect(custom.ProductFields['trailwarden/Evidence']).toHaveLength(2048);
  });

  it('shows hostile text neutralized in what Security Hub displays and keeps identities raw', () => {
    const results = hostileResults();
    for (const finding of findings(results)) {
      // eslint-disable-next-line no-control-regex -- finding them is the point
      expect(`${finding.Title}${finding.Description}${finding.Remediation.Recommendation.Text}`).not.toMatch(/[\u0000-\u001f\u202e]/);
    }
    const names = new Set(findings(results).map((finding) => finding.ProductFields['trailwarden/ResourceName']));
    expect(names.has('line\nbreak\r\nCRLF\rCR')).toBe(true);
  });

  it('streams one line per finding, the same text as render', () => {
    const results = createResults({ seed: 9, findings: 1_500 });
    const pieces = [...asffReporter.renderChunks!(results, ctx)];
    expect(pieces).toHaveLength(results.findings.length + 2);
    expect(pieces.join('')).toBe(asffReporter.render(results, ctx));
    for (const piece of pieces.slice(1, -1)) expect(() => JSON.parse(piece.replace(/,\n$/, ''))).not.toThrow();
    expect(renderAsff({ ...results, findings: [] }, ctx)).toBe('[]\n');
  });
});
