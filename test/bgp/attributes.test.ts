import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Writer } from '../../src/core/bytes/writer.js';
import { fromPathAttributes, mergeAs4Path, splitAs4Path, toPathAttributes } from '../../src/bgp/attributes/convert.js';
import { attributeEncodedLength, decodeAttribute, encodeAttribute } from '../../src/bgp/attributes/list.js';
import { ATTRIBUTE_RULES, AttrCode, type PathAttribute } from '../../src/bgp/attributes/table.js';
import type { DecodeContext } from '../../src/bgp/context.js';
import { encodeMessage } from '../../src/bgp/message.js';
import { AS_TRANS, type PathAttributes } from '../../src/bgp/types.js';
import { hex, roundTrip } from '../helpers/round-trip.js';
import { IBGP2, IBGP4, decodeUpdateBytes, deepPlain, pathAttributes, wireAttributes } from './codec-helpers.js';

function encodeOne(a: PathAttribute, ctx: DecodeContext): Uint8Array {
  const n = attributeEncodedLength(a, ctx);
  const w = new Writer(n);
  encodeAttribute(a, w, ctx);
  return w.finish(n);
}

describe('path attributes: the table', () => {
  it('holds every attribute once, with the RFC 7606 handling of each', () => {
    const codes = Object.values(ATTRIBUTE_RULES).map((r) => r.code);
    assert.equal(new Set(codes).size, codes.length);
    assert.equal(ATTRIBUTE_RULES.origin.onMalformed, 'treat-as-withdraw');
    assert.equal(ATTRIBUTE_RULES['as-path'].onMalformed, 'treat-as-withdraw');
    assert.equal(ATTRIBUTE_RULES.aggregator.onMalformed, 'attribute-discard');
    assert.equal(ATTRIBUTE_RULES['atomic-aggregate'].onMalformed, 'attribute-discard');
    assert.equal(ATTRIBUTE_RULES['mp-reach'].onMalformed, 'session-reset');
    assert.equal(ATTRIBUTE_RULES['local-pref'].externalDiscard, true);
  });
});

describe('path attributes: round trips', () => {
  for (const [name, ctx] of [['2-octet', IBGP2], ['4-octet', IBGP4]] as const) {
    it(`round-trips every attribute on a ${name} AS session`, () => {
      for (const arb of Object.values(wireAttributes(ctx.fourOctetAs))) {
        fc.assert(fc.property(arb, (a) => {
          roundTrip(a, (v) => encodeOne(v, ctx), (b) => decodeAttribute(b, ctx), (v) => attributeEncodedLength(v, ctx), deepPlain);
        }), { numRuns: 150 });
      }
    });
  }

  it('encodes attributes field by field', () => {
    assert.deepEqual(encodeOne({ type: 'origin', origin: 2 }, IBGP4), hex('40 01 01 02'));  // well-known transitive, ORIGIN, length 1, INCOMPLETE
    assert.deepEqual(encodeOne({ type: 'as-path', segments: [{ type: 'sequence', asns: [65001, 4200000001] }] }, IBGP4),
      hex('40 02 0a | 02 02 0000fde9 fa56ea01'));  // AS_PATH, length 10: AS_SEQUENCE of 2 four-octet ASNs
    assert.deepEqual(encodeOne({ type: 'as-path', segments: [{ type: 'set', asns: [65001, 65002] }] }, IBGP2),
      hex('40 02 06 | 01 02 fde9 fdea'));  // AS_PATH, length 6: AS_SET of 2 two-octet ASNs
    assert.deepEqual(encodeOne({ type: 'aggregator', asn: 65001, address: 0xc0000201 }, IBGP2),
      hex('c0 07 06 | fde9 c0000201'));  // optional transitive, AGGREGATOR, 2-octet AS 65001, 192.0.2.1
    assert.deepEqual(encodeOne({ type: 'aggregator', asn: 65001, address: 0xc0000201, partial: true }, IBGP4),
      hex('e0 07 08 | 0000fde9 c0000201'));  // ... with Partial, 4-octet AS
    assert.deepEqual(encodeOne({ type: 'large-communities', values: [{ globalAdmin: 64496, localData1: 1, localData2: 2 }] }, IBGP4),
      hex('c0 20 0c | 0000fbf0 00000001 00000002'));  // LARGE_COMMUNITY 64496:1:2 (RFC 8092 §3)
    assert.deepEqual(encodeOne({ type: 'mp-unreach', afi: 1, safi: 1, withdrawn: [{ address: 0x0a000000, length: 8 }] }, IBGP4),
      hex('80 0f 05 | 0001 01 | 08 0a'));  // optional non-transitive, MP_UNREACH_NLRI: AFI 1, SAFI 1, 10.0.0.0/8
    assert.deepEqual(encodeOne({ type: 'unknown', flags: 0xd0, code: 99, value: hex('0102') }, IBGP4),
      hex('d0 63 0002 | 0102'));  // an unknown attribute keeps its Extended Length flag
  });

  it('sets Extended Length for values over 255 octets', () => {
    const a: PathAttribute = { type: 'communities', values: Array.from({ length: 70 }, (_, i) => i) };
    const bytes = encodeOne(a, IBGP4);
    assert.deepEqual(bytes.subarray(0, 4), hex('d0 08 0118'));  // optional transitive + extended length, COMMUNITIES, 280 octets
    assert.deepEqual(deepPlain(decodeAttribute(bytes, IBGP4)), { type: 'communities', values: a.values, extendedLength: true });
  });
});

describe('4-octet AS (RFC 6793)', () => {
  const updateWith = (attrs: PathAttributes, ctx: DecodeContext): Uint8Array =>
    encodeMessage({ type: 'update', withdrawn: [], attributes: fromPathAttributes(attrs, ctx), nlri: [{ address: 0xc6336400, length: 24 }] }, ctx);

  for (const [name, ctx] of [['2-octet', IBGP2], ['4-octet', IBGP4]] as const) {
    it(`logical attributes survive a ${name} AS session unchanged`, () => {
      fc.assert(fc.property(pathAttributes(), (attrs) => {
        const outcome = decodeUpdateBytes(updateWith(attrs, ctx), ctx);
        assert.equal(outcome.action, 'none');
        assert.deepEqual(deepPlain(outcome.announced[0]!.attributes), deepPlain(attrs));
      }), { numRuns: 1000 });
    });
  }

  it('maps 4-octet ASNs to AS_TRANS and sends AS4_PATH / AS4_AGGREGATOR on a 2-octet session', () => {
    const attrs: PathAttributes = {
      origin: 0, nextHop: 0xc0000201,
      asPath: [{ type: 'sequence', asns: [65001, 4200000001, 65002] }],
      aggregator: { asn: 4200000001, address: 0x0a000001 },
    };
    const bytes = updateWith(attrs, IBGP2);
    assert.deepEqual(bytes.subarray(19), hex(`
      0000                                  // no withdrawn routes
      003b                                  // total path attribute length 59
      40 01 01 00                           // ORIGIN IGP
      40 02 08 | 02 03 fde9 5ba0 fdea       // AS_PATH: AS_SEQUENCE 65001 AS_TRANS 65002
      40 03 04 c0000201                     // NEXT_HOP 192.0.2.1
      c0 07 06 | 5ba0 0a000001              // AGGREGATOR: AS_TRANS, 10.0.0.1
      c0 11 0e | 02 03 0000fde9 fa56ea01 0000fdea  // AS4_PATH: AS_SEQUENCE 65001 4200000001 65002
      c0 12 08 | fa56ea01 0a000001          // AS4_AGGREGATOR: 4200000001, 10.0.0.1
      18 c63364                             // NLRI 198.51.100.0/24
    `));
    assert.deepEqual(deepPlain(decodeUpdateBytes(bytes, IBGP2).announced[0]!.attributes), deepPlain(attrs));
  });

  it('sends neither AS4_PATH nor AS4_AGGREGATOR when every ASN fits 2 octets', () => {
    const wire = fromPathAttributes({ origin: 0, asPath: [{ type: 'sequence', asns: [65001] }], aggregator: { asn: 65001, address: 1 } }, IBGP2);
    assert.deepEqual(wire.map((a) => a.type), ['origin', 'as-path', 'aggregator']);
  });

  it('merges: leading ASNs added by 2-octet speakers are prepended to the AS4_PATH (§4.2.3)', () => {
    const merged = mergeAs4Path(
      [{ type: 'sequence', asns: [65100, 65001, AS_TRANS, 65002] }],
      [{ type: 'sequence', asns: [65001, 4200000001, 65002] }],
    );
    assert.deepEqual(merged, [{ type: 'sequence', asns: [65100, 65001, 4200000001, 65002] }]);
  });

  it('merges: an AS_SET counts as one ASN and leading confederation segments are kept', () => {
    const merged = mergeAs4Path(
      [{ type: 'confed-sequence', asns: [64512] }, { type: 'set', asns: [65010, 65011] }, { type: 'sequence', asns: [AS_TRANS] }],
      [{ type: 'confed-sequence', asns: [1] }, { type: 'sequence', asns: [4200000001] }],
    );
    assert.deepEqual(merged, [{ type: 'confed-sequence', asns: [64512] }, { type: 'set', asns: [65010, 65011] }, { type: 'sequence', asns: [4200000001] }]);
  });

  it('ignores an AS4_PATH longer than the AS_PATH', () => {
    const asPath = [{ type: 'sequence' as const, asns: [65001] }];
    assert.deepEqual(mergeAs4Path(asPath, [{ type: 'sequence', asns: [4200000001, 4200000002] }]), asPath);
  });

  it('ignores AS4_PATH and AS4_AGGREGATOR when AGGREGATOR is not AS_TRANS (§4.2.3)', () => {
    const list: PathAttribute[] = [
      { type: 'origin', origin: 0 },
      { type: 'as-path', segments: [{ type: 'sequence', asns: [65001, AS_TRANS] }] },
      { type: 'aggregator', asn: 65001, address: 1 },
      { type: 'as4-path', segments: [{ type: 'sequence', asns: [65001, 4200000001] }] },
      { type: 'as4-aggregator', asn: 4200000002, address: 2 },
    ];
    const attrs = toPathAttributes(list, IBGP2)!;
    assert.deepEqual(attrs.asPath, [{ type: 'sequence', asns: [65001, AS_TRANS] }]);
    assert.deepEqual(attrs.aggregator, { asn: 65001, address: 1 });
    // with AS_TRANS in AGGREGATOR, both AS4 attributes are used
    list[2] = { type: 'aggregator', asn: AS_TRANS, address: 1 };
    const merged = toPathAttributes(list, IBGP2)!;
    assert.deepEqual(merged.asPath, [{ type: 'sequence', asns: [65001, 4200000001] }]);
    assert.deepEqual(merged.aggregator, { asn: 4200000002, address: 2 });
  });

  it('ignores AS4_PATH on a 4-octet session (§4.1) and drops confederation segments from AS4_PATH (§6)', () => {
    const list: PathAttribute[] = [
      { type: 'origin', origin: 0 },
      { type: 'as-path', segments: [{ type: 'sequence', asns: [65001] }] },
      { type: 'as4-path', segments: [{ type: 'sequence', asns: [4200000001] }] },
    ];
    assert.deepEqual(toPathAttributes(list, IBGP4)!.asPath, [{ type: 'sequence', asns: [65001] }]);
    assert.deepEqual(splitAs4Path([{ type: 'confed-sequence', asns: [64512] }, { type: 'sequence', asns: [4200000001] }]).as4Path,
      [{ type: 'sequence', asns: [4200000001] }]);
  });

  it('passes unknown optional transitive attributes on with Partial, and never non-transitive ones', () => {
    const wire = fromPathAttributes({
      origin: 0, asPath: [],
      unknown: [{ flags: 0xc0, type: 99, value: hex('01') }, { flags: 0x80, type: 98, value: hex('02') }],
    }, IBGP4);
    assert.deepEqual(deepPlain(wire.filter((a) => a.type === 'unknown')), [{ type: 'unknown', flags: 0xe0, code: 99, value: hex('01') }]);
    assert.equal(AttrCode.LARGE_COMMUNITY, 32);
  });
});
