import type { Timer } from '../../core/clock.js';
import { DecodeError, InvalidArgumentError } from '../../core/errors.js';
import { TcpFlag, encodeTcpOptions, tcpMssOption, type TcpSegment } from '../../net/tcp.js';
import { TransportError, type TcpSocketHandlers, type TransportErrorCode } from '../../transport/types.js';
import { CallbackQueue } from './callbacks.js';
import { NewReno } from './congestion.js';
import { DeadlineTimer } from './deadline-timer.js';
import {
  TCP_DATA_RETRIES, TCP_DEFAULT_MSS, TCP_SYNACK_RETRIES, TCP_SYN_RETRIES, TCP_TIME_WAIT_MS, TcpUsageError,
  type TcpConnectionOptions, type TcpState,
} from './options.js';
import { Receiver, TCP_RECEIVE_WINDOW } from './receiver.js';
import { INITIAL_RTT_ESTIMATE, backedOffRto, updateRtt, type RttEstimate } from './rto.js';
import { EMPTY, controlSegment, has, resetFor, segmentLength } from './segments.js';
import { SendBuffer } from './send-buffer.js';
import { seqAdd, seqDiff } from './seq.js';

export {
  TCP_DATA_RETRIES, TCP_DEFAULT_MSS, TCP_SYNACK_RETRIES, TCP_SYN_RETRIES, TCP_TIME_WAIT_MS, TcpUsageError,
  type TcpConnectionOptions, type TcpState,
} from './options.js';
export { TCP_RECEIVE_WINDOW } from './receiver.js';
export { resetFor } from './segments.js';
export { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from './seq.js';

/** cwnd stops growing here: the peer's window (at most 65535, no scaling) limits sending first. */
const MAX_CWND = 4 * TCP_RECEIVE_WINDOW;
/** Linux net.ipv4.tcp_invalid_ratelimit: out-of-window and challenge ACKs at most this often. */
const OOW_ACK_INTERVAL_MS = 500;

function nonNegativeInteger(value: number, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new InvalidArgumentError(`${what} must be an integer 0-${max} (got ${value})`);
  return value;
}

/**
 * A sans-IO TCP connection (RFC 9293) for the simulator: segments in through `receive`, segments
 * out through `emit`, time from the injected Clock, the ISN from the injected Rng.
 *
 * Both directions are tracked as stream offsets from the initial sequence number (offset 0 is the
 * SYN, 1 the first data byte), which never wrap; 32-bit sequence numbers exist only on the wire
 * and are mapped with modular arithmetic (seq.ts).
 *
 * Sending: segments of at most the negotiated MSS within min(peer window, cwnd); RFC 6298 RTO
 * with Karn's rule and exponential backoff, go-back-N from SND.UNA when it expires; NewReno fast
 * retransmit and recovery on three duplicate ACKs. Receiving: a fixed 65535-byte window,
 * out-of-order segments kept for reassembly, every segment with data or FIN acknowledged at once
 * (no delayed ACK). RSTs are checked as in RFC 5961 §3 (an exact sequence number resets, others
 * in the window draw a challenge ACK), SYNs in synchronized states as in §4.
 *
 * write() and end() send at the same virtual instant but from a zero-delay timer, so writes made
 * together leave together, in full segments.
 *
 * Callbacks (handlers, onStateChange, onFinished) are queued while a segment or timer is being
 * processed and run afterwards, in order (callbacks.ts); they may call back into the connection.
 * onClose comes when the connection ends for the application: on entering TIME-WAIT, on the ACK
 * of our FIN in LAST-ACK, or on an abort; onFinished once the 4-tuple is free (after TIME-WAIT).
 */
export class TcpConnection {
  readonly localAddress: number;
  readonly localPort: number;
  readonly remoteAddress: number;
  readonly remotePort: number;
  private readonly opts: TcpConnectionOptions;
  private readonly activeOpen: boolean;
  private current: TcpState = 'CLOSED';
  private readonly callbacks: CallbackQueue;
  private readonly timeWaitMs: number;
  private readonly synRetries: number;
  private readonly synAckRetries: number;
  private readonly dataRetries: number;

  // Send side, as offsets from the ISS.
  private readonly iss: number;
  private unaOff = 0;
  private nxtOff = 0;
  /** One past the highest offset ever sent (SND.NXT before a go-back-N rewind). */
  private maxOff = 0;
  private readonly sendBuf = new SendBuffer(1);
  private finQueued = false;
  private sndWnd = 0;
  /** SND.WL1 (a receive offset) and SND.WL2 (a send offset): the segment that last set sndWnd. */
  private wl1 = -1;
  private wl2 = -1;
  private sendMss: number;
  private readonly cc: NewReno;

  // Retransmission.
  private rtt: RttEstimate = INITIAL_RTT_ESTIMATE;
  private backoff = 0;
  private retries = 0;
  /** The segment timed for an RTT sample: its end offset and when it was sent. */
  private timedOff: number | undefined;
  private timedAt = 0;
  private readonly rtx: DeadlineTimer;
  private timeWaitTimer: Timer | undefined;
  private outputTimer: Timer | undefined;
  private softError: TransportErrorCode | undefined;

  private readonly rcv = new Receiver();
  private ackNeeded = false;
  private lastOowAckAt = Number.NEGATIVE_INFINITY;

  private processing = false;
  private readonly inbox: TcpSegment[] = [];
  private closeNotified = false;
  private finished = false;

  private constructor(opts: TcpConnectionOptions, activeOpen: boolean) {
    this.localAddress = opts.localAddress;
    this.localPort = nonNegativeInteger(opts.localPort, 'localPort', 0xffff);
    this.remoteAddress = opts.remoteAddress;
    this.remotePort = nonNegativeInteger(opts.remotePort, 'remotePort', 0xffff);
    if (nonNegativeInteger(opts.mss, 'mss', 0xffff) === 0) throw new InvalidArgumentError('mss must be at least 1');
    this.opts = opts;
    this.activeOpen = activeOpen;
    this.callbacks = new CallbackQueue(opts.handlers ?? {}, opts);
    this.timeWaitMs = opts.timeWaitMs ?? TCP_TIME_WAIT_MS;
    this.synRetries = nonNegativeInteger(opts.synRetries ?? TCP_SYN_RETRIES, 'synRetries');
    this.synAckRetries = nonNegativeInteger(opts.synAckRetries ?? TCP_SYNACK_RETRIES, 'synAckRetries');
    this.dataRetries = nonNegativeInteger(opts.dataRetries ?? TCP_DATA_RETRIES, 'dataRetries');
    this.iss = opts.rng.int(2 ** 32) >>> 0;
    this.sendMss = Math.min(TCP_DEFAULT_MSS, opts.mss);
    this.cc = new NewReno(this.sendMss, MAX_CWND);
    this.rtx = new DeadlineTimer(opts.clock, () => this.run(() => this.onRetransmissionTimeout()));
  }

  /** Active open: sends a SYN carrying our MSS. */
  static connect(opts: TcpConnectionOptions): TcpConnection {
    const c = new TcpConnection(opts, true);
    c.run(() => {
      c.setState('SYN-SENT');
      c.output();
    });
    return c;
  }

  /** Passive open from a SYN a listener received: answers SYN-ACK and waits in SYN-RECEIVED. */
  static accept(opts: TcpConnectionOptions, syn: TcpSegment): TcpConnection {
    if (!has(syn, TcpFlag.SYN) || has(syn, TcpFlag.ACK) || has(syn, TcpFlag.RST)) {
      throw new InvalidArgumentError(`accept() needs a SYN without ACK or RST (flags 0x${syn.flags.toString(16)})`);
    }
    const c = new TcpConnection(opts, false);
    c.current = 'LISTEN';
    c.run(() => {
      c.rcv.synchronize(syn.seq);
      c.sndWnd = syn.window;
      c.adoptPeerMss(syn);
      c.setState('SYN-RECEIVED');
      c.output();
    });
    return c;
  }

  get state(): TcpState {
    return this.current;
  }

  /** The MSS this side sends with: min(peer's MSS option or 536, our MSS). */
  get effectiveMss(): number {
    return this.sendMss;
  }

  /** Bytes written and not yet acknowledged by the peer. */
  get bufferedAmount(): number {
    return this.sendBuf.length;
  }

  /** The timeout the retransmission timer is (or would be) started with, backoff included. */
  get retransmitTimeout(): number {
    return backedOffRto(this.rtt.rto, this.backoff);
  }

  /** Replaces the handlers; data held for want of an onData handler is delivered now. */
  setHandlers(handlers: TcpSocketHandlers): void {
    this.callbacks.setHandlers(handlers);
    if (!this.processing) this.callbacks.flush();
  }

  /** A segment for this 4-tuple arrived (checksum already verified). */
  receive(segment: TcpSegment): void {
    this.inbox.push(segment);
    this.run(() => undefined);
  }

  /**
   * Queues data for sending; ignored once the connection is closed. Segments go out at the same
   * virtual instant but after the caller's current work, so a burst of small writes (a BGP
   * speaker's UPDATEs) leaves as full segments rather than one segment per write.
   */
  write(data: Uint8Array): void {
    if (this.current === 'CLOSED' || this.closeNotified) return;
    if (this.finQueued) throw new TcpUsageError('ERR_TCP_WRITE_AFTER_END', 'write() after end(): the FIN is already queued');
    this.sendBuf.append(data);
    this.scheduleOutput();
  }

  /** Half-close: a FIN follows the data written so far (after the handshake if it is not done). */
  end(): void {
    if (this.current === 'CLOSED' || this.finQueued) return;
    this.run(() => {
      this.finQueued = true;
      if (this.current === 'ESTABLISHED') this.setState('FIN-WAIT-1');
      else if (this.current === 'CLOSE-WAIT') this.setState('LAST-ACK');
    });
    this.scheduleOutput();
  }

  /** Abort: sends RST (except in SYN-SENT and TIME-WAIT) and closes without an error. */
  destroy(): void {
    if (this.current === 'CLOSED') return;
    const sendRst = this.current !== 'SYN-SENT' && this.current !== 'TIME-WAIT';
    this.run(() => this.terminate(undefined, { sendRst, userAbort: true }));
  }

  /**
   * ICMP destination unreachable for this connection: a soft error (RFC 1122 §4.2.3.9). It does
   * not abort; if the connection times out before making progress, it is the error reported
   * instead of ERR_TCP_TIMEOUT (as Linux reports sk_err_soft).
   */
  icmpError(code: 'ERR_NET_UNREACHABLE' | 'ERR_HOST_UNREACHABLE'): void {
    if (this.current !== 'CLOSED') this.softError = code;
  }

  // ---- Segment arrival (RFC 9293 §3.10.7) ----

  private process(segment: TcpSegment): void {
    switch (this.current) {
      case 'CLOSED': {
        const rst = resetFor(segment);
        if (rst !== undefined) this.opts.emit(rst);
        return;
      }
      case 'LISTEN':
        return;
      case 'SYN-SENT':
        this.processSynSent(segment);
        break;
      default:
        this.processSynchronized(segment);
    }
    this.output();
  }

  private processSynSent(seg: TcpSegment): void {
    const ackFlag = has(seg, TcpFlag.ACK);
    if (ackFlag && seg.ack !== this.seqOf(this.maxOff)) {
      if (!has(seg, TcpFlag.RST)) this.emitControl(seg.ack, TcpFlag.RST);
      return;
    }
    if (has(seg, TcpFlag.RST)) {
      if (ackFlag) this.fail('ERR_TCP_REFUSED', 'connection refused: the peer answered the SYN with RST');
      return;
    }
    if (!has(seg, TcpFlag.SYN) || !this.adoptPeerMss(seg)) return;
    // Data on a SYN is not taken: it is acknowledged only up to the SYN and will come again.
    this.rcv.synchronize(seg.seq);
    this.ackNeeded = true;
    this.sndWnd = seg.window;
    this.wl1 = 0;
    if (ackFlag) {
      this.wl2 = 1;
      this.acknowledge(1);
      this.establish();
      return;
    }
    // Simultaneous open: answer SYN-ACK with the same ISS (a retransmission of our SYN).
    this.wl2 = 0;
    this.setState('SYN-RECEIVED');
    this.nxtOff = 0;
  }

  private processSynchronized(seg: TcpSegment): void {
    if (this.current === 'SYN-RECEIVED' && has(seg, TcpFlag.SYN) && !has(seg, TcpFlag.RST) && seg.seq === this.rcv.initialSeq) {
      if (!has(seg, TcpFlag.ACK)) {
        this.transmitAt(0, 0); // the peer repeated its SYN: our SYN-ACK was lost
        return;
      }
      // Simultaneous open: the peer's SYN-ACK repeats the SYN we have; keep its ACK.
      seg = { ...seg, seq: seqAdd(seg.seq, 1), flags: seg.flags & ~TcpFlag.SYN };
    }
    const segOff = this.rcv.offsetOf(seg.seq);

    // 1. Is the sequence number acceptable? (RCV.WND is never 0.)
    const segLen = segmentLength(seg);
    if (!this.rcv.inWindow(segOff, segLen)) {
      if (has(seg, TcpFlag.RST)) return;
      if (this.current === 'TIME-WAIT' && has(seg, TcpFlag.FIN)) this.startTimeWaitTimer();
      if (segLen > 0) this.ackNeeded = true;
      else this.rateLimitedAck();
      return;
    }
    // 2. RST: an exact match resets, anywhere else in the window draws a challenge ACK.
    if (has(seg, TcpFlag.RST)) {
      if (segOff === this.rcv.next) this.resetReceived();
      else this.rateLimitedAck();
      return;
    }
    // 4. SYN in a synchronized state: challenge ACK (RFC 5961 §4.2).
    if (has(seg, TcpFlag.SYN)) {
      this.rateLimitedAck();
      return;
    }
    // 5. ACK.
    if (!has(seg, TcpFlag.ACK)) return;
    const ackOff = this.unaOff + seqDiff(seg.ack, this.seqOf(this.unaOff));
    if (this.current === 'SYN-RECEIVED') {
      if (ackOff <= this.unaOff || ackOff > this.maxOff) {
        this.emitControl(seg.ack, TcpFlag.RST);
        return;
      }
      this.sndWnd = seg.window;
      this.wl1 = segOff;
      this.wl2 = ackOff;
      this.establish();
    }
    if (ackOff > this.maxOff) {
      this.ackNeeded = true;
      return;
    }
    const oldUna = this.unaOff;
    const duplicate = ackOff === oldUna && seg.payload.length === 0 && !has(seg, TcpFlag.FIN)
      && seg.window === this.sndWnd && this.maxOff > oldUna;
    if (ackOff >= oldUna && (segOff > this.wl1 || (segOff === this.wl1 && ackOff >= this.wl2))) {
      this.sndWnd = seg.window;
      this.wl1 = segOff;
      this.wl2 = ackOff;
    }
    if (ackOff > oldUna) this.acknowledge(ackOff);
    else if (duplicate && this.cc.onDuplicateAck(this.unaOff, this.maxOff)) this.retransmitFirst();

    // 7 and 8. Text and FIN, while the peer has not closed its side.
    if (this.current !== 'ESTABLISHED' && this.current !== 'FIN-WAIT-1' && this.current !== 'FIN-WAIT-2') return;
    if (seg.payload.length > 0 || has(seg, TcpFlag.FIN)) this.acceptText(segOff, seg.payload, has(seg, TcpFlag.FIN));
  }

  /**
   * ACKs answering segments without data (out of window, or RST/SYN challenges) go out at most
   * once per OOW_ACK_INTERVAL_MS, so that two confused ends cannot ping-pong ACKs forever.
   */
  private rateLimitedAck(): void {
    const now = this.opts.clock.now();
    if (now - this.lastOowAckAt < OOW_ACK_INTERVAL_MS) return;
    this.lastOowAckAt = now;
    this.ackNeeded = true;
  }

  private resetReceived(): void {
    switch (this.current) {
      case 'SYN-RECEIVED':
        if (this.activeOpen) this.fail('ERR_TCP_REFUSED', 'connection refused: RST during simultaneous open');
        else this.fail('ERR_TCP_RESET', 'connection reset by the peer before the handshake completed');
        return;
      case 'CLOSING': case 'LAST-ACK': case 'TIME-WAIT':
        this.terminate(undefined, { sendRst: false, userAbort: false });
        return;
      default:
        this.fail('ERR_TCP_RESET', 'connection reset by the peer');
    }
  }

  private establish(): void {
    this.cc.start(this.sendMss);
    this.setState('ESTABLISHED');
    if (this.activeOpen) this.callbacks.push({ kind: 'connect' });
    if (this.finQueued) this.setState('FIN-WAIT-1');
  }

  private acceptText(segOff: number, payload: Uint8Array, fin: boolean): void {
    this.ackNeeded = true;
    const taken = this.rcv.accept(segOff, payload, fin);
    for (const data of taken.chunks) this.callbacks.push({ kind: 'data', data });
    if (taken.fin) this.finReceived();
  }

  private finReceived(): void {
    this.callbacks.push({ kind: 'end' });
    if (this.current === 'ESTABLISHED') this.setState('CLOSE-WAIT');
    else if (this.current === 'FIN-WAIT-1') this.setState('CLOSING');
    else if (this.current === 'FIN-WAIT-2') this.enterTimeWait();
  }

  /** The peer acknowledged everything before `ackOff` (> SND.UNA). */
  private acknowledge(ackOff: number): void {
    const acked = ackOff - this.unaOff;
    if (this.timedOff !== undefined && ackOff >= this.timedOff) {
      this.rtt = updateRtt(this.rtt, this.opts.clock.now() - this.timedAt);
      this.timedOff = undefined;
    }
    this.unaOff = ackOff;
    if (this.nxtOff < ackOff) this.nxtOff = ackOff;
    this.sendBuf.release(ackOff);
    // Progress: the backoff and the retry count start over (as in BSD and Linux).
    this.retries = 0;
    this.backoff = 0;
    this.softError = undefined;
    if (this.cc.onAck(acked, ackOff)) this.retransmitFirst();
    if (this.maxOff === this.unaOff) this.rtx.stop();
    else this.rtx.start(this.retransmitTimeout);

    if (this.finQueued && ackOff > this.sendBuf.end) {
      if (this.current === 'FIN-WAIT-1') this.setState('FIN-WAIT-2');
      else if (this.current === 'CLOSING') this.enterTimeWait();
      else if (this.current === 'LAST-ACK') this.terminate(undefined, { sendRst: false, userAbort: false });
    }
  }

  /** Takes the MSS option of a SYN; false (drop the segment) when its options are malformed. */
  private adoptPeerMss(syn: TcpSegment): boolean {
    let peerMss: number | undefined;
    try {
      peerMss = tcpMssOption(syn.options);
    } catch (err) {
      if (err instanceof DecodeError) return false;
      throw err;
    }
    this.sendMss = Math.max(1, Math.min(peerMss ?? TCP_DEFAULT_MSS, this.opts.mss));
    return true;
  }

  // ---- Output ----

  private output(): void {
    switch (this.current) {
      case 'CLOSED': case 'LISTEN':
        return;
      case 'TIME-WAIT':
        if (this.ackNeeded) this.sendAck();
        return;
      default:
    }
    while (this.sendNext()) { /* fill the window */ }
    if (this.ackNeeded && this.current !== 'SYN-SENT') this.sendAck();
    if (this.maxOff > this.unaOff && !this.rtx.armed) this.rtx.start(this.retransmitTimeout);
  }

  /** Sends the segment at SND.NXT if the windows allow; false when nothing more can go now. */
  private sendNext(): boolean {
    const off = this.nxtOff;
    const inFlight = off - this.unaOff;
    let room = Math.min(this.sndWnd, this.cc.window) - inFlight;
    // A zero window with nothing outstanding: one byte probes it, paced by the RTO.
    if (room < 1 && inFlight === 0) room = 1;
    const end = this.transmitAt(off, room);
    if (end === undefined) return false;
    this.nxtOff = end;
    return true;
  }

  private retransmitFirst(): void {
    this.transmitAt(this.unaOff, this.sendMss);
  }

  /**
   * Emits the segment that starts at offset `off` with at most `room` data bytes, and returns its
   * end offset; undefined when there is nothing to send there, or only a runt while data is in
   * flight (sender-side silly window avoidance, RFC 9293 §3.8.6.2.1).
   */
  private transmitAt(off: number, room: number): number | undefined {
    const handshaking = this.current === 'SYN-SENT' || this.current === 'SYN-RECEIVED';
    if (off === 0) {
      if (!handshaking) return undefined;
      const flags = TcpFlag.SYN | (this.current === 'SYN-RECEIVED' ? TcpFlag.ACK : 0);
      this.emitSegment(0, flags, EMPTY, encodeTcpOptions([{ kind: 'mss', mss: this.opts.mss }]));
      this.noteSent(0, 1);
      return 1;
    }
    const dataEnd = this.sendBuf.end;
    if (handshaking || off > dataEnd) return undefined;
    const length = Math.max(0, Math.min(this.sendMss, dataEnd - off, room));
    const fin = this.finQueued && off + length === dataEnd;
    if (length === 0 && !fin) return undefined;
    if (length < this.sendMss && off + length < dataEnd && off > this.unaOff) return undefined;
    let flags = TcpFlag.ACK | (fin ? TcpFlag.FIN : 0);
    if (length > 0 && this.sendBuf.writeEndsIn(off, off + length)) flags |= TcpFlag.PSH;
    this.emitSegment(off, flags, length > 0 ? this.sendBuf.read(off, length) : EMPTY, EMPTY);
    const end = off + length + (fin ? 1 : 0);
    this.noteSent(off, end);
    return end;
  }

  /** Karn's rule: only a segment sent for the first time is timed; a retransmission voids the sample. */
  private noteSent(off: number, end: number): void {
    if (off < this.maxOff) {
      this.timedOff = undefined;
    } else if (this.timedOff === undefined) {
      this.timedOff = end;
      this.timedAt = this.opts.clock.now();
    }
    if (end > this.maxOff) this.maxOff = end;
  }

  /** A pure ACK carries the highest sequence number sent, which the peer never has behind it. */
  private sendAck(): void {
    this.emitSegment(this.maxOff, TcpFlag.ACK, EMPTY, EMPTY);
  }

  private emitSegment(off: number, flags: number, payload: Uint8Array, options: Uint8Array): void {
    const ack = (flags & TcpFlag.ACK) !== 0;
    if (ack) this.ackNeeded = false;
    this.opts.emit({
      srcPort: this.localPort,
      dstPort: this.remotePort,
      seq: this.seqOf(off),
      ack: ack ? this.rcv.nextSeq : 0,
      flags,
      reserved: 0,
      window: TCP_RECEIVE_WINDOW,
      urgent: 0,
      options,
      payload,
    });
  }

  /** A header-only segment with an explicit sequence number: RSTs. */
  private emitControl(seq: number, flags: number): void {
    const ack = (flags & TcpFlag.ACK) !== 0 ? this.rcv.nextSeq : 0;
    this.opts.emit(controlSegment(this.localPort, this.remotePort, seq, ack, flags, 0));
  }

  private seqOf(off: number): number {
    return seqAdd(this.iss, off);
  }

  // ---- Timers ----

  /** RFC 6298 §5.4-5.6, RFC 5681 §3.1: back off, shrink cwnd, resend from SND.UNA. */
  private onRetransmissionTimeout(): void {
    const limit = this.current === 'SYN-SENT' ? this.synRetries
      : this.current === 'SYN-RECEIVED' ? this.synAckRetries : this.dataRetries;
    if (this.retries >= limit) {
      const what = this.current === 'SYN-SENT' ? 'SYN' : this.current === 'SYN-RECEIVED' ? 'SYN-ACK' : 'data';
      this.fail(this.softError ?? 'ERR_TCP_TIMEOUT', `connection timed out: ${what} unacknowledged after ${this.retries} retransmission(s)`);
      return;
    }
    this.retries++;
    this.backoff++;
    this.timedOff = undefined;
    if (this.unaOff > 0) this.cc.onTimeout(this.unaOff, this.maxOff);
    this.nxtOff = this.unaOff;
    this.output();
  }

  private enterTimeWait(): void {
    this.setState('TIME-WAIT');
    this.rtx.cancel();
    this.notifyClose(undefined);
    this.startTimeWaitTimer();
  }

  private scheduleOutput(): void {
    this.outputTimer ??= this.opts.clock.setTimer(0, () => {
      this.outputTimer = undefined;
      this.run(() => this.output());
    });
  }

  private startTimeWaitTimer(): void {
    this.timeWaitTimer?.cancel();
    this.timeWaitTimer = this.opts.clock.setTimer(this.timeWaitMs, () => {
      this.timeWaitTimer = undefined;
      this.run(() => this.terminate(undefined, { sendRst: false, userAbort: false }));
    });
  }

  // ---- Closing and callbacks ----

  private fail(code: TransportErrorCode, message: string): void {
    this.terminate(new TransportError(code, message), { sendRst: false, userAbort: false });
  }

  private terminate(error: TransportError | undefined, how: { sendRst: boolean; userAbort: boolean }): void {
    if (this.current === 'CLOSED') return;
    if (how.sendRst) this.emitControl(this.seqOf(this.maxOff), TcpFlag.RST | TcpFlag.ACK);
    this.rtx.cancel();
    this.timeWaitTimer?.cancel();
    this.timeWaitTimer = undefined;
    this.outputTimer?.cancel();
    this.outputTimer = undefined;
    this.rcv.clear();
    this.ackNeeded = false;
    if (how.userAbort) this.callbacks.discardData();
    this.setState('CLOSED');
    this.notifyClose(error);
    if (!this.finished) {
      this.finished = true;
      this.callbacks.push({ kind: 'finished' });
    }
  }

  private notifyClose(error: TransportError | undefined): void {
    if (this.closeNotified) return;
    this.closeNotified = true;
    this.callbacks.push({ kind: 'close', error });
  }

  private setState(to: TcpState): void {
    const from = this.current;
    this.current = to;
    this.callbacks.push({ kind: 'state', from, to });
  }

  /**
   * Runs `step`, then every segment that arrived meanwhile, then the queued callbacks. A nested
   * call (the IP layer delivering synchronously from inside emit) runs its step in place; its
   * segment waits in the inbox for the outer loop.
   */
  private run(step: () => void): void {
    if (this.processing) {
      step();
      return;
    }
    this.processing = true;
    try {
      step();
      for (let next = this.inbox.shift(); next !== undefined; next = this.inbox.shift()) this.process(next);
    } finally {
      this.processing = false;
    }
    this.callbacks.flush();
  }
}
