import type { Reader } from '../../core/bytes/reader.js';
import type { Writer } from '../../core/bytes/writer.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { UpdateMessageSubcode, updateError } from '../errors.js';
import type { AsPathSegment, AsPathSegmentType } from '../types.js';
import type { AttributeCodec, WireFlags } from './codec.js';

/*
 * AS_PATH (RFC 4271 §4.3, §5.1.2) and AS4_PATH (RFC 6793 §3): segments of type, count, ASNs. The
 * AS_PATH's ASNs are 2 octets unless both sides speak 4-octet AS; AS4_PATH's are always 4.
 * Malformed (RFC 7606 §7.2): an unknown segment type, a segment running past the attribute, a
 * single octet left over, or a segment with no ASNs.
 */

/** Segment type codes: RFC 4271 §4.3 (SET, SEQUENCE) and RFC 5065 §3 (the confederation ones). */
export const SegmentTypeCode = {
  AS_SET: 1,
  AS_SEQUENCE: 2,
  AS_CONFED_SEQUENCE: 3,
  AS_CONFED_SET: 4,
} as const;

const CODE_OF: Record<AsPathSegmentType, number> = {
  set: SegmentTypeCode.AS_SET,
  sequence: SegmentTypeCode.AS_SEQUENCE,
  'confed-sequence': SegmentTypeCode.AS_CONFED_SEQUENCE,
  'confed-set': SegmentTypeCode.AS_CONFED_SET,
};

const TYPE_OF: Record<number, AsPathSegmentType> = {
  [SegmentTypeCode.AS_SET]: 'set',
  [SegmentTypeCode.AS_SEQUENCE]: 'sequence',
  [SegmentTypeCode.AS_CONFED_SEQUENCE]: 'confed-sequence',
  [SegmentTypeCode.AS_CONFED_SET]: 'confed-set',
};

/** A segment holds at most 255 ASNs (its count is one octet). */
export const MAX_SEGMENT_ASNS = 255;

export interface AsPathAttribute extends WireFlags {
  type: 'as-path';
  /** ASNs as on the wire: on a 2-octet session, AS_TRANS stands in for 4-octet ones. */
  segments: AsPathSegment[];
}

export interface As4PathAttribute extends WireFlags {
  type: 'as4-path';
  segments: AsPathSegment[];
}

export function segmentsEncodedLength(segments: readonly AsPathSegment[], asnSize: 2 | 4): number {
  let n = 0;
  for (const s of segments) n += 2 + asnSize * s.asns.length;
  return n;
}

export function encodeSegments(segments: readonly AsPathSegment[], w: Writer, asnSize: 2 | 4): void {
  for (const s of segments) {
    if (s.asns.length === 0 || s.asns.length > MAX_SEGMENT_ASNS) {
      throw new InvalidArgumentError(`an AS_PATH segment holds 1-${MAX_SEGMENT_ASNS} ASNs, not ${s.asns.length}`);
    }
    w.u8(CODE_OF[s.type]).u8(s.asns.length);
    for (const asn of s.asns) {
      if (asnSize === 2) w.u16(asn);
      else w.u32(asn);
    }
  }
}

export function decodeSegments(r: Reader, asnSize: 2 | 4, name: string, subcode: number): AsPathSegment[] {
  const segments: AsPathSegment[] = [];
  while (r.remaining > 0) {
    if (r.remaining < 2) throw updateError(subcode, `${name}: one octet left after the last segment`);
    const code = r.u8();
    const count = r.u8();
    const type = TYPE_OF[code];
    if (type === undefined) throw updateError(subcode, `${name}: segment type ${code} is not known`);
    if (count === 0) throw updateError(subcode, `${name}: segment with no ASNs`);
    if (count * asnSize > r.remaining) throw updateError(subcode, `${name}: segment of ${count} ASNs overruns the attribute`);
    const asns: number[] = new Array<number>(count);
    for (let i = 0; i < count; i++) asns[i] = asnSize === 2 ? r.u16() : r.u32();
    segments.push({ type, asns });
  }
  return segments;
}

export const asPathCodec: AttributeCodec<AsPathAttribute> = {
  encodedLength: (a, ctx) => segmentsEncodedLength(a.segments, ctx.fourOctetAs ? 4 : 2),
  encode: (a, w, ctx) => encodeSegments(a.segments, w, ctx.fourOctetAs ? 4 : 2),
  decode: (r, ctx) => ({ type: 'as-path', segments: decodeSegments(r, ctx.fourOctetAs ? 4 : 2, 'AS_PATH', UpdateMessageSubcode.MalformedAsPath) }),
};

/** RFC 6793 §6: a malformed AS4_PATH is discarded; as an optional attribute its subcode is Optional Attribute Error. */
export const as4PathCodec: AttributeCodec<As4PathAttribute> = {
  encodedLength: (a) => segmentsEncodedLength(a.segments, 4),
  encode: (a, w) => encodeSegments(a.segments, w, 4),
  decode: (r) => ({ type: 'as4-path', segments: decodeSegments(r, 4, 'AS4_PATH', UpdateMessageSubcode.OptionalAttributeError) }),
};
