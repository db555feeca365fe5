import type { InternedAttributes } from './intern.js';

/** Slots per chunk: 32 KiB of pointers, an ordinary heap object (not a large-object-space one). */
const CHUNK_BITS = 12;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;

type Chunk = (InternedAttributes | undefined)[];

/**
 * What was last advertised to one peer and not withdrawn since: per Loc-RIB destination id
 * (loc-rib.ts), the interned attributes sent, each holding one interner reference. A slot per
 * destination (8 bytes) instead of a map entry keyed by prefix (~32 bytes and a hash lookup that
 * misses the cache): a full table has a million of them per peer. The slots come in chunks of
 * 4,096, allocated as ids are first used and dropped when the peer has nothing advertised, so the
 * table grows without copying (no garbage array left behind at each growth).
 */
export class AdjRibOut {
  private chunks: (Chunk | undefined)[] = [];
  private count = 0;

  /** Prefixes advertised. */
  get size(): number {
    return this.count;
  }

  get(id: number): InternedAttributes | undefined {
    const chunk = this.chunks[id >>> CHUNK_BITS];
    return chunk === undefined ? undefined : chunk[id & CHUNK_MASK];
  }

  /** Records `attrs` as sent for destination `id`; returns what it replaces. */
  set(id: number, attrs: InternedAttributes): InternedAttributes | undefined {
    const c = id >>> CHUNK_BITS;
    let chunk = this.chunks[c];
    if (chunk === undefined) {
      while (this.chunks.length < c) this.chunks.push(undefined);
      chunk = new Array<InternedAttributes | undefined>(CHUNK_SIZE).fill(undefined);
      this.chunks[c] = chunk;
    }
    const old = chunk[id & CHUNK_MASK];
    chunk[id & CHUNK_MASK] = attrs;
    if (old === undefined) this.count++;
    return old;
  }

  /** Forgets what was sent for destination `id` (withdrawn); returns it. */
  delete(id: number): InternedAttributes | undefined {
    const chunk = this.chunks[id >>> CHUNK_BITS];
    if (chunk === undefined) return undefined;
    const old = chunk[id & CHUNK_MASK];
    if (old === undefined) return undefined;
    chunk[id & CHUNK_MASK] = undefined;
    if (--this.count === 0) this.chunks = [];
    return old;
  }

  /** Forgets everything, handing each attribute set (and its reference) to `release`. */
  clear(release: (attrs: InternedAttributes) => void): void {
    const chunks = this.chunks;
    this.chunks = [];
    this.count = 0;
    for (const chunk of chunks) if (chunk !== undefined) for (const attrs of chunk) if (attrs !== undefined) release(attrs);
  }
}
