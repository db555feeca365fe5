import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DRAIN_MS } from '../../src/bgp/connection.js';
import { CeaseSubcode, ErrorCode, OpenMessageSubcode } from '../../src/bgp/errors.js';
import { BgpFramer } from '../../src/bgp/framer.js';
import type { NeighborConfig } from '../../src/bgp/neighbor.js';
import { BgpSpeaker, type SpeakerEnvironment } from '../../src/bgp/speaker.js';
import type { DecodedMessage } from '../../src/bgp/message.js';
import { peerRecords } from '../../src/bgp/views.js';
import { ManualClock } from '../../src/core/clock.js';
import { SeededRng } from '../../src/core/rng.js';
import { formatPrefix, parseIpv4, parsePrefix, type Ipv4Address } from '../../src/net/address.js';
import { TransportError } from '../../src/transport/types.js';
import { FakeTransport, type FakeSocket } from './fake-transport.js';
import { FOUR, KEEPALIVE, TWO, announceBytes, messagesIn, notificationBytes, openBytes, withdrawBytes } from './peer-bytes.js';

/*
 * Issue 11: hostile peers against the speaker, on a ManualClock with the test playing every
 * remote end of every TCP connection (fake-transport.ts).
 */

const ROUTER_ID = parseIpv4('10.0.0.1');
const A = parseIpv4('10.0.0.2');
const B = parseIpv4('10.0.0.3');
const C = parseIpv4('10.0.0.4');
const STRANGER = parseIpv4('10.9.9.9');

function lab(neighbors: NeighborConfig[], env: Partial<SpeakerEnvironment> = {}) {
  const clock = new ManualClock();
  const transport = new FakeTransport(clock);
  const log: string[] = [];
  const speaker = new BgpSpeaker(
    { localAs: 65000, routerId: ROUTER_ID, listen: { address: ROUTER_ID }, ebgpRequiresPolicy: false, neighbors },
    { transport, clock, rng: new SeededRng(7), log: (l) => log.push(l), ...env },
  );
  speaker.start();
  return { clock, transport, speaker, log };
}

type Lab = ReturnType<typeof lab>;

/** A connection from `from` that sends a valid OPEN and a KEEPALIVE. */
function establish(l: Lab, from: Ipv4Address, asn: number, fourOctetAs = true): FakeSocket {
  const s = l.transport.accept(from);
  s.peerSend(openBytes(asn, from, { fourOctetAs }));
  s.peerSend(KEEPALIVE);
  l.clock.advance(0);
  return s;
}

function updates(s: FakeSocket, ctx = FOUR): Extract<DecodedMessage, { type: 'update' }>[] {
  return messagesIn(s.output(), ctx).filter((m): m is Extract<DecodedMessage, { type: 'update' }> => m.type === 'update');
}

function notifications(s: FakeSocket): [number, number][] {
  return messagesIn(s.output()).flatMap((m) => (m.type === 'notification' ? [[m.code, m.subcode] as [number, number]] : []));
}

const announced = (s: FakeSocket, ctx = FOUR): string[] => updates(s, ctx).flatMap((u) => u.announced.map((r) => formatPrefix(r.prefix)));
const withdrawn = (s: FakeSocket, ctx = FOUR): string[] => updates(s, ctx).flatMap((u) => u.withdrawn.map(formatPrefix));

describe('hostile peers (issue 11)', () => {
  it('a route that cannot be encoded for a neighbour is withdrawn there, logged once, and everything carries on (defect 1)', () => {
    const l = lab([
      { name: 'A', address: A, asn: 65001, passive: true },
      { name: 'B', address: B, asn: 65002, passive: true },
      { name: 'C', address: C, asn: 65003, passive: true },
    ]);
    const a = establish(l, A, 65001);
    const b = establish(l, B, 65002);
    const c = establish(l, C, 65003, false); // no 4-octet AS capability: AS4_PATH doubles the path
    assert.deepEqual(l.speaker.neighbors.map((n) => n.state), ['Established', 'Established', 'Established']);

    // 1,010 ASNs: a 4,089-octet UPDATE; with our AS in front it no longer fits for anyone.
    const huge = announceBytes(parsePrefix('10.10.0.0/16'), 65001, 1010, A);
    assert.ok(huge.length > 4080 && huge.length <= 4096, `${huge.length} octets`);
    a.peerSend(huge);
    // A path of 5 ASNs reaches C; then one of 700 ASNs for the same prefix fits B only, and C gets a withdrawal.
    a.peerSend(announceBytes(parsePrefix('10.20.0.0/16'), 65001, 5, A));
    assert.ok(announced(c, TWO).includes('10.20.0.0/16'));
    a.peerSend(announceBytes(parsePrefix('10.20.0.0/16'), 65001, 700, A));
    a.peerSend(withdrawBytes(parsePrefix('10.10.0.0/16')));
    a.peerSend(huge); // again: counted, not logged again
    l.clock.advance(1000);

    assert.deepEqual(l.speaker.neighbors.map((n) => n.state), ['Established', 'Established', 'Established']);
    assert.ok(!announced(b).includes('10.10.0.0/16') && withdrawn(b).includes('10.10.0.0/16'));
    assert.ok(announced(b).includes('10.20.0.0/16'), 'the 700-ASN path fits a 4-octet session');
    const toC = updates(c, TWO).filter((u) => u.announced.some((r) => formatPrefix(r.prefix) === '10.20.0.0/16') || u.withdrawn.some((p) => formatPrefix(p) === '10.20.0.0/16'));
    assert.deepEqual(toC.map((u) => (u.withdrawn.length > 0 ? 'withdrawn' : 'announced')), ['announced', 'withdrawn'], 'sent before, withdrawn now');
    const lines = l.log.filter((x) => x.includes('attributes too long'));
    assert.deepEqual(lines.map((x) => x.split(':')[0]).sort(), ['B', 'C', 'C'], lines.join('\n'));
    const records = peerRecords(l.speaker);
    assert.deepEqual(records.map((r) => r.routesNotSent), [0, 2, 3]);
    assert.equal(records[1]!.prefixesAdvertised, 1, 'only 10.20.0.0/16 stays in B\'s Adj-RIB-Out');

    // Routes still flow both ways.
    b.peerSend(announceBytes(parsePrefix('10.30.0.0/16'), 65002, 2, B));
    assert.ok(announced(a).includes('10.30.0.0/16') && announced(c, TWO).includes('10.30.0.0/16'));
    assert.equal(notifications(a).length + notifications(b).length + notifications(c).length, 0);
  });

  it('anything but a BgpError thrown while handling input ends that session only, with Cease (defect 1 audit)', () => {
    let thrown = 0;
    const l = lab([{ name: 'A', address: A, asn: 65001, passive: true }, { name: 'B', address: B, asn: 65002, passive: true }], {
      onBestChange: () => {
        if (thrown++ === 0) throw new TypeError('a bug in a best-path listener');
      },
    });
    const a = establish(l, A, 65001);
    const b = establish(l, B, 65002);
    a.peerSend(announceBytes(parsePrefix('10.10.0.0/16'), 65001, 2, A));
    l.clock.advance(0);
    assert.deepEqual(notifications(a), [[ErrorCode.Cease, CeaseSubcode.Unspecific]]);
    assert.notEqual(a.state, 'open', 'its socket is closed');
    assert.equal(l.speaker.neighbor('B')!.state, 'Established');
    assert.equal(notifications(b).length, 0);
    assert.ok(l.log.some((x) => x.startsWith('A: internal error')), l.log.join('\n'));
  });

  it('an iBGP OPEN with our own BGP Identifier on a second connection is refused, not thrown (defect 1 audit)', () => {
    const l = lab([{ name: 'I', address: A, asn: 65000, passive: true }]);
    const first = l.transport.accept(A);
    first.peerSend(openBytes(65000, A));
    assert.equal(l.speaker.neighbor('I')!.state, 'OpenConfirm');
    const second = l.transport.accept(A);
    second.peerSend(openBytes(65000, ROUTER_ID)); // a collision with identical identifiers and AS numbers
    l.clock.advance(0);
    assert.deepEqual(notifications(second), [[ErrorCode.OpenMessage, OpenMessageSubcode.BadBgpIdentifier]]);
    assert.notEqual(second.state, 'open');
    first.peerSend(KEEPALIVE);
    assert.equal(l.speaker.neighbor('I')!.state, 'Established');
  });

  it('every second connection that fails is closed, and a peer that never closes is reset (defect 3)', () => {
    const l = lab([{ name: 'A', address: A, asn: 65001, passive: true }]);
    const first = l.transport.accept(A); // the primary, in OpenSent
    const seconds: FakeSocket[] = [];
    for (let i = 0; i < 300; i++) {
      const s = l.transport.accept(A);
      s.peerSend(i % 2 === 0 ? notificationBytes(ErrorCode.Cease, CeaseSubcode.AdministrativeReset) : Uint8Array.of(0xff, 0, 0));
      assert.equal(s.state, 'ended', `connection ${i}: FIN sent`);
      seconds.push(s);
    }
    assert.deepEqual(notifications(seconds[1]!), [[ErrorCode.MessageHeader, 1]], 'header error: Connection Not Synchronized');
    l.clock.advance(DRAIN_MS);
    assert.deepEqual(l.transport.held(), [first], 'only the primary is held');
    // The peer's NOTIFICATION on the primary closes it too.
    first.peerSend(notificationBytes(ErrorCode.Cease, CeaseSubcode.AdministrativeShutdown));
    assert.equal(first.state, 'ended');
    l.clock.advance(DRAIN_MS);
    assert.deepEqual(l.transport.held(), []);
  });

  it('input after a fatal error is discarded: 40 MB into a failed connection keep nothing (defect 3)', () => {
    const l = lab([{ name: 'A', address: A, asn: 65001, passive: true }]);
    l.transport.accept(A);
    const s = l.transport.accept(A); // the second connection
    s.peerSend(Uint8Array.of(0xff, 0xfe)); // broken marker
    const chunk = new Uint8Array(64 * 1024).fill(0xff);
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 640; i++) s.peerSend(chunk);
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 16 * 1024 * 1024, `${grown} octets kept`);
    const framer = new BgpFramer();
    framer.push(Uint8Array.of(0, 1, 2));
    assert.throws(() => framer.next(), { errorCode: ErrorCode.MessageHeader });
    framer.push(chunk);
    assert.equal(framer.buffered, 0, 'a failed framer keeps nothing');
  });

  it('a second connection closed before its OPEN does not lock a passive neighbour out (defect 4)', () => {
    const l = lab([{ name: 'A', address: A, asn: 65001, passive: true }]);
    l.transport.accept(A);
    const second = l.transport.accept(A);
    second.peerClose();
    l.clock.advance(0);
    const fresh = establish(l, A, 65001);
    assert.equal(fresh.reset, false);
    assert.equal(l.speaker.neighbor('A')!.state, 'Established');
  });

  it('500 idle connections do not lock a neighbour out, and an idle one is closed after the hold time (defects 4, 10)', () => {
    const l = lab([{ name: 'A', address: A, asn: 65001, passive: true }, { name: 'B', address: B, asn: 65002, passive: true, holdTime: 30 }]);
    for (let i = 0; i < 500; i++) l.transport.accept(A);
    assert.ok(l.transport.held().filter((s) => s.state === 'open').length <= 2, 'at most one extra connection waits for its OPEN');
    establish(l, A, 65001);
    assert.equal(l.speaker.neighbor('A')!.state, 'Established');
    // An accepted connection that never sends OPEN is closed once the hold time (30 s) has passed.
    const idle = l.transport.accept(B);
    l.clock.advance(29_000);
    assert.equal(idle.state, 'open');
    l.clock.advance(1_000);
    assert.deepEqual(notifications(idle), [[ErrorCode.HoldTimerExpired, 0]]);
    assert.notEqual(idle.state, 'open');
  });

  it('refused connections are logged a few times per source, then summarised (defect 10)', () => {
    const l = lab([{ name: 'A', address: A, asn: 65001, passive: true }]);
    for (let i = 0; i < 1000; i++) assert.equal(l.transport.accept(STRANGER).reset, true);
    establish(l, A, 65001);
    for (let i = 0; i < 1000; i++) assert.equal(l.transport.accept(A).reset, true);
    const refused = l.log.filter((x) => x.includes('refused a connection'));
    assert.equal(refused.length, 6, refused.join('\n'));
    l.speaker.stop();
    assert.equal(l.log.filter((x) => /and 997 more like it/.test(x)).length, 2);
  });

  it('no sequence of connections wedges a neighbour: afterwards a valid OPEN is accepted (defect 4)', () => {
    const event = fc.oneof(
      fc.record({ k: fc.constant('connect' as const) }),
      fc.record({ k: fc.constantFrom('close' as const, 'open' as const, 'bad-open' as const, 'keepalive' as const, 'notify' as const, 'junk' as const), i: fc.nat() }),
      fc.record({ k: fc.constant('outgoing' as const), i: fc.nat(), ok: fc.boolean() }),
      fc.record({ k: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 150_000 }) }),
    );
    fc.assert(fc.property(fc.constantFrom('passive', 'mixed'), fc.array(event, { maxLength: 40 }), (mode, events) => {
      const l = lab([{ name: 'A', address: A, asn: 65001, passive: mode === 'passive', connectRetryTime: 10 }]);
      const n = l.speaker.neighbor('A')!;
      const peer: FakeSocket[] = [];
      const connected = new Set<FakeSocket>();
      for (const e of events) {
        if (e.k === 'connect') peer.push(l.transport.accept(A));
        else if (e.k === 'advance') l.clock.advance(e.ms);
        else if (e.k === 'outgoing') {
          const pending = l.transport.outgoing.filter((s) => s.state === 'open' && !connected.has(s));
          const s = pending[e.i % Math.max(1, pending.length)];
          if (s === undefined) continue;
          if (e.ok) {
            connected.add(s);
            peer.push(s);
            s.handlers.onConnect?.();
          } else {
            s.state = 'closed';
            s.handlers.onClose?.(new TransportError('ERR_TCP_REFUSED', 'refused'));
          }
        } else if (peer.length > 0) {
          const s = peer[e.i % peer.length]!;
          if (e.k === 'close') s.peerClose();
          else if (e.k === 'open') s.peerSend(openBytes(65001, A));
          else if (e.k === 'bad-open') s.peerSend(openBytes(65099, A));
          else if (e.k === 'keepalive') s.peerSend(KEEPALIVE);
          else if (e.k === 'notify') s.peerSend(notificationBytes(ErrorCode.Cease, CeaseSubcode.AdministrativeReset));
          else s.peerSend(Uint8Array.of(0, 0, 0));
        }
        // Idle only while a restart is pending; never more than the primary, one extra and our connect attempt open.
        if (n.state === 'Idle') assert.notEqual(n.primary.fsm.deadline('idleHold'), undefined, 'Idle with no restart pending');
        assert.ok(l.transport.held().filter((s) => s.state === 'open').length <= 3, 'connections held');
      }
      for (const s of peer) s.peerClose();
      l.clock.advance(300_000);
      const fresh = establish(l, A, 65001);
      assert.equal(fresh.reset, false, `refused in ${n.state}`);
      assert.equal(n.state, 'Established');
    }), { numRuns: 300, seed: 11 });
  });
});
