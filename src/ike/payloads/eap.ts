import type { PayloadCodec } from './generic.js';

/*
 * EAP payload (RFC 7296 §3.16): one EAP message (RFC 3748), kept whole; its Code, Identifier and
 * Length are the EAP method's to read.
 */

export interface EapPayload {
  type: 'eap';
  message: Uint8Array;
}

export const eapCodec: PayloadCodec<EapPayload> = {
  encodedLength: (p) => p.message.length,
  encode: (p, w) => void w.bytes(p.message),
  decode: (r) => ({ type: 'eap', message: r.rest() }),
};
