import type { Network } from './network.js';

/*
 * "Up" means settled: every gateway instance has finished provisioning and no tunnel or BGP
 * session has changed state for a while. A network that never settles (a tunnel that keeps
 * failing and redialling) stops at the limit instead. After a fault that took something down,
 * nothing may change for longer than the quiet time (DPD waits, a hold timer runs): it is not
 * settled before the slowest gateway could have noticed.
 */

/** Quiet time after the last state change before the network counts as settled. */
export const SETTLE_QUIET_MS = 30_000;
const STEP_MS = 1_000;

export interface SettleResult {
  settled: boolean;
  /** Simulated time of the last state change (0 if none). */
  lastChangeMs: number;
}

export function runUntilSettled(network: Network, limitMs: number, quietMs = SETTLE_QUIET_MS): SettleResult {
  const scheduler = network.scheduler;
  const limit = scheduler.now() + limitMs;
  if (network.gateways.size === 0) return { settled: true, lastChangeMs: 0 };
  const lastChange = (): number => network.milestones.at(-1)?.timeMs ?? 0;
  const ready = (): boolean => [...network.gateways.values()].every((g) => g.ready || !g.node.ip.up);
  const detectionMs = Math.max(0, ...[...network.gateways.values()].map((g) => g.failureDetectionMs));
  const noticed = (now: number): boolean => network.lastFault === undefined || network.lastFault.up || now >= network.lastFault.atMs + detectionMs;
  for (;;) {
    const now = scheduler.now();
    if (ready() && now - lastChange() >= quietMs && noticed(now)) return { settled: true, lastChangeMs: lastChange() };
    if (now >= limit) return { settled: false, lastChangeMs: lastChange() };
    // Nothing will ever happen again: settled by definition once provisioning is over.
    if (scheduler.peekTime() === undefined) return { settled: ready(), lastChangeMs: lastChange() };
    scheduler.advance(Math.min(limit, now + STEP_MS) - now);
  }
}
