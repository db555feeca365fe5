import type { Prefix } from '../../net/address.js';
import type { UpdateBuilder } from './changes.js';
import { prefixOf, type Destination, type RibPath } from './destination.js';
import { exportAttributes, type ExportContext } from './export.js';
import type { AttributeInterner, InternedAttributes } from './intern.js';
import type { PathSource } from './decision.js';
import type { PeerState } from './peer.js';

/**
 * Export of Loc-RIB best paths to one peer, as diffs against its Adj-RIB-Out: what a destination
 * should carry to the peer is computed (export.ts), interned, and sent only when it differs from
 * what was sent last. While the peer's export policy ignores the prefix, results are memoised
 * per (source peer, Loc-RIB attributes), so a full table over a few thousand attribute sets runs
 * the export rules a few thousand times, not a million.
 */
export class Exporter {
  constructor(
    private readonly interner: AttributeInterner,
    private readonly ctx: ExportContext,
    /** Most memoised results kept per peer before its memo is cleared. */
    private readonly cacheLimit: number,
  ) {}

  /** Brings `target`'s Adj-RIB-Out for `dest` in line with its best path, noting what to send in `out`. */
  exportTo(target: PeerState, dest: Destination, prefix: Prefix | undefined, out: UpdateBuilder): void {
    const desired = dest.best === undefined ? null : this.exportFor(target, dest.best, dest, prefix);
    if (desired === null) {
      const current = target.adjOut.delete(dest.id);
      if (current === undefined) return;
      this.interner.release(current);
      out.withdraw(prefix ?? prefixOf(dest));
      return;
    }
    const current = target.adjOut.get(dest.id);
    if (desired === current) {
      this.interner.release(desired);
      return;
    }
    target.adjOut.set(dest.id, desired);
    if (current !== undefined) this.interner.release(current);
    out.announce(desired, prefix ?? prefixOf(dest));
  }

  /** The interned attributes to advertise (one reference for the caller), or null. */
  private exportFor(target: PeerState, path: RibPath, dest: Destination, prefix: Prefix | undefined): InternedAttributes | null {
    const memo = target.exportPolicy === undefined || target.exportPolicy.prefixIndependent ? target.exportMemo : undefined;
    if (memo !== undefined) {
      const hit = memo.get(path.source, path.attrs);
      if (hit === null) return null;
      if (hit !== undefined && this.interner.isInterned(hit)) {
        this.interner.retain(hit);
        return hit;
      }
    }
    const r = exportAttributes(prefix ?? prefixOf(dest), path.source, path.attrs, target, this.ctx);
    const value = typeof r === 'string' ? null : this.interner.intern(r);
    memo?.set(path.source, path.attrs, value, this.cacheLimit);
    return value;
  }
}

/**
 * Exported attributes memoised per (source peer, Loc-RIB attributes) for one target peer, while
 * its export policy ignores the prefix. Values hold no interner reference: a hit is used only
 * while the value is still interned. The entry used last is checked first: consecutive routes
 * mostly come from one UPDATE, with one attribute set.
 */
export class ExportMemo {
  private readonly bySource = new Map<PathSource, Map<InternedAttributes, InternedAttributes | null>>();
  private count = 0;
  private lastSource: PathSource | undefined;
  private lastAttrs: InternedAttributes | undefined;
  private lastValue: InternedAttributes | null = null;

  /** The memoised result (null: not exported), or undefined when there is none. */
  get(source: PathSource, attrs: InternedAttributes): InternedAttributes | null | undefined {
    if (attrs === this.lastAttrs && source === this.lastSource) return this.lastValue;
    const value = this.bySource.get(source)?.get(attrs);
    if (value !== undefined) this.remember(source, attrs, value);
    return value;
  }

  /** Memoises a result; past `limit` entries the memo starts over. */
  set(source: PathSource, attrs: InternedAttributes, value: InternedAttributes | null, limit: number): void {
    if (this.count >= limit) this.clear();
    let memo = this.bySource.get(source);
    if (memo === undefined) {
      memo = new Map();
      this.bySource.set(source, memo);
    }
    if (!memo.has(attrs)) this.count++;
    memo.set(attrs, value);
    this.remember(source, attrs, value);
  }

  clear(): void {
    this.bySource.clear();
    this.count = 0;
    this.lastSource = undefined;
    this.lastAttrs = undefined;
  }

  /** Forgets the results for routes from `source`. */
  forget(source: PathSource): void {
    const memo = this.bySource.get(source);
    if (memo !== undefined) {
      this.count -= memo.size;
      this.bySource.delete(source);
    }
    if (this.lastSource === source) {
      this.lastSource = undefined;
      this.lastAttrs = undefined;
    }
  }

  private remember(source: PathSource, attrs: InternedAttributes, value: InternedAttributes | null): void {
    this.lastSource = source;
    this.lastAttrs = attrs;
    this.lastValue = value;
  }
}
