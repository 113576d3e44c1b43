/**
 * Deterministic slices of the accounts for `--shard I/N`: an account belongs to slice
 * hash(id) mod N, so every runner of a matrix decides alone, as pages stream in, and the N slices
 * cover each account exactly once.
 */

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/**
 * 32-bit FNV-1a with murmur3's fmix32 finalizer: stable across platforms and Node versions, unlike
 * anything seeded. FNV-1a alone is a poor modulus source: its lowest bit is the parity of the
 * input's lowest bits, so twelve-digit account ids can all land in one half of `--shard x/2`.
 */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

export function validateShard(shard: Shard): void {
  if (!Number.isInteger(shard.count) || shard.count < 1 || !Number.isInteger(shard.index) || shard.index < 1 || shard.index > shard.count) {
    throw new RangeError(`shard ${shard.index}/${shard.count} is not I/N with 1 <= I <= N`);
  }
}

export function inShard(accountId: string, shard: Shard | undefined): boolean {
  return shard === undefined || stableHash(accountId) % shard.count === shard.index - 1;
}
