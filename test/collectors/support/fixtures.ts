/**
 * Recorded AWS answers (test/collectors/fixtures/<story>.json), keyed by operation, as the SDK
 * returns them: timestamps become Date objects like the SDK's deserializers make them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
/** SDK timestamp members (the *AttemptTime twins and TimeLogging* stay strings, as in the SDK). */
const TIMESTAMP_KEY = /^(?!.*AttemptTime$)(?!TimeLogging).*(Time|Date|Timestamp)$/;

export interface Fixture {
  story: string;
  /** The recorded answer of one operation, typed as its SDK output. */
  answer<T>(operation: string): T;
}

export function loadFixture(story: string): Fixture {
  const data = JSON.parse(readFileSync(path.join(FIXTURES, `${story}.json`), 'utf8'), (key, value: unknown) =>
    typeof value === 'string' && value !== '' && TIMESTAMP_KEY.test(key) ? new Date(value) : value,
  ) as Record<string, unknown>;
  return {
    story: String(data.story),
    answer<T>(operation: string): T {
      if (!(operation in data)) throw new Error(`fixture ${story} has no ${operation} answer`);
      return structuredClone(data[operation]) as T;
    },
  };
}
