import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatPrefix, parsePrefix, type Prefix } from '../../src/net/address.js';
import { LocRib } from '../../src/bgp/rib/loc-rib.js';
import { PrefixMap } from '../../src/bgp/rib/prefix-map.js';
import { PeerState } from '../../src/bgp/rib/peer.js';

/*
 * PrefixMap is an open-addressing table (deleted-slot markers, resizing both ways): random
 * sequences of sets and deletes must leave it agreeing with a Map keyed by the prefix text, after
 * every step. The prefixes are drawn from a few runs of consecutive networks (the case the
 * table's hash keeps together) plus scattered ones, in a few lengths, so that runs collide,
 * wrap around the end of the table, and shrink back.
 */

const LENGTHS = [0, 8, 23, 24, 32];

const prefixArb = fc.record({
  length: fc.constantFrom(...LENGTHS),
  base: fc.constantFrom(0x0a000000, 0xc0000200, 0xfffff000, 0x01020300),
  offset: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 0xffff })),
}).map(({ length, base, offset }): Prefix => {
  if (length === 0) return { address: 0, length };
  const shift = 32 - length;
  const network = ((base >>> shift) + offset) % 2 ** length; // consecutive networks from `base`
  return { address: (network * 2 ** shift) >>> 0, length };
});

type Op = { type: 'set'; prefix: Prefix; value: number } | { type: 'delete'; prefix: Prefix };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant('set' as const), prefix: prefixArb, value: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('delete' as const), prefix: prefixArb }) },
);

function check(map: PrefixMap<number>, model: Map<string, number>): void {
  assert.equal(map.size, model.size);
  const entries = new Map([...map.entries()].map(([p, v]) => [formatPrefix(p), v]));
  assert.deepEqual(entries, model);
  for (const [text, value] of model) {
    const prefix = parsePrefix(text);
    assert.equal(map.get(prefix), value, text);
    assert.equal(map.has(prefix), true);
  }
  assert.equal([...map.values()].length, model.size);
}

describe('PrefixMap', () => {
  it('agrees with a Map after any sequence of sets and deletes', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => {
        const map = new PrefixMap<number>();
        const model = new Map<string, number>();
        for (const op of ops) {
          const key = formatPrefix(op.prefix);
          if (op.type === 'set') {
            map.set(op.prefix, op.value);
            model.set(key, op.value);
          } else {
            assert.equal(map.delete(op.prefix), model.delete(key), `delete ${key}`);
            assert.equal(map.get(op.prefix), undefined);
          }
        }
        check(map, model);
      }),
      { numRuns: 300 },
    );
  });

  it('grows to a full table of consecutive /24s and shrinks back to nothing', () => {
    const map = new PrefixMap<number>();
    const at = (i: number): Prefix => ({ address: (0x01000000 + i * 256) >>> 0, length: 24 });
    const n = 50_000;
    for (let i = 0; i < n; i++) map.set(at(i), i);
    assert.equal(map.size, n);
    for (let i = 0; i < n; i += 7) assert.equal(map.get(at(i)), i);
    // Delete every other one, then the rest in reverse: markers in the middle of runs, then not.
    for (let i = 0; i < n; i += 2) assert.ok(map.delete(at(i)));
    for (let i = 1; i < n; i += 2) assert.equal(map.get(at(i)), i);
    for (let i = n - 1; i >= 1; i -= 2) assert.ok(map.delete(at(i)));
    assert.equal(map.size, 0);
    assert.deepEqual([...map.entries()], []);
    assert.equal(map.get(at(1)), undefined);
  });
});

describe('LocRib ids', () => {
  it('are unique among live destinations, reused after removal, and start over when empty', () => {
    const rib = new LocRib();
    const peer = new PeerState({ id: 'p', address: 1, asn: 65001, localAddress: 2 }, 'ebgp');
    const attrs = Object.freeze({ origin: 0, asPath: [] }) as never;
    const at = (i: number): Prefix => ({ address: (0x0a000000 + i * 256) >>> 0, length: 24 });
    const dests = Array.from({ length: 10_000 }, (_, i) => rib.create(at(i), peer, attrs, 0));
    assert.equal(new Set(dests.map((d) => d.id)).size, dests.length);
    for (let i = 0; i < dests.length; i += 3) rib.remove(dests[i]!);
    const again = Array.from({ length: 5_000 }, (_, i) => rib.create(at(20_000 + i), peer, attrs, 0));
    const live = [...rib.values()].map((d) => d.id);
    assert.equal(new Set(live).size, live.length, 'no id used twice');
    assert.ok(Math.max(...live) < dests.length + 2_000, 'freed ids are reused before new ones');
    for (const d of [...rib.values()]) rib.remove(d);
    assert.equal(rib.size, 0);
    assert.equal(rib.create(at(0), peer, attrs, 0).id, 0);
    void again;
  });
});
