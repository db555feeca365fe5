import type { Rng } from '../core/rng.js';
import type { Ipv4Address } from '../net/address.js';
import type { Interface, InterfaceDriver, TransmitResult } from '../router/interface.js';
import type { IpNode } from '../router/node.js';
import type { Scheduler } from './scheduler.js';

export interface LinkOptions {
  name: string;
  /** One-way propagation delay, ms. */
  latencyMs: number;
  /** Each packet's delay varies uniformly within ±jitter ms (never below zero, never reordered). */
  jitterMs: number;
  /** Probability in [0, 1] that a packet is lost. */
  loss: number;
  /** Serialisation rate in bits per second; undefined = infinitely fast. */
  bandwidthBps?: number;
}

/** Something that watches packets put onto a link (packet capture). */
export type LinkTap = (timeMs: number, packet: Uint8Array, from: LinkPort) => void;

interface Delivery {
  port: LinkPort;
  packet: Uint8Array;
}

/**
 * A link: a broadcast segment (a subnet's LAN) or a point-to-point wire between two interfaces.
 * Next hops are resolved by address among the attached interfaces, as ARP would; a next hop that
 * no interface owns is "no-neighbor". Packets are delayed by latency ± jitter, kept in order per
 * sender, lost with the configured probability, and dropped if the link goes down in flight.
 */
export class Link {
  readonly name: string;
  latencyMs: number;
  jitterMs: number;
  loss: number;
  bandwidthBps: number | undefined;
  readonly ports: LinkPort[] = [];
  private readonly scheduler: Scheduler;
  private readonly rng: Rng;
  private isUp = true;
  private readonly taps: LinkTap[] = [];
  private neighbors: Map<Ipv4Address, LinkPort> | undefined;
  readonly counters = { packets: 0, bytes: 0, lost: 0, droppedDown: 0 };

  constructor(options: LinkOptions, scheduler: Scheduler, rng: Rng) {
    this.name = options.name;
    this.latencyMs = options.latencyMs;
    this.jitterMs = options.jitterMs;
    this.loss = options.loss;
    this.bandwidthBps = options.bandwidthBps;
    this.scheduler = scheduler;
    this.rng = rng;
  }

  get up(): boolean {
    return this.isUp;
  }

  /** Cuts or restores the link; the attached nodes see carrier change and recompute routes. */
  setUp(up: boolean): void {
    if (this.isUp === up) return;
    this.isUp = up;
    for (const port of this.ports) port.node.routes.invalidate();
  }

  attach(node: IpNode, iface: Interface): LinkPort {
    const port = new LinkPort(this, node, iface);
    this.ports.push(port);
    iface.driver = port;
    this.neighbors = undefined;
    node.routes.invalidate();
    return port;
  }

  addTap(tap: LinkTap): () => void {
    this.taps.push(tap);
    return () => {
      const i = this.taps.indexOf(tap);
      if (i >= 0) this.taps.splice(i, 1);
    };
  }

  private resolve(from: LinkPort, nextHop: Ipv4Address | undefined): LinkPort | undefined {
    if (nextHop === undefined) {
      // A route by interface only: on a point-to-point link, the other end.
      return this.ports.length === 2 ? this.ports.find((p) => p !== from) : undefined;
    }
    if (this.neighbors === undefined) {
      this.neighbors = new Map();
      for (const p of this.ports) for (const a of p.iface.addresses) this.neighbors.set(a.address, p);
    }
    const port = this.neighbors.get(nextHop);
    if (port !== undefined) return port === from ? undefined : port;
    // An unnumbered far end of a point-to-point link answers for every address (proxy ARP), as the
    // emulated Internet's access routers do.
    const other = this.ports.length === 2 ? this.ports.find((p) => p !== from) : undefined;
    return other !== undefined && other.iface.addresses.length === 0 ? other : undefined;
  }

  /** @internal called by LinkPort */
  send(from: LinkPort, packet: Uint8Array, nextHop: Ipv4Address | undefined): TransmitResult {
    if (!this.isUp) return 'down';
    const to = this.resolve(from, nextHop);
    if (to === undefined || !to.node.up || !to.iface.adminUp) return 'no-neighbor';
    const now = this.scheduler.now();
    for (let i = 0; i < this.taps.length; i++) this.taps[i]!(now, packet, from);
    this.counters.packets++;
    this.counters.bytes += packet.length;
    if (this.loss > 0 && this.rng.next() < this.loss) {
      this.counters.lost++;
      return 'sent';
    }
    let departs = now;
    if (this.bandwidthBps !== undefined) {
      departs = Math.max(now, from.busyUntil) + (packet.length * 8 * 1000) / this.bandwidthBps;
      from.busyUntil = departs;
    }
    let arrives = departs + this.latencyMs;
    if (this.jitterMs > 0) arrives = Math.max(departs, arrives + (this.rng.next() * 2 - 1) * this.jitterMs);
    if (arrives < from.lastArrival) arrives = from.lastArrival;
    from.lastArrival = arrives;
    this.scheduler.at<Delivery>(arrives, deliver, { port: to, packet });
    return 'sent';
  }

  /** @internal */
  arrive(port: LinkPort, packet: Uint8Array): void {
    if (!this.isUp) {
      this.counters.droppedDown++;
      return;
    }
    port.node.receive(port.iface, packet);
  }
}

function deliver(d: Delivery): void {
  d.port.link.arrive(d.port, d.packet);
}

/** One interface's attachment to a link: the interface's driver. */
export class LinkPort implements InterfaceDriver {
  readonly link: Link;
  readonly node: IpNode;
  readonly iface: Interface;
  /** When the last packet sent from this port arrives (keeps each sender's packets in order). */
  lastArrival = 0;
  /** When this port's transmitter is free again (bandwidth-limited links). */
  busyUntil = 0;

  constructor(link: Link, node: IpNode, iface: Interface) {
    this.link = link;
    this.node = node;
    this.iface = iface;
  }

  transmit(packet: Uint8Array, nextHop: Ipv4Address | undefined): TransmitResult {
    return this.link.send(this, packet, nextHop);
  }

  carrierUp(): boolean {
    return this.link.up;
  }
}
