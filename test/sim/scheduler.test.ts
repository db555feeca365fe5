import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../src/core/clock.js';
import { SeededRng } from '../../src/core/rng.js';
import { Scheduler } from '../../src/sim/scheduler.js';

describe('Scheduler', () => {
  it('runs events in time order, ties in scheduling order', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }), (times) => {
      const s = new Scheduler();
      const fired: [number, number][] = [];
      times.forEach((t, i) => s.at(t, () => fired.push([s.now(), i]), undefined));
      s.run();
      const expected = times.map((t, i) => [t, i] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      assert.deepEqual(fired, expected);
    }));
  });

  it('cancelled timers never fire and timers set from events see the new time', () => {
    const s = new Scheduler();
    const log: string[] = [];
    const t = s.setTimer(10, () => log.push('cancelled'));
    s.setTimer(5, () => {
      log.push(`a@${s.now()}`);
      s.setTimer(3, () => log.push(`b@${s.now()}`));
    });
    t.cancel();
    s.run();
    assert.deepEqual(log, ['a@5', 'b@8']);
  });

  it('run({until}) stops before later events; advance() moves the clock even when idle', () => {
    const s = new Scheduler();
    const log: number[] = [];
    s.setTimer(100, () => log.push(100));
    s.run({ until: 50 });
    assert.deepEqual(log, []);
    s.advance(200);
    assert.deepEqual(log, [100]);
    assert.equal(s.now(), 200);
  });

  it('refuses a NaN delay or time (virtual time must never become NaN)', () => {
    const s = new Scheduler();
    assert.throws(() => s.setTimer(Number.NaN, () => {}), { code: 'ERR_INVALID_DELAY' });
    assert.throws(() => s.at(Number.NaN, () => {}, undefined), { code: 'ERR_INVALID_DELAY' });
    s.setTimer(5, () => {});
    s.run();
    assert.equal(s.now(), 5);
  });
});

describe('ManualClock', () => {
  it('fires due timers in order as time advances', () => {
    const c = new ManualClock();
    const log: number[] = [];
    c.setTimer(30, () => log.push(c.now()));
    c.setTimer(10, () => {
      log.push(c.now());
      c.setTimer(5, () => log.push(c.now()));
    });
    c.advance(20);
    assert.deepEqual(log, [10, 15]);
    c.advance(20);
    assert.deepEqual(log, [10, 15, 30]);
    assert.equal(c.pendingCount, 0);
  });
});

describe('SeededRng', () => {
  it('is reproducible per seed and per derived name, and uniform enough', () => {
    const a = new SeededRng(42);
    const b = new SeededRng(42);
    const xs = Array.from({ length: 1000 }, () => a.next());
    assert.deepEqual(xs, Array.from({ length: 1000 }, () => b.next()));
    assert.notDeepEqual(SeededRng.derive(1, 'link:a').bytes(16), SeededRng.derive(1, 'link:b').bytes(16));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
    assert.ok(xs.every((x) => x >= 0 && x < 1));
  });
});
