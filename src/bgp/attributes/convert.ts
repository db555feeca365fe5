import { InvalidArgumentError } from '../../core/errors.js';
import type { CodecContext } from '../context.js';
import { AS_TRANS, type AsPathSegment, type PathAttributes, type RawAttribute } from '../types.js';
import { MAX_SEGMENT_ASNS } from './as-path.js';
import { AttrFlag, attributeCode, ruleForCode, type PathAttribute } from './table.js';

/*
 * Between the attributes of an UPDATE (wire form: per session AS number size, AS4_PATH and
 * AS4_AGGREGATOR as separate attributes) and PathAttributes, the logical form the RIBs hold
 * (4-octet AS numbers throughout). RFC 6793 §4.2.3 on decode, §4.2.2 on encode.
 */

const MAX_2_OCTET_ASN = 0xffff;
const isConfed = (s: AsPathSegment): boolean => s.type === 'confed-sequence' || s.type === 'confed-set';

/** The number of ASNs for the merge (RFC 6793 §4.2.3): a set counts one, confederation segments none. */
export function asPathCount(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === 'sequence') n += s.asns.length;
    else if (s.type === 'set') n += 1;
  }
  return n;
}

/**
 * RFC 6793 §4.2.3: the AS path of a route from a 2-octet speaker. When the AS_PATH holds fewer
 * ASNs than the AS4_PATH, the AS4_PATH is ignored; otherwise the leading ASNs of the AS_PATH
 * (those added by 2-octet speakers after the AS4_PATH was formed) are prepended to the AS4_PATH.
 * Leading confederation segments stay (AS4_PATH cannot carry them: RFC 6793 §6 discards them).
 */
export function mergeAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[]): AsPathSegment[] {
  const tail = as4Path.filter((s) => !isConfed(s));
  const total = asPathCount(asPath);
  const tailCount = asPathCount(tail);
  if (total < tailCount) return asPath.map(copySegment);
  let remaining = total - tailCount;
  const lead: AsPathSegment[] = [];
  for (const s of asPath) {
    if (isConfed(s)) {
      lead.push(copySegment(s));
      continue;
    }
    if (remaining === 0) break;
    if (s.type === 'set') {
      lead.push(copySegment(s));
      remaining -= 1;
      continue;
    }
    const take = Math.min(remaining, s.asns.length);
    lead.push({ type: 'sequence', asns: s.asns.slice(0, take) });
    remaining -= take;
  }
  const merged = [...lead, ...tail.map(copySegment)];
  // A sequence split between the two attributes is one sequence again.
  const at = lead.length;
  const left = merged[at - 1];
  const right = merged[at];
  if (left?.type === 'sequence' && right?.type === 'sequence' && left.asns.length + right.asns.length <= MAX_SEGMENT_ASNS) {
    merged.splice(at - 1, 2, { type: 'sequence', asns: [...left.asns, ...right.asns] });
  }
  return merged;
}

function copySegment(s: AsPathSegment): AsPathSegment {
  return { type: s.type, asns: [...s.asns] };
}

/**
 * RFC 6793 §4.2.2: for a 2-octet session, the AS_PATH with AS_TRANS for every ASN over 65535, and
 * the AS4_PATH (the path without confederation segments) when any such ASN is there.
 */
export function splitAs4Path(asPath: readonly AsPathSegment[]): { asPath: AsPathSegment[]; as4Path?: AsPathSegment[] } {
  const mapped = asPath.map((s) => ({ type: s.type, asns: s.asns.map((a) => (a > MAX_2_OCTET_ASN ? AS_TRANS : a)) }));
  const needed = asPath.some((s) => !isConfed(s) && s.asns.some((a) => a > MAX_2_OCTET_ASN));
  return needed ? { asPath: mapped, as4Path: asPath.filter((s) => !isConfed(s)).map(copySegment) } : { asPath: mapped };
}

function first<T extends PathAttribute['type']>(list: readonly PathAttribute[], type: T): Extract<PathAttribute, { type: T }> | undefined {
  for (const a of list) if (a.type === type) return a as Extract<PathAttribute, { type: T }>;
  return undefined;
}

/**
 * The logical attributes of a decoded attribute list, or undefined when ORIGIN or AS_PATH is
 * missing. MP_REACH / MP_UNREACH are not path attributes here (the UPDATE outcome places their
 * routes); AS4_PATH and AS4_AGGREGATOR are merged on a 2-octet session and ignored on a 4-octet
 * one (RFC 6793 §4.1); unknown attributes are kept with their flags for the RIB to filter.
 */
export function toPathAttributes(list: readonly PathAttribute[], ctx: CodecContext): PathAttributes | undefined {
  const origin = first(list, 'origin');
  const asPath = first(list, 'as-path');
  if (origin === undefined || asPath === undefined) return undefined;
  const out: PathAttributes = { origin: origin.origin, asPath: asPath.segments.map(copySegment) };
  let aggregator = first(list, 'aggregator');
  let as4Path = ctx.fourOctetAs ? undefined : first(list, 'as4-path');
  const as4Aggregator = ctx.fourOctetAs ? undefined : first(list, 'as4-aggregator');
  if (aggregator !== undefined && as4Aggregator !== undefined) {
    // RFC 6793 §4.2.3: an AGGREGATOR without AS_TRANS was added by a 2-octet speaker after the
    // AS4 attributes: both are then stale and ignored.
    if (aggregator.asn === AS_TRANS) aggregator = { type: 'aggregator', asn: as4Aggregator.asn, address: as4Aggregator.address };
    else as4Path = undefined;
  }
  if (as4Path !== undefined) out.asPath = mergeAs4Path(asPath.segments, as4Path.segments);
  for (const a of list) {
    switch (a.type) {
      case 'next-hop': out.nextHop = a.address; break;
      case 'med': out.med = a.value; break;
      case 'local-pref': out.localPref = a.value; break;
      case 'atomic-aggregate': out.atomicAggregate = true; break;
      case 'communities': out.communities = [...a.values]; break;
      case 'large-communities': out.largeCommunities = a.values.map((c) => ({ ...c })); break;
      case 'originator-id': out.originatorId = a.id; break;
      case 'cluster-list': out.clusterList = [...a.ids]; break;
      case 'unknown': (out.unknown ??= []).push({ flags: a.flags, type: a.code, value: a.value }); break;
      default: break;
    }
  }
  if (aggregator !== undefined) out.aggregator = { asn: aggregator.asn, address: aggregator.address };
  return out;
}

/**
 * The attribute list to send for logical attributes, ordered by type code (MP attributes, when
 * the caller adds them, go first: RFC 7606 §5.1). On a 2-octet session, ASNs over 65535 become
 * AS_TRANS with AS4_PATH / AS4_AGGREGATOR carrying the real ones. Unknown attributes are passed on
 * only when optional transitive, with the Partial bit set (RFC 4271 §5, §9.1.2.2 (c)).
 */
export function fromPathAttributes(attrs: PathAttributes, ctx: CodecContext): PathAttribute[] {
  const out: PathAttribute[] = [{ type: 'origin', origin: attrs.origin }];
  if (ctx.fourOctetAs) {
    out.push({ type: 'as-path', segments: attrs.asPath.map(copySegment) });
  } else {
    const split = splitAs4Path(attrs.asPath);
    out.push({ type: 'as-path', segments: split.asPath });
    if (split.as4Path !== undefined) out.push({ type: 'as4-path', segments: split.as4Path });
  }
  if (attrs.nextHop !== undefined) out.push({ type: 'next-hop', address: attrs.nextHop });
  if (attrs.med !== undefined) out.push({ type: 'med', value: attrs.med });
  if (attrs.localPref !== undefined) out.push({ type: 'local-pref', value: attrs.localPref });
  if (attrs.atomicAggregate === true) out.push({ type: 'atomic-aggregate' });
  if (attrs.aggregator !== undefined) {
    const { asn, address } = attrs.aggregator;
    if (ctx.fourOctetAs || asn <= MAX_2_OCTET_ASN) {
      out.push({ type: 'aggregator', asn, address });
    } else {
      out.push({ type: 'aggregator', asn: AS_TRANS, address }, { type: 'as4-aggregator', asn, address });
    }
  }
  if (attrs.communities !== undefined && attrs.communities.length > 0) out.push({ type: 'communities', values: [...attrs.communities] });
  if (attrs.originatorId !== undefined) out.push({ type: 'originator-id', id: attrs.originatorId });
  if (attrs.clusterList !== undefined && attrs.clusterList.length > 0) out.push({ type: 'cluster-list', ids: [...attrs.clusterList] });
  if (attrs.largeCommunities !== undefined && attrs.largeCommunities.length > 0) {
    out.push({ type: 'large-communities', values: attrs.largeCommunities.map((c) => ({ ...c })) });
  }
  for (const u of attrs.unknown ?? []) {
    const passOn = passedOn(u);
    if (passOn !== undefined) out.push(passOn);
  }
  // Pushed in code order but for AS4_* and unknown attributes: sort only when needed (this runs
  // once per UPDATE sent).
  for (let i = 1; i < out.length; i++) {
    if (attributeCode(out[i - 1]!) > attributeCode(out[i]!)) return out.sort((a, b) => attributeCode(a) - attributeCode(b));
  }
  return out;
}

function passedOn(u: RawAttribute): PathAttribute | undefined {
  const optionalTransitive = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
  if ((u.flags & optionalTransitive) !== optionalTransitive) return undefined;
  if (ruleForCode(u.type) !== undefined) throw new InvalidArgumentError(`unknown attribute with the recognised type code ${u.type}`);
  return { type: 'unknown', flags: (u.flags | AttrFlag.PARTIAL) & ~AttrFlag.EXTENDED_LENGTH, code: u.type, value: u.value };
}
