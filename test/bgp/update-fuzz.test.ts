import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { DecodeContext } from '../../src/bgp/context.js';
import { KEEPALIVE } from '../../src/bgp/keepalive.js';
import { encodeMessage } from '../../src/bgp/message.js';
import { hex } from '../helpers/round-trip.js';
import { EBGP2, EBGP4, IBGP2, IBGP4, u8, updateMessage } from './codec-helpers.js';
import { feed } from './codec-invariants.js';

/*
 * Random, structured-random and mutated UPDATEs through framer and decoder: nothing but BgpError
 * may escape, and every outcome must be well formed (codec-invariants.ts). The corpus in
 * test/corpus/bgp/ is replayed under every context: when a run fails, write fast-check's shrunk
 * counterexample there as commented hex (NNN-what-it-breaks.hex) before fixing the decoder.
 * BGP_FUZZ_RUNS and BGP_FUZZ_SEED override the run count and seed for longer hunts.
 */

const CONTEXTS: DecodeContext[] = [EBGP4, IBGP4, EBGP2, IBGP2, { ...IBGP4, afiSafiDisable: true }, { ...EBGP2, afiSafiDisable: true }];
const KEEPALIVE_BYTES = encodeMessage(KEEPALIVE, EBGP4);

/** Valid UPDATEs to mutate, drawn once from a fixed seed. */
const POOL: Uint8Array[] = [
  ...fc.sample(updateMessage(true), { numRuns: 150, seed: 1 }).map((u) => encodeMessage(u, IBGP4)),
  ...fc.sample(updateMessage(false), { numRuns: 150, seed: 2 }).map((u) => encodeMessage(u, IBGP2)),
];

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'u16'; at: number; value: number }
  | { kind: 'length-field'; which: number; value: number }
  | { kind: 'truncate'; at: number };

const at = fc.nat();
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), at, value: fc.constantFrom(0, 1, 2, 3, 0x0f, 0x10, 0x20, 0x21, 0x40, 0x80, 0xc0, 0xd0, 0xff) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at, count: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('u16' as const), at, value: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0xffff })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('length-field' as const), which: fc.nat(), value: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 0xffff })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at }) },
);

/** Offsets of the UPDATE's length fields: Withdrawn Routes Length, Total Path Attribute Length, each attribute's length. */
function lengthFields(m: number[]): { at: number; size: 1 | 2 }[] {
  const out: { at: number; size: 1 | 2 }[] = [{ at: 19, size: 2 }];
  if (m.length < 23) return out;
  const wlen = (m[19]! << 8) | m[20]!;
  const alenAt = 21 + wlen;
  if (alenAt + 2 > m.length) return out;
  out.push({ at: alenAt, size: 2 });
  const end = Math.min(m.length, alenAt + 2 + ((m[alenAt]! << 8) | m[alenAt + 1]!));
  let pos = alenAt + 2;
  while (pos + 3 <= end) {
    const ext = (m[pos]! & 0x10) !== 0;
    out.push({ at: pos + 2, size: ext ? 2 : 1 });
    pos += (ext ? 4 : 3) + (ext ? ((m[pos + 2]! << 8) | (m[pos + 3] ?? 0)) : m[pos + 2]!);
  }
  return out;
}

function mutate(base: Uint8Array, mutations: readonly Mutation[], fixLength: boolean): Uint8Array {
  const m = Array.from(base);
  const body = (n: number): number => 19 + (n % Math.max(1, m.length - 19));
  for (const x of mutations) {
    switch (x.kind) {
      case 'flip': m[body(x.at)] = (m[body(x.at)] ?? 0) ^ (1 << x.bit); break;
      case 'set': m[body(x.at)] = x.value; break;
      case 'insert': m.splice(body(x.at), 0, ...x.bytes); break;
      case 'delete': m.splice(body(x.at), x.count); break;
      case 'u16': { const p = body(x.at); m[p] = x.value >>> 8; m[p + 1] = x.value & 0xff; break; }
      case 'length-field': {
        const fields = lengthFields(m);
        const f = fields[x.which % fields.length]!;
        if (f.size === 1) m[f.at] = x.value & 0xff;
        else { m[f.at] = x.value >>> 8; m[f.at + 1] = x.value & 0xff; }
        break;
      }
      case 'truncate': m.length = Math.max(19, body(x.at)); break;
    }
  }
  for (let i = 0; i < m.length; i++) m[i] = (m[i] ?? 0) & 0xff;
  if (fixLength && m.length <= 0xffff) {
    m[16] = m.length >>> 8;
    m[17] = m.length & 0xff;
  }
  return Uint8Array.from(m);
}

function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  return out;
}

/** An UPDATE message around `body`: marker, length, type 2. */
function frameUpdate(body: ArrayLike<number>): Uint8Array {
  const m = new Uint8Array(19 + body.length);
  m.fill(0xff, 0, 16);
  m[16] = m.length >>> 8;
  m[17] = m.length & 0xff;
  m[18] = 2;
  m.set(body, 19);
  return m;
}

const randomUpdate = fc.uint8Array({ maxLength: 120 }).map(frameUpdate);

/** Well-framed attribute lists of random attributes: known codes with random flags and values. */
const CODES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 17, 18, 32];
const structuredUpdate = fc.record({
  withdrawn: fc.uint8Array({ maxLength: 8 }),
  attributes: fc.array(fc.record({
    flags: fc.oneof(fc.constantFrom(0x40, 0x80, 0xc0, 0xe0, 0x50, 0x90, 0xd0), u8),
    code: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...CODES) }, { weight: 1, arbitrary: u8 }),
    value: fc.oneof(
      fc.uint8Array({ maxLength: 14 }),
      fc.tuple(fc.constantFrom(1, 2), fc.constantFrom(1, 2, 4, 128), fc.uint8Array({ maxLength: 12 })).map(([afi, safi, rest]) => Uint8Array.of(0, afi, safi, ...rest)),
    ),
  }), { maxLength: 6 }),
  nlri: fc.uint8Array({ maxLength: 8 }),
}).map(({ withdrawn, attributes, nlri }) => {
  const attrBytes: number[] = [];
  for (const a of attributes) {
    const ext = (a.flags & 0x10) !== 0;
    attrBytes.push(a.flags, a.code, ...(ext ? [0, a.value.length] : [a.value.length]), ...a.value);
  }
  return frameUpdate([withdrawn.length >> 8, withdrawn.length & 0xff, ...withdrawn, attrBytes.length >> 8, attrBytes.length & 0xff, ...attrBytes, ...nlri]);
});

const mutatedUpdate = fc.record({
  base: fc.nat(POOL.length - 1),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
  fixLength: fc.nat(9).map((n) => n > 0),
}).map(({ base, mutations, fixLength }) => mutate(POOL[base]!, mutations, fixLength));

const RUNS = Number(process.env.BGP_FUZZ_RUNS ?? 100_000);

describe('UPDATE fuzzing through framer and decoder', () => {
  it(`raises only BgpError and yields well-formed outcomes (${RUNS} runs)`, () => {
    let decoded = 0;
    fc.assert(fc.property(
      fc.oneof({ weight: 5, arbitrary: mutatedUpdate }, { weight: 3, arbitrary: structuredUpdate }, { weight: 1, arbitrary: randomUpdate }),
      fc.nat(CONTEXTS.length - 1),
      fc.array(fc.nat(), { maxLength: 3 }),
      (bytes, c, cuts) => {
        const stream = new Uint8Array(bytes.length + KEEPALIVE_BYTES.length);
        stream.set(bytes);
        stream.set(KEEPALIVE_BYTES, bytes.length);
        decoded += feed(chunked(stream, cuts), CONTEXTS[c]!);
      },
    ), { numRuns: RUNS, seed: Number(process.env.BGP_FUZZ_SEED ?? 20240607) });
    assert.ok(decoded > RUNS / 2, `most inputs decode to something (${decoded})`);
  });

  it('raises only BgpError for any other message type and for arbitrary streams', () => {
    const anyMessage = fc.tuple(fc.integer({ min: 0, max: 7 }), fc.uint8Array({ maxLength: 80 })).map(([type, body]) => {
      const m = new Uint8Array(19 + body.length);
      m.fill(0xff, 0, 16);
      m[16] = m.length >>> 8;
      m[17] = m.length & 0xff;
      m[18] = type;
      m.set(body, 19);
      return m;
    });
    fc.assert(fc.property(fc.oneof(anyMessage, fc.uint8Array({ maxLength: 60 })), fc.nat(CONTEXTS.length - 1), (bytes, c) => {
      feed([bytes, KEEPALIVE_BYTES], CONTEXTS[c]!);
    }), { numRuns: 20_000 });
  });

  it('replays the kept counterexamples in test/corpus/bgp', () => {
    const dir = new URL('../../../test/corpus/bgp/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.hex')).sort();
    assert.ok(files.length > 0);
    for (const f of files) {
      const bytes = hex(readFileSync(new URL(f, dir), 'utf8'));
      for (const ctx of CONTEXTS) {
        // whole, and one octet at a time
        feed([bytes], ctx);
        feed(Array.from(bytes, (b) => Uint8Array.of(b)), ctx);
      }
    }
  });
});
