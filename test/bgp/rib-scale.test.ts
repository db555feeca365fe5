import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIpv4, type Prefix } from '../../src/net/address.js';
import { ACCEPT_ALL } from '../../src/bgp/policy/types.js';
import { Rib, type Announcement } from '../../src/bgp/rib/rib.js';
import { Origin, type PathAttributes } from '../../src/bgp/types.js';

/*
 * A smoke test at table scale: 200,000 prefixes over 10,000 attribute sets from one eBGP peer,
 * exported to one eBGP and one iBGP peer, then dropped. Counts only; speed is for bench/bgp-rib.ts.
 */
const ROUTES = 200_000;
const SETS = 10_000;
const ip = parseIpv4;

describe('RIB at scale', () => {
  it(`${ROUTES} routes over ${SETS} attribute sets: update, export, peer down`, () => {
    const rib = new Rib({ localAs: 65001, routerId: ip('1.1.1.1'), resolveNextHop: () => 1 });
    const peer = (id: string, n: number, asn: number) => ({
      id, address: ip(`10.0.${n}.2`), localAddress: ip(`10.0.${n}.1`), asn, routerId: ip(`${n}.${n}.${n}.${n}`), importPolicy: ACCEPT_ALL, exportPolicy: ACCEPT_ALL,
    });
    rib.addPeer(peer('A', 1, 65010));
    rib.addPeer(peer('B', 2, 65020));
    rib.addPeer(peer('C', 3, 65001));
    for (const id of ['A', 'B', 'C']) rib.peerUp(id);

    // One UPDATE per attribute set, 20 prefixes each, as a full-table feed would arrive.
    const sets: PathAttributes[] = Array.from({ length: SETS }, (_, i) => ({
      origin: Origin.IGP, asPath: [{ type: 'sequence', asns: [65010, 64512 + (i % 400), 4200000000 + i] }], nextHop: ip('10.0.1.2'), med: i % 7,
    }));
    const perSet = ROUTES / SETS;
    const groups = { B: 0, C: 0 };
    const prefixes = { B: 0, C: 0 };
    for (let s = 0; s < SETS; s++) {
      const batch: Announcement[] = [];
      for (let j = 0; j < perSet; j++) {
        const n = s * perSet + j;
        const prefix: Prefix = { address: (ip('20.0.0.0') + n * 256) >>> 0, length: 24 };
        batch.push({ prefix, attrs: sets[s]! });
      }
      const ch = rib.update('A', batch);
      for (const u of ch.updates) {
        const k = u.peerId as 'B' | 'C';
        groups[k] += u.announced.length;
        for (const g of u.announced) prefixes[k] += g.prefixes.length;
      }
    }
    assert.equal(rib.size, ROUTES);
    assert.deepEqual(prefixes, { B: ROUTES, C: ROUTES });
    assert.deepEqual(groups, { B: SETS, C: SETS });
    assert.equal(rib.peerReport('A').accepted, ROUTES);
    assert.equal(rib.peerReport('B').advertised, ROUTES);
    assert.equal(rib.peerReport('C').advertised, ROUTES);
    // As received (A's), as sent to eBGP B (prepended, MED dropped), as sent to iBGP C (LOCAL_PREF).
    assert.equal(rib.interner.size, 3 * SETS);

    const down = rib.peerDown('A');
    const withdrawn = Object.fromEntries(down.updates.map((u) => [u.peerId, u.withdrawn.length]));
    assert.deepEqual(withdrawn, { B: ROUTES, C: ROUTES });
    assert.equal(down.best.length, ROUTES);
    assert.equal(rib.size, 0);
    assert.equal(rib.interner.size, 0);
  });
});
