import type { PayloadCodec } from './generic.js';

/*
 * Encrypted and Authenticated payload SK (RFC 7296 §3.14): Initialization Vector | Encrypted
 * IKE Payloads | Padding | Pad Length | Integrity Checksum Data. This codec only frames it: the
 * body stays opaque and the crypto layer encrypts and decrypts it. Its generic header's Next
 * Payload is the type of the first payload inside (`firstPayload`), so SK is always the last
 * payload of a message and its body the message's last octets: the integrity checksum covers
 * everything before the ICV, and an AEAD's associated data is everything before the IV
 * (RFC 5282 §5.1), both found from the end of the message.
 */

export interface SkPayload {
  type: 'sk';
  /** Payload type of the first payload inside, 0 when it is empty. */
  firstPayload: number;
  body: Uint8Array;
}

export const skCodec: PayloadCodec<SkPayload> = {
  encodedLength: (p) => p.body.length,
  encode: (p, w) => void w.bytes(p.body),
  decode: (r, h) => ({ type: 'sk', firstPayload: h.nextPayload, body: r.rest() }),
};
