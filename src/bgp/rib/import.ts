import type { Prefix } from '../../net/address.js';
import type { CompiledPolicy } from '../policy/policy.js';
import type { Asn, PathAttributes } from '../types.js';
import { asPathCount } from './as-path.js';
import type { PathSource } from './decision.js';
import type { AttributeInterner, InternedAttributes } from './intern.js';
import type { PeerCounters } from './peer.js';

/*
 * What happens to a route a peer announced before it enters the Adj-RIB-In (post-policy):
 * 1. Loop checks. Our AS in the AS_PATH (more than `allowOwnAs` times) → 'as-loop' (RFC 4271
 *    §9.1.2); from iBGP, our router ID as ORIGINATOR_ID or our cluster ID in CLUSTER_LIST →
 *    'reflector-loop' (RFC 4456 §8).
 * 2. Attributes an eBGP peer must not send are ignored: LOCAL_PREF (RFC 4271 §5.1.5),
 *    ORIGINATOR_ID and CLUSTER_LIST (RFC 4456 §8).
 * 3. Import policy. An eBGP peer without one gets nothing in while ebgpRequiresPolicy (RFC 8212,
 *    as FRR's `bgp ebgp-requires-policy`, on by default in its traditional profile) → 'no-policy'.
 * 4. Weight: what policy set, else the peer's default.
 * A rejected route still replaces (withdraws) what the peer announced for the prefix before.
 */

export type ImportRejection = 'as-loop' | 'reflector-loop' | 'no-policy' | 'policy';

export interface ImportPeer extends PathSource {
  readonly asn: Asn;
  readonly localAddress: number;
  readonly weight: number;
  readonly importPolicy: CompiledPolicy | undefined;
  readonly info: { readonly allowOwnAs?: number };
}

export interface ImportContext {
  localAs: Asn;
  routerId: number;
  clusterId: number;
  ebgpRequiresPolicy: boolean;
}

export interface Imported {
  attrs: PathAttributes;
  weight: number;
}

/** Steps 1-2: the loop checks and the eBGP clean-up, which depend on the attributes alone. */
export function sanitiseInbound(attrs: PathAttributes, peer: ImportPeer, ctx: ImportContext): PathAttributes | ImportRejection {
  if (peer.kind === 'local') return attrs;
  if (asPathCount(attrs.asPath, ctx.localAs) > (peer.info.allowOwnAs ?? 0)) return 'as-loop';
  if (peer.kind === 'ibgp') {
    if (attrs.originatorId !== undefined && attrs.originatorId === ctx.routerId) return 'reflector-loop';
    if (attrs.clusterList !== undefined && attrs.clusterList.includes(ctx.clusterId)) return 'reflector-loop';
    return attrs;
  }
  if (attrs.localPref === undefined && attrs.originatorId === undefined && attrs.clusterList === undefined) return attrs;
  const cleaned = { ...attrs };
  delete cleaned.localPref;
  delete cleaned.originatorId;
  delete cleaned.clusterList;
  return cleaned;
}

/** Steps 3-4 on sanitised attributes. */
export function applyImportPolicy(prefix: Prefix, attrs: PathAttributes, peer: ImportPeer, ctx: ImportContext): Imported | ImportRejection {
  const policy = peer.importPolicy;
  if (policy === undefined) {
    if (peer.kind === 'ebgp' && ctx.ebgpRequiresPolicy) return 'no-policy';
    return { attrs, weight: peer.weight };
  }
  const o = policy.apply(prefix, attrs, { localAs: ctx.localAs, localAddress: peer.localAddress, peerAddress: peer.address });
  if (!o.accepted) return 'policy';
  return { attrs: o.attrs, weight: o.weight ?? peer.weight };
}

export function importRoute(prefix: Prefix, attrs: PathAttributes, peer: ImportPeer, ctx: ImportContext): Imported | ImportRejection {
  const clean = sanitiseInbound(attrs, peer, ctx);
  return typeof clean === 'string' ? clean : applyImportPolicy(prefix, clean, peer, ctx);
}

export function countRejection(peer: { readonly counters: PeerCounters }, why: ImportRejection): void {
  switch (why) {
    case 'as-loop': peer.counters.asLoop++; break;
    case 'reflector-loop': peer.counters.reflectorLoop++; break;
    case 'policy': peer.counters.policy++; break;
    case 'no-policy': peer.counters.noPolicy++; break;
  }
}

export type InternedImport = { attrs: InternedAttributes; weight: number } | ImportRejection;

export interface ImportMemoEntry {
  sanitised: PathAttributes | ImportRejection;
  result?: InternedImport;
}

/**
 * Per-call memo of import results by input attribute object: an UPDATE's prefixes share one
 * attribute object, so loop checks, policy and interning run once per UPDATE, not per prefix.
 * Holds one reference on each memoised value until `release`.
 */
export class ImportMemo {
  private readonly entries = new Map<PathAttributes, ImportMemoEntry>();
  private readonly received = new Map<PathAttributes, InternedAttributes>();
  private readonly held: InternedAttributes[] = [];
  /** The entry asked for last: consecutive routes (one UPDATE's) share their attributes. */
  private lastAttrs: PathAttributes | undefined;
  private lastEntry: ImportMemoEntry | undefined;

  constructor(private readonly interner: AttributeInterner) {}

  /** The memo entry for `attrs`, sanitised for `peer` the first time they are seen. */
  get(attrs: PathAttributes, peer: ImportPeer, ctx: ImportContext): ImportMemoEntry {
    if (attrs === this.lastAttrs) return this.lastEntry!;
    let m = this.entries.get(attrs);
    if (m === undefined) {
      m = { sanitised: sanitiseInbound(attrs, peer, ctx) };
      this.entries.set(attrs, m);
    }
    this.lastAttrs = attrs;
    this.lastEntry = m;
    return m;
  }

  /** `attrs` interned as received (soft-reconfiguration), with one reference for the caller. */
  prePolicy(attrs: PathAttributes): InternedAttributes {
    const known = this.received.get(attrs);
    if (known !== undefined) {
      this.interner.retain(known);
      return known;
    }
    const pre = this.interner.intern(attrs);
    this.received.set(attrs, pre);
    this.hold(pre);
    return pre;
  }

  hold(value: InternedAttributes): void {
    this.interner.retain(value);
    this.held.push(value);
  }

  release(): void {
    for (const v of this.held) this.interner.release(v);
  }
}
