import type { Rng } from '../core/rng.js';
import type { DampingState, FsmConfig } from './fsm-types.js';

/*
 * BGP timer arithmetic as pure functions: RFC 4271 §10 jitter, the keepalive interval and the
 * idle-hold backoff behind DampPeerOscillations. The FSM decides which timers run and for how
 * long; the driver (fsm-driver.ts) applies jitter with its Rng and runs them on its Clock.
 */

export const MS_PER_SECOND = 1000;

/** RFC 4271 §10: timers are multiplied by a random factor in [0.75, 1]. */
export const JITTER_MIN_FACTOR = 0.75;

/**
 * Defaults, seconds. Hold 90 and the 4-minute OpenSent hold are RFC 4271's suggestions
 * (§10, §8.2.2); ConnectRetryTime 120 is FRR's and BIRD's. The idle-hold backoff is described at
 * `idleHoldDelaySec`.
 */
export const FSM_DEFAULTS = {
  holdTime: 90,
  connectRetryTime: 120,
  openHoldTime: 240,
  delayOpenTime: 5,
  idleHoldTime: 5,
  idleHoldTimeMax: 120,
  idleHoldForgetTime: 300,
} as const;

/** Hold Time values that must be refused (RFC 4271 §4.2: "MUST be either zero or at least three"). */
export function isUnacceptableHoldTime(seconds: number): boolean {
  return seconds === 1 || seconds === 2;
}

/** `ms` scaled by a factor drawn uniformly from [0.75, 1) (RFC 4271 §10). */
export function jitter(ms: number, rng: Rng): number {
  return ms * (JITTER_MIN_FACTOR + (1 - JITTER_MIN_FACTOR) * rng.next());
}

/**
 * The keepalive interval for a negotiated hold time, seconds: the configured one (default a third
 * of our own hold time) but never more than a third of the negotiated one (RFC 4271 §4.4 "one third
 * of the Hold Time interval"; FRR clamps the same way), whole seconds, at least 1; 0 when the hold
 * time is 0 (no keepalives at all).
 */
export function keepaliveInterval(negotiatedHoldTime: number, config: Pick<FsmConfig, 'holdTime' | 'keepaliveTime' | 'fixedKeepalive'>): number {
  if (negotiatedHoldTime === 0) return 0;
  if (config.fixedKeepalive === true && config.keepaliveTime !== undefined) return config.keepaliveTime;
  const wanted = config.keepaliveTime ?? Math.floor(config.holdTime / 3);
  const ceiling = Math.floor(negotiatedHoldTime / 3);
  return Math.max(1, Math.min(wanted > 0 ? wanted : ceiling, ceiling));
}

export const NO_DAMPING: DampingState = { consecutiveErrors: 0, lastErrorAt: undefined };

/**
 * Records one more error for the backoff. The count starts again when the previous error is at
 * least idleHoldForgetTime old (BIRD's "error forget time"), so a session that stayed up for a
 * while restarts quickly, while one that keeps failing keeps its long delay. Without a time for
 * either error nothing is forgotten.
 */
export function recordError(damping: DampingState, at: number | undefined, config: Pick<FsmConfig, 'idleHoldForgetTime'>): DampingState {
  const forget = damping.lastErrorAt !== undefined && at !== undefined
    && at - damping.lastErrorAt >= config.idleHoldForgetTime * MS_PER_SECOND;
  return { consecutiveErrors: (forget ? 0 : damping.consecutiveErrors) + 1, lastErrorAt: at ?? damping.lastErrorAt };
}

/**
 * How long the FSM stays in Idle before restarting by itself, seconds. With DampPeerOscillations
 * the n-th error in a row waits idleHoldTime·2^(n-1), capped at idleHoldTimeMax: 5, 10, 20, 40,
 * 80, 120, 120... by default. The doubling and the 120 s cap are FRR's (`peer->v_start` doubled on
 * each error, overflow-checked at 120 s); the 5 s start is Quagga's BGP_INIT_START_TIMER (FRR starts
 * at 1 s, BIRD's "error wait time" at 60 s); forgetting old errors is BIRD's (`error forget time`
 * 300 s). Without damping, the delay is always idleHoldTime.
 */
export function idleHoldDelaySec(damping: DampingState, config: Pick<FsmConfig, 'dampPeerOscillations' | 'idleHoldTime' | 'idleHoldTimeMax'>): number {
  if (!config.dampPeerOscillations || damping.consecutiveErrors <= 1) return config.idleHoldTime;
  // 2^n overflows nothing: the cap is reached long before n gets large, and Math.min handles Infinity.
  return Math.min(config.idleHoldTime * 2 ** (damping.consecutiveErrors - 1), Math.max(config.idleHoldTime, config.idleHoldTimeMax));
}
