import { maskOf, type Prefix } from '../../net/address.js';

/**
 * An exact-match map keyed by IPv4 prefix, built for a full table: one open-addressing hash table
 * per prefix length, the network addresses in an Int32Array and the values in a plain array, so
 * an entry costs 12 bytes a slot (24–48 bytes at the load kept here) and no key object, string or
 * boxed number, and a lookup is an array probe rather than a Map's bucket-then-chain walk.
 *
 * The hash keeps neighbours together: the network number's low 4 bits pick the slot within a
 * block of 16, and only the rest is mixed to choose the block. A feed that arrives in address
 * order — routers send their tables that way — then finds the slots of 16 consecutive networks
 * in the same cache lines, where a Map (or any scattering hash) takes a cache miss per prefix: at
 * a million routes that was most of the Loc-RIB's time. Arbitrary order costs what a plain hash
 * table costs. Collisions probe linearly; a deleted entry leaves a marker unless it ended its run.
 *
 * Iteration is by length (shortest first), then slot order: deterministic for the same sequence
 * of operations, but neither address nor insertion order.
 */
export class PrefixMap<T> {
  private readonly byLength: (LengthTable<T> | undefined)[] = new Array<LengthTable<T> | undefined>(33).fill(undefined);
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(prefix: Prefix): T | undefined {
    return this.byLength[prefix.length]?.get(prefix.address | 0);
  }

  has(prefix: Prefix): boolean {
    return this.get(prefix) !== undefined;
  }

  /** `value` must not be undefined (undefined marks a free slot). */
  set(prefix: Prefix, value: T): void {
    const length = prefix.length;
    let table = this.byLength[length];
    if (table === undefined) {
      table = new LengthTable<T>(length);
      this.byLength[length] = table;
    }
    if (table.set(prefix.address | 0, value)) this.count++;
  }

  delete(prefix: Prefix): boolean {
    return this.deleteNetwork(prefix.address | 0, prefix.length);
  }

  /** `delete` for the prefix given as its address (as a signed 32-bit integer) and length. */
  deleteNetwork(net: number, length: number): boolean {
    const table = this.byLength[length];
    if (table === undefined || !table.delete(net)) return false;
    this.count--;
    if (table.size === 0) this.byLength[length] = undefined;
    return true;
  }

  clear(): void {
    this.byLength.fill(undefined);
    this.count = 0;
  }

  /** Entries as [prefix, value]; the prefix objects are built on the fly. */
  *entries(): IterableIterator<[Prefix, T]> {
    for (let length = 0; length <= 32; length++) {
      const table = this.byLength[length];
      if (table !== undefined) for (const [net, value] of table.entries()) yield [{ address: net >>> 0, length }, value];
    }
  }

  *values(): IterableIterator<T> {
    for (const table of this.byLength) if (table !== undefined) yield* table.values();
  }
}

/** True when `prefix` is a well-formed IPv4 prefix: length 0-32, no host bits set. */
export function isValidPrefix(prefix: Prefix): boolean {
  const { address, length } = prefix;
  return Number.isInteger(length) && length >= 0 && length <= 32 && Number.isInteger(address) && address >= 0 &&
    address <= 0xffffffff && ((address & maskOf(length)) >>> 0) === address;
}

const MIN_CAPACITY = 16;
/** Slots of consecutive networks kept together (a power of two). */
const BLOCK_BITS = 4;
const BLOCK_MASK = (1 << BLOCK_BITS) - 1;

/** Marks the slot of a deleted entry, so that lookups probe on past it. */
const DELETED: unique symbol = Symbol('deleted');
type Slot<T> = T | undefined | typeof DELETED;

/** The networks of one prefix length, keyed by address as a signed 32-bit integer. */
class LengthTable<T> {
  private nets: Int32Array;
  private slots: Slot<T>[];
  private mask: number;
  private count = 0;
  private deleted = 0;
  /** Shift from an address to its network number (32 − length; 32 is special-cased). */
  private readonly shift: number;

  constructor(length: number) {
    this.shift = 32 - length;
    this.nets = new Int32Array(MIN_CAPACITY);
    this.slots = new Array<Slot<T>>(MIN_CAPACITY).fill(undefined);
    this.mask = MIN_CAPACITY - 1;
  }

  get size(): number {
    return this.count;
  }

  get(net: number): T | undefined {
    const nets = this.nets;
    const slots = this.slots;
    const mask = this.mask;
    for (let i = this.home(net); ; i = (i + 1) & mask) {
      const v = slots[i];
      if (v === undefined) return undefined;
      if (nets[i] === net && v !== DELETED) return v;
    }
  }

  /** Returns true when the network was not there before. */
  set(net: number, value: T): boolean {
    const nets = this.nets;
    const slots = this.slots;
    const mask = this.mask;
    let free = -1;
    let i = this.home(net);
    for (let v = slots[i]; v !== undefined; i = (i + 1) & mask, v = slots[i]) {
      if (v === DELETED) {
        if (free < 0) free = i;
      } else if (nets[i] === net) {
        slots[i] = value;
        return false;
      }
    }
    if (free >= 0) {
      i = free;
      this.deleted--;
    }
    nets[i] = net;
    slots[i] = value;
    this.count++;
    // Rebuild past half in use (deleted slots count: they lengthen probes), doubling unless it is
    // mostly deleted slots. Runs of whole blocks (see above) make probes long when fuller: at
    // 3/4, taking in a full table was a third slower.
    const capacity = mask + 1;
    if ((this.count + this.deleted) * 2 > capacity) this.resize(this.count * 4 > capacity ? capacity * 2 : capacity);
    return true;
  }

  delete(net: number): boolean {
    const nets = this.nets;
    const slots = this.slots;
    const mask = this.mask;
    let i = this.home(net);
    for (let v = slots[i]; ; i = (i + 1) & mask, v = slots[i]) {
      if (v === undefined) return false;
      if (nets[i] === net && v !== DELETED) break;
    }
    this.count--;
    if (slots[(i + 1) & mask] === undefined) {
      // The end of a run: no probe goes past this slot, nor past the deleted ones just before it.
      slots[i] = undefined;
      for (let j = (i - 1) & mask; slots[j] === DELETED; j = (j - 1) & mask) {
        slots[j] = undefined;
        this.deleted--;
      }
    } else {
      slots[i] = DELETED;
      this.deleted++;
    }
    // Shrink below 1/16 full, to an eighth (under half full): a withdrawn table gives its memory
    // back in a few steps, each copying little.
    const capacity = mask + 1;
    if (capacity > MIN_CAPACITY && this.count * 16 < capacity) this.resize(Math.max(MIN_CAPACITY, capacity / 8));
    return true;
  }

  *entries(): IterableIterator<[number, T]> {
    const nets = this.nets;
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const v = slots[i];
      if (v !== undefined && v !== DELETED) yield [nets[i]!, v];
    }
  }

  *values(): IterableIterator<T> {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const v = slots[i];
      if (v !== undefined && v !== DELETED) yield v;
    }
  }

  /** The slot a network would take in an empty table. */
  private home(net: number): number {
    const n = this.shift === 32 ? 0 : net >>> this.shift;
    // murmur3's 32-bit finaliser on the block number
    let h = n >>> BLOCK_BITS;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    return ((h << BLOCK_BITS) | (n & BLOCK_MASK)) & this.mask;
  }

  private resize(capacity: number): void {
    const oldNets = this.nets;
    const oldSlots = this.slots;
    this.nets = new Int32Array(capacity);
    this.slots = new Array<Slot<T>>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.deleted = 0;
    const nets = this.nets;
    const slots = this.slots;
    for (let k = 0; k < oldSlots.length; k++) {
      const v = oldSlots[k];
      if (v === undefined || v === DELETED) continue;
      const net = oldNets[k]!;
      let i = this.home(net);
      while (slots[i] !== undefined) i = (i + 1) & this.mask;
      nets[i] = net;
      slots[i] = v;
    }
  }
}
