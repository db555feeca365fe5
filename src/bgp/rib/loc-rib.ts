import type { Prefix } from '../../net/address.js';
import { createDestination, lengthOf, type Destination } from './destination.js';
import type { InternedAttributes } from './intern.js';
import type { PeerState } from './peer.js';
import { PrefixMap } from './prefix-map.js';

/**
 * The Loc-RIB's table: destinations by prefix. Each destination gets a small integer id, unique
 * among the live ones and reused once its destination is gone, which indexes the per-peer
 * Adj-RIB-Out arrays (adj-rib-out.ts): BIRD hangs per-channel export state off its `net` the same
 * way. Iteration is the PrefixMap's: shortest prefix first, then slot order.
 */
export class LocRib {
  private readonly byPrefix = new PrefixMap<Destination>();
  private readonly freeIds = new IdStack();
  private nextId = 0;

  get size(): number {
    return this.byPrefix.size;
  }

  get(prefix: Prefix): Destination | undefined {
    return this.byPrefix.get(prefix);
  }

  /** A destination for a prefix that has none yet, holding its first path. */
  create(prefix: Prefix, source: PeerState, attrs: InternedAttributes, weight: number): Destination {
    const id = this.freeIds.pop() ?? this.nextId++;
    const dest = createDestination(prefix, id, source, attrs, weight);
    this.byPrefix.set(prefix, dest);
    return dest;
  }

  /**
   * Forgets a destination (no paths left, nothing advertised to anyone); its id may be handed out
   * again. When the table empties, ids start from 0 again.
   */
  remove(dest: Destination): void {
    if (!this.byPrefix.deleteNetwork(dest.net, lengthOf(dest))) return;
    if (this.byPrefix.size === 0) {
      this.freeIds.clear();
      this.nextId = 0;
    } else {
      this.freeIds.push(dest.id);
    }
  }

  values(): IterableIterator<Destination> {
    return this.byPrefix.values();
  }
}

const ID_CHUNK = 4096;

/**
 * A stack of free ids in chunks of 4,096 (16 KiB each): withdrawing a full table frees a million
 * ids, and a plain array would be copied into ever larger ones on the way (garbage the size of
 * the table). Pop returns undefined when empty.
 */
class IdStack {
  private readonly chunks: Int32Array[] = [];
  private count = 0;

  push(id: number): void {
    const at = this.count % ID_CHUNK;
    if (at === 0) this.chunks.push(new Int32Array(ID_CHUNK));
    this.chunks[this.chunks.length - 1]![at] = id;
    this.count++;
  }

  pop(): number | undefined {
    if (this.count === 0) return undefined;
    const at = --this.count % ID_CHUNK;
    const id = this.chunks[this.chunks.length - 1]![at]!;
    if (at === 0) this.chunks.pop();
    return id;
  }

  clear(): void {
    this.chunks.length = 0;
    this.count = 0;
  }
}
