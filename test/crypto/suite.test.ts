import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SeededRng } from '../../src/core/rng.js';
import { CryptoErrorCode } from '../../src/crypto/errors.js';
import { DhGroup, EncrId, IntegId, PrfId } from '../../src/crypto/iana.js';
import { CryptoSuite, type ProtectionKeys, type SuiteSpec } from '../../src/crypto/suite.js';

/** Every (encryption, integrity) pair IKE can use here. */
const IKE_SPECS: SuiteSpec[] = [
  ...[128, 192, 256].flatMap((bits) => [IntegId.HmacMd5_96, IntegId.HmacSha1_96, IntegId.HmacSha2_256_128, IntegId.HmacSha2_384_192, IntegId.HmacSha2_512_256]
    .map((integ) => ({ encr: EncrId.AesCbc, encrKeyBits: bits, integ, prf: PrfId.HmacSha2_256, dh: DhGroup.Modp2048 }))),
  { encr: EncrId.Des3, integ: IntegId.HmacSha1_96, prf: PrfId.HmacSha1, dh: DhGroup.Modp1024 },
  ...[EncrId.AesGcm8, EncrId.AesGcm12, EncrId.AesGcm16].flatMap((encr) => [128, 192, 256]
    .map((bits) => ({ encr, encrKeyBits: bits, prf: PrfId.HmacSha2_384, dh: DhGroup.Curve25519 }))),
];

function keysFor(suite: CryptoSuite, seed: number): ProtectionKeys {
  const rng = new SeededRng(seed);
  return { encKey: rng.bytes(suite.encKeyLength), integKey: rng.bytes(suite.integKeyLength) };
}

describe('CryptoSuite: what the negotiated transforms mean for keys', () => {
  it('key sizes: GCM salt counted in SK_e, no SK_a for AEAD, PRF key = PRF output', () => {
    const gcm = CryptoSuite.ike({ encr: EncrId.AesGcm16, encrKeyBits: 256, prf: PrfId.HmacSha2_512, dh: DhGroup.Ecp384 });
    assert.deepEqual([gcm.encKeyLength, gcm.integKeyLength, gcm.prfKeyLength, gcm.aead], [36, 0, 64, true]);
    assert.equal(gcm.name, 'aes-gcm-16-256/prf-hmac-sha2-512/ecp384');
    const cbc = CryptoSuite.ike({ encr: EncrId.AesCbc, encrKeyBits: 128, integ: IntegId.HmacSha2_384_192, prf: PrfId.HmacSha1, dh: DhGroup.Modp2048 });
    assert.deepEqual([cbc.encKeyLength, cbc.integKeyLength, cbc.prfKeyLength, cbc.aead], [16, 48, 20, false]);
    const esp = CryptoSuite.esp({ encr: EncrId.Des3, integ: IntegId.HmacMd5_96, esn: true });
    assert.deepEqual([esp.encKeyLength, esp.integKeyLength, esp.prfKeyLength, esp.esn, esp.dh], [24, 16, 0, true, undefined]);
    assert.equal(esp.name, '3des/hmac-md5-96/esn');
  });

  it('refuses combinations RFC 7296/5282/4303 rule out', () => {
    const no = { code: CryptoErrorCode.Unsupported };
    assert.throws(() => CryptoSuite.ike({ encr: EncrId.AesGcm16, encrKeyBits: 128, integ: IntegId.HmacSha1_96, prf: PrfId.HmacSha1 }), no);
    assert.throws(() => CryptoSuite.ike({ encr: EncrId.AesCbc, encrKeyBits: 128, prf: PrfId.HmacSha1 }), no); // no integrity
    assert.throws(() => CryptoSuite.ike({ encr: EncrId.AesCbc, encrKeyBits: 128, integ: IntegId.HmacSha1_96 }), no); // no PRF
    assert.throws(() => CryptoSuite.ike({ encr: EncrId.AesGcm16, encrKeyBits: 128, prf: PrfId.HmacSha1, esn: true }), no);
    assert.throws(() => CryptoSuite.esp({ encr: EncrId.AesGcm16, encrKeyBits: 128, prf: PrfId.HmacSha1 }), no);
    assert.throws(() => CryptoSuite.esp({ encr: EncrId.AesCbc, encrKeyBits: 128 }), no);
    assert.throws(() => CryptoSuite.esp({ encr: EncrId.AesCbc, encrKeyBits: 128, integ: 99 }), no);
    assert.throws(() => CryptoSuite.esp({ encr: EncrId.AesCbc, encrKeyBits: 128, integ: IntegId.HmacSha1_96, dh: 17 }), no);
    // Encryption-only ESP exists (RFC 4303) but only on request.
    assert.equal(CryptoSuite.esp({ encr: EncrId.AesCbc, encrKeyBits: 128 }, { allowNoIntegrity: true }).integKeyLength, 0);
    const suite = CryptoSuite.esp({ encr: EncrId.AesGcm16, encrKeyBits: 128 });
    assert.throws(() => suite.sk(keysFor(suite, 1)), no);
    assert.throws(() => suite.esp({ encKey: new Uint8Array(16), integKey: new Uint8Array(0) }), { code: CryptoErrorCode.BadKeyLength });
  });
});

describe('SK payload protection (RFC 7296 §3.14, RFC 5282)', () => {
  it('round-trips for every suite; the length is known up front; padding is minimal', () => {
    const suites = IKE_SPECS.map((s) => CryptoSuite.ike(s));
    fc.assert(fc.property(fc.constantFrom(...suites), fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer(),
      (suite, plaintext, associated, seed) => {
        const keys = keysFor(suite, seed);
        const body = suite.sk(keys).seal(associated, plaintext, new SeededRng(seed));
        const sk = suite.sk(keys);
        assert.equal(body.length, sk.bodyLength(plaintext.length));
        const block = suite.encryption.blockSize;
        const padded = body.length - sk.ivLength - sk.icvLength;
        assert.equal(padded % block, 0);
        assert.ok(padded - plaintext.length - 1 < block, 'minimal padding');
        assert.deepEqual(sk.open(associated, body), plaintext);
      }), { numRuns: 400 });
  });

  it('GCM sends no padding, CBC pads to the block with zeros and a Pad Length', () => {
    const gcm = CryptoSuite.ike(IKE_SPECS.at(-1)!);
    assert.equal(gcm.sk(keysFor(gcm, 1)).bodyLength(10), 8 + 10 + 1 + 16);
    const cbc = CryptoSuite.ike(IKE_SPECS[2]!); // aes-cbc-128 / hmac-sha2-256-128
    assert.equal(cbc.sk(keysFor(cbc, 1)).bodyLength(10), 16 + 16 + 16);
    assert.equal(cbc.sk(keysFor(cbc, 1)).bodyLength(15), 16 + 16 + 16);
    assert.equal(cbc.sk(keysFor(cbc, 1)).bodyLength(16), 16 + 32 + 16);
  });

  it('a flipped bit anywhere in header, IV, ciphertext or ICV fails authentication', () => {
    const suites = IKE_SPECS.map((s) => CryptoSuite.ike(s));
    fc.assert(fc.property(fc.constantFrom(...suites), fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.integer({ min: 0, max: 7 }), fc.boolean(),
      (suite, plaintext, at, bit, inHeader) => {
        const keys = keysFor(suite, 3);
        const associated = new Uint8Array(32).fill(0x21);
        const body = suite.sk(keys).seal(associated, plaintext, new SeededRng(4));
        const target = (inHeader ? associated : body).slice();
        target[at % target.length] = target[at % target.length]! ^ (1 << bit);
        const [a, b] = inHeader ? [target, body] : [associated, target];
        assert.throws(() => suite.sk(keys).open(a, b), { code: CryptoErrorCode.AuthFailed });
      }), { numRuns: 400 });
  });

  it('short or misaligned bodies are BAD_CIPHERTEXT before any MAC; a bad Pad Length is BAD_PADDING', () => {
    const cbc = CryptoSuite.ike(IKE_SPECS[2]!);
    const keys = keysFor(cbc, 9);
    const sk = cbc.sk(keys);
    for (const n of [0, 16, 31, 47, 49]) assert.throws(() => sk.open(new Uint8Array(8), new Uint8Array(n)), { code: CryptoErrorCode.BadCiphertext }, `${n}`);
    // An authentic message whose Pad Length claims more than there is: built with the parts.
    const gcm = CryptoSuite.ike(IKE_SPECS.at(-1)!);
    const gk = keysFor(gcm, 2);
    const aead = gcm.encryption.kind === 'aead' ? gcm.encryption.withKey(gk.encKey) : assert.fail();
    const iv = new Uint8Array(8);
    const body = Uint8Array.from([...iv, ...aead.seal(iv, [new Uint8Array(4)], [Uint8Array.of(1, 2, 3, 9)])]);
    assert.throws(() => gcm.sk(gk).open(new Uint8Array(4), body), { code: CryptoErrorCode.BadPadding });
  });
});
