import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { build } from 'esbuild';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaticCredentials } from './model.js';
import { clientConfig, staticCredentials } from './sdk-config.js';
import type { CallRecord } from './server.js';

describe('the fake AWS as a separate process', () => {
  let directory: string;
  let script: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'fake-aws-'));
    script = join(directory, 'serve.mjs');
    // Compiled as the benchmark compiles it, then run with plain node.
    await build({ entryPoints: [join(import.meta.dirname, 'serve.ts')], bundle: true, platform: 'node', format: 'esm', outfile: script, logLevel: 'silent' });
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('serves a generated organization, reports its call log over IPC and exits on close', async () => {
    const child = fork(script, ['--accounts', '5', '--regions', '3', '--latency-ms', '1', '--throttling', 'aws'], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    try {
      const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
      const started = JSON.parse(line) as { url: string; caller: StaticCredentials; scanAccountIds: string[] };
      expect(started.scanAccountIds).toHaveLength(5);
      const identity = await new STSClient(clientConfig(started.url, staticCredentials(started.caller))).send(new GetCallerIdentityCommand({}));
      expect(identity.Account).toBe(started.caller.accountId);

      child.send('calls');
      const [report] = (await once(child, 'message')) as [{ calls: CallRecord[]; unexpectedErrors: string[] }];
      expect(report.calls).toEqual([expect.objectContaining({ service: 'sts', action: 'GetCallerIdentity', status: 200 })]);
      expect(report.unexpectedErrors).toEqual([]);
      child.send('close');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill();
    }
  });
});
