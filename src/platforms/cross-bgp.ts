import type { DocPath } from '../config/source.js';
import { isUnacceptableHoldTime } from '../bgp/timers.js';
import { formatIpv4, formatPrefix, isLinkLocal, parseIpv4, prefixContains, type Ipv4Address } from '../net/address.js';
import { ALIBABA_BGP_ROUTE_QUOTA, ALIBABA_DEFAULT_ASN } from './alibaba/defaults.js';
import { asnValue } from './alibaba/checks.js';
import { AZURE_BGP_HOLD_S, AZURE_BGP_KEEPALIVE_S, AZURE_MAX_PREFIXES } from './azure/defaults.js';
import { azureBlock } from './azure/facts.js';
import type { LocalNetworkGatewayBgpSettings } from '../topology/platforms/azure.js';
import type { Findings } from './adapter.js';
import type { AlibabaEnd, AzureEnd, RrasEnd, Tunnels } from './pairing.js';
import { advertisedPrefixes } from './rras/facts.js';

/*
 * The BGP session over each tunnel that has Azure at one end, compared with what the other end
 * configures: the ASN the local network gateway expects against the device's own, the peer ASN
 * against the Azure gateway's, the peering addresses on both sides, who opens the session when
 * APIPA addresses make Azure passive, hold timers against Azure's fixed 60/180 s, and prefix
 * counts against Azure's 4,000 and Alibaba's 50.
 */

export function checkBgpPairs(tunnels: Tunnels, report: Findings): void {
  for (const { a, b } of tunnels.pairs) {
    if (a.platform !== 'azure') continue;
    if (b.platform === 'rras') checkRras(a, b, report);
    else if (b.platform === 'alibaba') checkAlibaba(a, b, report);
    else checkVnets(a, b, report);
  }
}

/** BGP as the Azure end runs it: on or why not, its ASN, the address it speaks from to this peer. */
interface AzureBgp {
  readonly off: string | undefined;
  readonly asn: number;
  readonly peer: LocalNetworkGatewayBgpSettings | undefined;
  readonly addresses: readonly Ipv4Address[];
  readonly apipa: boolean;
  readonly gateway: string;
}

function azureBgp(a: AzureEnd): AzureBgp {
  const facts = a.gateway.facts;
  const instance = facts.instances[a.instanceIndex]!;
  const peer = a.lng?.value.bgpSettings;
  const apipa = peer !== undefined && isLinkLocal(parseIpv4(peer.bgpPeeringAddress));
  const chosen = a.connection.gatewayCustomBgpIpAddresses?.find((c) => c.ipConfigurationId === instance.ipConfiguration)?.customBgpIpAddress;
  const off = !facts.bgpEnabled ? `gateway '${facts.name}' has BGP off`
    : a.connection.enableBgp !== true ? `connection '${a.connection.name}' has enableBgp off`
      : peer === undefined ? `local network gateway '${a.lng?.value.name}' has no bgpSettings` : undefined;
  return {
    off, asn: facts.asn, peer, apipa, gateway: `Azure gateway '${facts.name}'`,
    addresses: apipa ? (chosen !== undefined ? [parseIpv4(chosen)] : instance.customBgpAddresses) : [instance.bgpAddress],
  };
}

function checkRras(a: AzureEnd, b: RrasEnd, report: Findings): void {
  const rras = b.rras;
  const at: DocPath = ['sites', b.siteIndex, 'rras'];
  const view = azureBgp(a);
  const instance = a.gateway.facts.instances[a.instanceIndex]!;
  const own = [instance.bgpAddress, ...instance.customBgpAddresses];
  const all = (rras.BgpPeers ?? []).map((peer, i) => ({ peer, path: [...at, 'BgpPeers', i] }));
  let peers = all.filter((p) => own.includes(parseIpv4(p.peer.PeerIPAddress)));
  if (peers.length === 0) peers = all.filter((p) => a.gateway.facts.vnetPrefixes.some((v) => prefixContains(v, parseIpv4(p.peer.PeerIPAddress))));
  if (view.off !== undefined) {
    for (const { peer, path } of peers) {
      report.error('PAIR_BGP_OFF', path, `BGP peer '${peer.Name}' peers with ${view.gateway} at ${peer.PeerIPAddress}, but ${view.off}: Azure never answers the OPEN and the BGP session never comes up`,
        'enable BGP on the Azure gateway and connection and give the local network gateway bgpSettings (the RRAS ASN and address), or remove the BGP peer');
    }
    return;
  }
  const lng = view.peer!;
  const lngName = `local network gateway '${a.lng!.value.name}'`;
  if (peers.length === 0) {
    report.error('PAIR_BGP_OFF', rras.BgpRouter === undefined ? at : [...at, 'BgpPeers'], `Azure ${a.label} runs BGP with ${lngName} (AS ${lng.asn}, ${lng.bgpPeeringAddress}), but RRAS has no BGP peer for ${view.gateway}: the BGP session never comes up`,
      `Add-BgpRouter -LocalASN ${lng.asn} and Add-BgpPeer -LocalIPAddress ${lng.bgpPeeringAddress} -PeerIPAddress ${formatIpv4(view.addresses[0] ?? instance.bgpAddress)} -PeerASN ${view.asn}`);
    return;
  }
  for (const { peer, path } of peers) {
    const label = `BGP peer '${peer.Name}'`;
    const localAsn = peer.LocalASN ?? rras.BgpRouter?.LocalASN;
    const asnPath = peer.LocalASN !== undefined ? [...path, 'LocalASN'] : [...at, 'BgpRouter', 'LocalASN'];
    if (localAsn !== undefined && localAsn !== lng.asn) {
      report.error('PAIR_ASN_MISMATCH', asnPath, `RRAS speaks as AS ${localAsn} to ${view.gateway} (${label}), but ${lngName} bgpSettings.asn says ${lng.asn}: Azure expects AS ${lng.asn}, so the BGP session is closed with NOTIFICATION Bad Peer AS`,
        `make them equal: LocalASN ${lng.asn}, or the local network gateway's asn ${localAsn}`);
    }
    if (localAsn === view.asn) {
      report.error('PAIR_DUPLICATE_ASN', asnPath, `RRAS speaks as AS ${localAsn} to ${view.gateway}, whose ASN is also ${view.asn}: the two ends of an eBGP session need different ASNs, so the session is closed with NOTIFICATION Bad Peer AS`,
        'give the RRAS router (and the local network gateway) a different private ASN');
    }
    if (peer.PeerASN !== view.asn) {
      report.error('PAIR_PEER_ASN_MISMATCH', [...path, 'PeerASN'], `${label} PeerASN ${peer.PeerASN} is not the ASN of ${view.gateway} (${view.asn}): RRAS closes the session with NOTIFICATION Bad Peer AS when Azure's OPEN arrives`,
        `set PeerASN: ${view.asn}`);
    }
    const expected = view.addresses.map(formatIpv4).join(' or ');
    if (view.addresses.length > 0 && !view.addresses.includes(parseIpv4(peer.PeerIPAddress))) {
      report.error('PAIR_BGP_PEER_ADDRESS', [...path, 'PeerIPAddress'], `${label} PeerIPAddress ${peer.PeerIPAddress} is not the BGP address of ${view.gateway} (${expected}): RRAS sends its OPEN to an address nobody speaks BGP on, so the BGP session never comes up`,
        `set PeerIPAddress: ${expected} (BgpSettings.BgpPeeringAddress)`);
    }
    if (peer.LocalIPAddress !== lng.bgpPeeringAddress) {
      report.error('PAIR_BGP_PEER_ADDRESS', [...path, 'LocalIPAddress'], `${label} LocalIPAddress ${peer.LocalIPAddress} is not ${lngName} bgpPeeringAddress ${lng.bgpPeeringAddress}: Azure accepts BGP only from ${lng.bgpPeeringAddress}, so the BGP session never comes up`,
        'make the two addresses equal');
    }
    if (view.apipa && peer.OperationMode === 'Server') {
      report.error('PAIR_BGP_NO_INITIATOR', [...path, 'OperationMode'], `${label} is OperationMode Server (it waits to be called) and ${lngName} peers from APIPA address ${lng.bgpPeeringAddress}, which Azure never calls: nobody opens the BGP session, so it never comes up`,
        'set OperationMode: Mixed (towards an APIPA peer the on-premises side must initiate), or use a non-APIPA bgpPeeringAddress');
    }
    const hold = peer.HoldTimeSec ?? AZURE_BGP_HOLD_S;
    if (hold < AZURE_BGP_HOLD_S && !isUnacceptableHoldTime(hold)) {
      const effect = hold === 0 ? 'hold time 0 turns keepalives off, so a dead session is never noticed'
        : `the session runs with a ${hold}-s hold time against Azure's fixed ${AZURE_BGP_KEEPALIVE_S}/${AZURE_BGP_HOLD_S} s timers, so a late or lost KEEPALIVE drops it (NOTIFICATION Hold Timer Expired) and BGP is unstable`;
      report.warning('RRAS_HOLD_TIME_LOW', [...path, 'HoldTimeSec'], `${label} HoldTimeSec ${hold} towards ${view.gateway}: ${effect}`, `leave HoldTimeSec at ${AZURE_BGP_HOLD_S} (Azure's hold time)`);
    }
  }
  const count = advertisedPrefixes(b.site).length;
  if (count > AZURE_MAX_PREFIXES) {
    report.error('PAIR_PREFIX_LIMIT', [...at, 'BgpCustomRoutes'], `RRAS advertises ${count} prefixes to ${view.gateway}, more than the ${AZURE_MAX_PREFIXES} Azure accepts from one peer: Azure drops the BGP session`,
      'advertise fewer prefixes (aggregate them with Add-BgpRouteAggregate)');
  }
}

function checkAlibaba(a: AzureEnd, b: AlibabaEnd, report: Findings): void {
  const view = azureBgp(a);
  const at: DocPath = ['sites', b.siteIndex, 'alibaba'];
  const connPath = [...at, 'VpnConnections', b.connectionIndex];
  const bgp = b.dualTunnel ? b.connection.TunnelOptionsSpecification?.find((t) => (t.Role === 'master' ? 1 : 2) === b.tunnel)?.TunnelBgpConfig : b.connection.BgpConfig;
  const bgpPath = b.dualTunnel ? [...b.path, 'TunnelBgpConfig'] : [...connPath, 'BgpConfig'];
  const aliOn = b.dualTunnel ? b.connection.EnableTunnelsBgp === true : b.connection.BgpConfig?.EnableBgp === true;
  if ((view.off === undefined) !== aliOn) {
    const [path, what] = aliOn
      ? [a.path, `Alibaba ${b.label} runs BGP but on the Azure side ${view.off}`]
      : [b.dualTunnel ? [...connPath, 'EnableTunnelsBgp'] : bgpPath, `Azure ${a.label} runs BGP but Alibaba ${b.label} does not`];
    report.error('PAIR_BGP_OFF', path, `${what}: the BGP session never comes up, so no routes are learned over the tunnel`, 'enable BGP on both ends, or on neither');
    return;
  }
  if (!aliOn) return;
  const lng = view.peer!;
  const lngName = `local network gateway '${a.lng!.value.name}'`;
  const localAsn = asnValue(bgp?.LocalAsn ?? ALIBABA_DEFAULT_ASN);
  if (localAsn !== lng.asn) {
    report.error('PAIR_ASN_MISMATCH', [...bgpPath, 'LocalAsn'], `Alibaba ${b.label} speaks as AS ${localAsn}, but ${lngName} bgpSettings.asn says ${lng.asn}: Azure expects AS ${lng.asn}, so the BGP session is closed with NOTIFICATION Bad Peer AS`,
      `make them equal (Alibaba's default LocalAsn is ${ALIBABA_DEFAULT_ASN})`);
  }
  const cgwAsn = b.customerGateway.Asn;
  if (cgwAsn !== undefined && asnValue(cgwAsn) !== view.asn) {
    report.error('PAIR_PEER_ASN_MISMATCH', [...at, 'CustomerGateways', b.customerGatewayIndex, 'Asn'], `customer gateway '${b.customerGateway.Name}' Asn ${cgwAsn} is not the ASN of ${view.gateway} (${view.asn}): Alibaba closes the session with NOTIFICATION Bad Peer AS`,
      `set Asn: ${view.asn}`);
  }
  if (bgp?.LocalBgpIp !== undefined && bgp.LocalBgpIp !== lng.bgpPeeringAddress) {
    report.error('PAIR_BGP_PEER_ADDRESS', [...bgpPath, 'LocalBgpIp'], `Alibaba ${b.label} LocalBgpIp ${bgp.LocalBgpIp} is not ${lngName} bgpPeeringAddress ${lng.bgpPeeringAddress}: Azure accepts BGP only from ${lng.bgpPeeringAddress}, so the BGP session never comes up`,
      'make the two addresses equal');
  }
  // What Azure advertises (S1): the VNet, and the prefixes of its other local network gateways, not the peer's own.
  const block = azureBlock(a.gateway.site);
  const lngPrefixes = (name: string | undefined) => block.localNetworkGateways?.find((l) => l.name === name)?.localNetworkAddressSpace?.addressPrefixes ?? [];
  const own = new Set(lngPrefixes(a.connection.localNetworkGateway2));
  const advertised = new Set([...a.gateway.facts.vnetPrefixes.map(formatPrefix), ...(block.connections ?? [])
    .filter((c) => c.virtualNetworkGateway1 === a.gateway.gateway.name).flatMap((c) => lngPrefixes(c.localNetworkGateway2)).filter((p) => !own.has(p))]);
  const count = advertised.size;
  if (count > ALIBABA_BGP_ROUTE_QUOTA) {
    report.error('PAIR_PREFIX_LIMIT', [...a.gateway.path, 'enableBgp'], `${view.gateway} advertises ${count} prefixes to Alibaba ${b.label}, more than Alibaba's BGP route quota of ${ALIBABA_BGP_ROUTE_QUOTA}: the routes beyond it are not learned, and the VPC cannot reach them`,
      'advertise fewer (aggregated) prefixes, or raise the quota');
  }
}

function checkVnets(a: AzureEnd, b: AzureEnd, report: Findings): void {
  const [x, y] = [azureBgp(a), azureBgp(b)];
  const bothOn = a.gateway.facts.bgpEnabled && b.gateway.facts.bgpEnabled && a.connection.enableBgp === true && b.connection.enableBgp === true;
  if (!bothOn || x.asn !== y.asn) return;
  report.error('PAIR_DUPLICATE_ASN', [...b.gateway.path, 'bgpSettings', 'asn'], `${y.gateway} has ASN ${y.asn}, the same as ${x.gateway} across BGP connection '${b.connection.name}': eBGP needs different ASNs, so the session is closed with NOTIFICATION Bad Peer AS`,
    'give each VNet gateway its own private ASN');
}
