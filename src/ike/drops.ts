import type { Clock } from '../core/clock.js';
import { LogLimiter } from '../core/log-limiter.js';
import { formatIpv4, type Ipv4Address } from '../net/address.js';

/*
 * What the engine does with a datagram it will not act on: counts it, exactly, by kind, and logs
 * it through two LogLimiters, per source and kind first, then per kind whatever the source, so a
 * flood from one address or from a million spoofed ones leaves a few lines and a summary.
 */

export const IKE_DROP_KINDS = [
  /** The header or an IKE_SA_INIT request does not decode. */
  'malformed',
  /** No IKE SA has these SPIs. */
  'unknown-sa',
  /** A message that must be protected arrived without an Encrypted payload (an IKE_SA_INIT inside an SA, say). */
  'unprotected',
  /** The Encrypted payload does not verify (RFC 7296 §2.21.2: dropped unanswered). */
  'integrity',
  /** A message ID outside the window, or a response to nothing in flight. */
  'unexpected',
  /** The source already holds blockThreshold half-open IKE SAs. */
  'blocked',
  /** halfOpenLimit half-open IKE SAs in all. */
  'half-open-limit',
  /** A bug met (not an IkeError) handling it, or in one of an IKE SA's timers: that IKE SA is closed. */
  'internal',
] as const;

export type IkeDropKind = (typeof IKE_DROP_KINDS)[number];

/** Lines that are not drops but come once per datagram a stranger can send (cookie challenges, refusals, retransmitted responses). */
export type IkeNoticeKind = 'cookie' | 'refused' | 'retransmit';

export type IkeDropCounts = Readonly<Record<IkeDropKind, number>>;

const KIND_BURST = 20;

export class DropRecorder {
  private readonly counts = Object.fromEntries(IKE_DROP_KINDS.map((k) => [k, 0])) as Record<IkeDropKind, number>;
  private readonly perKind: LogLimiter;
  /** One limiter per kind, keyed by source address; what it lets through goes on to perKind. */
  private readonly bySource = new Map<string, LogLimiter>();
  private readonly clock: Clock;
  /** COOKIE notifies sent. */
  cookiesSent = 0;

  constructor(clock: Clock, out: (line: string) => void) {
    this.clock = clock;
    this.perKind = new LogLimiter(clock, out, { burst: KIND_BURST });
  }

  get dropped(): IkeDropCounts {
    return { ...this.counts };
  }

  drop(kind: IkeDropKind, source: Ipv4Address, line: string | (() => string)): void {
    this.counts[kind]++;
    this.note(kind, source, line);
  }

  /** Logs a per-datagram line without counting a drop. */
  note(kind: IkeDropKind | IkeNoticeKind, source: Ipv4Address, line: string | (() => string)): void {
    let limiter = this.bySource.get(kind);
    if (limiter === undefined) {
      limiter = new LogLimiter(this.clock, (l) => this.perKind.log(kind, l));
      this.bySource.set(kind, limiter);
    }
    limiter.log(formatIpv4(source), line);
  }

  /** Writes the pending summaries (the daemon is stopping). */
  flush(): void {
    for (const l of this.bySource.values()) l.flush();
    this.perKind.flush();
  }
}
