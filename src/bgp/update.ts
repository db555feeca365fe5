import type { Reader } from '../core/bytes/reader.js';
import type { Writer } from '../core/bytes/writer.js';
import type { Prefix } from '../net/address.js';
import { toPathAttributes } from './attributes/convert.js';
import { attributesEncodedLength, decodeAttributeList, encodeAttributes } from './attributes/list.js';
import { isIpv4Unicast, type MpReachAttribute, type MpUnreachAttribute } from './attributes/mp-reach.js';
import { isMartianNextHop } from './attributes/next-hop.js';
import { AttrCode, type PathAttribute } from './attributes/table.js';
import type { CodecContext, DecodeContext } from './context.js';
import { BgpError, ErrorCode, UpdateMessageSubcode, strongerAction, updateError, type AfiSafi, type ErrorAction } from './errors.js';
import { decodePrefixes, encodePrefixes, prefixesEncodedLength } from './nlri.js';
import { Afi, Safi, type PathAttributes, type Route } from './types.js';

/*
 * UPDATE (RFC 4271 §4.3): Withdrawn Routes, Path Attributes, NLRI. Decoding returns an outcome
 * rather than throwing for everything RFC 7606 handles short of a session reset, and places the
 * IPv4 unicast routes (NLRI field and AFI 1 / SAFI 1 MP attributes) for the caller.
 */

export interface UpdateMessage {
  type: 'update';
  withdrawn: Prefix[];
  /** In wire order; MP_REACH_NLRI / MP_UNREACH_NLRI are attributes here as on the wire. */
  attributes: PathAttribute[];
  nlri: Prefix[];
}

export function updateEncodedLength(u: UpdateMessage, ctx: CodecContext): number {
  return 4 + prefixesEncodedLength(u.withdrawn) + attributesEncodedLength(u.attributes, ctx) + prefixesEncodedLength(u.nlri);
}

export function encodeUpdate(u: UpdateMessage, w: Writer, ctx: CodecContext): void {
  w.u16(prefixesEncodedLength(u.withdrawn));
  encodePrefixes(u.withdrawn, w);
  w.u16(attributesEncodedLength(u.attributes, ctx));
  encodeAttributes(u.attributes, w, ctx);
  encodePrefixes(u.nlri, w);
}

/**
 * What to do with an UPDATE (RFC 7606 §2), decided from all its errors (§3 (h): the strongest).
 * - none: install `announced`, remove `withdrawn`.
 * - attribute-discard: the same; the discarded attributes are gone from `update` and `announced`.
 *   Under both, the routes of a semantically wrong next hop are in `withdrawn` (`nextHopErrors`).
 * - treat-as-withdraw: every route in the UPDATE (NLRI field and MP_REACH_NLRI included) is in
 *   `withdrawn`; `announced` is empty.
 * - afisafi-disable: RFC 4760 §7 for the AFI/SAFIs in `disabled` (only with
 *   DecodeContext.afiSafiDisable); the IPv4 unicast routes are handled as treat-as-withdraw.
 * Session resets are thrown as BgpError, never returned.
 */
export type UpdateAction = 'none' | 'attribute-discard' | 'treat-as-withdraw' | 'afisafi-disable';

export interface UpdateOutcome {
  type: 'update';
  /** The UPDATE as decoded, without discarded, malformed and duplicate attributes. */
  update: UpdateMessage;
  action: UpdateAction;
  /** Every error found, each with its own action (also what RFC 7606 §6 asks to be logged), but `nextHopErrors`. */
  errors: BgpError[];
  /**
   * Semantically wrong next hops (RFC 4271 §6.3; treat-as-withdraw, Invalid NEXT_HOP Attribute):
   * each withdrew the routes it is the next hop of — NEXT_HOP's the NLRI field's, MP_REACH_NLRI's
   * its own — and no others, so none counts in `action`. Logged like `errors`.
   */
  nextHopErrors: BgpError[];
  /** IPv4 unicast prefixes to remove: Withdrawn Routes, MP_UNREACH_NLRI, and under treat-as-withdraw the announced ones. */
  withdrawn: Prefix[];
  /** IPv4 unicast routes to install, with their logical attributes (next hop from NEXT_HOP or MP_REACH_NLRI). */
  announced: Route[];
  /** AFI/SAFIs to disable (action afisafi-disable). */
  disabled: AfiSafi[];
  /** Set when the UPDATE is an End-of-RIB marker (RFC 4724 §2). */
  endOfRib?: AfiSafi;
}

function firstOf<T extends PathAttribute['type']>(list: readonly PathAttribute[], type: T): Extract<PathAttribute, { type: T }> | undefined {
  for (const a of list) if (a.type === type) return a as Extract<PathAttribute, { type: T }>;
  return undefined;
}

function mpReachCarriesNlri(m: MpReachAttribute): boolean {
  return m.nlri.length > 0 || (m.rawNlri?.length ?? 0) > 0;
}

/**
 * Decodes an UPDATE body (the header already checked). Throws BgpError for session resets:
 * lengths that do not add up (Malformed Attribute List, RFC 7606 §3 (b)), Withdrawn Routes or NLRI
 * that do not parse (Invalid Network Field, §5.3), duplicate or malformed MP attributes (§3 (g),
 * §7.11), an unrecognised well-known attribute (RFC 4271 §6.3), and any non-discard error in an
 * UPDATE that announces nothing but carries attributes (§5.2).
 */
export function decodeUpdate(r: Reader, ctx: DecodeContext): UpdateOutcome {
  const bodyLength = r.remaining;
  if (bodyLength < 4) throw updateError(UpdateMessageSubcode.MalformedAttributeList, `UPDATE body of ${bodyLength} octet(s)`);
  const withdrawnLength = r.u16();
  if (withdrawnLength + 2 > r.remaining) {
    throw updateError(UpdateMessageSubcode.MalformedAttributeList, `Withdrawn Routes Length ${withdrawnLength} exceeds the message`);
  }
  const withdrawnField = r.sub(withdrawnLength);
  const attributesLength = r.u16();
  if (attributesLength > r.remaining) {
    throw updateError(UpdateMessageSubcode.MalformedAttributeList, `Total Path Attribute Length ${attributesLength} exceeds the message by ${attributesLength - r.remaining}`);
  }
  const attributeField = r.sub(attributesLength);
  const withdrawn = decodePrefixes(withdrawnField, 'Withdrawn Routes');
  const nlri = decodePrefixes(r, 'NLRI');
  const list = decodeAttributeList(attributeField, ctx);
  const errors = list.errors;
  const update: UpdateMessage = { type: 'update', withdrawn, attributes: list.attributes, nlri };
  const mpReach = firstOf(list.attributes, 'mp-reach');
  const mpUnreach = firstOf(list.attributes, 'mp-unreach');

  // RFC 7606 §3 (d): the well-known mandatory attributes of an UPDATE that announces routes;
  // NEXT_HOP only for the NLRI field (RFC 4760 §3 makes it discretionary otherwise).
  const mpAnnounces = mpReach !== undefined && mpReachCarriesNlri(mpReach);
  if (nlri.length > 0 || mpAnnounces) {
    const required = nlri.length > 0 ? [AttrCode.ORIGIN, AttrCode.AS_PATH, AttrCode.NEXT_HOP] : [AttrCode.ORIGIN, AttrCode.AS_PATH];
    for (const code of required) {
      if (!list.present.has(code)) {
        errors.push(new BgpError(ErrorCode.UpdateMessage, UpdateMessageSubcode.MissingWellKnownAttribute, Uint8Array.of(code), 'treat-as-withdraw',
          `well-known mandatory attribute ${code} is missing`));
      }
    }
  }

  const scoped = nextHopScopes(nlri, list.errorFor.get(AttrCode.NEXT_HOP), mpReach, errors);

  let action: UpdateAction = 'none';
  for (const e of errors) action = strongerAction<ErrorAction | 'none'>(action, e.action) as UpdateAction;

  // RFC 7606 §5.2: attributes but nothing announced, so the NLRI cannot be trusted to have been
  // found: any error stronger than attribute discard resets the session.
  const announces = nlri.length > 0 || mpAnnounces || (list.present.has(AttrCode.MP_REACH_NLRI) && mpReach === undefined);
  if (!announces && list.hasNonUnreach && action !== 'none' && action !== 'attribute-discard') {
    // The outcome is not returned, so its error can become the thrown one.
    const worst = errors.find((e) => e.action === action)!;
    throw BgpError.complete(worst, worst.data, 'session-reset', worst.afiSafi);
  }

  return outcome(update, action, errors, scoped, mpReach, mpUnreach, ctx, attributesLength);
}

/** Next hop errors that concern only the NLRI field's routes, or only MP_REACH_NLRI's. */
interface NextHopScopes {
  field?: BgpError;
  mp?: BgpError;
}

/**
 * NEXT_HOP is the next hop of the NLRI field's routes only (RFC 4760 §3). With that field empty
 * it SHOULD be ignored, whatever it holds: routers send 0.0.0.0 next to MP_REACH_NLRI, and an
 * UPDATE that only withdraws must not reset the session for it (RFC 7606 §5.2). With routes in
 * both, a semantically wrong NEXT_HOP (RFC 4271 §6.3: the route is ignored, the session stays)
 * withdraws the NLRI field's routes only; a malformed one still withdraws the whole UPDATE (RFC
 * 7606 §7.3). A semantically wrong MP_REACH_NLRI next hop withdraws its own routes only. Errors
 * scoped so leave `errors`.
 */
function nextHopScopes(nlri: readonly Prefix[], nextHopError: BgpError | undefined, mpReach: MpReachAttribute | undefined, errors: BgpError[]): NextHopScopes {
  const out: NextHopScopes = {};
  const mpRoutes = mpReach !== undefined && isIpv4Unicast(mpReach.afi, mpReach.safi) && mpReach.nlri.length > 0;
  if (nextHopError !== undefined) {
    const scopedToField = nlri.length > 0 && mpRoutes && nextHopError.subcode === UpdateMessageSubcode.InvalidNextHopAttribute;
    const at = errors.indexOf(nextHopError);
    if (at >= 0 && (nlri.length === 0 || scopedToField)) errors.splice(at, 1);
    if (scopedToField) out.field = nextHopError;
  }
  if (mpRoutes && isMartianNextHop(ipv4Of(mpReach.nextHop))) {
    out.mp = new BgpError(ErrorCode.UpdateMessage, UpdateMessageSubcode.InvalidNextHopAttribute, new Uint8Array(0), 'treat-as-withdraw',
      `MP_REACH_NLRI next hop ${mpReach.nextHop[0]!}.x.x.x cannot be a router`);
  }
  return out;
}

const ipv4Of = (b: Uint8Array): number => ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;

function outcome(
  update: UpdateMessage, action: UpdateAction, errors: BgpError[], scoped: NextHopScopes, mpReach: MpReachAttribute | undefined,
  mpUnreach: MpUnreachAttribute | undefined, ctx: DecodeContext, attributesLength: number,
): UpdateOutcome {
  const withdrawn = [...update.withdrawn];
  if (mpUnreach !== undefined && isIpv4Unicast(mpUnreach.afi, mpUnreach.safi)) withdrawn.push(...mpUnreach.withdrawn);
  const mpNlri = mpReach !== undefined && isIpv4Unicast(mpReach.afi, mpReach.safi) ? mpReach.nlri : [];
  const announced: Route[] = [];
  const disabled: AfiSafi[] = [];
  for (const e of errors) {
    if (e.action === 'afisafi-disable' && e.afiSafi !== undefined && !disabled.some((d) => d.afi === e.afiSafi!.afi && d.safi === e.afiSafi!.safi)) {
      disabled.push(e.afiSafi);
    }
  }
  if (action === 'none' || action === 'attribute-discard') {
    const attributes = update.nlri.length > 0 || mpNlri.length > 0 ? toPathAttributes(update.attributes, ctx) : undefined;
    if (attributes !== undefined) {
      if (scoped.field !== undefined) withdrawn.push(...update.nlri);
      else for (const prefix of update.nlri) announced.push({ prefix, attributes });
      if (scoped.mp !== undefined) withdrawn.push(...mpNlri);
      else if (mpNlri.length > 0) {
        const viaMp: PathAttributes = { ...attributes, nextHop: ipv4Of(mpReach!.nextHop) };
        for (const prefix of mpNlri) announced.push({ prefix, attributes: viaMp });
      }
    }
  } else {
    withdrawn.push(...update.nlri, ...mpNlri);
  }
  const nextHopErrors = [scoped.field, scoped.mp].filter((e) => e !== undefined);
  const out: UpdateOutcome = { type: 'update', update, action, errors, nextHopErrors, withdrawn, announced, disabled };
  const eor = endOfRibOf(update, attributesLength, errors);
  if (eor !== undefined) out.endOfRib = eor;
  return out;
}

/** RFC 4724 §2: an empty UPDATE for IPv4 unicast, or one holding only an empty MP_UNREACH_NLRI. */
function endOfRibOf(u: UpdateMessage, attributesLength: number, errors: readonly BgpError[]): AfiSafi | undefined {
  if (u.withdrawn.length > 0 || u.nlri.length > 0 || errors.length > 0) return undefined;
  if (attributesLength === 0) return { afi: Afi.IPv4, safi: Safi.Unicast };
  const only = u.attributes.length === 1 ? u.attributes[0]! : undefined;
  if (only?.type === 'mp-unreach' && only.withdrawn.length === 0 && (only.rawWithdrawn?.length ?? 0) === 0) return { afi: only.afi, safi: only.safi };
  return undefined;
}
