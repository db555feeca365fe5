import { expectLength, type AttributeCodec, type WireFlags } from './codec.js';

/**
 * LOCAL_PREF (RFC 4271 §5.1.5), well-known; from an external peer it is discarded unread, from an
 * internal one it is malformed when its length is not 4 (RFC 7606 §7.5).
 */
export interface LocalPrefAttribute extends WireFlags {
  type: 'local-pref';
  value: number;
}

export const localPrefCodec: AttributeCodec<LocalPrefAttribute> = {
  encodedLength: () => 4,
  encode: (a, w) => {
    w.u32(a.value);
  },
  decode: (r) => {
    expectLength(r, 4, 'LOCAL_PREF');
    return { type: 'local-pref', value: r.u32() };
  },
};
