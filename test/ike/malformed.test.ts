import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecodeError } from '../../src/core/errors.js';
import { NotifyType, PayloadType } from '../../src/ike/constants.js';
import { IkeError } from '../../src/ike/errors.js';
import { decodeMessage } from '../../src/ike/message.js';
import { decodePayloadChain } from '../../src/ike/payload-chain.js';
import { hex } from '../helpers/round-trip.js';
import { throwsIke } from './helpers.js';

/*
 * Malformed input, one case per rule, each asserting the Notify the decoder asks for. Payload
 * bodies are commented hex; `message` adds a valid header with the right Length.
 */

const SYNTAX = NotifyType.INVALID_SYNTAX;

const bytesOf = (text: string): Uint8Array => (text.replace(/\/\/.*$/gm, '').replace(/[\s|]/g, '') === '' ? new Uint8Array(0) : hex(text));

/** A whole IKE_SA_INIT request around a commented hex chain starting with type `first`. */
function message(first: number, chain: string | Uint8Array, opts: { version?: number; length?: number } = {}): Uint8Array {
  const body = typeof chain === 'string' ? bytesOf(chain) : chain;
  const out = new Uint8Array(28 + body.length);
  out.set(hex('0102030405060708 0000000000000000'));
  out[16] = first;
  out[17] = opts.version ?? 0x20;
  out[18] = 34;
  out[19] = 0x08;
  const length = opts.length ?? out.length;
  out.set([length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff], 24);
  out.set(body, 28);
  return out;
}

/** A message holding one payload of type `type` with a commented hex body (not critical, last). */
function one(type: number, body: string): Uint8Array {
  const b = bytesOf(body);
  const n = 4 + b.length;
  return message(type, Uint8Array.of(0, 0, n >>> 8, n & 0xff, ...b));
}

const VALID_NONCE = '00'.repeat(16);

describe('malformed IKE headers', () => {
  it('a header shorter than 28 octets is INVALID_SYNTAX', () => {
    for (const n of [0, 1, 27]) throwsIke(() => decodeMessage(message(0, '').subarray(0, n)), SYNTAX);
  });

  it('a Length field that differs from the datagram is INVALID_SYNTAX', () => {
    throwsIke(() => decodeMessage(message(0, '', { length: 29 })), SYNTAX);
    throwsIke(() => decodeMessage(message(0, '', { length: 27 })), SYNTAX);
    throwsIke(() => decodeMessage(message(0, '', { length: 0xffffffff })), SYNTAX);
  });

  it('a major version other than 2 is INVALID_MAJOR_VERSION (IKEv1 included)', () => {
    throwsIke(() => decodeMessage(message(0, '', { version: 0x10 })), NotifyType.INVALID_MAJOR_VERSION);
    throwsIke(() => decodeMessage(message(0, '', { version: 0x30 })), NotifyType.INVALID_MAJOR_VERSION);
    assert.equal(decodeMessage(message(0, '', { version: 0x2f })).header.minorVersion, 15);  // minor versions are accepted
  });
});

describe('malformed payload chains', () => {
  it('a Payload Length below 4 is INVALID_SYNTAX', () => {
    for (const n of ['0000', '0001', '0003']) throwsIke(() => decodeMessage(message(PayloadType.VENDOR_ID, `00 00 ${n} 0000`)), SYNTAX);
  });

  it('a payload running past the message is INVALID_SYNTAX', () => {
    throwsIke(() => decodeMessage(message(PayloadType.VENDOR_ID, '00 00 0009 0102')), SYNTAX);  // says 9, 6 present
  });

  it('a generic header cut short, or a chain naming a payload that is not there, is INVALID_SYNTAX', () => {
    throwsIke(() => decodeMessage(message(PayloadType.VENDOR_ID, '00 00')), SYNTAX);
    throwsIke(() => decodeMessage(message(PayloadType.VENDOR_ID, '2b 00 0004')), SYNTAX);  // next: another V, none follows
  });

  it('octets after the last payload are INVALID_SYNTAX', () => {
    throwsIke(() => decodeMessage(message(PayloadType.VENDOR_ID, '00 00 0004 ff')), SYNTAX);
    throwsIke(() => decodeMessage(message(PayloadType.NONE, 'ff')), SYNTAX);
    throwsIke(() => decodeMessage(message(PayloadType.SK, '00 00 0006 0102 | 00 00 0004')), SYNTAX);  // nothing may follow SK
  });

  it('an unknown critical payload is UNSUPPORTED_CRITICAL_PAYLOAD carrying its type', () => {
    throwsIke(() => decodeMessage(message(PayloadType.VENDOR_ID, '63 00 0004 | 00 80 0006 0102')), NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, hex('63'));
    throwsIke(() => decodePayloadChain(hex('00 81 0004'), 200), NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, hex('c8'));
  });

  it('an unknown non-critical payload is skipped and the chain goes on', () => {
    const m = decodeMessage(message(99, '2b 7f 0005 ee | 00 00 0004'));  // type 99 (reserved bits set), then an empty V
    assert.deepEqual(m.payloads.map((p) => p.type), ['unknown', 'vendor-id']);
  });

  it('a body read past its end is INVALID_SYNTAX, never a bare DecodeError', () => {
    for (const [type, body] of [[PayloadType.KE, '0013'], [PayloadType.NOTIFY, '0000'], [PayloadType.SKF, '0001'], [PayloadType.DELETE, '03']] as const) {
      const e = throwsIke(() => decodeMessage(one(type, body)), SYNTAX);
      assert.ok(!(e instanceof DecodeError) && e instanceof IkeError);
    }
  });
});

describe('malformed SA payloads (RFC 7296 §3.3)', () => {
  const P1 = '01 01 00 01 | 00 00 0008 01 00 000c';  // #1 IKE, 1 transform: ENCR AES-CBC
  it('accepts a well-formed proposal', () => {
    decodeMessage(one(PayloadType.SA, `00 00 0010 ${P1}`));
  });

  it('a bad Last Substruc marker is INVALID_SYNTAX', () => {
    throwsIke(() => decodeMessage(one(PayloadType.SA, `02 00 0010 ${P1}`)), SYNTAX);  // says more, none follows
    throwsIke(() => decodeMessage(one(PayloadType.SA, `01 00 0010 ${P1}`)), SYNTAX);  // 1 is not a proposal marker
    throwsIke(() => decodeMessage(one(PayloadType.SA, `00 00 0010 ${P1} | 00 00 0010 02 01 00 01 00 00 0008 01 00 000c`)), SYNTAX);  // last, yet more
    throwsIke(() => decodeMessage(one(PayloadType.SA, '00 00 0010 01 01 00 01 | 03 00 0008 01 00 000c')), SYNTAX);  // transform says more
    throwsIke(() => decodeMessage(one(PayloadType.SA, '00 00 0018 01 01 00 02 | 00 00 0008 01 00 000c | 00 00 0008 02 00 0005')), SYNTAX);
  });

  it('bad proposal numbering is INVALID_SYNTAX', () => {
    const two = (a: string, b: string) => `02 00 0010 ${a} 01 00 01 00 00 0008 01 00 000c | 00 00 0010 ${b} 01 00 01 00 00 0008 01 00 000c`;
    throwsIke(() => decodeMessage(one(PayloadType.SA, two('01', '03'))), SYNTAX);  // 1 then 3
    throwsIke(() => decodeMessage(one(PayloadType.SA, two('02', '03'))), SYNTAX);  // does not start at 1
    throwsIke(() => decodeMessage(one(PayloadType.SA, two('01', '01'))), SYNTAX);  // repeated
    throwsIke(() => decodeMessage(one(PayloadType.SA, '00 00 0010 00 01 00 01 00 00 0008 01 00 000c')), SYNTAX);  // number 0
    decodeMessage(one(PayloadType.SA, '00 00 0010 07 01 00 01 00 00 0008 01 00 000c'));  // a reply's lone proposal keeps its number
  });

  it('counts, lengths and SPI sizes that do not add up are INVALID_SYNTAX', () => {
    throwsIke(() => decodeMessage(one(PayloadType.SA, '00 00 0010 01 01 00 02 | 00 00 0008 01 00 000c')), SYNTAX);  // says 2 transforms
    throwsIke(() => decodeMessage(one(PayloadType.SA, '00 00 0007 01 01 00 00')), SYNTAX);  // proposal length 7
    throwsIke(() => decodeMessage(one(PayloadType.SA, '00 00 0020 01 01 00 00')), SYNTAX);  // proposal length past the SA
    throwsIke(() => decodeMessage(one(PayloadType.SA, '00 00 0010 01 01 00 01 | 00 00 0007 01 00 000c')), SYNTAX);  // transform length 7
    throwsIke(() => decodeMessage(one(PayloadType.SA, '00 00 0010 01 03 00 01 | 00 00 0008 01 00 000c')), SYNTAX);  // ESP without SPI
    throwsIke(() => decodeMessage(one(PayloadType.SA, '00 00 0014 01 01 04 01 c0ffee01 | 00 00 0008 01 00 000c')), SYNTAX);  // IKE, 4-octet SPI
    throwsIke(() => decodeMessage(one(PayloadType.SA, '')), SYNTAX);  // no proposal
  });

  it('Key Length in TLV form, twice, or an attribute cut short is INVALID_SYNTAX', () => {
    throwsIke(() => decodeMessage(one(PayloadType.SA, '00 00 0016 01 01 00 01 | 00 00 000e 01 00 000c 000e 0002 0100')), SYNTAX);
    throwsIke(() => decodeMessage(one(PayloadType.SA, '00 00 0018 01 01 00 01 | 00 00 0010 01 00 000c 800e 0080 800e 0100')), SYNTAX);
    throwsIke(() => decodeMessage(one(PayloadType.SA, '00 00 0012 01 01 00 01 | 00 00 000a 01 00 000c 800e')), SYNTAX);
    throwsIke(() => decodeMessage(one(PayloadType.SA, '00 00 0016 01 01 00 01 | 00 00 000e 01 00 000c 0011 0009 01 02')), SYNTAX);  // TLV past the transform
  });
});

describe('malformed payload bodies', () => {
  it('a nonce outside 16-256 octets is INVALID_SYNTAX', () => {
    throwsIke(() => decodeMessage(one(PayloadType.NONCE, '00'.repeat(15))), SYNTAX);
    throwsIke(() => decodeMessage(one(PayloadType.NONCE, '00'.repeat(257))), SYNTAX);
    decodeMessage(one(PayloadType.NONCE, VALID_NONCE));
    decodeMessage(one(PayloadType.NONCE, '00'.repeat(256)));
  });

  it('a traffic selector whose start is after its end is INVALID_SYNTAX (OPAQUE ports excepted)', () => {
    const ts = (ports: string, start: string, end: string) => `01 000000 07 00 0010 ${ports} ${start} ${end}`;
    throwsIke(() => decodeMessage(one(PayloadType.TSi, ts('0000 ffff', '0a000002', '0a000001'))), SYNTAX);  // 10.0.0.2 > 10.0.0.1
    throwsIke(() => decodeMessage(one(PayloadType.TSr, ts('0050 0016', '0a000001', '0a000001'))), SYNTAX);  // ports 80-22
    decodeMessage(one(PayloadType.TSr, ts('ffff 0000', '0a000001', '0a000001')));  // OPAQUE: 65535-0
    throwsIke(() => decodeMessage(one(PayloadType.TSi, `01 000000 08 00 0028 0000 ffff ${'ff'.repeat(16)} ${'00'.repeat(16)}`)), SYNTAX);
  });

  it('traffic selector counts and lengths that do not add up are INVALID_SYNTAX', () => {
    throwsIke(() => decodeMessage(one(PayloadType.TSi, '00 000000')), SYNTAX);  // no selectors
    throwsIke(() => decodeMessage(one(PayloadType.TSi, '02 000000 07 00 0010 0000 ffff 0a000001 0a000001')), SYNTAX);  // says 2
    throwsIke(() => decodeMessage(one(PayloadType.TSi, '01 000000 07 00 0014 0000 ffff 0a000001 0a000001 00000000')), SYNTAX);  // IPv4, length 20
    throwsIke(() => decodeMessage(one(PayloadType.TSi, '01 000000 07 00 0010 0000 ffff 0a000001 0a000001 ff')), SYNTAX);  // trailing octet
  });

  it('an address identity of the wrong size is INVALID_SYNTAX', () => {
    throwsIke(() => decodeMessage(one(PayloadType.IDi, '01 000000 0a00000102')), SYNTAX);
    throwsIke(() => decodeMessage(one(PayloadType.IDr, '05 000000 0a000001')), SYNTAX);
  });

  it('Notification Data of the wrong size for its type is INVALID_SYNTAX', () => {
    throwsIke(() => decodeMessage(one(PayloadType.NOTIFY, '00 00 0011 001300')), SYNTAX);  // INVALID_KE_PAYLOAD, 3 octets
    throwsIke(() => decodeMessage(one(PayloadType.NOTIFY, `00 00 4004 ${'00'.repeat(19)}`)), SYNTAX);  // NAT detection, 19
    throwsIke(() => decodeMessage(one(PayloadType.NOTIFY, '00 00 4006')), SYNTAX);  // COOKIE, empty
    throwsIke(() => decodeMessage(one(PayloadType.NOTIFY, `00 00 4006 ${'00'.repeat(65)}`)), SYNTAX);  // COOKIE, 65
    throwsIke(() => decodeMessage(one(PayloadType.NOTIFY, '03 08 4009 c0ffee01')), SYNTAX);  // SPI Size 8, 4 present
  });

  it('a Delete whose SPIs do not fit its counts is INVALID_SYNTAX', () => {
    throwsIke(() => decodeMessage(one(PayloadType.DELETE, '01 04 0001 c0ffee01')), SYNTAX);  // IKE with an SPI
    throwsIke(() => decodeMessage(one(PayloadType.DELETE, '03 04 0002 c0ffee01')), SYNTAX);  // 2 SPIs, 1 present
    throwsIke(() => decodeMessage(one(PayloadType.DELETE, '03 08 0001 c0ffee01c0ffee01')), SYNTAX);  // ESP, SPI Size 8
  });

  it('CP attributes of the wrong size or running past the payload are INVALID_SYNTAX', () => {
    throwsIke(() => decodeMessage(one(PayloadType.CP, '02 000000 0001 0003 0a0000')), SYNTAX);
    throwsIke(() => decodeMessage(one(PayloadType.CP, '02 000000 0001 0004 0a00')), SYNTAX);
    throwsIke(() => decodeMessage(one(PayloadType.CP, '02 000000 00')), SYNTAX);
  });

  it('an SKF fragment number outside 1..total is INVALID_SYNTAX', () => {
    throwsIke(() => decodeMessage(one(PayloadType.SKF, '0000 0002 ff')), SYNTAX);
    throwsIke(() => decodeMessage(one(PayloadType.SKF, '0003 0002 ff')), SYNTAX);
  });
});
