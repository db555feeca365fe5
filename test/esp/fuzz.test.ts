import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EncrId, IntegId } from '../../src/crypto/iana.js';
import { EspError, EspErrorCode } from '../../src/esp/errors.js';
import type { EspSa } from '../../src/esp/sa.js';
import { ipv4, saPair } from './helpers.js';

/*
 * Random and mutated packets fed to a live inbound SA, interleaved with genuine traffic, replays
 * and reordering. Whatever arrives, the SA answers { ok } or { ok: false, error: EspError } with a
 * known code (it never throws), a replayed genuine packet is always dropped, a mutated packet is
 * never delivered, and its counters add up. ESP_FUZZ_RUNS (default 1000 runs of 100 packets, so
 * 100,000 packets) and ESP_FUZZ_SEED override the run count and seed for longer hunts.
 */

const RUNS = Number(process.env.ESP_FUZZ_RUNS ?? 1000);
const SEED = process.env.ESP_FUZZ_SEED === undefined ? undefined : Number(process.env.ESP_FUZZ_SEED);
const PACKETS_PER_RUN = 100;
const CODES = new Set<string>(Object.values(EspErrorCode));

const SUITES = [
  { encr: EncrId.AesGcm16, encrKeyBits: 256 },
  { encr: EncrId.AesGcm8, encrKeyBits: 128, esn: true },
  { encr: EncrId.AesCbc, encrKeyBits: 192, integ: IntegId.HmacSha2_256_128, esn: true },
  { encr: EncrId.Des3, integ: IntegId.HmacMd5_96 },
  { encr: EncrId.AesCbc, encrKeyBits: 256, integ: IntegId.HmacSha2_512_256 },
];

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; bytes: Uint8Array };

type Action =
  | { kind: 'send' }
  | { kind: 'hold' }
  | { kind: 'release'; which: number }
  | { kind: 'replay'; which: number }
  | { kind: 'mutate'; mutations: Mutation[] }
  | { kind: 'random'; bytes: Uint8Array; ownSpi: boolean };

const at = fc.nat();
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), at, value: fc.constantFrom(0, 1, 2, 4, 59, 0x7f, 0x80, 0xff) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 17 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at, count: fc.integer({ min: 1, max: 17 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }) },
);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'send' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'hold' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), which: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replay' as const), which: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('mutate' as const), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 120 }), ownSpi: fc.boolean() }) },
);

function mutate(base: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  const m = Array.from(base);
  const pos = (n: number): number => n % Math.max(1, m.length);
  for (const x of mutations) {
    switch (x.kind) {
      case 'flip': m[pos(x.at)] = (m[pos(x.at)] ?? 0) ^ (1 << x.bit); break;
      case 'set': m[pos(x.at)] = x.value; break;
      case 'insert': m.splice(pos(x.at), 0, ...x.bytes); break;
      case 'delete': m.splice(pos(x.at), x.count); break;
      case 'truncate': m.length = pos(x.at); break;
      case 'append': m.push(...x.bytes); break;
    }
  }
  return Uint8Array.from(m);
}

/** How far below the window's top a genuine packet's (low) sequence number is, in the top's subspace or the one before. */
function seqAge(sa: EspSa, packet: Uint8Array): number {
  const low = ((packet[4]! << 24) | (packet[5]! << 16) | (packet[6]! << 8) | packet[7]!) >>> 0;
  return (sa.replayWindow!.top.low - low + 0x1_0000_0000) % 0x1_0000_0000;
}

/**
 * A genuine packet held back until it fell left of the window is dropped as a replay; with ESN
 * its low sequence number then reads as the next 2^32 subspace (RFC 4303 Appendix A2.2), so it
 * may fail the ICV instead, as a replayed one does.
 */
function leftOfWindow(spec: { esn?: boolean }, sa: EspSa, packet: Uint8Array, code: string): void {
  if (spec.esn === true && seqAge(sa, packet) >= sa.replayWindow!.size) assert.ok(code === EspErrorCode.Replay || code === EspErrorCode.IcvMismatch, code);
  else assert.equal(code, EspErrorCode.Replay, 'held back too long: left of the window');
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** Feeds one packet; checks the answer is well formed; returns it. */
function feed(sa: EspSa, packet: Uint8Array): { ok: true } | { ok: false; code: string } {
  const r = sa.decapsulate(packet); // must not throw: a throw fails the property with its stack
  if (r.ok) return { ok: true };
  assert.ok(r.error instanceof EspError, 'only EspError');
  assert.ok(CODES.has(r.error.code), `known code ${r.error.code}`);
  return { ok: false, code: r.error.code };
}

describe('ESP SA under random and mutated input', () => {
  it(`${RUNS * PACKETS_PER_RUN} packets: only typed errors, replays always dropped, nothing forged delivered, counters consistent`, () => {
    let total = 0;
    fc.assert(fc.property(fc.nat({ max: SUITES.length - 1 }), fc.nat(), fc.array(action, { minLength: PACKETS_PER_RUN, maxLength: PACKETS_PER_RUN }),
      (suiteIndex, start, actions) => {
        const spec = SUITES[suiteIndex]!;
        // Start somewhere in the 32-bit space (ESN suites: not at the very top, where a fresh
        // window would read low halves as the previous subspace).
        const low = 1 + (start % 0xff00_0000);
        const { out, in: sa } = saPair(spec, { initialSequence: { low } }, suiteIndex + 1);
        interface Genuine { packet: Uint8Array; size: number }
        const delivered: Genuine[] = [];
        const held: Genuine[] = [];
        let accepted = 0;
        let bytes = 0;
        const drops = new Map<string, number>();
        const note = (r: { ok: true } | { ok: false; code: string }, g?: Genuine): void => {
          if (r.ok) {
            accepted++;
            bytes += g!.size;
            delivered.push(g!);
          } else {
            drops.set(r.code, (drops.get(r.code) ?? 0) + 1);
          }
        };
        const fresh = (n: number): Genuine => {
          const inner = ipv4(new Uint8Array(n % 97).fill(n & 0xff));
          const r = out.encapsulate(inner);
          assert.ok(r.ok);
          return { packet: r.packet, size: inner.length };
        };
        const sendNew = (g: Genuine): void => {
          const r = feed(sa, g.packet);
          assert.ok(r.ok, `a genuine new packet is delivered (${r.ok ? '' : r.code})`);
          note(r, g);
        };
        // Every action feeds exactly one packet to the SA.
        for (const [i, a] of actions.entries()) {
          total++;
          if (a.kind === 'send' || (a.kind === 'replay' && delivered.length === 0) || (a.kind === 'release' && held.length === 0)) {
            sendNew(fresh(i));
          } else if (a.kind === 'hold') {
            // Keep a new packet back and send one held earlier (if any) in its place.
            held.push(fresh(i));
            if (held.length === 1) {
              sendNew(fresh(i + 1000));
            } else {
              const g = held.shift()!;
              const r = feed(sa, g.packet);
              if (!r.ok) leftOfWindow(spec, sa, g.packet, r.code);
              note(r, g);
            }
          } else if (a.kind === 'release') {
            const g = held.splice(a.which % held.length, 1)[0]!;
            const r = feed(sa, g.packet);
            if (!r.ok) leftOfWindow(spec, sa, g.packet, r.code);
            note(r, g);
          } else if (a.kind === 'replay') {
            const packet = delivered[a.which % delivered.length]!.packet;
            const r = feed(sa, packet);
            assert.ok(!r.ok, 'a replayed packet is always dropped');
            // With ESN, a number left of the window reads as the next 2^32 subspace (RFC 4303
            // Appendix A2.2) and fails the ICV instead; inside the window it is a replay.
            const age = seqAge(sa, packet);
            if (!spec.esn || age < sa.replayWindow!.size) assert.equal(r.code, EspErrorCode.Replay);
            else assert.ok(r.code === EspErrorCode.Replay || r.code === EspErrorCode.IcvMismatch, r.code);
            note(r);
          } else if (a.kind === 'mutate') {
            const original = fresh(i);
            const p = mutate(original.packet, a.mutations);
            const r = feed(sa, p);
            if (r.ok) assert.ok(same(p, original.packet), 'only an unchanged packet is delivered');
            note(r, original);
          } else {
            const p = a.bytes.slice();
            if (a.ownSpi && p.length >= 4) p.set([sa.spi >>> 24, (sa.spi >>> 16) & 0xff, (sa.spi >>> 8) & 0xff, sa.spi & 0xff]);
            const r = feed(sa, p);
            assert.ok(!r.ok, 'random bytes are never delivered');
            note(r);
          }
        }
        const c = sa.counters;
        assert.equal(c.packets, accepted);
        assert.equal(c.bytes, bytes);
        assert.deepEqual(new Map(Object.entries(c.dropped)), drops);
        assert.equal(accepted + [...drops.values()].reduce((x, y) => x + y, 0), actions.length);
      }), { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) });
    assert.equal(total, RUNS * PACKETS_PER_RUN);
  });
});
