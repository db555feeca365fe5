/*
 * IANA "Internet Key Exchange Version 2 (IKEv2) Parameters" registries for transforms: what IKE
 * negotiates in SA payloads for itself and for ESP, and what the crypto layer implements.
 * https://www.iana.org/assignments/ikev2-parameters (RFC 7296 §3.3.2 and later RFCs).
 */

/** Transform Type (RFC 7296 §3.3.2). */
export const TransformType = {
  Encryption: 1,
  Prf: 2,
  Integrity: 3,
  DhGroup: 4,
  ExtendedSequenceNumbers: 5,
} as const;
export type TransformType = (typeof TransformType)[keyof typeof TransformType];

/** Transform Type 1 — Encryption Algorithm Transform IDs. */
export const EncrId = {
  Des3: 3,
  AesCbc: 12,
  AesGcm8: 18,
  AesGcm12: 19,
  AesGcm16: 20,
  /** Not implemented here; named so logs can say what a peer proposed. */
  AesCcm8: 14,
  AesCcm12: 15,
  AesCcm16: 16,
  ChaCha20Poly1305: 28,
} as const;
export type EncrId = (typeof EncrId)[keyof typeof EncrId];

/** Transform Type 2 — Pseudorandom Function Transform IDs. */
export const PrfId = {
  HmacMd5: 1,
  HmacSha1: 2,
  Aes128Xcbc: 4,
  HmacSha2_256: 5,
  HmacSha2_384: 6,
  HmacSha2_512: 7,
  Aes128Cmac: 8,
} as const;
export type PrfId = (typeof PrfId)[keyof typeof PrfId];

/** Transform Type 3 — Integrity Algorithm Transform IDs. */
export const IntegId = {
  None: 0,
  HmacMd5_96: 1,
  HmacSha1_96: 2,
  AesXcbc96: 5,
  AesCmac96: 8,
  HmacSha2_256_128: 12,
  HmacSha2_384_192: 13,
  HmacSha2_512_256: 14,
} as const;
export type IntegId = (typeof IntegId)[keyof typeof IntegId];

/** Transform Type 4 — Diffie-Hellman / Key Exchange Method Transform IDs. */
export const DhGroup = {
  None: 0,
  Modp768: 1,
  Modp1024: 2,
  Modp1536: 5,
  Modp2048: 14,
  Modp3072: 15,
  Modp4096: 16,
  Ecp256: 19,
  Ecp384: 20,
  Ecp521: 21,
  Modp2048s256: 24,
  Curve25519: 31,
  Curve448: 32,
} as const;
export type DhGroup = (typeof DhGroup)[keyof typeof DhGroup];

/** Transform Type 5 — Extended Sequence Numbers. */
export const EsnId = {
  None: 0,
  Esn: 1,
} as const;
export type EsnId = (typeof EsnId)[keyof typeof EsnId];

/** Transform attribute Key Length (RFC 7296 §3.3.5), type 14, always TV format. */
export const TRANSFORM_ATTR_KEY_LENGTH = 14;

const ENCR_NAMES: Record<number, string> = {
  3: '3des', 12: 'aes-cbc', 14: 'aes-ccm-8', 15: 'aes-ccm-12', 16: 'aes-ccm-16', 18: 'aes-gcm-8', 19: 'aes-gcm-12', 20: 'aes-gcm-16', 28: 'chacha20-poly1305',
};
const PRF_NAMES: Record<number, string> = { 1: 'prf-hmac-md5', 2: 'prf-hmac-sha1', 4: 'prf-aes128-xcbc', 5: 'prf-hmac-sha2-256', 6: 'prf-hmac-sha2-384', 7: 'prf-hmac-sha2-512', 8: 'prf-aes128-cmac' };
const INTEG_NAMES: Record<number, string> = {
  0: 'none', 1: 'hmac-md5-96', 2: 'hmac-sha1-96', 5: 'aes-xcbc-96', 8: 'aes-cmac-96', 12: 'hmac-sha2-256-128', 13: 'hmac-sha2-384-192', 14: 'hmac-sha2-512-256',
};
const DH_NAMES: Record<number, string> = {
  0: 'none', 1: 'modp768', 2: 'modp1024', 5: 'modp1536', 14: 'modp2048', 15: 'modp3072', 16: 'modp4096', 19: 'ecp256', 20: 'ecp384', 21: 'ecp521', 24: 'modp2048s256', 31: 'curve25519', 32: 'curve448',
};
const ESN_NAMES: Record<number, string> = { 0: 'no-esn', 1: 'esn' };

/** A transform as users read it: `aes-cbc-256`, `hmac-sha2-256-128`, `modp2048`, or `encr#99`. */
export function transformName(type: number, id: number, keyLength?: number): string {
  const table = type === TransformType.Encryption ? ENCR_NAMES
    : type === TransformType.Prf ? PRF_NAMES
      : type === TransformType.Integrity ? INTEG_NAMES
        : type === TransformType.DhGroup ? DH_NAMES
          : type === TransformType.ExtendedSequenceNumbers ? ESN_NAMES : undefined;
  const base = table?.[id] ?? `${['?', 'encr', 'prf', 'integ', 'dh', 'esn'][type] ?? `type${type}`}#${id}`;
  return keyLength !== undefined ? `${base}-${keyLength}` : base;
}
