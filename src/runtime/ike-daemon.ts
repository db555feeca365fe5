import type { IkeDaemonSettings } from '../ike/config/daemon-schema.js';
import type { IkeEngine } from '../ike/engine.js';
import { IpsecGateway } from '../ipsec/gateway.js';
import type { SecurityAssociationDatabase } from '../ipsec/sad.js';
import { formatIpv4, formatPrefix } from '../net/address.js';
import type { IpNode } from '../router/node.js';
import { Network, type SimNode } from '../emulator/network.js';
import { parseTopology } from '../platforms/load.js';
import type { Transport, TransportError } from '../transport/types.js';
import { NodeTransport, type NodeUdpSocket } from './node-transport.js';
import { CryptoRng, RealTimePump } from './realtime.js';

/**
 * `vpnlab ike run`: an IpsecGateway (vpnlab's IKEv2 engine and IPsec data plane) on real UDP
 * sockets (500 and 4500) and the wall clock, with the emulated LAN its tunnels lead to. The
 * gateway and the LAN's hosts are the simulator's own objects on one Scheduler that a
 * RealTimePump keeps in step with the wall clock; only the outer sockets are real.
 */
export class IkeDaemon {
  readonly gatewayPlane: IpsecGateway;
  readonly network: Network;
  readonly gateway: IpNode;
  readonly pump: RealTimePump;
  private readonly settings: IkeDaemonSettings;
  private readonly log: (line: string) => void;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private readonly udpSockets: NodeUdpSocket[] = [];

  constructor(settings: IkeDaemonSettings, log: (line: string) => void) {
    this.settings = settings;
    this.log = log;
    this.network = new Network(parseTopology(lanTopology(settings), '<lan>').topology);
    this.gateway = this.network.node('lan/gateway').ip;
    this.pump = new RealTimePump(this.network.scheduler);
    this.gatewayPlane = new IpsecGateway({
      node: this.gateway,
      transport: pumped(new NodeTransport(), this.pump, this.udpSockets),
      clock: this.network.scheduler,
      rng: new CryptoRng(),
      address: settings.address,
      peers: settings.peers,
      tunnels: settings.tunnels,
      engine: settings.engine,
      log,
    });
  }

  get engine(): IkeEngine {
    return this.gatewayPlane.engine;
  }

  get sad(): SecurityAssociationDatabase {
    return this.gatewayPlane.sad;
  }

  /**
   * Binds UDP 500 and 4500 and starts the connections that initiate. Rejects with TransportError
   * (ERR_ADDRESS_IN_USE, ERR_ADDRESS_NOT_LOCAL, ERR_PERMISSION_DENIED) when a port cannot be had;
   * whatever was sent by then is lost with the sockets.
   */
  async start(): Promise<void> {
    const lan = this.settings.lan;
    this.log(`IKE on ${formatIpv4(this.settings.address)}:500 and :4500; LAN ${formatIpv4(lan.gateway.address)}/${lan.gateway.prefix.length} with ${lan.hosts.map((h) => `${h.name} ${formatIpv4(h.address)}`).join(', ') || 'no hosts'}`);
    this.pump.run(() => this.gatewayPlane.start());
    this.keepAlive = setInterval(() => this.pump.catchUp(), 1000);
    try {
      await Promise.all(this.udpSockets.map((s) => s.whenBound()));
    } catch (e) {
      this.pump.stop();
      clearInterval(this.keepAlive);
      this.gatewayPlane.close();
      throw e;
    }
  }

  /** Deletes every IKE SA (INFORMATIONAL Delete), waits briefly for the answers, and closes. */
  async stop(graceMs = 500): Promise<void> {
    this.pump.run(() => this.gatewayPlane.terminateAll({ kind: 'daemon-stopping' }));
    await new Promise((r) => setTimeout(r, graceMs));
    this.pump.stop();
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
    this.gatewayPlane.close();
  }

  host(name: string): SimNode {
    return this.network.node(`lan/${name}`);
  }
}

/** A Transport whose events are handled inside the pump, at the current wall time; it keeps its UDP sockets in `udp`. */
function pumped(inner: NodeTransport, pump: RealTimePump, udp: NodeUdpSocket[]): Transport {
  return {
    bindUdp: (local, onDatagram) => {
      const socket = inner.bindUdp(local, (e) => pump.run(() => onDatagram(e)));
      udp.push(socket);
      return socket;
    },
    connectTcp: (options, handlers) => inner.connectTcp(options, {
      ...(handlers.onConnect !== undefined ? { onConnect: () => pump.run(() => handlers.onConnect!()) } : {}),
      ...(handlers.onData !== undefined ? { onData: (d: Uint8Array) => pump.run(() => handlers.onData!(d)) } : {}),
      ...(handlers.onEnd !== undefined ? { onEnd: () => pump.run(() => handlers.onEnd!()) } : {}),
      ...(handlers.onClose !== undefined ? { onClose: (e?: TransportError) => pump.run(() => handlers.onClose!(e)) } : {}),
    }),
    listenTcp: (local, onConnection) => inner.listenTcp(local, (s) => pump.run(() => onConnection(s))),
  };
}

/** The emulated LAN as a one-site topology: the gateway's LAN interface and the hosts. */
function lanTopology(settings: IkeDaemonSettings): string {
  const gw = settings.lan.gateway;
  const subnet = formatPrefix(gw.prefix);
  return JSON.stringify({
    name: 'ike-daemon-lan',
    sites: [{
      name: 'lan',
      platform: 'linux',
      addressSpace: [subnet],
      subnets: [{ name: 'lan', prefix: subnet }],
      hosts: settings.lan.hosts.map((h) => ({ name: h.name, os: h.os, subnet: 'lan', address: formatIpv4(h.address) })),
      routers: [{ name: 'gateway', interfaces: [{ name: 'eth0', subnet: 'lan', address: formatIpv4(gw.address) }] }],
    }],
  });
}
