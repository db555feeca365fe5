import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPrefix, parseIpv4, parsePrefix, type Prefix } from '../../src/net/address.js';
import { ACCEPT_ALL } from '../../src/bgp/policy/types.js';
import { LOCAL_WEIGHT, Rib } from '../../src/bgp/rib/rib.js';
import type { RibChanges } from '../../src/bgp/rib/changes.js';
import { tableRoutesFor } from '../../src/bgp/rib/nexthop.js';
import type { PeerInfo } from '../../src/bgp/rib/peer.js';
import { Origin, WellKnownCommunity, type PathAttributes } from '../../src/bgp/types.js';

/*
 * Topology of the fixture (we are AS 65001, router ID 1.1.1.1):
 *
 *     A (eBGP AS 65010) 10.0.1.2 ── 10.0.1.1 ┐            ┌ 10.0.3.1 ── 10.0.3.2 C (iBGP)
 *                                            us (65001) ──┤
 *     B (eBGP AS 65020) 10.0.2.2 ── 10.0.2.1 ┘            └ 10.0.4.1 ── 10.0.4.2 D (iBGP)
 */
const ip = parseIpv4;
const P1 = parsePrefix('203.0.113.0/24');
const P2 = parsePrefix('198.51.100.0/24');
const P3 = parsePrefix('192.0.2.0/24');

const PEERS: Record<string, PeerInfo> = {
  A: { id: 'A', address: ip('10.0.1.2'), localAddress: ip('10.0.1.1'), asn: 65010, routerId: ip('2.2.2.2'), importPolicy: ACCEPT_ALL, exportPolicy: ACCEPT_ALL },
  B: { id: 'B', address: ip('10.0.2.2'), localAddress: ip('10.0.2.1'), asn: 65020, routerId: ip('3.3.3.3'), importPolicy: ACCEPT_ALL, exportPolicy: ACCEPT_ALL },
  C: { id: 'C', address: ip('10.0.3.2'), localAddress: ip('10.0.3.1'), asn: 65001, routerId: ip('4.4.4.4') },
  D: { id: 'D', address: ip('10.0.4.2'), localAddress: ip('10.0.4.1'), asn: 65001, routerId: ip('5.5.5.5') },
};

function setup(overrides: Partial<Record<string, Partial<PeerInfo>>> = {}) {
  const unreachable = new Set<number>();
  const rib = new Rib({ localAs: 65001, routerId: ip('1.1.1.1'), resolveNextHop: (nh) => (unreachable.has(nh) ? undefined : 1) });
  for (const [id, info] of Object.entries(PEERS)) {
    rib.addPeer({ ...info, ...overrides[id] });
    rib.peerUp(id);
  }
  return { rib, unreachable };
}

function fromA(asPath: number[] = [65010], extra: Partial<PathAttributes> = {}): PathAttributes {
  return { origin: Origin.IGP, asPath: [{ type: 'sequence', asns: asPath }], nextHop: ip('10.0.1.2'), ...extra };
}

function fromC(extra: Partial<PathAttributes> = {}): PathAttributes {
  return { origin: Origin.IGP, asPath: [{ type: 'sequence', asns: [65030] }], nextHop: ip('10.0.3.2'), localPref: 100, ...extra };
}

/** prefix text → attributes announced to `peer` in these changes. */
function announced(changes: RibChanges, peer: string): Map<string, PathAttributes> {
  const out = new Map<string, PathAttributes>();
  for (const u of changes.updates) if (u.peerId === peer) for (const g of u.announced) for (const p of g.prefixes) out.set(formatPrefix(p), g.attrs);
  return out;
}

function withdrawn(changes: RibChanges, peer: string): string[] {
  return changes.updates.filter((u) => u.peerId === peer).flatMap((u) => u.withdrawn.map(formatPrefix));
}

function peersWithUpdates(changes: RibChanges): string[] {
  return changes.updates.map((u) => u.peerId);
}

describe('RIB: eBGP to eBGP', () => {
  it('exports A\'s route to B with our AS prepended and next-hop-self, never back to A', () => {
    const { rib } = setup();
    const ch = rib.update('A', [{ prefix: P1, attrs: fromA([65010, 65100], { med: 50 }) }]);
    const toB = announced(ch, 'B').get('203.0.113.0/24');
    assert.deepEqual(toB, { origin: Origin.IGP, asPath: [{ type: 'sequence', asns: [65001, 65010, 65100] }], nextHop: ip('10.0.2.1') });
    assert.ok(!peersWithUpdates(ch).includes('A'), 'nothing goes back to A');
    assert.equal(rib.explainExport('A', P1), 'source-peer');
    // iBGP: path unchanged, LOCAL_PREF added, next hop unchanged, MED kept inside the AS.
    assert.deepEqual(announced(ch, 'C').get('203.0.113.0/24'), {
      origin: Origin.IGP, asPath: [{ type: 'sequence', asns: [65010, 65100] }], nextHop: ip('10.0.1.2'), med: 50, localPref: 100,
    });
    assert.equal(ch.best.length, 1);
    assert.equal(ch.best[0]!.best?.source.id, 'A');
    assert.equal(ch.best[0]!.why, 'only-path');
    assert.deepEqual(tableRoutesFor(ch.best[0]!), [{ prefix: P1, nextHop: ip('10.0.1.2'), source: 'ebgp', origin: 'bgp A' }]);
  });

  it('withdraws from everyone when A withdraws', () => {
    const { rib } = setup();
    rib.update('A', [{ prefix: P1, attrs: fromA() }]);
    const ch = rib.update('A', [], [P1]);
    assert.deepEqual(withdrawn(ch, 'B'), ['203.0.113.0/24']);
    assert.deepEqual(withdrawn(ch, 'C'), ['203.0.113.0/24']);
    assert.equal(ch.best[0]!.best, undefined);
    assert.equal(rib.size, 0);
    assert.equal(rib.peerReport('B').advertised, 0);
  });

  it('withdraws from everyone when A goes down, and A gets the table again with End-of-RIB when it comes back', () => {
    const { rib } = setup();
    rib.update('A', [{ prefix: P1, attrs: fromA() }, { prefix: P2, attrs: fromA() }]);
    rib.update('B', [{ prefix: P3, attrs: { ...fromA([65020]), nextHop: ip('10.0.2.2') } }]);
    const down = rib.peerDown('A');
    assert.deepEqual(withdrawn(down, 'B').sort(), ['198.51.100.0/24', '203.0.113.0/24']);
    assert.equal(rib.peerReport('A').status, 'down');
    assert.equal(rib.peerReport('A').accepted, 0);
    const up = rib.peerUp('A');
    const toA = up.updates.find((u) => u.peerId === 'A')!;
    assert.equal(toA.endOfRib, true);
    assert.deepEqual(toA.announced.flatMap((g) => g.prefixes.map(formatPrefix)), ['192.0.2.0/24']);
    assert.equal(rib.peerReport('A').eorSent, true);
    assert.equal(rib.peerReport('A').eorReceived, false);
    rib.endOfRib('A');
    assert.equal(rib.peerReport('A').eorReceived, true);
  });

  it('an empty initial advertisement is just End-of-RIB', () => {
    const { rib } = setup();
    rib.peerDown('B');
    assert.deepEqual(rib.peerUp('B').updates, [{ peerId: 'B', withdrawn: [], announced: [], endOfRib: true }]);
  });

  it('withdraws from A when the best moves to A', () => {
    const { rib } = setup();
    rib.update('B', [{ prefix: P1, attrs: { ...fromA([65020, 65100, 65200]), nextHop: ip('10.0.2.2') } }]);
    assert.equal(rib.peerReport('A').advertised, 1);
    const ch = rib.update('A', [{ prefix: P1, attrs: fromA([65010, 65100]) }]);
    assert.deepEqual(withdrawn(ch, 'A'), ['203.0.113.0/24']);
    assert.deepEqual(announced(ch, 'B').get('203.0.113.0/24')?.asPath, [{ type: 'sequence', asns: [65001, 65010, 65100] }]);
    assert.equal(ch.best[0]!.why, 'as-path-length');
  });

  it('implicit withdraw: a re-announcement replaces the previous route', () => {
    const { rib } = setup();
    rib.update('A', [{ prefix: P1, attrs: fromA([65010]) }]);
    const ch = rib.update('A', [{ prefix: P1, attrs: fromA([65010, 65011]) }]);
    assert.deepEqual(announced(ch, 'B').get('203.0.113.0/24')?.asPath, [{ type: 'sequence', asns: [65001, 65010, 65011] }]);
    assert.equal([...rib.adjRibIn('A')].length, 1);
    assert.equal(rib.peerReport('A').accepted, 1);
    // The same route again changes nothing.
    const again = rib.update('A', [{ prefix: P1, attrs: fromA([65010, 65011]) }]);
    assert.deepEqual(again.updates, []);
    assert.deepEqual(again.best, []);
  });

  it('batches: prefixes sharing attributes form one group; a prefix changed twice in a call is sent once', () => {
    const { rib } = setup();
    const attrs = fromA();
    const ch = rib.update('A', [
      { prefix: P1, attrs },
      { prefix: P2, attrs },
      { prefix: P3, attrs: fromA([65010, 65099]) },
      { prefix: P3, attrs },
    ]);
    const toB = ch.updates.find((u) => u.peerId === 'B')!;
    assert.equal(toB.announced.length, 1);
    assert.deepEqual(toB.announced[0]!.prefixes.map(formatPrefix), ['203.0.113.0/24', '198.51.100.0/24', '192.0.2.0/24']);
    // Withdrawn and announced in one UPDATE: announced (withdrawals are applied first).
    const both = rib.update('A', [{ prefix: P1, attrs: fromA([65010, 65012]) }], [P1]);
    assert.deepEqual(withdrawn(both, 'B'), []);
    assert.equal(announced(both, 'B').size, 1);
  });

  it('rejects and counts routes with our own AS in the path (unless allowOwnAs)', () => {
    const { rib } = setup();
    const ch = rib.update('A', [{ prefix: P1, attrs: fromA([65010, 65001, 65100]) }]);
    assert.deepEqual(ch.updates, []);
    assert.equal(rib.lookup(P1), undefined);
    assert.equal(rib.peerReport('A').counters.asLoop, 1);
    const relaxed = setup({ A: { allowOwnAs: 1 } }).rib;
    relaxed.update('A', [{ prefix: P1, attrs: fromA([65010, 65001, 65100]) }]);
    assert.equal(relaxed.lookup(P1)?.best?.source.id, 'A');
  });

  it('a rejected re-announcement withdraws the earlier route', () => {
    const { rib } = setup();
    rib.update('A', [{ prefix: P1, attrs: fromA() }]);
    const ch = rib.update('A', [{ prefix: P1, attrs: fromA([65010, 65001]) }]);
    assert.deepEqual(withdrawn(ch, 'B'), ['203.0.113.0/24']);
  });

  it('ignores LOCAL_PREF sent by an eBGP peer', () => {
    const { rib } = setup();
    rib.update('A', [{ prefix: P1, attrs: fromA([65010], { localPref: 500 }) }]);
    assert.equal([...rib.adjRibIn('A')][0]!.attrs.localPref, undefined);
  });

  it('drops MEDs towards eBGP unless sendMed, but keeps the MED of our own routes', () => {
    const { rib } = setup({ B: { sendMed: true } });
    const ch = rib.update('A', [{ prefix: P1, attrs: fromA([65010], { med: 7 }) }]);
    assert.equal(announced(ch, 'B').get('203.0.113.0/24')?.med, 7);
    const plain = setup().rib;
    const ch2 = plain.update('A', [{ prefix: P1, attrs: fromA([65010], { med: 7 }) }]);
    assert.equal(announced(ch2, 'B').get('203.0.113.0/24')?.med, undefined);
    const own = plain.originate([{ prefix: P2, attrs: { med: 30 } }]);
    assert.equal(announced(own, 'B').get('198.51.100.0/24')?.med, 30);
  });

  it('passes unknown optional transitive attributes with Partial set and drops non-transitive ones', () => {
    const { rib } = setup();
    const unknown = [
      { flags: 0xc0, type: 99, value: new Uint8Array([1, 2, 3]) },
      { flags: 0x80, type: 98, value: new Uint8Array([4]) },
    ];
    const ch = rib.update('A', [{ prefix: P1, attrs: fromA([65010], { unknown }) }]);
    for (const peer of ['B', 'C']) {
      assert.deepEqual(announced(ch, peer).get('203.0.113.0/24')?.unknown, [{ flags: 0xe0, type: 99, value: new Uint8Array([1, 2, 3]) }]);
    }
  });
});

describe('RIB: iBGP and route reflection', () => {
  it('split horizon: iBGP-learned routes go to eBGP peers, not to other iBGP peers', () => {
    const { rib } = setup();
    const ch = rib.update('C', [{ prefix: P1, attrs: fromC() }]);
    assert.deepEqual(peersWithUpdates(ch).sort(), ['A', 'B']);
    assert.equal(rib.explainExport('D', P1), 'ibgp-split-horizon');
    // LOCAL_PREF is not sent to eBGP.
    assert.equal(announced(ch, 'A').get('203.0.113.0/24')?.localPref, undefined);
  });

  it('reflects client routes to everyone and non-client routes to clients, with ORIGINATOR_ID and CLUSTER_LIST', () => {
    const { rib } = setup({ D: { routeReflectorClient: true } });
    const fromNonClient = rib.update('C', [{ prefix: P1, attrs: fromC() }]);
    assert.deepEqual(peersWithUpdates(fromNonClient).sort(), ['A', 'B', 'D']);
    const reflected = announced(fromNonClient, 'D').get('203.0.113.0/24')!;
    assert.equal(reflected.originatorId, ip('4.4.4.4'));
    assert.deepEqual(reflected.clusterList, [ip('1.1.1.1')]);
    assert.equal(reflected.nextHop, ip('10.0.3.2'));
    const fromClient = rib.update('D', [{ prefix: P2, attrs: { ...fromC(), nextHop: ip('10.0.4.2') } }]);
    assert.deepEqual(peersWithUpdates(fromClient).sort(), ['A', 'B', 'C']);
  });

  it('drops reflected routes that loop (our cluster ID in CLUSTER_LIST, our ID as originator)', () => {
    const { rib } = setup({ D: { routeReflectorClient: true } });
    rib.update('C', [
      { prefix: P1, attrs: fromC({ clusterList: [ip('9.9.9.9'), ip('1.1.1.1')] }) },
      { prefix: P2, attrs: fromC({ originatorId: ip('1.1.1.1') }) },
    ]);
    assert.equal(rib.size, 0);
    assert.equal(rib.peerReport('C').counters.reflectorLoop, 2);
  });
});

describe('RIB: communities', () => {
  it('NO_EXPORT: to iBGP, not to eBGP', () => {
    const { rib } = setup();
    const ch = rib.update('A', [{ prefix: P1, attrs: fromA([65010], { communities: [WellKnownCommunity.NoExport] }) }]);
    assert.deepEqual(peersWithUpdates(ch).sort(), ['C', 'D']);
    assert.equal(rib.explainExport('B', P1), 'no-export');
  });

  it('NO_ADVERTISE: to nobody, though it is still the best path', () => {
    const { rib } = setup();
    const ch = rib.update('A', [{ prefix: P1, attrs: fromA([65010], { communities: [0xfde80001, WellKnownCommunity.NoAdvertise] }) }]);
    assert.deepEqual(ch.updates, []);
    assert.equal(ch.best[0]!.best?.source.id, 'A');
    assert.equal(rib.explainExport('C', P1), 'no-advertise');
  });
});

describe('RIB: next-hop reachability', () => {
  it('keeps routes with an unreachable next hop in the Adj-RIB-In, ineligible, until nexthopChanged', () => {
    const { rib, unreachable } = setup();
    unreachable.add(ip('10.0.1.2'));
    const ch = rib.update('A', [{ prefix: P1, attrs: fromA() }]);
    assert.deepEqual(ch.updates, []);
    assert.equal([...rib.adjRibIn('A')].length, 1);
    const view = rib.lookup(P1)!;
    assert.equal(view.best, undefined);
    assert.equal(view.why, 'no-eligible-path');
    assert.equal(view.paths[0]!.eligible, false);

    unreachable.delete(ip('10.0.1.2'));
    const back = rib.nexthopChanged();
    assert.equal(announced(back, 'B').size, 1);
    assert.equal(rib.lookup(P1)!.paths[0]!.eligible, true);

    // And away again: withdrawn, but kept.
    unreachable.add(ip('10.0.1.2'));
    const gone = rib.nexthopChanged();
    assert.deepEqual(withdrawn(gone, 'B'), ['203.0.113.0/24']);
    assert.equal(rib.size, 1);
    // Nothing changed: nothing to do.
    assert.deepEqual(rib.nexthopChanged(), { updates: [], best: [], violations: [], refreshRequests: [] });
  });

  it('falls back to another path when the best one\'s next hop goes away', () => {
    const { rib, unreachable } = setup();
    rib.update('A', [{ prefix: P1, attrs: fromA([65010]) }]);
    rib.update('B', [{ prefix: P1, attrs: { ...fromA([65020, 65021]), nextHop: ip('10.0.2.2') } }]);
    assert.equal(rib.lookup(P1)!.best?.source.id, 'A');
    unreachable.add(ip('10.0.1.2'));
    const ch = rib.nexthopChanged();
    assert.equal(ch.best[0]!.best?.source.id, 'B');
    assert.equal(ch.best[0]!.why, 'nexthop');
    assert.equal(announced(ch, 'A').size, 1);
    assert.deepEqual(withdrawn(ch, 'B'), ['203.0.113.0/24']);
  });
});

describe('RIB: local routes', () => {
  it('originates with weight 32768 and an empty AS_PATH; eBGP sees our AS and our address', () => {
    const { rib } = setup();
    const ch = rib.originate([{ prefix: parsePrefix('10.1.0.0/16') }]);
    const view = rib.lookup(parsePrefix('10.1.0.0/16'))!;
    assert.equal(view.best?.weight, LOCAL_WEIGHT);
    assert.equal(view.best?.source.kind, 'local');
    assert.deepEqual(announced(ch, 'A').get('10.1.0.0/16'), { origin: Origin.IGP, asPath: [{ type: 'sequence', asns: [65001] }], nextHop: ip('10.0.1.1') });
    assert.deepEqual(announced(ch, 'C').get('10.1.0.0/16'), { origin: Origin.IGP, asPath: [], nextHop: ip('10.0.3.1'), localPref: 100 });
    assert.deepEqual(tableRoutesFor(ch.best[0]!), []);
    // A learned route for the same prefix loses on weight.
    rib.update('A', [{ prefix: parsePrefix('10.1.0.0/16'), attrs: fromA() }]);
    assert.equal(rib.lookup(parsePrefix('10.1.0.0/16'))!.why, 'weight');
    const gone = rib.originate([], [parsePrefix('10.1.0.0/16')]);
    assert.equal(gone.best[0]!.best?.source.id, 'A');
  });
});

describe('RIB: attribute interning', () => {
  it('stores equal attribute sets once and releases them when the last route goes', () => {
    const { rib } = setup();
    const base = rib.interner.size;
    assert.equal(base, 0);
    // Two UPDATEs, two distinct but equal objects.
    rib.update('A', [{ prefix: P1, attrs: fromA([65010, 65100]) }]);
    rib.update('A', [{ prefix: P2, attrs: fromA([65010, 65100]) }]);
    const [r1, r2] = [...rib.adjRibIn('A')];
    assert.equal(r1!.attrs, r2!.attrs, 'the same object');
    assert.ok(Object.isFrozen(r1!.attrs) && Object.isFrozen(r1!.attrs.asPath) && Object.isFrozen(r1!.attrs.asPath[0]!.asns));
    const [o1, o2] = [...rib.adjRibOut('B')];
    assert.equal(o1!.attrs, o2!.attrs);
    // One set as received + one exported to eBGP B + one exported to iBGP C and D.
    assert.equal(rib.interner.size, 3);
    rib.update('A', [], [P1]);
    assert.equal(rib.interner.size, 3);
    rib.peerDown('A');
    assert.equal(rib.interner.size, 0);
  });

  it('releases pre-policy copies too (soft-reconfiguration inbound)', () => {
    const { rib } = setup({ A: { softReconfigInbound: true } });
    rib.update('A', [{ prefix: P1, attrs: fromA([65010], { localPref: 300 }) }]);
    assert.equal([...rib.adjRibIn('A', 'pre-policy')][0]!.attrs.localPref, 300);
    assert.equal([...rib.adjRibIn('A')][0]!.attrs.localPref, undefined);
    assert.ok(rib.interner.size > 0);
    rib.update('A', [], [P1]);
    assert.equal([...rib.adjRibIn('A', 'pre-policy')].length, 0);
    assert.equal(rib.interner.size, 0);
    assert.throws(() => [...rib.adjRibIn('B', 'pre-policy')], { code: 'ERR_BGP_RIB_NOT_KEPT' });
  });
});

describe('RIB: multipath and errors', () => {
  it('reports ECMP sets for the route table', () => {
    const rib = new Rib({ localAs: 65001, routerId: ip('1.1.1.1'), resolveNextHop: () => 0, maxPaths: 2, multipathRelax: true });
    for (const id of ['A', 'B']) {
      rib.addPeer(PEERS[id]!);
      rib.peerUp(id);
    }
    rib.update('A', [{ prefix: P1, attrs: fromA([65010]) }]);
    const ch = rib.update('B', [{ prefix: P1, attrs: { ...fromA([65020]), nextHop: ip('10.0.2.2') } }]);
    assert.equal(ch.best.length, 1);
    assert.deepEqual(tableRoutesFor(ch.best[0]!).map((r) => r.nextHop), [ip('10.0.1.2'), ip('10.0.2.2')]);
    assert.deepEqual(ch.updates, [], 'the best did not change, so nothing is advertised');
  });

  it('reports misuse with stable codes', () => {
    const { rib } = setup();
    assert.throws(() => rib.update('Z', []), { code: 'ERR_BGP_RIB_UNKNOWN_PEER' });
    assert.throws(() => rib.addPeer(PEERS.A!), { code: 'ERR_BGP_RIB_DUPLICATE_PEER' });
    assert.throws(() => rib.addPeer({ ...PEERS.A!, id: 'local' }), { code: 'ERR_BGP_RIB_DUPLICATE_PEER' });
    assert.throws(() => rib.addPeer({ ...PEERS.A!, id: 'X', asn: 0 }), { code: 'ERR_BGP_RIB_BAD_PEER' });
    const bad: Prefix = { address: ip('10.0.0.1'), length: 24 };
    // A bad prefix anywhere in the call: nothing of it is applied, and the RIB carries on.
    assert.throws(() => rib.update('A', [{ prefix: P1, attrs: fromA() }, { prefix: bad, attrs: fromA() }]), { code: 'ERR_BGP_RIB_BAD_PREFIX' });
    assert.equal(rib.size, 0);
    assert.equal(announced(rib.update('A', [{ prefix: P1, attrs: fromA() }]), 'B').size, 1);
    assert.throws(() => rib.peerDown('local'), { code: 'ERR_BGP_RIB_BAD_PEER' });
    rib.peerDown('A');
    assert.throws(() => rib.update('A', [{ prefix: P1, attrs: fromA() }]), { code: 'ERR_BGP_RIB_PEER_NOT_UP' });
  });
});
