import type { Rng } from '../../core/rng.js';
import { formatIpv4, type Ipv4Address } from '../../net/address.js';
import { parseQuotedDatagram, type IcmpMessage } from '../../net/icmp.js';
import { IpProtocol } from '../../net/ipv4.js';
import { decodeTcp, encodeTcp, TcpFlag, type TcpSegment } from '../../net/tcp.js';
import type { IpNode, LocalDelivery } from '../../router/node.js';
import {
  TransportError, type Endpoint, type TcpConnectOptions, type TcpListener, type TcpSocket, type TcpSocketHandlers,
} from '../../transport/types.js';
import { resetFor, TcpConnection, type TcpConnectionOptions } from './connection.js';

interface Listening {
  address: Ipv4Address | undefined;
  port: number;
  onConnection: (socket: TcpSocket) => void;
}

/** IPv4 header (20) + TCP header (20): MSS = MTU - 40. */
const TCP_IP_OVERHEAD = 40;

function key(localAddress: Ipv4Address, localPort: number, remoteAddress: Ipv4Address, remotePort: number): string {
  return `${localAddress}:${localPort}>${remoteAddress}:${remotePort}`;
}

/**
 * TCP on one emulated node: demultiplexes segments to connections by 4-tuple, accepts SYNs on
 * listening ports, answers everything else with RST (RFC 9293 §3.10.7.1), and carries every
 * segment as a real IPv4 packet with a real checksum through the node's data plane.
 */
export class SimTcp {
  private readonly node: IpNode;
  private readonly rng: Rng;
  private readonly allocatePort: () => number;
  private readonly connections = new Map<string, TcpConnection>();
  private readonly listeners: Listening[] = [];

  constructor(node: IpNode, rng: Rng, allocatePort: () => number) {
    this.node = node;
    this.rng = rng;
    this.allocatePort = allocatePort;
    node.setProtocolHandler(IpProtocol.Tcp, (d) => this.receive(d));
    node.addIcmpListener((m, d) => this.icmpError(m, d));
  }

  portInUse(port: number): boolean {
    if (this.listeners.some((l) => l.port === port)) return true;
    for (const k of this.connections.keys()) if (k.split('>')[0]!.endsWith(`:${port}`)) return true;
    return false;
  }

  connect(options: TcpConnectOptions, handlers: TcpSocketHandlers): TcpSocket {
    const remote = options.remote;
    const localAddress = options.localAddress ?? this.node.sourceAddressTo(remote.address);
    if (localAddress === undefined) {
      throw new TransportError('ERR_NET_UNREACHABLE', `${this.node.name}: no route to ${formatIpv4(remote.address)}`);
    }
    if (!this.node.isLocalAddress(localAddress)) {
      throw new TransportError('ERR_ADDRESS_NOT_LOCAL', `${formatIpv4(localAddress)} is not an address of ${this.node.name}`);
    }
    const localPort = options.localPort ?? this.allocatePort();
    const k = key(localAddress, localPort, remote.address, remote.port);
    if (this.connections.has(k)) throw new TransportError('ERR_ADDRESS_IN_USE', `connection ${k} already exists`);
    const conn = TcpConnection.connect(this.options(localAddress, localPort, remote, k, handlers));
    this.connections.set(k, conn);
    return socketOf(conn, { address: localAddress, port: localPort }, remote);
  }

  listen(local: { address?: Ipv4Address; port: number }, onConnection: (socket: TcpSocket) => void): TcpListener {
    if (this.listeners.some((l) => l.port === local.port && (l.address === local.address || l.address === undefined || local.address === undefined))) {
      throw new TransportError('ERR_ADDRESS_IN_USE', `TCP port ${local.port} is already listening on ${this.node.name}`);
    }
    const entry: Listening = { address: local.address, port: local.port, onConnection };
    this.listeners.push(entry);
    return {
      local: { address: local.address ?? 0, port: local.port },
      close: () => {
        const i = this.listeners.indexOf(entry);
        if (i >= 0) this.listeners.splice(i, 1);
      },
    };
  }

  private options(localAddress: Ipv4Address, localPort: number, remote: Endpoint, k: string, handlers?: TcpSocketHandlers): TcpConnectionOptions {
    const mtu = this.mtuTowards(remote.address);
    const options: TcpConnectionOptions = {
      clock: this.node.clock,
      rng: this.rng,
      localAddress, localPort,
      remoteAddress: remote.address, remotePort: remote.port,
      mss: mtu - TCP_IP_OVERHEAD,
      emit: (segment) => this.emit(localAddress, remote.address, segment),
      onFinished: () => {
        this.connections.delete(k);
      },
    };
    if (handlers !== undefined) options.handlers = handlers;
    return options;
  }

  private mtuTowards(address: Ipv4Address): number {
    const entry = this.node.routes.lookup(address);
    return entry?.paths[0]?.iface.mtu ?? 1500;
  }

  private emit(src: Ipv4Address, dst: Ipv4Address, segment: TcpSegment): void {
    this.node.send(IpProtocol.Tcp, dst, encodeTcp(segment, src, dst), { src });
  }

  private receive(delivery: LocalDelivery): void {
    const p = delivery.packet;
    let segment: TcpSegment;
    try {
      segment = decodeTcp(p.payload, p.src, p.dst);
    } catch {
      return; // a corrupt segment is dropped silently, as by a real stack
    }
    const k = key(p.dst, segment.dstPort, p.src, segment.srcPort);
    const conn = this.connections.get(k);
    if (conn !== undefined) {
      conn.receive(segment);
      return;
    }
    const isPureSyn = (segment.flags & (TcpFlag.SYN | TcpFlag.ACK | TcpFlag.RST)) === TcpFlag.SYN;
    const listener = isPureSyn
      ? this.listeners.find((l) => l.port === segment.dstPort && (l.address === undefined || l.address === p.dst))
      : undefined;
    if (listener === undefined) {
      const rst = resetFor(segment);
      if (rst !== undefined) this.emit(p.dst, p.src, rst);
      return;
    }
    const conn2 = TcpConnection.accept(this.options(p.dst, segment.dstPort, { address: p.src, port: segment.srcPort }, k), segment);
    this.connections.set(k, conn2);
    listener.onConnection(socketOf(conn2, { address: p.dst, port: segment.dstPort }, { address: p.src, port: segment.srcPort }));
  }

  /** ICMP unreachable quoting one of our segments is reported to its connection (RFC 1122 §4.2.3.9). */
  private icmpError(message: IcmpMessage, _delivery: LocalDelivery): void {
    if (message.kind !== 'destination-unreachable') return;
    const quoted = parseQuotedDatagram(message.original);
    if (quoted === undefined || quoted.protocol !== IpProtocol.Tcp || quoted.transport.length < 4) return;
    const srcPort = (quoted.transport[0]! << 8) | quoted.transport[1]!;
    const dstPort = (quoted.transport[2]! << 8) | quoted.transport[3]!;
    const conn = this.connections.get(key(quoted.src, srcPort, quoted.dst, dstPort));
    conn?.icmpError?.(message.code === 0 ? 'ERR_NET_UNREACHABLE' : 'ERR_HOST_UNREACHABLE');
  }
}

function socketOf(conn: TcpConnection, local: Endpoint, remote: Endpoint): TcpSocket {
  return {
    local, remote,
    setHandlers: (h) => conn.setHandlers(h),
    write: (data) => conn.write(data),
    end: () => conn.end(),
    destroy: () => conn.destroy(),
  };
}

