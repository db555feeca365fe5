import { CryptoError, CryptoErrorCode } from '../crypto/errors.js';
import type { EspCipher } from '../crypto/suite.js';
import { EspError, EspErrorCode } from './errors.js';

/*
 * The ESP packet (RFC 4303 §2), tunnel mode:
 *
 *     0                   1                   2                   3
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |               Security Parameters Index (SPI)                 |
 *     |                      Sequence Number                          |
 *     |                IV (8 for GCM, cipher block for CBC)           |
 *     |   encrypted: inner IP packet | Padding 1,2,3.. | Pad Len | NH |
 *     |                Integrity Check Value (ICV / GCM tag)          |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * These functions are pure; the SA (sa.ts) owns sequence numbers, the replay window and counters.
 */

export const ESP_HEADER_LENGTH = 8;
/** Pad Length and Next Header octets. */
export const ESP_TRAILER_LENGTH = 2;

/** Next Header values ESP tunnel mode meets (IANA protocol numbers). */
export const NextHeader = {
  Ipv4: 4,
  Ipv6: 41,
  /** A dummy packet (RFC 4303 §2.6). */
  NoNextHeader: 59,
} as const;

export interface EspHeader {
  readonly spi: number;
  /** The sequence number as sent: the low 32 bits when ESN is in use. */
  readonly seq: number;
}

/** SPI and sequence number of a packet; `ERR_ESP_TRUNCATED` below 8 bytes. */
export function readEspHeader(packet: Uint8Array): EspHeader {
  if (packet.length < ESP_HEADER_LENGTH) throw new EspError(EspErrorCode.Truncated, `${packet.length}-byte packet has no ESP header`);
  return { spi: u32(packet, 0), seq: u32(packet, 4) };
}

/** The fewest padding bytes that align payload | padding | Pad Length | Next Header (RFC 4303 §2.4). */
export function paddingLength(payloadLength: number, alignment: number): number {
  return (alignment - ((payloadLength + ESP_TRAILER_LENGTH) % alignment)) % alignment;
}

/** Bytes on the wire for a payload of `payloadLength` bytes. */
export function encapsulatedLength(cipher: EspCipher, payloadLength: number): number {
  return ESP_HEADER_LENGTH + cipher.ivLength + payloadLength + paddingLength(payloadLength, cipher.alignment)
    + ESP_TRAILER_LENGTH + cipher.icvLength;
}

export interface EspSealInput {
  readonly spi: number;
  /** Low 32 bits of the sequence number (the whole number without ESN). */
  readonly seq: number;
  /** High 32 bits, authenticated but not sent (ESN only). */
  readonly seqHigh?: number;
  /** The inner packet. */
  readonly payload: Uint8Array;
  /** Default 4: an IPv4 packet in tunnel mode. */
  readonly nextHeader?: number;
  /** The explicit IV: a fresh random block for CBC; a per-SA unique counter for GCM (RFC 4106 §3.1). */
  readonly iv: Uint8Array;
}

/** The ESP packet carrying `input.payload`, padded with 1, 2, 3, ... */
export function encapsulate(cipher: EspCipher, input: EspSealInput): Uint8Array {
  const header = new Uint8Array(ESP_HEADER_LENGTH);
  putU32(header, 0, input.spi);
  putU32(header, 4, input.seq);
  const pad = paddingLength(input.payload.length, cipher.alignment);
  const trailer = new Uint8Array(pad + ESP_TRAILER_LENGTH);
  for (let i = 0; i < pad; i++) trailer[i] = i + 1;
  trailer[pad] = pad;
  trailer[pad + 1] = input.nextHeader ?? NextHeader.Ipv4;
  const body = cipher.seal(header, input.seqHigh ?? 0, input.iv, [input.payload, trailer]);
  const out = new Uint8Array(ESP_HEADER_LENGTH + body.length);
  out.set(header, 0);
  out.set(body, ESP_HEADER_LENGTH);
  return out;
}

/**
 * Verifies the ICV and decrypts: the plaintext with its trailer still on. Only lengths are looked
 * at before the ICV. Throws EspError TRUNCATED, BAD_LENGTH or ICV_MISMATCH.
 */
export function openEsp(cipher: EspCipher, packet: Uint8Array, seqHigh = 0): Uint8Array {
  const overhead = ESP_HEADER_LENGTH + cipher.ivLength + cipher.icvLength;
  const ctLength = packet.length - overhead;
  const minimum = Math.max(cipher.blockSize, ESP_TRAILER_LENGTH);
  if (ctLength < minimum) {
    throw new EspError(EspErrorCode.Truncated, `${packet.length}-byte packet: needs ${overhead + minimum} for header, IV, trailer and ICV`);
  }
  if (ctLength % cipher.blockSize !== 0) {
    throw new EspError(EspErrorCode.BadLength, `${ctLength} bytes of ciphertext is not whole ${cipher.blockSize}-byte blocks`);
  }
  try {
    return cipher.open(packet.subarray(0, ESP_HEADER_LENGTH), seqHigh, packet.subarray(ESP_HEADER_LENGTH));
  } catch (e) {
    if (!(e instanceof CryptoError)) throw e;
    if (e.code === CryptoErrorCode.AuthFailed) throw new EspError(EspErrorCode.IcvMismatch, 'ICV mismatch', { cause: e });
    throw new EspError(EspErrorCode.BadLength, e.message, { cause: e });
  }
}

export interface EspPayload {
  readonly payload: Uint8Array;
  readonly nextHeader: number;
  readonly padLength: number;
}

/** Splits a decrypted plaintext into payload and trailer; `ERR_ESP_BAD_PADDING` unless the padding is 1, 2, 3, ... */
export function parseTrailer(plaintext: Uint8Array): EspPayload {
  if (plaintext.length < ESP_TRAILER_LENGTH) throw new EspError(EspErrorCode.BadPadding, 'no room for Pad Length and Next Header');
  const padLength = plaintext[plaintext.length - 2]!;
  const nextHeader = plaintext[plaintext.length - 1]!;
  const end = plaintext.length - ESP_TRAILER_LENGTH - padLength;
  if (end < 0) throw new EspError(EspErrorCode.BadPadding, `Pad Length ${padLength} exceeds the ${plaintext.length - 2} bytes before it`);
  for (let i = 0; i < padLength; i++) {
    if (plaintext[end + i] !== i + 1) throw new EspError(EspErrorCode.BadPadding, `padding byte ${i + 1} is ${plaintext[end + i]}`);
  }
  return { payload: plaintext.subarray(0, end), nextHeader, padLength };
}

export interface Decapsulated extends EspHeader, EspPayload {}

/** openEsp then parseTrailer, for callers without a replay window (tests, tools). */
export function decapsulate(cipher: EspCipher, packet: Uint8Array, seqHigh = 0): Decapsulated {
  const header = readEspHeader(packet);
  return { ...header, ...parseTrailer(openEsp(cipher, packet, seqHigh)) };
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
