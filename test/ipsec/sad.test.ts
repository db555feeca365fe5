import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { SeededRng } from '../../src/core/rng.js';
import { EspErrorCode } from '../../src/esp/errors.js';
import { IpsecDrop, IpsecErrorCode } from '../../src/ipsec/errors.js';
import { SecurityAssociationDatabase, type ChildExpiry } from '../../src/ipsec/sad.js';
import { parseIpv4 } from '../../src/net/address.js';
import { encodeIpv4, IpProtocol } from '../../src/net/ipv4.js';
import { encodeUdp } from '../../src/net/udp.js';
import { CBC_256_SHA256, childPair, selector, type ChildPairOptions } from './helpers.js';

/** A UDP datagram in IPv4, the shape of what a gateway encrypts. */
function udpPacket(src: string, dst: string, payloadBytes = 100, dstPort = 53): Uint8Array {
  const s = parseIpv4(src);
  const d = parseIpv4(dst);
  return encodeIpv4({
    tos: 0, identification: 1, dontFragment: false, moreFragments: false, fragmentOffset: 0, ttl: 63, protocol: IpProtocol.Udp,
    src: s, dst: d, options: new Uint8Array(0),
    payload: encodeUdp({ srcPort: 40000, dstPort, payload: new Uint8Array(payloadBytes) }, s, d),
  });
}

/** Gateway A's and B's tables on one clock, each with its half of a child pair. */
function tables(options: ChildPairOptions = {}, bOverrides: Partial<ReturnType<typeof childPair>['b']> = {}) {
  const clock = new ManualClock();
  const expiries: ChildExpiry[] = [];
  const a = new SecurityAssociationDatabase({ clock, rng: new SeededRng(1), onExpire: (e) => expiries.push(e) });
  const b = new SecurityAssociationDatabase({ clock, rng: new SeededRng(2) });
  const pair = childPair(options);
  a.install(pair.a);
  b.install({ ...pair.b, ...bOverrides });
  return { clock, a, b, pair, expiries };
}

const LAN_A = '10.1.1.10';
const LAN_B = '10.2.1.10';

describe('security association database', () => {
  it('protects at one gateway and unprotects at the other, byte for byte', () => {
    const { a, b } = tables({ suite: CBC_256_SHA256 });
    const inner = udpPacket(LAN_A, LAN_B);
    const sealed = a.protect('net', inner);
    assert.ok(sealed.ok);
    assert.ok(sealed.packet.length > inner.length);
    const opened = b.unprotect(sealed.packet);
    assert.ok(opened.ok);
    assert.deepEqual(opened.inner, inner);
    assert.equal(opened.child.config.childName, 'net');
    assert.deepEqual(b.counters('net'), { packetsIn: 1, bytesIn: inner.length, packetsOut: 0, bytesOut: 0, drops: {} });
  });

  it('drops and counts an unknown SPI, a replay and a forged ICV', () => {
    const { a, b } = tables();
    const sealed = a.protect('net', udpPacket(LAN_A, LAN_B));
    assert.ok(sealed.ok);
    const wrongSpi = sealed.packet.slice();
    wrongSpi[3] = wrongSpi[3]! ^ 0xff;
    assert.deepEqual(b.unprotect(wrongSpi), { ok: false, reason: IpsecDrop.UnknownSpi });
    assert.equal(b.unprotect(sealed.packet).ok, true);
    const replayed = b.unprotect(sealed.packet);
    assert.equal(replayed.ok, false);
    assert.equal(!replayed.ok && replayed.reason, EspErrorCode.Replay);
    const next = a.protect('net', udpPacket(LAN_A, LAN_B));
    assert.ok(next.ok);
    const forged = next.packet.slice();
    forged[forged.length - 1] = forged.at(-1)! ^ 1;
    const refused = b.unprotect(forged);
    assert.equal(!refused.ok && refused.reason, EspErrorCode.IcvMismatch);
    assert.equal(b.unprotect(next.packet).ok, true, 'the forgery did not move the window');
    assert.deepEqual(b.unattributedDrops, { [IpsecDrop.UnknownSpi]: 1 });
    assert.deepEqual(b.counters('net').drops, { [EspErrorCode.Replay]: 1, [EspErrorCode.IcvMismatch]: 1 });
    assert.deepEqual(b.unprotect(new Uint8Array(5)), { ok: false, reason: IpsecDrop.Truncated });
  });

  it('drops inner packets outside the selectors: inbound (RFC 4301 §5.2) and outbound', () => {
    // A believes it may send anything; B agreed to 10.1.1.0/24 -> 10.2.1.0/24 only.
    const narrowB = { localSelectors: [selector('10.2.1.0/24')], remoteSelectors: [selector('10.1.1.0/24')] };
    const { a, b } = tables({}, narrowB);
    for (const [src, dst, delivered] of [[LAN_A, LAN_B, true], ['10.1.9.9', LAN_B, false], [LAN_A, '10.2.9.9', false]] as const) {
      const sealed = a.protect('net', udpPacket(src, dst));
      assert.ok(sealed.ok);
      assert.equal(b.unprotect(sealed.packet).ok, delivered, `${src} -> ${dst}`);
    }
    assert.deepEqual(b.counters('net').drops, { [IpsecDrop.SelectorMismatch]: 2 });
    assert.equal(b.counters('net').packetsIn, 1);
    const outside = b.protect('net', udpPacket(LAN_B, '10.1.9.9'));
    assert.deepEqual(outside, { ok: false, reason: IpsecDrop.SelectorMismatch });
  });

  it('matches selectors on protocol and ports too', () => {
    const dnsOnly = [{ ...selector('10.2.1.0/24'), ipProtocol: IpProtocol.Udp, startPort: 53, endPort: 53 }];
    const { a } = tables({ aLocal: [selector('10.1.1.0/24')], aRemote: dnsOnly });
    assert.equal(a.protect('net', udpPacket(LAN_A, LAN_B, 10, 53)).ok, true);
    assert.equal(a.protect('net', udpPacket(LAN_A, LAN_B, 10, 123)).ok, false);
  });

  it('refuses outbound traffic for a child with no SA, and a second SA with an inbound SPI in use', () => {
    const { a, pair } = tables();
    assert.deepEqual(a.protect('other', udpPacket(LAN_A, LAN_B)), { ok: false, reason: IpsecDrop.NoSa });
    assert.deepEqual(a.counters('other').drops, { [IpsecDrop.NoSa]: 1 });
    assert.throws(() => a.install({ ...pair.a, childName: 'other' }), { code: IpsecErrorCode.SpiInUse });
  });

  it('removes by inbound SPI and child name, or every child of an IKE SA, telling listeners', () => {
    const { a, pair } = tables();
    const second = childPair({ childName: 'second', spiBase: 0x5000 });
    a.install(second.a);
    const changes: string[] = [];
    a.onChange((name) => changes.push(name));
    assert.equal(a.remove({ inboundSpi: pair.a.inboundSpi, childName: 'second' }), false, 'the SPI belongs to another child');
    assert.equal(a.remove({ inboundSpi: pair.a.inboundSpi }), true);
    assert.equal(a.remove({ inboundSpi: pair.a.inboundSpi }), false);
    assert.equal(a.removeIkeSa('gw-a-gw-b'), 1);
    assert.deepEqual(a.children(), []);
    assert.deepEqual(changes, ['net', 'second']);
  });
});

describe('CHILD_SA lifetimes', () => {
  it('by bytes: soft once (rekey), then hard, which removes the SA', () => {
    const { a, expiries } = tables({ lifetimes: { rekeyBytes: 1000, lifeBytes: 3000 } });
    const inner = udpPacket(LAN_A, LAN_B, 372); // 400 bytes
    const sent = [];
    for (let i = 0; i < 9; i++) sent.push(a.protect('net', inner).ok);
    // 3 packets reach 1200 >= 1000 (soft); 8 reach 3200 >= 3000 (hard), the 8th still leaves.
    assert.deepEqual(sent, [true, true, true, true, true, true, true, true, false]);
    assert.deepEqual(expiries.map((e) => [e.level, e.cause, e.direction]), [['soft', 'bytes', 'outbound'], ['hard', 'bytes', 'outbound']]);
    assert.equal(a.current('net'), undefined);
    assert.deepEqual(a.counters('net').drops, { [IpsecDrop.NoSa]: 1 });
  });

  it('by bytes in either direction: received traffic counts too', () => {
    const { a, b, expiries } = tables({ lifetimes: { rekeyBytes: 1000 } });
    for (let i = 0; i < 3; i++) {
      const sealed = b.protect('net', udpPacket(LAN_B, LAN_A, 372));
      assert.ok(sealed.ok);
      assert.equal(a.unprotect(sealed.packet).ok, true);
    }
    assert.deepEqual(expiries.map((e) => [e.level, e.cause, e.direction]), [['soft', 'bytes', 'inbound']]);
  });

  it('by seconds, on the injected clock: soft at rekeySeconds, hard at lifeSeconds, and no timer left behind', () => {
    const { a, clock, expiries, pair } = tables({ lifetimes: { rekeySeconds: 10, lifeSeconds: 15 } });
    clock.advance(9_999);
    assert.equal(expiries.length, 0);
    clock.advance(1);
    assert.deepEqual(expiries, [{
      ikeSaName: 'gw-a-gw-b', childName: 'net', inboundSpi: pair.a.inboundSpi, outboundSpi: pair.a.outboundSpi,
      level: 'soft', cause: 'seconds', direction: 'outbound',
    }]);
    assert.ok(a.current('net') !== undefined, 'soft expiry keeps the SA: the engine rekeys');
    clock.advance(5_000);
    assert.deepEqual(expiries.map((e) => e.level), ['soft', 'hard']);
    assert.equal(a.current('net'), undefined);
    assert.equal(clock.pendingCount, 0);
  });

  it('cancels the lifetime timer of a removed SA', () => {
    const { a, clock, expiries, pair } = tables({ lifetimes: { rekeySeconds: 10, lifeSeconds: 15 } });
    a.remove({ inboundSpi: pair.a.inboundSpi });
    clock.advance(20_000);
    assert.deepEqual(expiries, []);
  });
});
