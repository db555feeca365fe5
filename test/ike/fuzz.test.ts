import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PayloadType } from '../../src/ike/constants.js';
import { IkeError } from '../../src/ike/errors.js';
import { checkRules } from '../../src/ike/exchange-rules.js';
import { decodeMessage, encodeMessage } from '../../src/ike/message.js';
import { hex } from '../helpers/round-trip.js';
import { WIRESHARK_INFORMATIONAL, WIRESHARK_SA_INIT_REQUEST, WIRESHARK_SA_INIT_RESPONSE } from './captures.js';
import { deepPlain, messageArb, u8 } from './helpers.js';

/*
 * Random, structured-random and mutated IKE messages through the decoder: nothing but IkeError
 * may escape, and whatever decodes must encode again and decode to the same value; the exchange
 * rules, fed whatever decoded, throw nothing but IkeError either. When a run fails, keep
 * fast-check's shrunk counterexample in test/ike/corpus/ as commented hex (NNN-what.hex) before
 * fixing the decoder. IKE_FUZZ_RUNS and IKE_FUZZ_SEED override the run count and seed.
 */

const HEADER = 28;

/** Valid messages to mutate: drawn once from a fixed seed, plus the real captures. */
const POOL: Uint8Array[] = [
  WIRESHARK_SA_INIT_REQUEST, WIRESHARK_SA_INIT_RESPONSE, WIRESHARK_INFORMATIONAL,
  ...fc.sample(messageArb, { numRuns: 400, seed: 7296 }).map(encodeMessage),
];

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'length-field'; which: number; value: number }
  | { kind: 'next-payload'; which: number; value: number }
  | { kind: 'truncate'; at: number };

const at = fc.nat();
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), at, value: fc.constantFrom(0, 1, 2, 3, 4, 7, 8, 0x21, 0x2e, 0x35, 0x80, 0xff) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at, count: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('length-field' as const), which: fc.nat(), value: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 0xffff })) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('next-payload' as const), which: fc.nat(), value: fc.oneof(fc.integer({ min: 33, max: 53 }), u8) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at }) },
);

/** Where the payload chain's Next Payload (1 octet) and Payload Length (2 octets) fields are. */
function chainFields(m: number[]): { next: number[]; length: number[] } {
  const next = [16];
  const length: number[] = [];
  let pos = HEADER;
  let type = m[16] ?? 0;
  while (type !== 0 && pos + 4 <= m.length) {
    next.push(pos);
    length.push(pos + 2);
    if (type === PayloadType.SK || type === PayloadType.SKF) break;
    type = m[pos]!;
    pos += Math.max(4, (m[pos + 2]! << 8) | m[pos + 3]!);
  }
  return { next, length };
}

function mutate(base: Uint8Array, mutations: readonly Mutation[], fixLength: boolean): Uint8Array {
  const m = Array.from(base);
  const anywhere = (n: number): number => n % Math.max(1, m.length);
  const body = (n: number): number => HEADER + (n % Math.max(1, m.length - HEADER));
  for (const x of mutations) {
    switch (x.kind) {
      case 'flip': { const p = anywhere(x.at); m[p] = (m[p] ?? 0) ^ (1 << x.bit); break; }
      case 'set': m[body(x.at)] = x.value; break;
      case 'insert': m.splice(body(x.at), 0, ...x.bytes); break;
      case 'delete': m.splice(body(x.at), x.count); break;
      case 'length-field': {
        const f = chainFields(m).length;
        if (f.length === 0) break;
        const p = f[x.which % f.length]!;
        m[p] = x.value >>> 8;
        m[p + 1] = x.value & 0xff;
        break;
      }
      case 'next-payload': { const f = chainFields(m).next; m[f[x.which % f.length]!] = x.value; break; }
      case 'truncate': m.length = anywhere(x.at); break;
    }
  }
  for (let i = 0; i < m.length; i++) m[i] = (m[i] ?? 0) & 0xff;
  if (fixLength && m.length >= HEADER) m.splice(24, 4, m.length >>> 24, (m.length >>> 16) & 0xff, (m.length >>> 8) & 0xff, m.length & 0xff);
  return Uint8Array.from(m);
}

/** A valid header (version 2, right length) in front of random octets. */
const randomMessage = fc.tuple(u8, fc.uint8Array({ maxLength: 120 })).map(([first, body]) => {
  const b = new Uint8Array(HEADER + body.length);
  b[16] = first;
  b[17] = 0x20;
  b[18] = 34;
  b[27] = b.length;
  b.set(body, HEADER);
  return b;
});

/** Well-framed chains of known payload types with random bodies: every body decoder gets exercised. */
const structuredMessage = fc.array(fc.tuple(fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 33, max: 48 }) }, { weight: 1, arbitrary: u8 }),
  fc.constantFrom(0, 0x80), fc.uint8Array({ maxLength: 40 })), { minLength: 1, maxLength: 5 }).map((payloads) => {
  const out: number[] = new Array<number>(HEADER).fill(0);
  out[16] = payloads[0]![0];
  out[17] = 0x20;
  payloads.forEach(([, flags, body], i) => {
    const next = i + 1 < payloads.length ? payloads[i + 1]![0] : 0;
    out.push(next, flags, (body.length + 4) >>> 8, (body.length + 4) & 0xff, ...body);
  });
  out[26] = out.length >>> 8;
  out[27] = out.length & 0xff;
  return Uint8Array.from(out);
});

const mutatedMessage = fc.record({
  base: fc.nat(POOL.length - 1),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
  fixLength: fc.nat(9).map((n) => n > 0),
}).map(({ base, mutations, fixLength }) => mutate(POOL[base]!, mutations, fixLength));

/** Decodes; returns whether it decoded. Anything thrown but an IkeError, or a broken invariant, fails. */
function check(bytes: Uint8Array): boolean {
  let m;
  try {
    m = decodeMessage(bytes);
  } catch (e) {
    if (e instanceof IkeError) return false;
    throw e;
  }
  const again = encodeMessage(m);
  assert.deepEqual(deepPlain(decodeMessage(again)), deepPlain(m), 're-encoded message decodes to the same value');
  for (const response of [false, true]) {
    for (const encrypted of [false, true]) {
      try {
        checkRules(m.header.exchangeType, response, m.payloads, encrypted);
      } catch (e) {
        if (!(e instanceof IkeError)) throw e;
      }
    }
  }
  return true;
}

const RUNS = Number(process.env.IKE_FUZZ_RUNS ?? 100_000);

describe('IKE message fuzzing', () => {
  it(`raises only IkeError, and what decodes re-encodes (${RUNS} runs)`, () => {
    let decoded = 0;
    fc.assert(fc.property(
      fc.oneof({ weight: 6, arbitrary: mutatedMessage }, { weight: 3, arbitrary: structuredMessage }, { weight: 1, arbitrary: randomMessage }),
      (bytes) => {
        if (check(bytes)) decoded++;
      },
    ), { numRuns: RUNS, seed: Number(process.env.IKE_FUZZ_SEED ?? 20240607) });
    assert.ok(decoded > RUNS / 10, `a good share of inputs decode (${decoded})`);
  });

  it('raises only IkeError for arbitrary octet strings', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => void check(bytes)), { numRuns: 10_000 });
  });

  it('replays the kept counterexamples in test/ike/corpus', () => {
    const dir = new URL('../../../test/ike/corpus/', import.meta.url);
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.hex')).sort()) check(hex(readFileSync(new URL(f, dir), 'utf8')));
  });
});
