import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatPrefix, makePrefix, parsePrefix, prefixContains, type Prefix } from '../../src/net/address.js';
import { LpmTable } from '../../src/net/lpm.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const prefixArb: fc.Arbitrary<Prefix> = fc.tuple(u32, fc.integer({ min: 0, max: 32 })).map(([a, l]) => makePrefix(a, l));

/** The reference: scan every prefix, keep the longest that contains the address. */
function linearScan(entries: Map<string, { prefix: Prefix; value: number }>, address: number): number | undefined {
  let best: { prefix: Prefix; value: number } | undefined;
  for (const e of entries.values()) {
    if (prefixContains(e.prefix, address) && (best === undefined || e.prefix.length > best.prefix.length)) best = e;
  }
  return best?.value;
}

describe('LpmTable', () => {
  it('agrees with a linear scan after random inserts and deletes', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.boolean(), prefixArb, fc.integer()), { maxLength: 200 }),
      fc.array(u32, { maxLength: 100 }),
      (ops, probes) => {
        const table = new LpmTable<number>();
        const reference = new Map<string, { prefix: Prefix; value: number }>();
        for (const [insert, prefix, value] of ops) {
          if (insert) {
            table.set(prefix, value);
            reference.set(formatPrefix(prefix), { prefix, value });
          } else {
            assert.equal(table.delete(prefix), reference.delete(formatPrefix(prefix)));
          }
        }
        assert.equal(table.size, reference.size);
        // Probe random addresses and the edges of every stored prefix.
        const addresses = [...probes, ...[...reference.values()].flatMap((e) => [e.prefix.address, e.prefix.address + 1 >>> 0])];
        for (const a of addresses) assert.equal(table.lookup(a), linearScan(reference, a));
      },
    ), { numRuns: 500 });
  });

  it('prefers the most specific route and falls back to the default', () => {
    const t = new LpmTable<string>();
    t.set(parsePrefix('0.0.0.0/0'), 'default');
    t.set(parsePrefix('10.0.0.0/8'), 'ten');
    t.set(parsePrefix('10.3.1.254/32'), 'host');
    assert.equal(t.lookup(0x0a0301fe), 'host');
    assert.equal(t.lookup(0x0a0301fd), 'ten');
    assert.equal(t.lookup(0xc0a82501), 'default');
    assert.deepEqual(t.lookupEntry(0x0a0301fd)?.prefix, parsePrefix('10.0.0.0/8'));
  });
});
