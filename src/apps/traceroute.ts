import type { Timer } from '../core/clock.js';
import type { Ipv4Address } from '../net/address.js';
import { IcmpType, parseQuotedDatagram, UnreachableCode, type IcmpMessage } from '../net/icmp.js';
import { IpProtocol } from '../net/ipv4.js';
import type { IpNode, LocalDelivery } from '../router/node.js';
import type { SimTransport } from '../sim/transport.js';

export type ProbeResult =
  | { kind: 'reply'; from: Ipv4Address; rttMs: number; /** ICMP type/code of the answer. */ icmpType: number; icmpCode: number; reached: boolean }
  | { kind: 'timeout' }
  | { kind: 'send-failed' };

export interface Hop {
  ttl: number;
  probes: ProbeResult[];
}

export type TracerouteStyle = 'linux' | 'windows';

export interface TracerouteOptions {
  style: TracerouteStyle;
  maxHops: number;
  probesPerHop: number;
  /** Per-probe wait: traceroute 5 s, tracert 4 s. */
  timeoutMs: number;
  identifier: number;
}

export const TRACEROUTE_DEFAULTS: Record<TracerouteStyle, Omit<TracerouteOptions, 'identifier'>> = {
  linux: { style: 'linux', maxHops: 30, probesPerHop: 3, timeoutMs: 5000 },
  windows: { style: 'windows', maxHops: 30, probesPerHop: 3, timeoutMs: 4000 },
};

/** traceroute's first UDP destination port (each probe uses the next). */
export const TRACEROUTE_BASE_PORT = 33434;
/** traceroute's default probe: 60-byte packets = 20 IP + 8 UDP + 32 data. */
const UDP_PROBE_DATA = 32;

/**
 * Traceroute on an emulated node: Linux traceroute's UDP probes to ports 33434+ (the end is an
 * ICMP port unreachable from the destination), or Windows tracert's ICMP echo requests (the end
 * is an echo reply). Probes go one at a time; each hop's TTL-exceeded answers name the routers.
 */
export class Traceroute {
  readonly hops: Hop[] = [];
  private readonly node: IpNode;
  private readonly transport: SimTransport;
  private readonly dst: Ipv4Address;
  private readonly options: TracerouteOptions;
  private readonly unsubscribe: () => void;
  private readonly onDone: (() => void) | undefined;
  private probeCount = 0;
  private current: { ttl: number; key: number; sentAt: number; timer: Timer } | undefined;
  private readonly srcPort: number;
  private finished = false;

  constructor(node: IpNode, transport: SimTransport, dst: Ipv4Address, options: TracerouteOptions, onDone?: () => void) {
    this.node = node;
    this.transport = transport;
    this.dst = dst;
    this.options = options;
    this.onDone = onDone;
    this.srcPort = transport.ephemeralPort(() => false);
    this.unsubscribe = node.addIcmpListener((m, d) => this.onIcmp(m, d));
    this.nextProbe();
  }

  get done(): boolean {
    return this.finished;
  }

  private nextProbe(): void {
    const hop = this.hops[this.hops.length - 1];
    if (hop === undefined || hop.probes.length >= this.options.probesPerHop) {
      if (hop !== undefined && (this.reachedEnd(hop) || hop.ttl >= this.options.maxHops)) return this.finish();
      this.hops.push({ ttl: (hop?.ttl ?? 0) + 1, probes: [] });
    }
    const ttl = this.hops[this.hops.length - 1]!.ttl;
    const n = this.probeCount++;
    const now = this.node.clock.now();
    let key: number;
    let ok: boolean;
    if (this.options.style === 'linux') {
      key = TRACEROUTE_BASE_PORT + n;
      this.transport.sendUdpProbe(this.dst, this.srcPort, key, new Uint8Array(UDP_PROBE_DATA).fill(0x40 + (n & 0x3f)), ttl);
      ok = true;
    } else {
      key = (n + 1) & 0xffff;
      const data = new Uint8Array(64);
      ok = this.node.sendIcmp(this.dst, { kind: 'echo-request', code: 0, identifier: this.options.identifier, sequence: key, data }, { ttl, dontFragment: false }).ok;
    }
    if (!ok) return this.record({ kind: 'send-failed' });
    const timer = this.node.clock.setTimer(this.options.timeoutMs, () => this.record({ kind: 'timeout' }));
    this.current = { ttl, key, sentAt: now, timer };
  }

  /** The end: the destination answered, or every probe of the hop met an unreachable. */
  private reachedEnd(hop: Hop): boolean {
    if (hop.probes.some((p) => p.kind === 'reply' && p.reached)) return true;
    return hop.probes.length > 0 && hop.probes.every((p) => p.kind === 'reply' && p.icmpType === IcmpType.DestinationUnreachable);
  }

  private onIcmp(message: IcmpMessage, delivery: LocalDelivery): void {
    const current = this.current;
    if (current === undefined) return;
    const from = delivery.packet.src;
    const rttMs = this.node.clock.now() - current.sentAt;
    if (message.kind === 'echo-reply') {
      if (this.options.style !== 'windows' || message.identifier !== this.options.identifier || message.sequence !== current.key) return;
      return this.record({ kind: 'reply', from, rttMs, icmpType: IcmpType.EchoReply, icmpCode: 0, reached: true });
    }
    if (message.kind !== 'time-exceeded' && message.kind !== 'destination-unreachable') return;
    const quoted = parseQuotedDatagram(message.original);
    if (quoted === undefined || quoted.dst !== this.dst || quoted.transport.length < 8) return;
    const matches = this.options.style === 'linux'
      ? quoted.protocol === IpProtocol.Udp && ((quoted.transport[2]! << 8) | quoted.transport[3]!) === current.key
      : quoted.protocol === IpProtocol.Icmp && ((quoted.transport[6]! << 8) | quoted.transport[7]!) === current.key;
    if (!matches) return;
    const icmpType = message.kind === 'time-exceeded' ? IcmpType.TimeExceeded : IcmpType.DestinationUnreachable;
    const reached = icmpType === IcmpType.DestinationUnreachable && message.code === UnreachableCode.Port && from === this.dst;
    this.record({ kind: 'reply', from, rttMs, icmpType, icmpCode: message.code, reached });
  }

  private record(result: ProbeResult): void {
    if (this.finished) return;
    this.current?.timer.cancel();
    this.current = undefined;
    this.hops[this.hops.length - 1]!.probes.push(result);
    // The next probe leaves after this event, as a real tool's loop would.
    this.node.clock.setTimer(0, () => this.nextProbe());
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.unsubscribe();
    this.onDone?.();
  }
}
