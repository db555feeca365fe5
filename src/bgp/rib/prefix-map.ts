import { maskOf, type Prefix } from '../../net/address.js';

/**
 * An exact-match map keyed by prefix: one Map per prefix length, keyed by the network address as
 * a signed 32-bit integer. V8 keeps such keys unboxed (Smis on 64-bit builds), so an entry costs
 * the map slot alone, with no key object or string: this is what makes a million-route table
 * cheap. Iteration is by length (shortest first), then insertion order: deterministic.
 */
export class PrefixMap<T> {
  private readonly byLength: (Map<number, T> | undefined)[] = new Array<Map<number, T> | undefined>(33);
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(prefix: Prefix): T | undefined {
    return this.byLength[prefix.length]?.get(prefix.address | 0);
  }

  has(prefix: Prefix): boolean {
    return this.byLength[prefix.length]?.has(prefix.address | 0) ?? false;
  }

  set(prefix: Prefix, value: T): void {
    let map = this.byLength[prefix.length];
    if (map === undefined) {
      map = new Map<number, T>();
      this.byLength[prefix.length] = map;
    }
    const before = map.size;
    map.set(prefix.address | 0, value);
    this.count += map.size - before; // one hash lookup instead of has() + set()
  }

  delete(prefix: Prefix): boolean {
    const map = this.byLength[prefix.length];
    if (map === undefined || !map.delete(prefix.address | 0)) return false;
    this.count--;
    return true;
  }

  clear(): void {
    this.byLength.fill(undefined);
    this.count = 0;
  }

  /** Entries as [prefix, value]; the prefix objects are built on the fly. */
  *entries(): IterableIterator<[Prefix, T]> {
    for (let len = 0; len <= 32; len++) {
      const map = this.byLength[len];
      if (map === undefined) continue;
      for (const [key, value] of map) yield [{ address: key >>> 0, length: len }, value];
    }
  }

  *values(): IterableIterator<T> {
    for (const map of this.byLength) if (map !== undefined) yield* map.values();
  }
}

/** True when `prefix` is a well-formed IPv4 prefix: length 0-32, no host bits set. */
export function isValidPrefix(prefix: Prefix): boolean {
  const { address, length } = prefix;
  return Number.isInteger(length) && length >= 0 && length <= 32 && Number.isInteger(address) && address >= 0 &&
    address <= 0xffffffff && ((address & maskOf(length)) >>> 0) === address;
}
