/**
 * The built-in policies, read from the package folder (`policies/`), named repo-relative so SARIF
 * locations stay stable. The Action bundle replaces this module with the same files embedded at
 * build time (scripts/build.mjs, `embeddedPoliciesPlugin`): an Action carries its policies.
 */
import { builtinPoliciesDir, packageRoot } from '../package-root.js';
import { readPolicyPath, type SourceFile } from './loader.js';

export async function builtinSources(): Promise<SourceFile[]> {
  return readPolicyPath(builtinPoliciesDir(), { builtin: true, displayRoot: packageRoot() });
}
