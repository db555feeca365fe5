import { InvalidArgumentError } from '../../core/errors.js';
import type { AsPathSegment, LargeCommunity, PathAttributes, RawAttribute } from '../types.js';

/*
 * Attribute interning. A full table is ~1M prefixes over a few thousand distinct attribute sets
 * (BIRD's rta cache and GoBGP's shared PathAttrs make the same observation), so every RIB entry
 * holds a reference to one shared, frozen PathAttributes value instead of its own copy.
 *
 * Identical values are found through a 32-bit hash of the canonical form, then a deep comparison
 * within the bucket. Each canonical value carries a reference count (in a hidden slot): the RIBs `intern` or
 * `retain` when they store a reference and `release` when they drop it; at zero the value leaves
 * the table, so withdrawn attribute sets are freed. The cost per route is one pointer; the cost
 * per attribute set is the frozen value, its count cell and a bucket slot (bench/bgp-rib.ts measures).
 */

/** Canonical, deeply frozen attributes: the only kind the RIBs store. */
export type InternedAttributes = Readonly<PathAttributes>;

/**
 * The bookkeeping of one canonical value, reached through a hidden (non-enumerable, symbol-keyed)
 * slot on the frozen value itself, so that the per-route operations — retain, release, "is this
 * still interned" — are a property access, not a hash-map lookup. Invisible to deepEqual, JSON and
 * property enumeration.
 */
interface Cell {
  readonly owner: AttributeInterner;
  readonly hash: number;
  refs: number;
}

const CELL = Symbol('vpnlab.interned');

function cellOf(attrs: PathAttributes): Cell | undefined {
  return (attrs as { [CELL]?: Cell })[CELL];
}

export class AttributeInterner {
  /** hash → one value, or several when hashes collide. */
  private readonly buckets = new Map<number, InternedAttributes | InternedAttributes[]>();
  private count = 0;

  /** Distinct attribute sets held. */
  get size(): number {
    return this.count;
  }

  /**
   * The shared value equal to `attrs`, with one more reference. `attrs` itself is never kept:
   * the first time a value is seen it is copied into canonical form (empty lists and a false
   * ATOMIC_AGGREGATE dropped, every array and object frozen).
   */
  intern(attrs: PathAttributes): InternedAttributes {
    const own = this.liveCell(attrs);
    if (own !== undefined) {
      own.refs++;
      return attrs;
    }
    const hash = hashAttributes(attrs);
    const bucket = this.buckets.get(hash);
    if (bucket !== undefined) {
      if (Array.isArray(bucket)) {
        for (const candidate of bucket) if (attributesEqual(candidate, attrs)) return this.bump(candidate);
      } else if (attributesEqual(bucket as InternedAttributes, attrs)) {
        return this.bump(bucket as InternedAttributes);
      }
    }
    const canonical = canonicalise(attrs, { owner: this, hash, refs: 1 });
    this.count++;
    if (bucket === undefined) this.buckets.set(hash, canonical);
    else if (Array.isArray(bucket)) bucket.push(canonical);
    else this.buckets.set(hash, [bucket as InternedAttributes, canonical]);
    return canonical;
  }

  /** One more reference to a value `intern` returned (and that is still held). */
  retain(canonical: InternedAttributes): void {
    const cell = this.liveCell(canonical);
    if (cell === undefined) throw new InvalidArgumentError('retain of attributes that are not interned (released already?)');
    cell.refs++;
  }

  /** Drops one reference; the last one removes the value from the table. */
  release(canonical: InternedAttributes): void {
    const cell = this.liveCell(canonical);
    if (cell === undefined) throw new InvalidArgumentError('release of attributes that are not interned (released twice?)');
    if (--cell.refs > 0) return;
    this.count--;
    const bucket = this.buckets.get(cell.hash);
    if (bucket === canonical) {
      this.buckets.delete(cell.hash);
    } else if (Array.isArray(bucket)) {
      const rest = bucket.filter((b) => b !== canonical);
      this.buckets.set(cell.hash, rest.length === 1 ? rest[0]! : rest);
    }
  }

  /** True while `attrs` is a canonical value of this interner with references left. */
  isInterned(attrs: PathAttributes): boolean {
    return this.liveCell(attrs) !== undefined;
  }

  refCount(attrs: PathAttributes): number {
    return this.liveCell(attrs)?.refs ?? 0;
  }

  private liveCell(attrs: PathAttributes): Cell | undefined {
    const cell = cellOf(attrs);
    return cell !== undefined && cell.owner === this && cell.refs > 0 ? cell : undefined;
  }

  private bump(canonical: InternedAttributes): InternedAttributes {
    cellOf(canonical)!.refs++;
    return canonical;
  }
}

// ---------------------------------------------------------------------------------------------
// Canonical form, hash and equality. The three must agree: two values are equal exactly when
// their canonical forms are, and equal values hash the same.

function canonicalise(a: PathAttributes, cell: Cell): InternedAttributes {
  return Object.freeze(new CanonicalAttributes(a, cell));
}

/**
 * Builds the canonical copy (not yet frozen). A constructor rather than an object literal grown
 * property by property: V8 then lays every field out inside the object (a literal keeps those
 * added later in a separate property array: 32 bytes more per attribute set, of which a full
 * table has tens of thousands). Its prototype is Object.prototype, so the result is a plain
 * object to everyone (deepEqual included).
 */
const CanonicalAttributes = function CanonicalAttributes(this: PathAttributes, a: PathAttributes, cell: Cell): void {
  this.origin = a.origin;
  this.asPath = Object.freeze(a.asPath.map((s) => Object.freeze({ type: s.type, asns: Object.freeze([...s.asns]) as number[] }))) as AsPathSegment[];
  if (a.nextHop !== undefined) this.nextHop = a.nextHop;
  if (a.med !== undefined) this.med = a.med;
  if (a.localPref !== undefined) this.localPref = a.localPref;
  if (a.atomicAggregate === true) this.atomicAggregate = true;
  if (a.aggregator !== undefined) this.aggregator = Object.freeze({ asn: a.aggregator.asn, address: a.aggregator.address });
  if (a.communities !== undefined && a.communities.length > 0) this.communities = Object.freeze([...a.communities]) as number[];
  if (a.largeCommunities !== undefined && a.largeCommunities.length > 0) {
    this.largeCommunities = Object.freeze(a.largeCommunities.map((c) => Object.freeze({ globalAdmin: c.globalAdmin, localData1: c.localData1, localData2: c.localData2 }))) as LargeCommunity[];
  }
  if (a.originatorId !== undefined) this.originatorId = a.originatorId;
  if (a.clusterList !== undefined && a.clusterList.length > 0) this.clusterList = Object.freeze([...a.clusterList]) as number[];
  if (a.unknown !== undefined && a.unknown.length > 0) {
    // Typed arrays cannot be frozen; the bytes are copied so no caller can change them later.
    this.unknown = Object.freeze(a.unknown.map((u) => Object.freeze({ flags: u.flags, type: u.type, value: u.value.slice() }))) as RawAttribute[];
  }
  Object.defineProperty(this, CELL, { value: cell, enumerable: false });
} as unknown as new (a: PathAttributes, cell: Cell) => PathAttributes;
CanonicalAttributes.prototype = Object.prototype;

const SEGMENT_CODE: Record<AsPathSegment['type'], number> = { set: 1, sequence: 2, 'confed-sequence': 3, 'confed-set': 4 };

// Field tags keep e.g. a MED of 5 distinct from a LOCAL_PREF of 5.
const TAG = { nextHop: 1, med: 2, localPref: 3, atomic: 4, aggregator: 5, communities: 6, large: 7, originator: 8, cluster: 9, unknown: 10 } as const;

/** A 32-bit hash of the canonical form (FNV-1a over 32-bit words, then a final avalanche). */
export function hashAttributes(a: PathAttributes): number {
  let h = 0x811c9dc5;
  h = mix(h, a.origin);
  for (const seg of a.asPath) {
    h = mix(h, SEGMENT_CODE[seg.type]);
    h = mix(h, seg.asns.length);
    for (const asn of seg.asns) h = mix(h, asn);
  }
  if (a.nextHop !== undefined) { h = mix(h, TAG.nextHop); h = mix(h, a.nextHop); }
  if (a.med !== undefined) { h = mix(h, TAG.med); h = mix(h, a.med); }
  if (a.localPref !== undefined) { h = mix(h, TAG.localPref); h = mix(h, a.localPref); }
  if (a.atomicAggregate === true) h = mix(h, TAG.atomic);
  if (a.aggregator !== undefined) { h = mix(h, TAG.aggregator); h = mix(h, a.aggregator.asn); h = mix(h, a.aggregator.address); }
  if (a.communities !== undefined && a.communities.length > 0) {
    h = mix(h, TAG.communities);
    for (const c of a.communities) h = mix(h, c);
  }
  if (a.largeCommunities !== undefined && a.largeCommunities.length > 0) {
    h = mix(h, TAG.large);
    for (const c of a.largeCommunities) { h = mix(h, c.globalAdmin); h = mix(h, c.localData1); h = mix(h, c.localData2); }
  }
  if (a.originatorId !== undefined) { h = mix(h, TAG.originator); h = mix(h, a.originatorId); }
  if (a.clusterList !== undefined && a.clusterList.length > 0) {
    h = mix(h, TAG.cluster);
    for (const c of a.clusterList) h = mix(h, c);
  }
  if (a.unknown !== undefined && a.unknown.length > 0) {
    h = mix(h, TAG.unknown);
    for (const u of a.unknown) {
      h = mix(h, u.flags); h = mix(h, u.type); h = mix(h, u.value.length);
      for (const b of u.value) h = mix(h, b);
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0; // signed: a small integer to V8 (a Map key without a boxed number)
}

/** One FNV-1a step over a 32-bit word. */
function mix(h: number, v: number): number {
  return Math.imul(h ^ (v | 0), 0x01000193);
}

/** Deep equality in the canonical sense (an empty list equals an absent one). */
export function attributesEqual(a: PathAttributes, b: PathAttributes): boolean {
  if (a === b) return true;
  if (a.origin !== b.origin || a.nextHop !== b.nextHop || a.med !== b.med || a.localPref !== b.localPref) return false;
  if ((a.atomicAggregate === true) !== (b.atomicAggregate === true) || a.originatorId !== b.originatorId) return false;
  if (a.asPath.length !== b.asPath.length) return false;
  for (let i = 0; i < a.asPath.length; i++) {
    const x = a.asPath[i]!;
    const y = b.asPath[i]!;
    if (x.type !== y.type || !numbersEqual(x.asns, y.asns)) return false;
  }
  if (a.aggregator !== b.aggregator) {
    if (a.aggregator === undefined || b.aggregator === undefined) return false;
    if (a.aggregator.asn !== b.aggregator.asn || a.aggregator.address !== b.aggregator.address) return false;
  }
  if (!numbersEqual(a.communities ?? EMPTY, b.communities ?? EMPTY)) return false;
  if (!numbersEqual(a.clusterList ?? EMPTY, b.clusterList ?? EMPTY)) return false;
  const la = a.largeCommunities ?? NO_LARGE;
  const lb = b.largeCommunities ?? NO_LARGE;
  if (la.length !== lb.length) return false;
  for (let i = 0; i < la.length; i++) {
    const x = la[i]!;
    const y = lb[i]!;
    if (x.globalAdmin !== y.globalAdmin || x.localData1 !== y.localData1 || x.localData2 !== y.localData2) return false;
  }
  const ua = a.unknown ?? NO_RAW;
  const ub = b.unknown ?? NO_RAW;
  if (ua.length !== ub.length) return false;
  for (let i = 0; i < ua.length; i++) {
    const x = ua[i]!;
    const y = ub[i]!;
    if (x.flags !== y.flags || x.type !== y.type || !numbersEqual(x.value, y.value)) return false;
  }
  return true;
}

const EMPTY: readonly number[] = [];
const NO_LARGE: readonly LargeCommunity[] = [];
const NO_RAW: readonly RawAttribute[] = [];

function numbersEqual(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
