import type { Reader } from '../core/bytes/reader.js';
import type { Writer } from '../core/bytes/writer.js';
import type { BgpError } from './errors.js';

/** NOTIFICATION (RFC 4271 §4.5): error code, subcode, and a Data field running to the end. */
export interface NotificationMessage {
  type: 'notification';
  code: number;
  subcode: number;
  data: Uint8Array;
}

export function notificationEncodedLength(n: NotificationMessage): number {
  return 2 + n.data.length;
}

export function encodeNotification(n: NotificationMessage, w: Writer): void {
  w.u8(n.code).u8(n.subcode).bytes(n.data);
}

/** The header check guarantees the 2 octets; any code and subcode are accepted (RFC 4271 §6.4). */
export function decodeNotification(r: Reader): NotificationMessage {
  return { type: 'notification', code: r.u8('NOTIFICATION code'), subcode: r.u8('NOTIFICATION subcode'), data: r.rest() };
}

/** The NOTIFICATION a session sends for an error. */
export function notificationFor(e: BgpError): NotificationMessage {
  return { type: 'notification', code: e.errorCode, subcode: e.subcode, data: e.data };
}
