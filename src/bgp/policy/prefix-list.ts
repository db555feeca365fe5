import { formatPrefix, maskOf, prefixCovers, prefixesOverlap, type Prefix } from '../../net/address.js';
import { PolicyError, PolicyErrorCode } from './errors.js';
import type { PrefixListEntry } from './types.js';

/** A prefix-list entry with its length range resolved. */
export interface PrefixRange {
  readonly prefix: Prefix;
  readonly min: number;
  readonly max: number;
}

/**
 * Validates an entry and resolves its length range (see PrefixListEntry). Rejected: host bits
 * in the prefix, ge/le outside [entry length, 32], ge > le.
 */
export function compilePrefixEntry(entry: PrefixListEntry, where: string): PrefixRange {
  const { prefix, ge, le } = entry;
  const len = prefix.length;
  if (!Number.isInteger(len) || len < 0 || len > 32 || ((prefix.address & maskOf(len)) >>> 0) !== prefix.address) {
    throw new PolicyError(PolicyErrorCode.BadPrefixRange, where, `${formatPrefix(prefix)} is not a network prefix (host bits set or bad length)`);
  }
  const check = (v: number | undefined, name: string): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < len || v > 32)) {
      throw new PolicyError(PolicyErrorCode.BadPrefixRange, where, `${name} ${v} must be between the prefix length ${len} and 32`);
    }
  };
  check(ge, 'ge');
  check(le, 'le');
  const min = ge ?? len;
  const max = le ?? (ge !== undefined ? 32 : len);
  if (min > max) throw new PolicyError(PolicyErrorCode.BadPrefixRange, where, `ge ${min} is greater than le ${max}`);
  return { prefix, min, max };
}

export function prefixInRange(range: PrefixRange, prefix: Prefix): boolean {
  return prefix.length >= range.min && prefix.length <= range.max && prefixCovers(range.prefix, prefix);
}

export function prefixListMatches(ranges: readonly PrefixRange[], prefix: Prefix): boolean {
  for (const r of ranges) if (prefixInRange(r, prefix)) return true;
  return false;
}

export function overlapsAny(prefixes: readonly Prefix[], prefix: Prefix): boolean {
  for (const p of prefixes) if (prefixesOverlap(p, prefix)) return true;
  return false;
}
