import type { IkeDaemonSettings } from '../ike/config/daemon-schema.js';
import { IkeEngine } from '../ike/engine.js';
import { ikeOverUdp4500, NAT_T_PORT } from '../esp/udp-encap.js';
import { EspSocket } from '../ipsec/esp-socket.js';
import { PolicyBasedIpsec } from '../ipsec/policy-based.js';
import { RouteBasedTunnel } from '../ipsec/route-based.js';
import { SecurityAssociationDatabase } from '../ipsec/sad.js';
import { formatIpv4, formatPrefix } from '../net/address.js';
import type { IpNode } from '../router/node.js';
import { Network, type SimNode } from '../sim/network.js';
import { parseTopology } from '../topology/load.js';
import type { UdpSocket } from '../transport/types.js';
import { NodeTransport } from './node-transport.js';
import { CryptoRng, RealTimePump } from './realtime.js';

/**
 * `vpnlab ike run`: vpnlab's IKEv2 engine and IPsec data plane on real UDP sockets (500 and 4500)
 * and the wall clock, with the emulated LAN its tunnels lead to. The engine, the SA database, the
 * tunnel interfaces and the LAN's hosts are the simulator's own objects on one Scheduler that a
 * RealTimePump keeps in step with the wall clock; only the outer sockets are real.
 */
export class IkeDaemon {
  readonly engine: IkeEngine;
  readonly sad: SecurityAssociationDatabase;
  readonly network: Network;
  readonly gateway: IpNode;
  readonly pump: RealTimePump;
  private readonly settings: IkeDaemonSettings;
  private readonly log: (line: string) => void;
  private readonly esp: EspSocket;
  private readonly transport = new NodeTransport();
  private sockets: { ike: UdpSocket; natT: UdpSocket } | undefined;
  private readonly tunnels: RouteBasedTunnel[] = [];
  private policies: PolicyBasedIpsec | undefined;
  private keepAlive: ReturnType<typeof setInterval> | undefined;

  constructor(settings: IkeDaemonSettings, log: (line: string) => void) {
    this.settings = settings;
    this.log = log;
    this.network = new Network(parseTopology(lanTopology(settings), '<lan>').topology);
    this.gateway = this.network.node('lan/gateway').ip;
    this.pump = new RealTimePump(this.network.scheduler);
    const rng = new CryptoRng();
    const clock = this.network.scheduler;
    this.sad = new SecurityAssociationDatabase({ clock, rng, onExpire: (e) => this.engine.expire(e.inboundSpi, e.level) });
    this.esp = new EspSocket({ node: this.gateway, sad: this.sad });
    this.engine = new IkeEngine({
      clock,
      rng,
      peers: settings.peers,
      send: (d) => this.sendIke(d.local.port, d.remote, d.payload),
      events: {
        log,
        childUp: (child) => {
          this.sad.install(child, child.deferOutbound === true ? { deferOutbound: true } : {});
        },
        childDown: (removal) => {
          this.sad.remove(removal);
        },
      },
    });
    this.buildTunnels();
  }

  private buildTunnels(): void {
    const policyTunnels = this.settings.tunnels.filter((t) => t.kind === 'policy');
    if (policyTunnels.length > 0) {
      this.policies = new PolicyBasedIpsec({
        node: this.gateway, sad: this.sad, socket: this.esp,
        onAcquire: (request) => this.engine.acquire(request.peer!, request.childName),
      });
    }
    for (const t of this.settings.tunnels) {
      const peer = this.settings.peers.find((p) => p.name === t.connection)!;
      const child = peer.children.find((c) => c.name === t.child)!;
      if (t.kind === 'route') {
        const name = `vti-${t.child}`;
        const onTraffic = child.startAction === 'trap' ? { onAcquire: () => this.engine.acquire(t.connection, t.child) } : {};
        this.tunnels.push(new RouteBasedTunnel({ node: this.gateway, sad: this.sad, socket: this.esp, childName: t.child, interfaceName: name, ...onTraffic }));
        for (const prefix of t.routes) {
          this.gateway.routes.add({ prefix, interface: name, source: 'static', origin: `route-based tunnel ${t.connection}/${t.child}` });
        }
        this.log(`tunnel interface ${name}: ${t.routes.map(formatPrefix).join(', ')} routed into ${t.connection}/${t.child}`);
      } else {
        this.policies!.addPolicy({ childName: t.child, peer: t.connection, localSelectors: child.localSelectors, remoteSelectors: child.remoteSelectors });
        for (const prefix of t.routes) {
          this.gateway.routes.add({ prefix, interface: this.policies!.iface.name, source: 'static', origin: `policy-based tunnel ${t.connection}/${t.child}` });
        }
        this.log(`IPsec policy ${t.connection}/${t.child}: ${t.routes.map(formatPrefix).join(', ')}`);
      }
    }
  }

  private sendIke(localPort: number, remote: { address: number; port: number }, payload: Uint8Array): void {
    if (this.sockets === undefined) return;
    if (localPort === NAT_T_PORT) this.sockets.natT.send(remote, ikeOverUdp4500(payload));
    else this.sockets.ike.send(remote, payload);
  }

  /** Binds UDP 500 and 4500, then starts the connections that initiate. Throws TransportError if a port is taken. */
  start(): void {
    const address = this.settings.address;
    const ike = this.transport.bindUdp({ address, port: 500 }, (e) => this.pump.run(() => this.engine.receive({ local: e.local, remote: e.remote, payload: e.payload })));
    const natT = this.transport.bindUdp({ address, port: NAT_T_PORT }, (e) => this.pump.run(() => {
      const verdict = this.esp.handleUdp4500(e);
      if (verdict.type === 'ike') this.engine.receive({ local: e.local, remote: e.remote, payload: verdict.message });
    }));
    this.esp.useUdpSocket(natT);
    this.sockets = { ike, natT };
    this.log(`IKE on ${formatIpv4(address)}:500 and :${NAT_T_PORT}; LAN ${formatIpv4(this.settings.lan.gateway.address)}/${this.settings.lan.gateway.prefix.length} with ${this.settings.lan.hosts.map((h) => `${h.name} ${formatIpv4(h.address)}`).join(', ') || 'no hosts'}`);
    this.pump.run(() => this.engine.start());
    this.keepAlive = setInterval(() => this.pump.catchUp(), 1000);
  }

  /** Deletes every IKE SA (INFORMATIONAL Delete), waits briefly for the answers, and closes. */
  async stop(graceMs = 500): Promise<void> {
    this.pump.run(() => {
      for (const p of this.settings.peers) this.engine.terminate(p.name, 'daemon stopping');
    });
    await new Promise((r) => setTimeout(r, graceMs));
    this.pump.stop();
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
    this.sockets?.ike.close();
    this.sockets?.natT.close();
    this.sockets = undefined;
  }

  host(name: string): SimNode {
    return this.network.node(`lan/${name}`);
  }
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
