import type { DocPath, Reference } from '../../config/source.js';
import { fqdnIdentity, ipv4Identity, type Identity } from '../../ike/payloads/id.js';
import { isIpv4, parseIpv4, parsePrefix, type Ipv4Address, type Prefix } from '../../net/address.js';
import type { SiteOf } from '../../topology/schema.js';
import type {
  AlibabaSite, CustomerGateway, IkeConfig, IpsecConfig, SingleTunnelBgpConfig, TunnelBgpConfig, VpnConnection, VpnGateway, VpnPbrRouteEntry, VpnRouteEntry,
} from '../../topology/platforms/alibaba.js';
import type { SiteRef } from '../adapter.js';
import { ANY, assignedPublicAddress, prefixesOf } from '../common.js';
import { ALIBABA_DEFAULT_ASN, alibabaProposals, type AlibabaOffer } from './defaults.js';

/*
 * An Alibaba block resolved once per run (the adapter's `resolve`): every resource with its
 * document path, addresses, prefixes and ASNs parsed, and every name reference (VSwitchId,
 * VpnGatewayId, CustomerGatewayId, NextHop) followed to the object it names — or kept unresolved
 * (`target` undefined) for the checks and the planner to report. The planner, ends, checks and
 * views read this, never the block's strings. Resources keep their validated block object
 * (`resource`) for the file's own text in messages.
 *
 * A name refers to the first resource of that name; a second one is refused by the platform
 * (ALIBABA_DUPLICATE_NAME, reported by the planner) but still lists whatever names it, as the
 * consumers have always read it.
 */

/** A reference by name to another resource of the site, with the path of the field that makes it. */
/** A vSwitch (a subnet of the VPC site). */
export interface AlibabaSubnet {
  readonly name: string;
  readonly prefix: Prefix;
  readonly path: DocPath;
}

/** The vSwitch an IPsec address's ENI sits in; `name` undefined when VSwitchId is omitted and the VPC has no subnet to pick. */
export interface VSwitchRef extends Omit<Reference<AlibabaSubnet>, 'name'> {
  readonly name: string | undefined;
}

export interface AlibabaGateway {
  readonly resource: VpnGateway;
  readonly index: number;
  readonly path: DocPath;
  readonly name: string;
  /** A DisasterRecoveryVSwitchId makes a dual-tunnel gateway: two IPsec addresses, two nodes. */
  readonly dual: boolean;
  /** Its nodes, one per IPsec address. */
  readonly instanceNames: readonly string[];
  /** Per IPsec address: VSwitchId (omitted: the VPC's first vSwitch, as the system picks one), then DisasterRecoveryVSwitchId. */
  readonly vswitches: readonly VSwitchRef[];
  /** InternetIp, DisasterRecoveryInternetIp; stand-ins where the file leaves them to the platform. */
  readonly ipsecAddresses: readonly Ipv4Address[];
  /** The connections whose VpnGatewayId names it, in file order. */
  readonly connections: readonly AlibabaConnection[];
  /** The policy routes, then the destination routes, whose VpnGatewayId names it. */
  readonly routes: readonly AlibabaRouteEntry[];
}

export interface AlibabaCustomerGateway {
  readonly resource: CustomerGateway;
  readonly index: number;
  readonly path: DocPath;
  readonly name: string;
  readonly address: Ipv4Address;
  /** Asn as a number (asdot "high.low" converted); undefined when not given. */
  readonly asn: number | undefined;
}

/** BGP over one tunnel: TunnelBgpConfig (dual tunnel) or the connection's BgpConfig (single tunnel). */
export interface AlibabaTunnelBgp {
  /** EnableTunnelsBgp (dual tunnel) or BgpConfig.EnableBgp (single tunnel). */
  readonly on: boolean;
  readonly config: TunnelBgpConfig | SingleTunnelBgpConfig | undefined;
  /** Where the config is (or would be). */
  readonly path: DocPath;
  /** LocalAsn as a number, Alibaba's 45104 when omitted. */
  readonly localAsn: number;
  readonly tunnelCidr: Prefix | undefined;
  readonly localBgpIp: Ipv4Address | undefined;
  /**
   * The peer's BGP address (DescribeVpnConnection's PeerBgpIp): the other host address of a /30
   * TunnelCidr holding LocalBgpIp; undefined otherwise (ALIBABA_TUNNEL_CIDR in checks.ts).
   */
  readonly peerBgpIp: Ipv4Address | undefined;
}

export interface AlibabaTunnel {
  /** 1 = master / IPsec address 1, 2 = slave / IPsec address 2; a single tunnel is 1. */
  readonly address: 1 | 2;
  /** Its index in TunnelOptionsSpecification (dual tunnel), undefined for a single-tunnel connection. */
  readonly specIndex: number | undefined;
  /** TunnelOptionsSpecification[specIndex], or the connection itself for a single tunnel. */
  readonly path: DocPath;
  readonly customerGateway: Reference<AlibabaCustomerGateway>;
  readonly ike: IkeConfig | undefined;
  /** Where TunnelIkeConfig / IkeConfig is (or would be). */
  readonly ikePath: DocPath;
  readonly ipsec: IpsecConfig | undefined;
  /** Its proposals with Alibaba's defaults for the connection's mode (IKEv1 and md5 for a single tunnel), or why vpnlab cannot offer them. */
  readonly offer: AlibabaOffer;
  /** LocalId and RemoteId as IKE identities (an IPv4 address, else an FQDN); undefined: the tunnel's own addresses. */
  readonly localId: Identity | undefined;
  readonly remoteId: Identity | undefined;
  readonly dpd: boolean;
  readonly bgp: AlibabaTunnelBgp;
}

export interface AlibabaConnection {
  readonly resource: VpnConnection;
  readonly index: number;
  readonly path: DocPath;
  readonly name: string;
  readonly gateway: Reference<AlibabaGateway>;
  /** TunnelOptionsSpecification given. */
  readonly dual: boolean;
  readonly tunnels: readonly AlibabaTunnel[];
  readonly localSubnet: readonly Prefix[] | undefined;
  readonly remoteSubnet: readonly Prefix[] | undefined;
  /** Protected-data-flow mode's traffic selectors (a side left out is any); undefined for any ⇄ any. */
  readonly flows: { readonly local: readonly Prefix[]; readonly remote: readonly Prefix[] } | undefined;
  /** AutoConfigRoute (default true). */
  readonly autoConfigRoute: boolean;
  readonly effectImmediately: boolean;
  /** BGP asked for in either mode's terms (EnableTunnelsBgp or BgpConfig.EnableBgp). */
  readonly bgpRequested: boolean;
  /** The route entries whose NextHop names it on its gateway: policy routes, then destination routes. */
  readonly routes: readonly AlibabaRouteEntry[];
}

export interface AlibabaRouteEntry {
  readonly kind: 'policy' | 'destination';
  readonly resource: VpnPbrRouteEntry | VpnRouteEntry;
  readonly index: number;
  readonly path: DocPath;
  /** RouteSource (policy routes only). */
  readonly source: Prefix | undefined;
  readonly dest: Prefix;
  readonly gateway: Reference<AlibabaGateway>;
  readonly nextHop: Reference<AlibabaConnection>;
  readonly published: boolean;
}

export interface AlibabaModel {
  /** The `alibaba:` block; undefined for a VPC without VPN gateway resources (it runs no platform gateway). */
  readonly block: AlibabaSite | undefined;
  /** The VPC CIDRs (the site's addressSpace). */
  readonly vpc: readonly Prefix[];
  readonly subnets: readonly AlibabaSubnet[];
  readonly gateways: readonly AlibabaGateway[];
  readonly customerGateways: readonly AlibabaCustomerGateway[];
  readonly connections: readonly AlibabaConnection[];
  /** VpnPbrRouteEntries, then VpnRouteEntries. */
  readonly routes: readonly AlibabaRouteEntry[];
}

/** A gateway's nodes: one per IPsec address, `<name>_1` and `<name>_2` for a dual-tunnel gateway. */
export function alibabaInstanceNames(gateway: VpnGateway): string[] {
  return gateway.DisasterRecoveryVSwitchId !== undefined ? [`${gateway.Name}_1`, `${gateway.Name}_2`] : [gateway.Name];
}

/** "123.456" (asdot) → 123 × 65536 + 456. */
function asnValue(asn: number | string): number {
  if (typeof asn === 'number') return asn;
  const [high, low] = asn.split('.').map(Number);
  return high! * 65536 + low!;
}

function nameRef<T extends { readonly name: string }>(name: string, path: DocPath, among: readonly T[]): Reference<T> {
  return { name, path, target: among.find((x) => x.name === name) };
}

function isAnyAny(list: readonly string[] | undefined): boolean {
  return list === undefined || (list.length === 1 && list[0] === '0.0.0.0/0');
}

/** Protected-data-flow mode: specific LocalSubnet/RemoteSubnet, used as phase-2 traffic selectors. */
function isProtectedDataFlows(conn: VpnConnection): boolean {
  return conn.RoutingMode === 'ProtectedDataFlows' || !(isAnyAny(conn.LocalSubnet) && isAnyAny(conn.RemoteSubnet));
}

/** `connections` and `routes` are filled once every resource is resolved. */
function resolveGateway(gateway: VpnGateway, index: number, path: DocPath, siteIndex: number, subnets: readonly AlibabaSubnet[],
  connections: readonly AlibabaConnection[], routes: readonly AlibabaRouteEntry[]): AlibabaGateway {
  const dual = gateway.DisasterRecoveryVSwitchId !== undefined;
  const first = gateway.VSwitchId ?? subnets[0]?.name;
  const vswitches: VSwitchRef[] = [{ name: first, path: [...path, 'VSwitchId'], target: subnets.find((s) => s.name === first) }];
  if (dual) vswitches.push(nameRef(gateway.DisasterRecoveryVSwitchId!, [...path, 'DisasterRecoveryVSwitchId'], subnets));
  const given = [gateway.InternetIp, gateway.DisasterRecoveryInternetIp];
  const ipsecAddresses = given.slice(0, dual ? 2 : 1).map((text, k) => (text !== undefined ? parseIpv4(text) : assignedPublicAddress(siteIndex, index * 2 + k)));
  return { resource: gateway, index, path, name: gateway.Name, dual, instanceNames: alibabaInstanceNames(gateway), vswitches, ipsecAddresses, connections, routes };
}

function identity(text: string | undefined): Identity | undefined {
  if (text === undefined) return undefined;
  return isIpv4(text) ? ipv4Identity(parseIpv4(text)) : fqdnIdentity(text);
}

/** What a tunnel's IKE and IPsec configs come to, whichever mode sets them. */
function crypto(ike: IkeConfig | undefined, ipsec: IpsecConfig | undefined, dual: boolean): Pick<AlibabaTunnel, 'ike' | 'ipsec' | 'offer' | 'localId' | 'remoteId'> {
  return { ike, ipsec, offer: alibabaProposals(ike, ipsec, dual), localId: identity(ike?.LocalId), remoteId: identity(ike?.RemoteId) };
}

/** The other host of a /30 holding `local`. */
function otherHost(cidr: Prefix | undefined, local: Ipv4Address | undefined): Ipv4Address | undefined {
  if (cidr === undefined || local === undefined || cidr.length !== 30) return undefined;
  const [first, second] = [cidr.address + 1, cidr.address + 2];
  return local === first ? second : local === second ? first : undefined;
}

function tunnelBgp(on: boolean, config: TunnelBgpConfig | SingleTunnelBgpConfig | undefined, path: DocPath): AlibabaTunnelBgp {
  const tunnelCidr = config?.TunnelCidr === undefined ? undefined : parsePrefix(config.TunnelCidr);
  const localBgpIp = config?.LocalBgpIp === undefined ? undefined : parseIpv4(config.LocalBgpIp);
  return {
    on, config, path,
    localAsn: asnValue(config?.LocalAsn ?? ALIBABA_DEFAULT_ASN),
    tunnelCidr, localBgpIp, peerBgpIp: otherHost(tunnelCidr, localBgpIp),
  };
}

function resolveTunnels(conn: VpnConnection, at: DocPath, cgws: readonly AlibabaCustomerGateway[]): AlibabaTunnel[] {
  if (conn.TunnelOptionsSpecification !== undefined) {
    return conn.TunnelOptionsSpecification.map((t, i): AlibabaTunnel => {
      const path = [...at, 'TunnelOptionsSpecification', i];
      return {
        address: t.Role === 'master' ? 1 : 2, specIndex: i, path,
        customerGateway: nameRef(t.CustomerGatewayId, [...path, 'CustomerGatewayId'], cgws),
        ...crypto(t.TunnelIkeConfig, t.TunnelIpsecConfig, true), ikePath: [...path, 'TunnelIkeConfig'], dpd: t.EnableDpd ?? true,
        bgp: tunnelBgp(conn.EnableTunnelsBgp === true, t.TunnelBgpConfig, [...path, 'TunnelBgpConfig']),
      };
    });
  }
  return [{
    address: 1, specIndex: undefined, path: at,
    // The schema requires CustomerGatewayId when there is no TunnelOptionsSpecification.
    customerGateway: nameRef(conn.CustomerGatewayId!, [...at, 'CustomerGatewayId'], cgws),
    ...crypto(conn.IkeConfig, conn.IpsecConfig, false), ikePath: [...at, 'IkeConfig'], dpd: conn.EnableDpd ?? true,
    bgp: tunnelBgp(conn.BgpConfig?.EnableBgp === true, conn.BgpConfig, [...at, 'BgpConfig']),
  }];
}

function resolveConnection(conn: VpnConnection, index: number, path: DocPath, gateways: readonly AlibabaGateway[], cgws: readonly AlibabaCustomerGateway[],
  routes: readonly AlibabaRouteEntry[]): AlibabaConnection {
  const localSubnet = conn.LocalSubnet === undefined ? undefined : prefixesOf(conn.LocalSubnet);
  const remoteSubnet = conn.RemoteSubnet === undefined ? undefined : prefixesOf(conn.RemoteSubnet);
  return {
    resource: conn, index, path, name: conn.Name,
    gateway: nameRef(conn.VpnGatewayId, [...path, 'VpnGatewayId'], gateways),
    dual: conn.TunnelOptionsSpecification !== undefined,
    tunnels: resolveTunnels(conn, path, cgws),
    localSubnet, remoteSubnet,
    flows: isProtectedDataFlows(conn) ? { local: localSubnet ?? [ANY], remote: remoteSubnet ?? [ANY] } : undefined,
    autoConfigRoute: conn.AutoConfigRoute !== false,
    effectImmediately: conn.EffectImmediately === true,
    bgpRequested: conn.EnableTunnelsBgp === true || conn.BgpConfig?.EnableBgp === true,
    routes,
  };
}

function resolveRoute(kind: AlibabaRouteEntry['kind'], entry: VpnPbrRouteEntry | VpnRouteEntry, index: number, path: DocPath,
  gateways: readonly AlibabaGateway[], connections: readonly AlibabaConnection[]): AlibabaRouteEntry {
  return {
    kind, resource: entry, index, path,
    source: 'RouteSource' in entry ? parsePrefix(entry.RouteSource) : undefined,
    dest: parsePrefix(entry.RouteDest),
    gateway: nameRef(entry.VpnGatewayId, [...path, 'VpnGatewayId'], gateways),
    nextHop: nameRef(entry.NextHop, [...path, 'NextHop'], connections),
    published: entry.PublishVpc,
  };
}

/** The site's Alibaba resources, resolved. Never throws on a validated file, never reports. */
export function resolveAlibabaSite(ref: SiteRef<'alibaba'>): AlibabaModel {
  const site: SiteOf<'alibaba'> = ref.site;
  const block = site.alibaba;
  const subnets = ref.layout.subnets.map((s): AlibabaSubnet => ({ name: s.subnet.name, prefix: s.prefix, path: s.path }));
  const customerGateways = (block?.CustomerGateways ?? []).map((c, i): AlibabaCustomerGateway => ({
    resource: c, index: i, path: [...ref.at, 'CustomerGateways', i], name: c.Name, address: parseIpv4(c.IpAddress), asn: c.Asn === undefined ? undefined : asnValue(c.Asn),
  }));
  // The lists of what names a gateway or connection, filled below once everything is resolved.
  const gatewayLists = (block?.VpnGateways ?? []).map(() => ({ connections: [] as AlibabaConnection[], routes: [] as AlibabaRouteEntry[] }));
  const connectionRoutes = (block?.VpnConnections ?? []).map(() => [] as AlibabaRouteEntry[]);
  const gateways = (block?.VpnGateways ?? []).map((g, i) => resolveGateway(g, i, [...ref.at, 'VpnGateways', i], ref.index, subnets, gatewayLists[i]!.connections, gatewayLists[i]!.routes));
  const connections = (block?.VpnConnections ?? []).map((c, i) => resolveConnection(c, i, [...ref.at, 'VpnConnections', i], gateways, customerGateways, connectionRoutes[i]!));
  const routes = [
    ...(block?.VpnPbrRouteEntries ?? []).map((e, i) => resolveRoute('policy', e, i, [...ref.at, 'VpnPbrRouteEntries', i], gateways, connections)),
    ...(block?.VpnRouteEntries ?? []).map((e, i) => resolveRoute('destination', e, i, [...ref.at, 'VpnRouteEntries', i], gateways, connections)),
  ];
  // By name, so that every resource of a name lists what names it.
  gateways.forEach((g, i) => {
    gatewayLists[i]!.connections.push(...connections.filter((c) => c.gateway.name === g.name));
    gatewayLists[i]!.routes.push(...routes.filter((e) => e.gateway.name === g.name));
  });
  connections.forEach((c, i) => connectionRoutes[i]!.push(...routes.filter((e) => e.nextHop.name === c.name && e.gateway.name === c.gateway.name)));
  return { block, vpc: ref.layout.addressSpace, subnets, gateways, customerGateways, connections, routes };
}
