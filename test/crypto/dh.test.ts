import assert from 'node:assert/strict';
import { getDiffieHellman } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SeededRng } from '../../src/core/rng.js';
import { bigintToBytes, bytesToBigint } from '../../src/crypto/bytes.js';
import { MODP_PARAMS } from '../../src/crypto/dh-modp.js';
import { dhGroupById, isDhGroupSupported } from '../../src/crypto/dh.js';
import { CryptoErrorCode } from '../../src/crypto/errors.js';
import { DhGroup } from '../../src/crypto/iana.js';
import { hex } from '../helpers/round-trip.js';

const BAD = { code: CryptoErrorCode.BadPublicValue };

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  base %= mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}

/* RFC 5903 §8.1 (256-bit random ECP group) and §8.2 (384-bit): i, g^i = x|y, r, g^r, g^ir = x. */
const ECP_VECTORS = [
  { group: DhGroup.Ecp256,
    i: 'c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433',
    gi: 'dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180' + '5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3',
    r: 'c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53',
    gr: 'd12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63' + '56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab',
    gir: 'd6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de' },
  { group: DhGroup.Ecp384,
    i: '099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655e35b538041e649ee3faef896783ab194',
    gi: '667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6de3ac808acb4bdb4c88732aee95f41aa'
      + '9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38eeb9fcff3c2c947dae69b4c634573a81c',
    r: '41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942e0308312916b8ed2960e4bd55a7448fc',
    gr: 'e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d0d1ac43a0336def96fda41d0774a3571'
      + 'dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1fff83fa40142209dff5eaad96db9e6386c',
    gir: '11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4d603135569b9e9d09cf5d4a270f59746' },
];

/* RFC 7748 §6.1: Alice's and Bob's X25519 keys and their shared secret. */
const X25519_VECTOR = {
  a: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
  ga: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
  b: '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
  gb: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
  k: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
};

describe('ECP groups 19 and 20 (RFC 5903)', () => {
  it('§8 test vectors: public values as x|y without 0x04, shared secret = x', () => {
    for (const v of ECP_VECTORS) {
      const g = dhGroupById(v.group);
      const i = g.fromPrivate(hex(v.i));
      const r = g.fromPrivate(hex(v.r));
      assert.deepEqual(i.publicValue, hex(v.gi));
      assert.deepEqual(r.publicValue, hex(v.gr));
      assert.deepEqual(i.computeShared(r.publicValue), hex(v.gir));
      assert.deepEqual(r.computeShared(i.publicValue), hex(v.gir));
      assert.equal(g.publicLength, hex(v.gi).length);
      assert.equal(g.sharedLength, hex(v.gir).length);
    }
  });

  it('rejects points off the curve, the all-zero encoding, wrong lengths and a SEC1-prefixed value', () => {
    for (const v of ECP_VECTORS) {
      const g = dhGroupById(v.group);
      const me = g.generate(new SeededRng(1));
      const good = hex(v.gr);
      const offCurve = good.slice();
      offCurve[offCurve.length - 1] = offCurve[offCurve.length - 1]! ^ 1; // same x, wrong y
      for (const bad of [offCurve, new Uint8Array(good.length), new Uint8Array(good.length).fill(0xff), good.subarray(1), Uint8Array.from([4, ...good])]) {
        assert.throws(() => me.computeShared(bad), BAD);
        assert.throws(() => g.validatePublic(bad), BAD);
      }
      g.validatePublic(good);
    }
  });

  it('private keys come from the injected randomness: same seed, same key', () => {
    for (const id of [DhGroup.Ecp256, DhGroup.Ecp384]) {
      const g = dhGroupById(id);
      assert.deepEqual(g.generate(new SeededRng(5)).publicValue, g.generate(new SeededRng(5)).publicValue);
      assert.notDeepEqual(g.generate(new SeededRng(5)).publicValue, g.generate(new SeededRng(6)).publicValue);
      assert.throws(() => g.fromPrivate(new Uint8Array(g.sharedLength)), { code: CryptoErrorCode.BadKeyLength }); // 0 is no scalar
    }
  });
});

describe('Curve25519, group 31 (RFC 8031, RFC 7748)', () => {
  const g = dhGroupById(DhGroup.Curve25519);

  it('RFC 7748 §6.1 vector', () => {
    const a = g.fromPrivate(hex(X25519_VECTOR.a));
    const b = g.fromPrivate(hex(X25519_VECTOR.b));
    assert.deepEqual(a.publicValue, hex(X25519_VECTOR.ga));
    assert.deepEqual(b.publicValue, hex(X25519_VECTOR.gb));
    assert.deepEqual(a.computeShared(b.publicValue), hex(X25519_VECTOR.k));
    assert.deepEqual(b.computeShared(a.publicValue), hex(X25519_VECTOR.k));
  });

  it('rejects low-order points (all-zero result, RFC 8031 §2.3) and wrong lengths', () => {
    const me = g.generate(new SeededRng(3));
    // u = 0 and u = 1 have small order: X25519 gives all zeros.
    for (const low of [new Uint8Array(32), Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0))]) {
      assert.throws(() => me.computeShared(low), BAD);
    }
    assert.throws(() => me.computeShared(new Uint8Array(31)), BAD);
    assert.throws(() => g.validatePublic(new Uint8Array(33)), BAD);
  });

  it('many key pairs in a loop: the JWK import path does not hang (strongswan-interop.md gotcha 13)', () => {
    const rng = new SeededRng(99);
    for (let n = 0; n < 2000; n++) {
      const a = g.generate(rng);
      const b = g.generate(rng);
      assert.deepEqual(a.computeShared(b.publicValue), b.computeShared(a.publicValue));
    }
  });
});

describe('MODP groups 2, 5, 14 and 24', () => {
  it('primes 2, 5, 14 are OpenSSL\'s copies of RFC 2409/3526 (modp2, modp5, modp14)', () => {
    for (const [id, name] of [[DhGroup.Modp1024, 'modp2'], [DhGroup.Modp1536, 'modp5'], [DhGroup.Modp2048, 'modp14']] as const) {
      assert.deepEqual(MODP_PARAMS[id]!.p, new Uint8Array(getDiffieHellman(name).getPrime()));
      assert.deepEqual(MODP_PARAMS[id]!.g, Uint8Array.of(2));
    }
  });

  it('group 24 (RFC 5114 §2.3): q is 256 bits, q divides p-1 and g has order q', () => {
    const { p, g, q } = MODP_PARAMS[DhGroup.Modp2048s256]!;
    const [P, G, Q] = [bytesToBigint(p), bytesToBigint(g), bytesToBigint(q!)];
    assert.equal(p.length, 256);
    assert.equal(Q.toString(2).length, 256);
    assert.equal((P - 1n) % Q, 0n);
    assert.equal(modPow(G, Q, P), 1n);
    assert.notEqual(G, 1n);
  });

  for (const id of [DhGroup.Modp1024, DhGroup.Modp1536, DhGroup.Modp2048, DhGroup.Modp2048s256]) {
    it(`group ${id}: both sides agree, values are the prime's length, and match a BigInt computation`, () => {
      const grp = dhGroupById(id);
      const { p, g } = MODP_PARAMS[id]!;
      const a = grp.generate(new SeededRng(10 + id));
      const b = grp.generate(new SeededRng(20 + id));
      assert.equal(a.publicValue.length, p.length);
      const k = a.computeShared(b.publicValue);
      assert.equal(k.length, p.length);
      assert.deepEqual(k, b.computeShared(a.publicValue));
      // Independent check with a known exponent: g^x mod p by square-and-multiply.
      const x = hex('0102030405060708090a0b0c0d0e0f10');
      assert.deepEqual(grp.fromPrivate(x).publicValue, bigintToBytes(modPow(bytesToBigint(g), bytesToBigint(x), bytesToBigint(p)), p.length));
    });
  }

  it('left-pads short values: a public value with leading zero bytes keeps the full length', () => {
    const grp = dhGroupById(DhGroup.Modp1024);
    const P = bytesToBigint(MODP_PARAMS[DhGroup.Modp1024]!.p);
    // x = 1..: find a small exponent whose g^x has a leading zero byte (2^x < 2^1016 for x < 1016).
    const pair = grp.fromPrivate(Uint8Array.of(0x03, 0xe8)); // x = 1000: 2^1000 < p, so g^x = 2^1000
    assert.equal(pair.publicValue.length, 128);
    assert.deepEqual(pair.publicValue, bigintToBytes(2n ** 1000n % P, 128));
    assert.equal(pair.publicValue[0], 0);
  });

  it('validation rejects 0, 1, p-1, p, p+1 and wrong lengths (RFC 6989 §2.1)', () => {
    for (const id of [DhGroup.Modp1024, DhGroup.Modp2048, DhGroup.Modp2048s256]) {
      const grp = dhGroupById(id);
      const p = MODP_PARAMS[id]!.p;
      const P = bytesToBigint(p);
      const me = grp.generate(new SeededRng(7));
      for (const y of [0n, 1n, P - 1n, P, P + 1n, 2n ** BigInt(8 * p.length) - 1n]) {
        const bytes = bigintToBytes(y, p.length);
        assert.throws(() => grp.validatePublic(bytes), BAD, `y = ${y}`);
        assert.throws(() => me.computeShared(bytes), BAD, `y = ${y}`);
      }
      assert.throws(() => me.computeShared(me.publicValue.subarray(1)), BAD);
      assert.throws(() => me.computeShared(Uint8Array.from([0, ...me.publicValue])), BAD);
    }
  });

  it('group 24 rejects values outside the prime-order subgroup (RFC 6989 §2.2)', () => {
    const grp = dhGroupById(DhGroup.Modp2048s256);
    const { p, q } = MODP_PARAMS[DhGroup.Modp2048s256]!;
    const P = bytesToBigint(p);
    assert.notEqual(modPow(2n, bytesToBigint(q!), P), 1n);
    assert.throws(() => grp.validatePublic(bigintToBytes(2n, 256)), BAD);
    assert.throws(() => grp.generate(new SeededRng(1)).computeShared(bigintToBytes(P - 2n, 256)), BAD);
    grp.validatePublic(grp.generate(new SeededRng(2)).publicValue);
  });

  it('private exponents are drawn from the injected randomness', () => {
    fc.assert(fc.property(fc.integer(), (seed) => {
      const grp = dhGroupById(DhGroup.Modp1536);
      assert.deepEqual(grp.generate(new SeededRng(seed)).publicValue, grp.generate(new SeededRng(seed)).publicValue);
    }), { numRuns: 10 });
    // A source that only ever gives zeros cannot make a key: a typed error, not a loop.
    const zeros = { bytes: (n: number) => new Uint8Array(n) };
    assert.throws(() => dhGroupById(DhGroup.Modp2048).generate(zeros), { code: CryptoErrorCode.NoEntropy });
    assert.throws(() => dhGroupById(DhGroup.Ecp256).generate(zeros), { code: CryptoErrorCode.NoEntropy });
  });
});

describe('group table', () => {
  it('knows exactly the implemented groups', () => {
    for (const id of [2, 5, 14, 19, 20, 24, 31]) assert.ok(isDhGroupSupported(id), `group ${id}`);
    for (const id of [0, 1, 15, 16, 21, 30]) {
      assert.ok(!isDhGroupSupported(id));
      assert.throws(() => dhGroupById(id), { code: CryptoErrorCode.Unsupported });
    }
  });
});
