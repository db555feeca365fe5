import { CryptoError, CryptoErrorCode } from '../crypto/errors.js';
import type { Prf } from '../crypto/prf.js';

/** RFC 7296 §2.13: the counter is one octet, so prf+ yields at most 255 blocks. */
export const PRF_PLUS_MAX_BLOCKS = 255;

/**
 * prf+ (RFC 7296 §2.13):
 *
 *     prf+ (K,S) = T1 | T2 | T3 | T4 | ...
 *     T1 = prf (K, S | 0x01)
 *     T2 = prf (K, T1 | S | 0x02)
 *     Tn = prf (K, Tn-1 | S | n)
 *
 * truncated to `length` bytes. `ERR_CRYPTO_PRF_PLUS_TOO_LONG` past 255 blocks.
 */
export function prfPlus(prf: Prf, key: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`prf+ length must be a non-negative integer, got ${length}`);
  const blocks = Math.ceil(length / prf.outputLength);
  if (blocks > PRF_PLUS_MAX_BLOCKS) {
    throw new CryptoError(CryptoErrorCode.PrfPlusTooLong,
      `prf+ with ${prf.name} gives at most ${PRF_PLUS_MAX_BLOCKS * prf.outputLength} bytes, ${length} asked`);
  }
  const out = new Uint8Array(blocks * prf.outputLength);
  let previous: Uint8Array = new Uint8Array(0);
  for (let n = 1; n <= blocks; n++) {
    previous = prf.compute(key, previous, seed, Uint8Array.of(n));
    out.set(previous, (n - 1) * prf.outputLength);
  }
  return out.subarray(0, length);
}
