/**
 * NewReno congestion control (RFC 5681 slow start and congestion avoidance, RFC 6582 fast
 * recovery) for one sender, in bytes. Offsets are the connection's send stream offsets. The
 * connection asks `window` how much may be in flight and retransmits when told to.
 */

/** RFC 6928 initial window: min(10*MSS, max(2*MSS, 14600)). */
const INITIAL_WINDOW_SEGMENTS = 10;
const INITIAL_WINDOW_BYTES = 14600;
/** Duplicate ACKs that signal a loss (RFC 5681 §3.2). */
export const DUPACK_THRESHOLD = 3;

export function initialWindow(mss: number): number {
  return Math.min(INITIAL_WINDOW_SEGMENTS * mss, Math.max(2 * mss, INITIAL_WINDOW_BYTES));
}

export class NewReno {
  private mss: number;
  private cwnd: number;
  private ssthresh = Number.POSITIVE_INFINITY;
  private dupAcks = 0;
  private inRecovery = false;
  /** RFC 6582 `recover`: the highest offset sent when the last loss was detected. */
  private recover = 0;
  private readonly maxWindow: number;

  /** `maxWindow` caps growth: past the peer's largest possible window more cwnd means nothing. */
  constructor(mss: number, maxWindow: number) {
    this.mss = mss;
    this.cwnd = initialWindow(mss);
    this.maxWindow = maxWindow;
  }

  get window(): number {
    return this.cwnd;
  }

  /** The connection is synchronized and the MSS known: start from the initial window. */
  start(mss: number): void {
    this.mss = mss;
    this.cwnd = initialWindow(mss);
  }

  /**
   * New data acknowledged: `acked` bytes, SND.UNA now `ackOff`. Returns true on a partial ACK
   * during recovery, when the segment at the new SND.UNA must be retransmitted.
   */
  onAck(acked: number, ackOff: number): boolean {
    if (this.inRecovery) {
      if (ackOff >= this.recover) {
        this.inRecovery = false;
        this.dupAcks = 0;
        this.cwnd = this.ssthresh;
        return false;
      }
      this.cwnd = Math.max(this.mss, this.cwnd - acked + this.mss);
      return true;
    }
    this.dupAcks = 0;
    const growth = this.cwnd < this.ssthresh
      ? Math.min(acked, this.mss)
      : Math.max(1, Math.floor((this.mss * this.mss) / this.cwnd));
    this.cwnd = Math.min(this.maxWindow, this.cwnd + growth);
    return false;
  }

  /**
   * A duplicate ACK (RFC 5681 §2) with `una` and `max` the connection's SND.UNA and highest
   * offset sent. Returns true when it triggers a fast retransmit of the segment at SND.UNA.
   */
  onDuplicateAck(una: number, max: number): boolean {
    this.dupAcks++;
    if (this.inRecovery) {
      this.cwnd = Math.min(this.maxWindow, this.cwnd + this.mss);
      return false;
    }
    // RFC 6582 §3.2 step 2: losses before `recover` were already dealt with.
    if (this.dupAcks !== DUPACK_THRESHOLD || una <= this.recover) return false;
    this.ssthresh = this.halfFlight(una, max);
    this.recover = max;
    this.inRecovery = true;
    this.cwnd = this.ssthresh + DUPACK_THRESHOLD * this.mss;
    return true;
  }

  /** The retransmission timer expired (RFC 5681 §3.1 eq. 4, RFC 6582 §4): back to one segment. */
  onTimeout(una: number, max: number): void {
    this.ssthresh = this.halfFlight(una, max);
    this.cwnd = this.mss;
    this.inRecovery = false;
    this.dupAcks = 0;
    this.recover = max;
  }

  private halfFlight(una: number, max: number): number {
    return Math.max(Math.floor((max - una) / 2), 2 * this.mss);
  }
}
