import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { prefixesOverlap, type Prefix } from '../../src/net/address.js';
import { overlappingPairs } from '../../src/topology/checks.js';

/*
 * `check` compares subnets and address spaces by sorting and sweeping instead of comparing every
 * pair: it must find exactly the pairs, in exactly the order, the comparison with every earlier
 * prefix found (so the same findings are listed when there are more than MAX_ISSUES).
 */

function everyPair(prefixes: readonly Prefix[]): [number, number][] {
  const out: [number, number][] = [];
  prefixes.forEach((p, i) => prefixes.slice(0, i).forEach((q, j) => { if (prefixesOverlap(p, q)) out.push([i, j]); }));
  return out;
}

// Few distinct high bits, so that nesting, equal and disjoint prefixes all occur.
const prefix = fc.record({ address: fc.integer({ min: 0, max: 15 }).map((x) => ((x << 28) | (x & 3) << 20) >>> 0), length: fc.integer({ min: 0, max: 32 }) })
  .map(({ address, length }) => ({ address: length === 0 ? 0 : (address & ((0xffffffff << (32 - length)) >>> 0)) >>> 0, length }));

describe('overlapping prefixes, sorted and swept', () => {
  it('finds the same pairs in the same order as comparing every pair', () => {
    fc.assert(fc.property(fc.array(prefix, { maxLength: 40 }), (prefixes) => {
      assert.deepEqual(overlappingPairs(prefixes), everyPair(prefixes));
    }), { numRuns: 500 });
  });

  it('a site of 10,000 disjoint /24s and one /8 over them: one pair per /24', () => {
    const lans = Array.from({ length: 10_000 }, (_, i): Prefix => ({ address: ((10 << 24) | (i << 8)) >>> 0, length: 24 }));
    const pairs = overlappingPairs([...lans, { address: 10 << 24, length: 8 }]);
    assert.equal(pairs.length, 10_000);
    assert.deepEqual(pairs[0], [10_000, 0]);
  });
});
