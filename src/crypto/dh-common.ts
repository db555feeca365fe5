import type { DhGroup } from './iana.js';
import type { BytesSource } from './bytes.js';
import { CryptoError, CryptoErrorCode } from './errors.js';

/**
 * A Diffie-Hellman group (transform type 4), as the KE payload sees it: fixed-length public
 * values and shared secrets (RFC 7296 §3.4: MODP values left-padded to the prime's length;
 * RFC 5903 §7: ECP public value x | y, shared secret x; RFC 8031 §2: 32-byte Curve25519 values).
 */
export interface DhGroupImpl {
  readonly id: DhGroup;
  readonly name: string;
  /** Bytes of a KE payload's Key Exchange Data. */
  readonly publicLength: number;
  /** Bytes of g^ir. */
  readonly sharedLength: number;
  /** A fresh key pair whose private key is drawn from `source`: seeded sources give the same pair. */
  generate(source: BytesSource): DhKeyPair;
  /** The key pair for a known private key (test vectors, replays); `ERR_CRYPTO_BAD_KEY_LENGTH` if unusable. */
  fromPrivate(privateKey: Uint8Array): DhKeyPair;
  /** Throws `ERR_CRYPTO_BAD_PUBLIC_VALUE` unless `peer` is a valid public value of this group. */
  validatePublic(peer: Uint8Array): void;
}

export interface DhKeyPair {
  readonly group: DhGroup;
  /** Our KE payload data. */
  readonly publicValue: Uint8Array;
  /** g^ir from the peer's public value; `ERR_CRYPTO_BAD_PUBLIC_VALUE` if that value is invalid. */
  computeShared(peerPublic: Uint8Array): Uint8Array;
}

/** The error every group throws for a bad peer value. */
export function badPublicValue(group: string, why: string, cause?: unknown): CryptoError {
  return new CryptoError(CryptoErrorCode.BadPublicValue, `${group} public value rejected: ${why}`, cause === undefined ? undefined : { cause });
}

/**
 * Draws private keys from `source` until `accept` takes one. Rejection sampling keeps the
 * distribution uniform over the accepted range and the draw deterministic for a seeded source;
 * the bound on attempts only matters for a broken source (all zeros, say).
 */
export function drawPrivate<T>(source: BytesSource, length: number, accept: (candidate: Uint8Array) => T | undefined): T {
  for (let attempt = 0; attempt < 64; attempt++) {
    const got = accept(source.bytes(length));
    if (got !== undefined) return got;
  }
  throw new CryptoError(CryptoErrorCode.NoEntropy, `no usable ${length}-byte private key in 64 draws: is the randomness source broken?`);
}
