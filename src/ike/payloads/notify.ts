import { InvalidArgumentError } from '../../core/errors.js';
import { CHILD_SPI_SIZE, NotifyType, ProtocolId, notifyName } from '../constants.js';
import { invalidSyntax, type IkeError } from '../errors.js';
import { spiToBytes } from '../header.js';
import type { PayloadCodec } from './generic.js';

/*
 * Notify payload (RFC 7296 §3.10): Protocol ID (1) | SPI Size (1) | Notify Message Type (2) |
 * SPI | Notification Data. The data of the types whose layout RFC 7296 fixes is checked on
 * decode (NOTIFY_DATA below); typed helpers build and read the ones the IKE tasks use.
 */

export interface NotifyPayload {
  type: 'notify';
  /** ProtocolId; 0 when no SPI applies. */
  protocolId: number;
  /** Empty unless the notification concerns an AH/ESP SA (4 octets). */
  spi: Uint8Array;
  notifyType: number;
  data: Uint8Array;
}

/** Octet counts the Notification Data of a type must have (RFC 7296 §3.10.1 unless noted). */
interface DataRule { min: number; max: number; multipleOf?: number }
const exactly = (n: number): DataRule => ({ min: n, max: n });

export const NOTIFY_DATA: Readonly<Record<number, DataRule>> = {
  [NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD]: exactly(1),
  [NotifyType.INVALID_MESSAGE_ID]: exactly(4),
  [NotifyType.INVALID_KE_PAYLOAD]: exactly(2),
  [NotifyType.SET_WINDOW_SIZE]: exactly(4),
  [NotifyType.NAT_DETECTION_SOURCE_IP]: exactly(20),
  [NotifyType.NAT_DETECTION_DESTINATION_IP]: exactly(20),
  /** §2.6: "between 1 and 64 octets in length, inclusive". */
  [NotifyType.COOKIE]: { min: 1, max: 64 },
  /** RFC 4478 §3: a 4-octet lifetime in seconds. */
  [NotifyType.AUTH_LIFETIME]: exactly(4),
  /** RFC 7427 §4: a list of 2-octet hash algorithm identifiers. */
  [NotifyType.SIGNATURE_HASH_ALGORITHMS]: { min: 0, max: 0xffff, multipleOf: 2 },
};

function dataProblem(type: number, n: number): string | undefined {
  const rule = NOTIFY_DATA[type];
  if (rule === undefined) return undefined;
  if (n < rule.min || n > rule.max || (rule.multipleOf !== undefined && n % rule.multipleOf !== 0)) {
    const want = rule.min === rule.max ? `${rule.min}` : rule.multipleOf !== undefined ? `a multiple of ${rule.multipleOf}` : `${rule.min}-${rule.max}`;
    return `${notifyName(type)} with ${n} octet(s) of data (${want})`;
  }
  return undefined;
}

export const notifyCodec: PayloadCodec<NotifyPayload> = {
  encodedLength: (p) => 4 + p.spi.length + p.data.length,
  encode(p, w) {
    const bad = dataProblem(p.notifyType, p.data.length);
    if (bad !== undefined) throw new InvalidArgumentError(bad);
    if (p.spi.length > 0xff) throw new InvalidArgumentError(`Notify SPI of ${p.spi.length} octets`);
    w.u8(p.protocolId).u8(p.spi.length).u16(p.notifyType).bytes(p.spi).bytes(p.data);
  },
  decode(r) {
    const protocolId = r.u8('Notify Protocol ID');
    const spiSize = r.u8('Notify SPI Size');
    const notifyType = r.u16('Notify Message Type');
    if (spiSize > r.remaining) throw invalidSyntax(`${notifyName(notifyType)}: SPI Size ${spiSize} runs past the payload`);
    const spi = r.bytes(spiSize);
    const bad = dataProblem(notifyType, r.remaining);
    if (bad !== undefined) throw invalidSyntax(bad);
    return { type: 'notify', protocolId, spi, notifyType, data: r.rest() };
  },
};

const EMPTY = new Uint8Array(0);

/** A notification about the IKE SA or the message (no SPI). */
export function notify(notifyType: number, data: Uint8Array = EMPTY): NotifyPayload {
  return { type: 'notify', protocolId: ProtocolId.NONE, spi: EMPTY, notifyType, data };
}

/** The Notify an IkeError asks to send. */
export function errorNotify(e: IkeError): NotifyPayload {
  return notify(e.notifyType, e.data);
}

/** NAT_DETECTION_SOURCE_IP / _DESTINATION_IP (RFC 7296 §2.23): a 20-octet SHA-1 hash. */
export function natDetectionNotify(which: 'source' | 'destination', hash: Uint8Array): NotifyPayload {
  if (hash.length !== 20) throw new InvalidArgumentError(`NAT detection hash of ${hash.length} octets (20)`);
  return notify(which === 'source' ? NotifyType.NAT_DETECTION_SOURCE_IP : NotifyType.NAT_DETECTION_DESTINATION_IP, hash);
}

/**
 * What the NAT detection hash is computed over (RFC 7296 §2.23): SPIi | SPIr | IP address |
 * port (2 octets). The SHA-1 itself is the crypto layer's.
 */
export function natDetectionInput(spiI: bigint, spiR: bigint, address: Uint8Array, port: number): Uint8Array {
  if (address.length !== 4 && address.length !== 16) throw new InvalidArgumentError(`an IP address of ${address.length} octets`);
  const out = new Uint8Array(16 + address.length + 2);
  out.set(spiToBytes(spiI), 0);
  out.set(spiToBytes(spiR), 8);
  out.set(address, 16);
  out[16 + address.length] = (port >>> 8) & 0xff;
  out[17 + address.length] = port & 0xff;
  return out;
}

/** COOKIE (RFC 7296 §2.6): 1 to 64 opaque octets. */
export function cookieNotify(cookie: Uint8Array): NotifyPayload {
  const bad = dataProblem(NotifyType.COOKIE, cookie.length);
  if (bad !== undefined) throw new InvalidArgumentError(bad);
  return notify(NotifyType.COOKIE, cookie);
}

/** INVALID_KE_PAYLOAD (RFC 7296 §1.2): the DH group the responder wants, 2 octets. */
export function invalidKeNotify(group: number): NotifyPayload {
  if (!Number.isInteger(group) || group < 0 || group > 0xffff) throw new InvalidArgumentError(`DH group ${group}`);
  return notify(NotifyType.INVALID_KE_PAYLOAD, Uint8Array.of(group >>> 8, group & 0xff));
}

/** The group an INVALID_KE_PAYLOAD asks for (its data was checked to be 2 octets on decode). */
export function invalidKeGroupOf(n: NotifyPayload): number {
  if (n.notifyType !== NotifyType.INVALID_KE_PAYLOAD || n.data.length !== 2) throw invalidSyntax(`not an INVALID_KE_PAYLOAD with a group: ${notifyName(n.notifyType)}`);
  return (n.data[0]! << 8) | n.data[1]!;
}

/** REKEY_SA (RFC 7296 §1.3.3): names the Child SA being rekeyed by protocol and inbound SPI. */
export function rekeySaNotify(protocolId: typeof ProtocolId.AH | typeof ProtocolId.ESP, spi: number): NotifyPayload {
  return { type: 'notify', protocolId, spi: spiNumberToBytes(spi), notifyType: NotifyType.REKEY_SA, data: EMPTY };
}

/** The protocol and SPI a REKEY_SA names; INVALID_SYNTAX unless AH/ESP with a 4-octet SPI. */
export function rekeySaOf(n: NotifyPayload): { protocolId: number; spi: number } {
  if (n.notifyType !== NotifyType.REKEY_SA) throw invalidSyntax(`not a REKEY_SA: ${notifyName(n.notifyType)}`);
  if ((n.protocolId !== ProtocolId.AH && n.protocolId !== ProtocolId.ESP) || n.spi.length !== CHILD_SPI_SIZE) {
    throw invalidSyntax(`REKEY_SA for protocol ${n.protocolId} with a ${n.spi.length}-octet SPI`);
  }
  return { protocolId: n.protocolId, spi: spiNumberFromBytes(n.spi) };
}

/** A 4-octet AH/ESP SPI as carried in payloads. */
export function spiNumberToBytes(spi: number): Uint8Array {
  if (!Number.isInteger(spi) || spi < 0 || spi > 0xffffffff) throw new InvalidArgumentError(`SPI ${spi} does not fit 32 bits`);
  return Uint8Array.of(spi >>> 24, (spi >>> 16) & 0xff, (spi >>> 8) & 0xff, spi & 0xff);
}

/** An AH/ESP SPI as logs and views print it (strongSwan's way): 8 hex digits. */
export function formatChildSpi(spi: number): string {
  return (spi >>> 0).toString(16).padStart(8, '0');
}

export function spiNumberFromBytes(b: Uint8Array): number {
  if (b.length !== CHILD_SPI_SIZE) throw new InvalidArgumentError(`an AH/ESP SPI has ${CHILD_SPI_SIZE} octets, not ${b.length}`);
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}
