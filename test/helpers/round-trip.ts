import assert from 'node:assert/strict';

/**
 * The codec round-trip contract (after dns-packet's testEncoder): decode(encode(v)) equals v,
 * re-encoding is byte-identical, and the length computed up front equals the bytes written.
 */
export function roundTrip<T>(
  value: T,
  encode: (v: T) => Uint8Array,
  decode: (b: Uint8Array) => T,
  encodedLength?: (v: T) => number,
  normalise: (v: T) => unknown = plain,
): Uint8Array {
  const bytes = encode(value);
  if (encodedLength !== undefined) assert.equal(bytes.length, encodedLength(value), 'encodedLength matches bytes written');
  const decoded = decode(bytes);
  assert.deepEqual(normalise(decoded), normalise(value));
  assert.deepEqual(encode(decoded), bytes, 're-encoding is byte-identical');
  return bytes;
}

/** A plain-object copy (fast-check builds records with a null prototype). */
export function plain(v: unknown): unknown {
  return v !== null && typeof v === 'object' && !(v instanceof Uint8Array) && !Array.isArray(v) ? { ...v } : v;
}

/** Deep copy into plain objects, dropping undefined fields (fast-check records have a null prototype). */
export function deepPlain(v: unknown): unknown {
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map(deepPlain);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = deepPlain(x);
    return out;
  }
  return v;
}

/** Hex to bytes for commented fixtures: `//` starts a comment to the end of the line; spaces and `|` are ignored. */
export function hex(text: string): Uint8Array {
  const clean = text.split('\n').map((line) => line.replace(/\/\/.*$/, '')).join('').replace(/[\s|]/g, '');
  return Uint8Array.from(clean.match(/../g)!.map((b) => parseInt(b, 16)));
}
