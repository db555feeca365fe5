import type { Clock } from '../core/clock.js';
import { formatIpv4, prefixContains, broadcastOf, type Ipv4Address } from '../net/address.js';
import { decodeIcmp, encodeIcmp, IcmpType, quoteForIcmpError, TimeExceededCode, UnreachableCode, type IcmpMessage } from '../net/icmp.js';
import {
  decodeIpv4, decrementTtlInPlace, encodeIpv4, IpProtocol, ipv4Dst, ipv4Malformed, ipv4Src, type Ipv4Packet,
} from '../net/ipv4.js';
import { fragmentIpv4, isFragment } from '../net/fragment.js';
import { Interface, type InterfaceAddress, type InterfaceDriver, type TransmitResult } from './interface.js';
import { Reassembler } from './reassembly.js';
import { RouteTable, type Path } from './route-table.js';

/** Initial TTL by operating system, as the seeds' ping output shows (Windows 128, Linux 64). */
export const INITIAL_TTL = { windows: 128, linux: 64 } as const;
export type HostOs = keyof typeof INITIAL_TTL;

/** Why a node dropped a packet; counted per node and reported to trace listeners. */
export type DropReason =
  | 'node-down' | 'malformed' | 'ttl-exceeded' | 'no-route' | 'interface-down' | 'no-neighbor'
  | 'too-big' | 'not-forwarding' | 'no-listener' | 'filtered' | 'refused';

export interface NodeOptions {
  name: string;
  clock: Clock;
  /** Route packets not addressed to this node (routers and gateways) or drop them (hosts). */
  forwarding: boolean;
  initialTtl: number;
  /** Answer ICMP echo requests addressed to this node (default true). */
  answersPing?: boolean;
  /**
   * A cloud network's fabric (Azure's VNet routing, Alibaba's vRouter): forwards without
   * decrementing the TTL and drops what it cannot route without an ICMP error, as the real
   * platforms do (default false).
   */
  fabric?: boolean;
}

/** A packet delivered to this node, decoded once for the protocol handlers. */
export interface LocalDelivery {
  packet: Ipv4Packet;
  iface: Interface;
}

export type ProtocolHandler = (delivery: LocalDelivery) => void;
export type IcmpListener = (message: IcmpMessage, delivery: LocalDelivery) => void;

export interface SendOptions {
  src?: Ipv4Address;
  ttl?: number;
  tos?: number;
  dontFragment?: boolean;
}

export type SendResult = { ok: true } | { ok: false; reason: DropReason };

/**
 * Sees each packet the node is about to transmit, forwarded (after the TTL decrement; `inIface`
 * is where it arrived) or originated (`inIface` undefined), once a route for it exists: as in
 * Linux, where the XFRM policy lookup follows the route lookup, policy-based IPsec needs a route
 * (the default one will do). 'consumed' means the hook took the packet (encrypted it, or dropped
 * and counted it) and the node sends nothing.
 */
export type OutboundHook = (packet: Uint8Array, dst: Ipv4Address, inIface: Interface | undefined) => 'pass' | 'consumed';

/**
 * An IPv4 node: hosts (forwarding off) and routers/gateways (forwarding on) alike. It owns its
 * interfaces and route table, delivers packets addressed to it to protocol handlers (ICMP is
 * built in: echo replies and the listeners used by ping, traceroute and transports), and forwards
 * the rest: TTL decrement, longest-prefix match, ICMP time-exceeded and destination-unreachable
 * exactly where a real router sends them.
 */
export class IpNode {
  readonly name: string;
  readonly clock: Clock;
  readonly interfaces = new Map<string, Interface>();
  readonly routes: RouteTable;
  forwarding: boolean;
  initialTtl: number;
  answersPing: boolean;
  readonly fabric: boolean;
  /** Drops forwarded packets for which it returns true (a fault cutting one path, say). */
  forwardFilter: ((packet: Uint8Array) => boolean) | undefined;
  private isUp = true;
  private readonly local = new Set<Ipv4Address>();
  private readonly broadcasts = new Set<Ipv4Address>();
  private readonly handlers = new Map<number, ProtocolHandler>();
  private readonly icmpListeners = new Set<IcmpListener>();
  private readonly dropListeners: ((reason: DropReason, packet: Uint8Array) => void)[] = [];
  private nextId = 1;
  private outboundHook: OutboundHook | undefined;
  private readonly reassembler: Reassembler;
  readonly drops = new Map<DropReason, number>();
  forwarded = 0;

  constructor(options: NodeOptions) {
    this.name = options.name;
    this.clock = options.clock;
    this.forwarding = options.forwarding;
    this.initialTtl = options.initialTtl;
    this.answersPing = options.answersPing ?? true;
    this.fabric = options.fabric ?? false;
    this.routes = new RouteTable((n) => this.interfaces.get(n));
    this.handlers.set(IpProtocol.Icmp, (d) => this.receiveIcmp(d));
    this.reassembler = new Reassembler(this.clock, (first) => {
      const iface = [...this.interfaces.values()][0];
      if (iface !== undefined) this.sendIcmpError(first, iface, IcmpType.TimeExceeded, TimeExceededCode.FragmentReassembly);
    });
  }

  get up(): boolean {
    return this.isUp;
  }

  /** Powers the node off or on (fault injection). A down node neither sends nor receives. */
  setUp(up: boolean): void {
    this.isUp = up;
    this.routes.invalidate();
  }

  addInterface(name: string, addresses: InterfaceAddress[], mtu: number, driver?: InterfaceDriver): Interface {
    const iface = new Interface(name, addresses, mtu);
    iface.driver = driver;
    this.interfaces.set(name, iface);
    for (const a of addresses) {
      this.local.add(a.address);
      if (a.prefix.length < 31) this.broadcasts.add(broadcastOf(a.prefix));
      this.routes.add({ prefix: a.prefix, interface: name, source: 'connected' });
    }
    this.routes.invalidate();
    return iface;
  }

  /** Attaches (or replaces) what carries an interface's packets. */
  attach(name: string, driver: InterfaceDriver): void {
    const iface = this.interfaces.get(name);
    if (iface === undefined) throw new Error(`${this.name} has no interface ${name}`);
    iface.driver = driver;
    this.routes.invalidate();
  }

  isLocalAddress(address: Ipv4Address): boolean {
    return this.local.has(address);
  }

  addresses(): Ipv4Address[] {
    return [...this.local];
  }

  setProtocolHandler(protocol: number, handler: ProtocolHandler): void {
    this.handlers.set(protocol, handler);
  }

  /** Installs (or with undefined removes) the one outbound hook, e.g. an IPsec security policy database. */
  setOutboundHook(hook: OutboundHook | undefined): void {
    this.outboundHook = hook;
  }

  addIcmpListener(listener: IcmpListener): () => void {
    this.icmpListeners.add(listener);
    return () => this.icmpListeners.delete(listener);
  }

  onDrop(listener: (reason: DropReason, packet: Uint8Array) => void): void {
    this.dropListeners.push(listener);
  }

  /** A packet arrives on `iface` from its medium. */
  receive(iface: Interface, packet: Uint8Array): void {
    if (!this.isUp || !iface.adminUp) return this.drop('node-down', packet);
    iface.counters.rxPackets++;
    iface.counters.rxBytes += packet.length;
    if (ipv4Malformed(packet) !== undefined) return this.drop('malformed', packet);
    const dst = ipv4Dst(packet);
    if (this.local.has(dst) || this.broadcasts.has(dst) || dst === 0xffffffff) {
      this.deliverLocal(iface, packet);
      return;
    }
    if (!this.forwarding) return this.drop('not-forwarding', packet);
    if (this.forwardFilter?.(packet) === true) return this.drop('filtered', packet);
    this.forward(iface, packet, dst);
  }

  private forward(inIface: Interface, packet: Uint8Array, dst: Ipv4Address): void {
    if (!this.fabric && packet[8]! <= 1) {
      this.sendIcmpError(packet, inIface, IcmpType.TimeExceeded, TimeExceededCode.TtlInTransit);
      return this.drop('ttl-exceeded', packet);
    }
    const entry = this.routes.lookup(dst);
    if (entry === undefined) {
      this.sendIcmpError(packet, inIface, IcmpType.DestinationUnreachable, UnreachableCode.Net);
      return this.drop('no-route', packet);
    }
    if (!this.fabric) decrementTtlInPlace(packet);
    if (this.outboundHook !== undefined && this.outboundHook(packet, dst, inIface) === 'consumed') return;
    const path = entry.paths.length === 1 ? entry.paths[0]! : pickPath(entry.paths, packet);
    const result = this.transmitOn(path, packet, dst);
    if (result === 'sent') {
      this.forwarded++;
      return;
    }
    if (result === 'too-big') {
      this.sendIcmpError(packet, inIface, IcmpType.DestinationUnreachable, UnreachableCode.FragmentationNeeded, path.iface.mtu);
    } else if (result !== 'refused') {
      this.sendIcmpError(packet, inIface, IcmpType.DestinationUnreachable, UnreachableCode.Host);
    }
    this.drop(result === 'down' ? 'interface-down' : result, packet);
  }

  private transmitOn(path: Path, packet: Uint8Array, dst: Ipv4Address): TransmitResult {
    const iface = path.iface;
    if (!iface.isUp()) return 'down';
    const nextHop = path.nextHop ?? (isOnLink(iface, dst) ? dst : undefined);
    if (packet.length <= iface.mtu) return this.transmitOne(iface, packet, nextHop);
    if ((packet[6]! & 0x40) !== 0) return 'too-big';
    const fragments = fragmentIpv4(packet, iface.mtu);
    if (fragments.length === 0) return 'too-big';
    let result: TransmitResult = 'sent';
    for (const fragment of fragments) {
      const r = this.transmitOne(iface, fragment, nextHop);
      if (r !== 'sent') result = r;
    }
    return result;
  }

  private transmitOne(iface: Interface, packet: Uint8Array, nextHop: Ipv4Address | undefined): TransmitResult {
    const result = iface.driver!.transmit(packet, nextHop);
    if (result === 'sent') {
      iface.counters.txPackets++;
      iface.counters.txBytes += packet.length;
    } else {
      iface.counters.txDropped++;
    }
    return result;
  }

  /**
   * Originates a datagram from this node. The source defaults to the egress interface's address
   * (or the node's first address when the egress is unnumbered, e.g. a route-based tunnel).
   */
  send(protocol: number, dst: Ipv4Address, payload: Uint8Array | ((src: Ipv4Address) => Uint8Array), options: SendOptions = {}): SendResult {
    if (!this.isUp) return { ok: false, reason: 'node-down' };
    const local = this.local.has(dst);
    const entry = local ? undefined : this.routes.lookup(dst);
    if (!local && entry === undefined) return { ok: false, reason: 'no-route' };
    const path = entry === undefined ? undefined : entry.paths[0]!;
    const src = options.src ?? (path === undefined ? dst : this.sourceFor(path.iface));
    const body = typeof payload === 'function' ? payload(src) : payload;
    const bytes = encodeIpv4({
      tos: options.tos ?? 0,
      identification: this.nextIdentification(),
      dontFragment: options.dontFragment ?? true,
      moreFragments: false,
      fragmentOffset: 0,
      ttl: options.ttl ?? this.initialTtl,
      protocol, src, dst,
      options: new Uint8Array(0),
      payload: body,
    });
    if (path === undefined) {
      // Addressed to ourselves: loop back, after the current event, as a kernel would.
      const lo = [...this.interfaces.values()][0]!;
      this.clock.setTimer(0, () => this.deliverLocal(lo, bytes));
      return { ok: true };
    }
    if (this.outboundHook !== undefined && this.outboundHook(bytes, dst, undefined) === 'consumed') return { ok: true };
    const chosen = entry!.paths.length === 1 ? path : pickPath(entry!.paths, bytes);
    const result = this.transmitOn(chosen, bytes, dst);
    if (result === 'sent') return { ok: true };
    const reason: DropReason = result === 'down' ? 'interface-down' : result;
    this.drop(reason, bytes);
    return { ok: false, reason };
  }

  /** The source address this node uses for packets leaving through `iface`. */
  sourceFor(iface: Interface): Ipv4Address {
    const own = iface.primaryAddress ?? iface.unnumberedSource;
    if (own !== undefined) return own;
    for (const other of this.interfaces.values()) if (other.primaryAddress !== undefined) return other.primaryAddress;
    return 0;
  }

  /** The address this node would use to reach `dst`, or undefined when it has no route. */
  sourceAddressTo(dst: Ipv4Address): Ipv4Address | undefined {
    if (this.local.has(dst)) return dst;
    const entry = this.routes.lookup(dst);
    return entry === undefined ? undefined : this.sourceFor(entry.paths[0]!.iface);
  }

  sendIcmp(dst: Ipv4Address, message: IcmpMessage, options: SendOptions = {}): SendResult {
    return this.send(IpProtocol.Icmp, dst, encodeIcmp(message), options);
  }

  private nextIdentification(): number {
    const id = this.nextId;
    this.nextId = (this.nextId + 1) & 0xffff;
    return id;
  }

  private deliverLocal(iface: Interface, received: Uint8Array): void {
    const packet = isFragment(received) ? this.reassembler.add(received) : received;
    if (packet === undefined) return;
    let decoded: Ipv4Packet;
    try {
      decoded = decodeIpv4(packet);
    } catch {
      return this.drop('malformed', packet);
    }
    const handler = this.handlers.get(decoded.protocol);
    if (handler === undefined) {
      this.sendIcmpError(packet, iface, IcmpType.DestinationUnreachable, UnreachableCode.Protocol);
      return this.drop('no-listener', packet);
    }
    handler({ packet: decoded, iface });
  }

  private receiveIcmp(delivery: LocalDelivery): void {
    let message: IcmpMessage;
    try {
      message = decodeIcmp(delivery.packet.payload);
    } catch {
      return this.drop('malformed', encodeIpv4(delivery.packet));
    }
    if (message.kind === 'echo-request') {
      if (!this.answersPing) return;
      const p = delivery.packet;
      // Reply from the address that was pinged (not a broadcast), to the sender.
      const src = this.local.has(p.dst) ? p.dst : undefined;
      // Like Linux's ICMP socket (IP_PMTUDISC_DONT), replies go without DF and may be fragmented.
      this.sendIcmp(p.src, { kind: 'echo-reply', code: 0, identifier: message.identifier, sequence: message.sequence, data: message.data },
        src === undefined ? { dontFragment: false } : { src, dontFragment: false });
      return;
    }
    for (const listener of [...this.icmpListeners]) listener(message, delivery);
  }

  /**
   * Sends an ICMP error about `offending` back to its source (RFC 1812 §4.3.2.7): never about an
   * ICMP error, a broadcast, a non-initial fragment or a packet from an unspecified source. The
   * error's source is this node's address on the interface the error leaves by.
   */
  sendIcmpError(offending: Uint8Array, inIface: Interface, type: number, code: number, nextHopMtu = 0): void {
    if (this.fabric) return;
    const src = ipv4Src(offending);
    if (src === 0 || src === 0xffffffff || this.broadcasts.has(ipv4Dst(offending))) return;
    if (((offending[6]! & 0x1f) | offending[7]!) !== 0) return;
    if (offending[9] === IpProtocol.Icmp) {
      const headerLength = (offending[0]! & 0x0f) * 4;
      const icmpType = offending[headerLength];
      if (icmpType !== IcmpType.EchoRequest && icmpType !== IcmpType.EchoReply) return;
    }
    const original = quoteForIcmpError(offending);
    const message: IcmpMessage = type === IcmpType.TimeExceeded
      ? { kind: 'time-exceeded', code, unused: 0, original }
      : { kind: 'destination-unreachable', code, unused: 0, nextHopMtu, original };
    const back = this.routes.lookup(src);
    const from = back !== undefined ? this.sourceFor(back.paths[0]!.iface) : inIface.primaryAddress ?? this.sourceFor(inIface);
    this.sendIcmp(src, message, { src: from, dontFragment: false });
  }

  private drop(reason: DropReason, packet: Uint8Array): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    for (const l of this.dropListeners) l(reason, packet);
  }

  toString(): string {
    return `${this.name} [${this.addresses().map(formatIpv4).join(', ')}]`;
  }
}

function isOnLink(iface: Interface, dst: Ipv4Address): boolean {
  for (const a of iface.addresses) if (prefixContains(a.prefix, dst)) return true;
  return false;
}

/** Equal-cost multipath: a flow (addresses, protocol, ports) always takes the same path. */
function pickPath(paths: Path[], packet: Uint8Array): Path {
  const headerLength = (packet[0]! & 0x0f) * 4;
  let h = 0x811c9dc5;
  const mixRange = (from: number, to: number): void => {
    for (let i = from; i < to && i < packet.length; i++) h = Math.imul(h ^ packet[i]!, 0x01000193);
  };
  mixRange(9, 10);
  mixRange(12, 20);
  if (packet[9] === IpProtocol.Tcp || packet[9] === IpProtocol.Udp) mixRange(headerLength, headerLength + 4);
  return paths[(h >>> 0) % paths.length]!;
}
