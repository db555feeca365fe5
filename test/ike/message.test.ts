import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DhGroup, EncrId, PrfId, TransformType } from '../../src/crypto/iana.js';
import { ExchangeType, HeaderFlag, NotifyType, PayloadType, ProtocolId } from '../../src/ike/constants.js';
import { checkRules } from '../../src/ike/exchange-rules.js';
import { isInitiator, isResponse, spiFromBytes, spiToBytes } from '../../src/ike/header.js';
import { decodeMessage, decodeMessageHeader, describeMessage, encodeMessage, messageEncodedLength, payloadOf, payloadsOf, type IkeMessage } from '../../src/ike/message.js';
import { decodePayloadChain } from '../../src/ike/payload-chain.js';
import { hex, roundTrip } from '../helpers/round-trip.js';
import { WIRESHARK_INFORMATIONAL, WIRESHARK_SA_INIT_REQUEST, WIRESHARK_SA_INIT_RESPONSE } from './captures.js';
import { deepPlain, headerArb, messageArb } from './helpers.js';

describe('IKE messages: real captures', () => {
  it('decodes the IKE_SA_INIT request field by field and re-encodes it byte for byte', () => {
    const m = decodeMessage(WIRESHARK_SA_INIT_REQUEST);
    assert.deepEqual(m.header, {
      spiI: 0xea684d21597afd36n, spiR: 0n, exchangeType: ExchangeType.IKE_SA_INIT, flags: HeaderFlag.INITIATOR, messageId: 0, minorVersion: 0,
    });
    assert.ok(isInitiator(m.header) && !isResponse(m.header));
    assert.equal(describeMessage(m),
      'IKE_SA_INIT request 0 [ SA KE No N(NAT_DETECTION_SOURCE_IP) N(NAT_DETECTION_DESTINATION_IP) N(SIGNATURE_HASH_ALGORITHMS) ]');
    const sa = payloadOf(m.payloads, 'sa')!;
    assert.deepEqual(deepPlain(sa.proposals), [{
      number: 1, protocolId: ProtocolId.IKE, spi: new Uint8Array(0), transforms: [
        { transformType: TransformType.Encryption, transformId: 15, keyLength: 128 },
        { transformType: TransformType.Prf, transformId: PrfId.HmacSha2_256 },
        { transformType: TransformType.DhGroup, transformId: DhGroup.Ecp256 },
      ],
    }]);
    const ke = payloadOf(m.payloads, 'ke')!;
    assert.equal(ke.group, DhGroup.Ecp256);
    assert.equal(ke.data.length, 64);
    assert.equal(payloadOf(m.payloads, 'nonce')!.data.length, 32);
    assert.deepEqual(payloadsOf(m.payloads, 'notify').map((n) => n.notifyType),
      [NotifyType.NAT_DETECTION_SOURCE_IP, NotifyType.NAT_DETECTION_DESTINATION_IP, NotifyType.SIGNATURE_HASH_ALGORITHMS]);
    assert.deepEqual(encodeMessage(m), WIRESHARK_SA_INIT_REQUEST);
    checkRules(m.header.exchangeType, false, m.payloads, false);
  });

  it('decodes the IKE_SA_INIT response and re-encodes it byte for byte', () => {
    const m = decodeMessage(WIRESHARK_SA_INIT_RESPONSE);
    assert.equal(m.header.spiR, 0xd9fe2ab22dac23acn);
    assert.ok(isResponse(m.header) && !isInitiator(m.header));
    assert.equal(describeMessage(m), 'IKE_SA_INIT response 0 [ SA KE No N(NAT_DETECTION_SOURCE_IP) N(NAT_DETECTION_DESTINATION_IP) N(MULTIPLE_AUTH_SUPPORTED) ]');
    assert.equal(payloadOf(m.payloads, 'sa')!.proposals[0]!.transforms[0]!.transformId, 15);
    assert.deepEqual(encodeMessage(m), WIRESHARK_SA_INIT_RESPONSE);
    checkRules(m.header.exchangeType, true, m.payloads, false);
  });

  it('frames the protected INFORMATIONAL: SK last, its body opaque, its first inner type kept', () => {
    const m = decodeMessage(WIRESHARK_INFORMATIONAL);
    assert.equal(m.header.messageId, 2);
    assert.equal(m.payloads.length, 1);
    const sk = payloadOf(m.payloads, 'sk')!;
    assert.equal(sk.firstPayload, PayloadType.DELETE);
    assert.equal(sk.body.length, 29);
    // The body is the last octets of the message: the AAD (RFC 5282 §5.1) is everything before it.
    assert.deepEqual(WIRESHARK_INFORMATIONAL.subarray(WIRESHARK_INFORMATIONAL.length - sk.body.length), sk.body);
    assert.deepEqual(encodeMessage(m), WIRESHARK_INFORMATIONAL);
    checkRules(m.header.exchangeType, false, m.payloads, false);
    // What the SK would hold once decrypted: a Delete of the IKE SA, then checked as encrypted.
    const inner = decodePayloadChain(hex('00 00 0008 01 00 0000'), sk.firstPayload);
    assert.deepEqual(deepPlain(inner), [{ type: 'delete', protocolId: ProtocolId.IKE, spiSize: 0, spis: [] }]);
    checkRules(m.header.exchangeType, false, inner, true);
  });
});

describe('IKE messages: encoding', () => {
  it('builds an IKE_SA_INIT request laid out as RFC 7296 §1.2 and §3 say', () => {
    const m: IkeMessage = {
      header: { spiI: 0x0102030405060708n, spiR: 0n, exchangeType: ExchangeType.IKE_SA_INIT, flags: HeaderFlag.INITIATOR, messageId: 0, minorVersion: 0 },
      payloads: [
        { type: 'sa', proposals: [{ number: 1, protocolId: ProtocolId.IKE, spi: new Uint8Array(0), transforms: [
          { transformType: TransformType.Encryption, transformId: EncrId.AesGcm16, keyLength: 256 },
          { transformType: TransformType.Prf, transformId: PrfId.HmacSha2_256 },
          { transformType: TransformType.DhGroup, transformId: DhGroup.Curve25519 },
        ] }] },
        { type: 'ke', group: DhGroup.Curve25519, data: new Uint8Array(32).fill(0x11) },
        { type: 'nonce', data: new Uint8Array(32).fill(0x22) },
      ],
    };
    const bytes = encodeMessage(m);
    assert.deepEqual(bytes, hex(`
      0102030405060708 0000000000000000  // SPIi, SPIr 0
      21 20 22 08 00000000 00000090      // SA first, 2.0, IKE_SA_INIT, I, ID 0, length 144
      22 00 0028                         // SA -> KE, length 40
      00 00 0024 01 01 00 03             //   last proposal, length 36: #1 IKE, no SPI, 3 transforms
      03 00 000c 01 00 0014 800e 0100    //   ENCR AES-GCM-16, Key Length 256
      03 00 0008 02 00 0005              //   PRF HMAC-SHA2-256
      00 00 0008 04 00 001f              //   DH 31 (Curve25519)
      28 00 0028 001f 0000               // KE -> Nonce, length 40, group 31
      ${'11'.repeat(32)}
      00 00 0024                         // Nonce, last, length 36
      ${'22'.repeat(32)}
    `));
    assert.equal(messageEncodedLength(m), bytes.length);
  });

  it('round-trips any message: header, plain payloads, then maybe SK or SKF', () => {
    fc.assert(fc.property(messageArb, (m) => {
      roundTrip(m, encodeMessage, decodeMessage, messageEncodedLength, deepPlain);
    }), { numRuns: 2000 });
  });

  it('reads the header alone with the same checks', () => {
    fc.assert(fc.property(headerArb, (header) => {
      const bytes = encodeMessage({ header, payloads: [] });
      const h = decodeMessageHeader(bytes);
      assert.deepEqual(h, { ...header, nextPayload: 0, majorVersion: 2, length: 28 });
    }), { numRuns: 300 });
  });

  it('SPIs as bigints convert to and from their 8 octets', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (spi) => {
      assert.equal(spiFromBytes(spiToBytes(spi)), spi);
    }));
    assert.deepEqual(spiToBytes(0xea684d21597afd36n), hex('ea684d21597afd36'));
  });
});
