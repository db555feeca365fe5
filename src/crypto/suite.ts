import { DhGroup, IntegId } from './iana.js';
import { encryptionById, type EncryptionAlgorithm } from './cipher.js';
import { dhGroupById, type DhGroupImpl } from './dh.js';
import { CryptoError, CryptoErrorCode } from './errors.js';
import { integrityById, type IntegrityAlgorithm } from './integrity.js';
import { prfById, type Prf } from './prf.js';
import { espCipher, skCipher, type EspCipher, type ProtectionKeys, type SkCipher } from './protect.js';

export type { EspCipher, ProtectionKeys, SkCipher } from './protect.js';

/** Negotiated transforms, as the SA payload's chosen proposal carries them. */
export interface SuiteSpec {
  /** ENCR transform ID. */
  readonly encr: number;
  /** Key Length attribute in bits (AES: required; 3DES: absent). */
  readonly encrKeyBits?: number;
  /** INTEG transform ID; absent or NONE for AEAD ciphers. */
  readonly integ?: number;
  /** PRF transform ID (IKE SAs only). */
  readonly prf?: number;
  /** D-H group (IKE SA; CHILD_SA with PFS). */
  readonly dh?: number;
  /** Extended Sequence Numbers (ESP only). */
  readonly esn?: boolean;
}

export type SuiteUse = 'ike' | 'esp';

export interface EspSuiteOptions {
  /**
   * Allow a CBC cipher with no integrity algorithm (RFC 4303 confidentiality-only ESP). RFC 8221
   * §5 says not to; only test vectors (RFC 3602 §4) need it. Off by default.
   */
  readonly allowNoIntegrity?: boolean;
}

/**
 * A negotiated set of algorithms with everything key derivation and packet protection need to
 * know: key sizes (SK_e* include the GCM salt, SK_a* are empty for AEAD), and keyed ciphers for
 * the IKE Encrypted payload (`sk`) and ESP (`esp`). Build with `CryptoSuite.ike` or `.esp`.
 */
export class CryptoSuite {
  readonly use: SuiteUse;
  readonly encryption: EncryptionAlgorithm;
  readonly integrity: IntegrityAlgorithm | undefined;
  readonly prf: Prf | undefined;
  readonly dh: DhGroupImpl | undefined;
  readonly esn: boolean;
  /** Bytes of encryption key material per direction (SK_ei, or ESP encryption key incl. salt). */
  readonly encKeyLength: number;
  /** Bytes of integrity key per direction; 0 for AEAD. */
  readonly integKeyLength: number;
  /** Bytes of SK_d / SK_pi / SK_pr; 0 for ESP suites. */
  readonly prfKeyLength: number;
  /** `aes-gcm-16-256/prf-hmac-sha2-256/curve25519`-style label for logs. */
  readonly name: string;

  private constructor(use: SuiteUse, spec: SuiteSpec, options: EspSuiteOptions) {
    this.use = use;
    this.encryption = encryptionById(spec.encr, spec.encrKeyBits);
    const integ = spec.integ ?? IntegId.None;
    if (this.encryption.kind === 'aead') {
      // RFC 5282 §8 / RFC 4106 §4: a combined-mode cipher is negotiated without integrity.
      if (integ !== IntegId.None) throw unsupported(`${this.encryption.name} is an AEAD: no integrity transform may go with it`);
      this.integrity = undefined;
    } else if (integ === IntegId.None) {
      if (use === 'ike' || options.allowNoIntegrity !== true) {
        throw unsupported(`${this.encryption.name} needs an integrity algorithm`);
      }
      this.integrity = undefined;
    } else {
      this.integrity = integrityById(integ);
    }
    if (use === 'ike') {
      if (spec.prf === undefined) throw unsupported('an IKE SA needs a PRF');
      if (spec.esn === true) throw unsupported('ESN is an ESP/AH transform, not an IKE one');
      this.prf = prfById(spec.prf);
    } else {
      if (spec.prf !== undefined) throw unsupported('ESP takes no PRF transform');
      this.prf = undefined;
    }
    this.dh = spec.dh === undefined || spec.dh === DhGroup.None ? undefined : dhGroupById(spec.dh);
    this.esn = spec.esn === true;
    this.encKeyLength = this.encryption.keyMaterialLength;
    this.integKeyLength = this.integrity?.keyLength ?? 0;
    this.prfKeyLength = this.prf?.keyLength ?? 0;
    this.name = [
      this.encryption.name,
      this.integrity?.name,
      this.prf?.name,
      this.dh?.name,
      use === 'esp' ? (this.esn ? 'esn' : 'no-esn') : undefined,
    ].filter((x) => x !== undefined).join('/');
  }

  /** An IKE SA suite: ENCR, PRF, INTEG (unless AEAD), D-H group. */
  static ike(spec: SuiteSpec): CryptoSuite {
    return new CryptoSuite('ike', spec, {});
  }

  /** An ESP suite: ENCR, INTEG (unless AEAD), optional PFS group, ESN. */
  static esp(spec: SuiteSpec, options: EspSuiteOptions = {}): CryptoSuite {
    return new CryptoSuite('esp', spec, options);
  }

  /** True for AES-GCM: no SK_a* and no ESP integrity key. */
  get aead(): boolean {
    return this.encryption.kind === 'aead';
  }

  /** Keyed protection of IKE Encrypted payloads (one direction). */
  sk(keys: ProtectionKeys): SkCipher {
    if (this.use !== 'ike') throw unsupported('the SK payload is protected with an IKE suite');
    return skCipher(this.encryption, this.integrity, this.checkKeys(keys));
  }

  /** Keyed protection of ESP packets (one direction of one CHILD_SA). */
  esp(keys: ProtectionKeys): EspCipher {
    if (this.use !== 'esp') throw unsupported('ESP packets are protected with an ESP suite');
    return espCipher(this.encryption, this.integrity, this.checkKeys(keys), this.esn);
  }

  private checkKeys(keys: ProtectionKeys): ProtectionKeys {
    if (keys.encKey.length !== this.encKeyLength || keys.integKey.length !== this.integKeyLength) {
      throw new CryptoError(CryptoErrorCode.BadKeyLength,
        `${this.name}: keys of ${this.encKeyLength}+${this.integKeyLength} bytes expected, got ${keys.encKey.length}+${keys.integKey.length}`);
    }
    return keys;
  }
}

function unsupported(message: string): CryptoError {
  return new CryptoError(CryptoErrorCode.Unsupported, message);
}
