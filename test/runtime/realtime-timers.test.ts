import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { Scheduler } from '../../src/sim/scheduler.js';
// Node's limit (lib/internal/timers.js TIMEOUT_MAX); the runtime's own constant must agree.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
import { RealTimePump } from '../../src/runtime/realtime.js';
import { SystemClock } from '../../src/runtime/system-clock.js';

/*
 * Node's setTimeout turns a delay above 2^31-1 ms into 1 ms (with a TimeoutOverflowWarning), so a
 * far deadline or an infinite lifetime made the daemons spin. These tests run on node:test's mock
 * timers (no sleeping) and check every delay handed to setTimeout stays within the limit, and the
 * callback fires once, when it should.
 */

const FAR = 3_000_000_000;

function overflowWarnings(): { count: () => number; stop: () => void } {
  let n = 0;
  const onWarning = (w: Error): void => {
    if (w.name === 'TimeoutOverflowWarning') n++;
  };
  process.on('warning', onWarning);
  return { count: () => n, stop: () => process.off('warning', onWarning) };
}

describe('timers past 2^31-1 ms (real timers, cancelled at once)', () => {
  it('SystemClock arms far and infinite timers without a TimeoutOverflowWarning', async () => {
    const warnings = overflowWarnings();
    const clock = new SystemClock();
    let fired = 0;
    const timers = [FAR, Infinity, 2 ** 53].map((ms) => clock.setTimer(ms, () => fired++));
    // The warning is emitted on the next tick after setTimeout; two turns of the loop are enough.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    for (const t of timers) t.cancel();
    warnings.stop();
    assert.equal(warnings.count(), 0);
    assert.equal(fired, 0);
  });
});

describe('timers past 2^31-1 ms (mock timers)', () => {
  let delays: number[];

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const mocked = globalThis.setTimeout;
    delays = [];
    mock.method(globalThis, 'setTimeout', (fn: () => void, ms: number) => {
      delays.push(ms);
      return mocked(fn, ms);
    });
  });

  afterEach(() => {
    mock.restoreAll();
    mock.timers.reset();
  });

  function assertDelaysInRange(): void {
    assert.ok(delays.length > 0, 'setTimeout was used');
    for (const d of delays) assert.ok(d >= 0 && d <= MAX_TIMEOUT_MS, `setTimeout delay ${d} is outside 0..2^31-1`);
  }

  it('SystemClock: a 3e9 ms timer fires exactly once, at 3e9 ms, through waits of at most 2^31-1 ms', () => {
    const clock = new SystemClock(() => Date.now());
    let fired = 0;
    clock.setTimer(FAR, () => fired++);
    mock.timers.tick(1000);
    assert.equal(fired, 0, 'not after 1 s (what an overflowed delay does)');
    mock.timers.tick(FAR - 1000 - 1);
    assert.equal(fired, 0, 'not 1 ms early');
    mock.timers.tick(1);
    assert.equal(fired, 1);
    mock.timers.tick(10 * FAR);
    assert.equal(fired, 1, 'once');
    assertDelaysInRange();
  });

  it('SystemClock: cancel works in any step of the chain', () => {
    const clock = new SystemClock(() => Date.now());
    let fired = 0;
    const timer = clock.setTimer(3 * MAX_TIMEOUT_MS, () => fired++);
    mock.timers.tick(MAX_TIMEOUT_MS + 5);
    timer.cancel();
    mock.timers.tick(10 * MAX_TIMEOUT_MS);
    assert.equal(fired, 0);
    assert.equal(delays.length, 2, 'the second step was pending when cancelled');
  });

  it('SystemClock: Infinity never fires, a negative delay fires once at once, NaN throws ERR_INVALID_DELAY', () => {
    const clock = new SystemClock(() => Date.now());
    let never = 0;
    let past = 0;
    clock.setTimer(Infinity, () => never++);
    clock.setTimer(-5000, () => past++);
    assert.throws(() => clock.setTimer(Number.NaN, () => {}), { code: 'ERR_INVALID_DELAY' });
    mock.timers.tick(0);
    assert.equal(past, 1);
    mock.timers.tick(100 * MAX_TIMEOUT_MS);
    assert.equal(past, 1);
    assert.equal(never, 0);
    assertDelaysInRange();
  });

  it('RealTimePump: an event 3e9 ms ahead runs once, on time, and nothing spins meanwhile', () => {
    const scheduler = new Scheduler();
    const pump = new RealTimePump(scheduler, () => Date.now());
    const ran: number[] = [];
    scheduler.setTimer(FAR, () => ran.push(scheduler.now()));
    pump.catchUp();
    mock.timers.tick(MAX_TIMEOUT_MS);
    assert.deepEqual(ran, []);
    assert.ok(delays.length <= 2, `a far event arms a couple of waits, not ${delays.length}`);
    mock.timers.tick(FAR - MAX_TIMEOUT_MS - 1);
    assert.deepEqual(ran, []);
    mock.timers.tick(1);
    assert.deepEqual(ran, [FAR]);
    mock.timers.tick(10 * FAR);
    assert.deepEqual(ran, [FAR]);
    assertDelaysInRange();
    pump.stop();
  });

  it('RealTimePump: a nearer event re-arms over a far pending wait; stop cancels the chain', () => {
    const scheduler = new Scheduler();
    const pump = new RealTimePump(scheduler, () => Date.now());
    const ran: string[] = [];
    scheduler.setTimer(Infinity, () => ran.push('never'));
    scheduler.setTimer(FAR, () => ran.push('far'));
    pump.catchUp();
    pump.run(() => scheduler.setTimer(5000, () => ran.push('near')));
    mock.timers.tick(5000);
    assert.deepEqual(ran, ['near']);
    mock.timers.tick(MAX_TIMEOUT_MS);
    pump.stop();
    mock.timers.tick(10 * FAR);
    assert.deepEqual(ran, ['near'], 'nothing runs after stop');
    assertDelaysInRange();
  });
});
