import type { Reader } from '../core/bytes/reader.js';
import type { Writer } from '../core/bytes/writer.js';
import { InvalidArgumentError } from '../core/errors.js';
import { capabilitiesEncodedLength, capabilityBytes, decodeCapabilities, encodeCapability, type Capability } from './capabilities.js';
import { OpenMessageSubcode, openError, u16Bytes, type BgpError } from './errors.js';
import { AS_TRANS, type Asn } from './types.js';

/*
 * OPEN (RFC 4271 §4.2): version, My AS, Hold Time, BGP Identifier and optional parameters, of
 * which only Capabilities (RFC 5492) are understood. RFC 9072 extended optional parameters (a
 * 2-octet length for the list and for each parameter) are decoded, and used on encode when the
 * parameters do not fit 255 octets.
 */

export const BGP_VERSION = 4;

export const OptionalParameterType = {
  /** RFC 5492 §4. */
  Capabilities: 2,
  /** RFC 9072 §2: Non-Ext OP Type marking the extended encoding. */
  ExtendedLength: 255,
} as const;

/** Optional parameters in the order received; each Capabilities parameter keeps its grouping. */
export type OptionalParameter = { type: 'capabilities'; capabilities: Capability[] };

export interface OpenMessage {
  type: 'open';
  /** The 2-octet My AS field: AS_TRANS when the speaker's AS needs 4 octets (RFC 6793 §4.1). */
  myAs: number;
  holdTime: number;
  bgpId: number;
  parameters: OptionalParameter[];
}

/** Fixed part of the body: version, My AS, Hold Time, BGP Identifier, Opt Parm Len. */
const FIXED = 10;
const MAX_SHORT = 0xff;

function parametersLength(o: OpenMessage, extended: boolean): number {
  let n = 0;
  for (const p of o.parameters) n += (extended ? 3 : 2) + capabilitiesEncodedLength(p.capabilities);
  return n;
}

/** RFC 9072 §2: the extended form is used only when the parameters need it. */
function usesExtended(o: OpenMessage): boolean {
  if (parametersLength(o, false) > MAX_SHORT) return true;
  return o.parameters.some((p) => capabilitiesEncodedLength(p.capabilities) > MAX_SHORT);
}

export function openEncodedLength(o: OpenMessage): number {
  const extended = usesExtended(o);
  return FIXED + (extended ? 3 : 0) + parametersLength(o, extended);
}

export function encodeOpen(o: OpenMessage, w: Writer): void {
  const extended = usesExtended(o);
  const length = parametersLength(o, extended);
  if (extended && length > 0xffff) throw new InvalidArgumentError(`OPEN optional parameters of ${length} bytes do not fit`);
  w.u8(BGP_VERSION).u16(o.myAs).u16(o.holdTime).u32(o.bgpId);
  if (extended) w.u8(MAX_SHORT).u8(OptionalParameterType.ExtendedLength).u16(length);
  else w.u8(length);
  for (const p of o.parameters) {
    const n = capabilitiesEncodedLength(p.capabilities);
    w.u8(OptionalParameterType.Capabilities);
    if (extended) w.u16(n);
    else w.u8(n);
    for (const c of p.capabilities) encodeCapability(c, w);
  }
}

/**
 * Decodes an OPEN body (the header already checked). Throws OPEN Message Errors (RFC 4271 §6.2):
 * Unsupported Version Number with data the largest version supported (2 octets: 4); Unacceptable
 * Hold Time for 1 or 2 seconds (data: the Hold Time received, 2 octets); Bad BGP Identifier for 0
 * (RFC 6286 §2.2 allows any other value); Unsupported Optional Parameter; and Unspecific for an
 * optional parameter list whose lengths do not add up. Bad Peer AS needs configuration: the
 * session checks it.
 */
export function decodeOpen(r: Reader): OpenMessage {
  const version = r.u8('OPEN version');
  if (version !== BGP_VERSION) {
    throw openError(OpenMessageSubcode.UnsupportedVersionNumber, u16Bytes(BGP_VERSION), `version ${version}, only ${BGP_VERSION} is supported`);
  }
  const myAs = r.u16('OPEN My AS');
  const holdTime = r.u16('OPEN Hold Time');
  if (holdTime === 1 || holdTime === 2) {
    throw openError(OpenMessageSubcode.UnacceptableHoldTime, u16Bytes(holdTime), `hold time ${holdTime} s (must be 0 or at least 3)`);
  }
  const bgpId = r.u32('OPEN BGP Identifier');
  if (bgpId === 0) throw openError(OpenMessageSubcode.BadBgpIdentifier, undefined, 'BGP Identifier 0');
  let length = r.u8('OPEN Opt Parm Len');
  let extended = false;
  if (length === MAX_SHORT && r.remaining >= 3 && r.buf[r.offset] === OptionalParameterType.ExtendedLength) {
    r.skip(1);
    length = r.u16('OPEN Extended Opt. Parm. Length');
    extended = true;
  }
  if (length !== r.remaining) {
    throw openError(OpenMessageSubcode.Unspecific, undefined, `optional parameters length ${length}, ${r.remaining} byte(s) follow`);
  }
  const parameters: OptionalParameter[] = [];
  while (r.remaining > 0) {
    if (r.remaining < (extended ? 3 : 2)) throw openError(OpenMessageSubcode.Unspecific, undefined, 'truncated optional parameter header');
    const type = r.u8();
    const n = extended ? r.u16() : r.u8();
    if (n > r.remaining) throw openError(OpenMessageSubcode.Unspecific, undefined, `optional parameter ${type} length ${n} overruns the list`);
    const value = r.sub(n);
    if (type !== OptionalParameterType.Capabilities) {
      throw openError(OpenMessageSubcode.UnsupportedOptionalParameter, undefined, `optional parameter type ${type}`);
    }
    parameters.push({ type: 'capabilities', capabilities: decodeCapabilities(value) });
  }
  return { type: 'open', myAs, holdTime, bgpId, parameters };
}

/** An OPEN with every capability in one Capabilities parameter (RFC 5492 §4 allows either layout). */
export function makeOpen(opts: { asn: Asn; holdTime: number; bgpId: number; capabilities: Capability[] }): OpenMessage {
  return {
    type: 'open',
    myAs: opts.asn > 0xffff ? AS_TRANS : opts.asn,
    holdTime: opts.holdTime,
    bgpId: opts.bgpId,
    parameters: opts.capabilities.length > 0 ? [{ type: 'capabilities', capabilities: opts.capabilities }] : [],
  };
}

/** Every capability of an OPEN, across its parameters, in order. */
export function openCapabilities(o: OpenMessage): Capability[] {
  return o.parameters.flatMap((p) => p.capabilities);
}

/** The sender's AS: the 4-octet AS capability's when present (RFC 6793 §4.1), else My AS. */
export function openAsn(o: OpenMessage): Asn {
  for (const c of openCapabilities(o)) if (c.type === 'four-octet-as') return c.asn;
  return o.myAs;
}

/** OPEN Message Error / Unsupported Capability; the data lists the capabilities (RFC 5492 §5). */
export function unsupportedCapabilityError(capabilities: readonly Capability[]): BgpError {
  const parts = capabilities.map(capabilityBytes);
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return openError(OpenMessageSubcode.UnsupportedCapability, data);
}
