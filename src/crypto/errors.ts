import { VpnlabError } from '../core/errors.js';

/**
 * Failures of the crypto layer, with stable codes. Authentication failures and bad peer values
 * come from the network and are expected (the caller drops or answers); the others mean a
 * negotiation produced something this layer cannot build.
 */
export const CryptoErrorCode = {
  /** A transform ID, key length or combination this layer does not implement. */
  Unsupported: 'ERR_CRYPTO_UNSUPPORTED',
  /** A key, IV or nonce of the wrong size was handed to an algorithm. */
  BadKeyLength: 'ERR_CRYPTO_BAD_KEY_LENGTH',
  /** A peer's Diffie-Hellman public value is malformed, out of range or not on the curve. */
  BadPublicValue: 'ERR_CRYPTO_BAD_PUBLIC_VALUE',
  /** The integrity check value or AEAD tag does not verify. */
  AuthFailed: 'ERR_CRYPTO_AUTH_FAILED',
  /** Ciphertext too short or not a whole number of cipher blocks. */
  BadCiphertext: 'ERR_CRYPTO_BAD_CIPHERTEXT',
  /** The decrypted Pad Length points before the start of the plaintext. */
  BadPadding: 'ERR_CRYPTO_BAD_PADDING',
  /** prf+ asked for more than 255 blocks (RFC 7296 §2.13). */
  PrfPlusTooLong: 'ERR_CRYPTO_PRF_PLUS_TOO_LONG',
  /** The injected randomness kept producing unusable private keys. */
  NoEntropy: 'ERR_CRYPTO_NO_ENTROPY',
} as const;
export type CryptoErrorCode = (typeof CryptoErrorCode)[keyof typeof CryptoErrorCode];

export class CryptoError extends VpnlabError {
  declare readonly code: CryptoErrorCode;

  constructor(code: CryptoErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
