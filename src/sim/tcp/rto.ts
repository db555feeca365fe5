/**
 * Retransmission timeout, RFC 6298, as pure functions. Bounds follow Linux: the initial RTO is
 * 1 s (RFC 6298 §2.1), the floor 200 ms (TCP_RTO_MIN; the RFC's 1 s floor is a SHOULD) and the
 * ceiling 120 s (TCP_RTO_MAX).
 */
export const RTO_INITIAL_MS = 1000;
export const RTO_MIN_MS = 200;
export const RTO_MAX_MS = 120_000;
/** G in RFC 6298 §2: the clock granularity. Virtual time is exact, so one millisecond. */
export const CLOCK_GRANULARITY_MS = 1;

const ALPHA = 1 / 8;
const BETA = 1 / 4;
const K = 4;

export interface RttEstimate {
  /** Smoothed round-trip time; undefined until the first sample. */
  readonly srtt: number | undefined;
  readonly rttvar: number;
  /** The RTO before any backoff. */
  readonly rto: number;
}

export const INITIAL_RTT_ESTIMATE: RttEstimate = { srtt: undefined, rttvar: 0, rto: RTO_INITIAL_MS };

function clampRto(ms: number): number {
  return Math.min(RTO_MAX_MS, Math.max(RTO_MIN_MS, ms));
}

/** Folds one round-trip sample (of a segment that was not retransmitted: Karn) into the estimate. */
export function updateRtt(estimate: RttEstimate, sampleMs: number): RttEstimate {
  const r = Math.max(0, sampleMs);
  if (estimate.srtt === undefined) {
    const rttvar = r / 2;
    return { srtt: r, rttvar, rto: clampRto(r + Math.max(CLOCK_GRANULARITY_MS, K * rttvar)) };
  }
  const rttvar = (1 - BETA) * estimate.rttvar + BETA * Math.abs(estimate.srtt - r);
  const srtt = (1 - ALPHA) * estimate.srtt + ALPHA * r;
  return { srtt, rttvar, rto: clampRto(srtt + Math.max(CLOCK_GRANULARITY_MS, K * rttvar)) };
}

/** The RTO after `backoff` consecutive expiries: doubled each time (RFC 6298 §5.5), capped. */
export function backedOffRto(rto: number, backoff: number): number {
  return Math.min(RTO_MAX_MS, rto * 2 ** backoff);
}
