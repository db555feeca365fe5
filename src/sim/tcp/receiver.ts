import { ReassemblyQueue } from './reassembly.js';
import { seqAdd, seqDiff } from './seq.js';

/** The receive window we always advertise: data is handed to the application at once. */
export const TCP_RECEIVE_WINDOW = 65535;

/**
 * The receive half of a connection: RCV.NXT as a stream offset from the peer's initial sequence
 * number (offset 0 is its SYN), the acceptability test and in-order assembly of what arrives.
 */
export class Receiver {
  private irs = 0;
  private off = 0;
  private readonly reassembly = new ReassemblyQueue();

  /** The peer's SYN arrived with sequence number `irs`. */
  synchronize(irs: number): void {
    this.irs = irs;
    this.off = 1;
  }

  get initialSeq(): number {
    return this.irs;
  }

  /** RCV.NXT as an offset. */
  get next(): number {
    return this.off;
  }

  /** RCV.NXT on the wire: the ACK number we send. */
  get nextSeq(): number {
    return seqAdd(this.irs, this.off);
  }

  /** The stream offset of an incoming sequence number (interpreted near RCV.NXT). */
  offsetOf(seq: number): number {
    return this.off + seqDiff(seq, this.nextSeq);
  }

  /**
   * The RFC 9293 §3.10.7.4 acceptability test (RCV.WND is never 0); like Linux (tcp_sequence),
   * a zero-length segment right at the window's end is accepted too.
   */
  inWindow(segOff: number, segLen: number): boolean {
    const start = segOff - this.off;
    const inside = (x: number): boolean => x >= 0 && x < TCP_RECEIVE_WINDOW;
    return segLen === 0 ? start >= 0 && start <= TCP_RECEIVE_WINDOW : inside(start) || inside(start + segLen - 1);
  }

  /**
   * Takes the text of an acceptable segment starting at `segOff`: returns the bytes that now
   * continue the stream (from this segment and from reassembly) and whether the peer's FIN
   * follows them; RCV.NXT moves past both. Segments ahead of RCV.NXT wait for the gap to fill.
   */
  accept(segOff: number, payload: Uint8Array, finFlag: boolean): { chunks: Uint8Array[]; fin: boolean } {
    const none = { chunks: [], fin: false };
    let start = segOff;
    let data = payload;
    let fin = finFlag;
    if (start < this.off) {
      const end = start + data.length;
      if (end < this.off || (end === this.off && !fin)) return none;
      data = data.subarray(this.off - start);
      start = this.off;
    }
    const windowEnd = this.off + TCP_RECEIVE_WINDOW;
    if (start + data.length > windowEnd) {
      data = data.subarray(0, windowEnd - start);
      fin = false;
    }
    if (start > this.off) {
      this.reassembly.insert(start, data, fin);
      return none;
    }
    const chunks = data.length > 0 ? [data] : [];
    this.off += data.length;
    if (!fin) {
      const more = this.reassembly.take(this.off);
      chunks.push(...more.chunks);
      this.off = more.next;
      fin = more.fin;
    }
    if (fin) {
      this.off += 1;
      this.reassembly.clear();
    }
    return { chunks, fin };
  }

  clear(): void {
    this.reassembly.clear();
  }
}
