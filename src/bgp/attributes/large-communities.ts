import { InvalidArgumentError } from '../../core/errors.js';
import type { LargeCommunity } from '../types.js';
import { expectNonZeroMultiple, type AttributeCodec, type WireFlags } from './codec.js';

/**
 * LARGE_COMMUNITY (RFC 8092), optional transitive: 12-octet Global Administrator / Local Data
 * Part 1 / Local Data Part 2 triples. Malformed when the length is not a non-zero multiple of 12,
 * handled by treat-as-withdraw; duplicates are not an error (RFC 8092 §6).
 */
export interface LargeCommunitiesAttribute extends WireFlags {
  type: 'large-communities';
  values: LargeCommunity[];
}

export const largeCommunitiesCodec: AttributeCodec<LargeCommunitiesAttribute> = {
  encodedLength: (a) => 12 * a.values.length,
  encode: (a, w) => {
    if (a.values.length === 0) throw new InvalidArgumentError('a LARGE_COMMUNITY attribute needs at least one community');
    for (const c of a.values) w.u32(c.globalAdmin).u32(c.localData1).u32(c.localData2);
  },
  decode: (r) => {
    expectNonZeroMultiple(r, 12, 'LARGE_COMMUNITY');
    const values: LargeCommunity[] = [];
    while (r.remaining > 0) values.push({ globalAdmin: r.u32(), localData1: r.u32(), localData2: r.u32() });
    return { type: 'large-communities', values };
  },
};
