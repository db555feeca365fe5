import { formatPath } from '../../config/source.js';
import { rangeToPrefixes } from '../../ike/payloads/ts.js';
import { formatIpv4, type Prefix } from '../../net/address.js';
import type { ModelRef } from '../adapter.js';
import { NO_ENDS, type BgpEnd, type GatewayRef, type SiteEnds, type TunnelEnd } from '../ends.js';
import type { RrasModel, RrasS2SInterface, RrasSelectors } from './model.js';

/*
 * An RRAS server's tunnel and BGP ends as the pair checks meet them: one per S2S interface and
 * Destination, from the public adapter (or SourceIpAddress), and one BGP session per BgpPeer —
 * on RRAS the BGP router is its own resource, not tied to an interface.
 */

/** An RRAS selector list as the prefixes it covers. */
function rangesOf(list: RrasSelectors): Prefix[] {
  return list.selectors.flatMap((ts) => rangeToPrefixes(ts.startAddress, ts.endAddress));
}

export function rrasEnds(ref: ModelRef<'rras', RrasModel | undefined>): SiteEnds {
  const model = ref.model;
  if (model === undefined) return NO_ENDS;
  const server = model.serverName;
  const gateway: GatewayRef = { key: `${ref.site.name}/${server}`, name: `RRAS '${server}'` };
  const bgpHome = {
    path: model.bgpRouter === undefined ? ref.at : [...ref.at, 'BgpPeers'],
    fix: (peer: BgpEnd) => `Add-BgpRouter -LocalASN ${peer.peerAsn?.value ?? '<ASN>'} and Add-BgpPeer -LocalIPAddress ${peer.peerAddress === undefined ? '<address>' : formatIpv4(peer.peerAddress.value)} -PeerIPAddress ${formatIpv4(peer.answersOn[0] ?? peer.ownAddresses[0] ?? 0)} -PeerASN ${peer.localAsn?.value ?? '<ASN>'}`,
  };
  const tunnels = model.interfaces.flatMap((iface): TunnelEnd[] => {
    const local = iface.ikeSource;
    if (local === undefined) return [];
    const path = iface.path;
    return iface.destinations.map((d, j) => ({
      ...interfaceProfile(iface),
      siteIndex: ref.index, path, gateway, resource: `${formatPath(path)} ${iface.resource.Destination[j]}`, local, remote: d.value, bgpHome,
    }));
  });
  return {
    tunnels,
    sessions: sessionsOf(ref, model, gateway),
    publicAddresses: model.adapters.filter((a) => a.internet).map((a) => ({ address: a.address, platform: 'rras' as const, what: gateway.name, gateway })),
  };
}

type Profile = Omit<TunnelEnd, 'siteIndex' | 'path' | 'gateway' | 'resource' | 'local' | 'remote'>;

function interfaceProfile(s2s: RrasS2SInterface): Profile {
  const { resource: iface, path, offer, localSelectors, remoteSelectors } = s2s;
  return {
    platform: 'rras',
    label: `RRAS S2S interface '${iface.Name}'`,
    psk: { value: iface.SharedSecret, path: [...path, 'SharedSecret'], name: 'SharedSecret' },
    ikeVersion: { value: iface.Protocol === undefined || iface.Protocol === 'IKEv2' || iface.Protocol === 'Automatic' ? 'ikev2' : undefined, path: [...path, 'Protocol'], name: 'Protocol' },
    ikeVersionFix: 'use IKEv2 on both ends',
    proposals: 'problem' in offer ? undefined : offer,
    proposalPath: s2s.offerPath,
    childLifetimeS: s2s.childLifetimeS,
    ...(localSelectors.given || remoteSelectors.given ? {
      selectors: {
        local: rangesOf(localSelectors), remote: rangesOf(remoteSelectors),
        localPath: localSelectors.path, remotePath: remoteSelectors.path,
        localName: 'LocalVpnTrafficSelector', remoteName: 'RemoteVpnTrafficSelector',
      },
    } : {}),
  };
}

function sessionsOf(ref: ModelRef<'rras', RrasModel | undefined>, model: RrasModel, gateway: GatewayRef): BgpEnd[] {
  const adapters = model.adapters.map((a) => a.address);
  return model.bgpPeers.map((peer): BgpEnd => {
    const { resource, path } = peer;
    const local = peer.localAddress.value;
    return {
      platform: 'rras',
      siteIndex: ref.index,
      label: `BGP peer '${peer.name}'`,
      path,
      speaker: gateway.name,
      localAsn: peer.localAsn === undefined ? undefined : { ...peer.localAsn, name: 'LocalASN' },
      peerAsn: { value: resource.PeerASN, path: [...path, 'PeerASN'], name: `BGP peer '${peer.name}' PeerASN` },
      localAddress: { ...peer.localAddress, name: 'LocalIPAddress' },
      answersOn: [local],
      ownAddresses: [local, ...adapters],
      behind: [...model.addressSpace],
      peerAddress: { ...peer.peerAddress, name: 'PeerIPAddress' },
      passive: { value: peer.passive, path: [...path, 'OperationMode'], name: `BGP peer '${peer.name}' is OperationMode Server (it waits to be called)` },
      passiveFix: 'set OperationMode: Mixed (then RRAS opens the session)',
      holdTime: { value: peer.holdTime, path: [...path, 'HoldTimeSec'], name: 'HoldTimeSec' },
      advertises: {
        speaker: `${ref.site.name}/${model.serverName}`, originates: model.advertised, transit: model.bgpRouter?.transitRouting === true, withheld: [],
        path: [...ref.at, 'BgpCustomRoutes'], fix: 'advertise fewer prefixes (aggregate them with Add-BgpRouteAggregate)',
      },
      ...(resource.MaxAllowedPrefix !== undefined ? {
        accepts: { limit: resource.MaxAllowedPrefix, what: `its MaxAllowedPrefix ${resource.MaxAllowedPrefix}`, effect: 'RRAS drops the BGP session', fix: 'raise MaxAllowedPrefix' },
      } : {}),
    };
  });
}
