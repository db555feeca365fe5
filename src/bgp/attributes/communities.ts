import { InvalidArgumentError } from '../../core/errors.js';
import { expectNonZeroMultiple, type AttributeCodec, type WireFlags } from './codec.js';

/** COMMUNITIES (RFC 1997), optional transitive; malformed: length not a non-zero multiple of 4 (RFC 7606 §7.8). */
export interface CommunitiesAttribute extends WireFlags {
  type: 'communities';
  values: number[];
}

export const communitiesCodec: AttributeCodec<CommunitiesAttribute> = {
  encodedLength: (a) => 4 * a.values.length,
  encode: (a, w) => {
    if (a.values.length === 0) throw new InvalidArgumentError('a COMMUNITIES attribute needs at least one community');
    for (const c of a.values) w.u32(c);
  },
  decode: (r) => {
    expectNonZeroMultiple(r, 4, 'COMMUNITIES');
    const values: number[] = [];
    while (r.remaining > 0) values.push(r.u32());
    return { type: 'communities', values };
  },
};
