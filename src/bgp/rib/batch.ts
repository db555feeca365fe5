import type { Prefix } from '../../net/address.js';
import type { MaxPrefixViolation } from './changes.js';
import { isDirty, Path, prefixOf, setDirty, type Destination, type RibPath } from './destination.js';
import type { InternedAttributes } from './intern.js';
import type { PeerState } from './peer.js';

/**
 * The work one RIB call gathers before it is settled (decision, then export): the destinations
 * touched, each once, with its best path as it was before the call. A destination's first path
 * changes in place (destination.ts), so what the best was is kept as its three fields, in
 * parallel arrays rather than an object per destination; a best "changed" when any of them did.
 */
export class Batch {
  readonly dirty: Destination[] = [];
  /** The prefix each was named by in the call's input, when it was: the outputs reuse it. */
  private readonly named: (Prefix | undefined)[] = [];
  private readonly wasSource: (PeerState | undefined)[] = [];
  private readonly wasAttrs: (InternedAttributes | undefined)[] = [];
  private readonly wasWeight: number[] = [];
  readonly violations: MaxPrefixViolation[] = [];
  readonly refresh: string[] = [];
  /** Peers to which the whole Loc-RIB is (re-)exported. */
  readonly fullExport = new Set<PeerState>();
  /** Peers that get End-of-RIB after this batch. */
  readonly endOfRib = new Set<PeerState>();

  /**
   * Queues `dest` for the decision. Call it before changing the destination's paths, with the
   * prefix object the input named it by, if any.
   */
  touch(dest: Destination, named?: Prefix): void {
    if (isDirty(dest)) return;
    setDirty(dest, true);
    this.dirty.push(dest);
    this.named.push(named);
    const best = dest.best;
    this.wasSource.push(best?.source);
    this.wasAttrs.push(best?.attrs);
    this.wasWeight.push(best === undefined ? 0 : best.weight);
  }

  /** The i-th destination's prefix, for the outputs. */
  prefix(i: number): Prefix {
    return this.named[i] ?? prefixOf(this.dirty[i]!);
  }

  /** Whether `best` is the route the i-th destination had as best before the call. */
  sameBest(i: number, best: RibPath | undefined): boolean {
    if (best === undefined) return this.wasSource[i] === undefined;
    return best.source === this.wasSource[i] && best.attrs === this.wasAttrs[i] && best.weight === this.wasWeight[i];
  }

  /** The i-th destination's best before the call, as a route of its own. */
  previous(i: number): Path | undefined {
    const source = this.wasSource[i];
    return source === undefined ? undefined : new Path(source, this.wasAttrs[i]!, this.wasWeight[i]!);
  }
}

/** Two routes with the same source, attributes and weight. */
export function sameRoute(a: RibPath, b: RibPath): boolean {
  return a === b || (a.source === b.source && a.attrs === b.attrs && a.weight === b.weight);
}

/** Two ECMP sets (or their absence) with the same routes in the same order. */
export function sameRoutes(a: readonly RibPath[] | undefined, b: readonly RibPath[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  return a.every((p, i) => sameRoute(p, b[i]!));
}
