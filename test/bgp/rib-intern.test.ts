import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AttributeInterner, attributesEqual, hashAttributes } from '../../src/bgp/rib/intern.js';
import { asPathLength, asPathPrepend, formatAsPath, neighbourAs, originAs, LOCAL_NEIGHBOUR } from '../../src/bgp/rib/as-path.js';
import { Origin, type AsPathSegment, type PathAttributes } from '../../src/bgp/types.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const attrsArb: fc.Arbitrary<PathAttributes> = fc.record(
  {
    origin: fc.constantFrom<Origin>(Origin.IGP, Origin.EGP, Origin.INCOMPLETE),
    asPath: fc.array(fc.record({ type: fc.constantFrom<AsPathSegment['type']>('sequence', 'set'), asns: fc.array(fc.constantFrom(1, 2, 65010), { maxLength: 3 }) }), { maxLength: 2 }),
    nextHop: fc.constantFrom(1, 2),
    med: fc.constantFrom(0, 5),
    localPref: fc.constantFrom(100, 200),
    communities: fc.array(fc.constantFrom(1, 2, 0xffffff01), { maxLength: 2 }),
    largeCommunities: fc.array(fc.record({ globalAdmin: fc.constant(1), localData1: fc.constantFrom(1, 2), localData2: fc.constant(0) }), { maxLength: 1 }),
    atomicAggregate: fc.boolean(),
    aggregator: fc.record({ asn: fc.constantFrom(1, 2), address: u32 }),
    originatorId: fc.constantFrom(7, 8),
    clusterList: fc.array(fc.constantFrom(7, 8), { maxLength: 2 }),
    unknown: fc.array(fc.record({ flags: fc.constantFrom(0xc0, 0x80), type: fc.constantFrom(99, 100), value: fc.uint8Array({ maxLength: 2 }) }), { maxLength: 1 }),
  },
  { requiredKeys: ['origin', 'asPath'] },
);

describe('AttributeInterner', () => {
  it('maps equal values to one frozen object and counts references', () => {
    const interner = new AttributeInterner();
    const make = (): PathAttributes => ({ origin: Origin.IGP, asPath: [{ type: 'sequence', asns: [65010, 65011] }], nextHop: 1, communities: [5] });
    const a = interner.intern(make());
    const b = interner.intern(make());
    assert.equal(a, b);
    assert.equal(interner.size, 1);
    assert.equal(interner.refCount(a), 2);
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a.asPath) && Object.isFrozen(a.asPath[0]) && Object.isFrozen(a.communities));
    assert.equal(interner.intern(a), a, 'interning a canonical value is a retain');
    interner.release(a);
    interner.release(a);
    assert.equal(interner.size, 1);
    interner.release(a);
    assert.equal(interner.size, 0);
    assert.throws(() => interner.release(a), { code: 'ERR_INVALID_ARGUMENT' });
    assert.notEqual(interner.intern(make()), a, 'a released value is never handed out again');
  });

  it('does not keep or alias the caller\'s object', () => {
    const interner = new AttributeInterner();
    const input: PathAttributes = { origin: Origin.IGP, asPath: [{ type: 'sequence', asns: [1] }], communities: [] , atomicAggregate: false };
    const c = interner.intern(input);
    input.asPath[0]!.asns.push(2);
    assert.deepEqual(c, { origin: Origin.IGP, asPath: [{ type: 'sequence', asns: [1] }] }, 'empty lists and a false flag dropped');
  });

  it('agrees with deep equality, and equal values hash the same (property)', () => {
    fc.assert(fc.property(attrsArb, attrsArb, (x, y) => {
      const interner = new AttributeInterner();
      const cx = interner.intern(x);
      const cy = interner.intern(y);
      assert.equal(cx === cy, attributesEqual(x, y));
      if (attributesEqual(x, y)) assert.equal(hashAttributes(x), hashAttributes(y));
      assert.ok(attributesEqual(cx, x));
      interner.release(cx);
      interner.release(cy);
      assert.equal(interner.size, 0);
    }), { numRuns: 1000 });
  });

  it('survives hash collisions (buckets)', () => {
    const interner = new AttributeInterner();
    const held = [];
    for (let i = 0; i < 20000; i++) held.push(interner.intern({ origin: Origin.IGP, asPath: [], med: i }));
    assert.equal(interner.size, 20000);
    for (let i = 0; i < 20000; i++) assert.equal(interner.intern({ origin: Origin.IGP, asPath: [], med: i }), held[i]);
    for (const h of held) { interner.release(h); interner.release(h); }
    assert.equal(interner.size, 0);
  });
});

describe('AS_PATH helpers', () => {
  const seq = (...asns: number[]): AsPathSegment => ({ type: 'sequence', asns });
  it('length, neighbour, origin, text', () => {
    const p: AsPathSegment[] = [{ type: 'confed-sequence', asns: [64512] }, seq(65010, 65011), { type: 'set', asns: [1, 2] }];
    assert.equal(asPathLength(p), 3);
    assert.equal(neighbourAs(p), 65010);
    assert.equal(originAs(p), undefined);
    assert.equal(neighbourAs([]), LOCAL_NEIGHBOUR);
    assert.equal(neighbourAs([{ type: 'set', asns: [1] }]), undefined);
    assert.equal(formatAsPath(p), '(64512) 65010 65011 {1,2}');
  });

  it('prepend fills the first sequence up to 255 and opens new segments beyond', () => {
    assert.deepEqual(asPathPrepend([{ type: 'set', asns: [1] }], 65001, 2), [seq(65001, 65001), { type: 'set', asns: [1] }]);
    const long = asPathPrepend([seq(...new Array<number>(255).fill(7))], 65001, 1);
    assert.deepEqual(long.map((s) => s.asns.length), [1, 255]);
    assert.equal(asPathLength(long), 256);
  });
});
