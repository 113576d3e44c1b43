import { isCollectionError, type CollectionError } from './schema.js';

/** Every collection error recorded anywhere in a snapshot, once each, in document order. */
export function collectionErrors(snapshot: unknown): CollectionError['$error'][] {
  const seen = new Set<string>();
  const out: CollectionError['$error'][] = [];
  // An explicit stack, children pushed in reverse: document order without recursion, so free-form
  // values of any depth (a policy Condition 100,000 arrays deep) cannot overflow the call stack.
  const stack: unknown[] = [snapshot];
  while (stack.length) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object') continue;
    if (isCollectionError(value)) {
      const e = value.$error;
      const key = `${e.action}|${e.code}|${e.accountId ?? ''}|${e.region ?? ''}|${e.message ?? ''}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(e);
      }
      continue;
    }
    const children = Array.isArray(value) ? value : Object.values(value);
    for (let i = children.length - 1; i >= 0; i--) {
      const child: unknown = children[i];
      if (child !== null && typeof child === 'object') stack.push(child);
    }
  }
  return out;
}

/**
 * The Organizations calls that enumerate an organization's accounts (ListAccounts, or the walk down
 * its tree): a snapshot error of one of them means the account list is incomplete.
 */
export const ACCOUNT_LISTING_ACTIONS: ReadonlySet<string> = new Set(['organizations:ListAccounts', 'organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent']);
