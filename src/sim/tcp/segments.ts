import { TcpFlag, type TcpSegment } from '../../net/tcp.js';
import { seqAdd } from './seq.js';

export const EMPTY = new Uint8Array(0);

export function has(segment: TcpSegment, flag: number): boolean {
  return (segment.flags & flag) !== 0;
}

/** Sequence space a segment occupies: its data plus one each for SYN and FIN. */
export function segmentLength(segment: TcpSegment): number {
  return segment.payload.length + (has(segment, TcpFlag.SYN) ? 1 : 0) + (has(segment, TcpFlag.FIN) ? 1 : 0);
}

/** A header-only segment (no options, no data). */
export function controlSegment(srcPort: number, dstPort: number, seq: number, ack: number, flags: number, window: number): TcpSegment {
  return { srcPort, dstPort, seq, ack, flags, reserved: 0, window, urgent: 0, options: EMPTY, payload: EMPTY };
}

/**
 * The reply to a segment that matches no connection or listener (RFC 9293 §3.10.7.1, "If the
 * state is CLOSED"): a RST the sender will find acceptable, or undefined when the segment is
 * itself a RST. With ACK: <SEQ=SEG.ACK><CTL=RST>; without: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
 */
export function resetFor(segment: TcpSegment): TcpSegment | undefined {
  if (has(segment, TcpFlag.RST)) return undefined;
  if (has(segment, TcpFlag.ACK)) return controlSegment(segment.dstPort, segment.srcPort, segment.ack, 0, TcpFlag.RST, 0);
  const ack = seqAdd(segment.seq, segmentLength(segment));
  return controlSegment(segment.dstPort, segment.srcPort, 0, ack, TcpFlag.RST | TcpFlag.ACK, 0);
}
