import { createSecretKey } from 'node:crypto';
import { IntegId, TransformType, transformName } from './iana.js';
import { bytesEqual } from './bytes.js';
import { CryptoError, CryptoErrorCode } from './errors.js';
import { hmac, type HashName } from './hmac.js';

/**
 * An integrity algorithm (transform type 3): HMAC truncated to `icvLength` bytes, keyed with a key
 * of exactly `keyLength` bytes (RFC 2403/2404 for MD5/SHA-1, RFC 4868 §2.1–2.3 for SHA-2: the
 * key is as long as the hash output, the ICV half of it).
 */
export interface IntegrityAlgorithm {
  readonly id: IntegId;
  readonly name: string;
  readonly keyLength: number;
  readonly icvLength: number;
  /** The algorithm bound to one key (the key is imported once, not per packet). */
  withKey(key: Uint8Array): IntegrityKey;
}

export interface IntegrityKey {
  /** The truncated MAC of data[0] | data[1] | ... */
  mac(...data: readonly Uint8Array[]): Uint8Array;
  /** Constant-time check of `icv` against the MAC of the data. */
  verify(icv: Uint8Array, ...data: readonly Uint8Array[]): boolean;
}

interface Entry { hash: HashName; keyLength: number; icvLength: number }

const INTEG: Readonly<Record<number, Entry>> = {
  [IntegId.HmacMd5_96]: { hash: 'md5', keyLength: 16, icvLength: 12 }, // RFC 2403
  [IntegId.HmacSha1_96]: { hash: 'sha1', keyLength: 20, icvLength: 12 }, // RFC 2404
  [IntegId.HmacSha2_256_128]: { hash: 'sha256', keyLength: 32, icvLength: 16 }, // RFC 4868 §2.1
  [IntegId.HmacSha2_384_192]: { hash: 'sha384', keyLength: 48, icvLength: 24 }, // RFC 4868 §2.1
  [IntegId.HmacSha2_512_256]: { hash: 'sha512', keyLength: 64, icvLength: 32 }, // RFC 4868 §2.1
};

function hmacIntegrity(id: IntegId, e: Entry): IntegrityAlgorithm {
  const name = transformName(TransformType.Integrity, id);
  return {
    id,
    name,
    keyLength: e.keyLength,
    icvLength: e.icvLength,
    withKey(key: Uint8Array): IntegrityKey {
      if (key.length !== e.keyLength) {
        throw new CryptoError(CryptoErrorCode.BadKeyLength, `${name} needs a ${e.keyLength}-byte key, got ${key.length}`);
      }
      const keyObject = createSecretKey(key);
      const mac = (data: readonly Uint8Array[]): Uint8Array => hmac(e.hash, keyObject, data).subarray(0, e.icvLength);
      return {
        mac: (...data) => mac(data),
        verify: (icv, ...data) => bytesEqual(icv, mac(data)),
      };
    },
  };
}

const ALGORITHMS: ReadonlyMap<number, IntegrityAlgorithm> = new Map(
  Object.entries(INTEG).map(([id, e]) => [Number(id), hmacIntegrity(Number(id) as IntegId, e)]),
);

/** The integrity algorithm for a transform ID; `ERR_CRYPTO_UNSUPPORTED` for NONE or unknown IDs. */
export function integrityById(id: number): IntegrityAlgorithm {
  const alg = ALGORITHMS.get(id);
  if (alg === undefined) {
    throw new CryptoError(CryptoErrorCode.Unsupported, `integrity algorithm ${transformName(TransformType.Integrity, id)} is not implemented`);
  }
  return alg;
}

export function isIntegritySupported(id: number): boolean {
  return ALGORITHMS.has(id);
}
