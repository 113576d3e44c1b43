import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSnapshot } from '../../src/collectors/index.js';
import { snapshotValidator } from '../../src/snapshot/validate.js';
import { SCENARIOS } from '../fake-aws/scenarios.js';
import { startFakeAws, type FakeAws } from '../fake-aws/server.js';

describe('smoke', () => {
  for (const [name, make] of Object.entries(SCENARIOS)) {
    it(name, async () => {
      const scenario = make();
      const fake = await startFakeAws(scenario.model);
      process.env.AWS_ENDPOINT_URL = fake.url;
      process.env.AWS_ACCESS_KEY_ID = scenario.caller.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = scenario.caller.secretAccessKey;
      process.env.AWS_REGION = 'us-east-1';
      process.env.AWS_CONFIG_FILE = '/nonexistent';
      process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent';
      try {
        const org = scenario.model.organization !== null;
        const snapshot = await collectSnapshot({ org, roleName: scenario.scanRoleName, regions: 'all', now: () => new Date('2024-06-01T12:00:00Z'), ...(org ? {} : {}) });
        const validate = snapshotValidator();
        const ok = validate(snapshot);
        console.log(name, JSON.stringify(snapshot, null, 1).slice(0, 6000));
        console.log(name, 'errors', JSON.stringify(validate.errors?.slice(0, 5)));
        console.log(name, 'calls', fake.calls.length, JSON.stringify(fake.calls.filter(c=>c.errorCode).map(c=>[c.service,c.action,c.accountId,c.region,c.errorCode])).slice(0,3000));
        expect(fake.unexpectedErrors).toEqual([]);
        expect(ok).toBe(true);
      } finally {
        await fake.close();
      }
    });
  }
});
