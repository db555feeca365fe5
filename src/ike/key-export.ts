import { toHex } from '../core/bytes/hex.js';
import { VpnlabError } from '../core/errors.js';
import { EncrId, IntegId, TransformType, transformName } from '../crypto/iana.js';
import type { ProtectionKeys } from '../crypto/suite.js';
import { formatIpv4 } from '../net/address.js';
import type { NegotiatedChildSa } from './child-sa.js';
import { formatIkeSpi } from './header.js';
import { formatChildSpi } from './payloads/notify.js';
import type { IkeSa } from './ike-sa.js';

/*
 * Keys of vpnlab's SAs in the two files Wireshark reads to decrypt a capture ("Key export for
 * debugging"). Both are UAT files (epan/uat.h): one record per line, fields separated by commas,
 * text fields in double quotes, byte fields as bare hex, `#` starts a comment line.
 *
 *   ikev2_decryption_table  (epan/dissectors/packet-isakmp.c, ikev2_uat_flds): Initiator's SPI,
 *       Responder's SPI, SK_ei, SK_er, encryption algorithm, SK_ai, SK_ar, integrity algorithm.
 *   esp_sa                  (epan/dissectors/packet-ipsec.c, esp_uat_flds): protocol, source IP,
 *       destination IP, SPI, encryption algorithm, encryption key, authentication algorithm,
 *       authentication key. The keys are "0x"-prefixed hex.
 *
 * The algorithm fields must be the exact strings of Wireshark's value_strings (vs_ikev2_encr_algs,
 * vs_ikev2_auth_algs, esp_encryption_type_vals, esp_authentication_type_vals); those below are
 * Wireshark 4.0's. For AES-GCM both files take the key followed by its 4-byte salt, which is how
 * vpnlab already holds SK_e* and ESP encryption keys (RFC 5282 §7.1, RFC 4106 §8.1).
 *
 * A record Wireshark cannot use is never written: a line function throws KeyExportError, and the
 * table functions put a `#` comment saying what was left out and why.
 */

export const KeyExportErrorCode = {
  /** An algorithm (or key size) with no Wireshark decryption entry. */
  Unsupported: 'ERR_KEY_EXPORT_UNSUPPORTED',
  /** The IKE SA has no keys yet (IKE_SA_INIT not done). */
  NoKeys: 'ERR_KEY_EXPORT_NO_KEYS',
  /** A key is not the length the algorithm takes: exporting it would make a wrong record. */
  BadKeyLength: 'ERR_KEY_EXPORT_BAD_KEY_LENGTH',
} as const;
export type KeyExportErrorCode = (typeof KeyExportErrorCode)[keyof typeof KeyExportErrorCode];

export class KeyExportError extends VpnlabError {
  declare readonly code: KeyExportErrorCode;

  constructor(code: KeyExportErrorCode, message: string) {
    super(code, message);
  }
}

/** The UAT file names, as Wireshark looks for them in its personal configuration (profile) folder. */
export const IKEV2_DECRYPTION_TABLE_FILE = 'ikev2_decryption_table';
export const ESP_SA_FILE = 'esp_sa';

/** Bytes of salt after the AES key in GCM key material (RFC 4106 §8.1, RFC 5282 §7.1). */
const GCM_SALT_LENGTH = 4;

const GCM_ICV_OCTETS: Readonly<Record<number, number>> = { [EncrId.AesGcm8]: 8, [EncrId.AesGcm12]: 12, [EncrId.AesGcm16]: 16 };
const AES_KEY_BITS: readonly number[] = [128, 192, 256];
const DES3_KEY_BITS = 192;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** An encryption algorithm as one Wireshark table names it, with the key material length it expects. */
interface WiresharkCipher {
  readonly name: string;
  readonly keyLength: number;
}

/** Encryption transform → vs_ikev2_encr_algs entry (the name carries the AES key size). */
function ikev2Cipher(encr: number, keyBits: number | undefined): WiresharkCipher {
  if (encr === EncrId.Des3 && (keyBits === undefined || keyBits === DES3_KEY_BITS)) return { name: '3DES [RFC2451]', keyLength: 24 };
  if (keyBits !== undefined && AES_KEY_BITS.includes(keyBits)) {
    if (encr === EncrId.AesCbc) return { name: `AES-CBC-${keyBits} [RFC3602]`, keyLength: keyBits / 8 };
    const icv = GCM_ICV_OCTETS[encr];
    if (icv !== undefined) return { name: `AES-GCM-${keyBits} with ${icv} octet ICV [RFC5282]`, keyLength: keyBits / 8 + GCM_SALT_LENGTH };
  }
  throw unsupported('IKEv2 decryption table', TransformType.Encryption, encr, keyBits);
}

/** An integrity algorithm as one Wireshark table names it, with its key length. */
interface WiresharkIntegrity {
  readonly name: string;
  readonly keyLength: number;
}

/** HMAC key lengths: the hash output (RFC 2403, RFC 2404, RFC 4868 §2.1). None for AEAD ciphers. */
const INTEGRITY_KEY_LENGTH: Readonly<Record<number, number>> = {
  [IntegId.None]: 0,
  [IntegId.HmacMd5_96]: 16,
  [IntegId.HmacSha1_96]: 20,
  [IntegId.HmacSha2_256_128]: 32,
  [IntegId.HmacSha2_384_192]: 48,
  [IntegId.HmacSha2_512_256]: 64,
};

/** Integrity transform → vs_ikev2_auth_algs entry; "NONE" goes with AES-GCM. */
const IKEV2_INTEGRITY: Readonly<Record<number, string>> = {
  [IntegId.None]: 'NONE [RFC4306]',
  [IntegId.HmacMd5_96]: 'HMAC_MD5_96 [RFC2403]',
  [IntegId.HmacSha1_96]: 'HMAC_SHA1_96 [RFC2404]',
  [IntegId.HmacSha2_256_128]: 'HMAC_SHA2_256_128 [RFC4868]',
  [IntegId.HmacSha2_384_192]: 'HMAC_SHA2_384_192 [RFC4868]',
  [IntegId.HmacSha2_512_256]: 'HMAC_SHA2_512_256 [RFC4868]',
};

/** Encryption transform → esp_encryption_type_vals entry (AES key size follows from the key). */
function espCipher(encr: number, keyBits: number | undefined): WiresharkCipher {
  if (encr === EncrId.Des3 && (keyBits === undefined || keyBits === DES3_KEY_BITS)) return { name: 'TripleDES-CBC [RFC2451]', keyLength: 24 };
  if (keyBits !== undefined && AES_KEY_BITS.includes(keyBits)) {
    if (encr === EncrId.AesCbc) return { name: 'AES-CBC [RFC3602]', keyLength: keyBits / 8 };
    const icv = GCM_ICV_OCTETS[encr];
    if (icv !== undefined) return { name: `AES-GCM with ${icv} octet ICV [RFC4106]`, keyLength: keyBits / 8 + GCM_SALT_LENGTH };
  }
  throw unsupported('ESP SA table', TransformType.Encryption, encr, keyBits);
}

/** Integrity transform → esp_authentication_type_vals entry; "NULL" goes with AES-GCM. */
const ESP_INTEGRITY: Readonly<Record<number, string>> = {
  [IntegId.None]: 'NULL',
  [IntegId.HmacMd5_96]: 'HMAC-MD5-96 [RFC2403]',
  [IntegId.HmacSha1_96]: 'HMAC-SHA-1-96 [RFC2404]',
  [IntegId.HmacSha2_256_128]: 'HMAC-SHA-256-128 [RFC4868]',
  [IntegId.HmacSha2_384_192]: 'HMAC-SHA-384-192 [RFC4868]',
  [IntegId.HmacSha2_512_256]: 'HMAC-SHA-512-256 [RFC4868]',
};

function integrity(table: Readonly<Record<number, string>>, file: string, integ: number): WiresharkIntegrity {
  const name = table[integ];
  const keyLength = INTEGRITY_KEY_LENGTH[integ];
  if (name === undefined || keyLength === undefined) throw unsupported(file, TransformType.Integrity, integ, undefined);
  return { name, keyLength };
}

function unsupported(file: string, type: TransformType, id: number, keyBits: number | undefined): KeyExportError {
  return new KeyExportError(KeyExportErrorCode.Unsupported,
    `${transformName(type, id, keyBits)} has no entry in Wireshark's ${file}: its traffic cannot be decrypted there`);
}

function checkLength(what: string, key: Uint8Array, want: number): void {
  if (key.length !== want) {
    throw new KeyExportError(KeyExportErrorCode.BadKeyLength, `${what} is ${key.length} bytes, the algorithm takes ${want}`);
  }
}

// ---------------------------------------------------------------------------------------------
// IKEv2

/** What an IKEv2 decryption record needs of an IKE SA. */
export type IkeSaKeySource = Pick<IkeSa, 'name' | 'spiI' | 'spiR' | 'crypto'>;

/**
 * One `ikev2_decryption_table` record for an IKE SA, e.g.
 * `0123456789abcdef,fedcba9876543210,<SK_ei>,<SK_er>,"AES-CBC-256 [RFC3602]",<SK_ai>,<SK_ar>,"HMAC_SHA2_256_128 [RFC4868]"`.
 * Throws KeyExportError when the SA has no keys yet or Wireshark cannot decrypt its suite.
 */
export function ikev2DecryptionTableLine(sa: IkeSaKeySource): string {
  if (sa.crypto === undefined) throw new KeyExportError(KeyExportErrorCode.NoKeys, `IKE SA ${sa.name} has no keys yet`);
  const { suite, keys } = sa.crypto;
  const cipher = ikev2Cipher(suite.encryption.id, suite.encryption.keyLength * 8);
  const integ = integrity(IKEV2_INTEGRITY, 'IKEv2 decryption table', suite.integrity?.id ?? IntegId.None);
  checkLength(`${sa.name} SK_ei`, keys.skEi, cipher.keyLength);
  checkLength(`${sa.name} SK_er`, keys.skEr, cipher.keyLength);
  checkLength(`${sa.name} SK_ai`, keys.skAi, integ.keyLength);
  checkLength(`${sa.name} SK_ar`, keys.skAr, integ.keyLength);
  return [
    formatIkeSpi(sa.spiI), formatIkeSpi(sa.spiR),
    toHex(keys.skEi), toHex(keys.skEr), uatString(cipher.name),
    toHex(keys.skAi), toHex(keys.skAr), uatString(integ.name),
  ].join(',');
}

/**
 * A whole `ikev2_decryption_table` file: a header comment, then one record per IKE SA. SAs that
 * cannot be exported get a comment line with the reason instead of a record.
 */
export function ikev2DecryptionTable(sas: Iterable<IkeSaKeySource>): string {
  const lines = ['# vpnlab IKEv2 decryption table: Initiator SPI, Responder SPI, SK_ei, SK_er, encryption, SK_ai, SK_ar, integrity'];
  for (const sa of sas) lines.push(recordOrComment(sa.name, () => ikev2DecryptionTableLine(sa)));
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// ESP

export type EspSaDirection = 'outbound' | 'inbound';

/** What an `esp_sa` record needs of a CHILD_SA. */
export type ChildSaKeySource = Pick<NegotiatedChildSa,
  'ikeSaName' | 'childName' | 'inboundSpi' | 'outboundSpi' | 'suite' | 'inboundKeys' | 'outboundKeys' | 'local' | 'remote'>;

/**
 * One `esp_sa` record for one direction of a CHILD_SA: outbound is local → remote with the
 * outbound SPI and keys, inbound remote → local with the inbound ones. Wireshark matches a packet
 * on its outer addresses and SPI, with or without UDP encapsulation. Throws KeyExportError when
 * Wireshark cannot decrypt the suite.
 */
export function espSaLine(child: ChildSaKeySource, direction: EspSaDirection): string {
  const outbound = direction === 'outbound';
  const src = outbound ? child.local.address : child.remote.address;
  const dst = outbound ? child.remote.address : child.local.address;
  const spi = outbound ? child.outboundSpi : child.inboundSpi;
  const keys: ProtectionKeys = outbound ? child.outboundKeys : child.inboundKeys;
  const cipher = espCipher(child.suite.encr, child.suite.encrKeyBits);
  const integ = integrity(ESP_INTEGRITY, 'ESP SA table', child.suite.integ ?? IntegId.None);
  const what = `${child.ikeSaName}/${child.childName} ${direction} SA 0x${formatChildSpi(spi)}`;
  checkLength(`${what} encryption key`, keys.encKey, cipher.keyLength);
  checkLength(`${what} integrity key`, keys.integKey, integ.keyLength);
  return [
    uatString('IPv4'), uatString(formatIpv4(src)), uatString(formatIpv4(dst)), uatString(`0x${formatChildSpi(spi)}`),
    uatString(cipher.name), uatString(`0x${toHex(keys.encKey)}`),
    uatString(integ.name), uatString(`0x${toHex(keys.integKey)}`),
  ].join(',');
}

/** The two records of a CHILD_SA, outbound first. */
export function espSaLines(child: ChildSaKeySource): [string, string] {
  return [espSaLine(child, 'outbound'), espSaLine(child, 'inbound')];
}

/**
 * A whole `esp_sa` file: a header comment, then both directions of every CHILD_SA. A CHILD_SA
 * that cannot be exported gets a comment with the reason; one with ESN gets a warning comment
 * above its records, because Wireshark 4.0 leaves the high sequence bits out of the ICV (HMAC)
 * and the AAD (GCM): it decrypts, but reports the ICV as bad.
 */
export function espSaTable(children: Iterable<ChildSaKeySource>): string {
  const lines = ['# vpnlab ESP SAs: protocol, source, destination, SPI, encryption, key, authentication, key'];
  for (const child of children) {
    const name = `${child.ikeSaName}/${child.childName}`;
    if (child.suite.esn === true) lines.push(`# ${name}: extended sequence numbers in use; Wireshark will decrypt but flag every ICV as bad`);
    lines.push(recordOrComment(name, () => espSaLines(child).join('\n')));
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// UAT encoding

function recordOrComment(name: string, record: () => string): string {
  try {
    return record();
  } catch (e) {
    if (e instanceof KeyExportError) return `# ${name}: not exported (${e.code}): ${e.message}`;
    throw e;
  }
}

/** A UAT text field: double-quoted, with `"`, `\` and non-printable bytes escaped as `\xNN` (uat_esc). */
function uatString(text: string): string {
  let out = '"';
  for (const b of new TextEncoder().encode(text)) {
    out += b === QUOTE || b === BACKSLASH || b < 0x20 || b > 0x7e ? `\\x${b.toString(16).padStart(2, '0')}` : String.fromCharCode(b);
  }
  return `${out}"`;
}

