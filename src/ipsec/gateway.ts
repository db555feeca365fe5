import type { Clock } from '../core/clock.js';
import type { Rng } from '../core/rng.js';
import { ikeOverUdp4500, NAT_T_PORT } from '../esp/udp-encap.js';
import type { EngineConfig, PeerConfig, TunnelSpec } from '../ike/config.js';
import { IkeEngine, type IkeEngineEvents } from '../ike/engine.js';
import type { IkeSaReason } from '../ike/reasons.js';
import { formatPrefix, type Ipv4Address } from '../net/address.js';
import type { IpNode } from '../router/node.js';
import type { Transport, UdpSocket } from '../transport/types.js';
import { EspSocket } from './esp-socket.js';
import { PolicyBasedIpsec } from './policy-based.js';
import { RouteBasedTunnel } from './route-based.js';
import { SecurityAssociationDatabase } from './sad.js';

/*
 * One IPsec gateway: the IKE engine on UDP 500 and 4500, the SA database, the ESP socket and the
 * tunnels of its children, wired together on one node. The same object runs a gateway of the
 * emulator (SimTransport, the simulation's clock) and `vpnlab ike run` (real sockets, a clock the
 * wall clock drives).
 */

export interface IpsecGatewayOptions {
  readonly node: IpNode;
  readonly transport: Transport;
  readonly clock: Clock;
  /** Cryptographic randomness: SPIs, nonces, D-H keys, IVs. */
  readonly rng: Rng;
  /**
   * The public address IKE binds on; it binds each peer's local address too (an RRAS S2S interface
   * with its own SourceIpAddress), and answers and dials each peer from that address.
   */
  readonly address: Ipv4Address;
  readonly peers: readonly PeerConfig[];
  readonly tunnels: readonly TunnelSpec[];
  readonly log?: (line: string) => void;
  readonly events?: Omit<IkeEngineEvents, 'log'>;
  /** Engine-wide settings (the IKE_SA_INIT flood limits); the engine's defaults otherwise. */
  readonly engine?: Partial<EngineConfig>;
}

export class IpsecGateway {
  readonly engine: IkeEngine;
  readonly sad: SecurityAssociationDatabase;
  readonly esp: EspSocket;
  readonly tunnels: RouteBasedTunnel[] = [];
  readonly policies: PolicyBasedIpsec | undefined;
  private readonly options: IpsecGatewayOptions;
  /** UDP 500 and 4500 per local address IKE speaks from; the first is `address`'s. */
  private sockets: Map<Ipv4Address, { ike: UdpSocket; natT: UdpSocket }> | undefined;

  constructor(options: IpsecGatewayOptions) {
    this.options = options;
    const { node, clock, rng } = options;
    this.sad = new SecurityAssociationDatabase({ clock, rng, onExpire: (e) => this.engine.expire(e.inboundSpi, e.level) });
    this.esp = new EspSocket({ node, sad: this.sad });
    const events = options.events ?? {};
    this.engine = new IkeEngine({
      clock,
      rng,
      peers: options.peers,
      ...(options.engine !== undefined ? { config: options.engine } : {}),
      send: (d) => this.sendIke(d.local, d.remote, d.payload),
      events: {
        ...(options.log !== undefined ? { log: options.log } : {}),
        ...(events.ikeState !== undefined ? { ikeState: events.ikeState } : {}),
        childUp: (child) => {
          this.sad.install(child, child.deferOutbound === true ? { deferOutbound: true } : {});
          events.childUp?.(child);
        },
        childDown: (removal) => {
          this.sad.remove(removal);
          events.childDown?.(removal);
        },
      },
    });
    if (options.tunnels.some((t) => t.kind === 'policy')) {
      this.policies = new PolicyBasedIpsec({
        node, sad: this.sad, socket: this.esp,
        onAcquire: (request) => this.engine.acquire(request.peer!, request.childName),
      });
    }
    for (const t of options.tunnels) this.addTunnel(t);
  }

  private addTunnel(t: TunnelSpec): void {
    const { node } = this.options;
    const peer = this.options.peers.find((p) => p.name === t.connection)!;
    const child = peer.children.find((c) => c.name === t.child)!;
    const origin = `${t.kind}-based tunnel ${t.connection}/${t.child}`;
    if (t.kind === 'route') {
      const name = t.interfaceName ?? `vti-${t.child}`;
      const onTraffic = child.startAction === 'trap' ? { onAcquire: () => this.engine.acquire(t.connection, t.child) } : {};
      const addresses = t.interfaceAddresses !== undefined ? { addresses: t.interfaceAddresses.map((a) => ({ ...a })) } : {};
      const source = t.sourceAddress !== undefined ? { sourceAddress: t.sourceAddress } : {};
      this.tunnels.push(new RouteBasedTunnel({ node, sad: this.sad, socket: this.esp, childName: t.child, interfaceName: name, ...onTraffic, ...addresses, ...source }));
      for (const prefix of t.routes) node.routes.add({ prefix, interface: name, source: 'static', origin });
      this.options.log?.(`tunnel interface ${name}: ${t.routes.map(formatPrefix).join(', ')} routed into ${t.connection}/${t.child}`);
    } else {
      this.policies!.addPolicy({ childName: t.child, peer: t.connection, localSelectors: child.localSelectors, remoteSelectors: child.remoteSelectors });
      for (const prefix of t.routes) node.routes.add({ prefix, interface: this.policies!.iface.name, source: 'static', origin });
      this.options.log?.(`IPsec policy ${t.connection}/${t.child}: ${t.routes.map(formatPrefix).join(', ')}`);
    }
  }

  private sendIke(local: { address: Ipv4Address; port: number }, remote: { address: number; port: number }, payload: Uint8Array): void {
    if (this.sockets === undefined) return;
    const sockets = this.sockets.get(local.address) ?? this.sockets.get(this.options.address)!;
    if (local.port === NAT_T_PORT) sockets.natT.send(remote, ikeOverUdp4500(payload));
    else sockets.ike.send(remote, payload);
  }

  /** The addresses IKE speaks from: the gateway's, then every other peer's local address. */
  private localAddresses(): Ipv4Address[] {
    const { address, peers } = this.options;
    return [...new Set([address, ...peers.map((p) => p.localAddress).filter((a) => a !== 0)])];
  }

  /** Binds UDP 500 and 4500 on every local address (TransportError if taken), then starts the connections that initiate. */
  start(): void {
    const { transport } = this.options;
    const sockets = new Map<Ipv4Address, { ike: UdpSocket; natT: UdpSocket }>();
    try {
      for (const address of this.localAddresses()) {
        const ike = transport.bindUdp({ address, port: 500 }, (e) => this.engine.receive({ local: e.local, remote: e.remote, payload: e.payload }));
        let natT: UdpSocket;
        try {
          natT = transport.bindUdp({ address, port: NAT_T_PORT }, (e) => {
            const verdict = this.esp.handleUdp4500(e);
            if (verdict.type === 'ike') this.engine.receive({ local: e.local, remote: e.remote, payload: verdict.message });
          });
        } catch (e) {
          ike.close();
          throw e;
        }
        sockets.set(address, { ike, natT });
      }
    } catch (e) {
      for (const s of sockets.values()) { s.ike.close(); s.natT.close(); }
      throw e;
    }
    // ESP in UDP leaves from the gateway's own address (NAT traversal from a second address is not emulated).
    this.esp.useUdpSocket(sockets.get(this.options.address)!.natT);
    this.sockets = sockets;
    this.engine.start();
  }

  /** Deletes every IKE SA (the Deletes go out now; their answers may not be awaited). */
  terminateAll(reason: IkeSaReason): void {
    for (const p of this.options.peers) this.engine.terminate(p.name, reason);
  }

  close(): void {
    this.engine.flushLog();
    for (const s of this.sockets?.values() ?? []) {
      s.ike.close();
      s.natT.close();
    }
    this.sockets = undefined;
  }
}
