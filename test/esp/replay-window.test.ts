import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_REPLAY_WINDOW, MAX_REPLAY_WINDOW, ReplayWindow } from '../../src/esp/replay-window.js';

const TWO_32 = 2n ** 32n;

/** The receive rule of RFC 4303 §3.4.3 on whole sequence numbers, with a set instead of a bitmap. */
class Model {
  top = 0n;
  private readonly seen = new Set<bigint>();
  constructor(readonly size: number) {}
  accepts(seq: bigint): boolean {
    if (seq === 0n) return false;
    if (seq > this.top) return true;
    return this.top - seq < BigInt(this.size) && !this.seen.has(seq);
  }
  accept(seq: bigint): void {
    this.seen.add(seq);
    if (seq > this.top) this.top = seq;
  }
}

/**
 * Moves a fresh window (and model) up to `target` in jumps of 2^31: a real SA starts at 1 and
 * climbs, and a window only infers high halves correctly around where it already is.
 */
function climb(w: ReplayWindow, m: Model, target: bigint): void {
  for (let x = 2n ** 31n; x < target; x += 2n ** 31n) {
    assert.ok(receive(w, x));
    m.accept(x);
  }
}

/** check, then (as after a good ICV) accept: what the SA does. Returns whether it was taken. */
function receive(w: ReplayWindow, seq: bigint): boolean {
  const low = Number(seq % TWO_32);
  const v = w.check(low);
  if (!v.ok) return false;
  assert.equal(BigInt(v.seqHigh), seq / TWO_32, `high half inferred for ${seq}`);
  assert.ok(w.accept(low, v.seqHigh));
  return true;
}

describe('anti-replay window (RFC 4303 §3.4.3, Appendix A)', () => {
  it('default 64: accepts new numbers, each once, and drops what fell left of the window', () => {
    const w = new ReplayWindow();
    assert.equal(w.size, DEFAULT_REPLAY_WINDOW);
    assert.deepEqual(w.check(0), { ok: false, reason: 'zero' });
    assert.ok(receive(w, 100n));
    assert.deepEqual(w.check(100), { ok: false, reason: 'duplicate' });
    assert.deepEqual(w.check(36), { ok: false, reason: 'stale' }); // 100 - 64
    assert.ok(receive(w, 37n)); // the window's left edge
    assert.ok(!receive(w, 37n));
    assert.ok(receive(w, 99n));
    assert.ok(receive(w, 101n));
    assert.deepEqual(w.check(37), { ok: false, reason: 'stale' });
    assert.deepEqual(w.top, { high: 0, low: 101 });
  });

  it('a jump wider than the window clears it; a caller that skipped check() cannot re-accept', () => {
    const w = new ReplayWindow(32);
    for (let s = 1n; s <= 40n; s++) receive(w, s);
    assert.ok(receive(w, 10_000n));
    for (let s = 9_969n; s < 10_000n; s++) assert.ok(w.check(Number(s)).ok, `${s} is new after the jump`);
    assert.equal(w.check(9_968).ok, false);
    assert.equal(w.accept(10_000), false);
    assert.equal(w.accept(0), false);
    assert.equal(w.accept(5, 1), false, 'no high half without ESN');
  });

  it('sizes 1..65536, any value (not only multiples of 32)', () => {
    for (const size of [1, 31, 33, 100, 1000]) {
      const w = new ReplayWindow(size);
      receive(w, 5000n);
      if (size > 1) assert.equal(w.check(5000 - size + 1).ok, true, `${size}: left edge`);
      assert.equal(w.check(5000 - size).ok, false, `${size}: just outside`);
    }
    assert.throws(() => new ReplayWindow(0), { code: 'ERR_INVALID_ARGUMENT' });
    assert.throws(() => new ReplayWindow(MAX_REPLAY_WINDOW + 1), { code: 'ERR_INVALID_ARGUMENT' });
    assert.throws(() => new ReplayWindow(1.5), { code: 'ERR_INVALID_ARGUMENT' });
  });

  it('agrees with a set-based model for random arrival orders (fast-check)', () => {
    const arrival = fc.array(fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: -80, max: 6 }) }, // near the top: reorder, duplicates
      { weight: 1, arbitrary: fc.integer({ min: 7, max: 3000 }) }, // jumps ahead
      { weight: 1, arbitrary: fc.integer({ min: -5000, max: -81 }) }, // far behind
    ), { maxLength: 300 });
    fc.assert(fc.property(fc.constantFrom(1, 32, 64, 65, 128, 1024), arrival, (size, steps) => {
      const w = new ReplayWindow(size);
      const m = new Model(size);
      const taken = new Map<bigint, number>();
      for (const step of steps) {
        const seq = BigInt(Math.max(0, Math.min(0xffff_ffff, Number(m.top) + step)));
        const expected = m.accepts(seq);
        assert.equal(receive(w, seq), expected, `seq ${seq}, top ${m.top}`);
        if (expected) {
          m.accept(seq);
          taken.set(seq, (taken.get(seq) ?? 0) + 1);
        }
        assert.equal(BigInt(w.top.low), m.top);
      }
      for (const n of taken.values()) assert.equal(n, 1, 'no number accepted twice');
    }), { numRuns: 500 });
  });

  it('ESN: infers the high half across 2^32 for packets within the window (Appendix A2.2)', () => {
    const w = new ReplayWindow(64, true);
    const base = TWO_32 - 20n;
    // A first packet near 2^32 reads as the subspace before 0, which does not exist: refused.
    assert.deepEqual(w.check(Number(base)), { ok: false, reason: 'stale' });
    climb(w, new Model(64), base);
    // Position the window below the boundary: case A.
    assert.deepEqual(w.check(Number(base % TWO_32)), { ok: true, seqHigh: 0 });
    receive(w, base);
    assert.deepEqual(w.check(5), { ok: true, seqHigh: 1 }); // 2^32 + 5: next subspace
    receive(w, TWO_32 + 5n);
    // Now the window spans both subspaces: case B.
    assert.deepEqual(w.check(Number((TWO_32 - 3n) % TWO_32)), { ok: true, seqHigh: 0 });
    assert.deepEqual(w.check(Number((base) % TWO_32)), { ok: false, reason: 'duplicate' });
    // Below the window's bottom, a low half reads as the *current* subspace, far ahead: the ICV,
    // computed with that high half, then refutes a genuinely old packet (Appendix A2.2).
    assert.deepEqual(w.check(Number((TWO_32 - 60n) % TWO_32)), { ok: true, seqHigh: 1 });
    assert.deepEqual(w.check(0), { ok: true, seqHigh: 1 }); // 2^32 itself: low half 0 is valid with ESN
    assert.deepEqual(w.top, { high: 1, low: 5 });
  });

  it('ESN: a reordering, duplicating, losing sender across several wraps agrees with the model', () => {
    fc.assert(fc.property(fc.constantFrom(32, 64, 256), fc.bigInt({ min: 1n, max: 3n * TWO_32 }),
      fc.array(fc.record({ advance: fc.integer({ min: 0, max: 3 }), back: fc.nat({ max: 200 }), dup: fc.boolean() }), { maxLength: 250 }),
      (size, start, steps) => {
        const w = new ReplayWindow(size, true);
        const m = new Model(size);
        climb(w, m, start);
        let next = start;
        for (const s of steps) {
          next += BigInt(s.advance);
          // Only numbers the sender could have sent and that lie within the window are inferable
          // (Appendix A2.2's premise); anything older must be refused.
          const seq = next - BigInt(s.back % size) > 0n ? next - BigInt(s.back % size) : next;
          for (let k = 0; k < (s.dup ? 2 : 1); k++) {
            const expected = m.accepts(seq);
            assert.equal(receive(w, seq), expected, `seq ${seq} top ${m.top}`);
            if (expected) m.accept(seq);
          }
        }
      }), { numRuns: 300 });
  });
});
