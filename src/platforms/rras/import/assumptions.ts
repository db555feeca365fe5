import type { DraftSite, Origin, TopologyDraft } from '../../imports.js';

/*
 * What an RRAS script never says but the topology needs, filled once every source has been read
 * (src/platforms/rras/import/powershell.ts calls it through the draft's afterAll): the LAN and a test host
 * around the BGP address, the server's adapters — its public address taken from an Azure local
 * network gateway that names this server, when a source has one — and the static route to the BGP
 * peer that the seed adds in the RRAS console. Each is a stated assumption.
 */

export class RrasAssumptions {
  constructor(private readonly file: string, private readonly site: DraftSite, private readonly draft: TopologyDraft, private readonly block: Record<string, unknown>) {}

  /** The server's adapters, the LAN, a test host and the BGP peer's route, where no source gave them. */
  assume(options: { peerRoute: boolean }): void {
    const origin: Origin = { file: this.file, line: 1, column: 1 };
    const data = this.site.data;
    const router = this.block['BgpRouter'] as Record<string, unknown> | undefined;
    const peers = (this.block['BgpPeers'] ?? []) as Record<string, unknown>[];
    const customRoutes = (this.block['BgpCustomRoutes'] ?? []) as Record<string, unknown>[];
    const interfaces = (this.block['VpnS2SInterfaces'] ?? []) as Record<string, unknown>[];
    const lanAddress = [peers[0]?.['LocalIPAddress'], router?.['BgpIdentifier']].find((a): a is string => typeof a === 'string') ?? '192.168.0.1';
    const lanPrefix = `${lanAddress.split('.').slice(0, 3).join('.')}.0/24`;
    const lanName = (customRoutes.flatMap((r) => (r['Interface'] ?? []) as string[])[0]) ?? 'LAN';
    const lanWhy = lanAddress === '192.168.0.1' ? 'no BGP address in the script' : `the LAN is the /24 around the BGP address ${lanAddress}`;
    if (data['addressSpace'] === undefined) {
      data['addressSpace'] = [lanPrefix];
      this.site.assumed(['addressSpace'], origin, `${lanPrefix}: ${lanWhy}`);
    }
    if (data['subnets'] === undefined) {
      data['subnets'] = [{ name: 'lan', prefix: lanPrefix }];
      this.site.assumed(['subnets'], origin, `one subnet ${lanPrefix}: ${lanWhy}`);
    }
    if (data['hosts'] === undefined) {
      const subnet = ((data['subnets'] as { name: string; prefix: string }[])[0]) ?? { name: 'lan', prefix: lanPrefix };
      const base = subnet.prefix.split('/')[0]!.split('.').slice(0, 3).join('.');
      const address = `${base}.${lanAddress === `${base}.10` ? 11 : 10}`;
      data['hosts'] = [{ name: 'pc', os: 'windows', subnet: subnet.name, address }];
      this.site.assumed(['hosts'], origin, `a Windows test PC at ${address} on ${subnet.name}, to ping from`);
    }
    const server = this.block['Server'] as { Name?: string; NetworkAdapters: Record<string, unknown>[] } | undefined;
    if (server !== undefined && server.NetworkAdapters.length > 0) this.placeAdapters(server.NetworkAdapters, origin);
    else if (server !== undefined || this.block['Server'] === undefined) {
      const publicAddress = this.publicAddress(lanAddress, interfaces);
      const subnetName = ((data['subnets'] as { name: string }[] | undefined)?.[0]?.name) ?? 'lan';
      this.block['Server'] = {
        ...(server?.Name === undefined ? {} : { Name: server.Name }),
        NetworkAdapters: [
          { Name: 'Internet', IPAddress: `${publicAddress.address}/24`, Internet: true },
          { Name: lanName, IPAddress: lanAddress, Subnet: subnetName },
        ],
      };
      this.site.assumed(['rras', 'Server'], origin, `two adapters: "Internet" at ${publicAddress.address}/24 (${publicAddress.why}) and "${lanName}" at ${lanAddress} on ${subnetName}`);
    }
    if (options.peerRoute) this.assumePeerRoute(origin, peers, interfaces);
  }

  /**
   * What New-NetIPAddress cannot say: an adapter with an address inside a subnet of the site sits
   * on that subnet; one with an address outside every subnet faces the Internet.
   */
  private placeAdapters(adapters: Record<string, unknown>[], origin: Origin): void {
    const subnets = (this.site.data['subnets'] ?? []) as { name: string; prefix: string }[];
    adapters.forEach((adapter, index) => {
      if (adapter['Subnet'] !== undefined || adapter['Internet'] !== undefined) return;
      const address = String(adapter['IPAddress']).split('/')[0]!;
      const subnet = subnets.find((s) => inPrefix(address, s.prefix));
      const path = ['rras', 'Server', 'NetworkAdapters', index];
      if (subnet !== undefined) {
        adapter['IPAddress'] = address;
        adapter['Subnet'] = subnet.name;
        this.site.assumed([...path, 'Subnet'], origin, `${address} is inside subnet ${subnet.name} (${subnet.prefix})`);
      } else {
        adapter['Internet'] = true;
        this.site.assumed([...path, 'Internet'], origin, `${address} is in no subnet of the site: the public adapter`);
      }
    });
  }

  /** The server's public address: what a peer's local network gateway says it is, or a documentation address. */
  private publicAddress(lanAddress: string, interfaces: readonly Record<string, unknown>[]): { address: string; why: string } {
    const destinations = new Set(interfaces.flatMap((i) => (i['Destination'] ?? []) as string[]));
    for (const other of this.draft.sites) {
      if (other.platform !== 'azure') continue;
      const azure = other.data['azure'] as { localNetworkGateways?: Record<string, unknown>[] } | undefined;
      for (const lng of azure?.localNetworkGateways ?? []) {
        const bgp = lng['bgpSettings'] as { bgpPeeringAddress?: string } | undefined;
        const prefixes = ((lng['localNetworkAddressSpace'] as { addressPrefixes?: string[] } | undefined)?.addressPrefixes) ?? [];
        if (typeof lng['gatewayIpAddress'] !== 'string') continue;
        if (bgp?.bgpPeeringAddress === lanAddress || prefixes.includes(`${lanAddress}/32`)) {
          return { address: lng['gatewayIpAddress'], why: `the gatewayIpAddress of ${other.name}'s local network gateway ${String(lng['name'])}, whose BGP address is this server's` };
        }
      }
    }
    const address = destinations.has('203.0.113.10') ? '203.0.113.11' : '203.0.113.10';
    return { address, why: 'no source gives the server\'s public address; a documentation address (TEST-NET-3)' };
  }

  /** The seed's step 3 (a console static route, not in the script): the BGP peer /32 into the S2S interface. */
  private assumePeerRoute(origin: Origin, peers: readonly Record<string, unknown>[], interfaces: readonly Record<string, unknown>[]): void {
    if (interfaces.length !== 1 || this.block['NetRoutes'] !== undefined) return;
    const iface = interfaces[0]!;
    const covered = ((iface['IPv4Subnet'] ?? []) as string[]).map((s) => s.slice(0, s.lastIndexOf(':')));
    const routes = peers
      .map((p) => p['PeerIPAddress'])
      .filter((a): a is string => typeof a === 'string' && !covered.some((prefix) => inPrefix(a, prefix)))
      .map((a) => ({ DestinationPrefix: `${a}/32`, InterfaceAlias: iface['Name'] }));
    if (routes.length === 0) return;
    this.block['NetRoutes'] = routes;
    this.site.assumed(['rras', 'NetRoutes'], origin, `the BGP peer's /32 routed into S2S interface ${String(iface['Name'])} (a static route the script does not add: the seed adds it in the RRAS console, step 3)`);
  }
}

/** Whether dotted `address` is inside `prefix` ("a.b.c.d/len"); false for text that is neither. */
export function inPrefix(address: string, prefix: string): boolean {
  const toNumber = (text: string): number | undefined => {
    const parts = text.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
    return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  };
  const [base, lengthText] = prefix.split('/');
  const a = toNumber(address);
  const b = toNumber(base ?? '');
  const length = Number(lengthText);
  if (a === undefined || b === undefined || !Number.isInteger(length) || length < 0 || length > 32) return false;
  const mask = length === 0 ? 0 : (~0 << (32 - length)) >>> 0;
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}
