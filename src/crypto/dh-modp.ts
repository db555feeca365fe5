import { createDiffieHellman, type DiffieHellman } from 'node:crypto';
import { DhGroup, TransformType, transformName } from './iana.js';
import { bigintToBytes, bytesToBigint, fromHex, leftPad, type BytesSource } from './bytes.js';
import { badPublicValue, drawPrivate, type DhGroupImpl, type DhKeyPair } from './dh-common.js';
import { CryptoError, CryptoErrorCode } from './errors.js';
import { plain } from './hmac.js';

/*
 * MODP groups. The primes are the published constants; test/crypto/dh.test.ts checks groups 2, 5
 * and 14 against OpenSSL's built-in copies and group 24's subgroup structure (q | p-1, g^q = 1).
 */

/** RFC 2409 §6.2, "Second Oakley Group" (1024-bit), generator 2. */
const MODP_1024 = `
  FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74
  020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437
  4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED
  EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF`;

/** RFC 3526 §2, 1536-bit MODP group, generator 2. */
const MODP_1536 = `
  FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74
  020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437
  4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED
  EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05
  98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB
  9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF`;

/** RFC 3526 §3, 2048-bit MODP group, generator 2. */
const MODP_2048 = `
  FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74
  020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437
  4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED
  EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05
  98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB
  9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B
  E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718
  3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF`;

/** RFC 5114 §2.3, 2048-bit MODP group with a 256-bit prime order subgroup: p, g, q. */
const MODP_2048_256_P = `
  87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00
  E00DF8F1D61957D4FAF7DF4561B2AA3016C3D91134096FAA3BF4296D830E9A7C
  209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B
  6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76
  B63ACAE1CAA6B7902D52526735488A0EF13C6D9A51BFA4AB3AD8347796524D8E
  F6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026
  C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103
  A4B54330C198AF126116D2276E11715F693877FAD7EF09CADB094AE91E1A1597`;
const MODP_2048_256_G = `
  3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA125
  10DBC15077BE463FFF4FED4AAC0BB555BE3A6C1B0C6B47B1BC3773BF7E8C6F62
  901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B
  777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193
  B5045AF2767164E1DFC967C1FB3F2E55A4BD1BFFE83B9C80D052B985D182EA0A
  DB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915
  B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C3
  2F63078490F00EF8D647D148D47954515E2327CFEF98C582664B4C0F6CC41659`;
const MODP_2048_256_Q = '8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3';

/** A MODP group's parameters; `q` only for groups with a small prime-order subgroup. */
export interface ModpParams {
  readonly p: Uint8Array;
  readonly g: Uint8Array;
  readonly q?: Uint8Array;
  /** Bytes of private exponent drawn for a new key (ignored when q is set: then x is in [2, q-1]). */
  readonly exponentLength: number;
}

/*
 * Exponent sizes: at least twice the group's symmetric strength (RFC 3526 §8 table), rounded up
 * to 256 bits. Full-length exponents (strongSwan's ANSI X9.42 default) cost 4-8x more for no gain
 * with these safe primes.
 */
export const MODP_PARAMS: Readonly<Record<number, ModpParams>> = {
  [DhGroup.Modp1024]: { p: fromHex(MODP_1024), g: Uint8Array.of(2), exponentLength: 32 },
  [DhGroup.Modp1536]: { p: fromHex(MODP_1536), g: Uint8Array.of(2), exponentLength: 32 },
  [DhGroup.Modp2048]: { p: fromHex(MODP_2048), g: Uint8Array.of(2), exponentLength: 32 },
  [DhGroup.Modp2048s256]: { p: fromHex(MODP_2048_256_P), g: fromHex(MODP_2048_256_G), q: fromHex(MODP_2048_256_Q), exponentLength: 32 },
};

/** base^exponent mod p, through OpenSSL (a DH object with `base` as its generator). */
function modPow(p: Uint8Array, base: Uint8Array, exponent: Uint8Array): Uint8Array {
  const dh = createDiffieHellman(p, base);
  dh.setPrivateKey(exponent);
  return leftPad(plain(dh.generateKeys()), p.length);
}

export function modpGroup(id: DhGroup): DhGroupImpl {
  const params = MODP_PARAMS[id];
  if (params === undefined) throw new CryptoError(CryptoErrorCode.Unsupported, `no MODP parameters for group ${id}`);
  const name = transformName(TransformType.DhGroup, id);
  const { p, g, q } = params;
  const length = p.length;
  const pBig = bytesToBigint(p);
  const qBig = q === undefined ? undefined : bytesToBigint(q);
  const one = bigintToBytes(1n, length);

  /** x is usable if 2 <= x (and x < q for subgroup groups, else x < p - 1). */
  const usable = (x: bigint): boolean => x >= 2n && x < (qBig ?? pBig - 1n);

  const validatePublic = (peer: Uint8Array): void => {
    // RFC 7296 §3.4: exactly the prime's length. RFC 6989 §2.1: 1 < y < p-1.
    if (peer.length !== length) throw badPublicValue(name, `${peer.length} bytes, the group needs ${length}`);
    const y = bytesToBigint(peer);
    if (y <= 1n || y >= pBig - 1n) throw badPublicValue(name, 'not in the range 1 < y < p-1');
    // RFC 6989 §2.2: for a group with a small subgroup, y must lie in it (y^q = 1 mod p).
    if (q !== undefined && !modPow(p, peer, q).every((b, i) => b === one[i])) {
      throw badPublicValue(name, 'not in the prime-order subgroup (y^q mod p != 1)');
    }
  };

  // One OpenSSL DH object per group: creating one checks that p is a safe prime, which costs
  // milliseconds each time. Its private key is set again before every use (all synchronous).
  let shared: DiffieHellman | undefined;
  const withPrivate = (x: Uint8Array): DiffieHellman => {
    shared ??= createDiffieHellman(p, g);
    shared.setPrivateKey(x);
    return shared;
  };

  const pair = (x: Uint8Array): DhKeyPair => {
    const publicValue = leftPad(plain(withPrivate(x).generateKeys()), length);
    return {
      group: id,
      publicValue,
      computeShared(peer) {
        validatePublic(peer);
        try {
          return leftPad(plain(withPrivate(x).computeSecret(peer)), length);
        } catch (e) {
          throw badPublicValue(name, 'refused by OpenSSL', e);
        }
      },
    };
  };

  return {
    id, name, publicLength: length, sharedLength: length,
    generate(source: BytesSource) {
      const xLength = q?.length ?? params.exponentLength;
      return drawPrivate(source, xLength, (x) => (usable(bytesToBigint(x)) ? pair(x) : undefined));
    },
    fromPrivate(x) {
      if (x.length > length || !usable(bytesToBigint(x))) {
        throw new CryptoError(CryptoErrorCode.BadKeyLength, `${name}: private exponent out of range`);
      }
      return pair(x);
    },
    validatePublic,
  };
}
