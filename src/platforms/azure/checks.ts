import { suggest } from '../../config/issues.js';
import type { DocPath } from '../../config/source.js';
import { formatIpv4, formatPrefix, parseIpv4, parsePrefix, prefixContains, prefixesOverlap, type Ipv4Address } from '../../net/address.js';
import type { Topology } from '../../topology/schema.js';
import type { CheckContext, Findings, ModelRef } from '../adapter.js';
import { connectionRemotes } from './connection.js';
import { AZURE_APIPA_FIRST, AZURE_APIPA_LAST, AZURE_DEFAULT_ASN, AZURE_DEFAULT_SKU, AZURE_RESERVED_ASNS, AZURE_SKU_MAX_TUNNELS, azureSharedKeyProblem, isIanaReservedAsn } from './defaults.js';
import { azureBlock, type AzureSiteOf } from './facts.js';
import { derivedGateways, peerGateway, type AzureModel, type DerivedGateway, type ModelConnection, type ModelLng } from './model.js';
import type { Connection, VirtualNetworkGateway } from '../../topology/platforms/azure.js';

/*
 * Azure's own rules, per VNet: GatewaySubnet, SKU and VPN type limits, reserved and duplicate
 * ASNs, the read-only BGP addresses, custom APIPA addresses, local network gateways that describe
 * the wrong side, shared keys, and BGP transit across VNet-to-VNet links (S1-S5 in
 * shared/reference/platform-behaviours.md §A.1).
 */

const MIN_GATEWAY_SUBNET_LENGTH = 29;
const APIPA_RANGE = '169.254.21.0-169.254.22.255';
const ASN_HINT = 'use a private ASN in 64512-65514 or 65521-65534, different on the two sides of each BGP session';

/** Why Azure refuses `asn`; `onPeer` for a local network gateway, where 65515 is refused too. */
export function azureReservedAsn(asn: number, onPeer: boolean): string | undefined {
  if (AZURE_RESERVED_ASNS.includes(asn) && (onPeer || asn !== AZURE_DEFAULT_ASN)) return 'reserved by Azure';
  return isIanaReservedAsn(asn) ? 'reserved by IANA' : undefined;
}

export function isAzureApipa(address: Ipv4Address): boolean {
  return address >= AZURE_APIPA_FIRST && address <= AZURE_APIPA_LAST;
}

interface SiteContext {
  readonly site: AzureSiteOf;
  readonly at: DocPath;
  /** The site's gateways whose facts Azure derives. */
  readonly gateways: readonly DerivedGateway[];
  readonly report: Findings;
}

export function checkAzureSite({ site, index: siteIndex, at, model }: ModelRef<'azure', AzureModel>, { topology, modelOf }: CheckContext, report: Findings): void {
  if (site.azure === undefined) return;
  const cx: SiteContext = { site, at, gateways: derivedGateways(model), report };
  (site.azure.virtualNetworkGateways ?? []).forEach((g, i) => checkGateway(cx, g, [...cx.at, 'virtualNetworkGateways', i], siteIndex));
  for (const l of model.localNetworkGateways) checkLocalNetworkGateway(cx, model, l);
  for (const c of model.connections) checkConnection(topology, cx, c);
  for (const g of cx.gateways) checkTransit(model, g, modelOf, report);
  for (const g of cx.gateways) checkTunnelQuota(model, g, modelOf, report);
}

/**
 * The tunnels a gateway's connections build (one per instance and remote end, as `ends.ts`
 * declares them) against its SKU's quota: Azure refuses the connection that goes past it.
 */
function checkTunnelQuota(model: AzureModel, g: DerivedGateway, modelOf: (site: string) => unknown, report: Findings): void {
  const sku = g.gateway.sku ?? AZURE_DEFAULT_SKU;
  const limit = AZURE_SKU_MAX_TUNNELS[sku];
  const mine = model.connections.filter((c) => c.gateway === g);
  let tunnels = 0;
  let refused: ModelConnection | undefined;
  for (const c of mine) {
    const remotes = connectionRemotes(c, g.facts, peerGateway(modelOf, c)?.gateway.facts);
    tunnels += g.facts.instances.length * (Array.isArray(remotes) ? remotes.length : 0);
    if (tunnels > limit && refused === undefined) refused = c;
  }
  if (refused === undefined) return;
  const perInstance = g.facts.instances.length > 1 ? ' (each active-active instance builds its own)' : '';
  report.error('AZURE_SKU_TUNNEL_LIMIT', refused.path,
    `gateway '${g.gateway.name}' (sku ${sku}${g.gateway.sku === undefined ? ', assumed' : ''}) would carry ${tunnels} tunnels${perInstance} from ${mine.length} connections, but ${sku} allows ${limit}: Azure refuses connection '${refused.conn.name}' and every one after it`,
    limit < 100 ? `use sku VpnGw4 or VpnGw5 (100 tunnels), or spread the sites over more gateways` : 'spread the sites over more gateways (past 100 tunnels Azure recommends Virtual WAN)');
}

function checkGateway(cx: SiteContext, gw: VirtualNetworkGateway, gp: DocPath, siteIndex: number): void {
  const { site, report } = cx;
  const label = `gateway '${gw.name}'`;
  const subnets = site.subnets ?? [];
  gw.ipConfigurations.forEach((config, ci) => {
    const name = config.subnet ?? 'GatewaySubnet';
    const subnetIndex = subnets.findIndex((s) => s.name === name);
    const path = config.subnet !== undefined ? [...gp, 'ipConfigurations', ci, 'subnet'] : [...gp, 'ipConfigurations', ci];
    if (subnetIndex < 0) {
      report.error('AZURE_GATEWAY_SUBNET', path, `${label} ipConfiguration '${config.name}' sits in subnet '${name}', which VNet '${site.name}' does not have: Azure refuses to create the gateway`,
        'add a subnet named exactly GatewaySubnet (/27 or larger recommended, /29 at least)');
    } else if (name !== 'GatewaySubnet') {
      report.error('AZURE_GATEWAY_SUBNET', path, `${label} ipConfiguration '${config.name}' sits in subnet '${name}': Azure creates VPN gateways only in a subnet named exactly GatewaySubnet and refuses this one`,
        `rename subnet '${name}' to GatewaySubnet`);
    } else if (parsePrefix(subnets[subnetIndex]!.prefix).length > MIN_GATEWAY_SUBNET_LENGTH) {
      report.error('AZURE_GATEWAY_SUBNET', ['sites', siteIndex, 'subnets', subnetIndex, 'prefix'],
        `GatewaySubnet ${subnets[subnetIndex]!.prefix} of VNet '${site.name}' is smaller than /29: Azure refuses to create ${label} in it`, 'make GatewaySubnet a /27 or larger (/29 at least)');
    }
  });
  if (gw.activeActive === true && gw.ipConfigurations.length < 2) {
    report.error('AZURE_ACTIVE_ACTIVE', [...gp, 'ipConfigurations'], `${label} is activeActive with one ipConfiguration: Azure needs one per instance (two public IPs) and refuses the gateway`,
      'add a second ipConfiguration with its own public IP, or set activeActive: false');
  }
  const basicOff = [gw.enableBgp === true && 'BGP', gw.activeActive === true && 'active-active'].filter((f): f is string => f !== false);
  if (gw.sku === 'Basic' && basicOff.length > 0) {
    report.error('AZURE_BASIC_SKU', [...gp, 'sku'], `${label} is a Basic SKU with ${basicOff.join(' and ')}: the Basic SKU supports neither, and Azure refuses the gateway`, 'use sku VpnGw1 or above');
  }
  const asn = gw.bgpSettings?.asn;
  const reserved = asn === undefined ? undefined : azureReservedAsn(asn, false);
  if (reserved !== undefined) {
    report.error('AZURE_RESERVED_ASN', [...gp, 'bgpSettings', 'asn'], `${label} ASN ${asn} is ${reserved}: Azure refuses to create the gateway with it`, ASN_HINT);
  }
  (gw.bgpSettings?.bgpPeeringAddresses ?? []).forEach((entry, ei) => {
    const ep = [...gp, 'bgpSettings', 'bgpPeeringAddresses', ei];
    if (!gw.ipConfigurations.some((c) => c.name === entry.ipconfigurationId)) {
      report.error('AZURE_UNKNOWN_REFERENCE', [...ep, 'ipconfigurationId'], `${label} bgpPeeringAddresses names ipConfiguration '${entry.ipconfigurationId}', which the gateway does not have: Azure refuses it`,
        suggest(entry.ipconfigurationId, gw.ipConfigurations.map((c) => c.name)));
    }
    (entry.customBgpIpAddresses ?? []).forEach((text, ai) => {
      if (isAzureApipa(parseIpv4(text))) return;
      report.error('AZURE_APIPA_OUT_OF_RANGE', [...ep, 'customBgpIpAddresses', ai], `${label} custom BGP address ${text} (ipConfiguration '${entry.ipconfigurationId}') is outside ${APIPA_RANGE}: Azure refuses it, so no BGP session can use it`,
        `choose an address in ${APIPA_RANGE}, unique across every peer and gateway`);
    });
  });
  checkDerivedBgpAddresses(cx, gw, gp);
}

/** The read-only addresses, when the file repeats them, must be what Azure derives. */
function checkDerivedBgpAddresses(cx: SiteContext, gw: VirtualNetworkGateway, gp: DocPath): void {
  const facts = cx.gateways.find((g) => g.gateway === gw)?.facts;
  if (facts === undefined) return;
  const derived = facts.instances.map((i) => formatIpv4(i.bgpAddress));
  const rule = facts.activeActive ? 'the 5th and 6th addresses of GatewaySubnet' : 'the last usable address of GatewaySubnet';
  const compare = (givenList: readonly string[], expectedList: readonly string[], path: DocPath): void => {
    const [given, expected] = [givenList.join(','), expectedList.join(',')];
    if (given === expected) return;
    cx.report.error('AZURE_BGP_ADDRESS_MISMATCH', path,
      `gateway '${gw.name}' BGP address ${given} is not the one Azure assigns (${expected}, ${rule} ${formatPrefix(facts.instances[0]!.gatewaySubnetPrefix)}): peers set up from this file send their BGP OPEN to an address nobody answers on`,
      `write ${expected}, or leave the read-only field out`);
  };
  const given = gw.bgpSettings?.bgpPeeringAddress;
  if (given !== undefined) compare(given.split(',').map((s) => s.trim()), derived, [...gp, 'bgpSettings', 'bgpPeeringAddress']);
  (gw.bgpSettings?.bgpPeeringAddresses ?? []).forEach((entry, ei) => {
    const instance = facts.instances.find((i) => i.ipConfiguration === entry.ipconfigurationId);
    if (entry.defaultBgpIpAddresses === undefined || instance === undefined) return;
    compare(entry.defaultBgpIpAddresses, [formatIpv4(instance.bgpAddress)], [...gp, 'bgpSettings', 'bgpPeeringAddresses', ei, 'defaultBgpIpAddresses']);
  });
}

function checkLocalNetworkGateway(cx: SiteContext, model: AzureModel, l: ModelLng): void {
  const { site, report } = cx;
  const { lng, path: lp } = l;
  const label = `local network gateway '${lng.name}'`;
  const vnet = model.vnetPrefixes;
  l.prefixes.forEach((prefix, pi) => {
    const clash = vnet.find((v) => prefixesOverlap(v, prefix));
    if (clash === undefined) return;
    report.error('TOPO_ADDRESS_OVERLAP', [...lp, 'localNetworkAddressSpace', 'addressPrefixes', pi],
      `${label} prefix ${formatPrefix(prefix)} overlaps VNet '${site.name}' address space ${formatPrefix(clash)}: Azure refuses overlapping prefixes, and traffic to them would stay inside the VNet`,
      'the on-premises prefixes must not overlap the VNet; renumber one side (with BGP the local network gateway needs only the peer\'s /32, or nothing)');
  });
  const bgp = l.bgp;
  if (bgp === undefined) return;
  const bp = [...lp, 'bgpSettings'];
  const reserved = azureReservedAsn(bgp.asn, true);
  if (reserved !== undefined) {
    report.error('AZURE_RESERVED_ASN', [...bp, 'asn'], `${label} ASN ${bgp.asn} is ${reserved}: Azure refuses the local network gateway, so no BGP session to the device comes up`,
      `${ASN_HINT}; set the same ASN on the device`);
  }
  const gateways = cx.gateways;
  const connected = gateways.filter((g) => model.connections.some((c) => c.gateway === g && c.lng === l));
  const same = connected.find((g) => g.facts.asn === bgp.asn);
  if (same !== undefined) {
    report.error('AZURE_DUPLICATE_ASN', [...bp, 'asn'], `${label} ASN ${bgp.asn} is also the ASN of gateway '${same.gateway.name}': the two ends of an eBGP session need different ASNs, so Azure refuses the connection`,
      `${ASN_HINT}; the local network gateway carries the device's ASN`);
  }
  const address = bgp.address;
  const own = gateways.find((g) => g.facts.instances.some((i) => i.bgpAddress === address || i.customBgpAddresses.includes(address)));
  const inside = vnet.find((v) => prefixContains(v, address));
  const problem = own !== undefined ? `is the own BGP address of Azure gateway '${own.gateway.name}', not the device's: Azure would peer with itself`
    : inside !== undefined ? `lies inside VNet '${site.name}' (${formatPrefix(inside)}): Azure keeps it in the VNet instead of sending it into the tunnel`
      : address === l.gatewayAddress ? 'is the device\'s public address, which Azure does not accept as a BGP peer address' : undefined;
  if (problem !== undefined) {
    report.error('AZURE_LNG_BGP_ADDRESS', [...bp, 'bgpPeeringAddress'], `${label} bgpPeeringAddress ${formatIpv4(address)} ${problem}; the BGP session never comes up`,
      'give the address the on-premises device peers from (RRAS BgpPeers LocalIPAddress, Alibaba LocalBgpIp), outside the VNet and not its public IP');
  }
}

function checkConnection(topology: Topology, cx: SiteContext, c: ModelConnection): void {
  const { site, report } = cx;
  const { conn, path: cp } = c;
  const block = azureBlock(site);
  const label = `connection '${conn.name}'`;
  const gatewayNames = (block.virtualNetworkGateways ?? []).map((g) => g.name);
  const gateway = cx.gateways.find((g) => g === c.gateway);
  if (c.gateway === undefined) {
    report.error('AZURE_UNKNOWN_REFERENCE', [...cp, 'virtualNetworkGateway1'], `${label} names gateway '${conn.virtualNetworkGateway1}', which VNet '${site.name}' does not have: Azure refuses the connection`, suggest(conn.virtualNetworkGateway1, gatewayNames));
  }
  const lngNames = (block.localNetworkGateways ?? []).map((l) => l.name);
  const lng = c.lng?.lng;
  if (conn.connectionType === 'IPsec' && conn.localNetworkGateway2 !== undefined && lng === undefined) {
    report.error('AZURE_UNKNOWN_REFERENCE', [...cp, 'localNetworkGateway2'], `${label} names local network gateway '${conn.localNetworkGateway2}', which VNet '${site.name}' does not have: Azure refuses the connection`, suggest(conn.localNetworkGateway2, lngNames));
  }
  if (conn.connectionType === 'Vnet2Vnet' && conn.virtualNetworkGateway2 !== undefined) {
    const known = topology.sites.flatMap((s) => (s.platform === 'azure' ? (azureBlock(s).virtualNetworkGateways ?? []).map((g) => `${s.name}/${g.name}`) : []));
    if (!known.includes(conn.virtualNetworkGateway2)) {
      report.error('AZURE_UNKNOWN_REFERENCE', [...cp, 'virtualNetworkGateway2'], `${label} names gateway '${conn.virtualNetworkGateway2}', which no Azure site has: Azure refuses the connection`, suggest(conn.virtualNetworkGateway2, known));
    }
  }
  if (conn.connectionType === 'ExpressRoute') return;
  if (conn.sharedKey !== undefined) {
    const problem = azureSharedKeyProblem(conn.sharedKey);
    if (problem !== undefined) {
      report.error('AZURE_SHARED_KEY_INVALID', [...cp, 'sharedKey'], `${label} sharedKey ${problem}: Azure refuses the key (printable ASCII except space, '-' and '~'), so the connection cannot be created`,
        'choose a key of letters, digits and other symbols, and set the same on the peer');
    }
  }
  checkIpsecPolicy(conn, cp, report);
  checkConnectionBgp(cx, c, gateway);
}

function checkIpsecPolicy(conn: Connection, cp: DocPath, report: Findings): void {
  const policy = conn.ipsecPolicies?.[0];
  if (policy === undefined) return;
  const pp = [...cp, 'ipsecPolicies', 0];
  if (policy.ikeEncryption.startsWith('GCM') !== policy.ikeIntegrity.startsWith('GCM')) {
    report.error('AZURE_IPSEC_POLICY', [...pp, 'ikeIntegrity'], `connection '${conn.name}' IPsec policy pairs ikeEncryption ${policy.ikeEncryption} with ikeIntegrity ${policy.ikeIntegrity}: Azure refuses the policy (GCM goes with GCM only)`,
      'use a GCM ikeIntegrity with a GCM ikeEncryption, a SHA one otherwise');
  }
  if (policy.ipsecEncryption.startsWith('GCM') && policy.ipsecIntegrity !== policy.ipsecEncryption) {
    report.error('AZURE_IPSEC_POLICY', [...pp, 'ipsecIntegrity'], `connection '${conn.name}' IPsec policy pairs ipsecEncryption ${policy.ipsecEncryption} with ipsecIntegrity ${policy.ipsecIntegrity}: Azure refuses the policy`,
      `set ipsecIntegrity: ${policy.ipsecEncryption} (a GCM encryption needs the same GCM integrity)`);
  }
}

function checkConnectionBgp(cx: SiteContext, { conn, path: cp, lng: resolved, customBgpAddresses }: ModelConnection, gateway: DerivedGateway | undefined): void {
  const lng = resolved?.lng;
  const label = `connection '${conn.name}'`;
  if (conn.enableBgp === true && gateway !== undefined && !gateway.facts.bgpEnabled) {
    cx.report.error('AZURE_BGP_NOT_ENABLED', [...cp, 'enableBgp'], `${label} has enableBgp but gateway '${gateway.gateway.name}' has BGP off: Azure refuses it, and no BGP session comes up`,
      'set enableBgp: true on the gateway (and its bgpSettings.asn)');
  }
  if (conn.connectionType === 'IPsec' && conn.enableBgp === true && lng !== undefined && lng.bgpSettings === undefined) {
    cx.report.error('AZURE_BGP_NOT_ENABLED', [...cp, 'enableBgp'], `${label} has enableBgp but local network gateway '${lng.name}' has no bgpSettings: Azure knows no ASN or BGP address for the device, so no BGP session comes up`,
      'give the local network gateway bgpSettings.asn and bgpPeeringAddress (the device\'s own)');
  }
  for (const choice of customBgpAddresses) {
    const text = formatIpv4(choice.address);
    const instance = gateway?.facts.instances.find((i) => i.ipConfiguration === choice.ipConfiguration);
    if (!isAzureApipa(choice.address)) {
      cx.report.error('AZURE_APIPA_OUT_OF_RANGE', choice.path, `${label} custom BGP address ${text} is outside ${APIPA_RANGE}: Azure refuses it, so no BGP session can use it`, `choose one of the gateway's customBgpIpAddresses in ${APIPA_RANGE}`);
    } else if (instance !== undefined && !instance.customBgpAddresses.includes(choice.address)) {
      cx.report.error('AZURE_UNKNOWN_REFERENCE', choice.path, `${label} custom BGP address ${text} is not among the customBgpIpAddresses of ipConfiguration '${choice.ipConfiguration}': Azure refuses the connection`,
        `add it to gateway '${gateway!.gateway.name}' bgpSettings.bgpPeeringAddresses, or pick one listed there`);
    }
  }
  // An instance with no APIPA address to peer from is AZURE_APIPA_NO_CUSTOM, reported by the planner (gateway.ts).
}

/** Transit from on premises to a VNet-to-VNet peer needs BGP on every hop (S1, S3). */
function checkTransit(model: AzureModel, g: DerivedGateway, modelOf: (site: string) => unknown, report: Findings): void {
  if (!g.facts.bgpEnabled) return;
  const mine = model.connections.filter((c) => c.gateway === g);
  const learner = mine.find((c) => c.conn.connectionType === 'IPsec' && c.conn.enableBgp === true && c.lng?.bgp !== undefined);
  if (learner === undefined) return;
  for (const c of mine) {
    if (c.conn.connectionType !== 'Vnet2Vnet') continue;
    const other = peerGateway(modelOf, c);
    if (other === undefined) continue;
    const off: { path: DocPath; what: string }[] = [];
    const hops: boolean[] = [c.conn.enableBgp === true];
    const offText = (enableBgp: boolean | undefined): string => `has enableBgp ${enableBgp ?? 'false (the default)'}`;
    if (c.conn.enableBgp !== true) off.push({ path: [...c.path, 'enableBgp'], what: `connection '${c.conn.name}' ${offText(c.conn.enableBgp)}` });
    for (const back of other.model.connections) {
      if (back.gateway !== other.gateway || back.peer?.site !== model.site.name || back.peer.gateway !== g.gateway.name) continue;
      hops.push(back.conn.enableBgp === true);
      if (back.conn.enableBgp !== true) off.push({ path: [...back.path, 'enableBgp'], what: `connection '${back.conn.name}' ${offText(back.conn.enableBgp)}` });
    }
    if (!other.gateway.facts.bgpEnabled) off.push({ path: [...other.gateway.path, 'enableBgp'], what: `gateway '${other.gateway.gateway.name}' has BGP off` });
    if (!hops.some((h) => h)) continue;
    for (const o of off) {
      report.warning('AZURE_TRANSIT_BGP_OFF', o.path,
        `${o.what}: BGP does not run on both directions of the VNet-to-VNet link between '${g.gateway.name}' and '${other.gateway.gateway.name}', so VNet '${other.model.site.name}' never learns the on-premises routes '${g.gateway.name}' learns over connection '${learner.conn.name}', and on premises never learns VNet '${other.model.site.name}': neither can reach the other`,
        'set enableBgp: true on both Vnet2Vnet connections and on both gateways (transit needs BGP on every hop)');
    }
  }
}
