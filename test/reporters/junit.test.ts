import { describe, expect, it } from 'vitest';
import { junitReporter, renderJunit, xmlAttribute, xmlText } from '../../src/reporters/junit.js';
import type { Results } from '../../src/results.js';
import { createResults } from '../fixtures/results-factory.js';
import { smallOrgResults } from './fixtures/small-org.js';
import { hostileResults, junitSchemaErrors } from './interchange-support.js';

const ctx = { color: false, width: 80 };

/** Characters XML 1.0 cannot carry, in any form (a character reference to them is an error too). */
// eslint-disable-next-line no-control-regex -- finding them is the point
const XML_ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|&#x?0*(?:[0-8bcefBCEF]|1[0-9a-fA-F]);/;

function suites(xml: string): { name: string; attributes: string; body: string }[] {
  return [...xml.matchAll(/<testsuite name="([^"]*)"([^>]*)>([\s\S]*?)<\/testsuite>/g)].map((match) => ({ name: match[1]!, attributes: match[2]!, body: match[3]! }));
}

function attribute(attributes: string, name: string): number {
  return Number(new RegExp(` ${name}="(\\d+)"`).exec(attributes)![1]);
}

describe('JUnit XML', () => {
  it.each([
    ['small-org', smallOrgResults()],
    ['hostile values', hostileResults()],
    ['400 hostile findings', createResults({ seed: 17, findings: 400, hostile: true })],
    ['an empty scan', { ...smallOrgResults(), findings: [] }],
  ] as [string, Results][])('is valid against the Ant/Jenkins JUnit schema: %s', async (_name, results) => {
    const xml = renderJunit(results);
    expect(await junitSchemaErrors(xml)).toEqual([]);
    expect(xml).not.toMatch(XML_ILLEGAL);
  });

  it('the schema check catches what viewers reject', async () => {
    expect(await junitSchemaErrors('<testsuites><testsuite name="x" tests="1" failures="0"/></testsuites>')).not.toEqual([]);
    expect(await junitSchemaErrors('<testsuites><testsuite name="x" tests="1" failures="0" errors="0"><testcase/></testsuite></testsuites>')).not.toEqual([]);
    expect(await junitSchemaErrors('<testsuites><testsuite name="&#1;" tests="1" failures="0" errors="0"/></testsuites>')).not.toEqual([]);
  });

  it('is one suite per rule with a case per finding: fail a failure, error an error, n/a and suppressed skipped', () => {
    const results = smallOrgResults();
    const xml = renderJunit(results);
    const all = suites(xml);
    expect(all.map((suite) => suite.name).sort()).toEqual([...new Set(results.findings.map((finding) => finding.ruleId))].sort());
    // Worst rule first.
    expect(all[0]!.name).toBe('bucket/not-public');
    for (const suite of all) {
      const findings = results.findings.filter((finding) => finding.ruleId === suite.name);
      expect(attribute(suite.attributes, 'tests')).toBe(findings.length);
      expect((suite.body.match(/<testcase /g) ?? []).length).toBe(findings.length);
      expect(attribute(suite.attributes, 'failures')).toBe(findings.filter((f) => f.status === 'fail' && !f.suppression).length);
      expect(attribute(suite.attributes, 'errors')).toBe(findings.filter((f) => f.status === 'error' && !f.suppression).length);
      expect(attribute(suite.attributes, 'skipped')).toBe(findings.filter((f) => f.status === 'not_applicable' || f.suppression).length);
      expect((suite.body.match(/<failure /g) ?? []).length).toBe(attribute(suite.attributes, 'failures'));
      expect((suite.body.match(/<error /g) ?? []).length).toBe(attribute(suite.attributes, 'errors'));
      expect((suite.body.match(/<skipped /g) ?? []).length).toBe(attribute(suite.attributes, 'skipped'));
    }
    const root = /<testsuites([^>]*)>/.exec(xml)![1]!;
    expect(attribute(root, 'tests')).toBe(results.findings.length);
    expect(attribute(root, 'failures')).toBe(2);
    expect(attribute(root, 'errors')).toBe(1);
    expect(xml).toContain('<error message="Could not evaluate KMS key');
    expect(xml).toContain('type="could-not-evaluate"');
    expect(xml).toContain('Allow kms:GetKeyRotationStatus to the scanning role in account 222222222222');
    expect(xml).toContain('<skipped message="Suppressed: Owned by the platform team; tagging lands in Q3. (until 2025-09-30)"/>');
    expect(xml).toContain('<skipped message="Region eu-west-1 has no event data store."/>');
    // Account-level findings are named by the account, not its root user's ARN.
    expect(xml).toContain('<testcase name="account 111111111111 (management)" classname="coverage.trail-logging"');
    expect(xml).not.toMatch(/<testcase name="[^"]*:root/);
  });

  it('escapes markup and makes controls, bidi and characters XML cannot carry visible', () => {
    expect(xmlAttribute('<a href="x">&\'</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;\'&lt;/a&gt;');
    expect(xmlAttribute('one\ntwo\tthree')).toBe('one two three');
    expect(xmlAttribute('NUL\u0000 ESC\u001b RLO\u202e')).toBe('NUL\\u0000 ESC\\u001B RLO\\u202E');
    expect(xmlAttribute('lone \uD800 and \uFFFE')).toBe('lone \\uD800 and \\uFFFE');
    expect(xmlAttribute('pair 🚨 kept')).toBe('pair 🚨 kept');
    expect(xmlText('line one\nline <two> & ]]>\r\nthree\u0007')).toBe('line one\nline &lt;two&gt; &amp; ]]&gt;\nthree\\u0007');
    const xml = renderJunit(hostileResults());
    expect(xml).not.toContain('<tag attr');
    expect(xml).toContain('&lt;tag attr=&quot;x&quot;&gt;&amp;amp; &amp; &amp;lt;&lt;/tag&gt;');
    expect(xml).not.toContain('\u202e');
  });

  it('streams one piece per finding, the same text as render', () => {
    const results = createResults({ seed: 3, findings: 1_500 });
    const pieces = [...junitReporter.renderChunks!(results, ctx)];
    const suiteCount = new Set(results.findings.map((finding) => finding.ruleId)).size;
    // Declaration, root, one opening and one closing piece per suite, one per finding, the end.
    expect(pieces).toHaveLength(3 + 2 * suiteCount + results.findings.length);
    expect(pieces.join('')).toBe(junitReporter.render(results, ctx));
  });
});
