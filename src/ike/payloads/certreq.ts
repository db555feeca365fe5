import type { PayloadCodec } from './generic.js';

/*
 * Certificate Request payload (RFC 7296 §3.7): Cert Encoding (1) | Certification Authority,
 * kept raw (for X.509 a concatenation of 20-octet SHA-1 hashes of trusted CAs' public keys).
 */

export interface CertReqPayload {
  type: 'certreq';
  encoding: number;
  authorities: Uint8Array;
}

export const certReqCodec: PayloadCodec<CertReqPayload> = {
  encodedLength: (p) => 1 + p.authorities.length,
  encode: (p, w) => void w.u8(p.encoding).bytes(p.authorities),
  decode(r) {
    const encoding = r.u8('CERTREQ Cert Encoding');
    return { type: 'certreq', encoding, authorities: r.rest() };
  },
};
