import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Finding, Results } from '../../src/results.js';
import type { ReportContext } from '../../src/reporters/context.js';
import { artifactUri } from '../../src/reporters/model.js';
import { findingFingerprint, pascalCase, renderSarif, ruleTags, SARIF_LIMITS, SECURITY_SEVERITY, unevaluatedRuleId, type SarifResult } from '../../src/reporters/sarif.js';
import { SCOPE_RULE } from '../../src/engine/scope.js';
import { catalogRule, createResults, HOSTILE_STRINGS, ruleMeta } from '../fixtures/results-factory.js';
import { smallOrgResults } from './fixtures/small-org.js';
import { githubUploadProblems, schemaErrors } from './sarif-checks.js';

interface Rendered {
  text: string;
  warnings: string[];
  results: SarifResult[];
  run: {
    tool: { driver: { rules: { id: string; properties: { tags: string[]; 'security-severity'?: string }; defaultConfiguration: { level: string } }[] } };
    automationDetails?: { id: string };
    results: SarifResult[];
  };
}

function render(results: Results, extra: Partial<ReportContext> = {}, limits = SARIF_LIMITS): Rendered {
  const warnings: string[] = [];
  const text = renderSarif(results, { color: false, width: 80, onWarning: (message) => warnings.push(message), ...extra }, limits);
  const run = (JSON.parse(text) as { runs: Rendered['run'][] }).runs[0]!;
  return { text, warnings, results: run.results, run };
}

function reportable(results: Results): Finding[] {
  return results.findings.filter((finding) => !finding.suppression && (finding.status === 'fail' || finding.status === 'error'));
}

const FIXTURES: { name: string; results: () => Results; ctx?: Partial<ReportContext>; aggregated: boolean }[] = [
  { name: 'small-org', results: smallOrgResults, aggregated: false },
  { name: 'small-org with a category', results: smallOrgResults, ctx: { category: 'trailwarden/org' }, aggregated: false },
  { name: '20,000 findings, 4,000 reportable', results: () => createResults({ seed: 7, findings: 20_000, accounts: 60, regions: 17, failShare: 0.15, errorShare: 0.05 }), aggregated: false },
  { name: '20,000 findings, over 5,000 reportable (aggregated)', results: () => createResults({ seed: 8, findings: 20_000, accounts: 300, regions: 17 }), aggregated: true },
  { name: 'hostile strings', results: () => createResults({ seed: 9, findings: 2_000, hostile: true, accounts: 20 }), ctx: { category: '<script>"x"</script>/' }, aggregated: false },
  { name: 'aws-us-gov partition', results: () => createResults({ seed: 10, findings: 500, partition: 'aws-us-gov' }), aggregated: false },
];

describe.each(FIXTURES)('SARIF of $name', ({ results: make, ctx, aggregated }) => {
  const results = make();
  const rendered = render(results, ctx);

  it('is valid against the OASIS SARIF 2.1.0 schema', () => {
    expect(schemaErrors(JSON.parse(rendered.text))).toEqual([]);
  });

  it('passes every GitHub code scanning upload rule', () => {
    expect(githubUploadProblems(rendered.text)).toEqual([]);
  });

  it('lists every loaded rule, then a could-not-evaluate rule for each rule with unevaluated results', () => {
    const unevaluated = [...new Set(reportable(results).filter((finding) => finding.status === 'error').map((finding) => unevaluatedRuleId(finding.ruleId)))];
    expect(rendered.run.tool.driver.rules.map((rule) => rule.id).sort()).toEqual([...results.rules.map((rule) => rule.id), ...unevaluated].sort());
  });

  it(aggregated ? 'aggregates per rule and account, and warns' : 'has one result per failing or error finding', () => {
    const expected = reportable(results);
    if (aggregated) {
      expect(expected.length).toBeGreaterThan(SARIF_LIMITS.aggregateAbove);
      const groups = new Set(expected.map((finding) => `${finding.ruleId}|${finding.resource.accountId}|${finding.status}`));
      expect(rendered.results).toHaveLength(groups.size);
      const covered = rendered.results.reduce((sum, result) => sum + (result.properties.resourceCount as number), 0);
      expect(covered).toBe(expected.length);
      expect(rendered.warnings.some((warning) => warning.includes('aggregated'))).toBe(true);
    } else {
      expect(rendered.results).toHaveLength(expected.length);
      expect(rendered.warnings).toEqual([]);
    }
  });

  it('renders identical fingerprints twice', () => {
    expect(render(make(), ctx).text).toBe(rendered.text);
  });
});

describe('SARIF results', () => {
  const results = smallOrgResults();
  const { results: sarifResults, run } = render(results);

  it('leaves out passing, not-applicable and suppressed findings', () => {
    expect(sarifResults.map((result) => result.ruleId).sort()).toEqual(['bucket/not-public', 'kms/key-rotation/could-not-evaluate', 'trail/log-file-validation']);
  });

  it('maps severity to level: critical and high error, medium warning, low and info note', () => {
    const level = Object.fromEntries(sarifResults.map((result) => [result.ruleId, result.level]));
    expect(level).toEqual({ 'bucket/not-public': 'error', 'trail/log-file-validation': 'warning', 'kms/key-rotation/could-not-evaluate': 'note' });
    const defaults = Object.fromEntries(run.tool.driver.rules.map((rule) => [rule.id, rule.defaultConfiguration.level]));
    expect(defaults).toMatchObject({ 'bucket/not-public': 'error', 'coverage/trail-logging': 'error', 'trail/kms-encryption': 'warning', 'custom/require-owner-tag': 'note' });
  });

  it('reports an error finding as an open note naming the action, account and region', () => {
    const error = sarifResults.find((result) => result.ruleId === 'kms/key-rotation/could-not-evaluate')!;
    expect(error.kind).toBe('open');
    expect(error.level).toBe('note');
    expect(error.properties).toMatchObject({ status: 'error', evaluatedRule: 'kms/key-rotation' });
    expect(error.message.text).toContain('kms:GetKeyRotationStatus failed with AccessDenied in account 222222222222, region eu-west-1');
  });

  it('points at the policy file and names the resource in logical location, properties and message', () => {
    const failing = sarifResults.find((result) => result.ruleId === 'bucket/not-public')!;
    expect(failing.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'policies/bucket/not-public.yaml' }, region: { startLine: 1, endLine: 1 } });
    expect(failing.locations[0].logicalLocations).toEqual([{ fullyQualifiedName: 'arn:aws:s3:::fail-member-logs', name: 'fail-member-logs', kind: 'resource' }]);
    expect(failing.properties).toMatchObject({ arn: 'arn:aws:s3:::fail-member-logs', accountId: '222222222222', region: 'eu-west-1', resourceType: 'bucket' });
    expect(failing.message.text).toContain('arn:aws:s3:::fail-member-logs');
  });

  it('gives custom rules a relative, percent-encoded uri and no invented help link', () => {
    const custom = render({ ...results, findings: results.findings.map(({ suppression: _suppression, ...finding }) => finding) });
    const result = custom.results.find((entry) => entry.ruleId === 'custom/require-owner-tag')!;
    expect(result.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'security-policies/trails/require%20owner%20tag.yaml' }, region: { startLine: 3, endLine: 3 } });
    const descriptor = JSON.parse(custom.text).runs[0].tool.driver.rules.find((rule: { id: string }) => rule.id === 'custom/require-owner-tag');
    expect(descriptor.helpUri).toBeUndefined();
  });

  it('gives rules a numeric security-severity per severity and none for info', () => {
    expect(SECURITY_SEVERITY).toEqual({ critical: '9.5', high: '8.0', medium: '5.5', low: '2.0', info: undefined });
    const byId = Object.fromEntries(run.tool.driver.rules.map((rule) => [rule.id, rule.properties['security-severity']]));
    expect(byId['bucket/not-public']).toBe('9.5');
    expect(byId['custom/require-owner-tag']).toBe('2.0');
    const info = render({ ...results, rules: [...results.rules, ruleMeta(catalogRule('coverage/global-events-duplicated'))] });
    const infoRule = info.run.tool.driver.rules.find((rule) => rule.id === 'coverage/global-events-duplicated')!;
    expect(infoRule.properties['security-severity']).toBeUndefined();
  });

  it('writes automationDetails.id only for a category, ending in "/" so GitHub reads it as one', () => {
    expect(run.automationDetails).toBeUndefined();
    expect(render(results, { category: 'trailwarden/org' }).run.automationDetails).toEqual({ id: 'trailwarden/org/' });
    expect(render(results, { category: 'nightly/' }).run.automationDetails).toEqual({ id: 'nightly/' });
    expect(render(results, { category: '  ' }).run.automationDetails).toBeUndefined();
  });

  it('throws when a finding names a rule the results do not list', () => {
    expect(() => render({ ...results, rules: results.rules.filter((rule) => rule.id !== 'bucket/not-public') })).toThrow(/bucket\/not-public/);
  });
});

describe('SARIF of findings that could not be evaluated', () => {
  const results = smallOrgResults();
  const keyRotation = results.findings.find((finding) => finding.ruleId === 'kms/key-rotation' && finding.status === 'error')!;
  const asFailure: Finding = { ...structuredClone(keyRotation), status: 'fail', errors: [] };
  const both = render({ ...results, findings: [...results.findings, asFailure] });
  const rule = (id: string) => both.run.tool.driver.rules.find((entry) => entry.id === id)!;

  it('never carry the severity of the control: their own rule is a note without security-severity or the security tag', () => {
    expect(rule('kms/key-rotation').properties['security-severity']).toBe(SECURITY_SEVERITY[keyRotation.severity]);
    const unevaluated = rule('kms/key-rotation/could-not-evaluate');
    expect(unevaluated.properties['security-severity']).toBeUndefined();
    expect(unevaluated.properties.tags).not.toContain('security');
    expect(unevaluated.defaultConfiguration.level).toBe('note');
    const full = JSON.parse(both.text).runs[0].tool.driver.rules.find((entry: { id: string }) => entry.id === 'kms/key-rotation/could-not-evaluate');
    expect(full.shortDescription.text).toMatch(/^Could not evaluate: /);
    expect(full.help.markdown).toContain('trailwarden permissions');
    expect(full.properties.evaluates).toBe('kms/key-rotation');
  });

  it('are a different alert from a failure of the same rule and resource, each with its own fingerprint', () => {
    const ofResource = both.results.filter((result) => result.properties.arn === keyRotation.resource.arn && (result.properties.evaluatedRule ?? result.ruleId) === 'kms/key-rotation');
    expect(ofResource.map((result) => result.ruleId).sort()).toEqual(['kms/key-rotation', 'kms/key-rotation/could-not-evaluate']);
    const [a, b] = ofResource.map((result) => result.partialFingerprints['trailwarden/v1']);
    expect(a).not.toBe(b);
    expect(both.warnings).toEqual([]);
    expect(githubUploadProblems(both.text)).toEqual([]);
    expect(schemaErrors(JSON.parse(both.text))).toEqual([]);
  });

  it('the upload judge rejects an open result under a rule with a security-severity (the old Critical alert)', () => {
    const log = JSON.parse(both.text);
    const ids = log.runs[0].tool.driver.rules.map((entry: { id: string }) => entry.id);
    const open = log.runs[0].results.find((result: SarifResult) => result.kind === 'open');
    open.ruleId = 'kms/key-rotation';
    open.ruleIndex = ids.indexOf('kms/key-rotation');
    expect(githubUploadProblems(JSON.stringify(log)).join('\n')).toMatch(/open result under a rule with a security-severity/);
  });

  it('keep their fingerprint across runs, and the failure keeps the --baseline identity', () => {
    const again = render({ ...results, findings: [asFailure, ...[...results.findings].reverse()] });
    const byRule = (r: Rendered) => Object.fromEntries(r.results.filter((result) => result.properties.arn === keyRotation.resource.arn).map((result) => [result.ruleId, result.partialFingerprints['trailwarden/v1']]));
    expect(byRule(again)).toEqual(byRule(both));
    expect(byRule(both)['kms/key-rotation']).toBe(findingFingerprint(asFailure, results.partition));
  });

  it('point each result at its own rule by index, also when aggregated', () => {
    const many = render(createResults({ seed: 8, findings: 20_000, accounts: 300, regions: 17 }));
    const ids = many.run.tool.driver.rules.map((entry) => entry.id);
    const errors = many.results.filter((result) => result.properties.status === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const result of errors) {
      expect(result.ruleId).toBe(unevaluatedRuleId(result.properties.evaluatedRule as string));
      expect(ids[result.ruleIndex]).toBe(result.ruleId);
    }
    expect(new Set(many.results.map((result) => result.partialFingerprints['trailwarden/v1'])).size).toBe(many.results.length);
  });

  it('the engine scope rule is no exception: a scope gap is a could-not-evaluate note too', () => {
    const gap: Finding = { ...structuredClone(keyRotation), ruleId: 'trailwarden/scan-scope', severity: 'high' };
    const withScope = render({ ...results, rules: [...results.rules, SCOPE_RULE], findings: [...results.findings, gap] });
    const result = withScope.results.find((entry) => entry.properties.evaluatedRule === 'trailwarden/scan-scope')!;
    expect(result.ruleId).toBe('trailwarden/scan-scope/could-not-evaluate');
    expect(result.level).toBe('note');
    expect(withScope.run.tool.driver.rules.find((entry) => entry.id === result.ruleId)!.properties['security-severity']).toBeUndefined();
    expect(githubUploadProblems(withScope.text)).toEqual([]);
  });
});

describe('SARIF fingerprints', () => {
  const results = createResults({ seed: 3, findings: 1_000 });
  const fingerprints = (input: Results) => new Map(render(input).results.map((result) => [`${result.ruleId} ${result.properties.arn as string}`, result.partialFingerprints['trailwarden/v1']]));
  const original = fingerprints(results);

  it('survive policy edits that move the rule and a different finding order', () => {
    const edited: Results = {
      ...results,
      rules: results.rules.map((rule) => ({ ...rule, source: { ...rule.source, line: rule.source.line + 17 } })),
      findings: [...results.findings].reverse(),
    };
    expect(fingerprints(edited)).toEqual(original);
  });

  it('change with the resource, the account, the region and the partition', () => {
    const finding = reportable(results)[0]!;
    const base = findingFingerprint(finding, 'aws');
    const changed = [
      findingFingerprint({ ...finding, resource: { ...finding.resource, arn: `${finding.resource.arn}-2` } }, 'aws'),
      findingFingerprint({ ...finding, resource: { ...finding.resource, accountId: '999999999999' } }, 'aws'),
      findingFingerprint({ ...finding, resource: { ...finding.resource, region: 'ap-east-1' } }, 'aws'),
      findingFingerprint(finding, 'aws-cn'),
      findingFingerprint({ ...finding, ruleId: 'other/rule' }, 'aws'),
    ];
    expect(new Set([base, ...changed]).size).toBe(changed.length + 1);
  });

  it('merge two findings of the same rule and resource into one alert, with a warning', () => {
    const finding = reportable(results)[0]!;
    const duplicated = render({ ...results, findings: [...results.findings, structuredClone(finding)] });
    expect(duplicated.results).toHaveLength(original.size);
    expect(duplicated.warnings.join('\n')).toMatch(/merged into one alert/);
    expect(githubUploadProblems(duplicated.text)).toEqual([]);
  });
});

describe('SARIF limits', () => {
  it('keeps the most severe results when over the result limit', () => {
    const results = createResults({ seed: 4, findings: 2_000 });
    const { results: kept, warnings, text } = render(results, {}, { ...SARIF_LIMITS, aggregateAbove: Number.POSITIVE_INFINITY, maxResults: 100 });
    expect(kept).toHaveLength(100);
    expect(warnings.join('\n')).toMatch(/exceed GitHub's limit/);
    const severities = kept.map((result) => result.properties.severity as string);
    const critical = reportable(results).filter((finding) => finding.status === 'fail' && finding.severity === 'critical').length;
    expect(severities.slice(0, Math.min(critical, 100)).every((severity) => severity === 'critical')).toBe(true);
    expect(schemaErrors(JSON.parse(text))).toEqual([]);
  });

  it('trims results until the gzipped log fits the size limit', () => {
    const results = createResults({ seed: 5, findings: 3_000, hostile: true });
    const maxGzipBytes = 40_000;
    const { text, results: kept, warnings } = render(results, {}, { ...SARIF_LIMITS, maxGzipBytes });
    expect(gzipSync(text).byteLength).toBeLessThanOrEqual(maxGzipBytes);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(reportable(results).length);
    expect(warnings.join('\n')).toMatch(/gzipped limit/);
    expect(schemaErrors(JSON.parse(text))).toEqual([]);
  });
});

describe('SARIF rule metadata', () => {
  it('names rules in PascalCase from their id', () => {
    expect(pascalCase('coverage/multi-region-management-events')).toBe('CoverageMultiRegionManagementEvents');
    expect(pascalCase('monitoring/s3-bucket-policy-changes')).toBe('MonitoringS3BucketPolicyChanges');
  });

  it('puts security first and never more than 10 tags', () => {
    const rule = { ...ruleMeta(catalogRule('trail/log-file-validation')), frameworks: { a: ['1', '2', '3', '4'], b: ['5', '6', '7', '8', '9'] } };
    const tags = ruleTags(rule);
    expect(tags[0]).toBe('security');
    expect(tags).toHaveLength(10);
    expect(tags).toContain('a:1');
  });

  it('writes help with the remediation in the console and with the AWS CLI', () => {
    const { text } = render(smallOrgResults());
    const rule = JSON.parse(text).runs[0].tool.driver.rules.find((entry: { id: string }) => entry.id === 'trail/log-file-validation');
    expect(rule.help.markdown).toContain('### Fix in the AWS console');
    expect(rule.help.markdown).toContain('```sh\naws cloudtrail update-trail --name <trail-arn> --enable-log-file-validation\n```');
    expect(rule.help.text).toContain('Fix with the AWS CLI');
    expect(rule.helpUri).toBe('https://github.com/trailwarden/trailwarden/blob/main/policies/trail/log-file-validation.yaml');
  });

  it('makes any recorded policy path a relative, scheme-less uri, and warns about absolute ones', () => {
    expect(artifactUri('policies/trail/kms-encryption.yaml')).toBe('policies/trail/kms-encryption.yaml');
    expect(artifactUri('./custom\\my rules\\a#b.yaml')).toBe('custom/my%20rules/a%23b.yaml');
    expect(artifactUri('file:///home/runner/work/repo/policies/x.yaml')).toBe('home/runner/work/repo/policies/x.yaml');
    expect(artifactUri('C:\\repo\\x.yaml')).toBe('repo/x.yaml');
    const results = smallOrgResults();
    results.rules = results.rules.map((rule) => (rule.id === 'bucket/not-public' ? { ...rule, source: { ...rule.source, file: '/abs/policies/bucket.yaml' } } : rule));
    const { warnings, text } = render(results);
    expect(warnings.join('\n')).toMatch(/bucket\/not-public comes from an absolute path/);
    expect(githubUploadProblems(text)).toEqual([]);
  });

  it('carries hostile strings as JSON text only', () => {
    const { text } = render(createResults({ seed: 11, findings: 1_500, hostile: true }));
    expect(() => JSON.parse(text)).not.toThrow();
    const found = HOSTILE_STRINGS.filter((hostile) => text.includes(JSON.stringify(hostile).slice(1, -1)));
    expect(found.length).toBeGreaterThan(0);
  });
});

describe('the SARIF judges themselves', () => {
  const { text } = render(smallOrgResults());

  it('the schema rejects a result without a message and a bad level', () => {
    const log = JSON.parse(text);
    delete log.runs[0].results[0].message;
    log.runs[0].results[1].level = 'fatal';
    expect(schemaErrors(log).length).toBeGreaterThanOrEqual(2);
  });

  it('the upload rules reject what GitHub rejects', () => {
    const log = JSON.parse(text);
    const [first, second] = log.runs[0].results;
    first.locations.push(structuredClone(first.locations[0]));
    second.locations[0].physicalLocation.artifactLocation.uri = 'file:///home/runner/policies/x.yaml';
    log.runs[0].results[2].partialFingerprints = { ...second.partialFingerprints };
    log.runs[0].tool.driver.rules[0].properties['security-severity'] = 9.5;
    const problems = githubUploadProblems(JSON.stringify(log));
    expect(problems.join('\n')).toMatch(/2 locations/);
    expect(problems.join('\n')).toMatch(/not relative and scheme-less/);
    expect(problems.join('\n')).toMatch(/duplicate fingerprint/);
    expect(problems.join('\n')).toMatch(/security-severity 9.5/);
  });
});
