import { setTimeout as delay } from 'node:timers/promises';
import { HostileError, type Daemon } from './daemons.js';

/*
 * The assertions held during and after every phase: each daemon runs; its descriptors and
 * resident memory stay under bounds set from a baseline taken once its sessions are up; its
 * output grows by at most a bound per 10^5 inputs (floods must be summarised, not logged line by
 * line); nothing it printed holds the secret; the protected session or SA is unchanged.
 */

/** Bounds over the baseline, stated in docs/robustness.md. */
export const BOUNDS = {
  /** Descriptors above the baseline. */
  fds: 64,
  /** Resident memory above the baseline. */
  rssKb: 150 * 1024,
  /** Output allowed whatever the count (start-up, the protected sessions' own lines, summaries). */
  logFixedBytes: 64 * 1024,
  /** Output allowed per 10^5 inputs: 16 octets an input, a fifth of one log line. */
  logPer100kBytes: 1600 * 1024,
} as const;

export interface InterfaceReport {
  name: string;
  seed: number;
  inputs: number;
  durationMs: number;
  peakRssKb: number;
  baseRssKb: number;
  peakFds: number;
  baseFds: number;
  logBytes: number;
  result: 'pass' | 'FAIL';
  error?: string;
  code?: string;
}

interface Watched {
  daemon: Daemon;
  baseFds: number;
  baseRssKb: number;
  baseLog: number;
  peakFds: number;
  peakRssKb: number;
}

/** Watches the daemons of one phase; `check` throws a HostileError at the first broken bound. */
export class Watch {
  private readonly watched: Watched[];

  constructor(daemons: readonly Daemon[]) {
    this.watched = daemons.map((daemon) => {
      const s = daemon.sample();
      return { daemon, baseFds: s.fds, baseRssKb: s.rssKb, baseLog: daemon.outputBytes, peakFds: s.fds, peakRssKb: s.rssKb };
    });
  }

  check(inputs: number): void {
    for (const w of this.watched) {
      w.daemon.check();
      const s = w.daemon.sample();
      w.peakFds = Math.max(w.peakFds, s.fds);
      w.peakRssKb = Math.max(w.peakRssKb, s.rssKb);
      if (s.fds > w.baseFds + BOUNDS.fds) {
        throw new HostileError('HOSTILE_FDS_UNBOUNDED', `${w.daemon.name}: ${s.fds} descriptors, baseline ${w.baseFds} + ${BOUNDS.fds} allowed (after ${inputs} inputs)`);
      }
      if (s.rssKb > w.baseRssKb + BOUNDS.rssKb) {
        throw new HostileError('HOSTILE_RSS_UNBOUNDED', `${w.daemon.name}: RSS ${Math.round(s.rssKb / 1024)} MB, baseline ${Math.round(w.baseRssKb / 1024)} MB + ${BOUNDS.rssKb / 1024} MB allowed (after ${inputs} inputs)`);
      }
      const logged = w.daemon.outputBytes - w.baseLog;
      const allowed = BOUNDS.logFixedBytes + Math.ceil((inputs / 100_000) * BOUNDS.logPer100kBytes);
      if (logged > allowed) {
        throw new HostileError('HOSTILE_LOG_UNBOUNDED', `${w.daemon.name}: ${logged} bytes of output for ${inputs} inputs (${allowed} allowed); last lines:\n${w.daemon.lastOutput.slice(-3000)}`);
      }
    }
  }

  /** The first daemon's figures (the one attacked), for the report. */
  figures(): Pick<InterfaceReport, 'peakRssKb' | 'baseRssKb' | 'peakFds' | 'baseFds' | 'logBytes'> {
    const w = this.watched[0]!;
    return { peakRssKb: w.peakRssKb, baseRssKb: w.baseRssKb, peakFds: w.peakFds, baseFds: w.baseFds, logBytes: w.daemon.outputBytes - w.baseLog };
  }
}

export interface Budget {
  /** Inputs to send. */
  inputs: number;
  /** Stop sending after this long even if `inputs` were not all sent. */
  maxMs: number;
}

export interface PhaseHooks {
  /** Sends some inputs; returns how many. */
  step(): Promise<number>;
  /** The protected session / SA is unchanged; throws otherwise. */
  protectedCheck(): Promise<void>;
  /** Every `checkEveryMs`; the bounds are checked as often. */
  checkEveryMs?: number;
}

/**
 * Runs `step` until the budget is spent, checking the watch and the protected state on the way;
 * returns the number of inputs sent. Throws the first failure.
 */
export async function drive(budget: Budget, watch: Watch, hooks: PhaseHooks): Promise<number> {
  const start = Date.now();
  const every = hooks.checkEveryMs ?? 2000;
  let inputs = 0;
  let lastCheck = start;
  let lastBounds = start;
  while (inputs < budget.inputs && Date.now() - start < budget.maxMs) {
    inputs += await hooks.step();
    const now = Date.now();
    if (now - lastBounds >= 250) {
      watch.check(inputs);
      lastBounds = now;
    }
    if (now - lastCheck >= every) {
      await hooks.protectedCheck();
      lastCheck = Date.now();
    }
  }
  // Let the daemon finish what is queued before the final checks.
  await delay(500);
  watch.check(inputs);
  await hooks.protectedCheck();
  return inputs;
}

export function formatTable(reports: readonly InterfaceReport[]): string {
  const head = ['interface', 'inputs', 'duration', 'rate/s', 'RSS base→peak', 'fds base→peak', 'log bytes', 'seed', 'result'];
  const rows = reports.map((r) => [
    r.name, r.inputs.toLocaleString('en-US'), `${(r.durationMs / 1000).toFixed(1)} s`,
    Math.round(r.inputs / Math.max(0.001, r.durationMs / 1000)).toLocaleString('en-US'),
    `${Math.round(r.baseRssKb / 1024)}→${Math.round(r.peakRssKb / 1024)} MB`, `${r.baseFds}→${r.peakFds}`,
    r.logBytes.toLocaleString('en-US'), String(r.seed), r.result === 'pass' ? 'pass' : `FAIL ${r.code ?? ''}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
