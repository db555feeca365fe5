import { rangeToPrefixes } from '../../../ike/payloads/ts.js';
import { formatIpv4, formatPrefix, isLinkLocal, prefixContains, type Ipv4Address } from '../../../net/address.js';
import type {
  FrrNeighbor, FrrRouterBgp, LinuxGateway, LinuxInterface, LinuxRoute, LinuxSite, SwanctlConnection, SwanctlSecret, XfrmInterface,
} from '../../../topology/platforms/linux.js';
import type { Site, Topology } from '../../../topology/schema.js';
import type { Artifact, ExportContext, ExportFormat } from '../../artifacts.js';
import type { ModelRef } from '../../adapter.js';
import { RRAS_BGP_HOLD_S, RRAS_IKE_LIFETIME_S, RRAS_NETWORK_OUTAGE_S } from '../defaults.js';
import type { RrasModel, RrasS2SInterface, RrasSelectors } from '../model.js';

/*
 * The strongSwan + FRR equivalent of an RRAS server — what Azure's "download VPN device
 * configuration" offers for other devices: the same on-premises design written for the device
 * most users have. The RRAS model is mapped onto a plain `linux:` site block (the topology's own
 * shape, so the Linux exporter writes it and the emulator can run it), one gateway named after the
 * server:
 *
 *   NetworkAdapters        → interfaces eth0, eth1, … in the adapters' order (Linux names; each
 *                            file's description says which adapter each one is)
 *   DefaultGateway         → route 0.0.0.0/0 via it
 *   VpnS2SInterfaces[i]    → XFRM interface ipsec<i> (if_id 42+i) and swanctl connection and child
 *                            named after the interface: IKEv2, PSK, local/remote addresses as ids,
 *                            the proposals RRAS offers (defaults.ts), its lifetimes, DPD after
 *                            NetworkOutageTimeSeconds with restart when it redials, route-based
 *                            (local_ts/remote_ts 0.0.0.0/0 unless the interface has selectors)
 *   IPv4Subnet, NetRoutes  → routes into its XFRM interface (with their metrics)
 *   NetRoutes via adapters → routes out of that NIC
 *   BgpRouter, BgpPeers    → frr `router bgp` with a neighbour per peer (update-source =
 *                            LocalIPAddress, disable-connected-check for a peer behind a tunnel,
 *                            no `bgp ebgp-requires-policy`: RRAS has no RFC 8212 rule)
 *   BgpCustomRoutes        → `network`s (what RRAS advertises)
 *   an APIPA LocalIPAddress → an address on the XFRM interface that routes its peer
 *   a tunnel to Azure      → mtu 1400 and TCP MSS clamp 1350 on its XFRM interface (Azure's advice)
 *
 * What RRAS has and this mapping cannot carry is said in a comment in the file it concerns.
 */

/** The first XFRM interface ID, as examples/linux-azure-bgp.yaml numbers it. */
const FIRST_IF_ID = 42;
/** Azure's advice for on-premises devices: tunnel MTU 1400, or clamp TCP MSS to 1350. */
const AZURE_MTU = 1400;
const AZURE_MSS = 1350;

/** An RRAS setting the Linux files cannot carry, and the file it concerns. */
export interface NotCarried {
  readonly format: ExportFormat;
  readonly text: string;
}

export interface LinuxEquivalent {
  /** The site with the `rras:` block replaced by a `linux:` block (same name, subnets, hosts). */
  readonly site: Site & { platform: 'linux' };
  readonly gateway: string;
  readonly notCarried: readonly NotCarried[];
}

/**
 * A swanctl.conf section name for an S2S interface name: strongSwan's settings take a dot as the
 * separator of a key's path (`connections.198.51.100.10` would be four nested sections), so an
 * interface named after its peer's address, as the seed's is, becomes 198-51-100-10.
 */
export function swanctlName(name: string): string {
  return name.replace(/\./g, '-');
}

/** The public addresses of the Azure gateways in the topology. */
function azureAddresses(topology: Topology): Set<string> {
  const out = new Set<string>();
  for (const site of topology.sites) {
    if (site.platform !== 'azure') continue;
    for (const gw of site.azure?.virtualNetworkGateways ?? []) {
      for (const ip of gw.ipConfigurations ?? []) if (ip.publicIPAddress !== undefined) out.add(ip.publicIPAddress);
    }
  }
  return out;
}

/** RRAS traffic selectors as swanctl's local_ts/remote_ts (address ranges as prefixes). */
function tsOf(list: RrasSelectors, what: string, label: string, notCarried: NotCarried[]): string[] {
  if (!list.given) return ['0.0.0.0/0'];
  const out: string[] = [];
  for (const s of list.selectors) {
    out.push(...rangeToPrefixes(s.startAddress, s.endAddress).map(formatPrefix));
    if (s.ipProtocol !== 0 || s.startPort !== 0 || s.endPort !== 65535) {
      notCarried.push({ format: 'swanctl', text: `${label} ${what}: protocol ${s.ipProtocol} ports ${s.startPort}-${s.endPort} are dropped (vpnlab's linux block takes address prefixes only; swanctl would write them as [proto/port])` });
    }
  }
  return [...new Set(out)];
}

function connectionOf(model: RrasModel, s2s: RrasS2SInterface, index: number, notCarried: NotCarried[]):
  { connection: SwanctlConnection; secret: SwanctlSecret | undefined } | undefined {
  const iface = s2s.resource;
  const label = `S2S interface '${s2s.name}'`;
  const server = model.ipsecConfiguration?.resource;
  if (iface.Protocol !== undefined && iface.Protocol !== 'IKEv2' && iface.Protocol !== 'Automatic') {
    notCarried.push({ format: 'swanctl', text: `${label} uses Protocol ${iface.Protocol}: strongSwan speaks IKE only, so no connection is written for it` });
    return undefined;
  }
  if ((iface.AuthenticationMethod ?? 'PSKOnly') !== 'PSKOnly') {
    notCarried.push({ format: 'swanctl', text: `${label} authenticates with ${iface.AuthenticationMethod}: only pre-shared keys are mapped, so no connection is written for it` });
    return undefined;
  }
  if ('problem' in s2s.offer) {
    notCarried.push({ format: 'swanctl', text: `${label}: ${s2s.offer.problem}; no connection is written for it` });
    return undefined;
  }
  const local = s2s.ikeSource === undefined ? undefined : formatIpv4(s2s.ikeSource);
  if (local === undefined) {
    notCarried.push({ format: 'swanctl', text: `${label} has no SourceIpAddress and the server no public adapter: no connection is written for it` });
    return undefined;
  }
  const remote = s2s.destinations.map((d) => formatIpv4(d.value));
  const ifId = FIRST_IF_ID + index;
  const redial = iface.RedialOnLinkFailure === true || iface.RedialOnLinkFailure === 1 || iface.Persistent === true;
  const enabled = iface.AdminStatus !== false;
  const outage = iface.NetworkOutageTimeSeconds;
  if (remote.length > 1) notCarried.push({ format: 'swanctl', text: `${label} has ${remote.length} Destinations: all are in remote_addrs, and remote.id is the first (RRAS's IKE identity of each is its address)` });
  if (iface.InitiateConfigPayload !== false) notCarried.push({ format: 'swanctl', text: `${label} asks for a configuration payload (InitiateConfigPayload, RRAS's default): strongSwan asks only with vips, which a site-to-site tunnel has none of` });
  if (iface.NumberOfTries !== undefined || iface.RetryIntervalSeconds !== undefined) notCarried.push({ format: 'swanctl', text: `${label} NumberOfTries/RetryIntervalSeconds: strongSwan's keyingtries is not in vpnlab's swanctl block (its default, 1, then start_action/dpd_action restart)` });
  if ((iface.IdleDisconnectSeconds ?? 0) > 0) notCarried.push({ format: 'swanctl', text: `${label} IdleDisconnectSeconds ${iface.IdleDisconnectSeconds}: strongSwan keeps an idle tunnel up (inactivity is not in vpnlab's swanctl block)` });
  const kb = iface.SADataSizeForRenegotiationKilobytes ?? server?.SADataSizeForRenegotiationKilobytes;
  if (kb !== undefined) notCarried.push({ format: 'swanctl', text: `${label} SADataSizeForRenegotiationKilobytes ${kb}: rekey_bytes is not in vpnlab's swanctl block; the CHILD_SA rekeys on time only` });
  if (iface.ResponderAuthenticationMethod !== undefined && iface.ResponderAuthenticationMethod !== 'PSKOnly') notCarried.push({ format: 'swanctl', text: `${label} ResponderAuthenticationMethod ${iface.ResponderAuthenticationMethod}: the peer authenticates with the pre-shared key here` });
  const connection: SwanctlConnection = {
    version: 2,
    local_addrs: [local],
    remote_addrs: remote,
    proposals: [...s2s.offer.ike],
    rekey_time: iface.MMSALifeTimeSeconds ?? server?.MMSALifeTimeSeconds ?? RRAS_IKE_LIFETIME_S,
    dpd_delay: outage ?? RRAS_NETWORK_OUTAGE_S,
    if_id_in: ifId,
    if_id_out: ifId,
    local: { auth: 'psk', id: local },
    remote: { auth: 'psk', id: remote[0]! },
    children: {
      [swanctlName(s2s.name)]: {
        local_ts: tsOf(s2s.localSelectors, 'LocalVpnTrafficSelector', label, notCarried),
        remote_ts: tsOf(s2s.remoteSelectors, 'RemoteVpnTrafficSelector', label, notCarried),
        esp_proposals: [...s2s.offer.esp],
        rekey_time: s2s.childLifetimeS,
        start_action: enabled ? 'start' : 'none',
        dpd_action: redial ? 'restart' : 'clear',
      },
    },
  };
  const secret = iface.SharedSecret === undefined ? undefined : { id: remote.length === 1 ? remote[0]! : remote, secret: iface.SharedSecret };
  if (secret === undefined) notCarried.push({ format: 'swanctl', text: `${label} has no SharedSecret: no secret is written for it` });
  return { connection, secret };
}

function routerBgp(model: RrasModel, peerBehindTunnel: (address: Ipv4Address) => boolean, notCarried: NotCarried[]): FrrRouterBgp | undefined {
  const router = model.bgpRouter;
  if (router === undefined) {
    if (model.bgpPeers.length > 0) notCarried.push({ format: 'frr', text: 'BgpPeers without a BgpRouter: no router bgp is written (RRAS has no BGP router either)' });
    return undefined;
  }
  const r = router.resource;
  if (router.transitRouting) notCarried.push({ format: 'frr', text: 'TransitRouting Enabled: FRR re-advertises what it learns, as written here' });
  else if (model.bgpPeers.length > 1) notCarried.push({ format: 'frr', text: 'TransitRouting Disabled (RRAS\'s default): FRR re-advertises what one neighbour teaches to the others; an outbound route-map permitting only the networks below would keep RRAS\'s behaviour (route-maps are not in vpnlab\'s frr block)' });
  if (r.CompareMEDAcrossASN === true) notCarried.push({ format: 'frr', text: 'CompareMEDAcrossASN: `bgp always-compare-med` is not in vpnlab\'s frr block' });
  if (r.DefaultGatewayRouting === true) notCarried.push({ format: 'frr', text: 'DefaultGatewayRouting is not carried' });
  if (r.RouteReflector === 'Enabled' || r.ClusterId !== undefined || r.ClientToClientReflection !== undefined) notCarried.push({ format: 'frr', text: 'RouteReflector, ClusterId and ClientToClientReflection are not carried (route reflection is not in vpnlab\'s frr block)' });
  const neighbors: Record<string, FrrNeighbor> = {};
  for (const p of model.bgpPeers) {
    const address = formatIpv4(p.peerAddress.value);
    const label = `BGP peer '${p.name}'`;
    if (neighbors[address] !== undefined) {
      notCarried.push({ format: 'frr', text: `${label}: a second peer at ${address}; FRR has one neighbour per address, the first is written` });
      continue;
    }
    if (p.resource.LocalASN !== undefined && p.resource.LocalASN !== router.localAsn.value) notCarried.push({ format: 'frr', text: `${label} LocalASN ${p.resource.LocalASN}: \`neighbor X local-as\` is not in vpnlab's frr block; the neighbour sees AS ${router.localAsn.value}` });
    if (p.resource.Weight !== undefined) notCarried.push({ format: 'frr', text: `${label} Weight ${p.resource.Weight}: \`neighbor X weight\` is not in vpnlab's frr block` });
    if (p.resource.IdleHoldTimeSec !== undefined) notCarried.push({ format: 'frr', text: `${label} IdleHoldTimeSec ${p.resource.IdleHoldTimeSec}: FRR's connect/idle timers keep their defaults` });
    if (p.resource.PeeringMode === 'Manual') notCarried.push({ format: 'frr', text: `${label} PeeringMode Manual: FRR starts the session itself (\`neighbor X shutdown\` would hold it)` });
    if (p.resource.RouteReflectorClient === true) notCarried.push({ format: 'frr', text: `${label} RouteReflectorClient is not carried` });
    const hold = p.holdTime;
    neighbors[address] = {
      'remote-as': p.resource.PeerASN,
      'update-source': formatIpv4(p.localAddress.value),
      ...(peerBehindTunnel(p.peerAddress.value) ? { 'disable-connected-check': true } : {}),
      ...(hold !== RRAS_BGP_HOLD_S ? { timers: [hold === 0 ? 0 : Math.max(1, Math.floor(hold / 3)), hold] as [number, number] } : {}),
      ...(p.passive ? { passive: true } : {}),
      ...(p.resource.MaxAllowedPrefix !== undefined ? { 'maximum-prefix': p.resource.MaxAllowedPrefix } : {}),
      description: `RRAS BGP peer ${p.name}`,
    };
  }
  return {
    asn: router.localAsn.value,
    'bgp router-id': formatIpv4(router.identifier.value),
    'bgp ebgp-requires-policy': false,
    neighbors,
    ...(model.advertised.length > 0 ? { network: model.advertised.map(formatPrefix) } : {}),
  };
}

/** The Linux site equivalent to an RRAS site's server. */
export function linuxEquivalent(site: Site & { platform: 'rras' }, model: RrasModel, topology: Topology): LinuxEquivalent {
  const notCarried: NotCarried[] = [];
  const nicName = new Map(model.adapters.map((a, i) => [a.name, `eth${i}`]));
  const interfaces: LinuxInterface[] = model.adapters.map((a, i) => ({
    name: `eth${i}`,
    address: a.resource.IPAddress,
    ...(a.resource.Subnet !== undefined ? { subnet: a.resource.Subnet } : {}),
    ...(a.internet ? { internet: true } : {}),
  }));
  const routes: LinuxRoute[] = [];
  for (const a of model.adapters) {
    if (a.defaultGateway !== undefined) routes.push({ to: '0.0.0.0/0', dev: nicName.get(a.name)!, via: formatIpv4(a.defaultGateway.value) });
  }
  for (const r of model.netRoutes) {
    if (r.via.target === undefined) {
      notCarried.push({ format: 'ip', text: `NetRoute ${formatPrefix(r.destination)} names InterfaceAlias '${r.via.name}', which the server does not have: not written` });
      continue;
    }
    if (r.via.target.kind === 's2s') continue; // written with its XFRM interface below
    routes.push({
      to: formatPrefix(r.destination), dev: nicName.get(r.via.name)!,
      ...(r.nextHop !== undefined ? { via: formatIpv4(r.nextHop) } : {}),
      ...(r.resource.RouteMetric !== undefined ? { metric: r.resource.RouteMetric } : {}),
    });
  }
  const azure = azureAddresses(topology);
  const xfrm: XfrmInterface[] = [];
  const connections: Record<string, SwanctlConnection> = {};
  const secrets: Record<string, SwanctlSecret> = {};
  model.interfaces.forEach((s2s, index) => {
    const conn = swanctlName(s2s.name);
    if (connections[conn] !== undefined) {
      notCarried.push({ format: 'swanctl', text: `S2S interface '${s2s.name}' would be connection '${conn}', as another one is: not written` });
      return;
    }
    const built = connectionOf(model, s2s, index, notCarried);
    if (built === undefined) return;
    const name = `ipsec${index}`;
    const ifId = FIRST_IF_ID + index;
    const dev = model.adapters.findIndex((a) => a.address === s2s.ikeSource);
    const toAzure = s2s.destinations.some((d) => azure.has(formatIpv4(d.value)));
    // APIPA BGP addresses live on the tunnel interface that routes the peer (as the RRAS planner does).
    const apipa = model.bgpPeers.filter((p) => !model.adapters.some((a) => a.address === p.localAddress.value) && isLinkLocal(p.localAddress.value)
      && model.interfaces.find((i) => i.routes.some((r) => prefixContains(r, p.peerAddress.value))) === s2s).map((p) => `${formatIpv4(p.localAddress.value)}/32`);
    xfrm.push({
      name, if_id: ifId,
      ...(dev >= 0 ? { dev: `eth${dev}` } : {}),
      ...(apipa.length > 0 ? { addresses: [...new Set(apipa)] } : {}),
      ...(toAzure ? { mtu: AZURE_MTU, 'set-mss': AZURE_MSS } : {}),
    });
    for (const s of s2s.subnets) routes.push({ to: formatPrefix(s.prefix), dev: name, metric: s.metric });
    for (const r of s2s.netRoutes) {
      routes.push({
        to: formatPrefix(r.destination), dev: name,
        ...(r.resource.RouteMetric !== undefined ? { metric: r.resource.RouteMetric } : {}),
      });
    }
    if (conn !== s2s.name) notCarried.push({ format: 'swanctl', text: `S2S interface '${s2s.name}' is connection '${conn}' (strongSwan reads a dot in a name as a section separator)` });
    connections[conn] = built.connection;
    if (built.secret !== undefined) secrets[`ike-${conn}`] = built.secret;
  });
  const lanPrefixes = model.adapters.flatMap((a) => (a.prefix === undefined ? [] : [a.prefix]));
  const frr = routerBgp(model, (address) => !lanPrefixes.some((p) => prefixContains(p, address)), notCarried);
  const gatewayName = model.serverName;
  const gateway: LinuxGateway = {
    name: gatewayName,
    description: `strongSwan + FRR equivalent of RRAS server ${model.serverName}: ${[
      ...model.adapters.map((a, i) => `eth${i} = adapter ${a.name}`),
      ...xfrm.map((x) => `${x.name} = S2S interface ${model.interfaces[x.if_id - FIRST_IF_ID]!.name}`),
    ].join(', ')}`,
    interfaces,
    ...(xfrm.length > 0 ? { xfrm } : {}),
    ...(routes.length > 0 ? { routes } : {}),
    ...(Object.keys(connections).length > 0 ? { swanctl: { connections, ...(Object.keys(secrets).length > 0 ? { secrets } : {}) } } : {}),
    ...(frr !== undefined ? { frr: { 'router bgp': frr } } : {}),
  };
  const { rras: _rras, platform: _platform, ...common } = site;
  const linux: LinuxSite = { gateways: [gateway] };
  return { site: { ...common, platform: 'linux', linux }, gateway: gatewayName, notCarried };
}

/** The comment syntax of a Linux file: `#` for swanctl.conf and ip.sh, `!` for frr.conf. */
function marker(format: Artifact['format']): string {
  return format === 'frr' ? '!' : '#';
}

/**
 * The Linux files of the RRAS site's equivalent: the Linux exporter's files for the mapped site,
 * moved under `<site>/linux/<gateway>/`, each with a line saying what it stands for and a comment
 * on what RRAS has that it cannot carry.
 */
export function linuxEquivalentArtifacts(ref: ModelRef<'rras', RrasModel | undefined>, context: ExportContext): Artifact[] {
  const formats = new Set([...context.formats].filter((f) => f === 'swanctl' || f === 'frr' || f === 'ip'));
  if (ref.model === undefined || formats.size === 0) return [];
  const site = ref.site as Site & { platform: 'rras' };
  const { site: linux, gateway, notCarried } = linuxEquivalent(site, ref.model, context.topology);
  const from = `${site.name}/${gateway}/`;
  return context.exportAs(linux, formats).map((a) => {
    const c = marker(a.format);
    const lines = a.text.split('\n');
    const at = lines[0]?.startsWith('#!') === true ? 1 : 0;
    const notes = notCarried.filter((n) => n.format === a.format);
    lines.splice(at, 0,
      `${c} The strongSwan + FRR equivalent of RRAS server '${ref.model!.serverName}' of site '${site.name}': the same design for a Linux gateway`,
      `${c} in its place (${site.name}/${gateway}.ps1 builds the RRAS server itself).`,
      ...(notes.length === 0 ? [] : [`${c} What the RRAS server has and this file cannot carry:`, ...notes.map((n) => `${c}   - ${n.text}`)]));
    const path = a.path.startsWith(from) ? `${site.name}/linux/${gateway}/${a.path.slice(from.length)}` : `${site.name}/linux/${a.path}`;
    return { ...a, path, text: lines.join('\n') };
  });
}
