import type { PayloadCodec } from './generic.js';

/*
 * Certificate payload (RFC 7296 §3.6): Cert Encoding (1) | Certificate Data, kept raw; the
 * encoding is a CertEncoding (constants.ts).
 */

export interface CertPayload {
  type: 'cert';
  encoding: number;
  data: Uint8Array;
}

export const certCodec: PayloadCodec<CertPayload> = {
  encodedLength: (p) => 1 + p.data.length,
  encode: (p, w) => void w.u8(p.encoding).bytes(p.data),
  decode(r) {
    const encoding = r.u8('CERT Cert Encoding');
    return { type: 'cert', encoding, data: r.rest() };
  },
};
