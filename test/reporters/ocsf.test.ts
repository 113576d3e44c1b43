import { describe, expect, it } from 'vitest';
import { ocsfReporter, renderOcsf } from '../../src/reporters/ocsf.js';
import { findingIdentity, type Results } from '../../src/results.js';
import { createResults } from '../fixtures/results-factory.js';
import { smallOrgResults } from './fixtures/small-org.js';
import { hostileResults, ocsfErrors, records } from './interchange-support.js';

const ctx = { color: false, width: 80 };

interface Event {
  class_uid: number;
  severity_id: number;
  status_id: number;
  time: number;
  message: string;
  metadata: { version: string; product: { name: string }; correlation_uid?: string };
  finding_info: { uid: string; title: string };
  compliance: { control: string; requirements?: string[]; standards: string[]; status_id: number; status: string; status_detail?: string };
  resources: { uid: string; type: string; region?: string; data?: unknown }[];
  cloud: { provider: string; account: { uid: string; name?: string }; region?: string; org?: { uid: string } };
  remediation?: { desc: string };
}

function events(results: Results): Event[] {
  return records(renderOcsf(results, ctx)) as unknown as Event[];
}

describe('OCSF Compliance Finding', () => {
  it.each([
    ['small-org', smallOrgResults()],
    ['hostile values', hostileResults()],
    ['400 hostile findings in GovCloud', createResults({ seed: 23, findings: 400, hostile: true, partition: 'aws-us-gov' })],
  ] as [string, Results][])('is valid against the OCSF 1.5.0 Compliance Finding schema: %s', (_name, results) => {
    const text = renderOcsf(results, ctx);
    expect(ocsfErrors(text)).toEqual([]);
    expect(records(text)).toHaveLength(results.findings.length);
  });

  it('the schema check catches an attribute OCSF does not define, a wrong id and a missing requirement', () => {
    const [event] = records(renderOcsf(smallOrgResults(), ctx));
    expect(ocsfErrors(JSON.stringify([{ ...event, findings_info: {} }]))).not.toEqual([]);
    expect(ocsfErrors(JSON.stringify([{ ...event, type_uid: 200300 }]))).not.toEqual([]);
    expect(ocsfErrors(JSON.stringify([{ ...event, compliance: { status_id: 3 } }]))).not.toEqual([]);
    expect(ocsfErrors(JSON.stringify([{ ...event, severity: 'Critical' }]))).not.toEqual([]);
  });

  it('maps verdicts: fail Fail at the rule severity, error Warning at Low, pass and n/a Informational', () => {
    const results = smallOrgResults();
    const byUid = new Map(events(results).map((event) => [event.finding_info.uid, event]));
    const of = (ruleId: string) => byUid.get(findingIdentity(results.findings.find((finding) => finding.ruleId === ruleId)!, results.partition))!;

    const bucket = of('bucket/not-public');
    expect([bucket.class_uid, bucket.severity_id, bucket.status_id, bucket.compliance.status_id, bucket.compliance.status]).toEqual([2003, 5, 1, 3, 'Fail']);
    expect(bucket.compliance.control).toBe('bucket/not-public');
    expect(bucket.compliance.requirements).toContain('cis-aws-foundations-v1.4:3.3');
    expect(bucket.compliance.standards).toContain('CIS AWS Foundations Benchmark v1.4');
    expect(bucket.resources[0]).toMatchObject({ uid: 'arn:aws:s3:::fail-member-logs', type: 'AWS::S3::Bucket', region: 'eu-west-1' });
    expect(bucket.cloud).toEqual({ provider: 'AWS', account: { uid: '222222222222', name: 'Prod <img src=x onerror=alert(1)> | `payments`', type_id: 10, type: 'AWS Account' }, org: { uid: 'o-a1b2c3d4e5' }, region: 'eu-west-1' });

    const key = of('kms/key-rotation');
    expect([key.severity_id, key.status_id, key.compliance.status_id, key.compliance.status]).toEqual([2, 1, 2, 'Warning']);
    expect(key.compliance.status_detail).toContain('Allow kms:GetKeyRotationStatus');

    const pass = of('trail/kms-encryption');
    expect([pass.severity_id, pass.status_id, pass.compliance.status_id]).toEqual([1, 4, 1]);

    const notApplicable = of('lake/kms-encryption');
    expect([notApplicable.severity_id, notApplicable.status_id, notApplicable.compliance.status_id, notApplicable.compliance.status]).toEqual([1, 5, 99, 'Not Applicable']);

    const suppressed = of('custom/require-owner-tag');
    expect([suppressed.status_id, suppressed.compliance.status_id]).toEqual([3, 3]);
    expect(suppressed.compliance.standards).toEqual(['internal-controls']);

    const account = of('coverage/trail-logging');
    expect(account.resources[0]).toMatchObject({ uid: '111111111111', type: 'AWS::::Account' });
  });

  it('carries the finding identity (the SARIF fingerprint), the scan time and the run id', () => {
    const results = { ...smallOrgResults(), runId: '00000000-0000-4000-8000-000000000000' };
    const all = events(results);
    expect(all.map((event) => event.finding_info.uid).sort()).toEqual(results.findings.map((finding) => findingIdentity(finding, results.partition)).sort());
    expect(new Set(all.map((event) => event.time))).toEqual(new Set([Date.parse(results.scanTime)]));
    expect(all.every((event) => event.metadata.version === '1.5.0' && event.metadata.product.name === 'trailwarden' && event.metadata.correlation_uid === results.runId)).toBe(true);
  });

  it('keeps one event per identity, the worst, and says so', () => {
    const results = smallOrgResults();
    const failing = results.findings.find((finding) => finding.ruleId === 'trail/log-file-validation')!;
    results.findings.unshift({ ...failing, status: 'pass', message: 'An earlier pass of the same rule and resource.' });
    const warnings: string[] = [];
    const all = records(renderOcsf(results, { ...ctx, onWarning: (message) => warnings.push(message) })) as unknown as Event[];
    expect(all).toHaveLength(results.findings.length - 1);
    expect(all.find((event) => event.finding_info.uid === findingIdentity(failing, results.partition))!.compliance.status).toBe('Fail');
    expect(warnings).toEqual([expect.stringContaining('OCSF: 1 finding repeated the rule and resource of another')]);
  });

  it('keeps hostile strings as data: valid JSON, values unchanged', () => {
    const results = hostileResults();
    const all = events(results);
    expect(all.map((event) => event.message).sort()).toEqual(results.findings.map((finding) => finding.message).sort());
    // JSON escapes a lone surrogate (\ud800) rather than corrupting it.
    expect(all.map((event) => (event as unknown as { resources: { name: string }[] }).resources[0]!.name).sort()).toEqual(results.findings.map((finding) => finding.resource.name).sort());
  });

  it('streams one line per finding, the same text as render', () => {
    const results = createResults({ seed: 5, findings: 1_500 });
    const pieces = [...ocsfReporter.renderChunks!(results, ctx)];
    expect(pieces).toHaveLength(results.findings.length + 2);
    expect(pieces.join('')).toBe(ocsfReporter.render(results, ctx));
    for (const piece of pieces.slice(1, -1)) expect(() => JSON.parse(piece.replace(/,\n$/, ''))).not.toThrow();
    expect(renderOcsf({ ...results, findings: [] }, ctx)).toBe('[]\n');
  });
});
