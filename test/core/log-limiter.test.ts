import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { LogLimiter } from '../../src/core/log-limiter.js';

describe('LogLimiter', () => {
  it('logs a burst per key, counts the rest and summarises them when the window ends', () => {
    const clock = new ManualClock();
    const lines: string[] = [];
    const limiter = new LogLimiter(clock, (l) => lines.push(l), { burst: 2, windowMs: 1000 });
    for (let i = 0; i < 10; i++) limiter.log('a', `junk ${i}`);
    limiter.log('b', 'other');
    assert.deepEqual(lines, ['junk 0', 'junk 1', 'other']);
    assert.equal(limiter.suppressedTotal, 8);
    clock.advance(1000);
    limiter.log('a', 'junk 10');
    assert.deepEqual(lines.slice(3), ['junk 2 (and 8 more like it in 1 s, not logged)', 'junk 10']);
  });

  it('builds a line only when it is written', () => {
    const limiter = new LogLimiter(new ManualClock(), () => {}, { burst: 1 });
    let built = 0;
    for (let i = 0; i < 5; i++) limiter.log('k', () => `line ${built++}`);
    assert.equal(built, 2); // the one logged and the first suppressed (kept for the summary)
  });

  it('tracks a bounded number of keys: the oldest window is summarised and forgotten', () => {
    const lines: string[] = [];
    const limiter = new LogLimiter(new ManualClock(), (l) => lines.push(l), { burst: 1, maxKeys: 4 });
    for (let source = 0; source < 100; source++) {
      limiter.log(`s${source}`, `from ${source}`);
      limiter.log(`s${source}`, `from ${source} again`);
    }
    assert.ok(lines.length <= 200);
    assert.ok(lines.includes('from 0 again (and 1 more like it in 0 s, not logged)'));
    limiter.flush();
    assert.equal(lines.filter((l) => l.includes('more like it')).length, 100);
  });
});
