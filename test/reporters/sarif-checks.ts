/**
 * Two judges of a SARIF log: the OASIS SARIF 2.1.0 schema (draft-04, with formats), and GitHub
 * code scanning's upload rules — the ones that reject a whole upload or silently lose alerts.
 * schemas/sarif-schema-2.1.0.json is the official OASIS schema (errata01), vendored so tests
 * need no network.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const schema = JSON.parse(readFileSync(new URL('./schemas/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;
// Both packages are CommonJS: under NodeNext the class and the plugin are their `default` export.
const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
addFormats.default(ajv);
const validate = ajv.compile(schema);

export function schemaErrors(log: unknown): string[] {
  if (validate(log)) return [];
  return (validate.errors ?? []).slice(0, 20).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}

interface Log {
  $schema?: string;
  version?: string;
  runs: {
    tool: { driver: { name: string; semanticVersion?: string; rules: { id: string; name?: string; shortDescription?: { text: string }; fullDescription?: { text: string }; help?: { text?: string; markdown?: string }; properties?: { tags?: string[]; precision?: string; 'security-severity'?: string } }[] } };
    automationDetails?: { id?: string };
    results: {
      ruleId: string;
      ruleIndex: number;
      level?: string;
      kind?: string;
      message: { text: string };
      locations?: { physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } } }[];
      partialFingerprints?: Record<string, string>;
    }[];
  }[];
}

export const GITHUB_MAX_RESULTS = 25_000;
export const GITHUB_MAX_GZIP_BYTES = 10 * 1024 * 1024;

/** Every way `text` would be rejected by, or lose alerts in, GitHub code scanning. Empty when fine. */
export function githubUploadProblems(text: string): string[] {
  const problems: string[] = [];
  const gzipped = gzipSync(text).byteLength;
  if (gzipped > GITHUB_MAX_GZIP_BYTES) problems.push(`gzipped size ${gzipped} exceeds 10 MB`);
  const log = JSON.parse(text) as Log;
  if (log.version !== '2.1.0') problems.push(`version ${log.version}`);
  if (!log.$schema) problems.push('no $schema');
  if (log.runs.length !== 1) problems.push(`${log.runs.length} runs, expected exactly one`);
  for (const run of log.runs) {
    const { driver } = run.tool;
    if (driver.name !== 'trailwarden') problems.push(`driver name ${driver.name}`);
    if (run.automationDetails?.id !== undefined && !run.automationDetails.id.includes('/')) problems.push('automationDetails.id without "/" is not a category');
    if (run.results.length > GITHUB_MAX_RESULTS) problems.push(`${run.results.length} results exceed ${GITHUB_MAX_RESULTS}`);
    for (const rule of driver.rules) {
      const where = `rule ${rule.id}`;
      if (!rule.shortDescription?.text || rule.shortDescription.text.length > 1024) problems.push(`${where}: shortDescription missing or over 1024`);
      if (!rule.fullDescription?.text || rule.fullDescription.text.length > 1024) problems.push(`${where}: fullDescription missing or over 1024`);
      if (!rule.help?.text) problems.push(`${where}: help.text missing`);
      if ((rule.name?.length ?? 0) > 255) problems.push(`${where}: name over 255`);
      const tags = rule.properties?.tags ?? [];
      if (tags.length > 10) problems.push(`${where}: ${tags.length} tags`);
      const severity = rule.properties?.['security-severity'];
      if (severity !== undefined) {
        if (typeof severity !== 'string' || !/^\d+(\.\d+)?$/.test(severity) || Number(severity) <= 0 || Number(severity) > 10) problems.push(`${where}: security-severity ${String(severity)}`);
        if (tags[0] !== 'security') problems.push(`${where}: security-severity without the security tag first`);
      }
    }
    const fingerprints = new Set<string>();
    run.results.forEach((result, index) => {
      const where = `result ${index} (${result.ruleId})`;
      if (driver.rules[result.ruleIndex]?.id !== result.ruleId) problems.push(`${where}: ruleIndex ${result.ruleIndex} does not name ${result.ruleId}`);
      if (!result.message.text.trim()) problems.push(`${where}: empty message`);
      if (result.locations?.length !== 1) problems.push(`${where}: ${result.locations?.length ?? 0} locations, expected exactly one`);
      const uri = result.locations?.[0]?.physicalLocation?.artifactLocation?.uri;
      if (!uri) problems.push(`${where}: no physical location uri`);
      else if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/') || uri.includes('\\')) problems.push(`${where}: uri ${uri} is not relative and scheme-less`);
      const line = result.locations?.[0]?.physicalLocation?.region?.startLine;
      if (!Number.isInteger(line) || (line ?? 0) < 1) problems.push(`${where}: startLine ${String(line)}`);
      const fingerprint = result.partialFingerprints?.['trailwarden/v1'];
      if (!fingerprint || !/^[0-9a-f]{64}$/.test(fingerprint)) problems.push(`${where}: fingerprint ${String(fingerprint)}`);
      else if (fingerprints.has(fingerprint)) problems.push(`${where}: duplicate fingerprint ${fingerprint}`);
      else fingerprints.add(fingerprint);
      if (result.partialFingerprints?.primaryLocationLineHash !== fingerprint) problems.push(`${where}: primaryLocationLineHash differs from the resource fingerprint`);
      // Code scanning ignores `kind` and shows an alert with its rule's security-severity: an
      // open (could not evaluate) result under a rule with one would read as a failure of that severity.
      if (result.kind === 'open' && driver.rules[result.ruleIndex]?.properties?.['security-severity'] !== undefined) problems.push(`${where}: an open result under a rule with a security-severity`);
    });
  }
  return problems;
}
