import { suggest } from '../../config/issues.js';
import { formatPath, type DocPath } from '../../config/source.js';
import { formatPrefix, parseIpv4, parsePrefix, prefixContains, type Ipv4Address } from '../../net/address.js';
import { isUnacceptableHoldTime } from '../../bgp/timers.js';
import type { Topology } from '../../topology/schema.js';
import type { RrasSiteOf } from './gateway.js';
import { adapterPrefix, s2sRoutes } from './facts.js';
import type { CheckContext, Findings, SiteRef } from '../adapter.js';
import { partnersOf, type Pairing } from '../pairing.js';
import type { RrasSite, VpnS2SInterface } from '../../topology/platforms/rras.js';

/*
 * RRAS's own pitfalls, per on-premises site: the host route to each BGP peer through the S2S
 * interface (without it the OPEN leaves by the default route), hold times RFC 4271 forbids, the
 * demand-dial toggles the Azure device template sets (IdleDisconnectSeconds 0, RedialOnLinkFailure
 * 1, InitiateConfigPayload $false, IKEv2 with PSK only), and names that resolve to nothing
 * (W1-W4 in shared/reference/platform-behaviours.md §A.3).
 */

/** IdleDisconnect in `Get-VpnS2SInterface | fl *` when nothing sets it (W1). */
const RRAS_IDLE_DISCONNECT_DEFAULT_S = 500;

export function checkRrasSite({ site, index: siteIndex, at }: SiteRef<'rras'>, { topology, pairing }: CheckContext, report: Findings): void {
  if (site.rras === undefined) return;
  checkNames(site.rras, at, report);
  (site.rras.VpnS2SInterfaces ?? []).forEach((iface, i) => checkInterface(pairing, iface, [...at, 'VpnS2SInterfaces', i], report));
  checkBgpPeers(topology, site, siteIndex, at, report);
}

function checkNames(rras: RrasSite, at: DocPath, report: Findings): void {
  const adapters = rras.Server.NetworkAdapters.map((a) => a.Name);
  const aliases = [...adapters, ...(rras.VpnS2SInterfaces ?? []).map((i) => i.Name)];
  (rras.NetRoutes ?? []).forEach((r, i) => {
    if (aliases.includes(r.InterfaceAlias)) return;
    report.error('RRAS_UNKNOWN_INTERFACE', [...at, 'NetRoutes', i, 'InterfaceAlias'], `static route ${r.DestinationPrefix} goes out of interface '${r.InterfaceAlias}', which RRAS does not have: New-NetRoute fails and the route does not exist`, suggest(r.InterfaceAlias, aliases));
  });
  (rras.BgpCustomRoutes ?? []).forEach((entry, i) => (entry.Interface ?? []).forEach((name, j) => {
    if (adapters.includes(name)) return;
    report.error('RRAS_UNKNOWN_INTERFACE', [...at, 'BgpCustomRoutes', i, 'Interface', j], `Add-BgpCustomRoute -Interface '${name}' names an adapter RRAS does not have: its prefixes are not advertised`, suggest(name, adapters));
  }));
}

function checkInterface(pairing: Pairing, iface: VpnS2SInterface, ip: DocPath, report: Findings): void {
  const label = `S2S interface '${iface.Name}'`;
  const persistent = iface.Persistent === true;
  const idle = iface.IdleDisconnectSeconds ?? RRAS_IDLE_DISCONNECT_DEFAULT_S;
  if (!persistent && idle !== 0) {
    report.warning('RRAS_IDLE_DISCONNECT', [...ip, 'IdleDisconnectSeconds'], `${label} has IdleDisconnectSeconds ${idle}${iface.IdleDisconnectSeconds === undefined ? ' (the default)' : ''}: the tunnel drops when idle for ${idle} s, and the BGP session over it with it`,
      'set IdleDisconnectSeconds: 0 (router.pbk IdleDisconnectSeconds=0), or make the interface Persistent');
  }
  const redial = iface.RedialOnLinkFailure === true || iface.RedialOnLinkFailure === 1;
  if (!persistent && !redial) {
    report.warning('RRAS_NO_REDIAL', [...ip, 'RedialOnLinkFailure'], `${label} does not redial on link failure: after the tunnel drops it stays down until someone runs Connect-VpnS2SInterface`,
      'set RedialOnLinkFailure: 1 (router.pbk RedialOnLinkFailure=1), or make the interface Persistent');
  }
  const at = formatPath(ip);
  const peer = pairing.ends.filter((e) => formatPath(e.path) === at).flatMap((e) => partnersOf(pairing, e))[0];
  if (peer === undefined) return;
  const facing = `${peer.label} on ${peer.gateway.name}`;
  if (iface.InitiateConfigPayload !== false) {
    report.warning('RRAS_CONFIG_PAYLOAD', [...ip, 'InitiateConfigPayload'], `${label} requests an IKEv2 configuration payload (CFG_REQUEST) from ${facing}, which a site-to-site gateway does not serve: the connection can fail or drop after IKE_AUTH`,
      'Set-VpnS2SInterface -InitiateConfigPayload $false (InitiateConfigPayload: false)');
  }
}

/** Addresses RRAS reaches without its default route: on-link, or by a route (S2S or static). */
function reachable(site: RrasSiteOf, rras: RrasSite, address: Ipv4Address): boolean {
  const onLink = rras.Server.NetworkAdapters.some((a) => {
    const p = adapterPrefix(site, a.IPAddress, a.Subnet);
    return p !== undefined && prefixContains(p, address);
  });
  const routes = [...(rras.VpnS2SInterfaces ?? []).flatMap((i) => s2sRoutes(rras, i)), ...(rras.NetRoutes ?? []).map((r) => parsePrefix(r.DestinationPrefix))];
  return onLink || routes.some((r) => r.length > 0 && prefixContains(r, address));
}

function checkBgpPeers(topology: Topology, site: RrasSiteOf, siteIndex: number, at: DocPath, report: Findings): void {
  const rras = site.rras!;
  const s2s = rras.VpnS2SInterfaces ?? [];
  (rras.BgpPeers ?? []).forEach((peer, i) => {
    const pp = [...at, 'BgpPeers', i];
    const label = `BGP peer '${peer.Name}'`;
    if (peer.HoldTimeSec !== undefined && isUnacceptableHoldTime(peer.HoldTimeSec)) {
      report.error('RRAS_HOLD_TIME_INVALID', [...pp, 'HoldTimeSec'], `${label} HoldTimeSec ${peer.HoldTimeSec}: RFC 4271 allows 0 or at least 3 s, so the peer answers the OPEN with NOTIFICATION Unacceptable Hold Time and the session never comes up`,
        'leave HoldTimeSec at 180 (Azure\'s fixed hold time)');
    }
    const address = parseIpv4(peer.PeerIPAddress);
    if (s2s.length > 0 && !reachable(site, rras, address)) {
      const through = s2s[0]!.Name;
      report.error('RRAS_NO_BGP_HOST_ROUTE', [...pp, 'PeerIPAddress'], `${label} PeerIPAddress ${peer.PeerIPAddress} has no route through an S2S interface (no NetRoutes entry or IPv4Subnet covers it): RRAS sends the BGP OPEN out of its default route instead of the tunnel, so the BGP session cannot come up`,
        `add NetRoutes: [{ DestinationPrefix: ${peer.PeerIPAddress}/32, InterfaceAlias: '${through}' }] (the static route through the demand-dial interface), or IPv4Subnet: ['${peer.PeerIPAddress}/32:100']`);
    }
    const local = parseIpv4(peer.LocalIPAddress);
    topology.sites.forEach((other, oi) => {
      if (oi === siteIndex) return;
      const clash = (other.addressSpace ?? []).map((p) => parsePrefix(p)).find((p) => prefixContains(p, local));
      if (clash === undefined) return;
      report.error('TOPO_ADDRESS_OVERLAP', [...pp, 'LocalIPAddress'], `${label} LocalIPAddress ${peer.LocalIPAddress} lies inside site '${other.name}' (${formatPrefix(clash)}): that site routes it locally, so the BGP session through the tunnel cannot come up`,
        'peer from an address of this site (the LAN adapter, as the seed does)');
    });
  });
}
