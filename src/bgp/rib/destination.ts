import type { Prefix } from '../../net/address.js';
import type { DestinationView, RibRoute } from './changes.js';
import type { DecisionReason } from './decision.js';
import type { InternedAttributes } from './intern.js';
import type { PeerState } from './peer.js';

/*
 * The Loc-RIB's unit: one destination per prefix holding every peer's path for it. Laid out for a
 * full table, where there are a million of them and almost all have one path (bench/bgp-rib.ts
 * measures):
 * - the destination is its own first path: source, attributes and weight are fields of it, and
 *   only the paths of further peers are objects of their own (`Path`, in an array);
 * - the prefix is stored inline (no Prefix object kept), its address as a signed 32-bit integer
 *   so that V8 keeps it unboxed (a Smi) for every address, 128.0.0.0 and above included;
 * - the prefix length, the decision's reason and two marks share one small integer;
 * - `id`, a small integer unique among the live destinations, indexes the per-peer Adj-RIB-Out
 *   (adj-rib-out.ts), so what was sent to each peer needs no map of its own;
 * - ECMP sets, rare, are kept by the RIB beside the destinations.
 * A destination is a plain record made by one object literal, with the functions below, rather
 * than a class instance: V8 allocates a literal's objects straight into the old generation once
 * it sees that they all live long (pretenuring, which it does per literal site, not for `new`),
 * where class instances are first copied twice by the young-generation collector. Taking in a
 * million routes, that cut the time spent collecting garbage by a third.
 * The first path's fields change in place when its peer replaces the route, so a destination is
 * never handed out as a route: the RIB's outputs copy it into a `Path` (`routeOf`).
 */

/** A route in the Loc-RIB: a destination's own first path, or one of its further `Path`s. */
export interface RibPath extends RibRoute {
  readonly source: PeerState;
  readonly attrs: InternedAttributes;
  readonly weight: number;
}

/** One peer's route for one prefix: post-policy interned attributes and the local weight. */
export class Path implements RibPath {
  constructor(readonly source: PeerState, readonly attrs: InternedAttributes, readonly weight: number) {}
}

export interface Destination extends RibPath {
  /** The first path (stale while the destination is empty). */
  source: PeerState;
  attrs: InternedAttributes;
  weight: number;
  /** The best path: the destination itself (its first path), one of `others`, or none. */
  best: RibPath | undefined;
  readonly id: number;
  /** The network address, as a signed 32-bit integer. */
  readonly net: number;
  /** Prefix length, marks and decision reason (see below). */
  bits: number;
  /** The paths of further peers, when several sent the prefix. */
  others: Path[] | undefined;
}

/** Every DecisionReason, indexed by its code in `Destination.bits`. */
const REASONS = [
  'no-eligible-path', 'only-path', 'nexthop', 'weight', 'local-pref', 'as-path-length', 'origin', 'med',
  'ebgp-over-ibgp', 'igp-cost', 'router-id', 'cluster-list-length', 'peer-address',
] as const satisfies readonly DecisionReason[];
type Unlisted = Exclude<DecisionReason, (typeof REASONS)[number]>;
const everyReasonListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyReasonListed;
const REASON_CODE = new Map<DecisionReason, number>(REASONS.map((r, i) => [r, i]));

// Destination.bits: prefix length (6 bits), dirty, empty, reason code (4 bits).
const LENGTH_MASK = 0x3f;
const DIRTY = 0x40;
const EMPTY = 0x80;
const REASON_SHIFT = 8;

/** A destination holding its first path (reason: no eligible path, until the decision runs). */
export function createDestination(prefix: Prefix, id: number, source: PeerState, attrs: InternedAttributes, weight: number): Destination {
  return { source, attrs, weight, best: undefined, id, net: prefix.address | 0, bits: prefix.length, others: undefined };
}

export function lengthOf(d: Destination): number {
  return d.bits & LENGTH_MASK;
}

/** A fresh Prefix value. */
export function prefixOf(d: Destination): Prefix {
  return { address: d.net >>> 0, length: d.bits & LENGTH_MASK };
}

/** Why `best` is best (or why there is none), as the last decision found. */
export function reasonOf(d: Destination): DecisionReason {
  return REASONS[d.bits >>> REASON_SHIFT]!;
}

export function setReason(d: Destination, reason: DecisionReason): void {
  d.bits = (d.bits & ((1 << REASON_SHIFT) - 1)) | (REASON_CODE.get(reason)! << REASON_SHIFT);
}

/** Queued in the current batch for the decision process. */
export function isDirty(d: Destination): boolean {
  return (d.bits & DIRTY) !== 0;
}

export function setDirty(d: Destination, on: boolean): void {
  d.bits = on ? d.bits | DIRTY : d.bits & ~DIRTY;
}

/** No path left (the RIB then drops the destination at the end of the batch). */
export function isEmpty(d: Destination): boolean {
  return (d.bits & EMPTY) !== 0;
}

/** The path when there is exactly one (the decision's fast case), else undefined. */
export function singlePathOf(d: Destination): RibPath | undefined {
  return (d.bits & EMPTY) === 0 && d.others === undefined ? d : undefined;
}

/** The candidates, as a new array. */
export function pathsOf(d: Destination): RibPath[] {
  if (isEmpty(d)) return [];
  return d.others === undefined ? [d] : [d, ...d.others];
}

/** A stable copy of one of the destination's paths, for outputs; `Path`s are their own copy. */
export function routeOf(d: Destination, path: RibPath): Path {
  return path === d ? new Path(d.source, d.attrs, d.weight) : (path as Path);
}

/** The peer's path for the prefix, if it sent one. */
export function pathFrom(d: Destination, peer: PeerState): RibPath | undefined {
  if (isEmpty(d)) return undefined;
  if (d.source === peer) return d;
  const others = d.others;
  if (others !== undefined) for (const p of others) if (p.source === peer) return p;
  return undefined;
}

/** Adds the peer's path, or replaces the one it had; returns the attributes replaced. */
export function putPath(d: Destination, source: PeerState, attrs: InternedAttributes, weight: number): InternedAttributes | undefined {
  if (isEmpty(d) || d.source === source) {
    const old = isEmpty(d) ? undefined : d.attrs;
    d.source = source;
    d.attrs = attrs;
    d.weight = weight;
    d.bits &= ~EMPTY;
    return old;
  }
  const path = new Path(source, attrs, weight);
  const others = d.others;
  if (others === undefined) {
    d.others = [path];
    return undefined;
  }
  const i = others.findIndex((p) => p.source === source);
  if (i < 0) {
    others.push(path);
    return undefined;
  }
  const old = others[i]!.attrs;
  others[i] = path;
  return old;
}

/** Removes the peer's path; returns its attributes. */
export function removePath(d: Destination, peer: PeerState): InternedAttributes | undefined {
  if (isEmpty(d)) return undefined;
  const others = d.others;
  if (d.source === peer) {
    const old = d.attrs;
    const next = others?.shift();
    if (next === undefined) {
      d.bits |= EMPTY;
    } else {
      d.source = next.source;
      d.attrs = next.attrs;
      d.weight = next.weight;
      if (others!.length === 0) d.others = undefined;
    }
    return old;
  }
  if (others === undefined) return undefined;
  const i = others.findIndex((p) => p.source === peer);
  if (i < 0) return undefined;
  const old = others[i]!.attrs;
  others.splice(i, 1);
  if (others.length === 0) d.others = undefined;
  return old;
}

/** What `show` tells about a destination: its paths as copies, the best and ECMP set among them. */
export function viewOf(d: Destination, multipath: readonly Path[] | undefined, costOf: (p: RibPath) => number | undefined): DestinationView {
  const paths = pathsOf(d);
  const routes = paths.map((p) => routeOf(d, p));
  const best = d.best === undefined ? undefined : routes[paths.indexOf(d.best)];
  const members = multipath?.map((m) => routes.find((r) => r.source === m.source) ?? m);
  return {
    prefix: prefixOf(d),
    best,
    why: reasonOf(d),
    multipath: members ?? (best === undefined ? [] : [best]),
    paths: routes.map((route) => {
      const cost = costOf(route);
      return { route, eligible: cost !== undefined, igpCost: cost, best: route === best };
    }),
  };
}
