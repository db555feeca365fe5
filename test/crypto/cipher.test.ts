import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encryptionById, isEncryptionSupported, type AeadAlgorithm, type CbcAlgorithm } from '../../src/crypto/cipher.js';
import { CryptoErrorCode } from '../../src/crypto/errors.js';
import { EncrId } from '../../src/crypto/iana.js';
import { hex } from '../helpers/round-trip.js';

const gcm = (id: number, bits: number): AeadAlgorithm => encryptionById(id, bits) as AeadAlgorithm;
const cbc = (id: number, bits?: number): CbcAlgorithm => encryptionById(id, bits) as CbcAlgorithm;

/*
 * McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", revised spec (2005), Appendix B:
 * test cases 2-4 (AES-128) and 14-16 (AES-256), 96-bit IVs, 128-bit tags. The 12-byte IV maps onto
 * RFC 4106's nonce as salt (its first 4 bytes, carried at the end of the key material) | IV.
 */
const P64 = 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const P60 = P64.slice(0, 120);
const A20 = 'feedfacedeadbeeffeedfacedeadbeefabaddad2';
const K128 = 'feffe9928665731c6d6a8f9467308308';
const GCM_CASES = [
  { tc: 2, key: '00000000000000000000000000000000', iv: '000000000000000000000000', p: '00000000000000000000000000000000', a: '',
    c: '0388dace60b6a392f328c2b971b2fe78', t: 'ab6e47d42cec13bdf53a67b21257bddf' },
  { tc: 3, key: K128, iv: 'cafebabefacedbaddecaf888', p: P64, a: '',
    c: '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985',
    t: '4d5c2af327cd64a62cf35abd2ba6fab4' },
  { tc: 4, key: K128, iv: 'cafebabefacedbaddecaf888', p: P60, a: A20,
    c: '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091',
    t: '5bc94fbc3221a5db94fae95ae7121a47' },
  { tc: 14, key: '0000000000000000000000000000000000000000000000000000000000000000', iv: '000000000000000000000000',
    p: '00000000000000000000000000000000', a: '', c: 'cea7403d4d606b6e074ec5d3baf39d18', t: 'd0d1c8a799996bf0265b98b5d48ab919' },
  { tc: 15, key: K128 + K128, iv: 'cafebabefacedbaddecaf888', p: P64, a: '',
    c: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad',
    t: 'b094dac5d93471bdec1a502270e3cc6c' },
  { tc: 16, key: K128 + K128, iv: 'cafebabefacedbaddecaf888', p: P60, a: A20,
    c: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
    t: '76fc6ece0f4e1768cddf8853bb2d551b' },
];

/* RFC 3602 §4, "Test Vectors", cases #1-#4: plain AES-128-CBC (cases #5-#8 are ESP packets: test/esp/vectors.test.ts). */
const CBC_CASES = [
  { key: '06a9214036b8a15b512e03d534120006', iv: '3dafba429d9eb430b422da802c9fac41', p: Buffer.from('Single block msg').toString('hex'),
    c: 'e353779c1079aeb82708942dbe77181a' },
  { key: 'c286696d887c9aa0611bbb3e2025a45a', iv: '562e17996d093d28ddb3ba695a2e6f58',
    p: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    c: 'd296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1' },
  { key: '6c3ea0477630ce21a2ce334aa746c2cd', iv: 'c782dc4c098c66cbd9cd27d825682c81',
    p: Buffer.from('This is a 48-byte message (exactly 3 AES blocks)').toString('hex'),
    c: 'd0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5021c19216bad525c8579695d83ba2684' },
  { key: '56e47a38c5598974bc46903dba290349', iv: '8ce82eefbea0da3c44699ed7db51b7d9',
    p: 'a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf',
    c: 'c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55' },
];

describe('AES-GCM (GCM spec Appendix B, RFC 4106 nonce layout)', () => {
  it('test cases 2-4 and 14-16 seal and open', () => {
    for (const v of GCM_CASES) {
      const key = hex(v.key);
      const alg = gcm(EncrId.AesGcm16, key.length * 8);
      const nonce = hex(v.iv);
      const k = alg.withKey(Uint8Array.from([...key, ...nonce.subarray(0, 4)]));
      const iv = nonce.subarray(4);
      const aad = v.a === '' ? [] : [hex(v.a)];
      const sealed = k.seal(iv, aad, [hex(v.p)]);
      assert.deepEqual(sealed, hex(v.c + v.t), `test case ${v.tc}`);
      assert.deepEqual(k.open(iv, aad, sealed), hex(v.p), `test case ${v.tc}`);
    }
  });

  it('the 8- and 12-byte ICVs are the 16-byte tag truncated (ENCR_AES_GCM_8/12)', () => {
    const v = GCM_CASES[2]!;
    for (const [id, icv] of [[EncrId.AesGcm8, 8], [EncrId.AesGcm12, 12]] as const) {
      const alg = gcm(id, 128);
      assert.equal(alg.icvLength, icv);
      const k = alg.withKey(Uint8Array.from([...hex(v.key), ...hex(v.iv).subarray(0, 4)]));
      const sealed = k.seal(hex(v.iv).subarray(4), [hex(v.a)], [hex(v.p)]);
      assert.deepEqual(sealed, hex(v.c + v.t.slice(0, 2 * icv)));
    }
  });

  it('any change to ciphertext, tag, AAD or IV fails with AUTH_FAILED', () => {
    const alg = gcm(EncrId.AesGcm16, 256);
    const k = alg.withKey(new Uint8Array(36).fill(7));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 20 }), fc.nat(), fc.integer({ min: 0, max: 7 }),
      fc.constantFrom('sealed', 'aad', 'iv'), (p, a, at, bit, what) => {
        const iv = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
        const sealed = k.seal(iv, [a], [p]);
        assert.deepEqual(k.open(iv, [a], sealed), p);
        const target = what === 'sealed' ? sealed.slice() : what === 'aad' ? a.slice() : iv.slice();
        if (target.length === 0) return;
        target[at % target.length] = target[at % target.length]! ^ (1 << bit);
        const args: [Uint8Array, Uint8Array, Uint8Array] = what === 'sealed' ? [iv, a, target] : what === 'aad' ? [iv, target, sealed] : [target, a, sealed];
        assert.throws(() => k.open(args[0], [args[1]], args[2]), { code: CryptoErrorCode.AuthFailed });
      }), { numRuns: 300 });
  });

  it('sizes: key material = key + 4-byte salt, 8-byte IV, stream (block size 1)', () => {
    for (const bits of [128, 192, 256]) {
      const alg = gcm(EncrId.AesGcm16, bits);
      assert.deepEqual([alg.keyLength, alg.keyMaterialLength, alg.ivLength, alg.blockSize, alg.saltLength], [bits / 8, bits / 8 + 4, 8, 1, 4]);
      assert.equal(alg.name, `aes-gcm-16-${bits}`);
    }
  });
});

describe('CBC ciphers', () => {
  it('RFC 3602 cases 1-4 (AES-128-CBC)', () => {
    for (const v of CBC_CASES) {
      const k = cbc(EncrId.AesCbc, 128).withKey(hex(v.key));
      assert.deepEqual(k.encrypt(hex(v.iv), [hex(v.p)]), hex(v.c));
      assert.deepEqual(k.decrypt(hex(v.iv), hex(v.c)), hex(v.p));
    }
  });

  it('every key size round-trips, with the plaintext in any number of parts', () => {
    const algs = [cbc(EncrId.AesCbc, 128), cbc(EncrId.AesCbc, 192), cbc(EncrId.AesCbc, 256), cbc(EncrId.Des3)];
    fc.assert(fc.property(fc.constantFrom(...algs), fc.integer({ min: 1, max: 8 }), fc.array(fc.nat({ max: 40 }), { maxLength: 4 }), (alg, blocks, cuts) => {
      const key = new Uint8Array(alg.keyLength).map((_, i) => i * 7);
      const iv = new Uint8Array(alg.ivLength).fill(9);
      const p = new Uint8Array(blocks * alg.blockSize).map((_, i) => i);
      const points = [...new Set(cuts.map((c) => c % (p.length + 1)))].sort((x, y) => x - y);
      const parts = [0, ...points].map((from, i) => p.subarray(from, [...points, p.length][i]));
      const c = alg.withKey(key).encrypt(iv, parts);
      assert.equal(c.length, p.length);
      assert.deepEqual(alg.withKey(key).decrypt(iv, c), p);
    }), { numRuns: 200 });
  });

  it('3DES-CBC: 24-byte key, 8-byte block and IV; CBC chaining holds across blocks', () => {
    const des = cbc(EncrId.Des3);
    assert.deepEqual([des.keyLength, des.blockSize, des.ivLength, des.name], [24, 8, 8, '3des']);
    // Chaining: encrypting block 2 alone with IV = ciphertext block 1 gives ciphertext block 2.
    const k = des.withKey(hex('0123456789abcdef23456789abcdef01456789abcdef0123'));
    const p = hex('4e6f77206973207468652074696d6520');
    const c = k.encrypt(hex('1234567890abcdef'), [p]);
    assert.deepEqual(k.encrypt(c.subarray(0, 8), [p.subarray(8)]), c.subarray(8));
  });

  it('refuses partial blocks and empty ciphertext', () => {
    const k = cbc(EncrId.AesCbc, 128).withKey(new Uint8Array(16));
    assert.throws(() => k.encrypt(new Uint8Array(16), [new Uint8Array(15)]), { code: CryptoErrorCode.BadCiphertext });
    assert.throws(() => k.decrypt(new Uint8Array(16), new Uint8Array(17)), { code: CryptoErrorCode.BadCiphertext });
    assert.throws(() => k.decrypt(new Uint8Array(16), new Uint8Array(0)), { code: CryptoErrorCode.BadCiphertext });
    assert.throws(() => k.decrypt(new Uint8Array(8), new Uint8Array(16)), { code: CryptoErrorCode.BadKeyLength });
  });
});

describe('encryption transform table', () => {
  it('AES needs a Key Length of 128/192/256; 3DES takes none', () => {
    assert.throws(() => encryptionById(EncrId.AesCbc), { code: CryptoErrorCode.Unsupported });
    assert.throws(() => encryptionById(EncrId.AesGcm16, 64), { code: CryptoErrorCode.Unsupported });
    assert.throws(() => encryptionById(EncrId.Des3, 128), { code: CryptoErrorCode.Unsupported });
    assert.throws(() => encryptionById(13, 128), { code: CryptoErrorCode.Unsupported }); // ENCR_AES_CTR: not implemented
    assert.equal(encryptionById(EncrId.Des3, 192).name, '3des');
    assert.ok(isEncryptionSupported(EncrId.AesGcm12, 192));
    assert.ok(!isEncryptionSupported(EncrId.AesCbc));
    assert.throws(() => cbc(EncrId.AesCbc, 256).withKey(new Uint8Array(16)), { code: CryptoErrorCode.BadKeyLength });
    assert.throws(() => gcm(EncrId.AesGcm16, 128).withKey(new Uint8Array(16)), { code: CryptoErrorCode.BadKeyLength });
  });
});
