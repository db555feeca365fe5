import { SeededRng } from '../../src/core/rng.js';
import { EncrId, IntegId } from '../../src/crypto/iana.js';
import { CryptoSuite, type ProtectionKeys, type SuiteSpec } from '../../src/crypto/suite.js';
import { NAT_T_PORT } from '../../src/esp/udp-encap.js';
import type { ChildLifetimes, NegotiatedChildSa } from '../../src/ike/child-sa.js';
import { selectorFromPrefix, type Ipv4Selector } from '../../src/ike/payloads/ts.js';
import { EspSocket } from '../../src/ipsec/esp-socket.js';
import { RouteBasedTunnel } from '../../src/ipsec/route-based.js';
import { SecurityAssociationDatabase, type ChildExpiry } from '../../src/ipsec/sad.js';
import { parseIpv4, parsePrefix, type Ipv4Address } from '../../src/net/address.js';
import { decodeIpv4, IpProtocol } from '../../src/net/ipv4.js';
import { decodeUdp } from '../../src/net/udp.js';
import { Network, type SimNode } from '../../src/emulator/network.js';
import { parseTopology } from '../../src/platforms/load.js';

/*
 *   pc-a 10.1.1.10 ─ LAN ─ gw-a ══ wan0 203.0.113.1 ── internet ── wan0 198.51.100.1 ══ gw-b ─ LAN ─ pc-b 10.2.1.10
 *   (linux)                                    5 ms + 5 ms                                            (windows)
 */
const TOPOLOGY = `
name: ipsec-two-sites
seed: 7
sites:
  - name: site-a
    platform: linux
    addressSpace: [10.1.0.0/16]
    subnets: [{ name: lan, prefix: 10.1.1.0/24 }]
    hosts: [{ name: pc-a, os: linux, subnet: lan, address: 10.1.1.10 }]
    routers:
      - name: gw-a
        interfaces:
          - { name: eth0, subnet: lan, address: 10.1.1.1 }
          - { name: wan0, address: 203.0.113.1/30, internet: true }
        staticRoutes: [{ prefix: 0.0.0.0/0, interface: wan0 }]
  - name: site-b
    platform: linux
    addressSpace: [10.2.0.0/16]
    subnets: [{ name: lan, prefix: 10.2.1.0/24 }]
    hosts: [{ name: pc-b, os: windows, subnet: lan, address: 10.2.1.10 }]
    routers:
      - name: gw-b
        interfaces:
          - { name: eth0, subnet: lan, address: 10.2.1.1 }
          - { name: wan0, address: 198.51.100.1/30, internet: true }
        staticRoutes: [{ prefix: 0.0.0.0/0, interface: wan0 }]
`;

export const GW_A_PUBLIC = parseIpv4('203.0.113.1');
export const GW_B_PUBLIC = parseIpv4('198.51.100.1');
export const PC_A = parseIpv4('10.1.1.10');
export const PC_B = parseIpv4('10.2.1.10');
/** The capture point: gw-a's access link to the emulated Internet. */
export const INTERNET_LINK_A = 'internet/site-a/gw-a/wan0';

export const GCM_256: SuiteSpec = { encr: EncrId.AesGcm16, encrKeyBits: 256 };
export const CBC_256_SHA256: SuiteSpec = { encr: EncrId.AesCbc, encrKeyBits: 256, integ: IntegId.HmacSha2_256_128 };

export function twoSites(): Network {
  return new Network(parseTopology(TOPOLOGY, 'ipsec-two-sites.yaml').topology);
}

/** One gateway's data plane: its SAD (expiries collected) and ESP socket on UDP 4500. */
export interface GatewayPlane {
  node: SimNode;
  sad: SecurityAssociationDatabase;
  socket: EspSocket;
  expiries: ChildExpiry[];
  ikeMessages: Uint8Array[];
}

export function gatewayPlane(net: Network, name: string): GatewayPlane {
  const node = net.node(name);
  const expiries: ChildExpiry[] = [];
  const ikeMessages: Uint8Array[] = [];
  const sad = new SecurityAssociationDatabase({ clock: net.scheduler, rng: net.rng(`esp:${name}`), onExpire: (e) => expiries.push(e) });
  const socket = new EspSocket({ node: node.ip, sad });
  socket.bindUdp4500(node.transport, (m) => ikeMessages.push(m));
  return { node, sad, socket, expiries, ikeMessages };
}

export interface ChildPairOptions {
  childName?: string;
  suite?: SuiteSpec;
  /** A's selectors; B's are the mirror image. */
  aLocal?: Ipv4Selector[];
  aRemote?: Ipv4Selector[];
  lifetimes?: ChildLifetimes;
  udpEncapsulation?: boolean;
  /** SPIs: A's inbound is `spiBase`, B's inbound `spiBase + 1`. */
  spiBase?: number;
  seed?: number;
  replaces?: { a: number; b: number };
  replayWindow?: number;
}

export const ANY: Ipv4Selector = selectorFromPrefix(parsePrefix('0.0.0.0/0'));

export function selector(prefix: string): Ipv4Selector {
  return selectorFromPrefix(parsePrefix(prefix));
}

/**
 * A CHILD_SA as both gateways' engines would hand it over: keys drawn at random but mirrored
 * (A's outbound = B's inbound), SPIs mirrored, selectors mirrored, endpoints the public addresses.
 */
export function childPair(options: ChildPairOptions = {}): { a: NegotiatedChildSa; b: NegotiatedChildSa } {
  const spec = options.suite ?? GCM_256;
  const suite = CryptoSuite.esp(spec);
  const rng = new SeededRng(options.seed ?? 1);
  const keys = (): ProtectionKeys => ({ encKey: rng.bytes(suite.encKeyLength), integKey: rng.bytes(suite.integKeyLength) });
  const aToB = keys();
  const bToA = keys();
  const spiA = options.spiBase ?? 0xc0de0000;
  const spiB = spiA + 1;
  const udp = options.udpEncapsulation ?? true;
  const port = udp ? NAT_T_PORT : 0;
  const common = {
    ikeSaName: 'gw-a-gw-b', childName: options.childName ?? 'net', reqid: 1, suite: spec,
    udpEncapsulation: udp, lifetimes: options.lifetimes ?? {}, replayWindow: options.replayWindow ?? 64,
  };
  const aLocal = options.aLocal ?? [ANY];
  const aRemote = options.aRemote ?? [ANY];
  return {
    a: {
      ...common, inboundSpi: spiA, outboundSpi: spiB, inboundKeys: bToA, outboundKeys: aToB,
      localSelectors: aLocal, remoteSelectors: aRemote,
      local: { address: GW_A_PUBLIC, port }, remote: { address: GW_B_PUBLIC, port },
      ...(options.replaces !== undefined ? { replaces: options.replaces.a } : {}),
    },
    b: {
      ...common, inboundSpi: spiB, outboundSpi: spiA, inboundKeys: aToB, outboundKeys: bToA,
      localSelectors: aRemote, remoteSelectors: aLocal,
      local: { address: GW_B_PUBLIC, port }, remote: { address: GW_A_PUBLIC, port },
      ...(options.replaces !== undefined ? { replaces: options.replaces.b } : {}),
    },
  };
}

/** A packet seen on a link, sorted by what an observer on the wire can tell. */
export type WireKind = { kind: 'esp-in-udp'; spi: number } | { kind: 'esp'; spi: number } | { kind: 'clear'; protocol: number; src: Ipv4Address; dst: Ipv4Address };

export function wireKind(packet: Uint8Array): WireKind {
  const ip = decodeIpv4(packet);
  const spiAt = (b: Uint8Array): number => ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  if (ip.protocol === IpProtocol.Esp) return { kind: 'esp', spi: spiAt(ip.payload) };
  if (ip.protocol === IpProtocol.Udp) {
    const udp = decodeUdp(ip.payload, ip.src, ip.dst);
    if (udp.srcPort === NAT_T_PORT && udp.dstPort === NAT_T_PORT && spiAt(udp.payload) !== 0) return { kind: 'esp-in-udp', spi: spiAt(udp.payload) };
  }
  return { kind: 'clear', protocol: ip.protocol, src: ip.src, dst: ip.dst };
}

/** Everything put onto a link from now on, sorted. */
export function tapLink(net: Network, linkName: string): WireKind[] {
  const seen: WireKind[] = [];
  net.link(linkName).addTap((_t, packet) => seen.push(wireKind(packet)));
  return seen;
}

export interface RouteBasedSetup {
  net: Network;
  a: GatewayPlane;
  b: GatewayPlane;
  tunnelA: RouteBasedTunnel;
  tunnelB: RouteBasedTunnel;
}

/** Both gateways with a `vti-net` tunnel interface for child `net` and a route to the other site's /16 into it. */
export function routeBased(): RouteBasedSetup {
  const net = twoSites();
  const a = gatewayPlane(net, 'gw-a');
  const b = gatewayPlane(net, 'gw-b');
  const tunnelA = new RouteBasedTunnel({ node: a.node.ip, sad: a.sad, socket: a.socket, childName: 'net', interfaceName: 'vti-net' });
  const tunnelB = new RouteBasedTunnel({ node: b.node.ip, sad: b.sad, socket: b.socket, childName: 'net', interfaceName: 'vti-net' });
  a.node.ip.routes.add({ prefix: parsePrefix('10.2.0.0/16'), interface: 'vti-net', source: 'static' });
  b.node.ip.routes.add({ prefix: parsePrefix('10.1.0.0/16'), interface: 'vti-net', source: 'static' });
  return { net, a, b, tunnelA, tunnelB };
}

/** Installs a mirrored child pair on both gateways. */
export function installPair(s: { a: GatewayPlane; b: GatewayPlane }, options: ChildPairOptions = {}): ReturnType<typeof childPair> {
  const pair = childPair(options);
  s.a.sad.install(pair.a);
  s.b.sad.install(pair.b);
  return pair;
}
