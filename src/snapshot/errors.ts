import { isCollectionError, type CollectionError } from './schema.js';

/** Every collection error recorded anywhere in a snapshot, once each, in document order. */
export function collectionErrors(snapshot: unknown): CollectionError['$error'][] {
  const seen = new Set<string>();
  const out: CollectionError['$error'][] = [];
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    if (isCollectionError(value)) {
      const e = value.$error;
      const key = `${e.action}|${e.code}|${e.accountId ?? ''}|${e.region ?? ''}|${e.message ?? ''}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(e);
      }
      return;
    }
    if (Array.isArray(value)) value.forEach(walk);
    else Object.values(value).forEach(walk);
  };
  walk(snapshot);
  return out;
}
