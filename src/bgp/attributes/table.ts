import type { ErrorAction } from '../errors.js';
import { UpdateMessageSubcode } from '../errors.js';
import { aggregatorCodec, as4AggregatorCodec, atomicAggregateCodec, type AggregatorAttribute, type As4AggregatorAttribute, type AtomicAggregateAttribute } from './aggregator.js';
import { as4PathCodec, asPathCodec, type As4PathAttribute, type AsPathAttribute } from './as-path.js';
import type { AttributeCodec } from './codec.js';
import { communitiesCodec, type CommunitiesAttribute } from './communities.js';
import { largeCommunitiesCodec, type LargeCommunitiesAttribute } from './large-communities.js';
import { localPrefCodec, type LocalPrefAttribute } from './local-pref.js';
import { medCodec, type MedAttribute } from './med.js';
import { mpReachCodec, mpUnreachCodec, type MpReachAttribute, type MpUnreachAttribute } from './mp-reach.js';
import { nextHopCodec, type NextHopAttribute } from './next-hop.js';
import { originCodec, type OriginAttribute } from './origin.js';
import { clusterListCodec, originatorIdCodec, type ClusterListAttribute, type OriginatorIdAttribute } from './route-reflection.js';
import type { UnknownAttribute } from './unknown.js';

/*
 * The path attribute table (after BIRD's bgp_attr_table[]): for each type code, its name, the
 * Optional/Transitive flags it must carry, its value codec, and what RFC 7606 says to do when it
 * is malformed or its flags are wrong. The attribute list decoder is generic over this table.
 */

/** Path attribute type codes (IANA "BGP Path Attributes"). */
export const AttrCode = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  EXTENDED_COMMUNITIES: 16,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  LARGE_COMMUNITY: 32,
} as const;

/** Attribute Flags (RFC 4271 §4.3); the low four bits are unused. */
export const AttrFlag = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const;

const WELL_KNOWN = AttrFlag.TRANSITIVE;
const OPTIONAL_TRANSITIVE = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
const OPTIONAL_NON_TRANSITIVE = AttrFlag.OPTIONAL;
export const OT_MASK = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;

export type KnownAttribute =
  | OriginAttribute
  | AsPathAttribute
  | NextHopAttribute
  | MedAttribute
  | LocalPrefAttribute
  | AtomicAggregateAttribute
  | AggregatorAttribute
  | CommunitiesAttribute
  | OriginatorIdAttribute
  | ClusterListAttribute
  | MpReachAttribute
  | MpUnreachAttribute
  | As4PathAttribute
  | As4AggregatorAttribute
  | LargeCommunitiesAttribute;

/** One path attribute as carried in an UPDATE, discriminated on `type`. */
export type PathAttribute = KnownAttribute | UnknownAttribute;

export interface AttributeRule<A extends KnownAttribute = KnownAttribute> {
  code: number;
  name: string;
  type: A['type'];
  /** The Optional and Transitive bits the attribute must carry. */
  flags: number;
  /** RFC 7606 handling of a malformed value (§7 per attribute; §5.3 / §7.11 for the MP pair). */
  onMalformed: ErrorAction;
  /** RFC 7606 §3 (c): wrong Optional/Transitive bits, unless the attribute's RFC says otherwise. */
  onFlagsError: ErrorAction;
  /** RFC 7606 §7.5, §7.9, §7.10: from an external peer the attribute is discarded unread. */
  externalDiscard: boolean;
  /** RFC 7606 §3 (g): a second occurrence resets the session instead of being discarded. */
  duplicateResets: boolean;
  /** Subcode for a value the codec could not even read (the codec's own errors say better). */
  lengthSubcode: number;
  codec: AttributeCodec<A>;
}

type Rules = { [K in KnownAttribute['type']]: AttributeRule<Extract<KnownAttribute, { type: K }>> };

const LENGTH = UpdateMessageSubcode.AttributeLengthError;
const OPTIONAL_ERROR = UpdateMessageSubcode.OptionalAttributeError;

function rule<A extends KnownAttribute>(
  code: number, name: string, type: A['type'], flags: number, onMalformed: ErrorAction, codec: AttributeCodec<A>,
  extra: Partial<Pick<AttributeRule<A>, 'onFlagsError' | 'externalDiscard' | 'duplicateResets' | 'lengthSubcode'>> = {},
): AttributeRule<A> {
  return {
    code, name, type, flags, onMalformed, codec,
    onFlagsError: extra.onFlagsError ?? 'treat-as-withdraw',
    externalDiscard: extra.externalDiscard ?? false,
    duplicateResets: extra.duplicateResets ?? false,
    lengthSubcode: extra.lengthSubcode ?? LENGTH,
  };
}

export const ATTRIBUTE_RULES: Readonly<Rules> = Object.freeze({
  // RFC 7606 §7.1–7.4: route selection depends on these, so never attribute discard.
  origin: rule(AttrCode.ORIGIN, 'ORIGIN', 'origin', WELL_KNOWN, 'treat-as-withdraw', originCodec),
  'as-path': rule(AttrCode.AS_PATH, 'AS_PATH', 'as-path', WELL_KNOWN, 'treat-as-withdraw', asPathCodec,
    { lengthSubcode: UpdateMessageSubcode.MalformedAsPath }),
  'next-hop': rule(AttrCode.NEXT_HOP, 'NEXT_HOP', 'next-hop', WELL_KNOWN, 'treat-as-withdraw', nextHopCodec),
  med: rule(AttrCode.MULTI_EXIT_DISC, 'MULTI_EXIT_DISC', 'med', OPTIONAL_NON_TRANSITIVE, 'treat-as-withdraw', medCodec),
  // §7.5: discarded from eBGP peers, treat-as-withdraw when malformed from iBGP peers.
  'local-pref': rule(AttrCode.LOCAL_PREF, 'LOCAL_PREF', 'local-pref', WELL_KNOWN, 'treat-as-withdraw', localPrefCodec,
    { externalDiscard: true }),
  // §7.6, §7.7: no effect on route selection, so attribute discard (flag errors stay §3 (c)).
  'atomic-aggregate': rule(AttrCode.ATOMIC_AGGREGATE, 'ATOMIC_AGGREGATE', 'atomic-aggregate', WELL_KNOWN, 'attribute-discard', atomicAggregateCodec),
  aggregator: rule(AttrCode.AGGREGATOR, 'AGGREGATOR', 'aggregator', OPTIONAL_TRANSITIVE, 'attribute-discard', aggregatorCodec),
  // §7.8.
  communities: rule(AttrCode.COMMUNITIES, 'COMMUNITIES', 'communities', OPTIONAL_TRANSITIVE, 'treat-as-withdraw', communitiesCodec),
  // §7.9, §7.10.
  'originator-id': rule(AttrCode.ORIGINATOR_ID, 'ORIGINATOR_ID', 'originator-id', OPTIONAL_NON_TRANSITIVE, 'treat-as-withdraw', originatorIdCodec,
    { externalDiscard: true }),
  'cluster-list': rule(AttrCode.CLUSTER_LIST, 'CLUSTER_LIST', 'cluster-list', OPTIONAL_NON_TRANSITIVE, 'treat-as-withdraw', clusterListCodec,
    { externalDiscard: true }),
  // §5.3, §7.11: the NLRI cannot be trusted, so session reset (or AFI/SAFI disable when enabled);
  // §3 (g): a duplicate resets the session too.
  'mp-reach': rule(AttrCode.MP_REACH_NLRI, 'MP_REACH_NLRI', 'mp-reach', OPTIONAL_NON_TRANSITIVE, 'session-reset', mpReachCodec,
    { onFlagsError: 'session-reset', duplicateResets: true, lengthSubcode: OPTIONAL_ERROR }),
  'mp-unreach': rule(AttrCode.MP_UNREACH_NLRI, 'MP_UNREACH_NLRI', 'mp-unreach', OPTIONAL_NON_TRANSITIVE, 'session-reset', mpUnreachCodec,
    { onFlagsError: 'session-reset', duplicateResets: true, lengthSubcode: OPTIONAL_ERROR }),
  // RFC 6793 §6: a malformed AS4_PATH or AS4_AGGREGATOR is discarded and the UPDATE processed.
  'as4-path': rule(AttrCode.AS4_PATH, 'AS4_PATH', 'as4-path', OPTIONAL_TRANSITIVE, 'attribute-discard', as4PathCodec,
    { onFlagsError: 'attribute-discard', lengthSubcode: OPTIONAL_ERROR }),
  'as4-aggregator': rule(AttrCode.AS4_AGGREGATOR, 'AS4_AGGREGATOR', 'as4-aggregator', OPTIONAL_TRANSITIVE, 'attribute-discard', as4AggregatorCodec,
    { onFlagsError: 'attribute-discard' }),
  // RFC 8092 §6.
  'large-communities': rule(AttrCode.LARGE_COMMUNITY, 'LARGE_COMMUNITY', 'large-communities', OPTIONAL_TRANSITIVE, 'treat-as-withdraw', largeCommunitiesCodec),
});

const BY_CODE: (AttributeRule | undefined)[] = new Array<AttributeRule | undefined>(256).fill(undefined);
for (const r of Object.values(ATTRIBUTE_RULES) as AttributeRule[]) BY_CODE[r.code] = r;

/** The rule for a type code, or undefined for an attribute this speaker does not recognise. */
export function ruleForCode(code: number): AttributeRule | undefined {
  return BY_CODE[code];
}

/** The rule for a decoded attribute (typed loosely: the table is heterogeneous). */
export function ruleFor(a: KnownAttribute): AttributeRule {
  return ATTRIBUTE_RULES[a.type] as unknown as AttributeRule;
}

export function attributeCode(a: PathAttribute): number {
  return a.type === 'unknown' ? a.code : ruleFor(a).code;
}
