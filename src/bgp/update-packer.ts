import { Writer } from '../core/bytes/writer.js';
import { InvalidArgumentError } from '../core/errors.js';
import type { Prefix } from '../net/address.js';
import { fromPathAttributes } from './attributes/convert.js';
import { attributesEncodedLength, encodeAttributes } from './attributes/list.js';
import { isIpv4Unicast } from './attributes/mp-reach.js';
import { maxLengthOf, type CodecContext } from './context.js';
import { HEADER_LENGTH, MessageType, writeHeader } from './header.js';
import { encodeMessage } from './message.js';
import { encodePrefix, prefixEncodedLength } from './nlri.js';
import { Afi, Safi, type PathAttributes } from './types.js';

/*
 * Building UPDATEs to send: many prefixes sharing one attribute set go into as few messages as
 * fit the session's maximum length (GoBGP's and BIRD's bucket packing), announced in the NLRI
 * field with NEXT_HOP; withdrawals likewise in the Withdrawn Routes field. Prefix order is kept.
 */

/** Withdrawn Routes Length and Total Path Attribute Length. */
const UPDATE_FIXED = HEADER_LENGTH + 4;

function pack(prefixes: readonly Prefix[], room: number): Prefix[][] {
  const batches: Prefix[][] = [];
  let batch: Prefix[] = [];
  let used = 0;
  for (const p of prefixes) {
    const n = prefixEncodedLength(p);
    if (used + n > room && batch.length > 0) {
      batches.push(batch);
      batch = [];
      used = 0;
    }
    batch.push(p);
    used += n;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * UPDATE messages announcing `prefixes` with `attributes` (which must hold a next hop). The
 * attribute block is encoded once and shared; each message holds as many prefixes as fit.
 */
export function packUpdates(attributes: PathAttributes, prefixes: readonly Prefix[], ctx: CodecContext): Uint8Array[] {
  if (prefixes.length === 0) return [];
  if (attributes.nextHop === undefined) throw new InvalidArgumentError('announcing in the NLRI field needs a NEXT_HOP');
  const wire = fromPathAttributes(attributes, ctx);
  const attrLength = attributesEncodedLength(wire, ctx);
  const attrWriter = new Writer(attrLength);
  encodeAttributes(wire, attrWriter, ctx);
  const attrBytes = attrWriter.finish(attrLength);
  const max = maxLengthOf(ctx);
  const room = max - UPDATE_FIXED - attrLength;
  if (room < prefixEncodedLength({ address: 0, length: 32 })) {
    throw new InvalidArgumentError(`path attributes of ${attrLength} octets leave no room for a prefix in a ${max}-octet UPDATE`);
  }
  return pack(prefixes, room).map((batch) => {
    let nlriLength = 0;
    for (const p of batch) nlriLength += prefixEncodedLength(p);
    const length = UPDATE_FIXED + attrLength + nlriLength;
    const w = new Writer(length);
    writeHeader(w, MessageType.Update, length);
    w.u16(0).u16(attrLength).bytes(attrBytes);
    for (const p of batch) encodePrefix(p, w);
    return w.finish(length);
  });
}

/** UPDATE messages withdrawing `prefixes`, as many per message as fit. */
export function packWithdrawals(prefixes: readonly Prefix[], ctx: CodecContext): Uint8Array[] {
  if (prefixes.length === 0) return [];
  return pack(prefixes, maxLengthOf(ctx) - UPDATE_FIXED).map((batch) => {
    let withdrawnLength = 0;
    for (const p of batch) withdrawnLength += prefixEncodedLength(p);
    const length = UPDATE_FIXED + withdrawnLength;
    const w = new Writer(length);
    writeHeader(w, MessageType.Update, length);
    w.u16(withdrawnLength);
    for (const p of batch) encodePrefix(p, w);
    w.u16(0);
    return w.finish(length);
  });
}

/**
 * The End-of-RIB marker (RFC 4724 §2): an UPDATE with nothing in it for IPv4 unicast, otherwise
 * one holding only an MP_UNREACH_NLRI with the AFI/SAFI and no withdrawn routes.
 */
export function endOfRib(ctx: CodecContext, afi: number = Afi.IPv4, safi: number = Safi.Unicast): Uint8Array {
  if (isIpv4Unicast(afi, safi)) return encodeMessage({ type: 'update', withdrawn: [], attributes: [], nlri: [] }, ctx);
  return encodeMessage({ type: 'update', withdrawn: [], nlri: [], attributes: [{ type: 'mp-unreach', afi, safi, withdrawn: [], rawWithdrawn: new Uint8Array(0) }] }, ctx);
}
