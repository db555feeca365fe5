import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DecodeError } from '../../src/core/errors.js';
import { internetChecksum } from '../../src/net/checksum.js';
import { decodeIcmp, encodeIcmp, icmpEncodedLength, type IcmpMessage } from '../../src/net/icmp.js';
import { decodeIpv4, decrementTtlInPlace, encodeIpv4, ipv4EncodedLength, ipv4Malformed, type Ipv4Packet } from '../../src/net/ipv4.js';
import { decodeTcp, decodeTcpOptions, encodeTcp, encodeTcpOptions, tcpEncodedLength, type TcpOption, type TcpSegment } from '../../src/net/tcp.js';
import { decodeUdp, encodeUdp, udpEncodedLength, type UdpDatagram } from '../../src/net/udp.js';
import { hex, plain, roundTrip } from '../helpers/round-trip.js';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const dropChecksum = <T extends { checksum?: number }>(p: T): Omit<T, 'checksum'> => {
  const { checksum: _c, ...rest } = p;
  return rest;
};

const ipv4Packet: fc.Arbitrary<Ipv4Packet> = fc.record({
  tos: u8, identification: u16, dontFragment: fc.boolean(), moreFragments: fc.boolean(),
  fragmentOffset: fc.integer({ min: 0, max: 0x1fff }), ttl: u8, protocol: u8, src: u32, dst: u32,
  options: fc.integer({ min: 0, max: 10 }).chain((n) => fc.uint8Array({ minLength: 4 * n, maxLength: 4 * n })),
  payload: bytes(300),
});

const icmpMessage: fc.Arbitrary<IcmpMessage> = fc.oneof(
  fc.record({ kind: fc.constantFrom('echo-request' as const, 'echo-reply' as const), code: u8, identifier: u16, sequence: u16, data: bytes(100) }),
  fc.record({ kind: fc.constant('destination-unreachable' as const), code: u8, unused: u16, nextHopMtu: u16, original: bytes(60) }),
  fc.record({ kind: fc.constant('time-exceeded' as const), code: u8, unused: u32, original: bytes(60) }),
  fc.record({ kind: fc.constant('other' as const), type: fc.constantFrom(4, 5, 9, 10, 12, 13, 14, 42), code: u8, rest: u32, body: bytes(60) }),
);

const tcpOption: fc.Arbitrary<TcpOption> = fc.oneof(
  fc.constant({ kind: 'nop' as const }),
  fc.record({ kind: fc.constant('mss' as const), mss: u16 }),
  fc.record({ kind: fc.constant('window-scale' as const), shift: fc.integer({ min: 0, max: 14 }) }),
  fc.constant({ kind: 'sack-permitted' as const }),
  fc.record({ kind: fc.constant('timestamps' as const), value: u32, echo: u32 }),
  fc.record({ kind: fc.constant('unknown' as const), type: fc.integer({ min: 9, max: 254 }), data: bytes(6) }),
);

const tcpSegment: fc.Arbitrary<TcpSegment> = fc.record({
  srcPort: u16, dstPort: u16, seq: u32, ack: u32, flags: u8, reserved: fc.integer({ min: 0, max: 15 }), window: u16, urgent: u16,
  options: fc.integer({ min: 0, max: 10 }).chain((n) => fc.uint8Array({ minLength: 4 * n, maxLength: 4 * n })),
  payload: bytes(300),
});

/** Every failure to decode must be a typed DecodeError. */
function onlyTypedErrors(decode: (b: Uint8Array) => unknown): void {
  fc.assert(fc.property(bytes(120), (b) => {
    try {
      decode(b);
    } catch (e) {
      assert.ok(e instanceof DecodeError, `expected DecodeError, got ${String(e)}`);
    }
  }), { numRuns: 5000 });
}

describe('internet checksum', () => {
  it('matches the RFC 1071 §3 worked example', () => {
    // 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2 (one's complement sum); the checksum is its complement.
    assert.equal(internetChecksum(hex('0001 f203 f4f5 f6f7')), ~0xddf2 & 0xffff);
  });
});

describe('IPv4', () => {
  it('round-trips any packet', () => {
    fc.assert(fc.property(ipv4Packet, (p) => {
      roundTrip(p, encodeIpv4, (b) => decodeIpv4(b), ipv4EncodedLength, dropChecksum);
    }), { numRuns: 2000 });
  });

  it('decodes a captured ICMP echo request field by field', () => {
    const packet = hex(`
      45 | 00 | 0054          // version 4, IHL 5; TOS 0; total length 84
      1c46 | 4000           // identification 0x1c46; DF, offset 0
      40 | 01 | b1e6        // TTL 64; protocol ICMP; header checksum
      0a010a0a              // source 10.1.10.10
      0a030a0a              // destination 10.3.10.10
    ` + '00'.repeat(64));
    const p = decodeIpv4(packet, { verifyChecksum: false });
    assert.equal(p.ttl, 64);
    assert.equal(p.protocol, 1);
    assert.equal(p.dontFragment, true);
    assert.equal(p.src, 0x0a010a0a);
    assert.equal(p.payload.length, 64);
  });

  it('rejects a corrupted header checksum with a typed error', () => {
    const b = encodeIpv4({ tos: 0, identification: 1, dontFragment: true, moreFragments: false, fragmentOffset: 0, ttl: 64, protocol: 17, src: 1, dst: 2, options: new Uint8Array(0), payload: new Uint8Array(4) });
    b[8] = 63;
    assert.throws(() => decodeIpv4(b), (e: unknown) => e instanceof DecodeError && e.code === 'ERR_DECODE_BAD_CHECKSUM');
    assert.equal(ipv4Malformed(b), 'bad header checksum');
  });

  it('decrements TTL with an incremental checksum equal to a full recomputation', () => {
    fc.assert(fc.property(ipv4Packet.filter((p) => p.ttl > 0), (p) => {
      const b = encodeIpv4(p);
      decrementTtlInPlace(b);
      const expected = encodeIpv4({ ...p, ttl: p.ttl - 1 });
      assert.deepEqual(b, expected);
    }), { numRuns: 2000 });
  });

  it('raises only typed errors on random bytes', () => onlyTypedErrors((b) => decodeIpv4(b)));
});

describe('ICMP', () => {
  it('round-trips any message', () => {
    fc.assert(fc.property(icmpMessage, (m) => {
      roundTrip(m, encodeIcmp, (b) => decodeIcmp(b), icmpEncodedLength);
    }), { numRuns: 2000 });
  });

  it('raises only typed errors on random bytes', () => onlyTypedErrors((b) => decodeIcmp(b)));
});

describe('UDP', () => {
  it('round-trips with the pseudo-header checksum', () => {
    fc.assert(fc.property(fc.record({ srcPort: u16, dstPort: u16, payload: bytes(300) }), u32, u32, (d: UdpDatagram, src, dst) => {
      roundTrip(d, (v) => encodeUdp(v, src, dst), (b) => decodeUdp(b, src, dst), udpEncodedLength);
    }), { numRuns: 2000 });
  });

  it('detects a datagram delivered to the wrong address (pseudo-header)', () => {
    const b = encodeUdp({ srcPort: 500, dstPort: 500, payload: new Uint8Array([1, 2, 3]) }, 0x0a000001, 0x0a000002);
    assert.throws(() => decodeUdp(b, 0x0a000001, 0x0a000003), (e: unknown) => e instanceof DecodeError && e.code === 'ERR_DECODE_BAD_CHECKSUM');
  });

  it('raises only typed errors on random bytes', () => onlyTypedErrors((b) => decodeUdp(b, 1, 2)));
});

describe('TCP', () => {
  it('round-trips any segment', () => {
    fc.assert(fc.property(tcpSegment, u32, u32, (s, src, dst) => {
      roundTrip(s, (v) => encodeTcp(v, src, dst), (b) => decodeTcp(b, src, dst), tcpEncodedLength);
    }), { numRuns: 2000 });
  });

  it('round-trips option lists (padding to 4 bytes with EOL)', () => {
    fc.assert(fc.property(fc.array(tcpOption, { maxLength: 4 }), (list) => {
      const raw = encodeTcpOptions(list);
      assert.equal(raw.length % 4, 0);
      const decoded = decodeTcpOptions(raw);
      // Padding, when there is any, decodes as one EOL that ends the list.
      const expected = [...list.map(plain), ...(decoded.length > list.length ? [{ kind: 'eol' }] : [])];
      assert.deepEqual(decoded.map(plain), expected);
    }), { numRuns: 2000 });
  });

  it('decodes a SYN with MSS 1460 field by field', () => {
    const syn = hex(`
      c350 00b3             // source port 50000, destination port 179 (BGP)
      00000064              // sequence number 100
      00000000              // acknowledgment 0
      60 02 ffff            // data offset 6 words; SYN; window 65535
      0000 0000             // checksum (not verified here); urgent pointer
      0204 05b4             // option MSS (kind 2, length 4) = 1460
    `);
    const s = decodeTcp(syn, 0, 0, false);
    assert.equal(s.dstPort, 179);
    assert.equal(s.flags, 0x02);
    assert.deepEqual(decodeTcpOptions(s.options), [{ kind: 'mss', mss: 1460 }]);
  });

  it('raises only typed errors on random bytes and random options', () => {
    onlyTypedErrors((b) => decodeTcp(b, 1, 2));
    onlyTypedErrors((b) => decodeTcpOptions(b));
  });
});
