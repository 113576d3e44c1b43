// Fails when the committed Action bundle (dist/action.js and its licence list) is not what
// `npm run build` makes from the sources: the Action runs the committed file, not the sources.
// Run it before anything rebuilds dist/ (npm test's pretest does).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAction, builtinPoliciesHash, builtinPolicyFiles, embeddedPoliciesHash } from './build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scratch = await mkdtemp(path.join(tmpdir(), 'trailwarden-check-dist-'));
try {
  await buildAction(path.join(scratch, 'action.js'));
  const stale = [];
  for (const name of ['action.js', 'action.licenses.txt']) {
    const committed = await readFile(path.join(root, 'dist', name)).catch(() => undefined);
    const built = await readFile(path.join(scratch, name));
    if (committed === undefined || !committed.equals(built)) stale.push(`dist/${name}`);
  }
  // Said on its own: the built-in policies the committed bundle embeds (prepared at build time) are
  // not the files in policies/.
  const embedded = embeddedPoliciesHash(await readFile(path.join(root, 'dist', 'action.js'), 'utf8').catch(() => ''));
  const current = builtinPoliciesHash(await builtinPolicyFiles());
  if (embedded !== current) {
    process.stderr.write(`check-dist: dist/action.js embeds built-in policies ${embedded ?? '(none prepared)'}, policies/ is ${current}\n`);
  }
  if (stale.length) {
    process.stderr.write(`check-dist: ${stale.join(', ')} not what the sources build; run \`npm run build\` and commit dist/\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write('check-dist: dist/action.js is current\n');
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
