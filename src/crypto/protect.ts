import { concatBytes, u32be, type BytesSource } from './bytes.js';
import type { AeadKey, CbcKey, EncryptionAlgorithm } from './cipher.js';
import { CryptoError, CryptoErrorCode } from './errors.js';
import type { IntegrityAlgorithm, IntegrityKey } from './integrity.js';

/** The keys protecting one direction: encryption key (with GCM salt) and integrity key (empty for AEAD). */
export interface ProtectionKeys {
  readonly encKey: Uint8Array;
  readonly integKey: Uint8Array;
}

/**
 * The body of an IKE Encrypted (SK) payload, RFC 7296 §3.14 and RFC 5282 §3:
 *
 *     IV | encrypt(inner payloads | padding | pad length) | ICV
 *
 * `associated` is everything from the first byte of the IKE header to the last byte of the SK
 * (or SKF) payload's own header, with the final lengths already in it (`bodyLength` tells them).
 * With CBC it is the start of what the ICV covers (then IV and ciphertext); with GCM it is the
 * AAD (RFC 5282 §5.1).
 */
export interface SkCipher {
  readonly ivLength: number;
  readonly icvLength: number;
  /** Bytes of body for `plaintextLength` bytes of inner payloads. */
  bodyLength(plaintextLength: number): number;
  /** The body; the IV is drawn from `source`. */
  seal(associated: Uint8Array, plaintext: Uint8Array, source: BytesSource): Uint8Array;
  /**
   * The inner payloads, padding removed. Checks the ICV before decrypting. Throws CryptoError:
   * BAD_CIPHERTEXT (too short / not whole blocks), AUTH_FAILED, BAD_PADDING.
   */
  open(associated: Uint8Array, body: Uint8Array): Uint8Array;
}

/**
 * ESP protection of one SA direction (RFC 4303 §2, RFC 4106 for GCM). It sees the 8-byte ESP
 * header (SPI | sequence number, as sent) and the plaintext with its trailer already in place
 * (payload | padding | pad length | next header); it returns or takes IV | ciphertext | ICV.
 * With ESN the high 32 bits of the sequence number are authenticated but not sent: appended to
 * the ICV input for HMAC (RFC 4303 §2.2.1), between SPI and low bits in GCM's AAD (RFC 4106 §5).
 */
export interface EspCipher {
  readonly ivLength: number;
  readonly icvLength: number;
  /** Plaintext with trailer must be a multiple of this: the block size, at least 4 (RFC 4303 §2.4). */
  readonly alignment: number;
  /** Ciphertext bytes are whole multiples of this (1 for GCM). */
  readonly blockSize: number;
  readonly esn: boolean;
  seal(header: Uint8Array, seqHigh: number, iv: Uint8Array, plaintext: readonly Uint8Array[]): Uint8Array;
  /** Plaintext with trailer; throws CryptoError BAD_CIPHERTEXT or AUTH_FAILED (checked before decryption). */
  open(header: Uint8Array, seqHigh: number, body: Uint8Array): Uint8Array;
}

interface Keyed {
  readonly ivLength: number;
  readonly icvLength: number;
  readonly blockSize: number;
  /** IV | ciphertext | ICV, authenticating `before` | IV | ciphertext | `after` (CBC+HMAC) or `aad` (GCM). */
  seal(iv: Uint8Array, plaintext: readonly Uint8Array[], auth: AuthInput): Uint8Array;
  open(body: Uint8Array, auth: AuthInput): Uint8Array;
}

interface AuthInput {
  /** Authenticated bytes before the IV (CBC+HMAC). */
  readonly before: Uint8Array;
  /** Authenticated bytes after the ciphertext (CBC+HMAC: ESN high bits). */
  readonly after?: Uint8Array;
  /** AAD (GCM). */
  readonly aad: readonly Uint8Array[];
}

const EMPTY = new Uint8Array(0);

function keyed(encryption: EncryptionAlgorithm, integrity: IntegrityAlgorithm | undefined, keys: ProtectionKeys): Keyed {
  const ivLength = encryption.ivLength;
  if (encryption.kind === 'aead') {
    const key: AeadKey = encryption.withKey(keys.encKey);
    const icvLength = encryption.icvLength;
    return {
      ivLength, icvLength, blockSize: 1,
      seal: (iv, plaintext, auth) => concatBytes(iv, key.seal(iv, auth.aad, plaintext)),
      open(body, auth) {
        if (body.length < ivLength + icvLength) throw tooShort(body.length);
        return key.open(body.subarray(0, ivLength), auth.aad, body.subarray(ivLength));
      },
    };
  }
  const key: CbcKey = encryption.withKey(keys.encKey);
  const mac: IntegrityKey | undefined = integrity?.withKey(keys.integKey);
  const icvLength = integrity?.icvLength ?? 0;
  const blockSize = encryption.blockSize;
  return {
    ivLength, icvLength, blockSize,
    seal(iv, plaintext, auth) {
      const ciphertext = key.encrypt(iv, plaintext);
      const icv = mac === undefined ? EMPTY : mac.mac(auth.before, iv, ciphertext, auth.after ?? EMPTY);
      return concatBytes(iv, ciphertext, icv);
    },
    open(body, auth) {
      const ctLength = body.length - ivLength - icvLength;
      if (ctLength < blockSize) throw tooShort(body.length);
      if (ctLength % blockSize !== 0) {
        throw new CryptoError(CryptoErrorCode.BadCiphertext, `${ctLength} bytes of ciphertext is not whole ${blockSize}-byte blocks`);
      }
      const iv = body.subarray(0, ivLength);
      const ciphertext = body.subarray(ivLength, ivLength + ctLength);
      if (mac !== undefined && !mac.verify(body.subarray(ivLength + ctLength), auth.before, iv, ciphertext, auth.after ?? EMPTY)) {
        throw new CryptoError(CryptoErrorCode.AuthFailed, 'integrity check value mismatch');
      }
      return key.decrypt(iv, ciphertext);
    },
  };
}

function tooShort(n: number): CryptoError {
  return new CryptoError(CryptoErrorCode.BadCiphertext, `${n} bytes is too short for IV, ciphertext and ICV`);
}

export function skCipher(encryption: EncryptionAlgorithm, integrity: IntegrityAlgorithm | undefined, keys: ProtectionKeys): SkCipher {
  const k = keyed(encryption, integrity, keys);
  // RFC 5282 §3: GCM needs no alignment; send no padding (pad length 0), as strongSwan does.
  const padded = (n: number): number => Math.ceil((n + 1) / k.blockSize) * k.blockSize;
  return {
    ivLength: k.ivLength,
    icvLength: k.icvLength,
    bodyLength: (n) => k.ivLength + padded(n) + k.icvLength,
    seal(associated, plaintext, source) {
      const padLength = padded(plaintext.length) - plaintext.length - 1;
      // RFC 7296 §3.14: padding may hold any value; zeros, then the Pad Length octet.
      const trailer = new Uint8Array(padLength + 1);
      trailer[padLength] = padLength;
      return k.seal(source.bytes(k.ivLength), [plaintext, trailer], { before: associated, aad: [associated] });
    },
    open(associated, body) {
      const plain = k.open(body, { before: associated, aad: [associated] });
      if (plain.length === 0) throw new CryptoError(CryptoErrorCode.BadPadding, 'no Pad Length octet');
      const padLength = plain[plain.length - 1]!;
      if (padLength + 1 > plain.length) {
        throw new CryptoError(CryptoErrorCode.BadPadding, `Pad Length ${padLength} exceeds the ${plain.length - 1} bytes before it`);
      }
      return plain.subarray(0, plain.length - 1 - padLength);
    },
  };
}

export function espCipher(encryption: EncryptionAlgorithm, integrity: IntegrityAlgorithm | undefined, keys: ProtectionKeys, esn: boolean): EspCipher {
  const k = keyed(encryption, integrity, keys);
  const auth = (header: Uint8Array, seqHigh: number): AuthInput => {
    if (!esn) return { before: header, aad: [header] };
    const high = u32be(seqHigh);
    return { before: header, after: high, aad: [header.subarray(0, 4), high, header.subarray(4, 8)] };
  };
  return {
    ivLength: k.ivLength,
    icvLength: k.icvLength,
    alignment: Math.max(4, k.blockSize),
    blockSize: k.blockSize,
    esn,
    seal: (header, seqHigh, iv, plaintext) => k.seal(iv, plaintext, auth(header, seqHigh)),
    open: (header, seqHigh, body) => k.open(body, auth(header, seqHigh)),
  };
}
