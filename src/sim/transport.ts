import type { Rng } from '../core/rng.js';
import { formatIpv4, type Ipv4Address } from '../net/address.js';
import { IcmpType, UnreachableCode } from '../net/icmp.js';
import { encodeIpv4, IpProtocol } from '../net/ipv4.js';
import { decodeUdp, encodeUdp } from '../net/udp.js';
import type { IpNode, LocalDelivery } from '../router/node.js';
import {
  TransportError, type Endpoint, type TcpConnectOptions, type TcpListener, type TcpSocket, type TcpSocketHandlers,
  type Transport, type UdpDatagramEvent, type UdpSocket,
} from '../transport/types.js';
import { SimTcp } from './tcp/sim-tcp.js';

/** Ephemeral port ranges: Linux net.ipv4.ip_local_port_range, and Windows' dynamic range. */
const EPHEMERAL = { linux: [32768, 60999], windows: [49152, 65535] } as const;

interface UdpBinding {
  address: Ipv4Address | undefined;
  port: number;
  onDatagram: (event: UdpDatagramEvent) => void;
}

/**
 * The simulator's implementation of the Transport interface on one IpNode: UDP sockets with real
 * UDP datagrams, TCP through the SimTcp demultiplexer, and the ICMP port-unreachable a host sends
 * for a datagram nobody listens for (which is how UDP traceroute ends).
 */
export class SimTransport implements Transport {
  readonly node: IpNode;
  private readonly rng: Rng;
  private readonly udp = new Map<number, UdpBinding[]>();
  private readonly tcp: SimTcp;
  private readonly ephemeral: readonly [number, number];
  private nextEphemeral: number;

  constructor(node: IpNode, rng: Rng, os: 'windows' | 'linux') {
    this.node = node;
    this.rng = rng;
    this.ephemeral = EPHEMERAL[os];
    this.nextEphemeral = this.ephemeral[0] + rng.int(this.ephemeral[1] - this.ephemeral[0]);
    node.setProtocolHandler(IpProtocol.Udp, (d) => this.receiveUdp(d));
    this.tcp = new SimTcp(node, rng, () => this.ephemeralPort((p) => this.tcp.portInUse(p)));
  }

  /** An unused port from the OS's ephemeral range. */
  ephemeralPort(inUse: (port: number) => boolean): number {
    const [lo, hi] = this.ephemeral;
    for (let i = 0; i <= hi - lo; i++) {
      const port = this.nextEphemeral;
      this.nextEphemeral = port >= hi ? lo : port + 1;
      if (!inUse(port)) return port;
    }
    throw new TransportError('ERR_ADDRESS_IN_USE', `${this.node.name}: no free ephemeral port`);
  }

  bindUdp(local: { address?: Ipv4Address; port: number }, onDatagram: (event: UdpDatagramEvent) => void): UdpSocket {
    if (local.address !== undefined && !this.node.isLocalAddress(local.address)) {
      throw new TransportError('ERR_ADDRESS_NOT_LOCAL', `${formatIpv4(local.address)} is not an address of ${this.node.name}`);
    }
    const port = local.port === 0 ? this.ephemeralPort((p) => this.udp.has(p)) : local.port;
    const list = this.udp.get(port) ?? [];
    if (list.some((b) => b.address === local.address || b.address === undefined || local.address === undefined)) {
      throw new TransportError('ERR_ADDRESS_IN_USE', `UDP port ${port} is already bound on ${this.node.name}`);
    }
    const binding: UdpBinding = { address: local.address, port, onDatagram };
    list.push(binding);
    this.udp.set(port, list);
    const node = this.node;
    return {
      local: { address: local.address ?? 0, port },
      send: (remote: Endpoint, payload: Uint8Array) => {
        node.send(IpProtocol.Udp, remote.address, (src) => encodeUdp({ srcPort: port, dstPort: remote.port, payload }, src, remote.address),
          local.address !== undefined ? { src: local.address, dontFragment: false } : { dontFragment: false });
      },
      close: () => {
        const remaining = (this.udp.get(port) ?? []).filter((b) => b !== binding);
        if (remaining.length === 0) this.udp.delete(port);
        else this.udp.set(port, remaining);
      },
    };
  }

  /** Sends one UDP datagram from an ephemeral port with a chosen TTL (traceroute probes). */
  sendUdpProbe(dst: Ipv4Address, srcPort: number, dstPort: number, payload: Uint8Array, ttl: number): void {
    this.node.send(IpProtocol.Udp, dst, (src) => encodeUdp({ srcPort, dstPort, payload }, src, dst), { ttl, dontFragment: false });
  }

  connectTcp(options: TcpConnectOptions, handlers: TcpSocketHandlers): TcpSocket {
    return this.tcp.connect(options, handlers);
  }

  listenTcp(local: { address?: Ipv4Address; port: number }, onConnection: (socket: TcpSocket) => void): TcpListener {
    return this.tcp.listen(local, onConnection);
  }

  private receiveUdp(delivery: LocalDelivery): void {
    const p = delivery.packet;
    let datagram;
    try {
      datagram = decodeUdp(p.payload, p.src, p.dst);
    } catch {
      return;
    }
    const list = this.udp.get(datagram.dstPort);
    const binding = list?.find((b) => b.address === p.dst) ?? list?.find((b) => b.address === undefined);
    if (binding === undefined) {
      this.node.sendIcmpError(encodeIpv4(p), delivery.iface, IcmpType.DestinationUnreachable, UnreachableCode.Port);
      return;
    }
    binding.onDatagram({
      local: { address: p.dst, port: datagram.dstPort },
      remote: { address: p.src, port: datagram.srcPort },
      payload: datagram.payload,
    });
  }
}
