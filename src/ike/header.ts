import type { Reader } from '../core/bytes/reader.js';
import type { Writer } from '../core/bytes/writer.js';
import { InvalidArgumentError } from '../core/errors.js';
import { HeaderFlag, IKE_SPI_SIZE, NotifyType } from './constants.js';
import { IkeError, invalidSyntax } from './errors.js';

/*
 * The IKE header (RFC 7296 §3.1), 28 octets:
 *
 *   IKE SA Initiator's SPI (8) | IKE SA Responder's SPI (8) | Next Payload (1) |
 *   MjVer (4 bits) MnVer (4 bits) | Exchange Type (1) | Flags (1) | Message ID (4) | Length (4)
 *
 * SPIs are bigints, not Uint8Array(8): an SPI is an opaque 64-bit value that is looked up (the
 * IKE SA table is keyed on it), compared (`spiR === 0n` is "not yet chosen") and copied; a bigint
 * is an immutable primitive with value equality, so it works as a Map key and with `===` as is,
 * where a byte array is mutable and compared by reference. The two places that need bytes
 * (SKEYSEED's `SPIi | SPIr`, the NAT detection hash) use `spiToBytes`.
 */

export const HEADER_LENGTH = 28;
export const IKE_MAJOR_VERSION = 2;
export const IKE_MINOR_VERSION = 0;
const MAX_SPI = (1n << 64n) - 1n;

/** The header fields a sender chooses; Next Payload and Length are computed by the encoder. */
export interface IkeHeaderFields {
  spiI: bigint;
  spiR: bigint;
  exchangeType: number;
  /** HeaderFlag bits as received (reserved bits included). */
  flags: number;
  messageId: number;
  /** RFC 7296 §2.5: senders use 0, receivers ignore it. Kept so re-encoding is exact. */
  minorVersion: number;
}

/** A decoded header: the fields plus what the encoder computes and the major version. */
export interface IkeHeader extends IkeHeaderFields {
  nextPayload: number;
  majorVersion: number;
  length: number;
}

export function isResponse(h: Pick<IkeHeaderFields, 'flags'>): boolean {
  return (h.flags & HeaderFlag.RESPONSE) !== 0;
}

export function isInitiator(h: Pick<IkeHeaderFields, 'flags'>): boolean {
  return (h.flags & HeaderFlag.INITIATOR) !== 0;
}

/** The 8 octets of an IKE SPI, big-endian. */
export function spiToBytes(spi: bigint): Uint8Array {
  if (spi < 0n || spi > MAX_SPI) throw new InvalidArgumentError(`IKE SPI ${spi} does not fit 64 bits`);
  const out = new Uint8Array(IKE_SPI_SIZE);
  let v = spi;
  for (let i = IKE_SPI_SIZE - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** An IKE SPI as logs and views print it: 16 hex digits. */
export function formatIkeSpi(spi: bigint): string {
  return spi.toString(16).padStart(16, '0');
}

export function spiFromBytes(b: Uint8Array): bigint {
  if (b.length !== IKE_SPI_SIZE) throw new InvalidArgumentError(`an IKE SPI has ${IKE_SPI_SIZE} octets, not ${b.length}`);
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

function readSpi(r: Reader, what: string): bigint {
  const hi = r.u32(what);
  const lo = r.u32(what);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Writes the header; `nextPayload` and `length` come from the message encoder. */
export function encodeHeader(h: IkeHeaderFields, nextPayload: number, length: number, w: Writer): void {
  if (h.spiI < 0n || h.spiI > MAX_SPI || h.spiR < 0n || h.spiR > MAX_SPI) {
    throw new InvalidArgumentError(`IKE SPIs ${h.spiI}/${h.spiR} do not fit 64 bits`);
  }
  if (!Number.isInteger(h.minorVersion) || h.minorVersion < 0 || h.minorVersion > 0xf) {
    throw new InvalidArgumentError(`minor version ${h.minorVersion} does not fit 4 bits`);
  }
  w.u32(Number(h.spiI >> 32n)).u32(Number(h.spiI & 0xffffffffn));
  w.u32(Number(h.spiR >> 32n)).u32(Number(h.spiR & 0xffffffffn));
  w.u8(nextPayload).u8((IKE_MAJOR_VERSION << 4) | h.minorVersion).u8(h.exchangeType).u8(h.flags);
  w.u32(h.messageId).u32(length);
}

/**
 * Reads the 28-octet header. Throws INVALID_SYNTAX when fewer than 28 octets are there and
 * INVALID_MAJOR_VERSION for a major version other than 2 (RFC 7296 §2.5: the Notify is sent in
 * a version-2 response; no data). The Length field is returned unchecked: the message decoder
 * compares it with what it was given.
 */
export function decodeHeader(r: Reader): IkeHeader {
  if (r.remaining < HEADER_LENGTH) throw invalidSyntax(`${r.remaining} octet(s) cannot hold the ${HEADER_LENGTH}-octet IKE header`);
  const spiI = readSpi(r, 'IKE SA Initiator SPI');
  const spiR = readSpi(r, 'IKE SA Responder SPI');
  const nextPayload = r.u8();
  const version = r.u8();
  const exchangeType = r.u8();
  const flags = r.u8();
  const messageId = r.u32();
  const length = r.u32();
  const majorVersion = version >>> 4;
  if (majorVersion !== IKE_MAJOR_VERSION) {
    throw new IkeError(NotifyType.INVALID_MAJOR_VERSION, `major version ${majorVersion}, only ${IKE_MAJOR_VERSION} is supported`);
  }
  return { spiI, spiR, nextPayload, majorVersion, minorVersion: version & 0xf, exchangeType, flags, messageId, length };
}
