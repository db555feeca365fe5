import { expectLength, type AttributeCodec, type WireFlags } from './codec.js';

/** MULTI_EXIT_DISC (RFC 4271 §5.1.4), optional non-transitive; malformed: length not 4 (RFC 7606 §7.4). */
export interface MedAttribute extends WireFlags {
  type: 'med';
  value: number;
}

export const medCodec: AttributeCodec<MedAttribute> = {
  encodedLength: () => 4,
  encode: (a, w) => {
    w.u32(a.value);
  },
  decode: (r) => {
    expectLength(r, 4, 'MULTI_EXIT_DISC');
    return { type: 'med', value: r.u32() };
  },
};
