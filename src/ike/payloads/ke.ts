import type { PayloadCodec } from './generic.js';

/*
 * Key Exchange payload (RFC 7296 §3.4): Diffie-Hellman Group Num (2) | RESERVED (2) | Key
 * Exchange Data. The group is a DhGroup (crypto/iana.ts); the data's length per group is the
 * key exchange's to check (RFC 7296 §3.4: a wrong length is INVALID_SYNTAX there).
 */

export interface KePayload {
  type: 'ke';
  group: number;
  data: Uint8Array;
}

export const keCodec: PayloadCodec<KePayload> = {
  encodedLength: (p) => 4 + p.data.length,
  encode: (p, w) => void w.u16(p.group).u16(0).bytes(p.data),
  decode(r) {
    const group = r.u16('KE Diffie-Hellman Group Num');
    r.skip(2, 'KE RESERVED');
    return { type: 'ke', group, data: r.rest() };
  },
};
