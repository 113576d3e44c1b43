/** The fake AWS as the end-to-end tests and the benchmark use it. */
export { AWS_LIKE_RATE_LIMITS, FaultInjector, Throttler, type Fault, type FaultKind, type FaultMatch, type FaultRule, type RateLimit, type RateLimitTable } from './behaviour.js';
export * from './model.js';
export * from './scenarios.js';
export { isReadOnlyAction, startFakeAws, type CallRecord, type FakeAws, type FakeAwsOptions } from './server.js';
