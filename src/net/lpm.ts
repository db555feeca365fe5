import { formatPrefix, maskOf, type Ipv4Address, type Prefix } from './address.js';

/**
 * A longest-prefix-match table: one hash map per prefix length, searched from the longest length
 * in use down. A lookup costs one map probe per distinct length present (a handful in a gateway's
 * table); inserts and deletes are O(1). The property tests check it against a linear scan.
 */
export class LpmTable<T> {
  private readonly byLength: Map<number, T>[] = Array.from({ length: 33 }, () => new Map<number, T>());
  /** Lengths with at least one entry, longest first. */
  private lengths: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  set(prefix: Prefix, value: T): void {
    const map = this.byLength[prefix.length]!;
    const key = (prefix.address & maskOf(prefix.length)) >>> 0;
    if (!map.has(key)) {
      this.count++;
      if (map.size === 0) this.lengths = insertDescending(this.lengths, prefix.length);
    }
    map.set(key, value);
  }

  get(prefix: Prefix): T | undefined {
    return this.byLength[prefix.length]!.get((prefix.address & maskOf(prefix.length)) >>> 0);
  }

  delete(prefix: Prefix): boolean {
    const map = this.byLength[prefix.length]!;
    const removed = map.delete((prefix.address & maskOf(prefix.length)) >>> 0);
    if (removed) {
      this.count--;
      if (map.size === 0) this.lengths = this.lengths.filter((l) => l !== prefix.length);
    }
    return removed;
  }

  /** The value of the longest prefix containing `address`. */
  lookup(address: Ipv4Address): T | undefined {
    const lengths = this.lengths;
    for (let i = 0; i < lengths.length; i++) {
      const len = lengths[i]!;
      const v = this.byLength[len]!.get(len === 0 ? 0 : (address & MASKS[len]!) >>> 0);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** The longest matching prefix and its value. */
  lookupEntry(address: Ipv4Address): { prefix: Prefix; value: T } | undefined {
    for (const len of this.lengths) {
      const key = len === 0 ? 0 : (address & MASKS[len]!) >>> 0;
      const v = this.byLength[len]!.get(key);
      if (v !== undefined) return { prefix: { address: key, length: len }, value: v };
    }
    return undefined;
  }

  /** Every entry, most specific first, then by address (a stable order for display). */
  *entries(): IterableIterator<{ prefix: Prefix; value: T }> {
    for (const len of this.lengths) {
      const keys = [...this.byLength[len]!.keys()].sort((a, b) => a - b);
      for (const key of keys) yield { prefix: { address: key, length: len }, value: this.byLength[len]!.get(key)! };
    }
  }

  clear(): void {
    for (const m of this.byLength) m.clear();
    this.lengths = [];
    this.count = 0;
  }

  toString(): string {
    return [...this.entries()].map((e) => formatPrefix(e.prefix)).join(', ');
  }
}

const MASKS: number[] = Array.from({ length: 33 }, (_, len) => maskOf(len));

function insertDescending(list: number[], value: number): number[] {
  return [...list, value].sort((a, b) => b - a);
}
