import { Reader } from '../core/bytes/reader.js';
import { Writer } from '../core/bytes/writer.js';
import { DecodeError, DecodeErrorCode, InvalidArgumentError } from '../core/errors.js';
import { finishChecksum, fold, onesSum, pseudoHeaderSum } from './checksum.js';
import { IpProtocol } from './ipv4.js';
import type { Ipv4Address } from './address.js';

/** TCP header flag bits (RFC 9293 §3.1, RFC 3168 for ECE/CWR). */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

/** A TCP segment. `options` holds the raw option bytes (a multiple of 4); see tcp-options. */
export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** The 8 flag bits of byte 13; the 4 reserved bits of byte 12 are kept in `reserved`. */
  flags: number;
  reserved: number;
  window: number;
  urgent: number;
  options: Uint8Array;
  payload: Uint8Array;
}

const TCP_MIN_HEADER = 20;

export function tcpEncodedLength(s: TcpSegment): number {
  return TCP_MIN_HEADER + s.options.length + s.payload.length;
}

export function encodeTcp(s: TcpSegment, src: Ipv4Address, dst: Ipv4Address): Uint8Array {
  if (s.options.length % 4 !== 0 || s.options.length > 40) {
    throw new InvalidArgumentError(`TCP options must be a multiple of 4 bytes, at most 40 (got ${s.options.length})`);
  }
  const length = tcpEncodedLength(s);
  const headerLength = TCP_MIN_HEADER + s.options.length;
  const w = new Writer(length);
  w.u16(s.srcPort).u16(s.dstPort).u32(s.seq).u32(s.ack)
    .u8(((headerLength >>> 2) << 4) | (s.reserved & 0x0f))
    .u8(s.flags)
    .u16(s.window)
    .u16(0)
    .u16(s.urgent)
    .bytes(s.options)
    .bytes(s.payload);
  w.patch16(16, finishChecksum(onesSum(w.buf, 0, length, pseudoHeaderSum(src, dst, IpProtocol.Tcp, length))));
  return w.finish(length);
}

export function decodeTcp(buf: Uint8Array, src: Ipv4Address, dst: Ipv4Address, verifyChecksum = true): TcpSegment {
  const r = new Reader(buf);
  const srcPort = r.u16('TCP source port');
  const dstPort = r.u16('TCP destination port');
  const seq = r.u32('TCP sequence number');
  const ack = r.u32('TCP acknowledgment number');
  const offByte = r.u8('TCP data offset');
  const flags = r.u8('TCP flags');
  const window = r.u16('TCP window');
  const checksum = r.u16('TCP checksum');
  const urgent = r.u16('TCP urgent pointer');
  const headerLength = (offByte >>> 4) * 4;
  if (headerLength < TCP_MIN_HEADER || headerLength > buf.length) {
    throw new DecodeError(DecodeErrorCode.BadLength, `TCP data offset ${headerLength} does not fit ${buf.length} byte(s)`, 12);
  }
  const options = r.bytes(headerLength - TCP_MIN_HEADER, 'TCP options');
  if (verifyChecksum) {
    const sum = onesSum(buf, 0, buf.length, pseudoHeaderSum(src, dst, IpProtocol.Tcp, buf.length));
    if (fold(sum) !== 0xffff) throw new DecodeError(DecodeErrorCode.BadChecksum, `TCP checksum 0x${checksum.toString(16)} is wrong`, 16);
  }
  return { srcPort, dstPort, seq, ack, flags, reserved: offByte & 0x0f, window, urgent, options, payload: r.rest() };
}

/** TCP options (RFC 9293 §3.2, RFC 7323, RFC 2018); unknown kinds are kept as raw bytes. */
export type TcpOption =
  | { kind: 'eol' }
  | { kind: 'nop' }
  | { kind: 'mss'; mss: number }
  | { kind: 'window-scale'; shift: number }
  | { kind: 'sack-permitted' }
  | { kind: 'timestamps'; value: number; echo: number }
  | { kind: 'unknown'; type: number; data: Uint8Array };

const OptionKind = { EOL: 0, NOP: 1, MSS: 2, WindowScale: 3, SackPermitted: 4, Timestamps: 8 } as const;

function optionLength(o: TcpOption): number {
  switch (o.kind) {
    case 'eol': case 'nop': return 1;
    case 'mss': return 4;
    case 'window-scale': return 3;
    case 'sack-permitted': return 2;
    case 'timestamps': return 10;
    case 'unknown': return 2 + o.data.length;
  }
}

/** Encodes options and pads with EOL zeros to a multiple of 4 bytes. */
export function encodeTcpOptions(options: readonly TcpOption[]): Uint8Array {
  const raw = options.reduce((n, o) => n + optionLength(o), 0);
  const padded = (raw + 3) & ~3;
  const w = new Writer(padded);
  for (const o of options) {
    switch (o.kind) {
      case 'eol': w.u8(OptionKind.EOL); break;
      case 'nop': w.u8(OptionKind.NOP); break;
      case 'mss': w.u8(OptionKind.MSS).u8(4).u16(o.mss); break;
      case 'window-scale': w.u8(OptionKind.WindowScale).u8(3).u8(o.shift); break;
      case 'sack-permitted': w.u8(OptionKind.SackPermitted).u8(2); break;
      case 'timestamps': w.u8(OptionKind.Timestamps).u8(10).u32(o.value).u32(o.echo); break;
      case 'unknown': w.u8(o.type).u8(2 + o.data.length).bytes(o.data); break;
    }
  }
  w.zeros(padded - raw);
  return w.finish(padded);
}

/** Parses the option bytes up to EOL (what follows EOL is padding and is not returned). */
export function decodeTcpOptions(raw: Uint8Array): TcpOption[] {
  const r = new Reader(raw);
  const out: TcpOption[] = [];
  while (r.remaining > 0) {
    const kind = r.u8('TCP option kind');
    if (kind === OptionKind.EOL) {
      out.push({ kind: 'eol' });
      break;
    }
    if (kind === OptionKind.NOP) {
      out.push({ kind: 'nop' });
      continue;
    }
    const len = r.u8('TCP option length');
    if (len < 2) throw new DecodeError(DecodeErrorCode.BadLength, `TCP option ${kind} has length ${len} < 2`, r.offset - 1);
    const body = r.sub(len - 2, `TCP option ${kind}`);
    const expect = (n: number): void => {
      if (len !== n) throw new DecodeError(DecodeErrorCode.BadLength, `TCP option ${kind} has length ${len}, expected ${n}`, r.offset - len + 1);
    };
    switch (kind) {
      case OptionKind.MSS: expect(4); out.push({ kind: 'mss', mss: body.u16() }); break;
      case OptionKind.WindowScale: expect(3); out.push({ kind: 'window-scale', shift: body.u8() }); break;
      case OptionKind.SackPermitted: expect(2); out.push({ kind: 'sack-permitted' }); break;
      case OptionKind.Timestamps: expect(10); out.push({ kind: 'timestamps', value: body.u32(), echo: body.u32() }); break;
      default: out.push({ kind: 'unknown', type: kind, data: body.rest() });
    }
  }
  return out;
}

export function tcpMssOption(options: Uint8Array): number | undefined {
  for (const o of decodeTcpOptions(options)) if (o.kind === 'mss') return o.mss;
  return undefined;
}
