import { describe, expect, it } from 'vitest';
import { AccountDirectory } from '../../src/collectors/directory.js';
import { RateBudgets, DEFAULT_BUDGETS } from '../../src/collectors/rate-budget.js';
import { inShard, stableHash, validateShard } from '../../src/collectors/shard.js';
import { TaskGroup } from '../../src/collectors/tasks.js';
import { AbortedError } from '../../src/errors.js';

const HASH_OF_EMPTY = 0xab3e7c0b;
const HASH_OF_A = 0x1a80b1b3;

describe('RateBudgets', () => {
  it('lets a burst through, then spaces calls at the rate, per account, region and service', () => {
    let now = 1_000;
    const budgets = new RateBudgets({ ...DEFAULT_BUDGETS, cloudtrail: { rate: 5, burst: 2 } }, () => now);
    const delays = [0, 1, 2, 3].map(() => budgets.reserve('111111111111', 'us-east-1', 'cloudtrail'));
    expect(delays).toEqual([0, 0, 200, 400]);
    expect(budgets.reserve('111111111111', 'eu-west-1', 'cloudtrail')).toBe(0);
    expect(budgets.reserve('222222222222', 'us-east-1', 'cloudtrail')).toBe(0);
    now += 2_000;
    expect(budgets.reserve('111111111111', 'us-east-1', 'cloudtrail')).toBe(0);
  });

  it('keeps every default budget at or under half the AWS quota the fake enforces', () => {
    expect(DEFAULT_BUDGETS.cloudtrail.rate).toBeLessThanOrEqual(5);
    expect(DEFAULT_BUDGETS.organizations.rate).toBeLessThanOrEqual(10);
    expect(DEFAULT_BUDGETS.logs.rate).toBeLessThanOrEqual(5);
  });

  it('stops waiting when the scan is aborted', async () => {
    const budgets = new RateBudgets({ ...DEFAULT_BUDGETS, cloudtrail: { rate: 0.01, burst: 1 } });
    await budgets.take('111111111111', 'us-east-1', 'cloudtrail');
    const controller = new AbortController();
    const waiting = budgets.take('111111111111', 'us-east-1', 'cloudtrail', controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('shards', () => {
  it('splits accounts into N disjoint slices covering all of them', () => {
    const ids = Array.from({ length: 300 }, (_, index) => String(100000000000 + index * 7919));
    const slices = [1, 2, 3].map((index) => ids.filter((id) => inShard(id, { index, count: 3 })));
    expect(slices.flat().sort()).toEqual([...ids].sort());
    for (const slice of slices) expect(slice.length).toBeGreaterThan(60);
    expect(ids.every((id) => inShard(id, undefined))).toBe(true);
  });

  it('hashes the same way everywhere (FNV-1a + fmix32), pinned values', () => {
    expect(stableHash('')).toBe(HASH_OF_EMPTY);
    expect(stableHash('111111111111')).toBe(stableHash('111111111111'));
    expect(stableHash('a')).toBe(HASH_OF_A);
  });

  it('splits account ids evenly, even in halves (FNV-1a alone puts same-parity ids in one half)', () => {
    const counts = [0, 0];
    for (let i = 0; i < 10_000; i++) counts[stableHash(String(100000000000 + i)) % 2]!++;
    expect(Math.min(...counts) / 10_000).toBeGreaterThan(0.45);
    const demo = ['111111111111', '222222222222', '333333333333', '444444444444', '555555555555', '666666666666', '777777777777', '888888888888'];
    expect(new Set(demo.map((id) => inShard(id, { index: 1, count: 2 }))).size).toBe(2);
  });

  it('refuses shards that are not I/N with 1 <= I <= N', () => {
    expect(() => validateShard({ index: 0, count: 2 })).toThrow(RangeError);
    expect(() => validateShard({ index: 3, count: 2 })).toThrow(RangeError);
    expect(() => validateShard({ index: 1, count: 1 })).not.toThrow();
  });
});

describe('AccountDirectory', () => {
  it('answers at once for listed and always-readable accounts, and waits for the listing otherwise', async () => {
    const directory = new AccountDirectory(new Set(['111111111111']));
    directory.add({ id: '222222222222', name: 'log-archive' });
    await expect(directory.includes('111111111111')).resolves.toBe(true);
    await expect(directory.includes('222222222222')).resolves.toBe(true);
    const later = directory.includes('333333333333');
    const never = directory.includes('444444444444');
    directory.add({ id: '333333333333' });
    directory.complete();
    await expect(later).resolves.toBe(true);
    await expect(never).resolves.toBe(false);
    expect(directory.ids().sort()).toEqual(['111111111111', '222222222222', '333333333333']);
    expect(directory.get('222222222222')?.name).toBe('log-archive');
  });
});

describe('TaskGroup', () => {
  it('waits for tasks spawned while waiting and reports an abort before other failures', async () => {
    const group = new TaskGroup();
    const order: string[] = [];
    void group.spawn(async () => {
      order.push('first');
      void group.spawn(async () => {
        order.push('second');
      });
    });
    await group.settle();
    expect(order).toEqual(['first', 'second']);

    const failing = new TaskGroup();
    void failing.spawn(async () => {
      throw new Error('boom');
    });
    void failing.spawn(async () => {
      throw new AbortedError();
    });
    await expect(failing.settle()).rejects.toBeInstanceOf(AbortedError);
  });
});
