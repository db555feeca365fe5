import type { Clock, Timer } from '../core/clock.js';
import { finishChecksum, onesSum } from '../net/checksum.js';
import { ipv4Dst, ipv4HeaderLength, ipv4Protocol, ipv4Src, ipv4TotalLength } from '../net/ipv4.js';

/** Linux net.ipv4.ipfrag_time: how long a partial datagram waits for its missing fragments. */
export const REASSEMBLY_TIMEOUT_MS = 30_000;
/** The largest datagram reassembly will build (the IPv4 total-length limit). */
const MAX_DATAGRAM = 65535;

interface Partial {
  /** Payload pieces by byte offset. */
  pieces: Map<number, Uint8Array>;
  /** Header of the offset-0 fragment, once seen. */
  firstHeader: Uint8Array | undefined;
  firstFragment: Uint8Array | undefined;
  /** Payload length, known once the last fragment (MF=0) arrives. */
  length: number | undefined;
  timer: Timer;
}

/**
 * Reassembles IPv4 fragments addressed to a node (RFC 791 §3.2, RFC 815). Overlapping fragments
 * drop the whole datagram, as modern stacks do; a datagram not complete after 30 s is dropped and,
 * if its first fragment arrived, the sender gets ICMP time exceeded (fragment reassembly).
 */
export class Reassembler {
  private readonly partials = new Map<string, Partial>();
  private readonly clock: Clock;
  private readonly onTimeout: (firstFragment: Uint8Array) => void;

  constructor(clock: Clock, onTimeout: (firstFragment: Uint8Array) => void) {
    this.clock = clock;
    this.onTimeout = onTimeout;
  }

  /** Adds a fragment; returns the whole datagram when this fragment completes it. */
  add(fragment: Uint8Array): Uint8Array | undefined {
    const key = `${ipv4Src(fragment)}>${ipv4Dst(fragment)}/${ipv4Protocol(fragment)}#${(fragment[4]! << 8) | fragment[5]!}`;
    let partial = this.partials.get(key);
    if (partial === undefined) {
      partial = {
        pieces: new Map(), firstHeader: undefined, firstFragment: undefined, length: undefined,
        timer: this.clock.setTimer(REASSEMBLY_TIMEOUT_MS, () => this.expire(key)),
      };
      this.partials.set(key, partial);
    }
    const headerLength = ipv4HeaderLength(fragment);
    const payload = fragment.slice(headerLength, ipv4TotalLength(fragment));
    const offset = (((fragment[6]! & 0x1f) << 8) | fragment[7]!) * 8;
    const more = (fragment[6]! & 0x20) !== 0;
    const end = offset + payload.length;
    if (end + headerLength > MAX_DATAGRAM || (more && payload.length % 8 !== 0) || this.overlaps(partial, offset, end)) {
      this.discard(key, partial);
      return undefined;
    }
    partial.pieces.set(offset, payload);
    if (offset === 0) {
      partial.firstHeader = fragment.slice(0, headerLength);
      partial.firstFragment = fragment;
    }
    if (!more) partial.length = end;
    return this.complete(key, partial);
  }

  get pending(): number {
    return this.partials.size;
  }

  private overlaps(partial: Partial, start: number, end: number): boolean {
    if (partial.length !== undefined && end > partial.length) return true;
    for (const [o, p] of partial.pieces) {
      if (o === start && p.length === end - start) return false; // an exact duplicate is harmless
      if (start < o + p.length && o < end) return true;
    }
    return false;
  }

  private complete(key: string, partial: Partial): Uint8Array | undefined {
    if (partial.length === undefined || partial.firstHeader === undefined) return undefined;
    let covered = 0;
    const offsets = [...partial.pieces.keys()].sort((a, b) => a - b);
    for (const o of offsets) {
      if (o !== covered) return undefined;
      covered += partial.pieces.get(o)!.length;
    }
    if (covered !== partial.length) return undefined;
    const header = partial.firstHeader;
    const out = new Uint8Array(header.length + partial.length);
    out.set(header, 0);
    for (const o of offsets) out.set(partial.pieces.get(o)!, header.length + o);
    out[2] = out.length >>> 8;
    out[3] = out.length & 0xff;
    out[6] = header[6]! & 0x40; // keep DF, clear MF and the offset
    out[7] = 0;
    out[10] = 0;
    out[11] = 0;
    const checksum = finishChecksum(onesSum(out, 0, header.length));
    out[10] = checksum >>> 8;
    out[11] = checksum & 0xff;
    this.discard(key, partial);
    return out;
  }

  private expire(key: string): void {
    const partial = this.partials.get(key);
    if (partial === undefined) return;
    this.partials.delete(key);
    if (partial.firstFragment !== undefined) this.onTimeout(partial.firstFragment);
  }

  private discard(key: string, partial: Partial): void {
    partial.timer.cancel();
    this.partials.delete(key);
  }
}
