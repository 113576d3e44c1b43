import { describe, expect, it } from 'vitest';
import { DEFAULT_FORMATS, FORMATS, isFormat, REPORT_FILE_NAMES, REPORTERS } from '../../src/reporters/index.js';
import { loadReporters } from '../../src/reporters/load.js';
import { createResults } from '../fixtures/results-factory.js';

describe('reporter map', () => {
  it('has one reporter per format with the file names of SPEC §2', () => {
    expect(Object.keys(REPORTERS).sort()).toEqual([...FORMATS].sort());
    expect(Object.fromEntries(FORMATS.map((format) => [format, REPORTERS[format].fileName]))).toEqual({
      console: undefined,
      json: 'results.json',
      sarif: 'results.sarif',
      html: 'report.html',
      summary: 'summary.md',
      csv: 'results.csv',
      junit: 'results.junit.xml',
      ocsf: 'results.ocsf.json',
      asff: 'results.asff.json',
    });
  });

  it('knows each file name without loading the reporter, and loads the same reporters lazily', async () => {
    expect(REPORT_FILE_NAMES).toEqual(Object.fromEntries(FORMATS.map((format) => [format, REPORTERS[format].fileName])));
    expect(await loadReporters([...FORMATS, 'json'])).toEqual(REPORTERS);
    expect(Object.keys(await loadReporters(['json', 'sarif'])).sort()).toEqual(['json', 'sarif']);
  });

  it('defaults to the first release\'s formats but the job summary; the formats other tools ingest are asked for', () => {
    expect([...DEFAULT_FORMATS].sort()).toEqual(['console', 'html', 'json', 'sarif']);
  });

  it('recognises format names', () => {
    expect(FORMATS.every(isFormat)).toBe(true);
    expect(isFormat('xml')).toBe(false);
  });

  it('renders every format from the same results without touching them', () => {
    const results = createResults({ seed: 51, findings: 400, hostile: true });
    const before = JSON.stringify(results);
    for (const format of FORMATS) expect(REPORTERS[format].render(results, { color: false, width: 100 }).length).toBeGreaterThan(100);
    expect(JSON.stringify(results)).toBe(before);
  });

  it('renders an empty scan', () => {
    const results = { ...createResults({ seed: 52, findings: 0 }), collectionErrors: [], expiredSuppressions: [] };
    for (const format of FORMATS) expect(() => REPORTERS[format].render(results, { color: false, width: 100 })).not.toThrow();
  });
});
