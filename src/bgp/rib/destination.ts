import type { Ipv4Address, Prefix } from '../../net/address.js';
import type { RibRoute } from './changes.js';
import type { DecisionReason } from './decision.js';
import type { InternedAttributes } from './intern.js';
import type { PeerState } from './peer.js';

/*
 * The Loc-RIB's unit: one destination per prefix holding every peer's path for it. Laid out for a
 * full table (bench/bgp-rib.ts measures): the prefix is stored inline (no Prefix object kept), and
 * the usual single path is held directly, an array appearing only when a second peer sends the
 * same prefix.
 */

/** One peer's route for one prefix: post-policy interned attributes and the local weight. */
export class Path implements RibRoute {
  constructor(readonly source: PeerState, readonly attrs: InternedAttributes, readonly weight: number) {}
}

export class Destination implements Prefix {
  best: Path | undefined = undefined;
  why: DecisionReason = 'no-eligible-path';
  /** ECMP members, when more than the best. */
  multipath: Path[] | undefined = undefined;
  /** Queued in the current batch for the decision process. */
  dirty = false;
  /** The only path, or the paths when there are several. */
  private slot: Path | Path[] | undefined;

  constructor(readonly address: Ipv4Address, readonly length: number, first: Path) {
    this.slot = first;
  }

  /** A fresh Prefix value (outputs must not hold the destination itself). */
  get prefix(): Prefix {
    return { address: this.address, length: this.length };
  }

  get empty(): boolean {
    return this.slot === undefined;
  }

  /** The candidates, as an array (a new one-element array for a single path). */
  paths(): Path[] {
    const s = this.slot;
    return s === undefined ? [] : Array.isArray(s) ? s : [s];
  }

  from(peer: PeerState): Path | undefined {
    const s = this.slot;
    if (s === undefined) return undefined;
    if (!Array.isArray(s)) return s.source === peer ? s : undefined;
    for (const p of s) if (p.source === peer) return p;
    return undefined;
  }

  /** Adds a path, or replaces the one from the same peer; returns the replaced one. */
  put(path: Path): Path | undefined {
    const s = this.slot;
    if (s === undefined) {
      this.slot = path;
      return undefined;
    }
    if (!Array.isArray(s)) {
      if (s.source === path.source) {
        this.slot = path;
        return s;
      }
      this.slot = [s, path];
      return undefined;
    }
    const i = s.findIndex((p) => p.source === path.source);
    if (i < 0) {
      s.push(path);
      return undefined;
    }
    const old = s[i];
    s[i] = path;
    return old;
  }

  /** Removes the peer's path; returns it. */
  remove(peer: PeerState): Path | undefined {
    const s = this.slot;
    if (s === undefined) return undefined;
    if (!Array.isArray(s)) {
      if (s.source !== peer) return undefined;
      this.slot = undefined;
      return s;
    }
    const i = s.findIndex((p) => p.source === peer);
    if (i < 0) return undefined;
    const [old] = s.splice(i, 1);
    if (s.length === 1) this.slot = s[0];
    return old;
  }
}
