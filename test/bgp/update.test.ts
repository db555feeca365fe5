import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatPrefix, parsePrefix, type Prefix } from '../../src/net/address.js';
import type { DecodeContext } from '../../src/bgp/context.js';
import { decodeMessage, encodeMessage, messageEncodedLength } from '../../src/bgp/message.js';
import type { PathAttributes } from '../../src/bgp/types.js';
import type { UpdateMessage } from '../../src/bgp/update.js';
import { prefixEncodedLength } from '../../src/bgp/nlri.js';
import { endOfRib, packBatch, packUpdates, packWithdrawals } from '../../src/bgp/update-packer.js';
import { hex, roundTrip } from '../helpers/round-trip.js';
import { EBGP4, IBGP2, IBGP4, decodeUpdateBytes, deepPlain, pathAttributes, prefix, updateMessage } from './codec-helpers.js';

/*
 * An UPDATE laid out as FRR sends one to an eBGP neighbour on a 4-octet AS session: attributes
 * in type code order, AS_PATH with the Extended Length bit set (FRR always sets it there).
 * Built from RFC 4271 §4.3 and §5.1, RFC 1997 (COMMUNITIES) and RFC 8092 (LARGE_COMMUNITY).
 */
const FRR_UPDATE = hex(`
  ffffffffffffffffffffffffffffffff  // marker
  0052                              // length 82
  02                                // type 2 UPDATE
  0000                              // Withdrawn Routes Length 0
  0032                              // Total Path Attribute Length 50
  40 01 01 | 00                     // ORIGIN: well-known transitive, length 1, IGP
  50 02 0006 | 02 01 fa56ea01       // AS_PATH: transitive + extended length, length 6: AS_SEQUENCE [4200000001]
  40 03 04 | c0000201               // NEXT_HOP 192.0.2.1
  80 04 04 | 00000000               // MULTI_EXIT_DISC 0 (optional non-transitive)
  c0 08 04 | fde80064               // COMMUNITIES 65000:100 (optional transitive)
  c0 20 0c | fa56ea01 00000001 00000002  // LARGE_COMMUNITY 4200000001:1:2
  18 cb0071                         // NLRI 203.0.113.0/24
  19 c6336400                       // NLRI 198.51.100.0/25
`);

const codecFor = (ctx: DecodeContext) => ({
  encode: (u: UpdateMessage) => encodeMessage(u, ctx),
  decode: (b: Uint8Array) => {
    const o = decodeUpdateBytes(b, ctx);
    assert.equal(o.action, 'none', o.errors.map((e) => e.message).join('; '));
    return o.update;
  },
  length: (u: UpdateMessage) => messageEncodedLength(u, ctx),
});

describe('UPDATE (RFC 4271 §4.3)', () => {
  it('decodes an UPDATE as FRR sends it and re-encodes it byte for byte', () => {
    const o = decodeUpdateBytes(FRR_UPDATE, EBGP4);
    assert.equal(o.action, 'none');
    assert.deepEqual(o.announced.map((r) => formatPrefix(r.prefix)), ['203.0.113.0/24', '198.51.100.0/25']);
    assert.deepEqual(deepPlain(o.announced[0]!.attributes), {
      origin: 0,
      asPath: [{ type: 'sequence', asns: [4200000001] }],
      nextHop: 0xc0000201,
      med: 0,
      communities: [0xfde80064],
      largeCommunities: [{ globalAdmin: 4200000001, localData1: 1, localData2: 2 }],
    });
    assert.deepEqual(encodeMessage(o.update, EBGP4), FRR_UPDATE);
  });

  for (const [name, ctx] of [['2-octet', IBGP2], ['4-octet', IBGP4]] as const) {
    it(`round-trips any UPDATE on a ${name} AS session`, () => {
      const c = codecFor(ctx);
      fc.assert(fc.property(updateMessage(ctx.fourOctetAs), (u) => {
        roundTrip(u, c.encode, c.decode, c.length, deepPlain);
      }), { numRuns: 1500 });
    });
  }

  it('encodes withdrawals and End-of-RIB field by field', () => {
    assert.deepEqual(endOfRib(EBGP4), hex(`
      ffffffffffffffffffffffffffffffff 0017 02  // header: length 23, UPDATE
      0000                                      // Withdrawn Routes Length 0
      0000                                      // Total Path Attribute Length 0 (RFC 4724 §2: IPv4 unicast End-of-RIB)
    `));
    assert.deepEqual(endOfRib(EBGP4, 2, 1), hex(`
      ffffffffffffffffffffffffffffffff 001d 02  // header: length 29, UPDATE
      0000 0006                                 // no withdrawn routes; 6 octets of attributes
      80 0f 03 0002 01                          // MP_UNREACH_NLRI: AFI 2, SAFI 1, nothing withdrawn
    `));
    assert.deepEqual(decodeUpdateBytes(endOfRib(EBGP4, 2, 1)).endOfRib, { afi: 2, safi: 1 });
    assert.deepEqual(packWithdrawals([parsePrefix('10.0.0.0/8'), parsePrefix('0.0.0.0/0')], EBGP4), [hex(`
      ffffffffffffffffffffffffffffffff 001a 02  // header: length 26, UPDATE
      0003                                      // Withdrawn Routes Length 3
      08 0a                                     // 10.0.0.0/8
      00                                        // 0.0.0.0/0
      0000                                      // no attributes
    `)]);
  });
});

describe('update packer', () => {
  const attrs: PathAttributes = {
    origin: 0, nextHop: 0xc0000201,
    asPath: [{ type: 'sequence', asns: [65001, 4200000001] }],
    communities: [0xfde80064],
  };

  function unpack(messages: Uint8Array[], ctx: DecodeContext): { announced: Prefix[]; withdrawn: Prefix[] } {
    const announced: Prefix[] = [];
    const withdrawn: Prefix[] = [];
    for (const m of messages) {
      assert.ok(m.length <= (ctx.maxMessageLength ?? 4096));
      const o = decodeUpdateBytes(m, ctx);
      assert.equal(o.action, 'none');
      for (const r of o.announced) {
        assert.deepEqual(deepPlain(r.attributes), deepPlain(attrs));
        announced.push(r.prefix);
      }
      withdrawn.push(...o.withdrawn);
    }
    return { announced, withdrawn };
  }

  it('packs prefixes sharing attributes into as few UPDATEs as fit, in order', () => {
    fc.assert(fc.property(fc.array(prefix, { maxLength: 3000 }), fc.boolean(), (prefixes, four) => {
      const ctx = four ? IBGP4 : IBGP2;
      const messages = packUpdates(attrs, prefixes, ctx);
      assert.deepEqual(unpack(messages, ctx).announced, prefixes);
      // greedy and full: the first prefix of each message did not fit in the one before
      for (let i = 0; i + 1 < messages.length; i++) {
        const next = decodeUpdateBytes(messages[i + 1]!, ctx).announced[0]!.prefix;
        assert.ok(messages[i]!.length + prefixEncodedLength(next) > 4096, `message ${i} had room for ${formatPrefix(next)}`);
      }
    }), { numRuns: 60 });
  });

  it('packs 10,000 /24s into 10 UPDATEs and withdraws them in 10 more', () => {
    // 4096 - 23 fixed - 31 of attributes leaves room for 1010 /24s (4 octets each) per UPDATE;
    // withdrawals have (4096 - 23) / 4 = 1018 per message.
    const prefixes = Array.from({ length: 10_000 }, (_, i) => ({ address: (0x0a000000 + i * 256) >>> 0, length: 24 }));
    const updates = packUpdates(attrs, prefixes, EBGP4);
    assert.equal(updates.length, 10);
    assert.equal(updates[0]!.length, 23 + 31 + 1010 * 4);
    assert.deepEqual(unpack(updates, EBGP4).announced, prefixes);
    const withdrawals = packWithdrawals(prefixes, EBGP4);
    assert.equal(withdrawals.length, 10);
    assert.equal(withdrawals[0]!.length, 23 + 1018 * 4);
    assert.deepEqual(unpack(withdrawals, EBGP4).withdrawn, prefixes);
  });

  it('uses extended messages when the session has them (RFC 8654)', () => {
    const prefixes = Array.from({ length: 5000 }, (_, i) => ({ address: i << 8, length: 24 }));
    const ctx = { ...EBGP4, maxMessageLength: 65535 };
    const updates = packUpdates(attrs, prefixes, ctx);
    assert.equal(updates.length, 1);
    assert.equal(decodeMessage(updates[0]!, ctx).type, 'update');
  });

  it('refuses attributes without a next hop, or too large to leave room for a prefix', () => {
    assert.throws(() => packUpdates({ origin: 0, asPath: [] }, [parsePrefix('10.0.0.0/8')], EBGP4), { code: 'ERR_INVALID_ARGUMENT' });
    const huge: PathAttributes = { ...attrs, communities: Array.from({ length: 1100 }, (_, i) => i) };
    assert.throws(() => packUpdates(huge, [parsePrefix('10.0.0.0/8')], EBGP4), { code: 'ERR_INVALID_ARGUMENT' });
    assert.deepEqual(packUpdates(attrs, [], EBGP4), []);
  });

  it('packs a batch into the bytes of its messages back to back, in order', () => {
    const other: PathAttributes = { ...attrs, med: 7 };
    fc.assert(fc.property(fc.array(prefix, { maxLength: 1500 }), fc.array(prefix, { maxLength: 1500 }), fc.array(prefix, { maxLength: 30 }),
      fc.boolean(), fc.boolean(), (withdrawn, first, second, eor, four) => {
        const ctx = four ? IBGP4 : IBGP2;
        const batch = { withdrawn, announced: [{ attrs, prefixes: first }, { attrs: other, prefixes: second }], endOfRib: eor };
        const expected = [
          ...packWithdrawals(withdrawn, ctx), ...packUpdates(attrs, first, ctx), ...packUpdates(other, second, ctx), ...(eor ? [endOfRib(ctx)] : []),
        ];
        const { bytes, messages } = packBatch(batch, ctx);
        assert.equal(messages, expected.length);
        assert.deepEqual(bytes, Uint8Array.from(expected.flatMap((m) => [...m])));
      }), { numRuns: 60 });
    assert.deepEqual(packBatch({ withdrawn: [], announced: [], endOfRib: false }, EBGP4), { bytes: new Uint8Array(0), messages: 0, notSent: [] });
  });

  it('withdraws instead of announcing what cannot be encoded for the session (issue 11, defect 1)', () => {
    // 700 4-octet ASNs: a 2,800-octet AS_PATH on a 4-octet session; toward a 2-octet-AS peer the
    // AS_PATH (AS_TRANS) and the AS4_PATH together need 4,200 octets, more than an UPDATE holds.
    const asns = Array.from({ length: 700 }, (_, i) => 4_200_000_000 + i);
    const long: PathAttributes = { ...attrs, asPath: [0, 255, 510].map((at) => ({ type: 'sequence' as const, asns: asns.slice(at, at + 255) })) };
    const [p1, p2, p3] = [parsePrefix('10.1.0.0/16'), parsePrefix('10.2.0.0/16'), parsePrefix('10.3.0.0/16')];
    const batch = { withdrawn: [p3], announced: [{ attrs: long, prefixes: [p1] }, { attrs, prefixes: [p2] }], endOfRib: false };
    const four = packBatch(batch, IBGP4);
    assert.deepEqual(four.notSent, []);
    const two = packBatch(batch, IBGP2);
    assert.deepEqual(two.notSent.map((n) => [n.kind, n.prefixes]), [['too-long', [p1]]]);
    assert.equal(two.messages, 2);
    const [withdrawal, announcement] = [two.bytes.subarray(0, two.bytes.length - packUpdates(attrs, [p2], IBGP2)[0]!.length), packUpdates(attrs, [p2], IBGP2)[0]!];
    assert.deepEqual(decodeUpdateBytes(withdrawal, IBGP2).withdrawn, [p3, p1]);
    assert.deepEqual(two.bytes.subarray(withdrawal.length), announcement);
    // No next hop is refused the same way, never thrown.
    const noNextHop: PathAttributes = { origin: 0, asPath: [] };
    assert.deepEqual(packBatch({ withdrawn: [], announced: [{ attrs: noNextHop, prefixes: [p1] }], endOfRib: false }, EBGP4).notSent.map((n) => n.kind), ['no-next-hop']);
  });

  it('keeps logical attributes intact through packing on 2-octet sessions', () => {
    fc.assert(fc.property(pathAttributes(), fc.array(prefix, { minLength: 1, maxLength: 20 }), (a, prefixes) => {
      const [m] = packUpdates(a, prefixes, IBGP2);
      const o = decodeUpdateBytes(m!, IBGP2);
      assert.deepEqual(deepPlain(o.announced[0]!.attributes), deepPlain(a));
    }), { numRuns: 300 });
  });
});
