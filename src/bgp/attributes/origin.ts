import { UpdateMessageSubcode, updateError } from '../errors.js';
import { Origin } from '../types.js';
import { expectLength, type AttributeCodec, type WireFlags } from './codec.js';

/** ORIGIN (RFC 4271 §5.1.1), well-known mandatory; malformed: length not 1 or value over 2 (RFC 7606 §7.1). */
export interface OriginAttribute extends WireFlags {
  type: 'origin';
  origin: Origin;
}

export const originCodec: AttributeCodec<OriginAttribute> = {
  encodedLength: () => 1,
  encode: (a, w) => {
    w.u8(a.origin);
  },
  decode: (r) => {
    expectLength(r, 1, 'ORIGIN');
    const value = r.u8();
    if (value > Origin.INCOMPLETE) throw updateError(UpdateMessageSubcode.InvalidOriginAttribute, `ORIGIN value ${value} is undefined`);
    return { type: 'origin', origin: value as Origin };
  },
};
