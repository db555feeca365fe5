import type { Network } from './network.js';
import { summarize } from './summary.js';

/*
 * "Up" means settled: every gateway instance has finished provisioning and no tunnel or BGP
 * session has changed state for a while. A network that never settles (a tunnel that keeps
 * failing and redialling) stops at the limit instead. After a fault that took something down,
 * nothing may change for longer than the quiet time (DPD waits, a hold timer runs): it is not
 * settled before the slowest gateway could have noticed. After a fault that restored something, a
 * quiet spell is not enough either: a BGP session that outlived the outage may still expire and
 * reconnect only at its next ConnectRetry, so the network is settled once it is back to what ran
 * before the first fault, or once the slowest gateway could have recovered.
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
  const recoveryMs = Math.max(0, ...[...network.gateways.values()].map((g) => g.recoveryMs));
  const noticed = (now: number): boolean => network.lastFault === undefined || network.lastFault.up || now >= network.lastFault.atMs + detectionMs;
  const recovered = (now: number): boolean => {
    const fault = network.lastFault;
    const before = network.healthBeforeFaults;
    if (fault === undefined || !fault.up || before === undefined || now >= fault.atMs + recoveryMs) return true;
    const { tunnels, sessions } = summarize(network);
    return tunnels.up >= before.tunnels && sessions.established >= before.sessions;
  };
  for (;;) {
    const now = scheduler.now();
    if (ready() && now - lastChange() >= quietMs && noticed(now) && recovered(now)) return { settled: true, lastChangeMs: lastChange() };
    if (now >= limit) return { settled: false, lastChangeMs: lastChange() };
    // Nothing will ever happen again: settled by definition once provisioning is over.
    if (scheduler.peekTime() === undefined) return { settled: ready(), lastChangeMs: lastChange() };
    scheduler.advance(Math.min(limit, now + STEP_MS) - now);
  }
}
