/** A results.json file's text (any version trailwarden reads) as the in-memory Results, as merge and --baseline read it. */
import { readFileSync } from 'node:fs';
import { readResultsDocument, type Results } from '../../src/results.js';

export function parseResultsJson(text: string): Results {
  return readResultsDocument(JSON.parse(text) as Record<string, unknown>, 'results.json');
}

/** A results.json file (any version trailwarden reads) as the in-memory Results. */
export function readResultsJson(file: string): Results {
  return parseResultsJson(readFileSync(file, 'utf8'));
}
