/**
 * What the tests of the formats other tools ingest share: results full of strings that attack
 * CSV, XML and JSON consumers, and one validator per format against its published schema.
 */
import { readFileSync } from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { validateXML } from 'xmllint-wasm';
import type { Results } from '../../src/results.js';
import { smallOrgResults } from './fixtures/small-org.js';
import { ASFF_FINDING_SCHEMA, ASFF_MAX_FINDING_BYTES } from './schemas/asff-finding.js';
import { OCSF_CAPTIONS, OCSF_COMPLIANCE_FINDING_SCHEMA } from './schemas/ocsf-compliance-finding.js';

/**
 * Values AWS would hand back verbatim (names, tags, error messages) that attack spreadsheets
 * (formula injection), CSV quoting, XML (markup, entities, characters XML 1.0 cannot carry) and
 * readers (bidi overrides).
 */
export const HOSTILE_VALUES: readonly string[] = [
  "=cmd|' /C calc'!A0",
  '+SUM(1,2)',
  '-2+3',
  '@SUM(A1:A9)',
  '\t=tab first',
  '\r=CR first',
  'quote " and "" doubled',
  'comma, semicolon; pipe |',
  'line\nbreak\r\nCRLF\rCR',
  '<tag attr="x">&amp; & &lt;</tag>',
  ']]><!-- --><?pi?>',
  'NUL\u0000 BEL\u0007 ESC\u001b[31m VT\u000b FF\u000c',
  'lone \uD800 high and \uDC00 low surrogates',
  'noncharacters \uFFFE\uFFFF',
  'RTL \u202Eevil\u202C override',
  'Ünïcödé 日本語 العربية 🚨',
];

/**
 * small-org with a hostile value in every AWS-supplied and policy-supplied string a format writes:
 * its 8 findings' messages and resource names between them carry all 16 values.
 */
export function hostileResults(): Results {
  const results = smallOrgResults();
  const at = (index: number) => HOSTILE_VALUES[index % HOSTILE_VALUES.length]!;
  const count = results.findings.length;
  results.accounts = results.accounts.map((account, index) => ({ ...account, name: at(index + 3) }));
  results.rules = results.rules.map((rule) => (rule.source.builtin ? rule : { ...rule, title: at(0), description: at(8), remediation: { console: at(11), cli: at(5) } }));
  results.findings = results.findings.map((finding, index) => ({
    ...finding,
    message: at(index),
    resource: { ...finding.resource, name: at(index + count) },
    evidence: [...finding.evidence, { path: 'trail.tags', value: [{ key: at(index + 1), value: at(index + 2) }] }],
    ...(finding.suppression ? { suppression: { ...finding.suppression, reason: at(index + 4) } } : {}),
    ...(finding.errors ? { errors: finding.errors.map((error) => ({ ...error, message: at(index + 5) })) } : {}),
  }));
  return results;
}

const JUNIT_XSD = readFileSync(new URL('./schemas/junit.xsd', import.meta.url), 'utf8');

/** xmllint's verdict on a JUnit report against the Ant/Jenkins JUnit schema: the errors, none when valid. */
export async function junitSchemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: 'results.junit.xml', contents: xml }], schema: [{ fileName: 'junit.xsd', contents: JUNIT_XSD }], maxMemoryPages: 4096 });
  return result.valid ? [] : result.errors.map((error) => error.rawMessage);
}

const ajv = new Ajv.default({ allErrors: true, strict: true });
addFormats.default(ajv);
const validOcsf: ValidateFunction = ajv.compile(OCSF_COMPLIANCE_FINDING_SCHEMA);
const validAsff: ValidateFunction = ajv.compile(ASFF_FINDING_SCHEMA);

function errorsOf(validate: ValidateFunction, value: unknown, where: string): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((error) => `${where}${error.instancePath} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
}

/** Parses an OCSF or ASFF document: a JSON array, one record per line. */
export function records(text: string): Record<string, unknown>[] {
  const parsed = JSON.parse(text) as unknown;
  if (!Array.isArray(parsed)) throw new Error('not a JSON array');
  return parsed as Record<string, unknown>[];
}

/** Every way an OCSF document breaks the Compliance Finding schema, with the rules a JSON Schema cannot say. */
export function ocsfErrors(text: string): string[] {
  return records(text).flatMap((event, index) => {
    const where = `[${index}]`;
    const errors = errorsOf(validOcsf, event, where);
    const finding = event as { class_uid: number; activity_id: number; type_uid: number; severity_id: number; severity: string; status_id: number; status: string; activity_name: string; compliance: { status_id: number; status: string } };
    if (finding.type_uid !== finding.class_uid * 100 + finding.activity_id) errors.push(`${where} type_uid ${finding.type_uid} is not class_uid × 100 + activity_id`);
    const captions: [string, Record<number, string>, number, string][] = [
      ['severity', OCSF_CAPTIONS.severity, finding.severity_id, finding.severity],
      ['activity_name', OCSF_CAPTIONS.activity, finding.activity_id, finding.activity_name],
      ['status', OCSF_CAPTIONS.status, finding.status_id, finding.status],
      ['compliance.status', OCSF_CAPTIONS.complianceStatus, finding.compliance.status_id, finding.compliance.status],
    ];
    for (const [name, table, id, caption] of captions) {
      if (id !== 99 && table[id] !== caption) errors.push(`${where} ${name} "${caption}" is not the caption of id ${id}`);
    }
    return errors;
  });
}

/** Every way an ASFF document breaks what BatchImportFindings accepts. */
export function asffErrors(text: string): string[] {
  return records(text).flatMap((finding, index) => {
    const errors = errorsOf(validAsff, finding, `[${index}]`);
    const bytes = Buffer.byteLength(JSON.stringify(finding));
    if (bytes > ASFF_MAX_FINDING_BYTES) errors.push(`[${index}] is ${bytes} bytes, over BatchImportFindings' ${ASFF_MAX_FINDING_BYTES}`);
    return errors;
  });
}
