import { formatPath, type DocPath } from '../../config/source.js';
import { rangeToPrefixes } from '../../ike/payloads/ts.js';
import { formatIpv4, parseIpv4, type Prefix } from '../../net/address.js';
import type { SiteRef } from '../adapter.js';
import { prefixesOf } from '../common.js';
import { NO_ENDS, type BgpEnd, type GatewayRef, type SiteEnds, type TunnelEnd } from '../ends.js';
import { RRAS_BGP_HOLD_S, RRAS_CHILD_LIFETIME_S, rrasProposals } from './defaults.js';
import { adapterAddress, advertisedPrefixes, ikeSourceAddress, rrasServerName, s2sSelectors } from './facts.js';
import type { RrasSite, VpnS2SInterface, VpnTrafficSelector } from '../../topology/platforms/rras.js';

/*
 * An RRAS server's tunnel and BGP ends as the pair checks meet them: one per S2S interface and
 * Destination, from the public adapter (or SourceIpAddress), and one BGP session per BgpPeer —
 * on RRAS the BGP router is its own resource, not tied to an interface.
 */

/** An RRAS selector list as the prefixes it covers. */
function rangesOf(list: readonly VpnTrafficSelector[] | undefined): Prefix[] {
  return s2sSelectors(list).flatMap((ts) => rangeToPrefixes(ts.startAddress, ts.endAddress));
}

export function rrasEnds(ref: SiteRef<'rras'>): SiteEnds {
  const rras = ref.site.rras;
  if (rras === undefined) return NO_ENDS;
  const server = rrasServerName(rras);
  const gateway: GatewayRef = { key: `${ref.site.name}/${server}`, name: `RRAS '${server}'` };
  const internet = rras.Server.NetworkAdapters.find((a) => a.Internet === true);
  const publicAddress = internet === undefined ? undefined : adapterAddress(internet.IPAddress);
  const bgpHome = {
    path: rras.BgpRouter === undefined ? ref.at : [...ref.at, 'BgpPeers'],
    fix: (peer: BgpEnd) => `Add-BgpRouter -LocalASN ${peer.peerAsn?.value ?? '<ASN>'} and Add-BgpPeer -LocalIPAddress ${peer.peerAddress === undefined ? '<address>' : formatIpv4(peer.peerAddress.value)} -PeerIPAddress ${formatIpv4(peer.answersOn[0] ?? peer.ownAddresses[0] ?? 0)} -PeerASN ${peer.localAsn?.value ?? '<ASN>'}`,
  };
  const tunnels = (rras.VpnS2SInterfaces ?? []).flatMap((iface, i): TunnelEnd[] => {
    const local = ikeSourceAddress(rras, iface);
    if (local === undefined) return [];
    const path: DocPath = [...ref.at, 'VpnS2SInterfaces', i];
    return iface.Destination.map((d) => ({
      ...interfaceProfile(ref, rras, iface, path),
      siteIndex: ref.index, path, gateway, resource: `${formatPath(path)} ${d}`, local, remote: parseIpv4(d), bgpHome,
    }));
  });
  return {
    tunnels,
    sessions: sessionsOf(ref, rras, gateway),
    publicAddresses: publicAddress === undefined ? [] : [{ address: publicAddress, platform: 'rras', what: gateway.name, gateway }],
  };
}

type Profile = Omit<TunnelEnd, 'siteIndex' | 'path' | 'gateway' | 'resource' | 'local' | 'remote'>;

function interfaceProfile(ref: SiteRef<'rras'>, rras: RrasSite, iface: VpnS2SInterface, path: DocPath): Profile {
  const server = rras.VpnServerIPsecConfiguration;
  const offer = rrasProposals(iface, server);
  const narrow = (iface.LocalVpnTrafficSelector?.length ?? 0) + (iface.RemoteVpnTrafficSelector?.length ?? 0) > 0;
  const ownPolicy = iface.CustomPolicy === true || iface.EncryptionType !== undefined;
  return {
    platform: 'rras',
    label: `RRAS S2S interface '${iface.Name}'`,
    psk: { value: iface.SharedSecret, path: [...path, 'SharedSecret'], name: 'SharedSecret' },
    ikeVersion: { value: iface.Protocol === undefined || iface.Protocol === 'IKEv2' || iface.Protocol === 'Automatic' ? 'ikev2' : undefined, path: [...path, 'Protocol'], name: 'Protocol' },
    ikeVersionFix: 'use IKEv2 on both ends',
    proposals: 'problem' in offer ? undefined : offer,
    proposalPath: ownPolicy || server === undefined ? path : [...ref.at, 'VpnServerIPsecConfiguration'],
    childLifetimeS: iface.SALifeTimeSeconds ?? server?.SALifeTimeSeconds ?? RRAS_CHILD_LIFETIME_S,
    ...(narrow ? {
      selectors: {
        local: rangesOf(iface.LocalVpnTrafficSelector), remote: rangesOf(iface.RemoteVpnTrafficSelector),
        localPath: [...path, 'LocalVpnTrafficSelector'], remotePath: [...path, 'RemoteVpnTrafficSelector'],
        localName: 'LocalVpnTrafficSelector', remoteName: 'RemoteVpnTrafficSelector',
      },
    } : {}),
  };
}

function sessionsOf(ref: SiteRef<'rras'>, rras: RrasSite, gateway: GatewayRef): BgpEnd[] {
  const router = rras.BgpRouter;
  const count = advertisedPrefixes(ref.site).length;
  const adapters = rras.Server.NetworkAdapters.map((a) => adapterAddress(a.IPAddress));
  return (rras.BgpPeers ?? []).map((peer, i): BgpEnd => {
    const path: DocPath = [...ref.at, 'BgpPeers', i];
    const localAsn = peer.LocalASN ?? router?.LocalASN;
    const local = parseIpv4(peer.LocalIPAddress);
    return {
      platform: 'rras',
      siteIndex: ref.index,
      label: `BGP peer '${peer.Name}'`,
      path,
      speaker: gateway.name,
      localAsn: localAsn === undefined ? undefined : { value: localAsn, path: peer.LocalASN !== undefined ? [...path, 'LocalASN'] : [...ref.at, 'BgpRouter', 'LocalASN'], name: 'LocalASN' },
      peerAsn: { value: peer.PeerASN, path: [...path, 'PeerASN'], name: `BGP peer '${peer.Name}' PeerASN` },
      localAddress: { value: local, path: [...path, 'LocalIPAddress'], name: 'LocalIPAddress' },
      answersOn: [local],
      ownAddresses: [local, ...adapters],
      behind: prefixesOf(ref.site.addressSpace),
      peerAddress: { value: parseIpv4(peer.PeerIPAddress), path: [...path, 'PeerIPAddress'], name: 'PeerIPAddress' },
      passive: { value: peer.OperationMode === 'Server', path: [...path, 'OperationMode'], name: `BGP peer '${peer.Name}' is OperationMode Server (it waits to be called)` },
      passiveFix: 'set OperationMode: Mixed (then RRAS opens the session)',
      holdTime: { value: peer.HoldTimeSec ?? RRAS_BGP_HOLD_S, path: [...path, 'HoldTimeSec'], name: 'HoldTimeSec' },
      advertises: { count, path: [...ref.at, 'BgpCustomRoutes'], fix: 'advertise fewer prefixes (aggregate them with Add-BgpRouteAggregate)' },
      ...(peer.MaxAllowedPrefix !== undefined ? {
        accepts: { limit: peer.MaxAllowedPrefix, what: `its MaxAllowedPrefix ${peer.MaxAllowedPrefix}`, effect: 'RRAS drops the BGP session', fix: 'raise MaxAllowedPrefix' },
      } : {}),
    };
  });
}
