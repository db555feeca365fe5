import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseIpv4 } from '../../src/net/address.js';
import { decide, type Candidate, type DecisionOptions, type DecisionReason, type PeerKind } from '../../src/bgp/rib/decision.js';
import { Origin, type AsPathSegment, type PathAttributes } from '../../src/bgp/types.js';

/** A candidate with its IGP cost attached (undefined = next hop unreachable). */
interface TestCandidate extends Candidate {
  cost: number | undefined;
}

interface Spec {
  id?: string;
  kind?: PeerKind;
  address?: string;
  routerId?: string;
  weight?: number;
  localPref?: number;
  path?: number[] | AsPathSegment[];
  origin?: Origin;
  med?: number;
  cost?: number | 'unreachable';
  originatorId?: string;
  clusterList?: number[];
}

function cand(spec: Spec): TestCandidate {
  const path = spec.path ?? [65010];
  const asPath: AsPathSegment[] = typeof path[0] === 'number' || path.length === 0 ? [{ type: 'sequence', asns: path as number[] }] : (path as AsPathSegment[]);
  const attrs: PathAttributes = { origin: spec.origin ?? Origin.IGP, asPath, nextHop: parseIpv4('192.0.2.1') };
  if (spec.localPref !== undefined) attrs.localPref = spec.localPref;
  if (spec.med !== undefined) attrs.med = spec.med;
  if (spec.originatorId !== undefined) attrs.originatorId = parseIpv4(spec.originatorId);
  if (spec.clusterList !== undefined) attrs.clusterList = spec.clusterList;
  return {
    source: {
      id: spec.id ?? 'x',
      kind: spec.kind ?? 'ibgp',
      address: parseIpv4(spec.address ?? '10.0.0.9'),
      routerId: parseIpv4(spec.routerId ?? '9.9.9.9'),
    },
    attrs,
    weight: spec.weight ?? 0,
    cost: spec.cost === 'unreachable' ? undefined : (spec.cost ?? 10),
  };
}

const cost = (c: TestCandidate): number | undefined => c.cost;

/**
 * Each row: two routes equal in everything the earlier steps look at, differing in what the named
 * step compares. `a` and `b` start from the same base; the row changes one field of one of them.
 */
const STEPS: { name: string; a: Spec; b: Spec; winner: 'a' | 'b'; why: DecisionReason; options?: DecisionOptions }[] = [
  { name: 'resolvable next hop', a: { cost: 'unreachable' }, b: {}, winner: 'b', why: 'nexthop' },
  { name: 'highest weight', a: {}, b: { weight: 100 }, winner: 'b', why: 'weight' },
  { name: 'highest LOCAL_PREF', a: {}, b: { localPref: 200 }, winner: 'b', why: 'local-pref' },
  { name: 'LOCAL_PREF missing = 100', a: {}, b: { localPref: 90 }, winner: 'a', why: 'local-pref' },
  { name: 'LOCAL_PREF default is configurable', a: {}, b: { localPref: 90 }, winner: 'b', why: 'local-pref', options: { defaultLocalPref: 50 } },
  { name: 'shortest AS_PATH', a: { path: [65010] }, b: { path: [65010, 65020] }, winner: 'a', why: 'as-path-length' },
  {
    name: 'an AS_SET counts as one',
    a: { path: [{ type: 'sequence', asns: [65010] }, { type: 'set', asns: [1, 2, 3] }] },
    b: { path: [65010, 65020, 65030] },
    winner: 'a',
    why: 'as-path-length',
  },
  {
    name: 'confederation segments count zero',
    a: { path: [{ type: 'confed-sequence', asns: [64512, 64513] }, { type: 'sequence', asns: [65010] }] },
    b: { path: [65010, 65020] },
    winner: 'a',
    why: 'as-path-length',
  },
  { name: 'lowest ORIGIN', a: { origin: Origin.INCOMPLETE }, b: { origin: Origin.EGP }, winner: 'b', why: 'origin' },
  { name: 'lowest MED (same neighbour AS)', a: { med: 10 }, b: { med: 5 }, winner: 'b', why: 'med' },
  { name: 'missing MED counts as 0', a: {}, b: { med: 1 }, winner: 'a', why: 'med' },
  { name: 'missing MED as worst (option)', a: {}, b: { med: 1 }, winner: 'b', why: 'med', options: { medMissingAsWorst: true } },
  { name: 'eBGP over iBGP', a: { kind: 'ebgp' }, b: {}, winner: 'a', why: 'ebgp-over-ibgp' },
  { name: 'locally originated ranks with eBGP', a: { kind: 'local' }, b: {}, winner: 'a', why: 'ebgp-over-ibgp' },
  { name: 'lowest IGP cost', a: { cost: 20 }, b: { cost: 5 }, winner: 'b', why: 'igp-cost' },
  { name: 'lowest BGP identifier', a: { routerId: '3.3.3.3' }, b: { routerId: '2.2.2.2' }, winner: 'b', why: 'router-id' },
  { name: 'ORIGINATOR_ID stands in for the identifier', a: { routerId: '8.8.8.8', originatorId: '1.1.1.1' }, b: { routerId: '2.2.2.2' }, winner: 'a', why: 'router-id' },
  { name: 'shortest CLUSTER_LIST', a: { clusterList: [1, 2] }, b: { clusterList: [1] }, winner: 'b', why: 'cluster-list-length' },
  { name: 'lowest peer address', a: { address: '10.0.0.20' }, b: { address: '10.0.0.3' }, winner: 'b', why: 'peer-address' },
];

describe('decision process: each step decides when the earlier ones tie', () => {
  for (const row of STEPS) {
    it(`${row.name} → ${row.why}`, () => {
      const a = cand({ ...row.a, id: 'a' });
      const b = cand({ ...row.b, id: 'b' });
      for (const order of [[a, b], [b, a]]) {
        const d = decide(order, cost, row.options);
        assert.equal(d.best, row.winner === 'a' ? a : b);
        assert.equal(d.why, row.why);
      }
    });
  }

  it('reports only-path and no-eligible-path', () => {
    const a = cand({});
    assert.deepEqual(decide([a], cost), { best: a, why: 'only-path', multipath: [a] });
    const u = cand({ cost: 'unreachable' });
    assert.deepEqual(decide([u], cost), { best: undefined, why: 'no-eligible-path', multipath: [] });
    assert.equal(decide([u, cand({ id: 'v', cost: 'unreachable' })], cost).best, undefined);
    assert.equal(decide([], cost).why, 'no-eligible-path');
  });
});

describe('MED', () => {
  // a: via AS 100 with a high MED but a close next hop; b: via AS 200 with a low MED, far away.
  const a = cand({ id: 'a', path: [100], med: 50, cost: 1 });
  const b = cand({ id: 'b', path: [200], med: 10, cost: 5 });

  it('is compared only between routes from the same neighbouring AS', () => {
    const d = decide([a, b], cost);
    assert.equal(d.best, a);
    assert.equal(d.why, 'igp-cost');
  });

  it('is compared across ASes with alwaysCompareMed', () => {
    const d = decide([a, b], cost, { alwaysCompareMed: true });
    assert.equal(d.best, b);
    assert.equal(d.why, 'med');
  });

  it('groups paths that start with our own AS (empty paths) together', () => {
    const x = cand({ id: 'x', path: [], med: 20 });
    const y = cand({ id: 'y', path: [], med: 10, routerId: '9.9.9.10' });
    assert.equal(decide([x, y], cost).best, y);
    assert.equal(decide([x, y], cost).why, 'med');
  });

  it('RFC 3345 §2: the non-transitive triplet has one answer whatever the arrival order', () => {
    // Pairwise: r1 beats r2 (different AS, lower IGP cost), r2 beats r3 (different AS, lower
    // cost), r3 beats r1 (same AS 100, lower MED): a cycle, so a pairwise "compare with the
    // current best" depends on order. Elimination: MED removes r1 (AS 100: 20 > 10), then IGP
    // cost picks r2 (10 < 15).
    const r1 = cand({ id: 'r1', path: [100], med: 20, cost: 5, address: '10.0.0.1' });
    const r2 = cand({ id: 'r2', path: [200], med: 0, cost: 10, address: '10.0.0.2' });
    const r3 = cand({ id: 'r3', path: [100], med: 10, cost: 15, address: '10.0.0.3' });
    for (const order of permutations([r1, r2, r3])) {
      const d = decide(order, cost);
      assert.equal(d.best, r2);
      assert.equal(d.why, 'igp-cost');
    }
  });
});

describe('multipath', () => {
  it('keeps equal paths up to maxPaths, best first, same AS path unless relaxed', () => {
    const a = cand({ id: 'a', kind: 'ebgp', path: [65010, 65100], routerId: '2.2.2.2', address: '10.0.1.2' });
    const b = cand({ id: 'b', kind: 'ebgp', path: [65010, 65100], routerId: '3.3.3.3', address: '10.0.2.2' });
    const c = cand({ id: 'c', kind: 'ebgp', path: [65020, 65100], routerId: '1.1.1.1', address: '10.0.3.2' });
    const strict = decide([b, c, a], cost, { maxPaths: 4 });
    assert.equal(strict.best, c);
    assert.deepEqual(strict.multipath, [c]);
    const relaxed = decide([b, c, a], cost, { maxPaths: 2, multipathRelax: true });
    assert.deepEqual(relaxed.multipath, [c, a]);
    const noC = decide([b, a], cost, { maxPaths: 4 });
    assert.deepEqual(noC.multipath, [a, b]);
    assert.deepEqual(decide([b, a], cost).multipath, [a]);
  });
});

// ---------------------------------------------------------------------------------------------

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  const out: T[][] = [];
  items.forEach((item, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) out.push([item, ...rest]);
  });
  return out;
}

/** Small value domains so that ties, shared neighbour ASes and MED conflicts are common. */
const candidateArb = fc.record({
  kind: fc.constantFrom<PeerKind>('ebgp', 'ibgp'),
  weight: fc.constantFrom(0, 0, 100),
  localPref: fc.option(fc.constantFrom(100, 200, 50), { nil: undefined }),
  path: fc.array(fc.constantFrom(100, 200, 300), { minLength: 0, maxLength: 3 }),
  origin: fc.constantFrom<Origin>(Origin.IGP, Origin.EGP, Origin.INCOMPLETE),
  med: fc.option(fc.constantFrom(0, 10, 20), { nil: undefined }),
  cost: fc.constantFrom<number | 'unreachable'>(0, 5, 10, 10, 'unreachable'),
  routerId: fc.constantFrom('1.1.1.1', '2.2.2.2', '3.3.3.3'),
  originatorId: fc.option(fc.constantFrom('1.1.1.1', '4.4.4.4'), { nil: undefined, freq: 4 }),
});

describe('order independence (property)', () => {
  for (const options of [{}, { alwaysCompareMed: true }, { medMissingAsWorst: true, maxPaths: 4 }] as DecisionOptions[]) {
    it(`the best path is the same for every arrival order ${JSON.stringify(options)}`, () => {
      fc.assert(
        fc.property(fc.array(candidateArb, { minLength: 1, maxLength: 5 }), (specs) => {
          // Distinct sessions: one route per peer, each with its own address.
          const cands = specs.map((s, i) => cand({ ...s, id: `p${i}`, address: `10.0.${i}.2` }));
          const first = decide(cands, cost, options);
          for (const order of permutations(cands)) {
            const d = decide(order, cost, options);
            assert.equal(d.best, first.best);
            assert.equal(d.why, first.why);
            assert.deepEqual(d.multipath, first.multipath);
          }
          // Sanity: the best is eligible and nothing eligible has a higher weight or preference.
          const eligible = cands.filter((c) => c.cost !== undefined);
          if (eligible.length === 0) return assert.equal(first.best, undefined);
          const best = first.best!;
          assert.notEqual(best.cost, undefined);
          const pref = (c: TestCandidate): number => c.weight * 1e6 + (c.attrs.localPref ?? 100);
          for (const c of eligible) assert.ok(pref(c) <= pref(best));
        }),
        { numRuns: 400 },
      );
    });
  }
});
