import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatPrefix, parseIpv4, parsePrefix } from '../../src/net/address.js';
import { ACCEPT_ALL } from '../../src/bgp/policy/types.js';
import { decide } from '../../src/bgp/rib/decision.js';
import { Rib } from '../../src/bgp/rib/rib.js';
import type { RibChanges } from '../../src/bgp/rib/changes.js';
import type { PeerInfo } from '../../src/bgp/rib/peer.js';
import { Origin, WellKnownCommunity, type PathAttributes } from '../../src/bgp/types.js';

/*
 * Random sequences of announcements, withdrawals, sessions going down and up, next hops coming
 * and going and local routes. After every step:
 * - replaying every PeerUpdate the RIB returned gives exactly its Adj-RIB-Out (the diffs are
 *   right), and that equals what exporting the current best from scratch gives;
 * - each best equals a fresh decision over the prefix's candidates;
 * and at the end, with every session down and local routes withdrawn, nothing is left: no
 * prefix, no attribute set (the reference counts balance).
 */
const ip = parseIpv4;
const PREFIXES = ['10.0.0.0/8', '10.1.0.0/16', '192.0.2.0/24', '198.51.100.0/24'].map((p) => parsePrefix(p));
const NEXT_HOPS = ['10.0.1.2', '10.0.2.2', '172.16.0.9'].map(ip);
const PEERS: PeerInfo[] = [
  { id: 'A', address: ip('10.0.1.2'), localAddress: ip('10.0.1.1'), asn: 65010, routerId: ip('2.2.2.2'), importPolicy: ACCEPT_ALL, exportPolicy: ACCEPT_ALL },
  { id: 'B', address: ip('10.0.2.2'), localAddress: ip('10.0.2.1'), asn: 65020, routerId: ip('3.3.3.3'), importPolicy: ACCEPT_ALL, exportPolicy: ACCEPT_ALL, softReconfigInbound: true },
  { id: 'C', address: ip('10.0.3.2'), localAddress: ip('10.0.3.1'), asn: 65001, routerId: ip('4.4.4.4') },
  { id: 'D', address: ip('10.0.4.2'), localAddress: ip('10.0.4.1'), asn: 65001, routerId: ip('5.5.5.5'), routeReflectorClient: true },
];
const PATHS = [[], [65030], [65030, 65040], [65001, 65050]]; // the last one loops

type Op =
  | { type: 'announce'; peer: number; prefix: number; path: number; med: number | undefined; nextHop: number; noExport: boolean }
  | { type: 'withdraw'; peer: number; prefix: number }
  | { type: 'down' | 'up'; peer: number }
  | { type: 'nexthop'; nextHop: number; reachable: boolean }
  | { type: 'originate' | 'unoriginate'; prefix: number };

const peerIdx = fc.integer({ min: 0, max: PEERS.length - 1 });
const prefixIdx = fc.integer({ min: 0, max: PREFIXES.length - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant('announce' as const), peer: peerIdx, prefix: prefixIdx, path: fc.integer({ min: 0, max: PATHS.length - 1 }), med: fc.option(fc.constantFrom(0, 10), { nil: undefined }), nextHop: fc.integer({ min: 0, max: NEXT_HOPS.length - 1 }), noExport: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('withdraw' as const), peer: peerIdx, prefix: prefixIdx }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constantFrom('down' as const, 'up' as const), peer: peerIdx }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('nexthop' as const), nextHop: fc.integer({ min: 0, max: NEXT_HOPS.length - 1 }), reachable: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constantFrom('originate' as const, 'unoriginate' as const), prefix: prefixIdx }) },
);

function attrsFor(op: Extract<Op, { type: 'announce' }>): PathAttributes {
  const peer = PEERS[op.peer]!;
  const asns = peer.asn === 65001 ? PATHS[op.path]! : [peer.asn, ...PATHS[op.path]!];
  const a: PathAttributes = { origin: Origin.IGP, asPath: [{ type: 'sequence', asns }], nextHop: NEXT_HOPS[op.nextHop]! };
  if (op.med !== undefined) a.med = op.med;
  if (peer.asn === 65001) a.localPref = 100;
  if (op.noExport) a.communities = [WellKnownCommunity.NoExport];
  return a;
}

describe('RIB consistency (property)', () => {
  it('Adj-RIB-Out = replayed updates = export of the best; bests = fresh decisions; nothing leaks', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const unreachable = new Set<number>();
        const rib = new Rib({ localAs: 65001, routerId: ip('1.1.1.1'), resolveNextHop: (nh) => (unreachable.has(nh) ? undefined : 1) });
        const up = new Set<string>();
        const model = new Map<string, Map<string, PathAttributes>>();
        const apply = (ch: RibChanges): void => {
          for (const u of ch.updates) {
            const m = model.get(u.peerId)!;
            for (const p of u.withdrawn) assert.ok(m.delete(formatPrefix(p)), `withdrawal of something never sent to ${u.peerId}`);
            for (const g of u.announced) for (const p of g.prefixes) m.set(formatPrefix(p), g.attrs);
          }
        };
        for (const p of PEERS) {
          rib.addPeer(p);
          model.set(p.id, new Map());
          apply(rib.peerUp(p.id));
          up.add(p.id);
        }
        for (const op of ops) {
          switch (op.type) {
            case 'announce': {
              const id = PEERS[op.peer]!.id;
              if (up.has(id)) apply(rib.update(id, [{ prefix: PREFIXES[op.prefix]!, attrs: attrsFor(op) }]));
              break;
            }
            case 'withdraw': {
              const id = PEERS[op.peer]!.id;
              if (up.has(id)) apply(rib.update(id, [], [PREFIXES[op.prefix]!]));
              break;
            }
            case 'down': {
              const id = PEERS[op.peer]!.id;
              apply(rib.peerDown(id));
              up.delete(id);
              model.get(id)!.clear();
              break;
            }
            case 'up': {
              const id = PEERS[op.peer]!.id;
              if (!up.has(id)) {
                apply(rib.peerUp(id));
                up.add(id);
              }
              break;
            }
            case 'nexthop':
              if (op.reachable) unreachable.delete(NEXT_HOPS[op.nextHop]!);
              else unreachable.add(NEXT_HOPS[op.nextHop]!);
              apply(rib.nexthopChanged());
              break;
            case 'originate':
              apply(rib.originate([{ prefix: PREFIXES[op.prefix]!, attrs: { med: op.prefix } }]));
              break;
            case 'unoriginate':
              apply(rib.originate([], [PREFIXES[op.prefix]!]));
              break;
          }
          for (const p of PEERS) {
            const out = new Map([...rib.adjRibOut(p.id)].map((e) => [formatPrefix(e.prefix), e.attrs]));
            assert.deepEqual(out, model.get(p.id), `Adj-RIB-Out of ${p.id}`);
            if (!up.has(p.id)) continue;
            for (const prefix of PREFIXES) {
              const fresh = rib.explainExport(p.id, prefix);
              const sent = model.get(p.id)!.get(formatPrefix(prefix));
              if (typeof fresh === 'string') assert.equal(sent, undefined, `${formatPrefix(prefix)} to ${p.id}: ${fresh}`);
              else assert.deepEqual(sent, fresh);
            }
          }
          for (const d of rib.destinations()) {
            const fresh = decide(d.paths.map((p) => p.route), (r) => d.paths.find((p) => p.route === r)!.igpCost);
            assert.equal(d.best, fresh.best);
            assert.equal(d.why, fresh.why);
          }
        }
        for (const p of PEERS) rib.peerDown(p.id);
        rib.originate([], PREFIXES);
        assert.equal(rib.size, 0);
        assert.equal(rib.interner.size, 0);
      }),
      { numRuns: 300 },
    );
  });
});
