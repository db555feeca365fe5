import { Reader } from '../../core/bytes/reader.js';
import type { Writer } from '../../core/bytes/writer.js';
import { DecodeError, InvalidArgumentError } from '../../core/errors.js';
import type { CodecContext, DecodeContext } from '../context.js';
import { BgpError, ErrorCode, UpdateMessageSubcode, updateError, type AfiSafi, type ErrorAction } from '../errors.js';
import { AttrCode, AttrFlag, OT_MASK, ruleFor, ruleForCode, type AttributeRule, type KnownAttribute, type PathAttribute } from './table.js';

/*
 * The path attribute list of an UPDATE (RFC 4271 §4.3): flags, type code, a 1- or 2-octet length,
 * the value. Decoding applies RFC 7606 — §3 (c) flag errors, §3 (g) duplicates, §4 length
 * overruns, §7 per attribute through the attribute table — and throws only for session resets;
 * every softer error is returned with its action, and the attribute it concerns is left out.
 */

const EMPTY = new Uint8Array(0);
const MAX_SHORT_LENGTH = 0xff;

function flagsFor(a: PathAttribute, valueLength: number): number {
  if (a.type === 'unknown') return valueLength > MAX_SHORT_LENGTH ? a.flags | AttrFlag.EXTENDED_LENGTH : a.flags;
  const rule = ruleFor(a);
  let flags = rule.flags;
  if (a.partial === true && rule.flags === (AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE)) flags |= AttrFlag.PARTIAL;
  if (a.extendedLength === true || valueLength > MAX_SHORT_LENGTH) flags |= AttrFlag.EXTENDED_LENGTH;
  return flags;
}

function valueLengthOf(a: PathAttribute, ctx: CodecContext): number {
  return a.type === 'unknown' ? a.value.length : ruleFor(a).codec.encodedLength(a, ctx);
}

export function attributeEncodedLength(a: PathAttribute, ctx: CodecContext): number {
  const n = valueLengthOf(a, ctx);
  return ((flagsFor(a, n) & AttrFlag.EXTENDED_LENGTH) !== 0 ? 4 : 3) + n;
}

export function attributesEncodedLength(list: readonly PathAttribute[], ctx: CodecContext): number {
  let n = 0;
  for (const a of list) n += attributeEncodedLength(a, ctx);
  return n;
}

export function encodeAttribute(a: PathAttribute, w: Writer, ctx: CodecContext): void {
  const n = valueLengthOf(a, ctx);
  if (n > 0xffff) throw new InvalidArgumentError(`path attribute value of ${n} octets does not fit a 2-octet length`);
  const flags = flagsFor(a, n);
  if (a.type === 'unknown') {
    if ((a.flags & AttrFlag.OPTIONAL) === 0 || ruleForCode(a.code) !== undefined) {
      throw new InvalidArgumentError(`attribute ${a.code} with flags 0x${a.flags.toString(16)} cannot be sent as unknown (it is well-known or recognised)`);
    }
    w.u8(flags).u8(a.code);
  } else {
    w.u8(flags).u8(ruleFor(a).code);
  }
  if ((flags & AttrFlag.EXTENDED_LENGTH) !== 0) w.u16(n);
  else w.u8(n);
  const before = w.offset;
  if (a.type === 'unknown') w.bytes(a.value);
  else ruleFor(a).codec.encode(a, w, ctx);
  if (w.offset - before !== n) {
    throw new InvalidArgumentError(`path attribute ${a.type}: encoder wrote ${w.offset - before} octets, its length said ${n}`);
  }
}

export function encodeAttributes(list: readonly PathAttribute[], w: Writer, ctx: CodecContext): void {
  for (const a of list) encodeAttribute(a, w, ctx);
}

export interface AttributeListResult {
  /** Attributes in the order received, without discarded, malformed or duplicate ones. */
  attributes: PathAttribute[];
  /** Errors handled by treat-as-withdraw, AFI/SAFI disable or attribute discard. */
  errors: BgpError[];
  /** Type codes that appeared, kept or not (the missing-attribute check needs them). */
  present: Set<number>;
  /** The error that left a recognised attribute out, by type code (flags, malformed, discarded). */
  errorFor: Map<number, BgpError>;
  /** The list held something other than MP_UNREACH_NLRI (RFC 7606 §5.2). */
  hasNonUnreach: boolean;
}

const isMpCode = (code: number): boolean => code === AttrCode.MP_REACH_NLRI || code === AttrCode.MP_UNREACH_NLRI;

/** The AFI/SAFI of an MP attribute's value, when three octets of it are there. */
function afiSafiOf(value: Uint8Array): AfiSafi | undefined {
  return value.length >= 3 ? { afi: (value[0]! << 8) | value[1]!, safi: value[2]! } : undefined;
}

/** RFC 7606 §7.11 / RFC 4760 §7: an MP attribute error may disable its AFI/SAFI instead of the session. */
function mpAction(action: ErrorAction, rule: AttributeRule, value: Uint8Array, ctx: DecodeContext): { action: ErrorAction; afiSafi?: AfiSafi } {
  if (!isMpCode(rule.code)) return { action };
  const afiSafi = afiSafiOf(value);
  if (afiSafi === undefined) return { action };
  return { action: ctx.afiSafiDisable === true && action === 'session-reset' ? 'afisafi-disable' : action, afiSafi };
}

export function decodeAttributeList(r: Reader, ctx: DecodeContext): AttributeListResult {
  const attributes: PathAttribute[] = [];
  const errors: BgpError[] = [];
  const present = new Set<number>();
  const errorFor = new Map<number, BgpError>();
  let hasNonUnreach = false;
  const buf = r.buf;
  const report = (e: BgpError): void => {
    if (e.action === 'session-reset') throw e;
    errors.push(e);
  };

  while (r.remaining > 0) {
    const start = r.offset;
    const extended = (buf[start]! & AttrFlag.EXTENDED_LENGTH) !== 0;
    if (r.remaining < (extended ? 4 : 3)) {
      // RFC 7606 §4: too little left for an attribute header. The Total Path Attribute Length
      // still locates the NLRI; unless the stub is an MP attribute, whose NLRI are lost (§3 (j)).
      const mp = r.remaining >= 2 && isMpCode(buf[start + 1]!);
      hasNonUnreach = true;
      report(updateError(UpdateMessageSubcode.MalformedAttributeList, `${r.remaining} octet(s) left, too few for an attribute header`,
        EMPTY, mp ? 'session-reset' : 'treat-as-withdraw'));
      break;
    }
    const flags = r.u8();
    const code = r.u8();
    const length = extended ? r.u16() : r.u8();
    if (code !== AttrCode.MP_UNREACH_NLRI) hasNonUnreach = true;
    if (length > r.remaining) {
      // RFC 7606 §4: the last attribute overruns the Total Path Attribute Length.
      report(updateError(UpdateMessageSubcode.MalformedAttributeList, `attribute ${code} length ${length} overruns the attribute list by ${length - r.remaining}`,
        EMPTY, isMpCode(code) ? 'session-reset' : 'treat-as-withdraw'));
      break;
    }
    const valueReader = r.sub(length);
    const end = r.offset;
    // The attribute's bytes, copied only for an error's data (not for every attribute decoded).
    const raw = (): Uint8Array => buf.slice(start, end);
    const rule = ruleForCode(code);

    if (present.has(code)) {
      // RFC 7606 §3 (g): MP_REACH / MP_UNREACH twice is a session reset; any other attribute
      // keeps its first occurrence.
      if (rule?.duplicateResets === true) throw updateError(UpdateMessageSubcode.MalformedAttributeList, `${rule.name} appears more than once`);
      report(updateError(UpdateMessageSubcode.MalformedAttributeList, `attribute ${rule?.name ?? code} appears more than once; later ones are discarded`,
        EMPTY, 'attribute-discard'));
      continue;
    }
    present.add(code);

    if (rule === undefined) {
      if ((flags & AttrFlag.OPTIONAL) === 0) {
        throw new BgpError(ErrorCode.UpdateMessage, UpdateMessageSubcode.UnrecognizedWellKnownAttribute, raw(), 'session-reset',
          `well-known attribute ${code} is not recognised`);
      }
      attributes.push({ type: 'unknown', flags, code, value: valueReader.rest() });
      continue;
    }
    const reportFor = (e: BgpError): void => {
      report(e);
      errorFor.set(code, e);
    };
    if (rule.externalDiscard && ctx.external) {
      reportFor(new BgpError(ErrorCode.UpdateMessage, UpdateMessageSubcode.Unspecific, raw(), 'attribute-discard', `${rule.name} from an external peer is discarded`));
      continue;
    }
    const value = (): Uint8Array => buf.subarray(end - length, end);
    if ((flags & OT_MASK) !== rule.flags) {
      const { action, afiSafi } = mpAction(rule.onFlagsError, rule, value(), ctx);
      reportFor(new BgpError(ErrorCode.UpdateMessage, UpdateMessageSubcode.AttributeFlagsError, raw(), action,
        `${rule.name} flags 0x${flags.toString(16)}, expected Optional/Transitive 0x${rule.flags.toString(16)}`, afiSafi));
      continue;
    }
    let a: KnownAttribute;
    try {
      a = rule.codec.decode(valueReader, ctx);
      if (valueReader.remaining !== 0) throw new BgpError(ErrorCode.UpdateMessage, rule.lengthSubcode, EMPTY, 'session-reset', `${rule.name}: ${valueReader.remaining} octet(s) left over`);
    } catch (e) {
      let error: BgpError;
      if (e instanceof BgpError) error = e;
      else if (e instanceof DecodeError) error = new BgpError(ErrorCode.UpdateMessage, rule.lengthSubcode, EMPTY, 'session-reset', `${rule.name}: ${e.message}`);
      else throw e;
      const { action, afiSafi } = mpAction(rule.onMalformed, rule, value(), ctx);
      reportFor(BgpError.complete(error, raw(), action, afiSafi));
      continue;
    }
    if ((flags & AttrFlag.PARTIAL) !== 0 && rule.flags === (AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE)) a.partial = true;
    if (extended) a.extendedLength = true;
    attributes.push(a);
  }
  return { attributes, errors, present, errorFor, hasNonUnreach };
}

/**
 * One attribute from its bytes, strictly: the first error of any action is thrown (tests and
 * tools; UPDATE decoding uses the list decoder).
 */
export function decodeAttribute(bytes: Uint8Array, ctx: DecodeContext): PathAttribute {
  const result = decodeAttributeList(new Reader(bytes), ctx);
  if (result.errors.length > 0) throw result.errors[0]!;
  if (result.attributes.length !== 1) {
    throw updateError(UpdateMessageSubcode.MalformedAttributeList, `expected one attribute, found ${result.attributes.length}`);
  }
  return result.attributes[0]!;
}
