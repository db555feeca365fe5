import type { PayloadCodec } from './generic.js';

/*
 * Authentication payload (RFC 7296 §3.8): Auth Method (1) | RESERVED (3) | Authentication Data.
 * The method is an AuthMethod (constants.ts); computing and checking the data is the AUTH task's.
 */

export interface AuthPayload {
  type: 'auth';
  method: number;
  data: Uint8Array;
}

export const authCodec: PayloadCodec<AuthPayload> = {
  encodedLength: (p) => 4 + p.data.length,
  encode: (p, w) => void w.u8(p.method).zeros(3).bytes(p.data),
  decode(r) {
    const method = r.u8('AUTH Auth Method');
    r.skip(3, 'AUTH RESERVED');
    return { type: 'auth', method, data: r.rest() };
  },
};
