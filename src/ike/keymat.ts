import { concatBytes } from '../crypto/bytes.js';
import { CryptoError, CryptoErrorCode } from '../crypto/errors.js';
import type { Prf } from '../crypto/prf.js';
import type { CryptoSuite, ProtectionKeys } from '../crypto/suite.js';
import { prfPlus } from './prf-plus.js';

/**
 * IKEv2 key derivation (RFC 7296 §2.14, §2.17, §2.18) and the PSK AUTH computation (§2.15).
 * Pure functions of their inputs: the IKE tasks hold the nonces, SPIs and g^ir and call these.
 */

/** The seven secrets of an IKE SA. For AEAD suites SK_ai and SK_ar are empty; SK_e* hold the GCM salt. */
export interface IkeSaKeys {
  readonly skD: Uint8Array;
  readonly skAi: Uint8Array;
  readonly skAr: Uint8Array;
  readonly skEi: Uint8Array;
  readonly skEr: Uint8Array;
  readonly skPi: Uint8Array;
  readonly skPr: Uint8Array;
}

/** What IKE_SA_INIT (or the CREATE_CHILD_SA that rekeys an IKE SA) contributes. */
export interface IkeKeyInputs {
  /** Initiator's nonce (Ni). */
  readonly nonceI: Uint8Array;
  /** Responder's nonce (Nr). */
  readonly nonceR: Uint8Array;
  /** 8-byte IKE SPIs of the SA being keyed (for a rekey: the new SA's). */
  readonly spiI: Uint8Array;
  readonly spiR: Uint8Array;
  /** g^ir, fixed-length as the D-H group gives it. */
  readonly sharedSecret: Uint8Array;
}

export interface DerivedIkeKeys {
  readonly skeyseed: Uint8Array;
  readonly keys: IkeSaKeys;
}

/** SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 §2.14). */
export function skeyseed(prf: Prf, nonceI: Uint8Array, nonceR: Uint8Array, sharedSecret: Uint8Array): Uint8Array {
  return prf.compute(concatBytes(nonceI, nonceR), sharedSecret);
}

/**
 * SKEYSEED for a rekeyed IKE SA: prf(SK_d (old), g^ir (new) | Ni | Nr) with the *old* SA's PRF,
 * "because the rekeying exchange belongs to the old IKE SA" (RFC 7296 §2.18).
 */
export function rekeyedSkeyseed(oldPrf: Prf, oldSkD: Uint8Array, sharedSecret: Uint8Array, nonceI: Uint8Array, nonceR: Uint8Array): Uint8Array {
  return oldPrf.compute(oldSkD, sharedSecret, nonceI, nonceR);
}

/**
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 * with the sizes of `suite` (RFC 7296 §2.14).
 */
export function ikeKeysFromSkeyseed(suite: CryptoSuite, seed: Uint8Array, input: Omit<IkeKeyInputs, 'sharedSecret'>): IkeSaKeys {
  const prf = ikePrf(suite);
  checkSpi(input.spiI, 'SPIi');
  checkSpi(input.spiR, 'SPIr');
  const d = suite.prfKeyLength;
  const a = suite.integKeyLength;
  const e = suite.encKeyLength;
  const sizes = [d, a, a, e, e, d, d];
  const stream = prfPlus(prf, seed, concatBytes(input.nonceI, input.nonceR, input.spiI, input.spiR), sizes.reduce((x, y) => x + y, 0));
  const [skD, skAi, skAr, skEi, skEr, skPi, skPr] = split(stream, sizes);
  return { skD: skD!, skAi: skAi!, skAr: skAr!, skEi: skEi!, skEr: skEr!, skPi: skPi!, skPr: skPr! };
}

/** Keys of a new IKE SA from IKE_SA_INIT. */
export function deriveIkeKeys(suite: CryptoSuite, input: IkeKeyInputs): DerivedIkeKeys {
  const seed = skeyseed(ikePrf(suite), input.nonceI, input.nonceR, input.sharedSecret);
  return { skeyseed: seed, keys: ikeKeysFromSkeyseed(suite, seed, input) };
}

/** Keys of the IKE SA that replaces one whose PRF and SK_d are given (RFC 7296 §2.18). */
export function deriveRekeyedIkeKeys(oldPrf: Prf, oldSkD: Uint8Array, newSuite: CryptoSuite, input: IkeKeyInputs): DerivedIkeKeys {
  const seed = rekeyedSkeyseed(oldPrf, oldSkD, input.sharedSecret, input.nonceI, input.nonceR);
  return { skeyseed: seed, keys: ikeKeysFromSkeyseed(newSuite, seed, input) };
}

/** The SK payload keys each side sends and receives with. */
export function ikeProtectionKeys(keys: IkeSaKeys, role: 'initiator' | 'responder'): { outbound: ProtectionKeys; inbound: ProtectionKeys } {
  const i: ProtectionKeys = { encKey: keys.skEi, integKey: keys.skAi };
  const r: ProtectionKeys = { encKey: keys.skEr, integKey: keys.skAr };
  return role === 'initiator' ? { outbound: i, inbound: r } : { outbound: r, inbound: i };
}

/** ESP keys of a CHILD_SA: one set per direction. */
export interface ChildSaKeys {
  /** Protects packets the IKE initiator sends (the responder's inbound SA). */
  readonly initiatorToResponder: ProtectionKeys;
  /** Protects packets the IKE responder sends. */
  readonly responderToInitiator: ProtectionKeys;
}

/** What a CREATE_CHILD_SA (or IKE_AUTH) exchange contributes to a CHILD_SA's keys. */
export interface ChildKeyInputs {
  /** Nonces of the exchange that created the CHILD_SA (for IKE_AUTH: those of IKE_SA_INIT). */
  readonly nonceI: Uint8Array;
  readonly nonceR: Uint8Array;
  /**
   * g^ir of the exchange's own KE payloads, only with PFS. (Named apart from IkeKeyInputs'
   * `sharedSecret` so the IKE SA's inputs passed here by mistake do not turn into PFS.)
   */
  readonly pfsSharedSecret?: Uint8Array;
}

/**
 * KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) (RFC 7296 §2.17), taken in the order: initiator→
 * responder encryption key, its integrity key, then responder→initiator encryption and integrity.
 * `prf` and `skD` are the IKE SA's; `espSuite` gives the sizes.
 */
export function deriveChildKeys(prf: Prf, skD: Uint8Array, espSuite: CryptoSuite, input: ChildKeyInputs): ChildSaKeys {
  const e = espSuite.encKeyLength;
  const a = espSuite.integKeyLength;
  const nonces = concatBytes(input.nonceI, input.nonceR);
  const seed = input.pfsSharedSecret === undefined ? nonces : concatBytes(input.pfsSharedSecret, nonces);
  const [ei, ai, er, ar] = split(prfPlus(prf, skD, seed, 2 * (e + a)), [e, a, e, a]);
  return {
    initiatorToResponder: { encKey: ei!, integKey: ai! },
    responderToInitiator: { encKey: er!, integKey: ar! },
  };
}

/** "Key Pad for IKEv2", 17 ASCII octets with no terminator (RFC 7296 §2.15). */
export const KEY_PAD = new TextEncoder().encode('Key Pad for IKEv2');

/** What the AUTH payload of one side covers (RFC 7296 §2.15). */
export interface SignedOctetsInput {
  /** The sender's IKE_SA_INIT message, exactly as sent. */
  readonly realMessage: Uint8Array;
  /** The other side's nonce data (initiator signs Nr, responder signs Ni). */
  readonly peerNonce: Uint8Array;
  /** The sender's SK_pi (initiator) or SK_pr (responder). */
  readonly skP: Uint8Array;
  /** The sender's ID payload without its 4-byte generic header: ID Type | RESERVED | data. */
  readonly idBody: Uint8Array;
}

/** SignedOctets = RealMessage | Nonce | prf(SK_p, IDx') (RFC 7296 §2.15). */
export function signedOctets(prf: Prf, input: SignedOctetsInput): Uint8Array {
  return concatBytes(input.realMessage, input.peerNonce, prf.compute(input.skP, input.idBody));
}

/**
 * AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), SignedOctets) for PSK authentication. The
 * receiver computes it with the sender's values and compares (constant time: crypto/bytes.ts
 * bytesEqual).
 */
export function pskAuth(prf: Prf, sharedSecret: Uint8Array, input: SignedOctetsInput): Uint8Array {
  return prf.compute(prf.compute(sharedSecret, KEY_PAD), signedOctets(prf, input));
}

function ikePrf(suite: CryptoSuite): Prf {
  if (suite.prf === undefined) throw new CryptoError(CryptoErrorCode.Unsupported, `${suite.name} has no PRF: not an IKE suite`);
  return suite.prf;
}

function checkSpi(spi: Uint8Array, what: string): void {
  if (spi.length !== 8) throw new CryptoError(CryptoErrorCode.BadKeyLength, `${what} must be 8 bytes, got ${spi.length}`);
}

/** Consecutive copies of `stream` cut at `sizes`. */
function split(stream: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const n of sizes) {
    out.push(stream.slice(at, at + n));
    at += n;
  }
  return out;
}
