import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Prefix } from '../../src/net/address.js';
import { maskOf } from '../../src/net/address.js';
import type { PathAttribute } from '../../src/bgp/attributes/table.js';
import { attributeCode } from '../../src/bgp/attributes/table.js';
import type { Capability } from '../../src/bgp/capabilities.js';
import type { DecodeContext } from '../../src/bgp/context.js';
import { BgpError, type ErrorAction } from '../../src/bgp/errors.js';
import { decodeMessage } from '../../src/bgp/message.js';
import type { OpenMessage } from '../../src/bgp/open.js';
import type { UpdateMessage, UpdateOutcome } from '../../src/bgp/update.js';
import type { AsPathSegment, LargeCommunity, PathAttributes } from '../../src/bgp/types.js';
import { hex } from '../helpers/round-trip.js';

/** Contexts: eBGP and iBGP, 2- and 4-octet AS sessions. */
export const EBGP4: DecodeContext = { fourOctetAs: true, external: true };
export const EBGP2: DecodeContext = { fourOctetAs: false, external: true };
export const IBGP4: DecodeContext = { fourOctetAs: true, external: false };
export const IBGP2: DecodeContext = { fourOctetAs: false, external: false };

/** A whole message from a commented hex body: the header (marker, length, type) is added. */
export function message(type: number, body: string): Uint8Array {
  const b = body.trim() === '' ? new Uint8Array(0) : hex(body);
  const out = new Uint8Array(19 + b.length);
  out.fill(0xff, 0, 16);
  out[16] = (out.length >>> 8) & 0xff;
  out[17] = out.length & 0xff;
  out[18] = type;
  out.set(b, 19);
  return out;
}

export const update = (body: string): Uint8Array => message(2, body);

export function decodeUpdateBytes(raw: Uint8Array, ctx: DecodeContext = IBGP4): UpdateOutcome {
  const m = decodeMessage(raw, ctx);
  assert.equal(m.type, 'update');
  return m as UpdateOutcome;
}

/** Asserts `fn` throws a BgpError with this code, subcode and (when given) data and action. */
export function throwsBgp(fn: () => unknown, code: number, subcode: number, data?: Uint8Array, action: ErrorAction = 'session-reset'): BgpError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof BgpError, `expected a BgpError, got ${String(caught)}`);
  assert.equal(caught.errorCode, code, `error code (${caught.message})`);
  assert.equal(caught.subcode, subcode, `subcode (${caught.message})`);
  if (data !== undefined) assert.deepEqual(caught.data, data, 'data');
  assert.equal(caught.action, action, 'action');
  return caught;
}

export { deepPlain } from '../helpers/round-trip.js';

// ---------------------------------------------------------------------------------------------
// Arbitraries

export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });

export const prefix: fc.Arbitrary<Prefix> = fc.tuple(u32, fc.integer({ min: 0, max: 32 }))
  .map(([address, length]) => ({ address: (address & maskOf(length)) >>> 0, length }));

/** A next hop a router can have (no 0/8, 127/8 or class D/E). */
export const nextHop = fc.tuple(fc.integer({ min: 1, max: 223 }).filter((o) => o !== 127), fc.integer({ min: 0, max: 0xffffff }))
  .map(([o, rest]) => ((o << 24) | rest) >>> 0);

const asn = (fourOctet: boolean): fc.Arbitrary<number> => (fourOctet ? fc.oneof(u16, u32) : u16);

export function segment(fourOctet: boolean, types: AsPathSegment['type'][] = ['sequence', 'set', 'confed-sequence', 'confed-set']): fc.Arbitrary<AsPathSegment> {
  return fc.tuple(fc.constantFrom(...types), fc.array(asn(fourOctet), { minLength: 1, maxLength: 8 }))
    .map(([type, asns]) => ({ type, asns }));
}

const flagsExtra = (optionalTransitive: boolean) => fc.record({
  partial: optionalTransitive ? fc.option(fc.constant(true as const), { nil: undefined }) : fc.constant(undefined),
  extendedLength: fc.option(fc.constant(true as const), { nil: undefined }),
});

function withFlags<A extends object>(arb: fc.Arbitrary<A>, optionalTransitive: boolean): fc.Arbitrary<A> {
  return fc.tuple(arb, flagsExtra(optionalTransitive)).map(([a, f]) => {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    if (f.partial !== undefined) out.partial = true;
    if (f.extendedLength !== undefined) out.extendedLength = true;
    return out as A;
  });
}

const largeCommunity: fc.Arbitrary<LargeCommunity> = fc.tuple(u32, u32, u32).map(([globalAdmin, localData1, localData2]) => ({ globalAdmin, localData1, localData2 }));
const KNOWN_CODES = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 17, 18, 32]);

/** One wire-level attribute of each kind, valid for a session of the given AS size. */
export function wireAttributes(fourOctet: boolean): Record<string, fc.Arbitrary<PathAttribute>> {
  const asnArb = asn(fourOctet);
  const bytes = (max: number) => fc.uint8Array({ maxLength: max });
  return {
    origin: withFlags(fc.integer({ min: 0, max: 2 }).map((o) => ({ type: 'origin' as const, origin: o as 0 | 1 | 2 })), false),
    asPath: withFlags(fc.array(segment(fourOctet), { maxLength: 4 }).map((segments) => ({ type: 'as-path' as const, segments })), false),
    nextHop: withFlags(nextHop.map((address) => ({ type: 'next-hop' as const, address })), false),
    med: withFlags(u32.map((value) => ({ type: 'med' as const, value })), false),
    localPref: withFlags(u32.map((value) => ({ type: 'local-pref' as const, value })), false),
    atomic: withFlags(fc.constant({ type: 'atomic-aggregate' as const }), false),
    aggregator: withFlags(fc.tuple(asnArb, u32).map(([a, address]) => ({ type: 'aggregator' as const, asn: a, address })), true),
    communities: withFlags(fc.array(u32, { minLength: 1, maxLength: 8 }).map((values) => ({ type: 'communities' as const, values })), true),
    originatorId: withFlags(u32.map((id) => ({ type: 'originator-id' as const, id })), false),
    clusterList: withFlags(fc.array(u32, { minLength: 1, maxLength: 4 }).map((ids) => ({ type: 'cluster-list' as const, ids })), false),
    mpReach: withFlags(fc.oneof(
      fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.array(prefix, { maxLength: 6 }))
        .map(([nh, nlri]) => ({ type: 'mp-reach' as const, afi: 1, safi: 1, nextHop: nh, nlri })),
      fc.tuple(u16, u8, bytes(32), bytes(40)).filter(([afi, safi]) => !(afi === 1 && safi === 1))
        .map(([afi, safi, nh, raw]) => ({ type: 'mp-reach' as const, afi, safi, nextHop: nh, nlri: [], rawNlri: raw })),
    ), false),
    mpUnreach: withFlags(fc.oneof(
      fc.array(prefix, { maxLength: 6 }).map((withdrawn) => ({ type: 'mp-unreach' as const, afi: 1, safi: 1, withdrawn })),
      fc.tuple(u16, u8, bytes(40)).filter(([afi, safi]) => !(afi === 1 && safi === 1))
        .map(([afi, safi, raw]) => ({ type: 'mp-unreach' as const, afi, safi, withdrawn: [], rawWithdrawn: raw })),
    ), false),
    as4Path: withFlags(fc.array(segment(true), { maxLength: 3 }).map((segments) => ({ type: 'as4-path' as const, segments })), true),
    as4Aggregator: withFlags(fc.tuple(u32, u32).map(([a, address]) => ({ type: 'as4-aggregator' as const, asn: a, address })), true),
    large: withFlags(fc.array(largeCommunity, { minLength: 1, maxLength: 4 }).map((values) => ({ type: 'large-communities' as const, values })), true),
    unknown: fc.tuple(u8.filter((c) => !KNOWN_CODES.has(c)), fc.integer({ min: 0, max: 0x7f }), bytes(24))
      .map(([code, f, value]) => ({ type: 'unknown' as const, flags: 0x80 | f, code, value })),
  };
}

/**
 * A valid UPDATE (wire form) for an iBGP session: ORIGIN, AS_PATH and NEXT_HOP always, any other
 * attributes at most once each, in any order.
 */
export function updateMessage(fourOctet: boolean): fc.Arbitrary<UpdateMessage> {
  const a = wireAttributes(fourOctet);
  const { origin, asPath, nextHop: nh, ...rest } = a;
  return fc.record({
    withdrawn: fc.array(prefix, { maxLength: 8 }),
    mandatory: fc.tuple(origin!, asPath!, nh!),
    others: fc.uniqueArray(fc.oneof(...Object.values(rest)), { maxLength: 8, selector: (x) => attributeCode(x) }),
    nlri: fc.array(prefix, { maxLength: 8 }),
  }).chain(({ withdrawn, mandatory, others, nlri }) =>
    fc.shuffledSubarray([...mandatory, ...others], { minLength: mandatory.length + others.length }).map((attributes) => ({
      type: 'update' as const, withdrawn, attributes, nlri,
    })));
}

/** Logical attributes as the RIB holds them (4-octet ASNs; confederation segments lead the path). */
export function pathAttributes(): fc.Arbitrary<PathAttributes> {
  const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  return fc.record({
    origin: fc.integer({ min: 0, max: 2 }),
    confed: fc.array(segment(false, ['confed-sequence', 'confed-set']), { maxLength: 1 }),
    path: fc.array(segment(true, ['sequence', 'set']), { maxLength: 4 }),
    nextHop: nextHop,
    med: opt(u32),
    localPref: opt(u32),
    atomicAggregate: opt(fc.constant(true)),
    aggregator: opt(fc.tuple(asn(true), u32).map(([a, address]) => ({ asn: a, address }))),
    communities: opt(fc.array(u32, { minLength: 1, maxLength: 6 })),
    largeCommunities: opt(fc.array(largeCommunity, { minLength: 1, maxLength: 3 })),
    originatorId: opt(u32),
    clusterList: opt(fc.array(u32, { minLength: 1, maxLength: 3 })),
    unknown: opt(fc.uniqueArray(fc.tuple(u8.filter((c) => !KNOWN_CODES.has(c)), fc.uint8Array({ maxLength: 12 }))
      .map(([type, value]) => ({ flags: 0xe0, type, value })), { minLength: 1, maxLength: 2, selector: (u) => u.type })),
  }).map((r) => {
    const out: Record<string, unknown> = { origin: r.origin, asPath: [...r.confed, ...r.path], nextHop: r.nextHop };
    for (const k of ['med', 'localPref', 'atomicAggregate', 'aggregator', 'communities', 'largeCommunities', 'originatorId', 'clusterList'] as const) {
      if (r[k] !== undefined) out[k] = r[k];
    }
    if (r.unknown !== undefined) out.unknown = [...r.unknown].sort((x, y) => x.type - y.type);
    return out as unknown as PathAttributes;
  });
}

export const capability: fc.Arbitrary<Capability> = fc.oneof(
  fc.tuple(u16, u8).map(([afi, safi]) => ({ type: 'multiprotocol' as const, afi, safi })),
  fc.constantFrom(2 as const, 128 as const).map((code) => ({ type: 'route-refresh' as const, code })),
  fc.constant({ type: 'enhanced-route-refresh' as const }),
  fc.constant({ type: 'extended-message' as const }),
  u32.map((a) => ({ type: 'four-octet-as' as const, asn: a })),
  fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 0xfff }), fc.array(fc.tuple(u16, u8, u8), { maxLength: 4 }))
    .map(([flags, restartTime, fams]) => ({ type: 'graceful-restart' as const, flags, restartTime, families: fams.map(([afi, safi, f]) => ({ afi, safi, flags: f })) })),
  fc.tuple(u8.filter((c) => ![1, 2, 6, 64, 65, 70, 128].includes(c)), fc.uint8Array({ maxLength: 16 }))
    .map(([code, value]) => ({ type: 'unknown' as const, code, value })),
);

export const openMessage = (maxParams = 6, maxCaps = 5): fc.Arbitrary<OpenMessage> => fc.record({
  myAs: u16,
  holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
  bgpId: fc.integer({ min: 1, max: 0xffffffff }),
  parameters: fc.array(fc.array(capability, { maxLength: maxCaps }).map((capabilities) => ({ type: 'capabilities' as const, capabilities })), { maxLength: maxParams }),
}).map((r) => ({ type: 'open' as const, ...r }));
