/**
 * Documentation links: their base is package.json's `repository` and nothing else, and every link
 * the reports write (SARIF helpUri and informationUri, report.html, the job summary, results.json)
 * into that repository names a file this repository has.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';
import { repositoryUrl } from '../../src/package-root.js';
import { TRAILWARDEN_REPOSITORY_URL } from '../../src/reporters/model.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { repository: { url: string }; homepage: string; bugs: { url: string } };

/** Files git tracks (a link to an untracked file would not resolve on the forge); every file when this is no git checkout. */
function repositoryFiles(): Set<string> {
  try {
    return new Set(execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean));
  } catch {
    const files = new Set<string>();
    const walk = (dir: string) => {
      for (const name of readdirSync(path.join(ROOT, dir))) {
        if (name === 'node_modules' || name === '.git') continue;
        const relative = dir ? `${dir}/${name}` : name;
        if (statSync(path.join(ROOT, relative)).isDirectory()) walk(relative);
        else files.add(relative);
      }
    };
    walk('');
    return files;
  }
}

describe('documentation links', () => {
  let dir: string;
  const outputs: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'trailwarden-links-'));
    // The demo with every built-in rule: each rule's helpUri is in the SARIF and the HTML.
    const { code, stderr } = await runCli(['scan', '--demo', '--out-dir', dir, '--format', 'json,sarif,html,summary'], { now: new Date('2026-11-01T12:30:00Z') });
    if (code !== 1) throw new Error(`the demo scan exited ${code}:\n${stderr}`);
    for (const name of readdirSync(dir)) outputs[name] = readFileSync(path.join(dir, name), 'utf8');
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("take their base from package.json's repository, which homepage and bugs agree with", () => {
    expect(manifest.repository.url).toMatch(/^git\+https:\/\/.+\.git$/);
    expect(TRAILWARDEN_REPOSITORY_URL).toBe(manifest.repository.url.replace(/^git\+/, '').replace(/\.git$/, ''));
    expect(manifest.homepage.startsWith(`${TRAILWARDEN_REPOSITORY_URL}#`)).toBe(true);
    expect(manifest.bugs.url).toBe(`${TRAILWARDEN_REPOSITORY_URL}/issues`);
  });

  it.each([
    ['git+https://github.com/acme/trailwarden-fork.git', 'https://github.com/acme/trailwarden-fork'],
    [{ type: 'git', url: 'https://gitlab.example.com/sec/tw.git' }, 'https://gitlab.example.com/sec/tw'],
    ['github:acme/tw', 'https://github.com/acme/tw'],
    ['acme/tw', 'https://github.com/acme/tw'],
    ['git://github.com/acme/tw.git', 'https://github.com/acme/tw'],
  ])('reads the repository form %j', (given, expected) => {
    expect(repositoryUrl(given)).toBe(expected);
  });

  it.each([[null], [''], [{ url: 'javascript:alert(1)' }], ['http://insecure.example/x'], [{ url: 42 }]])('refuses the repository %j', (given) => {
    expect(() => repositoryUrl(given)).toThrow(/package.json/);
  });

  it('are written nowhere else in the sources, reports, policies or docs', () => {
    let hits = '';
    try {
      hits = execFileSync('git', ['grep', '--untracked', '-l', '-I', '-F', '-e', 'github.com/trailwarden', '--', 'src', 'reports', 'policies', 'templates', 'scripts', 'docs', 'examples', 'action.yml'], { cwd: ROOT, encoding: 'utf8' });
    } catch (err) {
      // git grep exits 1 when nothing matches; anything else (no git) is a real failure.
      if ((err as { status?: number }).status !== 1) throw err;
    }
    expect(hits.split('\n').filter(Boolean)).toEqual([]);
  });

  it("name the repository in the README as package.json does", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const urls = [...readme.matchAll(/https:\/\/github\.com\/trailwarden\/[^\s)#`"]*/g)].map((match) => match[0]);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect([TRAILWARDEN_REPOSITORY_URL, `${TRAILWARDEN_REPOSITORY_URL}.git`]).toContain(url);
  });

  it("name the Action in README, templates and docs by package.json's repository", () => {
    const repository = new URL(TRAILWARDEN_REPOSITORY_URL).pathname.slice(1);
    const uses = ['README.md', 'templates/init/trailwarden.yml'].flatMap((file) => [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(/uses:\s*([\w.-]+\/trailwarden[\w.-]*)@/g)].map((match) => `${file}: ${match[1]}`));
    expect(uses.length).toBeGreaterThan(2);
    for (const entry of uses) expect(entry.split(': ')[1], entry).toBe(repository);
  });

  it('each resolve to a file of this repository', () => {
    const files = repositoryFiles();
    const base = TRAILWARDEN_REPOSITORY_URL;
    const links = new Set<string>();
    for (const [name, text] of Object.entries(outputs)) {
      // Every URL into the repository, however it is quoted or escaped around it.
      for (const match of text.matchAll(/https?:\/\/[^\s"'<>)\]\\]+/g)) if (match[0].startsWith(base)) links.add(`${name} ${match[0]}`);
    }
    const sarif = JSON.parse(outputs['results.sarif']!) as { runs: { tool: { driver: { informationUri: string; rules: { id: string; helpUri?: string }[] } } }[] };
    const driver = sarif.runs[0]!.tool.driver;
    expect(driver.informationUri).toBe(base);
    expect(driver.rules.length).toBeGreaterThan(40);
    for (const rule of driver.rules) expect(rule.helpUri, rule.id).toMatch(new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/blob/main/`));
    expect(links.size).toBeGreaterThan(driver.rules.length);

    const broken: string[] = [];
    for (const entry of links) {
      const url = entry.slice(entry.indexOf(' ') + 1).replace(/[.,;:]+$/, '');
      if (url === base) continue;
      const file = /^.*?\/blob\/main\/([^#?]+)/.exec(url)?.[1];
      if (!file || !files.has(decodeURIComponent(file))) broken.push(entry);
    }
    expect(broken).toEqual([]);
  });
});
