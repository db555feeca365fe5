import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Writer } from '../../src/core/bytes/writer.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { DhGroup, EncrId, IntegId, PrfId, TransformType } from '../../src/crypto/iana.js';
import { CfgAttribute, CfgType, NotifyType, PayloadType, ProtocolId } from '../../src/ike/constants.js';
import { decodePayloadChain, encodePayloadChain, encodePayloads, payloadEncodedLength, payloadTypeOf, type Payload } from '../../src/ike/payload-chain.js';
import { formatCfgAttribute, ipv4Attribute, ipv4Values } from '../../src/ike/payloads/cp.js';
import { deleteChildSas, deleteIkeSa, deletedChildSpis } from '../../src/ike/payloads/delete.js';
import { cookieNotify, invalidKeGroupOf, invalidKeNotify, natDetectionInput, natDetectionNotify, rekeySaNotify, rekeySaOf } from '../../src/ike/payloads/notify.js';
import { formatProposal, transform, type SaPayload } from '../../src/ike/payloads/sa.js';
import { hex, roundTrip } from '../helpers/round-trip.js';
import { decodeOne, deepPlain, encodeOne, encryptedPayloads, plainPayloads } from './helpers.js';

const codecFor = (p: Payload) => ({
  encode: encodeOne,
  decode: (b: Uint8Array) => decodeOne(b, payloadTypeOf(p)),
  length: payloadEncodedLength,
});

describe('IKE payloads: round trips', () => {
  for (const [name, arb] of Object.entries({ ...plainPayloads, ...encryptedPayloads })) {
    it(`round-trips any ${name} payload`, () => {
      fc.assert(fc.property(arb, (p) => {
        const c = codecFor(p);
        roundTrip(p, c.encode, c.decode, c.length, deepPlain);
      }), { numRuns: 300 });
    });
  }

  it('encodes at an offset inside a larger buffer', () => {
    fc.assert(fc.property(fc.oneof(...Object.values(plainPayloads)), fc.integer({ min: 0, max: 9 }), (p, offset) => {
      const n = payloadEncodedLength(p);
      const buf = new Uint8Array(offset + n + 3);
      const w = new Writer(buf, offset);
      encodePayloads([p], w);
      assert.equal(w.written, n);
      assert.deepEqual(buf.subarray(offset, offset + n), encodeOne(p));
    }), { numRuns: 300 });
  });
});

describe('IKE payloads: known bytes', () => {
  it('SA: an IKE proposal with Key Length, markers and lengths computed (RFC 7296 §3.3)', () => {
    const sa: SaPayload = {
      type: 'sa',
      proposals: [{
        number: 1, protocolId: ProtocolId.IKE, spi: new Uint8Array(0), transforms: [
          transform(TransformType.Encryption, EncrId.AesCbc, 256),
          transform(TransformType.Prf, PrfId.HmacSha2_256),
          transform(TransformType.Integrity, IntegId.HmacSha2_256_128),
          transform(TransformType.DhGroup, DhGroup.Modp2048),
        ],
      }, {
        number: 2, protocolId: ProtocolId.ESP, spi: hex('c0ffee01'), transforms: [transform(TransformType.Encryption, EncrId.AesGcm16, 128)],
      }],
    };
    assert.deepEqual(encodeOne(sa), hex(`
      00 00 0048                // generic header: last payload, not critical, length 72
      02 00 002c                // proposal: more follow (2), length 44
      01 01 00 04               //   Proposal Num 1, Protocol IKE, SPI Size 0, 4 transforms
      03 00 000c 01 00 000c     //   transform: more (3), length 12, ENCR, AES-CBC (12)
      800e 0100                 //     attribute TV (AF=1) Key Length (14) = 256
      03 00 0008 02 00 0005     //   transform: more, length 8, PRF, HMAC-SHA2-256 (5)
      03 00 0008 03 00 000c     //   transform: more, length 8, INTEG, HMAC-SHA2-256-128 (12)
      00 00 0008 04 00 000e     //   transform: last (0), length 8, DH, MODP-2048 (14)
      00 00 0018                // proposal: last (0), length 24
      02 03 04 01               //   Proposal Num 2, Protocol ESP, SPI Size 4, 1 transform
      c0ffee01                  //   SPI
      00 00 000c 01 00 0014     //   transform: last, length 12, ENCR, AES-GCM-16 (20)
      800e 0080                 //     Key Length 128
    `));
    assert.equal(formatProposal(sa.proposals[0]!), '#1 IKE: aes-cbc-256/prf-hmac-sha2-256/hmac-sha2-256-128/modp2048');
  });

  it('KE, Nonce, AUTH, IDi, Vendor ID, CERTREQ, EAP field by field', () => {
    assert.deepEqual(encodeOne({ type: 'ke', group: 31, data: hex('0102') }), hex('00 00 000a | 001f 0000 | 0102'));  // group 31, RESERVED, data
    assert.deepEqual(encodeOne({ type: 'nonce', data: new Uint8Array(16).fill(0xab) }), hex(`00 00 0014 ${'ab'.repeat(16)}`));
    assert.deepEqual(encodeOne({ type: 'auth', method: 2, data: hex('beef') }), hex('00 00 000a | 02 000000 | beef'));  // Shared Key MIC
    assert.deepEqual(encodeOne({ type: 'idi', idType: 1, data: hex('c0000201') }), hex('00 00 000c | 01 000000 | c0000201'));  // ID_IPV4_ADDR 192.0.2.1
    assert.deepEqual(encodeOne({ type: 'vendor-id', data: hex('0a0b') }), hex('00 00 0006 0a0b'));
    assert.deepEqual(encodeOne({ type: 'certreq', encoding: 4, authorities: hex('11') }), hex('00 00 0006 | 04 | 11'));  // X.509 Signature, one octet
    assert.deepEqual(encodeOne({ type: 'eap', message: hex('01 07 0005 01') }), hex('00 00 0009 | 01070005 01'));  // EAP Request/Identity
  });

  it('Notify: typed helpers and their data', () => {
    assert.deepEqual(encodeOne(invalidKeNotify(19)), hex('00 00 000a | 00 00 0011 | 0013'));  // protocol none, no SPI, INVALID_KE_PAYLOAD, group 19
    assert.equal(invalidKeGroupOf(decodeOne(hex('00 00 000a 00 00 0011 0013'), PayloadType.NOTIFY) as never), 19);
    assert.deepEqual(encodeOne(cookieNotify(hex('0102030405060708'))), hex('00 00 0010 | 00 00 4006 | 0102030405060708'));  // COOKIE
    const rekey = rekeySaNotify(ProtocolId.ESP, 0xc0ffee01);
    assert.deepEqual(encodeOne(rekey), hex('00 00 000c | 03 04 4009 | c0ffee01'));  // ESP, SPI Size 4, REKEY_SA, SPI
    assert.deepEqual(rekeySaOf(rekey), { protocolId: ProtocolId.ESP, spi: 0xc0ffee01 });
    const nat = natDetectionNotify('source', new Uint8Array(20).fill(7));
    assert.equal(nat.notifyType, NotifyType.NAT_DETECTION_SOURCE_IP);
    assert.throws(() => natDetectionNotify('destination', new Uint8Array(19)), InvalidArgumentError);
    assert.throws(() => cookieNotify(new Uint8Array(65)), InvalidArgumentError);
    assert.deepEqual(natDetectionInput(1n, 2n, hex('c0000201'), 500),
      hex('0000000000000001 0000000000000002 c0000201 01f4'));  // SPIi | SPIr | IP | port (RFC 7296 §2.23)
  });

  it('Delete: the IKE SA, or Child SAs by SPI (RFC 7296 §3.11)', () => {
    assert.deepEqual(encodeOne(deleteIkeSa()), hex('00 00 0008 | 01 00 0000'));  // IKE, SPI Size 0, no SPIs
    const d = deleteChildSas(ProtocolId.ESP, [1, 0xfffffffe]);
    assert.deepEqual(encodeOne(d), hex('00 00 0010 | 03 04 0002 | 00000001 fffffffe'));
    assert.deepEqual(deletedChildSpis(d), [1, 0xfffffffe]);
  });

  it('TSi: IPv4 and IPv6 ranges (RFC 7296 §3.13.1)', () => {
    const bytes = hex(`
      00 00 0040                          // generic header: length 64
      02 000000                           // Number of TSs 2, RESERVED
      07 00 0010 0000 ffff                // TS_IPV4_ADDR_RANGE, any protocol, length 16, ports 0-65535
      0a010000 0a01ffff                   //   10.1.0.0 .. 10.1.255.255
      08 06 0028 01bb 01bb                // TS_IPV6_ADDR_RANGE, TCP, length 40, port 443
      20010db8000000000000000000000000    //   2001:db8:: ..
      20010db8000000000000000000000fff    //   2001:db8::fff
    `);
    const p = decodeOne(bytes, PayloadType.TSi);
    assert.equal(p.type, 'tsi');
    assert.deepEqual(encodeOne(p), bytes);
  });

  it('CP: a request and a reply (RFC 7296 §3.15)', () => {
    const request: Payload = { type: 'cp', cfgType: CfgType.CFG_REQUEST, attributes: [ipv4Attribute(CfgAttribute.INTERNAL_IP4_ADDRESS), ipv4Attribute(CfgAttribute.INTERNAL_IP4_DNS)] };
    assert.deepEqual(encodeOne(request), hex('00 00 0010 | 01 000000 | 0001 0000 | 0003 0000'));  // CFG_REQUEST, two empty attributes
    const reply: Payload = { type: 'cp', cfgType: CfgType.CFG_REPLY, attributes: [ipv4Attribute(CfgAttribute.INTERNAL_IP4_ADDRESS, 0x0a000002)] };
    assert.deepEqual(encodeOne(reply), hex('00 00 0010 | 02 000000 | 0001 0004 0a000002'));
    assert.deepEqual(ipv4Values(reply as never, CfgAttribute.INTERNAL_IP4_ADDRESS), [0x0a000002]);
    assert.equal(formatCfgAttribute({ attrType: 1, value: hex('0a000002') }), 'INTERNAL_IP4_ADDRESS=10.0.0.2');
  });

  it('SK and SKF keep their body opaque and their Next Payload as the first inner type', () => {
    const sk = decodeOne(hex('2a 00 0009 | 0102030405'), PayloadType.SK);  // Next Payload 42 (D) is inside
    assert.deepEqual(deepPlain(sk), { type: 'sk', firstPayload: PayloadType.DELETE, body: hex('0102030405') });
    const skf = decodeOne(hex('21 00 000a | 0001 0003 | aabb'), PayloadType.SKF);  // fragment 1 of 3
    assert.deepEqual(deepPlain(skf), { type: 'skf', firstPayload: PayloadType.SA, fragmentNumber: 1, totalFragments: 3, body: hex('aabb') });
  });

  it('an unknown non-critical payload is kept byte for byte, reserved bits included', () => {
    const chain = hex(`
      63 05 0006 | 0102       // type 49 (first, from outside): next 99, flags 0x05 (C clear), length 6
      00 00 0005 | ff         // type 99: last, length 5
    `);
    const list = decodePayloadChain(chain, 49);
    assert.deepEqual(deepPlain(list), [
      { type: 'unknown', payloadType: 49, flags: 5, body: hex('0102') },
      { type: 'unknown', payloadType: 99, flags: 0, body: hex('ff') },
    ]);
    assert.deepEqual(encodePayloadChain(list), { first: 49, bytes: chain });
  });

  it('a known payload\'s critical and reserved bits are ignored and sent clear', () => {
    const p = decodeOne(hex('00 ff 0006 0a0b'), PayloadType.VENDOR_ID);
    assert.deepEqual(encodeOne(p), hex('00 00 0006 0a0b'));
  });

  it('encoders refuse what the decoders would refuse', () => {
    const bad: Payload[] = [
      { type: 'nonce', data: new Uint8Array(15) },
      { type: 'sa', proposals: [] },
      { type: 'sa', proposals: [{ number: 2, protocolId: 1, spi: new Uint8Array(0), transforms: [] }, { number: 3, protocolId: 1, spi: new Uint8Array(0), transforms: [] }] },
      { type: 'sa', proposals: [{ number: 1, protocolId: 3, spi: new Uint8Array(0), transforms: [] }] },
      { type: 'tsi', selectors: [] },
      { type: 'tsr', selectors: [{ type: 'ipv4', ipProtocol: 0, startPort: 0, endPort: 0xffff, startAddress: 2, endAddress: 1 }] },
      { type: 'idr', idType: 1, data: new Uint8Array(5) },
      { type: 'notify', protocolId: 0, spi: new Uint8Array(0), notifyType: NotifyType.INVALID_KE_PAYLOAD, data: new Uint8Array(3) },
      { type: 'skf', firstPayload: 0, fragmentNumber: 4, totalFragments: 3, body: new Uint8Array(0) },
      { type: 'unknown', payloadType: PayloadType.SA, flags: 0, body: new Uint8Array(0) },
      { type: 'cp', cfgType: 1, attributes: [{ attrType: CfgAttribute.INTERNAL_IP4_ADDRESS, value: new Uint8Array(3) }] },
      { type: 'delete', protocolId: 1, spiSize: 4, spis: [new Uint8Array(4)] },
    ];
    for (const p of bad) assert.throws(() => encodeOne(p), InvalidArgumentError, JSON.stringify(deepPlain(p)));
    const sk: Payload = { type: 'sk', firstPayload: 0, body: new Uint8Array(0) };
    assert.throws(() => encodePayloadChain([sk, { type: 'vendor-id', data: new Uint8Array(0) }]), InvalidArgumentError);
  });
});
