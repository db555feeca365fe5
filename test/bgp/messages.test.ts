import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BgpError, CeaseSubcode, ErrorCode, MessageHeaderSubcode, RouteRefreshSubcode, describeNotification } from '../../src/bgp/errors.js';
import { BgpFramer } from '../../src/bgp/framer.js';
import { KEEPALIVE } from '../../src/bgp/keepalive.js';
import { decodeMessage, encodeMessage, messageEncodedLength, type BgpMessage } from '../../src/bgp/message.js';
import { notificationFor } from '../../src/bgp/notification.js';
import { packUpdates } from '../../src/bgp/update-packer.js';
import { hex, roundTrip } from '../helpers/round-trip.js';
import { EBGP4, deepPlain, message, throwsBgp, u16, u8 } from './codec-helpers.js';

const codec = {
  encode: (m: BgpMessage) => encodeMessage(m, EBGP4),
  decode: (b: Uint8Array) => decodeMessage(b, EBGP4) as BgpMessage,
  length: (m: BgpMessage) => messageEncodedLength(m, EBGP4),
};

describe('BGP header (RFC 4271 §4.1, §6.1)', () => {
  it('KEEPALIVE is the 19-octet header alone', () => {
    const bytes = roundTrip<BgpMessage>(KEEPALIVE, codec.encode, codec.decode, codec.length, deepPlain);
    assert.deepEqual(bytes, hex(`
      ffffffffffffffffffffffffffffffff  // marker: 16 octets of ones
      0013                              // length 19
      04                                // type 4 KEEPALIVE
    `));
  });

  it('a marker that is not all ones is Connection Not Synchronized, no data', () => {
    const bad = hex(`ffffffffffffffffffffffffffffff7f 0013 04`);
    throwsBgp(() => decodeMessage(bad, EBGP4), ErrorCode.MessageHeader, MessageHeaderSubcode.ConnectionNotSynchronized, new Uint8Array(0));
  });

  it('a length outside 19-4096 is Bad Message Length with the length as data', () => {
    const short = hex(`ffffffffffffffffffffffffffffffff 0012 04`); // length 18
    throwsBgp(() => decodeMessage(short, EBGP4), ErrorCode.MessageHeader, MessageHeaderSubcode.BadMessageLength, hex('0012'));
    const framer = new BgpFramer();
    framer.push(hex(`ffffffffffffffffffffffffffffffff 1001 02`)); // length 4097
    throwsBgp(() => framer.next(), ErrorCode.MessageHeader, MessageHeaderSubcode.BadMessageLength, hex('1001'));
  });

  it('a length wrong for the type is Bad Message Length (KEEPALIVE 20, OPEN 28, UPDATE 22, NOTIFICATION 20)', () => {
    for (const [type, length] of [[4, 20], [1, 28], [2, 22], [3, 20]] as const) {
      const raw = message(type, '00'.repeat(length - 19));
      throwsBgp(() => decodeMessage(raw, EBGP4), ErrorCode.MessageHeader, MessageHeaderSubcode.BadMessageLength, Uint8Array.of(0, length));
    }
  });

  it('an unknown type is Bad Message Type with the type as data', () => {
    const raw = hex(`ffffffffffffffffffffffffffffffff 0013 06`); // type 6
    throwsBgp(() => decodeMessage(raw, EBGP4), ErrorCode.MessageHeader, MessageHeaderSubcode.BadMessageType, hex('06'));
  });

  it('a buffer longer than its Length field is Bad Message Length', () => {
    const raw = hex(`ffffffffffffffffffffffffffffffff 0013 04 00`);
    throwsBgp(() => decodeMessage(raw, EBGP4), ErrorCode.MessageHeader, MessageHeaderSubcode.BadMessageLength, hex('0013'));
  });
});

describe('NOTIFICATION, KEEPALIVE, ROUTE-REFRESH', () => {
  it('round-trips any NOTIFICATION', () => {
    fc.assert(fc.property(u8, u8, fc.uint8Array({ maxLength: 64 }), (code, subcode, data) => {
      roundTrip<BgpMessage>({ type: 'notification', code, subcode, data }, codec.encode, codec.decode, codec.length, deepPlain);
    }), { numRuns: 500 });
  });

  it('decodes a Cease / Administrative Shutdown with an RFC 9003 shutdown communication', () => {
    const raw = hex(`
      ffffffffffffffffffffffffffffffff 001a 03  // header: length 26, NOTIFICATION
      06                                        // error code 6 Cease
      02                                        // subcode 2 Administrative Shutdown (RFC 4486)
      04 6d61696e                               // RFC 9003: length 4, "main"
    `);
    const m = decodeMessage(raw, EBGP4);
    assert.deepEqual(deepPlain(m), { type: 'notification', code: ErrorCode.Cease, subcode: CeaseSubcode.AdministrativeShutdown, data: hex('046d61696e') });
    assert.match(describeNotification(6, 2), /Cease \/ Administrative Shutdown/);
  });

  it('turns a BgpError into the NOTIFICATION the session sends', () => {
    const e = new BgpError(ErrorCode.MessageHeader, MessageHeaderSubcode.BadMessageLength, hex('1001'));
    assert.deepEqual(notificationFor(e), { type: 'notification', code: 1, subcode: 2, data: hex('1001') });
    assert.equal(e.code, 'ERR_BGP_MESSAGE_HEADER');
  });

  it('round-trips ROUTE-REFRESH with any subtype (RFC 2918, RFC 7313)', () => {
    fc.assert(fc.property(u16, u8, u8, (afi, subtype, safi) => {
      roundTrip<BgpMessage>({ type: 'route-refresh', afi, subtype, safi }, codec.encode, codec.decode, codec.length, deepPlain);
    }), { numRuns: 500 });
    const bytes = encodeMessage({ type: 'route-refresh', afi: 1, subtype: 1, safi: 1 }, EBGP4);
    assert.deepEqual(bytes, hex(`
      ffffffffffffffffffffffffffffffff 0017 05  // header: length 23, ROUTE-REFRESH
      0001                                      // AFI 1 IPv4
      01                                        // subtype 1 BoRR (RFC 7313 §3.2)
      01                                        // SAFI 1 unicast
    `));
  });

  it('a BoRR longer than 4 octets is ROUTE-REFRESH Message Error / Invalid Message Length with the whole message as data', () => {
    const raw = message(5, '0001 01 01 00');
    throwsBgp(() => decodeMessage(raw, EBGP4), ErrorCode.RouteRefreshMessage, RouteRefreshSubcode.InvalidMessageLength, raw);
    const short = message(5, '0001 00');
    throwsBgp(() => decodeMessage(short, EBGP4), ErrorCode.RouteRefreshMessage, RouteRefreshSubcode.InvalidMessageLength, short);
  });
});

describe('framer', () => {
  const stream = (): Uint8Array[] => [
    encodeMessage(KEEPALIVE, EBGP4),
    ...packUpdates({ origin: 0, asPath: [{ type: 'sequence', asns: [65001] }], nextHop: 0x0a000001 },
      Array.from({ length: 900 }, (_, i) => ({ address: (0x0a000000 + i * 256) >>> 0, length: 24 })), EBGP4),
    encodeMessage({ type: 'notification', code: 6, subcode: 2, data: new Uint8Array(0) }, EBGP4),
  ];

  it('returns the same messages however the stream is cut', () => {
    const messages = stream();
    const all = new Uint8Array(messages.reduce((n, m) => n + m.length, 0));
    let at = 0;
    for (const m of messages) {
      all.set(m, at);
      at += m.length;
    }
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: all.length - 1 }), { maxLength: 30 }), (cuts) => {
      const framer = new BgpFramer();
      const out: Uint8Array[] = [];
      let from = 0;
      for (const cut of [...cuts.sort((a, b) => a - b), all.length]) {
        framer.push(all.subarray(from, cut));
        from = cut;
        for (let m = framer.next(); m !== undefined; m = framer.next()) out.push(m);
      }
      assert.deepEqual(out, messages);
      assert.equal(framer.buffered, 0);
    }), { numRuns: 200 });
  });

  it('hands out the messages before a bad header, then fails at it and stays failed', () => {
    const framer = new BgpFramer();
    const good = encodeMessage(KEEPALIVE, EBGP4);
    framer.push(good);
    framer.push(hex(`ffffffffffffffffffffffffffffffff 0013 04  ffffffff00`)); // a keepalive, then a broken marker
    assert.deepEqual(framer.next(), good);
    assert.deepEqual(framer.next(), good);
    throwsBgp(() => framer.next(), ErrorCode.MessageHeader, MessageHeaderSubcode.ConnectionNotSynchronized);
    throwsBgp(() => framer.next(), ErrorCode.MessageHeader, MessageHeaderSubcode.ConnectionNotSynchronized);
  });

  it('accepts extended messages once raised to 65535 (RFC 8654)', () => {
    const big = packUpdates({ origin: 0, asPath: [], nextHop: 0x0a000001 },
      Array.from({ length: 3000 }, (_, i) => ({ address: i << 8, length: 24 })), { fourOctetAs: true, maxMessageLength: 65535 });
    assert.equal(big.length, 1);
    const framer = new BgpFramer();
    framer.push(big[0]!);
    throwsBgp(() => framer.next(), ErrorCode.MessageHeader, MessageHeaderSubcode.BadMessageLength);
    const extended = new BgpFramer({ maxMessageLength: 65535 });
    extended.push(big[0]!);
    assert.deepEqual(extended.next(), big[0]);
  });
});
