import type { SeededRng } from '../../src/core/rng.js';

/*
 * A small seeded mutator for the hostile-input harness: bit flips, byte sets with interesting
 * values, byte insertion / deletion / duplication, edits of the message's own length fields
 * (the caller says where they are), truncation and splicing two valid messages. Everything
 * comes from one SeededRng, so a run is replayed by its seed.
 */

/** A length field inside a message: where it is and how many octets it has. */
export interface LengthField {
  at: number;
  size: 1 | 2 | 4;
}

export type MutationKind = 'flip' | 'set' | 'insert' | 'delete' | 'duplicate' | 'length' | 'truncate' | 'splice';

const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x07, 0x0f, 0x10, 0x1f, 0x20, 0x21, 0x40, 0x7f, 0x80, 0xc0, 0xd0, 0xfe, 0xff];
const INTERESTING_LENGTHS = [0, 1, 2, 3, 4, 8, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0x7fff, 0xfffe, 0xffff];

export interface MutateOptions {
  /** Offsets below this are left alone (e.g. the BGP marker). */
  keepPrefix?: number;
  /** The message's length fields, found on the current bytes. */
  lengthFields?: (bytes: Uint8Array) => LengthField[];
  /** Another valid message for splicing. */
  other?: () => Uint8Array;
  /** At most this many octets in the result. */
  maxLength?: number;
}

export class Mutator {
  constructor(private readonly rng: SeededRng) {}

  pick<T>(items: readonly T[]): T {
    return items[this.rng.int(items.length)]!;
  }

  int(n: number): number {
    return this.rng.int(n);
  }

  bytes(n: number): Uint8Array {
    return this.rng.bytes(n);
  }

  /** 1 to `most` mutations applied in a row. */
  mutate(base: Uint8Array, options: MutateOptions = {}, most = 4): Uint8Array {
    let m = base;
    const rounds = 1 + this.rng.int(most);
    for (let i = 0; i < rounds; i++) m = this.once(m, this.pick(KINDS), options);
    const max = options.maxLength ?? 0xffff;
    return m.length > max ? m.subarray(0, max) : m;
  }

  once(m: Uint8Array, kind: MutationKind, o: MutateOptions): Uint8Array {
    const keep = Math.min(o.keepPrefix ?? 0, m.length);
    const span = m.length - keep;
    const at = (): number => keep + (span > 0 ? this.rng.int(span) : 0);
    switch (kind) {
      case 'flip': {
        if (span <= 0) return m;
        const out = m.slice();
        const p = at();
        out[p] = out[p]! ^ (1 << this.rng.int(8));
        return out;
      }
      case 'set': {
        if (span <= 0) return m;
        const out = m.slice();
        out[at()] = this.pick(INTERESTING);
        return out;
      }
      case 'insert': return splice(m, at(), 0, this.rng.bytes(1 + this.rng.int(8)));
      case 'delete': return span <= 0 ? m : splice(m, at(), 1 + this.rng.int(Math.min(8, span)), new Uint8Array(0));
      case 'duplicate': {
        if (span <= 0) return m;
        const from = at();
        const chunk = m.slice(from, Math.min(m.length, from + 1 + this.rng.int(32)));
        return splice(m, at(), 0, chunk);
      }
      case 'length': {
        const fields = o.lengthFields?.(m) ?? [];
        if (fields.length === 0) return this.once(m, 'flip', o);
        const f = this.pick(fields);
        if (f.at + f.size > m.length) return m;
        const out = m.slice();
        const value = this.rng.int(3) === 0 ? this.rng.int(2 ** (8 * Math.min(f.size, 2))) : this.pick(INTERESTING_LENGTHS) + (this.rng.int(3) - 1);
        writeUint(out, f.at, f.size, Math.max(0, value));
        return out;
      }
      case 'truncate': return span <= 0 ? m : m.subarray(0, at());
      case 'splice': {
        const other = o.other?.();
        if (other === undefined || other.length === 0) return this.once(m, 'duplicate', o);
        const cut = at();
        const from = this.rng.int(other.length);
        const out = new Uint8Array(cut + other.length - from);
        out.set(m.subarray(0, cut));
        out.set(other.subarray(from), cut);
        return out;
      }
    }
  }
}

const KINDS: readonly MutationKind[] = ['flip', 'flip', 'flip', 'set', 'set', 'insert', 'delete', 'duplicate', 'length', 'length', 'length', 'truncate', 'splice'];

function splice(m: Uint8Array, at: number, removeWanted: number, insert: Uint8Array): Uint8Array {
  const remove = Math.min(removeWanted, m.length - at);
  const out = new Uint8Array(m.length - remove + insert.length);
  out.set(m.subarray(0, at));
  out.set(insert, at);
  out.set(m.subarray(at + remove), at + insert.length);
  return out;
}

export function writeUint(out: Uint8Array, at: number, size: 1 | 2 | 4, value: number): void {
  for (let i = size - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) out[at + i] = v & 0xff;
}

export function readUint(b: Uint8Array, at: number, size: 1 | 2 | 4): number {
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + (b[at + i] ?? 0);
  return v;
}
