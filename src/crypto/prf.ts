import { PrfId, TransformType, transformName } from './iana.js';
import { CryptoError, CryptoErrorCode } from './errors.js';
import { HASH_LENGTH, hmac, type HashName } from './hmac.js';

/**
 * An IKEv2 pseudorandom function (RFC 7296 §3.3.2, transform type 2). Every PRF implemented here
 * is an HMAC, which takes keys of any length (SKEYSEED is keyed with Ni | Nr); `keyLength` is the
 * preferred key size, the size of SK_d, SK_pi and SK_pr (RFC 7296 §2.14: the PRF's output size).
 */
export interface Prf {
  readonly id: PrfId;
  readonly name: string;
  /** Bytes of output per call: one block of prf+. */
  readonly outputLength: number;
  /** Preferred key size in bytes (SK_d, SK_pi, SK_pr). */
  readonly keyLength: number;
  /** prf(key, data[0] | data[1] | ...). */
  compute(key: Uint8Array, ...data: readonly Uint8Array[]): Uint8Array;
}

const PRF_HASH: Readonly<Record<number, HashName>> = {
  [PrfId.HmacMd5]: 'md5', // RFC 2104
  [PrfId.HmacSha1]: 'sha1', // RFC 2104
  [PrfId.HmacSha2_256]: 'sha256', // RFC 4868
  [PrfId.HmacSha2_384]: 'sha384', // RFC 4868
  [PrfId.HmacSha2_512]: 'sha512', // RFC 4868
};

function hmacPrf(id: PrfId, hash: HashName): Prf {
  const length = HASH_LENGTH[hash];
  return {
    id,
    name: transformName(TransformType.Prf, id),
    outputLength: length,
    keyLength: length,
    compute: (key, ...data) => hmac(hash, key, data),
  };
}

/** The implemented PRFs, built once: a constant table (the objects hold no state). */
const PRFS: ReadonlyMap<number, Prf> = new Map(
  Object.entries(PRF_HASH).map(([id, hash]) => [Number(id), hmacPrf(Number(id) as PrfId, hash)]),
);

/** The PRF for a negotiated transform ID; `ERR_CRYPTO_UNSUPPORTED` for any other ID. */
export function prfById(id: number): Prf {
  const prf = PRFS.get(id);
  if (prf === undefined) {
    throw new CryptoError(CryptoErrorCode.Unsupported, `PRF ${transformName(TransformType.Prf, id)} is not implemented`);
  }
  return prf;
}

/** Whether `prfById(id)` would succeed. */
export function isPrfSupported(id: number): boolean {
  return PRFS.has(id);
}
