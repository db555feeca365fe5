import type { Prefix } from '../../net/address.js';
import type { CompiledPolicy } from '../policy/policy.js';
import { WellKnownCommunity, type Asn, type PathAttributes, type RawAttribute } from '../types.js';
import { asPathPrepend } from './as-path.js';
import type { PathSource } from './decision.js';

/*
 * What one best path looks like to one neighbour, or why it is not sent. Pure: the RIB interns
 * the result and diffs it against the Adj-RIB-Out.
 *
 * Order, for a best path learned from `source`, advertised to `target`:
 * 1. Filters (a refusal names the rule):
 *    source-peer   never back to the peer it came from. RFC 4271 would let an eBGP speaker send
 *                  it (the peer then drops it as an AS loop); FRR and BIRD do not, nor do we.
 *    no-advertise  NO_ADVERTISE: to nobody (RFC 1997).
 *    no-export     NO_EXPORT or NO_EXPORT_SUBCONFED: not to eBGP peers (RFC 1997).
 *    ibgp-split-horizon iBGP-learned routes are not sent to iBGP peers (RFC 4271 §9.2) unless
 *                  reflected: from a client to everyone, from a non-client to clients (RFC 4456).
 *    originator    not to the iBGP peer whose router ID is the ORIGINATOR_ID.
 *    no-policy     eBGP peer without an export policy while ebgpRequiresPolicy (RFC 8212).
 * 2. Defaults for the peer type:
 *    eBGP: LOCAL_PREF, ORIGINATOR_ID, CLUSTER_LIST removed; MED removed unless the route is our
 *          own or the peer has `sendMed` (a MED is not passed beyond the neighbouring AS).
 *    iBGP: LOCAL_PREF set to the default when missing; when reflecting, ORIGINATOR_ID set to the
 *          source's router ID if absent and our cluster ID prepended to CLUSTER_LIST.
 *    Both: unknown optional transitive attributes kept with the Partial bit set; unknown
 *          non-transitive ones dropped (RFC 4271 §5).
 * 3. Export policy (may reject; its conditions see the path before our own AS is prepended).
 * 4. eBGP: our AS prepended, next hop = our address on the session (unless policy set one).
 *    iBGP: next hop = our address for our own routes without one, and for eBGP-learned routes
 *          with `nextHopSelf`; otherwise unchanged (unless policy set one).
 */

export type ExportRefusal = 'source-peer' | 'no-advertise' | 'no-export' | 'ibgp-split-horizon' | 'originator' | 'no-policy' | 'policy';

/** The facts about a peer that export depends on. */
export interface ExportPeer extends PathSource {
  readonly localAddress: number;
  readonly routeReflectorClient: boolean;
  readonly exportPolicy: CompiledPolicy | undefined;
  readonly info: { readonly nextHopSelf?: boolean; readonly sendMed?: boolean };
}

export interface ExportContext {
  localAs: Asn;
  clusterId: number;
  defaultLocalPref: number;
  ebgpRequiresPolicy: boolean;
}

const ATTR_FLAG_TRANSITIVE = 0x40;
const ATTR_FLAG_PARTIAL = 0x20;

/** Whether `target` may receive a route from `source` with these attributes (step 1 less policy). */
export function exportRefusal(source: ExportPeer, attrs: PathAttributes, target: ExportPeer, ctx: ExportContext): ExportRefusal | undefined {
  if (source === target) return 'source-peer';
  const communities = attrs.communities;
  if (communities !== undefined && communities.length > 0) {
    if (communities.includes(WellKnownCommunity.NoAdvertise)) return 'no-advertise';
    if (target.kind === 'ebgp' && (communities.includes(WellKnownCommunity.NoExport) || communities.includes(WellKnownCommunity.NoExportSubconfed))) {
      return 'no-export';
    }
  }
  if (target.kind === 'ibgp') {
    if (source.kind === 'ibgp' && !source.routeReflectorClient && !target.routeReflectorClient) return 'ibgp-split-horizon';
    if (attrs.originatorId !== undefined && attrs.originatorId === target.routerId) return 'originator';
  } else if (target.exportPolicy === undefined && ctx.ebgpRequiresPolicy) {
    return 'no-policy';
  }
  return undefined;
}

/** The attributes to advertise, or the reason not to. */
export function exportAttributes(prefix: Prefix, source: ExportPeer, attrs: PathAttributes, target: ExportPeer, ctx: ExportContext): PathAttributes | ExportRefusal {
  const refusal = exportRefusal(source, attrs, target, ctx);
  if (refusal !== undefined) return refusal;

  // Copies leave out what eBGP peers must not get rather than `delete` it afterwards: a delete
  // turns the copy into a slow dictionary-mode object (this runs once per attribute set).
  let out: PathAttributes;
  if (target.kind === 'ebgp') {
    const dropMed = attrs.med !== undefined && source.kind !== 'local' && target.info.sendMed !== true;
    out = dropMed ? withoutIbgpOnlyOrMed(attrs) : withoutIbgpOnly(attrs);
  } else {
    out = { ...attrs };
    if (out.localPref === undefined) out.localPref = ctx.defaultLocalPref;
    if (source.kind === 'ibgp') {
      if (out.originatorId === undefined) out.originatorId = source.routerId;
      out.clusterList = [ctx.clusterId, ...(attrs.clusterList ?? [])];
    }
  }
  if (attrs.unknown !== undefined) {
    const kept: RawAttribute[] = [];
    for (const u of attrs.unknown) if ((u.flags & ATTR_FLAG_TRANSITIVE) !== 0) kept.push({ flags: u.flags | ATTR_FLAG_PARTIAL, type: u.type, value: u.value });
    if (kept.length > 0) out.unknown = kept;
    else delete out.unknown;
  }

  let result = out;
  let nextHopSet = false;
  if (target.exportPolicy !== undefined) {
    const o = target.exportPolicy.apply(prefix, out, { localAs: ctx.localAs, localAddress: target.localAddress, peerAddress: target.address });
    if (!o.accepted) return 'policy';
    result = o.attrs; // `out` or the policy's own copy of it: ours to change either way
    nextHopSet = o.nextHopSet;
  }

  if (target.kind === 'ebgp') {
    result.asPath = asPathPrepend(result.asPath, ctx.localAs, 1);
    if (!nextHopSet) result.nextHop = target.localAddress;
  } else if (!nextHopSet && (result.nextHop === undefined || (source.kind === 'ebgp' && target.info.nextHopSelf === true))) {
    result.nextHop = target.localAddress;
  }
  return result;
}

/** The attributes less LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST (iBGP-only). */
function withoutIbgpOnly(attrs: PathAttributes): PathAttributes {
  const { localPref: _localPref, originatorId: _originatorId, clusterList: _clusterList, ...rest } = attrs;
  return rest;
}

/** As `withoutIbgpOnly`, and without MED. */
function withoutIbgpOnlyOrMed(attrs: PathAttributes): PathAttributes {
  const { localPref: _localPref, originatorId: _originatorId, clusterList: _clusterList, med: _med, ...rest } = attrs;
  return rest;
}
