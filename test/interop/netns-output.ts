import { InteropError } from './daemon.js';

/* What the namespace tools print, parsed: tcpdump's `-nn -tt` lines and iputils ping's summary. */

export interface PingResult {
  transmitted: number;
  received: number;
  lossPercent: number;
  /** average round trip, if any reply came */
  rttAvgMs?: number;
  output: string;
}

/** One packet from a capture, classified from tcpdump's `-nn` text. */
export interface CapturedPacket {
  /** seconds since the epoch */
  time: number;
  family: 'ipv4' | 'ipv6' | 'arp' | 'other';
  proto?: 'udp' | 'tcp' | 'icmp' | 'esp' | 'other';
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  /** for UDP/4500: ESP in UDP (RFC 3948) or IKE behind the non-ESP marker */
  encap?: 'esp' | 'ike';
  line: string;
}

/** Parses tcpdump `-nn -tt` lines (see CapturedPacket). */
export function parseTcpdump(text: string): CapturedPacket[] {
  const packets: CapturedPacket[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+\.\d+) (IP6?|ARP|\S+),? (.*)$/.exec(line.trim());
    if (m === null) continue;
    const time = Number(m[1]);
    const rest = m[3]!;
    if (m[2] === 'ARP') {
      packets.push({ time, family: 'arp', line });
      continue;
    }
    if (m[2] !== 'IP' && m[2] !== 'IP6') {
      packets.push({ time, family: 'other', line });
      continue;
    }
    const family = m[2] === 'IP' ? 'ipv4' : 'ipv6';
    const ends = /^(\S+) > (\S+): (.*)$/.exec(rest);
    if (ends === null) {
      packets.push({ time, family, proto: 'other', line });
      continue;
    }
    const split = (end: string): { address: string; port?: number } => {
      const e = family === 'ipv4' ? /^(\d+\.\d+\.\d+\.\d+)(?:\.(\d+))?$/.exec(end) : /^(.*?)(?:\.(\d+))?$/.exec(end);
      return e === null ? { address: end } : { address: e[1]!, ...(e[2] !== undefined ? { port: Number(e[2]) } : {}) };
    };
    const src = split(ends[1]!);
    const dst = split(ends[2]!);
    const info = ends[3]!;
    const p: CapturedPacket = { time, family, src: src.address, dst: dst.address, line };
    if (src.port !== undefined && dst.port !== undefined) {
      p.sport = src.port;
      p.dport = dst.port;
      p.proto = /^Flags \[/.test(info) ? 'tcp' : 'udp';
      if (info.startsWith('UDP-encap: ESP')) p.encap = 'esp';
      else if (info.startsWith('NONESP-encap')) p.encap = 'ike';
    } else if (/^ICMP/.test(info)) {
      p.proto = 'icmp';
    } else if (/^ESP/.test(info)) {
      p.proto = 'esp';
    } else {
      p.proto = 'other';
    }
    packets.push(p);
  }
  return packets;
}

/** Parses the summary of iputils ping. */
export function parsePing(output: string): PingResult {
  const m = /(\d+) packets transmitted, (\d+) received.*?, ([\d.]+)% packet loss/.exec(output);
  if (m === null) throw new InteropError('INTEROP_UNPARSEABLE', `ping: no summary in:\n${output}`);
  const rtt = /= [\d.]+\/([\d.]+)\//.exec(output);
  return {
    transmitted: Number(m[1]),
    received: Number(m[2]),
    lossPercent: Number(m[3]),
    ...(rtt ? { rttAvgMs: Number(rtt[1]) } : {}),
    output,
  };
}
