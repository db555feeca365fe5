import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CeaseSubcode, ErrorCode } from '../../src/bgp/errors.js';
import type { NeighborConfig } from '../../src/bgp/neighbor.js';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { encodeMessage } from '../../src/bgp/message.js';
import { Afi, Safi } from '../../src/bgp/types.js';
import { endOfRib } from '../../src/bgp/update-packer.js';
import { ManualClock } from '../../src/core/clock.js';
import { SeededRng } from '../../src/core/rng.js';
import { formatPrefix, parseIpv4, type Ipv4Address, type Prefix } from '../../src/net/address.js';
import { FakeTransport, type FakeSocket } from './fake-transport.js';
import { FOUR, KEEPALIVE, announceBytes, messagesIn, openBytes } from './peer-bytes.js';

/*
 * Issue 13 defect 1, the engine's part: a session torn down by max-prefix (RFC 4486 Cease
 * subcode 1) is a normal session end whatever else the peer's burst of input carried — the
 * End-of-RIB marker right after the UPDATE that crossed the limit, more UPDATEs behind it.
 */

const ROUTER_ID = parseIpv4('10.0.0.1');
const A = parseIpv4('10.0.0.2');
const B = parseIpv4('10.0.0.3');

function lab(neighbors: NeighborConfig[]) {
  const clock = new ManualClock();
  const transport = new FakeTransport(clock);
  const log: string[] = [];
  const speaker = new BgpSpeaker(
    { localAs: 65000, routerId: ROUTER_ID, listen: { address: ROUTER_ID }, ebgpRequiresPolicy: false, neighbors },
    { transport, clock, rng: new SeededRng(3), log: (l) => log.push(l) },
  );
  speaker.start();
  const establish = (from: Ipv4Address, asn: number): FakeSocket => {
    const s = transport.accept(from);
    s.peerSend(openBytes(asn, from));
    s.peerSend(KEEPALIVE);
    clock.advance(0);
    return s;
  };
  return { clock, transport, speaker, log, establish };
}

const slash24 = (i: number): Prefix => ({ address: (parseIpv4('172.16.0.0') + i * 256) >>> 0, length: 24 });

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const notifications = (s: FakeSocket): [number, number][] =>
  messagesIn(s.output()).flatMap((m) => (m.type === 'notification' ? [[m.code, m.subcode] as [number, number]] : []));
const announcedTo = (s: FakeSocket): string[] =>
  messagesIn(s.output()).flatMap((m) => (m.type === 'update' ? m.announced.map((r) => formatPrefix(r.prefix)) : []));

describe('max-prefix teardown (issue 13, defect 1)', () => {
  const neighbors: NeighborConfig[] = [
    { name: 'A', address: A, asn: 65001, passive: true, maxPrefix: { limit: 3, action: 'teardown' } },
    { name: 'B', address: B, asn: 65002, passive: true },
  ];

  it('a peer that sends one prefix over the limit and End-of-RIB in the same read: Cease/Maximum Number of Prefixes Reached, routes gone, Idle, no fault', () => {
    const l = lab(neighbors);
    const a = l.establish(A, 65001);
    const b = l.establish(B, 65002);
    assert.deepEqual(l.speaker.neighbors.map((n) => n.state), ['Established', 'Established']);

    // Four UPDATEs (one /24 each) then the End-of-RIB marker, in one TCP segment.
    a.peerSend(concat([...[0, 1, 2, 3].map((i) => announceBytes(slash24(i), 65001, 1, A)), endOfRib(FOUR)]));
    l.clock.advance(0);

    const neighbor = l.speaker.neighbor('A')!;
    assert.deepEqual(notifications(a), [[ErrorCode.Cease, CeaseSubcode.MaximumNumberOfPrefixesReached]]);
    assert.equal(neighbor.state, 'Idle');
    assert.deepEqual(neighbor.lastError, { kind: 'auto-stop', subcode: CeaseSubcode.MaximumNumberOfPrefixesReached });
    const downs = neighbor.history.filter((h) => h.from === 'Established');
    assert.deepEqual(downs.map((h) => h.reason), [{ kind: 'auto-stop', subcode: CeaseSubcode.MaximumNumberOfPrefixesReached }]);
    assert.equal(l.speaker.rib.size, 0, 'nothing from A stays in the Loc-RIB');
    assert.deepEqual(announcedTo(b), [], 'B never hears of the routes of a batch that crossed the limit');
    assert.equal(l.speaker.neighbor('B')!.state, 'Established');
    assert.equal(a.state, 'ended', 'the connection is closed after the NOTIFICATION');
    assert.ok(!l.log.some((x) => x.includes('internal error')), l.log.join('\n'));
  });

  it('routes already advertised to others are withdrawn there; the End-of-RIB and the UPDATE behind the one that crossed the limit are ignored; the session stays down', () => {
    const l = lab(neighbors);
    const a = l.establish(A, 65001);
    const b = l.establish(B, 65002);
    a.peerSend(concat([0, 1, 2].map((i) => announceBytes(slash24(i), 65001, 1, A))));
    l.clock.advance(0);
    assert.deepEqual(announcedTo(b).sort(), ['172.16.0.0/24', '172.16.1.0/24', '172.16.2.0/24']);
    a.peerSend(concat([announceBytes(slash24(3), 65001, 1, A), endOfRib(FOUR), announceBytes(slash24(4), 65001, 1, A)]));
    l.clock.advance(0);

    const neighbor = l.speaker.neighbor('A')!;
    assert.deepEqual(notifications(a), [[ErrorCode.Cease, CeaseSubcode.MaximumNumberOfPrefixesReached]]);
    assert.deepEqual(neighbor.lastError, { kind: 'auto-stop', subcode: CeaseSubcode.MaximumNumberOfPrefixesReached });
    const withdrawnAtB = messagesIn(b.output()).flatMap((m) => (m.type === 'update' ? m.withdrawn.map(formatPrefix) : []));
    assert.deepEqual(withdrawnAtB.sort(), ['172.16.0.0/24', '172.16.1.0/24', '172.16.2.0/24']);
    assert.equal(l.speaker.rib.size, 0);
    // Without restartAfterMs the session stays down: the peer's new connections are refused.
    l.clock.advance(120_000);
    assert.equal(neighbor.state, 'Idle');
    const again = l.transport.accept(A);
    l.clock.advance(0);
    assert.equal(again.state, 'closed');
    assert.ok(!l.log.some((x) => x.includes('internal error')), l.log.join('\n'));
  });

  it('a ROUTE-REFRESH right behind the UPDATE that crossed the limit: the session ends with Cease/Maximum Number of Prefixes Reached, the request is dropped', () => {
    const l = lab(neighbors);
    const a = l.establish(A, 65001);
    l.establish(B, 65002);
    const refresh = encodeMessage({ type: 'route-refresh', afi: Afi.IPv4, subtype: 0, safi: Safi.Unicast }, FOUR);
    a.peerSend(concat([...[0, 1, 2, 3].map((i) => announceBytes(slash24(i), 65001, 1, A)), refresh]));
    l.clock.advance(0);

    const neighbor = l.speaker.neighbor('A')!;
    assert.deepEqual(notifications(a), [[ErrorCode.Cease, CeaseSubcode.MaximumNumberOfPrefixesReached]]);
    assert.deepEqual(neighbor.history.filter((h) => h.to === 'Idle').map((h) => h.reason), [{ kind: 'auto-stop', subcode: CeaseSubcode.MaximumNumberOfPrefixesReached }]);
    assert.ok(!l.log.some((x) => x.includes('internal error')), l.log.join('\n'));
  });
});
