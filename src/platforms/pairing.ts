import type { DocPath } from '../config/source.js';
import { formatIpv4, parseIpv4, type Ipv4Address } from '../net/address.js';
import type { Site, SiteOf, Topology } from '../topology/schema.js';
import { alibabaTunnels, ipsecAddresses } from './alibaba/facts.js';
import { adapterAddress, rrasServerName } from './rras/facts.js';
import { azureBlock, azureGatewayFacts, type AzureGatewayFacts, type AzureSiteOf } from './azure/facts.js';
import type { Connection, LocalNetworkGateway, VirtualNetworkGateway } from '../topology/platforms/azure.js';
import type { CustomerGateway, IkeConfig, IpsecConfig, VpnConnection, VpnGateway } from '../topology/platforms/alibaba.js';
import type { RrasSite, VpnS2SInterface } from '../topology/platforms/rras.js';

/*
 * Which tunnel ends face each other. Every IPsec endpoint the topology configures becomes a
 * `TunnelEnd` with the public address it speaks from and the one it expects its peer at: an Azure
 * connection per gateway instance (towards its local network gateway's gatewayIpAddress, or
 * towards each instance of the Vnet2Vnet peer), an Alibaba tunnel (its IPsec address towards its
 * customer gateway), an RRAS S2S interface (its public adapter towards each Destination). Two
 * ends are a pair when each one's remote address is the other's local one — the same rule the
 * platforms apply when an IKE_SA_INIT arrives. The checks then compare the two halves of a pair.
 */


interface EndBase {
  readonly siteIndex: number;
  readonly site: Site;
  /** The resource that configures this end (a connection, tunnel or interface). */
  readonly path: DocPath;
  /** How messages name it: "connection 'VNet1ToSite5'". */
  readonly label: string;
  readonly local: Ipv4Address;
  readonly remote: Ipv4Address;
}

export interface AzureGateway {
  readonly siteIndex: number;
  readonly site: AzureSiteOf;
  readonly gatewayIndex: number;
  readonly gateway: VirtualNetworkGateway;
  readonly facts: AzureGatewayFacts;
  readonly path: DocPath;
}

export interface AzureEnd extends EndBase {
  readonly platform: 'azure';
  readonly site: AzureSiteOf;
  readonly gateway: AzureGateway;
  readonly instanceIndex: number;
  readonly connection: Connection;
  readonly connectionIndex: number;
  /** IPsec connections: the local network gateway describing the peer. */
  readonly lng?: { readonly value: LocalNetworkGateway; readonly index: number };
  /** Vnet2Vnet connections: the other VNet's gateway. */
  readonly peerGateway?: AzureGateway;
}

export interface AlibabaEnd extends EndBase {
  readonly platform: 'alibaba';
  readonly site: SiteOf<'alibaba'>;
  readonly gateway: VpnGateway;
  readonly connection: VpnConnection;
  readonly connectionIndex: number;
  /** 1 = master on IPsec address 1, 2 = slave on IPsec address 2. */
  readonly tunnel: 1 | 2;
  readonly dualTunnel: boolean;
  readonly ike: IkeConfig | undefined;
  readonly ikePath: DocPath;
  readonly ipsec: IpsecConfig | undefined;
  readonly customerGateway: CustomerGateway;
  readonly customerGatewayIndex: number;
}

export interface RrasEnd extends EndBase {
  readonly platform: 'rras';
  readonly site: SiteOf<'rras'>;
  readonly rras: RrasSite;
  readonly iface: VpnS2SInterface;
  readonly ifaceIndex: number;
}

export type TunnelEnd = AzureEnd | AlibabaEnd | RrasEnd;

export interface PublicAddress {
  readonly platform: TunnelEnd['platform'];
  /** "Azure gateway 'VNet1GW'", "RRAS 'RRAS2016'"… */
  readonly what: string;
}

/** Two ends that negotiate with each other; `a` is the Azure end when there is one. */
export interface TunnelPair {
  readonly a: TunnelEnd;
  readonly b: TunnelEnd;
}

export interface Tunnels {
  readonly ends: readonly TunnelEnd[];
  readonly pairs: readonly TunnelPair[];
  /** Azure gateways whose facts can be derived (their ipConfigurations' subnets exist). */
  readonly azureGateways: readonly AzureGateway[];
  /** Every public address a gateway of the topology speaks from, with what it is. */
  readonly publicAddresses: ReadonlyMap<Ipv4Address, PublicAddress>;
}

export function findTunnels(topology: Topology): Tunnels {
  const azureGateways = findAzureGateways(topology);
  const publicAddresses = new Map<Ipv4Address, PublicAddress>();
  const ends: TunnelEnd[] = [];
  for (const g of azureGateways) {
    g.facts.instances.forEach((inst, i) => publicAddresses.set(inst.publicAddress, { platform: 'azure', what: `Azure gateway '${g.facts.name}'${g.facts.activeActive ? ` instance ${i}` : ''}` }));
    ends.push(...azureEnds(g, azureGateways));
  }
  topology.sites.forEach((site, siteIndex) => {
    if (site.platform === 'alibaba') ends.push(...alibabaEnds(site, siteIndex, publicAddresses));
    if (site.platform === 'rras') ends.push(...rrasEnds(site, siteIndex, publicAddresses));
  });
  const pairs: TunnelPair[] = [];
  ends.forEach((x, i) => {
    for (const y of ends.slice(i + 1)) {
      if (x.local !== y.remote || x.remote !== y.local) continue;
      pairs.push(y.platform === 'azure' && x.platform !== 'azure' ? { a: y, b: x } : { a: x, b: y });
    }
  });
  return { ends, pairs, azureGateways, publicAddresses };
}

/** The ends `end` negotiates with. */
export function partnersOf(tunnels: Tunnels, end: TunnelEnd): TunnelEnd[] {
  return tunnels.pairs.flatMap((p) => (p.a === end ? [p.b] : p.b === end ? [p.a] : []));
}

export function describeAddress(tunnels: Tunnels, address: Ipv4Address): string {
  const known = tunnels.publicAddresses.get(address);
  return known === undefined ? formatIpv4(address) : `${formatIpv4(address)} (${known.what})`;
}

// ---------------------------------------------------------------------------------------------

function findAzureGateways(topology: Topology): AzureGateway[] {
  const out: AzureGateway[] = [];
  topology.sites.forEach((site, siteIndex) => {
    if (site.platform !== 'azure') return;
    (azureBlock(site).virtualNetworkGateways ?? []).forEach((gateway, gatewayIndex) => {
      if (gateway.gatewayType === 'ExpressRoute') return;
      const facts = azureGatewayFacts(topology, site, gateway);
      if (facts === undefined) return;
      out.push({
        siteIndex, site, gatewayIndex, gateway, facts,
        path: ['sites', siteIndex, 'azure', 'virtualNetworkGateways', gatewayIndex],
      });
    });
  });
  return out;
}

/** The gateway a Vnet2Vnet connection names as "site/gateway". */
export function gatewayByReference(gateways: readonly AzureGateway[], reference: string | undefined): AzureGateway | undefined {
  return gateways.find((g) => reference === `${g.site.name}/${g.gateway.name}`);
}

function azureEnds(g: AzureGateway, gateways: readonly AzureGateway[]): AzureEnd[] {
  const block = azureBlock(g.site);
  const out: AzureEnd[] = [];
  (block.connections ?? []).forEach((connection, connectionIndex) => {
    if (connection.virtualNetworkGateway1 !== g.gateway.name) return;
    const base = (instanceIndex: number) => {
      const aa = g.facts.activeActive ? ` (instance ${instanceIndex})` : '';
      return {
        platform: 'azure' as const, siteIndex: g.siteIndex, site: g.site, gateway: g, instanceIndex, connection, connectionIndex,
        path: ['sites', g.siteIndex, 'azure', 'connections', connectionIndex] as DocPath,
        label: `connection '${connection.name}'${aa}`, local: g.facts.instances[instanceIndex]!.publicAddress,
      };
    };
    if (connection.connectionType === 'IPsec') {
      const index = (block.localNetworkGateways ?? []).findIndex((l) => l.name === connection.localNetworkGateway2);
      const value = block.localNetworkGateways?.[index];
      if (value?.gatewayIpAddress === undefined) return;
      g.facts.instances.forEach((_, i) => out.push({ ...base(i), remote: parseIpv4(value.gatewayIpAddress!), lng: { value, index } }));
    } else if (connection.connectionType === 'Vnet2Vnet') {
      const peerGateway = gatewayByReference(gateways, connection.virtualNetworkGateway2);
      if (peerGateway === undefined) return;
      g.facts.instances.forEach((_, i) => {
        for (const other of peerGateway.facts.instances) out.push({ ...base(i), remote: other.publicAddress, peerGateway });
      });
    }
  });
  return out;
}

function alibabaEnds(site: SiteOf<'alibaba'>, siteIndex: number, publicAddresses: Map<Ipv4Address, PublicAddress>): AlibabaEnd[] {
  const block = site.alibaba;
  if (block === undefined) return [];
  const out: AlibabaEnd[] = [];
  const customerGateways = block.CustomerGateways ?? [];
  (block.VpnGateways ?? []).forEach((gateway, gi) => {
    if (gateway.EnableIpsec === false) return;
    const addresses = ipsecAddresses(siteIndex, gi, gateway);
    addresses.forEach((a, k) => publicAddresses.set(a, { platform: 'alibaba', what: `Alibaba VPN gateway '${gateway.Name}' IPsec address ${k + 1}` }));
    (block.VpnConnections ?? []).forEach((connection, connectionIndex) => {
      if (connection.VpnGatewayId !== gateway.Name) return;
      const at: DocPath = ['sites', siteIndex, 'alibaba', 'VpnConnections', connectionIndex];
      const specs = connection.TunnelOptionsSpecification;
      const tunnels = alibabaTunnels(connection).map((t) => {
        const path: DocPath = t.specIndex === undefined ? at : [...at, 'TunnelOptionsSpecification', t.specIndex];
        return { tunnel: t.address, cgw: t.customerGateway, ike: t.ike, ipsec: t.ipsec, path, ikePath: [...path, t.specIndex === undefined ? 'IkeConfig' : 'TunnelIkeConfig'] };
      });
      for (const t of tunnels) {
        const customerGatewayIndex = customerGateways.findIndex((c) => c.Name === t.cgw);
        const customerGateway = customerGateways[customerGatewayIndex];
        if (customerGateway === undefined) continue;
        const role = specs === undefined ? '' : ` Tunnel ${t.tunnel} (${t.tunnel === 1 ? 'master' : 'slave'})`;
        out.push({
          platform: 'alibaba', siteIndex, site, path: t.path, label: `IPsec connection '${connection.Name}'${role}`,
          local: addresses[t.tunnel - 1]!, remote: parseIpv4(customerGateway.IpAddress),
          gateway, connection, connectionIndex, tunnel: t.tunnel, dualTunnel: specs !== undefined,
          ike: t.ike, ikePath: t.ikePath, ipsec: t.ipsec, customerGateway, customerGatewayIndex,
        });
      }
    });
  });
  return out;
}

function rrasEnds(site: SiteOf<'rras'>, siteIndex: number, publicAddresses: Map<Ipv4Address, PublicAddress>): RrasEnd[] {
  const rras = site.rras;
  if (rras === undefined) return [];
  const serverName = rrasServerName(rras);
  const internet = rras.Server.NetworkAdapters.find((a) => a.Internet === true);
  if (internet !== undefined) publicAddresses.set(adapterAddress(internet.IPAddress), { platform: 'rras', what: `RRAS '${serverName}'` });
  return (rras.VpnS2SInterfaces ?? []).flatMap((iface, ifaceIndex): RrasEnd[] => {
    const local = iface.SourceIpAddress !== undefined ? parseIpv4(iface.SourceIpAddress) : internet !== undefined ? adapterAddress(internet.IPAddress) : undefined;
    if (local === undefined) return [];
    return iface.Destination.map((d) => ({
      platform: 'rras', siteIndex, site, path: ['sites', siteIndex, 'rras', 'VpnS2SInterfaces', ifaceIndex],
      label: `S2S interface '${iface.Name}'`, local, remote: parseIpv4(d), rras, iface, ifaceIndex,
    }));
  });
}
