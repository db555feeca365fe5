import { createHash, createHmac, type KeyObject } from 'node:crypto';

/**
 * The hash functions behind IKEv2's HMAC PRFs and integrity algorithms, names as node:crypto has
 * them (SHA-224 has no IKEv2 transform; it is here so RFC 4231's vectors cover the helper whole).
 */
export type HashName = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** Output size in bytes of each hash. */
export const HASH_LENGTH: Readonly<Record<HashName, number>> = { md5: 16, sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

/** HMAC (RFC 2104) of the concatenation of `parts`, without building the concatenation. */
export function hmac(hash: HashName, key: Uint8Array | KeyObject, parts: readonly Uint8Array[]): Uint8Array {
  const h = createHmac(hash, key);
  for (const p of parts) h.update(p);
  return plain(h.digest());
}

/** The plain hash of the concatenation of `parts` (IKEv2's NAT detection uses SHA-1, RFC 7296 §2.23). */
export function digest(hash: HashName, parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash(hash);
  for (const p of parts) h.update(p);
  return plain(h.digest());
}

/** A Buffer as a plain Uint8Array view (same memory), so results compare equal to Uint8Arrays. */
export function plain(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
