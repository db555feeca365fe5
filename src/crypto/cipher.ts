import { createCipheriv, createDecipheriv, createSecretKey, type CipherGCMTypes, type KeyObject } from 'node:crypto';
import { EncrId, TransformType, transformName } from './iana.js';
import { concatBytes } from './bytes.js';
import { CryptoError, CryptoErrorCode } from './errors.js';
import { plain } from './hmac.js';

/**
 * Encryption algorithms (transform type 1) in two shapes: a block cipher in CBC mode, which needs
 * a separate integrity algorithm, and an AEAD (AES-GCM, RFC 4106/5282) that authenticates by
 * itself. Lengths are in bytes. `keyMaterialLength` is what key derivation must produce for one
 * direction: the cipher key, plus for GCM the 4-byte salt that is its last 4 bytes (RFC 4106
 * §8.1, RFC 5282 §7.1).
 *
 * Keys are imported once per SA (`withKey`), so a packet costs one cipher object, not a key
 * import too (strongswan-interop.md gotcha 14: ~6 µs per createCipheriv is the floor in Node).
 */
interface EncryptionCommon {
  readonly id: EncrId;
  readonly name: string;
  /** Cipher key bytes (16/24/32 for AES, 24 for 3DES). */
  readonly keyLength: number;
  /** Key material per direction: keyLength + saltLength. */
  readonly keyMaterialLength: number;
  /** Explicit IV carried in each packet/message. */
  readonly ivLength: number;
  /** Cipher block size: plaintext alignment for CBC; 1 for GCM (a stream mode). */
  readonly blockSize: number;
}

export interface CbcAlgorithm extends EncryptionCommon {
  readonly kind: 'cbc';
  withKey(keyMaterial: Uint8Array): CbcKey;
}

export interface AeadAlgorithm extends EncryptionCommon {
  readonly kind: 'aead';
  /** Authentication tag length: 8, 12 or 16 (ENCR_AES_GCM_8/12/16). */
  readonly icvLength: number;
  readonly saltLength: number;
  withKey(keyMaterial: Uint8Array): AeadKey;
}

export type EncryptionAlgorithm = CbcAlgorithm | AeadAlgorithm;

export interface CbcKey {
  /** CBC without padding: `plaintext` parts must add up to whole blocks. */
  encrypt(iv: Uint8Array, plaintext: readonly Uint8Array[]): Uint8Array;
  /** `ERR_CRYPTO_BAD_CIPHERTEXT` when the ciphertext is not whole blocks. */
  decrypt(iv: Uint8Array, ciphertext: Uint8Array): Uint8Array;
}

export interface AeadKey {
  /** Ciphertext | tag. The nonce is salt | iv (12 bytes). */
  seal(iv: Uint8Array, aad: readonly Uint8Array[], plaintext: readonly Uint8Array[]): Uint8Array;
  /** Plaintext of ciphertext | tag; `ERR_CRYPTO_AUTH_FAILED` if the tag does not verify. */
  open(iv: Uint8Array, aad: readonly Uint8Array[], sealed: Uint8Array): Uint8Array;
}

/** AES key sizes allowed by the Key Length attribute (RFC 3602 §5, RFC 4106 §8.4). */
export const AES_KEY_BITS: readonly number[] = [128, 192, 256];

function checkLength(what: string, got: number, want: number): void {
  if (got !== want) throw new CryptoError(CryptoErrorCode.BadKeyLength, `${what}: ${want} bytes expected, got ${got}`);
}

function cbc(id: EncrId, name: string, cipherName: string, keyLength: number, blockSize: number): CbcAlgorithm {
  return {
    kind: 'cbc', id, name, keyLength, keyMaterialLength: keyLength, ivLength: blockSize, blockSize,
    withKey(keyMaterial) {
      checkLength(`${name} key`, keyMaterial.length, keyLength);
      const key: KeyObject = createSecretKey(keyMaterial);
      return {
        encrypt(iv, plaintext) {
          checkLength(`${name} IV`, iv.length, blockSize);
          const c = createCipheriv(cipherName, key, iv).setAutoPadding(false);
          const out: Uint8Array[] = [];
          let total = 0;
          for (const p of plaintext) {
            out.push(c.update(p));
            total += p.length;
          }
          if (total % blockSize !== 0) {
            throw new CryptoError(CryptoErrorCode.BadCiphertext, `${name}: ${total} plaintext bytes is not whole ${blockSize}-byte blocks`);
          }
          out.push(c.final());
          return concatBytes(...out);
        },
        decrypt(iv, ciphertext) {
          checkLength(`${name} IV`, iv.length, blockSize);
          if (ciphertext.length === 0 || ciphertext.length % blockSize !== 0) {
            throw new CryptoError(CryptoErrorCode.BadCiphertext, `${name}: ${ciphertext.length} ciphertext bytes is not whole ${blockSize}-byte blocks`);
          }
          const d = createDecipheriv(cipherName, key, iv).setAutoPadding(false);
          const head = d.update(ciphertext);
          const tail = d.final();
          return tail.length === 0 ? plain(head) : concatBytes(head, tail);
        },
      };
    },
  };
}

function gcm(id: EncrId, keyBits: number, icvLength: number): AeadAlgorithm {
  const keyLength = keyBits / 8;
  const name = transformName(TransformType.Encryption, id, keyBits);
  const cipherName = `aes-${keyBits}-gcm` as CipherGCMTypes;
  const saltLength = 4;
  return {
    kind: 'aead', id, name, keyLength, keyMaterialLength: keyLength + saltLength, ivLength: 8, blockSize: 1,
    icvLength, saltLength,
    withKey(keyMaterial) {
      checkLength(`${name} key material`, keyMaterial.length, keyLength + saltLength);
      const key = createSecretKey(keyMaterial.subarray(0, keyLength));
      const nonce = new Uint8Array(12);
      nonce.set(keyMaterial.subarray(keyLength));
      const nonceFor = (iv: Uint8Array): Uint8Array => {
        checkLength(`${name} IV`, iv.length, 8);
        nonce.set(iv, saltLength);
        return nonce;
      };
      return {
        seal(iv, aad, plaintext) {
          const c = createCipheriv(cipherName, key, nonceFor(iv), { authTagLength: icvLength });
          for (const a of aad) c.setAAD(a);
          const out: Uint8Array[] = [];
          for (const p of plaintext) out.push(c.update(p));
          out.push(c.final(), c.getAuthTag());
          return concatBytes(...out);
        },
        open(iv, aad, sealed) {
          if (sealed.length < icvLength) {
            throw new CryptoError(CryptoErrorCode.BadCiphertext, `${name}: ${sealed.length} bytes is shorter than the ${icvLength}-byte tag`);
          }
          const d = createDecipheriv(cipherName, key, nonceFor(iv), { authTagLength: icvLength });
          d.setAuthTag(sealed.subarray(sealed.length - icvLength));
          for (const a of aad) d.setAAD(a);
          const head = d.update(sealed.subarray(0, sealed.length - icvLength));
          try {
            d.final();
          } catch (e) {
            // node:crypto has one failure here: the tag did not verify.
            throw new CryptoError(CryptoErrorCode.AuthFailed, `${name}: authentication tag mismatch`, { cause: e });
          }
          return plain(head);
        },
      };
    },
  };
}

const GCM_ICV: Readonly<Record<number, number>> = { [EncrId.AesGcm8]: 8, [EncrId.AesGcm12]: 12, [EncrId.AesGcm16]: 16 };

function build(id: number, keyBits: number | undefined): EncryptionAlgorithm {
  const label = transformName(TransformType.Encryption, id, keyBits);
  if (id === EncrId.Des3) {
    // RFC 2451: fixed 192-bit key (168 effective); the Key Length attribute must be absent.
    if (keyBits !== undefined && keyBits !== 192) throw new CryptoError(CryptoErrorCode.Unsupported, `${label}: 3DES takes no key length`);
    return cbc(EncrId.Des3, transformName(TransformType.Encryption, id), 'des-ede3-cbc', 24, 8);
  }
  if (id === EncrId.AesCbc || GCM_ICV[id] !== undefined) {
    if (keyBits === undefined || !AES_KEY_BITS.includes(keyBits)) {
      throw new CryptoError(CryptoErrorCode.Unsupported, `${label}: AES needs a Key Length attribute of 128, 192 or 256`);
    }
    if (id === EncrId.AesCbc) return cbc(EncrId.AesCbc, label, `aes-${keyBits}-cbc`, keyBits / 8, 16);
    return gcm(id as EncrId, keyBits, GCM_ICV[id]!);
  }
  throw new CryptoError(CryptoErrorCode.Unsupported, `encryption algorithm ${label} is not implemented`);
}

/** Table key: 3DES has one size, whether or not a (redundant) 192 is given. */
const tableKey = (id: number, keyBits: number | undefined): string => (id === EncrId.Des3 && keyBits === 192 ? `${id}/` : `${id}/${keyBits ?? ''}`);

/** The implemented (ID, key length) pairs, built once: a constant table. */
const ALGORITHMS: ReadonlyMap<string, EncryptionAlgorithm> = new Map([
  [tableKey(EncrId.Des3, undefined), build(EncrId.Des3, undefined)],
  ...[EncrId.AesCbc, EncrId.AesGcm8, EncrId.AesGcm12, EncrId.AesGcm16].flatMap((id) =>
    AES_KEY_BITS.map((bits) => [tableKey(id, bits), build(id, bits)] as const)),
]);

/**
 * The encryption algorithm for a transform ID and its Key Length attribute in bits (required for
 * AES, absent for 3DES). `ERR_CRYPTO_UNSUPPORTED` for anything else.
 */
export function encryptionById(id: number, keyBits?: number): EncryptionAlgorithm {
  return ALGORITHMS.get(tableKey(id, keyBits)) ?? build(id, keyBits); // build() throws the precise reason
}

/** Whether the pair (ID, key length) is implemented. */
export function isEncryptionSupported(id: number, keyBits?: number): boolean {
  return ALGORITHMS.has(tableKey(id, keyBits));
}
