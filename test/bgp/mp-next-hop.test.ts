import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { ManualClock } from '../../src/core/clock.js';
import { SeededRng } from '../../src/core/rng.js';
import { formatIpv4, formatPrefix, parseIpv4 } from '../../src/net/address.js';
import { update } from './codec-helpers.js';
import { KEEPALIVE, messagesIn, openBytes } from './peer-bytes.js';
import { FakeTransport } from './fake-transport.js';

/*
 * Issue 13 defect 10, on a session: a peer that announces and withdraws IPv4 unicast routes in
 * MP_REACH_NLRI / MP_UNREACH_NLRI next to a NEXT_HOP of 0.0.0.0, as some routers do. The routes
 * come and go through the MP attributes, and the session stays up.
 */

const ROUTER_ID = parseIpv4('10.0.0.1');
const PEER = parseIpv4('192.0.2.2');

/** MP_REACH_NLRI 203.0.113.0/24 via 192.0.2.2, ORIGIN, AS_PATH 65001, NEXT_HOP 0.0.0.0; no NLRI field. */
const ANNOUNCE = update(`
  0000 0024
  80 0e 0d 0001 01 04 c0000202 00 18 cb0071
  40 01 01 00 | 40 02 06 02 01 0000fde9
  40 03 04 00000000
`);
/** MP_UNREACH_NLRI 203.0.113.0/24, ORIGIN, AS_PATH, NEXT_HOP 0.0.0.0: it only withdraws. */
const WITHDRAW = update(`
  0000 001e
  80 0f 07 0001 01 18 cb0071
  40 01 01 00 | 40 02 06 02 01 0000fde9
  40 03 04 00000000
`);

describe('MP_REACH_NLRI / MP_UNREACH_NLRI with NEXT_HOP 0.0.0.0 from a peer (issue 13, defect 10)', () => {
  it('the route is learned via the MP next hop, withdrawn by the MP_UNREACH UPDATE, and the session never resets', () => {
    const clock = new ManualClock();
    const transport = new FakeTransport(clock);
    const log: string[] = [];
    const speaker = new BgpSpeaker(
      { localAs: 65000, routerId: ROUTER_ID, listen: { address: ROUTER_ID }, ebgpRequiresPolicy: false, neighbors: [{ name: 'R', address: PEER, asn: 65001, passive: true }] },
      { transport, clock, rng: new SeededRng(5), log: (l) => log.push(l) },
    );
    speaker.start();
    const s = transport.accept(PEER);
    s.peerSend(openBytes(65001, PEER));
    s.peerSend(KEEPALIVE);
    clock.advance(0);
    const neighbor = speaker.neighbor('R')!;
    assert.equal(neighbor.state, 'Established');

    s.peerSend(ANNOUNCE);
    clock.advance(0);
    const learned = [...speaker.rib.destinations()].map((d) => [formatPrefix(d.prefix), d.best === undefined ? '' : formatIpv4(d.best.attrs.nextHop ?? 0)]);
    assert.deepEqual(learned, [['203.0.113.0/24', '192.0.2.2']]);

    s.peerSend(WITHDRAW);
    clock.advance(1000);
    assert.equal(neighbor.state, 'Established');
    assert.equal(speaker.rib.size, 0, 'withdrawn');
    assert.deepEqual(messagesIn(s.output()).filter((m) => m.type === 'notification'), []);
    assert.equal(neighbor.updateErrors.count, 0, 'nothing to log: the NEXT_HOP is ignored, not an error');
    assert.deepEqual(neighbor.history.filter((h) => h.from === 'Established'), []);
  });
});
