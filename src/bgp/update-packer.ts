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
 * Each message is planned (which prefixes, how many octets) before it is written, so that the
 * messages of a whole batch can go into one buffer sized up front.
 */

/** Withdrawn Routes Length and Total Path Attribute Length. */
const UPDATE_FIXED = HEADER_LENGTH + 4;

/** Where the next message's prefixes end: from `start`, as many as fit in `room` octets (at least one). */
function runEnd(prefixes: readonly Prefix[], start: number, room: number): number {
  let end = start;
  let used = 0;
  while (end < prefixes.length) {
    const n = prefixEncodedLength(prefixes[end]!);
    if (used + n > room && end > start) break;
    used += n;
    end++;
  }
  return end;
}

function runLength(prefixes: readonly Prefix[], start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n += prefixEncodedLength(prefixes[i]!);
  return n;
}

/** Why an attribute set cannot be announced on a session. */
export interface Unencodable {
  /**
   * too-long: no room for a prefix next to them in one message (a long AS_PATH, doubled into
   * AS4_PATH toward a 2-octet-AS peer); invalid: a value the wire cannot carry.
   */
  readonly kind: 'too-long' | 'no-next-hop' | 'invalid';
  readonly reason: string;
}

/** The encoded path attributes of an announcement, or why they cannot be sent. */
function attributeBlock(attributes: PathAttributes, ctx: CodecContext): Uint8Array | Unencodable {
  if (attributes.nextHop === undefined) return { kind: 'no-next-hop', reason: 'announcing in the NLRI field needs a NEXT_HOP' };
  try {
    const wire = fromPathAttributes(attributes, ctx);
    const length = attributesEncodedLength(wire, ctx);
    const max = maxLengthOf(ctx);
    if (max - UPDATE_FIXED - length < prefixEncodedLength({ address: 0, length: 32 })) {
      return { kind: 'too-long', reason: `path attributes of ${length} octets leave no room for a prefix in a ${max}-octet UPDATE` };
    }
    const w = new Writer(length);
    encodeAttributes(wire, w, ctx);
    return w.finish(length);
  } catch (e) {
    if (e instanceof InvalidArgumentError) return { kind: 'invalid', reason: e.message };
    throw e;
  }
}

/**
 * Splits `prefixes` into messages of `fixed` octets (header, fields, attributes) plus as many
 * prefixes as fit: `visit(start, end, length)` per message, `length` its whole size.
 */
function eachMessage(prefixes: readonly Prefix[], fixed: number, ctx: CodecContext, visit: (start: number, end: number, length: number) => void): void {
  const room = maxLengthOf(ctx) - fixed;
  for (let start = 0; start < prefixes.length;) {
    const end = runEnd(prefixes, start, room);
    visit(start, end, fixed + runLength(prefixes, start, end));
    start = end;
  }
}

function writeAnnouncement(w: Writer, attrBytes: Uint8Array, prefixes: readonly Prefix[], start: number, end: number, length: number): void {
  writeHeader(w, MessageType.Update, length);
  w.u16(0).u16(attrBytes.length).bytes(attrBytes);
  for (let i = start; i < end; i++) encodePrefix(prefixes[i]!, w);
}

function writeWithdrawal(w: Writer, prefixes: readonly Prefix[], start: number, end: number, length: number): void {
  writeHeader(w, MessageType.Update, length);
  w.u16(length - UPDATE_FIXED);
  for (let i = start; i < end; i++) encodePrefix(prefixes[i]!, w);
  w.u16(0);
}

/**
 * UPDATE messages announcing `prefixes` with `attributes` (which must hold a next hop). The
 * attribute block is encoded once and shared; each message holds as many prefixes as fit.
 */
export function packUpdates(attributes: PathAttributes, prefixes: readonly Prefix[], ctx: CodecContext): Uint8Array[] {
  if (prefixes.length === 0) return [];
  const attrBytes = attributeBlock(attributes, ctx);
  if (!(attrBytes instanceof Uint8Array)) throw new InvalidArgumentError(attrBytes.reason);
  const messages: Uint8Array[] = [];
  eachMessage(prefixes, UPDATE_FIXED + attrBytes.length, ctx, (start, end, length) => {
    const w = new Writer(length);
    writeAnnouncement(w, attrBytes, prefixes, start, end, length);
    messages.push(w.finish(length));
  });
  return messages;
}

/** UPDATE messages withdrawing `prefixes`, as many per message as fit. */
export function packWithdrawals(prefixes: readonly Prefix[], ctx: CodecContext): Uint8Array[] {
  const messages: Uint8Array[] = [];
  eachMessage(prefixes, UPDATE_FIXED, ctx, (start, end, length) => {
    const w = new Writer(length);
    writeWithdrawal(w, prefixes, start, end, length);
    messages.push(w.finish(length));
  });
  return messages;
}

/** What to send one peer: withdrawals, announcements grouped by attribute set, End-of-RIB or not. */
export interface UpdateBatch {
  withdrawn: readonly Prefix[];
  announced: readonly { attrs: PathAttributes; prefixes: readonly Prefix[] }[];
  endOfRib: boolean;
}

/** Announcements of a batch that could not be encoded for the session, and why. */
export interface NotSent extends Unencodable {
  readonly attrs: PathAttributes;
  readonly prefixes: readonly Prefix[];
}

/**
 * Every message of a batch back to back in one buffer, in the order `packWithdrawals`, then
 * `packUpdates` per group, then `endOfRib` would give them: one allocation and one socket write
 * where a table's worth of changes is thousands of UPDATEs. A group whose attributes do not fit
 * in one message with a prefix is not announced: its prefixes are withdrawn instead (the peer may
 * hold an earlier, shorter route for them; withdrawing one it never had is harmless) and the
 * group is returned in `notSent`.
 */
export function packBatch(batch: UpdateBatch, ctx: CodecContext): { bytes: Uint8Array; messages: number; notSent: NotSent[] } {
  const notSent: NotSent[] = [];
  let withdrawn = batch.withdrawn;
  const blocks = batch.announced.map((g) => {
    if (g.prefixes.length === 0) return undefined;
    const block = attributeBlock(g.attrs, ctx);
    if (block instanceof Uint8Array) return block;
    notSent.push({ ...block, attrs: g.attrs, prefixes: g.prefixes });
    withdrawn = [...withdrawn, ...g.prefixes];
    return undefined;
  });
  const eor = batch.endOfRib ? endOfRib(ctx) : undefined;
  let total = eor?.length ?? 0;
  let messages = eor === undefined ? 0 : 1;
  const count = (_start: number, _end: number, length: number): void => {
    total += length;
    messages++;
  };
  eachMessage(withdrawn, UPDATE_FIXED, ctx, count);
  batch.announced.forEach((g, i) => {
    const block = blocks[i];
    if (block !== undefined) eachMessage(g.prefixes, UPDATE_FIXED + block.length, ctx, count);
  });
  const w = new Writer(total);
  eachMessage(withdrawn, UPDATE_FIXED, ctx, (start, end, length) => writeWithdrawal(w, withdrawn, start, end, length));
  batch.announced.forEach((g, i) => {
    const block = blocks[i];
    if (block !== undefined) eachMessage(g.prefixes, UPDATE_FIXED + block.length, ctx, (start, end, length) => writeAnnouncement(w, block, g.prefixes, start, end, length));
  });
  if (eor !== undefined) w.bytes(eor);
  return { bytes: w.finish(total), messages, notSent };
}

/**
 * The End-of-RIB marker (RFC 4724 §2): an UPDATE with nothing in it for IPv4 unicast, otherwise
 * one holding only an MP_UNREACH_NLRI with the AFI/SAFI and no withdrawn routes.
 */
export function endOfRib(ctx: CodecContext, afi: number = Afi.IPv4, safi: number = Safi.Unicast): Uint8Array {
  if (isIpv4Unicast(afi, safi)) return encodeMessage({ type: 'update', withdrawn: [], attributes: [], nlri: [] }, ctx);
  return encodeMessage({ type: 'update', withdrawn: [], nlri: [], attributes: [{ type: 'mp-unreach', afi, safi, withdrawn: [], rawWithdrawn: new Uint8Array(0) }] }, ctx);
}
