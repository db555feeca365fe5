import type { Ipv4Address } from '../../net/address.js';
import type { PathAttributes } from '../types.js';
import { asPathLength, neighbourAs } from './as-path.js';

/*
 * The BGP decision process (RFC 4271 §9.1.2.2, RFC 4456 §9), run as an elimination over the whole
 * candidate set: each step keeps only the candidates that are best by that step's criterion, and
 * the next step looks only at the survivors. Because every step is a function of the set (never
 * of a pair), the result does not depend on the order in which routes arrived — including with
 * MED, whose pairwise comparison is not transitive (RFC 3345 §2). FRR reaches the same place with
 * `bgp deterministic-med`; here it is the only behaviour, so there is no such option.
 *
 * Steps, in order (the `why` of a result names the one that left a single candidate):
 *   nexthop       the next hop must resolve (the caller's IGP cost function returns a number)
 *   weight        highest weight (local to this router; 32768 for locally originated routes)
 *   local-pref    highest LOCAL_PREF (missing = the configured default, 100)
 *   as-path-length shortest AS_PATH (AS_SET counts 1, confederation segments 0)
 *   origin        lowest ORIGIN (IGP < EGP < INCOMPLETE)
 *   med           within each group of routes from the same neighbouring AS, lowest MED; a
 *                 missing MED counts as 0, the lowest (RFC 4271 §9.1.2.2 (c); FRR's default), or
 *                 as the worst with `medMissingAsWorst`; `alwaysCompareMed` puts every route in
 *                 one group
 *   ebgp-over-ibgp routes learned by eBGP (and locally originated ones) over routes learned by iBGP
 *   igp-cost      lowest IGP cost to the next hop
 *   router-id     lowest BGP identifier of the advertising peer, or ORIGINATOR_ID when present
 *   cluster-list-length shortest CLUSTER_LIST (RFC 4456 §9)
 *   peer-address  lowest peer address (then, should two sources share one, lowest source id)
 * Not implemented, on purpose: "prefer the oldest eBGP route" (it depends on arrival order).
 */

export type PeerKind = 'ebgp' | 'ibgp' | 'local';

/** Who a candidate route came from: the decision needs only these facts about the peer. */
export interface PathSource {
  readonly id: string;
  readonly kind: PeerKind;
  readonly address: Ipv4Address;
  readonly routerId: Ipv4Address;
}

export interface Candidate {
  readonly source: PathSource;
  readonly attrs: PathAttributes;
  /** Local weight: the peer's default or what import policy set. */
  readonly weight: number;
}

export type DecisionStep =
  | 'nexthop'
  | 'weight'
  | 'local-pref'
  | 'as-path-length'
  | 'origin'
  | 'med'
  | 'ebgp-over-ibgp'
  | 'igp-cost'
  | 'router-id'
  | 'cluster-list-length'
  | 'peer-address';

/** Why the best path is best: the deciding step, or a reason no comparison was needed. */
export type DecisionReason = DecisionStep | 'only-path' | 'no-eligible-path';

export interface DecisionOptions {
  /** LOCAL_PREF assumed for routes without one (eBGP-learned): 100 as in FRR, BIRD and RRAS. */
  defaultLocalPref?: number;
  /** Compare MED between routes from different neighbouring ASes (RRAS `CompareMEDAcrossASN`). */
  alwaysCompareMed?: boolean;
  /** A missing MED is the worst (2^32-1) instead of 0 (FRR `bgp bestpath med missing-as-worst`). */
  medMissingAsWorst?: boolean;
  /** ECMP: install up to this many equally good paths (1 = no multipath). */
  maxPaths?: number;
  /** Multipath across different AS paths of equal length (FRR `as-path multipath-relax`). */
  multipathRelax?: boolean;
}

export interface Decision<C extends Candidate> {
  best: C | undefined;
  why: DecisionReason;
  /** Paths for ECMP, best first; just [best] without multipath, [] without a best. */
  multipath: C[];
}

/** IGP cost to a candidate's next hop; `undefined` when the next hop does not resolve. */
export type CostFunction<C> = (candidate: C) => number | undefined;

export const DEFAULT_LOCAL_PREF = 100;
const MAX_MED = 0xffffffff;

export function decide<C extends Candidate>(candidates: readonly C[], igpCost: CostFunction<C>, options: DecisionOptions = {}): Decision<C> {
  const defaultLocalPref = options.defaultLocalPref ?? DEFAULT_LOCAL_PREF;
  const missingMed = options.medMissingAsWorst === true ? MAX_MED : 0;

  if (candidates.length === 1) {
    const only = candidates[0]!;
    return igpCost(only) === undefined ? { best: undefined, why: 'no-eligible-path', multipath: [] } : { best: only, why: 'only-path', multipath: [only] };
  }
  // Eligibility: resolvable next hop. Costs are looked up once per candidate.
  const costs = new Map<C, number>();
  for (const c of candidates) {
    const cost = igpCost(c);
    if (cost !== undefined) costs.set(c, cost);
  }
  let set: C[] = costs.size === candidates.length ? [...candidates] : candidates.filter((c) => costs.has(c));
  if (set.length === 0) return { best: undefined, why: 'no-eligible-path', multipath: [] };
  if (set.length === 1) {
    return { best: set[0], why: 'nexthop', multipath: [set[0]!] };
  }

  let why: DecisionReason | undefined;
  const step = (name: DecisionStep, next: C[]): boolean => {
    set = next;
    if (set.length === 1) {
      why = name;
      return true;
    }
    return false;
  };

  let multipathSet: C[] | undefined;
  decided: {
    if (step('weight', keepLowest(set, (c) => -c.weight))) break decided;
    if (step('local-pref', keepLowest(set, (c) => -(c.attrs.localPref ?? defaultLocalPref)))) break decided;
    if (step('as-path-length', keepLowest(set, (c) => asPathLength(c.attrs.asPath)))) break decided;
    if (step('origin', keepLowest(set, (c) => c.attrs.origin))) break decided;
    if (step('med', keepLowestMedPerNeighbour(set, missingMed, options.alwaysCompareMed === true))) break decided;
    if (step('ebgp-over-ibgp', keepLowest(set, (c) => (c.source.kind === 'ibgp' ? 1 : 0)))) break decided;
    if (step('igp-cost', keepLowest(set, (c) => costs.get(c)!))) break decided;
    multipathSet = set;
    if (step('router-id', keepLowest(set, (c) => c.attrs.originatorId ?? c.source.routerId))) break decided;
    if (step('cluster-list-length', keepLowest(set, (c) => c.attrs.clusterList?.length ?? 0))) break decided;
    if (step('peer-address', keepLowest(set, (c) => c.source.address))) break decided;
    // Two sources with one address (not possible between real sessions): lowest id, so the
    // result still does not depend on order.
    set = [set.reduce((a, b) => (b.source.id < a.source.id ? b : a))];
    why = 'peer-address';
  }
  const best = set[0]!;
  return { best, why: why!, multipath: multipathOf(best, multipathSet, options) };
}

/** The candidates whose score is the lowest. */
function keepLowest<C>(set: readonly C[], score: (c: C) => number): C[] {
  let min = Infinity;
  let out: C[] = [];
  for (const c of set) {
    const s = score(c);
    if (s < min) {
      min = s;
      out = [c];
    } else if (s === min) {
      out.push(c);
    }
  }
  return out;
}

/**
 * RFC 4271 §9.1.2.2 (c): remove every route that has a higher MED than another route from the
 * same neighbouring AS. Routes whose path starts with an AS_SET have no neighbour AS and survive.
 */
function keepLowestMedPerNeighbour<C extends Candidate>(set: readonly C[], missingMed: number, always: boolean): C[] {
  const lowest = new Map<number, number>();
  const key = (c: C): number | undefined => (always ? 0 : neighbourAs(c.attrs.asPath));
  for (const c of set) {
    const k = key(c);
    if (k === undefined) continue;
    const med = c.attrs.med ?? missingMed;
    const current = lowest.get(k);
    if (current === undefined || med < current) lowest.set(k, med);
  }
  return set.filter((c) => {
    const k = key(c);
    return k === undefined || (c.attrs.med ?? missingMed) === lowest.get(k);
  });
}

function multipathOf<C extends Candidate>(best: C, tied: C[] | undefined, options: DecisionOptions): C[] {
  const max = options.maxPaths ?? 1;
  if (max <= 1 || tied === undefined || tied.length <= 1) return [best];
  const samePath = (c: C): boolean => options.multipathRelax === true || asPathsEqual(c.attrs, best.attrs);
  const others = tied.filter((c) => c !== best && c.source.kind !== 'local' && samePath(c)).sort(tieBreak);
  return [best, ...others].slice(0, max);
}

/** The steps after igp-cost as a comparator, to order multipath members. */
function tieBreak(a: Candidate, b: Candidate): number {
  return (
    (a.attrs.originatorId ?? a.source.routerId) - (b.attrs.originatorId ?? b.source.routerId) ||
    (a.attrs.clusterList?.length ?? 0) - (b.attrs.clusterList?.length ?? 0) ||
    a.source.address - b.source.address ||
    (a.source.id < b.source.id ? -1 : a.source.id > b.source.id ? 1 : 0)
  );
}

function asPathsEqual(a: PathAttributes, b: PathAttributes): boolean {
  if (a.asPath.length !== b.asPath.length) return false;
  for (let i = 0; i < a.asPath.length; i++) {
    const x = a.asPath[i]!;
    const y = b.asPath[i]!;
    if (x.type !== y.type || x.asns.length !== y.asns.length) return false;
    for (let j = 0; j < x.asns.length; j++) if (x.asns[j] !== y.asns[j]) return false;
  }
  return true;
}
