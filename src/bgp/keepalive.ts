import type { Reader } from '../core/bytes/reader.js';
import type { Writer } from '../core/bytes/writer.js';

/** KEEPALIVE (RFC 4271 §4.4): the header alone; the header check enforces length 19. */
export interface KeepaliveMessage {
  type: 'keepalive';
}

export const KEEPALIVE: KeepaliveMessage = Object.freeze({ type: 'keepalive' });

export function keepaliveEncodedLength(_k: KeepaliveMessage): number {
  return 0;
}

export function encodeKeepalive(_k: KeepaliveMessage, _w: Writer): void {
  // no body
}

export function decodeKeepalive(_r: Reader): KeepaliveMessage {
  return { type: 'keepalive' };
}
