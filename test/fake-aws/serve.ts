/**
 * Runs a fake AWS in a process of its own, so a benchmarked scan does not share its event loop
 * (the fake costs a few tenths of a millisecond of CPU per call). After compiling:
 *
 *   node serve.js --scenario org-trail-with-log-archive
 *   node serve.js --accounts 1000 --regions 17 --own-trail-share 0.1 --seed 1 --latency-ms 50 --throttling aws
 *   node serve.js --accounts 100 --digest-hours 24 --now 2026-11-01T12:00:00Z   (signed digest chains of the organization trail)
 *
 * Prints one JSON line, `{ url, caller, scanRoleName, scanAccountIds }`. Started with
 * child_process.fork, it answers the message `calls` with `{ calls, unexpectedErrors, cpu }` (the call log, its failures, its CPU time) and exits on `close`.
 */
import { parseArgs } from 'node:util';
import { AWS_LIKE_RATE_LIMITS } from './behaviour.js';
import { addOrganizationChains } from './digests.js';
import { generateOrganization, SCENARIOS, type Scenario } from './scenarios.js';
import { startFakeAws } from './server.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string' },
    accounts: { type: 'string', default: '1000' },
    regions: { type: 'string', default: '17' },
    'own-trail-share': { type: 'string', default: '0.1' },
    'roles-per-account': { type: 'string', default: '0' },
    'organizational-units': { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    'latency-ms': { type: 'string', default: '0' },
    throttling: { type: 'string', default: 'off' },
    port: { type: 'string', default: '0' },
    'digest-hours': { type: 'string', default: '0' },
    now: { type: 'string' },
  },
});

function chosenScenario(): Scenario {
  if (values.scenario !== undefined) {
    const build = SCENARIOS[values.scenario];
    if (!build) throw new Error(`unknown scenario ${values.scenario}; known: ${Object.keys(SCENARIOS).join(', ')}`);
    return build();
  }
  return generateOrganization({
    accounts: Number(values.accounts),
    regions: Number(values.regions),
    ownTrailShare: Number(values['own-trail-share']),
    seed: Number(values.seed),
    rolesPerAccount: Number(values['roles-per-account']),
    organizationalUnits: Number(values['organizational-units']),
  });
}

if (values.throttling !== 'aws' && values.throttling !== 'off') throw new Error('--throttling is aws or off');
const scenario = chosenScenario();
const digestHours = Number(values['digest-hours']);
if (digestHours > 0) addOrganizationChains(scenario.model, { hours: digestHours, now: values.now ?? new Date().toISOString() });
const fake = await startFakeAws(scenario.model, {
  latencyMs: Number(values['latency-ms']),
  throttling: values.throttling === 'aws' ? AWS_LIKE_RATE_LIMITS : undefined,
  port: Number(values.port),
});
process.stdout.write(`${JSON.stringify({ url: fake.url, caller: scenario.caller, scanRoleName: scenario.scanRoleName, scanAccountIds: scenario.scanAccountIds })}\n`);

/** Closing the server and the IPC channel leaves nothing to wait for, so the process ends by itself. */
async function shutDown(): Promise<void> {
  await fake.close();
  if (process.connected) process.disconnect();
}

process.on('message', (message: unknown) => {
  if (message === 'calls') process.send?.({ calls: fake.calls, unexpectedErrors: fake.unexpectedErrors.map(String), cpu: process.cpuUsage() });
  if (message === 'close') void shutDown();
});
process.on('SIGTERM', () => void shutDown());
