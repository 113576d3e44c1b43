/**
 * One fake AWS per test, with the SDK's environment pointed at it: started by `start`, closed
 * (and checked for the fake's own errors) after each test or by `release`, environment restored.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import type { FakeAwsModel, StaticCredentials } from './model.js';
import { useFakeAwsEnvironment } from './sdk-config.js';
import { startFakeAws, type FakeAws, type FakeAwsOptions } from './server.js';

export function fakeAwsPerTest(): {
  start(model: FakeAwsModel, caller: StaticCredentials, options?: FakeAwsOptions): Promise<FakeAws>;
  release(): Promise<void>;
} {
  let open: FakeAws | undefined;
  let savedEnvironment: NodeJS.ProcessEnv = {};
  const release = async (): Promise<void> => {
    if (!open) return;
    const fake = open;
    open = undefined;
    expect(fake.unexpectedErrors).toEqual([]);
    await fake.close();
  };
  beforeEach(() => {
    savedEnvironment = { ...process.env };
  });
  afterEach(async () => {
    process.env = savedEnvironment;
    await release();
  });
  return {
    async start(model, caller, options = {}) {
      await release();
      open = await startFakeAws(model, options);
      useFakeAwsEnvironment(open.url, caller);
      return open;
    },
    release,
  };
}
