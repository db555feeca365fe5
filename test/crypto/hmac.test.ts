import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CryptoErrorCode } from '../../src/crypto/errors.js';
import { hmac, type HashName } from '../../src/crypto/hmac.js';
import { IntegId, PrfId } from '../../src/crypto/iana.js';
import { integrityById } from '../../src/crypto/integrity.js';
import { prfById } from '../../src/crypto/prf.js';
import { hex } from '../helpers/round-trip.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const fill = (byte: number, n: number): Uint8Array => new Uint8Array(n).fill(byte);
const counting = (from: number, to: number): Uint8Array => Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);

interface Case { key: Uint8Array; data: Uint8Array; out: Partial<Record<HashName, string>>; truncate?: number }

/*
 * RFC 4231 §4.2–4.8, "Identifiers and Test Vectors for HMAC-SHA-224, HMAC-SHA-256, HMAC-SHA-384,
 * and HMAC-SHA-512": test cases 1–7. Case 5 gives only the first 128 bits of each output.
 */
const RFC4231: Case[] = [
  { key: fill(0x0b, 20), data: ascii('Hi There'), out: { // 4.2 test case 1
    sha224: '896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22',
    sha256: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    sha384: 'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
    sha512: '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854' } },
  { key: ascii('Jefe'), data: ascii('what do ya want for nothing?'), out: { // 4.3 test case 2: key shorter than the block
    sha224: 'a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44',
    sha256: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    sha384: 'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
    sha512: '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737' } },
  { key: fill(0xaa, 20), data: fill(0xdd, 50), out: { // 4.4 test case 3: 50 bytes of 0xdd
    sha224: '7fb3cb3588c6c1f6ffa9694d7d6ad2649365b0c1f65d69d1ec8333ea',
    sha256: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
    sha384: '88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27',
    sha512: 'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb' } },
  { key: counting(0x01, 0x19), data: fill(0xcd, 50), out: { // 4.5 test case 4: 25-byte key 01..19
    sha224: '6c11506874013cac6a2abc1bb382627cec6a90d86efc012de7afec5a',
    sha256: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    sha384: '3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb',
    sha512: 'b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd' } },
  { key: fill(0x0c, 20), data: ascii('Test With Truncation'), truncate: 16, out: { // 4.6 test case 5: truncated to 128 bits
    sha224: '0e2aea68a90c8d37c988bcdb9fca6fa8',
    sha256: 'a3b6167473100ee06e0c796c2955552b',
    sha384: '3abf34c3503b2a23a46efc619baef897',
    sha512: '415fad6271580a531d4179bc891d87a6' } },
  { key: fill(0xaa, 131), data: ascii('Test Using Larger Than Block-Size Key - Hash Key First'), out: { // 4.7 test case 6
    sha224: '95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e',
    sha256: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    sha384: '4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952',
    sha512: '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598' } },
  { key: fill(0xaa, 131), // 4.8 test case 7
    data: ascii('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'),
    out: {
      sha224: '3a854166ac5d9f023f54d517d0b39dbd946770db9c2b95c9f6f565d1',
      sha256: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
      sha384: '6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e',
      sha512: 'e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58' } },
];

/* RFC 2202 §2 (HMAC-MD5) and §3 (HMAC-SHA-1), test cases 1–7; case 5 also lists the 96-bit truncation. */
const RFC2202: Case[] = [
  { key: fill(0x0b, 16), data: ascii('Hi There'), out: { md5: '9294727a3638bb1c13f48ef8158bfc9d' } },
  { key: fill(0x0b, 20), data: ascii('Hi There'), out: { sha1: 'b617318655057264e28bc0b6fb378c8ef146be00' } },
  { key: ascii('Jefe'), data: ascii('what do ya want for nothing?'), out: { md5: '750c783e6ab0b503eaa86e310a5db738', sha1: 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79' } },
  { key: fill(0xaa, 16), data: fill(0xdd, 50), out: { md5: '56be34521d144c88dbb8c733f0e8b3f6' } },
  { key: fill(0xaa, 20), data: fill(0xdd, 50), out: { sha1: '125d7342b9ac11cd91a39af48aa17b4f63f175d3' } },
  { key: counting(0x01, 0x19), data: fill(0xcd, 50), out: { md5: '697eaf0aca3a3aea3a75164746ffaa79', sha1: '4c9007f4026250c6bc8414f9bf50c86c2d7235da' } },
  { key: fill(0x0c, 16), data: ascii('Test With Truncation'), out: { md5: '56461ef2342edc00f9bab995690efd4c' } },
  { key: fill(0x0c, 20), data: ascii('Test With Truncation'), out: { sha1: '4c1a03424b55e07fe7f27be1d58bb9324a9a5a04' } },
  { key: fill(0xaa, 80), data: ascii('Test Using Larger Than Block-Size Key - Hash Key First'),
    out: { md5: '6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd', sha1: 'aa4ae5e15272d00e95705637ce8a3b55ed402112' } },
  { key: fill(0xaa, 80), data: ascii('Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data'),
    out: { md5: '6f630fad67cda0ee1fb1f562db3aa53e', sha1: 'e8e99d0f45237d786d6bbaa7965c7808bbff1a91' } },
];

const PRF_OF: Partial<Record<HashName, number>> = { md5: PrfId.HmacMd5, sha1: PrfId.HmacSha1, sha256: PrfId.HmacSha2_256, sha384: PrfId.HmacSha2_384, sha512: PrfId.HmacSha2_512 };

describe('HMAC (RFC 4231, RFC 2202)', () => {
  it('RFC 4231 test cases 1-7 for SHA-224/256/384/512, case 5 truncated to 128 bits', () => {
    for (const [i, c] of RFC4231.entries()) {
      for (const [hash, expected] of Object.entries(c.out) as [HashName, string][]) {
        const full = hmac(hash, c.key, [c.data]);
        assert.deepEqual(c.truncate === undefined ? full : full.subarray(0, c.truncate), hex(expected), `case ${i + 1} ${hash}`);
      }
    }
  });

  it('RFC 2202 test cases 1-7 for MD5 and SHA-1', () => {
    for (const c of RFC2202) {
      for (const [hash, expected] of Object.entries(c.out) as [HashName, string][]) assert.deepEqual(hmac(hash, c.key, [c.data]), hex(expected), hash);
    }
  });

  it('the PRFs are these HMACs, whole, with data given in parts', () => {
    for (const c of [...RFC4231.filter((x) => x.truncate === undefined), ...RFC2202]) {
      for (const [hash, expected] of Object.entries(c.out) as [HashName, string][]) {
        const id = PRF_OF[hash];
        if (id === undefined) continue;
        const prf = prfById(id);
        assert.equal(prf.outputLength, expected.length / 2);
        assert.equal(prf.keyLength, prf.outputLength);
        const cut = Math.floor(c.data.length / 3);
        assert.deepEqual(prf.compute(c.key, c.data.subarray(0, cut), new Uint8Array(0), c.data.subarray(cut)), hex(expected));
      }
    }
  });

  it('integrity algorithms truncate as RFC 2403/2404/4868 say: HMAC-MD5-96, HMAC-SHA1-96, SHA2 to half', () => {
    // RFC 2202 case 5 lists the 96-bit truncations: 56461ef2342edc00f9bab995 and 4c1a03424b55e07fe7f27be1.
    const md5 = integrityById(IntegId.HmacMd5_96).withKey(fill(0x0c, 16));
    assert.deepEqual(md5.mac(ascii('Test With Truncation')), hex('56461ef2342edc00f9bab995'));
    const sha1 = integrityById(IntegId.HmacSha1_96).withKey(fill(0x0c, 20));
    assert.deepEqual(sha1.mac(ascii('Test With '), ascii('Truncation')), hex('4c1a03424b55e07fe7f27be1'));
    // RFC 4868 §2.7.2.1, PRF-HMAC-SHA-256 / AUTH256 test cases 1-3 (keys of 32 bytes): the ICV is
    // the first 128 bits of the PRF output.
    const rfc4868: [Uint8Array, Uint8Array, string][] = [
      [fill(0x0b, 32), ascii('Hi There'), '198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7'],
      [ascii('JefeJefeJefeJefeJefeJefeJefeJefe'), ascii('what do ya want for nothing?'), '167f928588c5cc2eef8e3093caa0e87c9ff566a14794aa61648d81621a2a40c6'],
      [fill(0xaa, 32), fill(0xdd, 50), 'cdcb1220d1ecccea91e53aba3092f962e549fe6ce9ed7fdc43191fbde45c30b0'],
    ];
    for (const [key, msg, out] of rfc4868) {
      assert.deepEqual(prfById(PrfId.HmacSha2_256).compute(key, msg), hex(out));
      assert.deepEqual(integrityById(IntegId.HmacSha2_256_128).withKey(key).mac(msg), hex(out).subarray(0, 16));
    }
    // All three SHA-2 integrity algorithms: RFC 4231 case 7's data under a key of the full output
    // length, against the whole HMAC cut to 128/192/256 bits.
    const data = RFC4231[6]!.data;
    for (const [id, hash, keyLength, icv] of [[IntegId.HmacSha2_256_128, 'sha256', 32, 16], [IntegId.HmacSha2_384_192, 'sha384', 48, 24],
      [IntegId.HmacSha2_512_256, 'sha512', 64, 32]] as const) {
      const alg = integrityById(id);
      assert.equal(alg.keyLength, keyLength);
      assert.equal(alg.icvLength, icv);
      const key = counting(1, keyLength);
      const mac = alg.withKey(key).mac(data);
      assert.deepEqual(mac, hmac(hash, key, [data]).subarray(0, icv));
      assert.ok(alg.withKey(key).verify(mac, data));
      const bad = mac.slice();
      bad[icv - 1] = bad[icv - 1]! ^ 1;
      assert.ok(!alg.withKey(key).verify(bad, data));
      assert.ok(!alg.withKey(key).verify(mac.subarray(0, icv - 1), data), 'a short ICV never verifies');
    }
  });

  it('refuses unknown IDs and wrong key sizes with stable codes', () => {
    assert.throws(() => prfById(4), { code: CryptoErrorCode.Unsupported });
    assert.throws(() => integrityById(IntegId.None), { code: CryptoErrorCode.Unsupported });
    assert.throws(() => integrityById(IntegId.HmacSha2_256_128).withKey(new Uint8Array(16)), { code: CryptoErrorCode.BadKeyLength });
  });
});
