import type { PayloadCodec } from './generic.js';

/* Vendor ID payload (RFC 7296 §3.12): the Vendor ID alone, opaque. */

export interface VendorIdPayload {
  type: 'vendor-id';
  data: Uint8Array;
}

export const vendorIdCodec: PayloadCodec<VendorIdPayload> = {
  encodedLength: (p) => p.data.length,
  encode: (p, w) => void w.bytes(p.data),
  decode: (r) => ({ type: 'vendor-id', data: r.rest() }),
};
