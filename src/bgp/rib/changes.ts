import type { Prefix } from '../../net/address.js';
import type { DecisionReason, PathSource, PeerKind } from './decision.js';
import type { InternedAttributes } from './intern.js';
import type { PeerCounters, PeerStatus } from './peer.js';

/** A route as the RIB holds it: who sent it, its (post-policy, interned) attributes, its weight. */
export interface RibRoute {
  readonly source: PathSource;
  readonly attrs: InternedAttributes;
  readonly weight: number;
}

/** Prefixes that share one attribute set: one UPDATE (or several, if they do not fit in 4 KiB). */
export interface AttributeGroup {
  attrs: InternedAttributes;
  prefixes: Prefix[];
}

/** What to send one peer. Withdrawals first, then announcements, then End-of-RIB if set. */
export interface PeerUpdate {
  peerId: string;
  withdrawn: Prefix[];
  announced: AttributeGroup[];
  /** Send End-of-RIB (RFC 4724 §2) after these: this is the end of the initial advertisement. */
  endOfRib: boolean;
}

/** A Loc-RIB best path change: what the FIB (the node's RouteTable) must follow. */
export interface BestChange {
  prefix: Prefix;
  /** The new best, or undefined when no eligible route remains. */
  best: RibRoute | undefined;
  previous: RibRoute | undefined;
  why: DecisionReason;
  /** ECMP set, best first ([best] without multipath, [] without a best). */
  multipath: RibRoute[];
}

/** A peer went over its max-prefix limit; for 'teardown' the session layer closes the session. */
export interface MaxPrefixViolation {
  peerId: string;
  limit: number;
  /** Prefixes accepted when the limit was crossed (limit + 1 or more; = limit for 'block'). */
  count: number;
  action: 'warn' | 'teardown' | 'block';
  restartAfterMs?: number;
}

/** The result of every RIB operation. */
export interface RibChanges {
  /** Per established peer with something to send, in peer registration order. */
  updates: PeerUpdate[];
  best: BestChange[];
  violations: MaxPrefixViolation[];
  /**
   * Peers whose import policy changed without soft-reconfiguration inbound: the session layer
   * should send them a ROUTE-REFRESH (RFC 2918) so their routes come through the new policy.
   */
  refreshRequests: string[];
}

// ---------------------------------------------------------------------------------------------
// Views (show bgp ...)

export interface PathView {
  route: RibRoute;
  eligible: boolean;
  igpCost: number | undefined;
  best: boolean;
}

export interface DestinationView {
  prefix: Prefix;
  best: RibRoute | undefined;
  why: DecisionReason;
  multipath: RibRoute[];
  paths: PathView[];
}

export interface PeerReport {
  id: string;
  kind: PeerKind;
  status: PeerStatus;
  /** Routes in the post-policy Adj-RIB-In. */
  accepted: number;
  /** Routes in the Adj-RIB-Out. */
  advertised: number;
  counters: Readonly<PeerCounters>;
  eorReceived: boolean;
  eorSent: boolean;
  /** eBGP peer without import / export policy while RFC 8212 applies (FRR shows "(Policy)"). */
  missingPolicy: boolean;
}

/** Collects one peer's UPDATE material, grouping announced prefixes by attribute set identity. */
export class UpdateBuilder {
  private readonly withdrawn: Prefix[] = [];
  private readonly groups = new Map<InternedAttributes, Prefix[]>();
  /** The group added to last: consecutive routes mostly share their attributes. */
  private lastAttrs: InternedAttributes | undefined;
  private lastGroup: Prefix[] | undefined;

  constructor(private readonly peerId: string) {}

  get empty(): boolean {
    return this.withdrawn.length === 0 && this.groups.size === 0;
  }

  withdraw(prefix: Prefix): void {
    this.withdrawn.push(prefix);
  }

  announce(attrs: InternedAttributes, prefix: Prefix): void {
    if (attrs === this.lastAttrs) {
      this.lastGroup!.push(prefix);
      return;
    }
    let list = this.groups.get(attrs);
    if (list === undefined) {
      list = [prefix];
      this.groups.set(attrs, list);
    } else {
      list.push(prefix);
    }
    this.lastAttrs = attrs;
    this.lastGroup = list;
  }

  build(endOfRib: boolean): PeerUpdate {
    const announced: AttributeGroup[] = [];
    for (const [attrs, prefixes] of this.groups) announced.push({ attrs, prefixes });
    return { peerId: this.peerId, withdrawn: this.withdrawn, announced, endOfRib };
  }
}
