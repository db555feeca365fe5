import { timingSafeEqual } from 'node:crypto';
import type { Rng } from '../core/rng.js';

/**
 * Where the crypto layer gets randomness: IVs, nonces and private keys. Engines pass their
 * injected `Rng` (only `bytes` is used), so a seeded run draws the same keys every time. Nothing
 * in src/crypto calls `crypto.randomBytes`; the real runtime injects an Rng backed by it.
 */
export type BytesSource = Pick<Rng, 'bytes'>;

const EMPTY = new Uint8Array(0);

/** The byte strings one after the other, in a new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Constant-time equality (lengths compared first: they are public). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && (a.length === 0 || timingSafeEqual(a, b));
}

/** A big-endian u32 as 4 bytes. */
export function u32be(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** `bytes` left-padded with zeros to `length` (DH values are fixed-length, RFC 7296 §3.4). */
export function leftPad(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length === length) return bytes;
  if (bytes.length > length) {
    // Only leading zeros may be dropped: anything else is a caller bug.
    const cut = bytes.length - length;
    for (let i = 0; i < cut; i++) if (bytes[i] !== 0) throw new RangeError(`value does not fit in ${length} bytes`);
    return bytes.subarray(cut);
  }
  const out = new Uint8Array(length);
  out.set(bytes, length - bytes.length);
  return out;
}

/** Unsigned big-endian bytes to a bigint. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** A non-negative bigint as exactly `length` big-endian bytes. */
export function bigintToBytes(v: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new RangeError(`value does not fit in ${length} bytes`);
  return out;
}

/** Hex (spaces allowed) to bytes, for the tables of constants in this folder. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new RangeError('bad hex constant');
  if (clean.length === 0) return EMPTY;
  return Uint8Array.from(clean.match(/../g)!.map((b) => parseInt(b, 16)));
}
