import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DecodeError, DecodeErrorCode } from '../../src/core/errors.js';
import { maskOf, parsePrefix, prefixContains } from '../../src/net/address.js';
import { ExchangeType, IdType, NotifyType, exchangeName, isErrorNotify, notifyName, payloadName } from '../../src/ike/constants.js';
import { IkeError, fromDecodeError, unsupportedCriticalPayload } from '../../src/ike/errors.js';
import { formatIdentity, fqdnIdentity, identityBytes, ipv4Identity, keyIdIdentity, parseIdentity, rfc822Identity } from '../../src/ike/payloads/id.js';
import { errorNotify } from '../../src/ike/payloads/notify.js';
import { formatSelector, ipv6PrefixToRange, prefixToRange, rangeToPrefix, rangeToPrefixes, selectorFromPrefix, selectorPrefixes } from '../../src/ike/payloads/ts.js';
import { hex } from '../helpers/round-trip.js';
import { u32 } from './helpers.js';

describe('IKE registries and names', () => {
  it('names notify types, exchanges and payloads for logs', () => {
    assert.equal(notifyName(17), 'INVALID_KE_PAYLOAD');
    assert.equal(notifyName(NotifyType.SIGNATURE_HASH_ALGORITHMS), 'SIGNATURE_HASH_ALGORITHMS');
    assert.equal(notifyName(16430), 'IKEV2_FRAGMENTATION_SUPPORTED');
    assert.equal(notifyName(9999), 'NOTIFY(9999)');
    assert.equal(exchangeName(ExchangeType.CREATE_CHILD_SA), 'CREATE_CHILD_SA');
    assert.equal(exchangeName(1), 'EXCHANGE(1)');
    assert.equal(payloadName(40), 'No');
    assert.equal(payloadName(53), 'SKF');
    assert.equal(payloadName(200), 'PAYLOAD(200)');
    assert.ok(isErrorNotify(NotifyType.CHILD_SA_NOT_FOUND) && !isErrorNotify(NotifyType.INITIAL_CONTACT));
  });

  it('holds the RFC 7296 §3.10.1 values', () => {
    const expected: Record<string, number> = {
      UNSUPPORTED_CRITICAL_PAYLOAD: 1, INVALID_IKE_SPI: 4, INVALID_MAJOR_VERSION: 5, INVALID_SYNTAX: 7, INVALID_MESSAGE_ID: 9,
      INVALID_SPI: 11, NO_PROPOSAL_CHOSEN: 14, INVALID_KE_PAYLOAD: 17, AUTHENTICATION_FAILED: 24, SINGLE_PAIR_REQUIRED: 34,
      NO_ADDITIONAL_SAS: 35, INTERNAL_ADDRESS_FAILURE: 36, FAILED_CP_REQUIRED: 37, TS_UNACCEPTABLE: 38, INVALID_SELECTORS: 39,
      TEMPORARY_FAILURE: 43, CHILD_SA_NOT_FOUND: 44, INITIAL_CONTACT: 16384, SET_WINDOW_SIZE: 16385, ADDITIONAL_TS_POSSIBLE: 16386,
      IPCOMP_SUPPORTED: 16387, NAT_DETECTION_SOURCE_IP: 16388, NAT_DETECTION_DESTINATION_IP: 16389, COOKIE: 16390,
      USE_TRANSPORT_MODE: 16391, HTTP_CERT_LOOKUP_SUPPORTED: 16392, REKEY_SA: 16393, ESP_TFC_PADDING_NOT_SUPPORTED: 16394,
      NON_FIRST_FRAGMENTS_ALSO: 16395, MOBIKE_SUPPORTED: 16396,
    };
    for (const [name, value] of Object.entries(expected)) assert.equal((NotifyType as Record<string, number>)[name], value, name);
  });
});

describe('IkeError', () => {
  it('has a stable code per notify type and carries the Notify data', () => {
    const e = unsupportedCriticalPayload(99);
    assert.ok(e instanceof IkeError);
    assert.equal(e.code, 'ERR_IKE_UNSUPPORTED_CRITICAL_PAYLOAD');
    assert.deepEqual(e.data, hex('63'));
    assert.deepEqual(errorNotify(e), { type: 'notify', protocolId: 0, spi: new Uint8Array(0), notifyType: 1, data: hex('63') });
    const wrapped = fromDecodeError(new DecodeError(DecodeErrorCode.Truncated, 'short', 3));
    assert.equal(wrapped.code, 'ERR_IKE_INVALID_SYNTAX');
    assert.ok(wrapped.cause instanceof DecodeError);
  });
});

describe('identities (RFC 7296 §3.5)', () => {
  it('builds, parses and prints the usual identity types', () => {
    assert.deepEqual(ipv4Identity(0xc0000201), { idType: IdType.IPV4_ADDR, data: hex('c0000201') });
    assert.deepEqual(parseIdentity('192.0.2.1'), ipv4Identity(0xc0000201));
    assert.deepEqual(parseIdentity('vpn.example.com'), fqdnIdentity('vpn.example.com'));
    assert.deepEqual(parseIdentity('@vpn.example.com'), fqdnIdentity('vpn.example.com'));
    assert.deepEqual(parseIdentity('alice@example.com'), rfc822Identity('alice@example.com'));
    assert.deepEqual(parseIdentity('keyid:0a0b0c'), keyIdIdentity(hex('0a0b0c')));
    for (const text of ['192.0.2.1', 'vpn.example.com', 'alice@example.com', 'keyid:0a0b0c']) assert.equal(formatIdentity(parseIdentity(text)), text);
    assert.equal(formatIdentity({ idType: IdType.IPV6_ADDR, data: hex('20010db8000000000000000000000001') }), '2001:db8:0:0:0:0:0:1');
    assert.equal(formatIdentity({ idType: IdType.DER_ASN1_DN, data: hex('3000') }), 'der_asn1_dn:3000');
    assert.throws(() => parseIdentity('keyid:abc'));
    assert.deepEqual(identityBytes(fqdnIdentity('a')), hex('02 000000 61'));  // what AUTH signs: type, RESERVED, data
  });
});

describe('traffic selectors and prefixes', () => {
  it('converts a prefix to a range and back', () => {
    assert.deepEqual(prefixToRange(parsePrefix('10.1.0.0/16')), { start: 0x0a010000, end: 0x0a01ffff });
    assert.deepEqual(rangeToPrefix(0x0a010000, 0x0a01ffff), parsePrefix('10.1.0.0/16'));
    assert.deepEqual(rangeToPrefix(0, 0xffffffff), parsePrefix('0.0.0.0/0'));
    assert.equal(rangeToPrefix(0x0a000001, 0x0a000002), undefined);
    assert.deepEqual(rangeToPrefixes(0x0a000001, 0x0a000006).map((p) => [p.address & 0xff, p.length]), [[1, 32], [2, 31], [4, 31], [6, 32]]);
    const s = selectorFromPrefix(parsePrefix('172.16.0.0/12'), { ipProtocol: 6, startPort: 443, endPort: 443 });
    assert.equal(formatSelector(s), '172.16.0.0/12[6/443-443]');
    assert.equal(formatSelector(selectorFromPrefix(parsePrefix('10.0.0.0/8'))), '10.0.0.0/8');
    assert.deepEqual(selectorPrefixes(s), [parsePrefix('172.16.0.0/12')]);
  });

  it('covers any range exactly with the fewest aligned prefixes', () => {
    fc.assert(fc.property(u32, u32, (a, b) => {
      const [start, end] = a <= b ? [a, b] : [b, a];
      const prefixes = rangeToPrefixes(start, end);
      let next = start;
      for (const p of prefixes) {
        assert.equal(p.address, next, 'contiguous');
        assert.equal((p.address & maskOf(p.length)) >>> 0, p.address, 'aligned');
        next = prefixToRange(p).end + 1;
      }
      assert.equal(next, end + 1, 'ends at the end');
      assert.ok(prefixes.length <= 62);
      assert.ok(prefixContains(prefixes[0]!, start));
    }), { numRuns: 2000 });
  });

  it('converts an IPv6 prefix to a range', () => {
    const { start, end } = ipv6PrefixToRange(hex('20010db8ffff00000000000000000000'), 36);
    assert.deepEqual(start, hex('20010db8f00000000000000000000000'));
    assert.deepEqual(end, hex('20010db8ffffffffffffffffffffffff'));
  });
});
