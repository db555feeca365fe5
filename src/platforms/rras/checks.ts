import { suggest } from '../../config/issues.js';
import { formatPath } from '../../config/source.js';
import { formatPrefix, maskOf, parsePrefix, prefixContains, type Ipv4Address, type Prefix } from '../../net/address.js';
import { isUnacceptableHoldTime } from '../../bgp/timers.js';
import type { Topology } from '../../topology/schema.js';
import type { CheckContext, Findings, ModelRef } from '../adapter.js';
import { partnersOf, type Pairing } from '../pairing.js';
import type { RrasModel, RrasS2SInterface } from './model.js';

/*
 * RRAS's own pitfalls, per on-premises site: the host route to each BGP peer through the S2S
 * interface (without it the OPEN leaves by the default route), hold times RFC 4271 forbids, the
 * demand-dial toggles the Azure device template sets (IdleDisconnectSeconds 0, RedialOnLinkFailure
 * 1, InitiateConfigPayload $false, IKEv2 with PSK only), and names that resolve to nothing
 * (W1-W4 in shared/reference/platform-behaviours.md §A.3).
 */

/** IdleDisconnect in `Get-VpnS2SInterface | fl *` when nothing sets it (W1). */
const RRAS_IDLE_DISCONNECT_DEFAULT_S = 500;

export function checkRrasSite(ref: ModelRef<'rras', RrasModel | undefined>, { topology, pairing }: CheckContext, report: Findings): void {
  const model = ref.model;
  if (model === undefined) return;
  checkNames(model, report);
  for (const iface of model.interfaces) checkInterface(pairing, iface, report);
  checkBgpPeers(topology, model, ref.index, report);
}

function checkNames(model: RrasModel, report: Findings): void {
  const adapters = model.adapters.map((a) => a.name);
  const aliases = [...adapters, ...model.interfaces.map((i) => i.name)];
  for (const r of model.netRoutes) {
    if (r.via.target !== undefined) continue;
    report.error('RRAS_UNKNOWN_INTERFACE', r.via.path, `static route ${r.resource.DestinationPrefix} goes out of interface '${r.via.name}', which RRAS does not have: New-NetRoute fails and the route does not exist`, suggest(r.via.name, aliases));
  }
  for (const entry of model.customRoutes) {
    for (const name of entry.interfaces) {
      if (name.target !== undefined) continue;
      report.error('RRAS_UNKNOWN_INTERFACE', name.path, `Add-BgpCustomRoute -Interface '${name.name}' names an adapter RRAS does not have: its prefixes are not advertised`, suggest(name.name, adapters));
    }
  }
}

function checkInterface(pairing: Pairing, s2s: RrasS2SInterface, report: Findings): void {
  const { resource: iface, path: ip } = s2s;
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
  const peer = (pairing.endsAt.get(formatPath(ip)) ?? []).flatMap((e) => partnersOf(pairing, e))[0];
  if (peer === undefined) return;
  const facing = `${peer.label} on ${peer.gateway.name}`;
  if (iface.InitiateConfigPayload !== false) {
    report.warning('RRAS_CONFIG_PAYLOAD', [...ip, 'InitiateConfigPayload'], `${label} requests an IKEv2 configuration payload (CFG_REQUEST) from ${facing}, which a site-to-site gateway does not serve: the connection can fail or drop after IKE_AUTH`,
      'Set-VpnS2SInterface -InitiateConfigPayload $false (InitiateConfigPayload: false)');
  }
}

/** Addresses RRAS reaches without its default route: on-link, or by a route (S2S or static). */
function reachable(model: RrasModel, address: Ipv4Address): boolean {
  const onLink = model.adapters.some((a) => a.prefix !== undefined && prefixContains(a.prefix, address));
  const routes = [...model.interfaces.flatMap((i) => i.routes), ...model.netRoutes.map((r) => r.destination)];
  return onLink || routes.some((r) => r.length > 0 && prefixContains(r, address));
}

function checkBgpPeers(topology: Topology, model: RrasModel, siteIndex: number, report: Findings): void {
  const s2s = model.interfaces;
  for (const peer of model.bgpPeers) {
    const { resource, path: pp } = peer;
    const label = `BGP peer '${peer.name}'`;
    if (resource.HoldTimeSec !== undefined && isUnacceptableHoldTime(resource.HoldTimeSec)) {
      report.error('RRAS_HOLD_TIME_INVALID', [...pp, 'HoldTimeSec'], `${label} HoldTimeSec ${resource.HoldTimeSec}: RFC 4271 allows 0 or at least 3 s, so the peer answers the OPEN with NOTIFICATION Unacceptable Hold Time and the session never comes up`,
        'leave HoldTimeSec at 180 (Azure\'s fixed hold time)');
    }
    if (s2s.length > 0 && !reachable(model, peer.peerAddress.value)) {
      const through = s2s[0]!.name;
      report.warning('RRAS_NO_BGP_HOST_ROUTE', peer.peerAddress.path, `${label} PeerIPAddress ${resource.PeerIPAddress} has no route through an S2S interface (no NetRoutes entry or IPv4Subnet covers it): RRAS sends the BGP OPEN out of its default route instead of the tunnel, so the BGP session cannot come up`,
        `add NetRoutes: [{ DestinationPrefix: ${resource.PeerIPAddress}/32, InterfaceAlias: '${through}' }] (the static route through the demand-dial interface), or IPv4Subnet: ['${resource.PeerIPAddress}/32:100']`);
    }
    const local = peer.localAddress.value;
    // Other sites' address spaces: any platform's, so read from the file rather than their models.
    for (const { site: oi, prefix: clash } of spacesHolding(topology, local)) {
      if (oi === siteIndex) continue;
      const other = topology.sites[oi]!;
      report.warning('TOPO_ADDRESS_OVERLAP', peer.localAddress.path, `${label} LocalIPAddress ${resource.LocalIPAddress} lies inside site '${other.name}' (${formatPrefix(clash)}): that site routes it locally, so the BGP session through the tunnel cannot come up`,
        'peer from an address of this site (the LAN adapter, as the seed does)');
    }
  }
}

/** Every site's address space by prefix length, then network: the prefixes holding an address in 33 lookups. */
type SpaceIndex = Map<number, { site: number; order: number; prefix: Prefix }[]>[];
const spaceIndex = new WeakMap<Topology, SpaceIndex>();

/** Per site, in site order, the first prefix of its address space that holds `address`. */
function spacesHolding(topology: Topology, address: Ipv4Address): { site: number; prefix: Prefix }[] {
  let index = spaceIndex.get(topology);
  if (index === undefined) {
    index = Array.from({ length: 33 }, () => new Map());
    topology.sites.forEach((s, site) => (s.addressSpace ?? []).forEach((text, order) => {
      const prefix = parsePrefix(text);
      const network = (prefix.address & maskOf(prefix.length)) >>> 0;
      const list = index![prefix.length]!.get(network);
      if (list === undefined) index![prefix.length]!.set(network, [{ site, order, prefix }]);
      else list.push({ site, order, prefix });
    }));
    spaceIndex.set(topology, index);
  }
  const first = new Map<number, { order: number; prefix: Prefix }>();
  for (let length = 0; length <= 32; length++) {
    for (const hit of index[length]!.get((address & maskOf(length)) >>> 0) ?? []) {
      const known = first.get(hit.site);
      if (known === undefined || hit.order < known.order) first.set(hit.site, hit);
    }
  }
  return [...first].sort((x, y) => x[0] - y[0]).map(([site, { prefix }]) => ({ site, prefix }));
}
