import { InvalidArgumentError } from '../../core/errors.js';
import type { Ipv4Address } from '../../net/address.js';
import { expectLength, expectNonZeroMultiple, type AttributeCodec, type WireFlags } from './codec.js';

/*
 * Route reflection (RFC 4456 §8), both optional non-transitive and iBGP only: from an external
 * peer they are discarded unread; from an internal one ORIGINATOR_ID is malformed unless 4 octets
 * and CLUSTER_LIST unless a non-zero multiple of 4 (RFC 7606 §7.9, §7.10: treat-as-withdraw).
 */

export interface OriginatorIdAttribute extends WireFlags {
  type: 'originator-id';
  id: Ipv4Address;
}

export interface ClusterListAttribute extends WireFlags {
  type: 'cluster-list';
  ids: number[];
}

export const originatorIdCodec: AttributeCodec<OriginatorIdAttribute> = {
  encodedLength: () => 4,
  encode: (a, w) => {
    w.u32(a.id);
  },
  decode: (r) => {
    expectLength(r, 4, 'ORIGINATOR_ID');
    return { type: 'originator-id', id: r.u32() };
  },
};

export const clusterListCodec: AttributeCodec<ClusterListAttribute> = {
  encodedLength: (a) => 4 * a.ids.length,
  encode: (a, w) => {
    if (a.ids.length === 0) throw new InvalidArgumentError('a CLUSTER_LIST needs at least one cluster ID');
    for (const id of a.ids) w.u32(id);
  },
  decode: (r) => {
    expectNonZeroMultiple(r, 4, 'CLUSTER_LIST');
    const ids: number[] = [];
    while (r.remaining > 0) ids.push(r.u32());
    return { type: 'cluster-list', ids };
  },
};
