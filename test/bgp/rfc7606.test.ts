import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DecodeContext } from '../../src/bgp/context.js';
import { ErrorCode, UpdateMessageSubcode as Sub, type ErrorAction } from '../../src/bgp/errors.js';
import type { UpdateOutcome } from '../../src/bgp/update.js';
import { hex } from '../helpers/round-trip.js';
import { EBGP2, EBGP4, IBGP4, decodeUpdateBytes, deepPlain, throwsBgp, update } from './codec-helpers.js';

/*
 * RFC 7606 byte cases. Each UPDATE body is written out field by field (the helper adds the
 * 19-octet header); each asserts the action and the NOTIFICATION content of every error.
 */

const P24 = { address: 0xcb007100, length: 24 }; // 203.0.113.0/24
const UPD = ErrorCode.UpdateMessage;

function expectOutcome(o: UpdateOutcome, action: UpdateOutcome['action'], errors: { subcode: number; data: string; action: ErrorAction }[]): void {
  assert.equal(o.action, action);
  assert.deepEqual(o.errors.map((e) => ({ code: e.errorCode, subcode: e.subcode, data: e.data, action: e.action })),
    errors.map((e) => ({ code: UPD, subcode: e.subcode, data: e.data === '' ? new Uint8Array(0) : hex(e.data), action: e.action })));
}

function withdrawsEverything(o: UpdateOutcome): void {
  assert.deepEqual(o.announced, []);
  assert.deepEqual(o.withdrawn, [P24]);
}

const decode = (body: string, ctx: DecodeContext = EBGP4): UpdateOutcome => decodeUpdateBytes(update(body), ctx);

describe('RFC 7606: a well-formed baseline', () => {
  it('announces 203.0.113.0/24 with no errors', () => {
    const o = decode(`
      0000                      // Withdrawn Routes Length 0
      0014                      // Total Path Attribute Length 20
      40 01 01 00               // ORIGIN (well-known transitive), length 1, IGP
      40 02 06 02 01 0000fde9   // AS_PATH, length 6: AS_SEQUENCE of 1, AS 65001
      40 03 04 c0000201         // NEXT_HOP 192.0.2.1
      18 cb0071                 // NLRI 203.0.113.0/24
    `);
    expectOutcome(o, 'none', []);
    assert.deepEqual(o.announced.map((r) => r.prefix), [P24]);
    assert.equal(o.announced[0]!.attributes.nextHop, 0xc0000201);
  });
});

describe('RFC 7606 §7: per attribute', () => {
  it('§7.1 ORIGIN value 3 → treat-as-withdraw (Invalid ORIGIN Attribute, data: the attribute)', () => {
    const o = decode(`
      0000 0014
      40 01 01 03               // ORIGIN, length 1, value 3: undefined
      40 02 06 02 01 0000fde9   // AS_PATH 65001
      40 03 04 c0000201         // NEXT_HOP 192.0.2.1
      18 cb0071                 // NLRI 203.0.113.0/24
    `);
    expectOutcome(o, 'treat-as-withdraw', [{ subcode: Sub.InvalidOriginAttribute, data: '40 01 01 03', action: 'treat-as-withdraw' }]);
    withdrawsEverything(o);
  });

  it('§7.1 ORIGIN length 2 → treat-as-withdraw (Attribute Length Error)', () => {
    const o = decode(`
      0000 0015                 // Total Path Attribute Length 21
      40 01 02 0000             // ORIGIN, length 2
      40 02 06 02 01 0000fde9   // AS_PATH 65001
      40 03 04 c0000201         // NEXT_HOP
      18 cb0071                 // NLRI 203.0.113.0/24
    `);
    expectOutcome(o, 'treat-as-withdraw', [{ subcode: Sub.AttributeLengthError, data: '40 01 02 0000', action: 'treat-as-withdraw' }]);
    withdrawsEverything(o);
  });

  it('§7.2 AS_PATH segment overrun → treat-as-withdraw (Malformed AS_PATH)', () => {
    const o = decode(`
      0000 0014
      40 01 01 00               // ORIGIN IGP
      40 02 06 02 02 0000fde9   // AS_PATH, length 6: AS_SEQUENCE claiming 2 ASNs, holding 1
      40 03 04 c0000201         // NEXT_HOP
      18 cb0071                 // NLRI
    `);
    expectOutcome(o, 'treat-as-withdraw', [{ subcode: Sub.MalformedAsPath, data: '40 02 06 02 02 0000fde9', action: 'treat-as-withdraw' }]);
    withdrawsEverything(o);
  });

  it('§7.2 AS_PATH with an unknown segment type, a zero-length segment, or one octet left → treat-as-withdraw', () => {
    for (const asPath of ['40 02 06 05 01 0000fde9', '40 02 06 02 00 02 01 fde9', '40 02 06 02 01 0000fde9'.replace('06 02 01 0000fde9', '07 02 01 0000fde9 00')]) {
      const attrs = hex(`40 01 01 00 ${asPath} 40 03 04 c0000201`);
      const body = `0000 ${attrs.length.toString(16).padStart(4, '0')} ${Buffer.from(attrs).toString('hex')} 18 cb0071`;
      const o = decode(body);
      expectOutcome(o, 'treat-as-withdraw', [{ subcode: Sub.MalformedAsPath, data: asPath, action: 'treat-as-withdraw' }]);
    }
  });

  it('§7.3 NEXT_HOP length 5 or a martian address → treat-as-withdraw', () => {
    const o = decode(`
      0000 0015
      40 01 01 00 | 40 02 06 02 01 0000fde9
      40 03 05 c000020100       // NEXT_HOP, length 5
      18 cb0071
    `);
    expectOutcome(o, 'treat-as-withdraw', [{ subcode: Sub.AttributeLengthError, data: '40 03 05 c000020100', action: 'treat-as-withdraw' }]);
    const martian = decode(`
      0000 0014
      40 01 01 00 | 40 02 06 02 01 0000fde9
      40 03 04 00000000         // NEXT_HOP 0.0.0.0
      18 cb0071
    `);
    expectOutcome(martian, 'treat-as-withdraw', [{ subcode: Sub.InvalidNextHopAttribute, data: '40 03 04 00000000', action: 'treat-as-withdraw' }]);
  });

  it('§7.4 MULTI_EXIT_DISC length 3 → treat-as-withdraw', () => {
    const o = decode(`
      0000 001a                 // Total Path Attribute Length 26
      40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 c0000201
      80 04 03 000001           // MULTI_EXIT_DISC (optional non-transitive), length 3
      18 cb0071
    `);
    expectOutcome(o, 'treat-as-withdraw', [{ subcode: Sub.AttributeLengthError, data: '80 04 03 000001', action: 'treat-as-withdraw' }]);
  });

  it('§7.5 LOCAL_PREF from an eBGP peer → attribute discard; from iBGP, length 3 → treat-as-withdraw', () => {
    const body = `
      0000 001b                 // Total Path Attribute Length 27
      40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 c0000201
      40 05 04 00000064         // LOCAL_PREF 100
      18 cb0071
    `;
    const ebgp = decode(body, EBGP4);
    expectOutcome(ebgp, 'attribute-discard', [{ subcode: Sub.Unspecific, data: '40 05 04 00000064', action: 'attribute-discard' }]);
    assert.equal(ebgp.announced.length, 1);
    assert.equal(ebgp.announced[0]!.attributes.localPref, undefined);
    assert.equal(decode(body, IBGP4).announced[0]!.attributes.localPref, 100);
    const bad = decode(`
      0000 001a
      40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 c0000201
      40 05 03 000064           // LOCAL_PREF, length 3
      18 cb0071
    `, IBGP4);
    expectOutcome(bad, 'treat-as-withdraw', [{ subcode: Sub.AttributeLengthError, data: '40 05 03 000064', action: 'treat-as-withdraw' }]);
  });

  it('§7.6 ATOMIC_AGGREGATE length 1 → attribute discard', () => {
    const o = decode(`
      0000 0018
      40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 c0000201
      40 06 01 00               // ATOMIC_AGGREGATE, length 1
      18 cb0071
    `);
    expectOutcome(o, 'attribute-discard', [{ subcode: Sub.AttributeLengthError, data: '40 06 01 00', action: 'attribute-discard' }]);
    assert.equal(o.announced[0]!.attributes.atomicAggregate, undefined);
  });

  it('§7.7 AGGREGATOR of the wrong length for the session → attribute discard', () => {
    // 8 octets on a 2-octet session (AS_PATH in 2-octet form here)
    const o = decode(`
      0000 001d                 // Total Path Attribute Length 29
      40 01 01 00               // ORIGIN IGP
      40 02 04 02 01 fde9       // AS_PATH: AS_SEQUENCE 65001 (2-octet ASNs)
      40 03 04 c0000201         // NEXT_HOP
      c0 07 08 0000fde9 0a000001  // AGGREGATOR, length 8: needs 4-octet AS, this session is 2-octet
      18 cb0071
    `, EBGP2);
    expectOutcome(o, 'attribute-discard', [{ subcode: Sub.AttributeLengthError, data: 'c0 07 08 0000fde9 0a000001', action: 'attribute-discard' }]);
    assert.deepEqual(o.announced.map((r) => r.prefix), [P24]);
    assert.equal(o.announced[0]!.attributes.aggregator, undefined);
  });

  it('§7.8 COMMUNITIES of length 0 or 5 → treat-as-withdraw', () => {
    for (const [communities, total] of [['c0 08 00', '0017'], ['c0 08 05 fde8006400', '001c']] as const) {
      const o = decode(`0000 ${total} | 40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 c0000201 | ${communities} | 18 cb0071`);
      expectOutcome(o, 'treat-as-withdraw', [{ subcode: Sub.AttributeLengthError, data: communities, action: 'treat-as-withdraw' }]);
    }
  });

  it('RFC 8092 §6 LARGE_COMMUNITY of length 13 → treat-as-withdraw', () => {
    const o = decode(`
      0000 0024                 // Total Path Attribute Length 36
      40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 c0000201
      c0 20 0d 0000fbf0 00000001 00000002 ff  // LARGE_COMMUNITY, length 13
      18 cb0071
    `);
    expectOutcome(o, 'treat-as-withdraw', [{ subcode: Sub.AttributeLengthError, data: 'c0 20 0d 0000fbf0 00000001 00000002 ff', action: 'treat-as-withdraw' }]);
  });

  it('§7.9, §7.10 ORIGINATOR_ID from eBGP → discard; CLUSTER_LIST of length 0 from iBGP → treat-as-withdraw', () => {
    const o = decode(`0000 001b | 40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 c0000201 | 80 09 04 0a000009 | 18 cb0071`, EBGP4);
    expectOutcome(o, 'attribute-discard', [{ subcode: Sub.Unspecific, data: '80 09 04 0a000009', action: 'attribute-discard' }]);
    const i = decode(`0000 0017 | 40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 c0000201 | 80 0a 00 | 18 cb0071`, IBGP4);
    expectOutcome(i, 'treat-as-withdraw', [{ subcode: Sub.AttributeLengthError, data: '80 0a 00', action: 'treat-as-withdraw' }]);
  });

  it('RFC 6793 §6: a malformed AS4_PATH is discarded and the AS_PATH used as is', () => {
    const o = decode(`
      0000 001c                 // Total Path Attribute Length 28
      40 01 01 00               // ORIGIN IGP
      40 02 04 02 01 5ba0       // AS_PATH: AS_SEQUENCE AS_TRANS
      40 03 04 c0000201         // NEXT_HOP
      c0 11 07 02 02 fa56ea01 00  // AS4_PATH, length 7: a segment of 2 ASNs holding 1.25
      18 cb0071
    `, EBGP2);
    expectOutcome(o, 'attribute-discard', [{ subcode: Sub.OptionalAttributeError, data: 'c0 11 07 02 02 fa56ea01 00', action: 'attribute-discard' }]);
    assert.deepEqual(o.announced[0]!.attributes.asPath, [{ type: 'sequence', asns: [23456] }]);
  });
});

describe('RFC 7606 §3: message-level rules', () => {
  it('§3 (c) wrong flags on a well-known attribute → treat-as-withdraw (Attribute Flags Error)', () => {
    const o = decode(`
      0000 0014
      c0 01 01 00               // ORIGIN flagged optional transitive: well-known attributes are not optional
      40 02 06 02 01 0000fde9 | 40 03 04 c0000201
      18 cb0071
    `);
    expectOutcome(o, 'treat-as-withdraw', [
      { subcode: Sub.AttributeFlagsError, data: 'c0 01 01 00', action: 'treat-as-withdraw' },
    ]);
    withdrawsEverything(o);
  });

  it('§3 (d) missing NEXT_HOP with NLRI present → treat-as-withdraw (Missing Well-known Attribute, data: type code 3)', () => {
    const o = decode(`
      0000 000d                 // Total Path Attribute Length 13
      40 01 01 00               // ORIGIN IGP
      40 02 06 02 01 0000fde9   // AS_PATH 65001 — and no NEXT_HOP
      18 cb0071                 // NLRI 203.0.113.0/24
    `);
    expectOutcome(o, 'treat-as-withdraw', [{ subcode: Sub.MissingWellKnownAttribute, data: '03', action: 'treat-as-withdraw' }]);
    withdrawsEverything(o);
  });

  it('§3 (d) an UPDATE with only withdrawals needs no mandatory attributes', () => {
    const o = decode(`0003 | 10 0a01 | 0000`); // Withdrawn Routes Length 3: 10.1.0.0/16; no attributes
    expectOutcome(o, 'none', []);
    assert.deepEqual(o.withdrawn, [{ address: 0x0a010000, length: 16 }]);
  });

  it('§3 (g) duplicate MP_REACH_NLRI → session reset (Malformed Attribute List)', () => {
    throwsBgp(() => decode(`
      0000 0023                 // Total Path Attribute Length 35
      40 01 01 00 | 40 02 06 02 01 0000fde9
      80 0e 0b 0001 01 04 c0000201 00 | 08 0a   // MP_REACH_NLRI: IPv4 unicast, next hop 192.0.2.1, 10.0.0.0/8
      80 0e 05 0002 01 00 00                    // MP_REACH_NLRI again (IPv6, no next hop)
    `), UPD, Sub.MalformedAttributeList, new Uint8Array(0));
  });

  it('§3 (g) other duplicates: the first is kept, later ones discarded', () => {
    const o = decode(`
      0000 0022                 // Total Path Attribute Length 34
      40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 c0000201
      c0 08 04 fde80064         // COMMUNITIES 65000:100
      c0 08 04 fde800c8         // COMMUNITIES 65000:200: discarded
      18 cb0071
    `);
    expectOutcome(o, 'attribute-discard', [{ subcode: Sub.MalformedAttributeList, data: '', action: 'attribute-discard' }]);
    assert.deepEqual(o.announced[0]!.attributes.communities, [0xfde80064]);
  });

  it('§3 (h) several errors: the strongest action wins', () => {
    const o = decode(`
      0000 0011                 // Total Path Attribute Length 17
      40 01 01 00 | 40 02 06 02 01 0000fde9
      40 06 01 00               // ATOMIC_AGGREGATE, length 1: attribute discard
      18 cb0071                 // and NEXT_HOP is missing: treat-as-withdraw
    `);
    expectOutcome(o, 'treat-as-withdraw', [
      { subcode: Sub.AttributeLengthError, data: '40 06 01 00', action: 'attribute-discard' },
      { subcode: Sub.MissingWellKnownAttribute, data: '03', action: 'treat-as-withdraw' },
    ]);
  });

  it('§3 (b) Total Path Attribute Length overrunning the message → session reset (Malformed Attribute List)', () => {
    throwsBgp(() => decode(`
      0000                      // Withdrawn Routes Length 0
      0030                      // Total Path Attribute Length 48: only 24 octets follow
      40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 c0000201 | 18 cb0071
    `), UPD, Sub.MalformedAttributeList, new Uint8Array(0));
  });

  it('§3 (b) Withdrawn Routes Length overrunning the message → session reset (Malformed Attribute List)', () => {
    throwsBgp(() => decode(`
      0010                      // Withdrawn Routes Length 16: only 4 octets follow
      18 cb0071 00
    `), UPD, Sub.MalformedAttributeList, new Uint8Array(0));
  });

  it('§4 the last attribute overrunning the attribute list → treat-as-withdraw, NLRI located by the total length', () => {
    const o = decode(`
      0000 0014                 // Total Path Attribute Length 20
      40 01 01 00 | 40 02 06 02 01 0000fde9
      40 03 05 c0000201         // NEXT_HOP claiming 5 octets: 4 are left in the list
      18 cb0071                 // NLRI 203.0.113.0/24
    `);
    expectOutcome(o, 'treat-as-withdraw', [
      { subcode: Sub.MalformedAttributeList, data: '', action: 'treat-as-withdraw' },
      { subcode: Sub.MissingWellKnownAttribute, data: '03', action: 'treat-as-withdraw' },
    ]);
    withdrawsEverything(o);
  });

  it('§4 fewer than 3 octets left for an attribute header → treat-as-withdraw', () => {
    const o = decode(`
      0000 0016                 // Total Path Attribute Length 22
      40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 c0000201
      40 06                     // two stray octets
      18 cb0071
    `);
    expectOutcome(o, 'treat-as-withdraw', [{ subcode: Sub.MalformedAttributeList, data: '', action: 'treat-as-withdraw' }]);
  });

  it('§5.3 prefix length 33 in the NLRI or Withdrawn Routes → session reset (Invalid Network Field)', () => {
    throwsBgp(() => decode(`0000 0014 | 40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 c0000201 | 21 cb007100 00`),
      UPD, Sub.InvalidNetworkField, new Uint8Array(0));
    throwsBgp(() => decode(`0006 | 21 0a000000 00 | 0000`), UPD, Sub.InvalidNetworkField);
    // a prefix running past the field
    throwsBgp(() => decode(`0000 0014 | 40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 c0000201 | 18 cb00`), UPD, Sub.InvalidNetworkField);
  });

  it('RFC 4271 §4.3: bits past the prefix length are irrelevant and masked off', () => {
    const o = decode(`0000 0014 | 40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 c0000201 | 17 cb0071`); // /23 with a host bit set
    assert.deepEqual(o.announced[0]!.prefix, { address: 0xcb007000, length: 23 });
  });

  it('§5.2 attributes but nothing announced: an error stronger than attribute discard resets the session', () => {
    throwsBgp(() => decode(`
      0003 10 0a01              // Withdrawn Routes Length 3: 10.1.0.0/16
      0004 40 01 01 07          // ORIGIN 7
    `), UPD, Sub.InvalidOriginAttribute, hex('40 01 01 07'));
    const discard = decode(`0003 10 0a01 | 0004 40 06 01 00`); // ATOMIC_AGGREGATE length 1: attribute discard is fine
    expectOutcome(discard, 'attribute-discard', [{ subcode: Sub.AttributeLengthError, data: '40 06 01 00', action: 'attribute-discard' }]);
    assert.deepEqual(discard.withdrawn, [{ address: 0x0a010000, length: 16 }]);
  });

  it('RFC 4271 §6.3: an unrecognised well-known attribute → session reset with the attribute as data', () => {
    throwsBgp(() => decode(`0000 0018 | 40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 c0000201 | 40 63 01 ff | 18 cb0071`),
      UPD, Sub.UnrecognizedWellKnownAttribute, hex('40 63 01 ff'));
  });

  it('unknown optional attributes are kept byte for byte, transitive or not', () => {
    const o = decode(`0000 001d | 40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 c0000201 | c0 63 02 abcd | 80 64 01 ef | 18 cb0071`);
    expectOutcome(o, 'none', []);
    assert.deepEqual(deepPlain(o.announced[0]!.attributes.unknown), [
      { flags: 0xc0, type: 99, value: hex('abcd') },
      { flags: 0x80, type: 100, value: hex('ef') },
    ]);
  });
});

describe('RFC 7606 §5.3, §7.11: MP_REACH_NLRI / MP_UNREACH_NLRI', () => {
  const mpWithNextHop16 = `
    0000 0029                 // Total Path Attribute Length 41
    40 01 01 00 | 40 02 06 02 01 0000fde9
    80 0e 19 0001 01 10 20010db8000000000000000000000001 00 | 18 cb0071
    // MP_REACH_NLRI, length 25: AFI 1, SAFI 1, next hop length 16 (IPv6 next hop, not negotiated), reserved, 203.0.113.0/24
  `;

  it('announces MP_REACH_NLRI IPv4 unicast routes with the MP next hop, and withdraws MP_UNREACH ones', () => {
    const o = decode(`
      0000 0025                 // Total Path Attribute Length 37
      80 0f 05 0001 01 08 0b    // MP_UNREACH_NLRI: IPv4 unicast, 11.0.0.0/8
      80 0e 0d 0001 01 04 c0000202 00 18 cb0071  // MP_REACH_NLRI: IPv4 unicast, next hop 192.0.2.2, 203.0.113.0/24
      40 01 01 00 | 40 02 06 02 01 0000fde9      // ORIGIN, AS_PATH (no NEXT_HOP needed: RFC 4760 §3)
    `);
    expectOutcome(o, 'none', []);
    assert.deepEqual(o.withdrawn, [{ address: 0x0b000000, length: 8 }]);
    assert.deepEqual(o.announced.map((r) => [r.prefix, r.attributes.nextHop]), [[P24, 0xc0000202]]);
  });

  it('a next hop length other than 4 for IPv4 unicast → session reset (Optional Attribute Error, data: the attribute)', () => {
    const e = throwsBgp(() => decode(mpWithNextHop16), UPD, Sub.OptionalAttributeError,
      hex('80 0e 19 0001 01 10 20010db8000000000000000000000001 00 18 cb0071'));
    assert.deepEqual(e.afiSafi, { afi: 1, safi: 1 });
  });

  it('... or AFI/SAFI disable when the session allows it', () => {
    const o = decode(mpWithNextHop16, { ...EBGP4, afiSafiDisable: true });
    assert.equal(o.action, 'afisafi-disable');
    assert.deepEqual(o.disabled, [{ afi: 1, safi: 1 }]);
    assert.deepEqual(o.announced, []);
  });

  it('a prefix length 33 inside MP_REACH_NLRI, or MP attributes too short, → session reset', () => {
    throwsBgp(() => decode(`0000 001a | 40 01 01 00 | 40 02 06 02 01 0000fde9 | 80 0e 0a 0001 01 04 c0000201 00 | 21`), UPD, Sub.OptionalAttributeError);
    throwsBgp(() => decode(`0000 0005 | 80 0f 02 0001`), UPD, Sub.OptionalAttributeError);
    throwsBgp(() => decode(`0000 0007 | 80 0e 04 0001 01 00`), UPD, Sub.OptionalAttributeError);
  });

  it('wrong flags on MP_UNREACH_NLRI → session reset (Attribute Flags Error)', () => {
    throwsBgp(() => decode(`0000 0008 | 40 0f 05 0001 01 08 0a`), UPD, Sub.AttributeFlagsError, hex('40 0f 05 0001 01 08 0a'));
  });

  it('treat-as-withdraw covers the MP_REACH_NLRI routes too', () => {
    const o = decode(`
      0000 0017                 // Total Path Attribute Length 23
      40 01 01 03               // ORIGIN 3: malformed
      40 02 00                  // AS_PATH, empty
      80 0e 0d 0001 01 04 c0000202 00 18 cb0071  // MP_REACH_NLRI: 203.0.113.0/24 via 192.0.2.2
    `);
    assert.equal(o.action, 'treat-as-withdraw');
    withdrawsEverything(o);
  });
});

describe('End-of-RIB (RFC 4724 §2)', () => {
  it('an empty UPDATE is the IPv4 unicast End-of-RIB', () => {
    assert.deepEqual(decode(`0000 0000`).endOfRib, { afi: 1, safi: 1 });
  });

  it('an UPDATE holding only an empty MP_UNREACH_NLRI is that AFI/SAFI\'s End-of-RIB', () => {
    assert.deepEqual(decode(`0000 0006 | 80 0f 03 0002 01`).endOfRib, { afi: 2, safi: 1 });
    assert.equal(decode(`0003 10 0a01 0000`).endOfRib, undefined);
  });
});

describe('NEXT_HOP next to MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760 §3, RFC 4271 §6.3; issue 13, defect 10)', () => {
  const P8 = { address: 0x0a000000, length: 8 }; // 10.0.0.0/8

  it('routes only in MP_REACH_NLRI with NEXT_HOP 0.0.0.0: NEXT_HOP is ignored, the routes are announced via the MP next hop', () => {
    const o = decode(`
      0000 0024                 // Total Path Attribute Length 36
      80 0e 0d 0001 01 04 c0000202 00 18 cb0071  // MP_REACH_NLRI: IPv4 unicast, next hop 192.0.2.2, 203.0.113.0/24
      40 01 01 00               // ORIGIN IGP
      40 02 06 02 01 0000fde9   // AS_PATH 65001
      40 03 04 00000000         // NEXT_HOP 0.0.0.0 (no NLRI field: SHOULD be ignored)
    `);
    expectOutcome(o, 'none', []);
    assert.deepEqual(o.nextHopErrors, []);
    assert.deepEqual(o.withdrawn, []);
    assert.deepEqual(o.announced.map((r) => [r.prefix, r.attributes.nextHop]), [[P24, 0xc0000202]]);
  });

  it('... whatever the NEXT_HOP holds: a length of 5 is ignored too', () => {
    const o = decode(`
      0000 0025                 // Total Path Attribute Length 37
      80 0e 0d 0001 01 04 c0000202 00 18 cb0071  // MP_REACH_NLRI: 203.0.113.0/24 via 192.0.2.2
      40 01 01 00 | 40 02 06 02 01 0000fde9      // ORIGIN, AS_PATH
      40 03 05 c000020100       // NEXT_HOP, length 5
    `);
    expectOutcome(o, 'none', []);
    assert.deepEqual(o.announced.map((r) => r.prefix), [P24]);
  });

  it('an UPDATE that only withdraws (MP_UNREACH_NLRI) and carries NEXT_HOP 0.0.0.0 withdraws, and never resets the session', () => {
    const o = decode(`
      0000 001e                 // Total Path Attribute Length 30
      80 0f 07 0001 01 18 cb0071                 // MP_UNREACH_NLRI: IPv4 unicast, 203.0.113.0/24
      40 01 01 00 | 40 02 06 02 01 0000fde9      // ORIGIN, AS_PATH
      40 03 04 00000000         // NEXT_HOP 0.0.0.0
    `);
    expectOutcome(o, 'none', []);
    assert.deepEqual(o.withdrawn, [P24]);
    const bare = decode(`
      0000 0011                 // Total Path Attribute Length 17
      80 0f 07 0001 01 18 cb0071                 // MP_UNREACH_NLRI: 203.0.113.0/24
      40 03 04 00000000         // NEXT_HOP 0.0.0.0, nothing else
    `);
    expectOutcome(bare, 'none', []);
    assert.deepEqual([...o.nextHopErrors, ...bare.nextHopErrors], []);
    assert.deepEqual(bare.withdrawn, [P24]);
  });

  it('routes in both the NLRI field and MP_REACH_NLRI with NEXT_HOP 0.0.0.0: only the NLRI field\'s routes are withdrawn', () => {
    const o = decode(`
      0000 0024                 // Total Path Attribute Length 36
      80 0e 0d 0001 01 04 c0000202 00 18 cb0071  // MP_REACH_NLRI: 203.0.113.0/24 via 192.0.2.2
      40 01 01 00 | 40 02 06 02 01 0000fde9      // ORIGIN, AS_PATH
      40 03 04 00000000         // NEXT_HOP 0.0.0.0: semantically wrong for the NLRI field's route
      08 0a                     // NLRI: 10.0.0.0/8
    `);
    expectOutcome(o, 'none', []);
    assert.deepEqual(o.nextHopErrors.map((e) => [e.subcode, e.action]), [[Sub.InvalidNextHopAttribute, 'treat-as-withdraw']]);
    assert.deepEqual(o.nextHopErrors[0]!.data, hex('40 03 04 00000000'));
    assert.deepEqual(o.withdrawn, [P8]);
    assert.deepEqual(o.announced.map((r) => [r.prefix, r.attributes.nextHop]), [[P24, 0xc0000202]]);
  });

  it('a NEXT_HOP of the wrong length with routes in the NLRI field still withdraws the whole UPDATE (RFC 7606 §7.3)', () => {
    const o = decode(`
      0000 0025                 // Total Path Attribute Length 37
      80 0e 0d 0001 01 04 c0000202 00 18 cb0071  // MP_REACH_NLRI: 203.0.113.0/24 via 192.0.2.2
      40 01 01 00 | 40 02 06 02 01 0000fde9      // ORIGIN, AS_PATH
      40 03 05 c000020100       // NEXT_HOP, length 5
      08 0a                     // NLRI: 10.0.0.0/8
    `);
    assert.equal(o.action, 'treat-as-withdraw');
    assert.deepEqual(o.announced, []);
    assert.deepEqual(o.withdrawn, [P8, P24]);
  });

  it('an MP_REACH_NLRI next hop no router can have (0.0.0.0, 127/8, 224/3) withdraws its routes only; the NLRI field\'s are announced', () => {
    for (const nh of ['00000000', '7f000001', 'e0000001']) {
      const o = decode(`
        0000 0024               // Total Path Attribute Length 36
        80 0e 0d 0001 01 04 ${nh} 00 18 cb0071   // MP_REACH_NLRI: 203.0.113.0/24 via a martian
        40 01 01 00 | 40 02 06 02 01 0000fde9    // ORIGIN, AS_PATH
        40 03 04 c0000201       // NEXT_HOP 192.0.2.1
        08 0a                   // NLRI: 10.0.0.0/8
      `);
      expectOutcome(o, 'none', []);
      assert.deepEqual(o.nextHopErrors.map((e) => [e.subcode, e.action]), [[Sub.InvalidNextHopAttribute, 'treat-as-withdraw']], nh);
      assert.deepEqual(o.withdrawn, [P24], nh);
      assert.deepEqual(o.announced.map((r) => [r.prefix, r.attributes.nextHop]), [[P8, 0xc0000201]], nh);
    }
    // Alone in the UPDATE: its routes withdrawn, nothing else touched, no session reset.
    const alone = decode(`
      0000 001d                 // Total Path Attribute Length 29
      80 0e 0d 0001 01 04 00000000 00 18 cb0071  // MP_REACH_NLRI: 203.0.113.0/24 via 0.0.0.0
      40 01 01 00 | 40 02 06 02 01 0000fde9      // ORIGIN, AS_PATH
    `);
    expectOutcome(alone, 'none', []);
    assert.equal(alone.nextHopErrors.length, 1);
    assert.deepEqual(alone.withdrawn, [P24]);
    assert.deepEqual(alone.announced, []);
  });

  it('RFC 7606 §7.11: every MP_REACH_NLRI next hop length but 4 for IPv4 unicast → session reset, or AFI/SAFI disable when allowed', () => {
    for (const [length, nextHop] of [[0, ''], [3, 'c00002'], [5, 'c000020200'], [12, '0000000000000000c0000202'], [32, '20010db8000000000000000000000001fe800000000000000000000000000001']] as const) {
      const mpLength = 5 + length + 4;
      const body = `
        0000 ${(mpLength + 3 + 13).toString(16).padStart(4, '0')}
        80 0e ${mpLength.toString(16).padStart(2, '0')} 0001 01 ${length.toString(16).padStart(2, '0')} ${nextHop} 00 18 cb0071
        40 01 01 00 | 40 02 06 02 01 0000fde9
      `;
      const e = throwsBgp(() => decode(body), UPD, Sub.OptionalAttributeError);
      assert.deepEqual(e.afiSafi, { afi: 1, safi: 1 }, `length ${length}`);
      const o = decode(body, { ...EBGP4, afiSafiDisable: true });
      assert.equal(o.action, 'afisafi-disable', `length ${length}`);
      assert.deepEqual(o.disabled, [{ afi: 1, safi: 1 }]);
      assert.deepEqual(o.announced, []);
    }
  });

  it('an AFI/SAFI vpnlab does not decode (IPv6 unicast) keeps its next hop and NLRI as bytes and does not touch the IPv4 routes', () => {
    const o = decode(`
      0000 0031                 // Total Path Attribute Length 49
      80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 | 20 20010db8   // MP_REACH_NLRI (26 octets): AFI 2 SAFI 1, 2001:db8::1, 2001:db8::/32
      40 01 01 00 | 40 02 06 02 01 0000fde9      // ORIGIN, AS_PATH
      40 03 04 c0000201         // NEXT_HOP 192.0.2.1
      08 0a                     // NLRI: 10.0.0.0/8
    `);
    expectOutcome(o, 'none', []);
    assert.deepEqual(o.announced.map((r) => [r.prefix, r.attributes.nextHop]), [[P8, 0xc0000201]]);
  });
});
