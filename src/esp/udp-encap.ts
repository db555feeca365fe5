import { EspError, EspErrorCode } from './errors.js';
import { ESP_HEADER_LENGTH } from './packet.js';

/*
 * UDP encapsulation of ESP (RFC 3948) on the NAT-T port, shared with IKE (RFC 7296 §2.23):
 *
 *   - ESP:           the ESP packet as is; its SPI, never 0, is the first 4 bytes (§2.1);
 *   - IKE:           4 zero bytes, the Non-ESP Marker, then the IKE message (§2.2);
 *   - NAT-keepalive: a single 0xFF byte, to be dropped by the receiver (§2.3).
 *
 * The UDP checksum of UDP-encapsulated ESP should be sent as 0 and ignored on receipt (§3.1.2);
 * that is the UDP codec's business, not this file's.
 */

/** The NAT-T port (RFC 3948 §2). */
export const NAT_T_PORT = 4500;
/** The Non-ESP Marker that precedes IKE messages on port 4500. */
export const NON_ESP_MARKER: Readonly<Uint8Array> = new Uint8Array(4);
export const NAT_KEEPALIVE_BYTE = 0xff;

export type Udp4500Payload =
  | { readonly type: 'esp'; readonly packet: Uint8Array; readonly spi: number }
  | { readonly type: 'ike'; readonly message: Uint8Array }
  | { readonly type: 'keepalive' };

/** Sorts a UDP/4500 payload; `ERR_ESP_TRUNCATED` for anything too short to be ESP or IKE. */
export function classifyUdp4500(payload: Uint8Array): Udp4500Payload {
  if (payload.length === 1 && payload[0] === NAT_KEEPALIVE_BYTE) return { type: 'keepalive' };
  if (payload.length < 4) throw new EspError(EspErrorCode.Truncated, `${payload.length}-byte UDP/4500 payload is neither ESP, IKE nor a keepalive`);
  const spi = ((payload[0]! << 24) | (payload[1]! << 16) | (payload[2]! << 8) | payload[3]!) >>> 0;
  if (spi === 0) return { type: 'ike', message: payload.subarray(NON_ESP_MARKER.length) };
  if (payload.length < ESP_HEADER_LENGTH) throw new EspError(EspErrorCode.Truncated, `${payload.length}-byte ESP packet has no sequence number`);
  return { type: 'esp', packet: payload, spi };
}

/** An IKE message as sent on port 4500: Non-ESP Marker, then the message. */
export function ikeOverUdp4500(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(NON_ESP_MARKER.length + message.length);
  out.set(message, NON_ESP_MARKER.length);
  return out;
}

/** A NAT-keepalive payload. */
export function natKeepalive(): Uint8Array {
  return Uint8Array.of(NAT_KEEPALIVE_BYTE);
}
