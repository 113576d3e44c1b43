import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/collectors/progress.js';

function capture() {
  const written: string[] = [];
  return { written, write: (text: string) => void written.push(text) };
}

describe('progress on stderr', () => {
  it('writes plain lines off a terminal: skips, ~5% steps, stages and a summary', () => {
    const out = capture();
    const progress = createProgress({ tty: false, write: out.write });
    progress.accountsFound(1, false);
    progress.accountsFound(40, true);
    progress.accountSkipped('666666666666', 'account is SUSPENDED');
    for (let index = 0; index < 40; index++) progress.accountDone(String(100000000000 + index), index === 3 ? 2 : 0);
    progress.stage('trail details, buckets, keys and log groups');
    progress.done({ accounts: 40, errors: 2, apiCalls: 123 });
    const text = out.written.join('');
    expect(text).toContain('trailwarden: 40 account(s) to scan\n');
    expect(text).toContain('trailwarden: skipping account 666666666666: account is SUSPENDED\n');
    expect(text).toContain('trailwarden: accounts 2/40 scanned, 0 error(s)\n');
    expect(text).toContain('trailwarden: accounts 40/40 scanned, 2 error(s)\n');
    expect(text).toContain('trailwarden: collected 40 account(s) with 123 API call(s); 2 fact(s) could not be collected\n');
    expect(out.written.filter((line) => line.includes('scanned'))).toHaveLength(20);
    expect(text).not.toContain('\u001b[');
  });

  it('draws a bar on a terminal and names skipped accounts once it is done', () => {
    const out = capture();
    const progress = createProgress({ tty: true, write: out.write, columns: 100 });
    progress.accountsFound(2, false);
    progress.accountSkipped('666666666666', 'account is SUSPENDED');
    progress.accountDone('111111111111', 1);
    progress.accountsFound(2, true);
    progress.accountDone('222222222222', 0);
    progress.stage('buckets');
    progress.done({ accounts: 2, errors: 1, apiCalls: 9 });
    const text = out.written.join('');
    expect(text).toContain('\u001b[');
    expect(text).toMatch(/2\/2 accounts \| 1 error\(s\)/);
    expect(text).toContain('trailwarden: skipped 666666666666 (account is SUSPENDED)\n');
    expect(text).toContain('collected 2 account(s) with 9 API call(s)');
  });
});
