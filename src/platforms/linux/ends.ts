import { formatIpv4, type Prefix } from '../../net/address.js';
import type { ModelRef } from '../adapter.js';
import { NO_ENDS, type BgpEnd, type GatewayRef, type SiteEnds, type TunnelEnd } from '../ends.js';
import { LINUX_DEFAULTS } from './defaults.js';
import type { LinuxConnection, LinuxGatewayModel, LinuxModel } from './model.js';

/*
 * A Linux gateway's ends as the pair checks meet them: one tunnel end per swanctl connection (from
 * local_addrs to remote_addrs, its first child's proposals, lifetime and traffic selectors), and —
 * BGP being FRR's, not strongSwan's — one BGP session end per `neighbor`, as RRAS's BgpPeers.
 */

function isAny(prefixes: readonly Prefix[]): boolean {
  return prefixes.length === 1 && prefixes[0]!.length === 0;
}

function tunnelEnd(ref: ModelRef<'linux', LinuxModel | undefined>, gateway: LinuxGatewayModel, ref_: GatewayRef, c: LinuxConnection): TunnelEnd {
  const first = c.children[0];
  const narrow = first !== undefined && !(isAny(first.localTs.value) && isAny(first.remoteTs.value));
  const bgp = gateway.bgp;
  return {
    platform: 'linux',
    siteIndex: ref.index,
    path: c.path,
    label: `swanctl connection '${c.name}' on '${gateway.name}'`,
    gateway: ref_,
    resource: `${ref_.key}:${c.name}`,
    local: c.local.value,
    remote: c.remote.value,
    psk: { value: c.psk?.value, path: c.psk?.path ?? c.path, name: 'secret' },
    ikeVersion: { value: c.resource.version === 1 ? 'ikev1' : 'ikev2', path: [...c.path, 'version'], name: 'version' },
    ikeVersionFix: 'set version = 2',
    proposals: first === undefined ? undefined : { ike: c.ikeProposals, esp: first.espProposals },
    proposalPath: c.path,
    childLifetimeS: first?.rekeyTime ?? LINUX_DEFAULTS.childRekeyS,
    ...(narrow ? {
      selectors: {
        local: first.localTs.value, remote: first.remoteTs.value,
        localPath: first.localTs.path, remotePath: first.remoteTs.path,
        localName: `child '${first.name}' local_ts`, remoteName: `child '${first.name}' remote_ts`,
      },
    } : {}),
    bgpHome: {
      path: bgp === undefined ? gateway.path : [...bgp.path, 'neighbors'],
      fix: (peer: BgpEnd) => `in frr.conf: router bgp ${bgp?.asn.value ?? peer.peerAsn?.value ?? '<ASN>'} / neighbor ${formatIpv4(peer.answersOn[0] ?? peer.ownAddresses[0] ?? 0)} remote-as ${peer.localAsn?.value ?? '<ASN>'} / neighbor … update-source ${peer.peerAddress === undefined ? '<address>' : formatIpv4(peer.peerAddress.value)} / neighbor … disable-connected-check`,
    },
  };
}

function sessionsOf(ref: ModelRef<'linux', LinuxModel | undefined>, model: LinuxModel, gateway: LinuxGatewayModel, ref_: GatewayRef): BgpEnd[] {
  const bgp = gateway.bgp;
  if (bgp === undefined) return [];
  return bgp.neighbors.map((n): BgpEnd => {
    const label = `neighbor ${formatIpv4(n.address.value)}`;
    const hold = n.resource.timers?.[1] ?? LINUX_DEFAULTS.bgpHoldS;
    return {
      platform: 'linux',
      siteIndex: ref.index,
      label,
      path: n.path,
      speaker: ref_.name,
      localAsn: { ...bgp.asn, name: 'router bgp' },
      peerAsn: typeof n.remoteAs === 'number' ? { value: n.remoteAs, path: [...n.path, 'remote-as'], name: `${label} remote-as` } : undefined,
      localAddress: n.updateSource === undefined ? undefined : { ...n.updateSource, name: 'update-source' },
      answersOn: n.updateSource !== undefined ? [n.updateSource.value] : [...gateway.addresses],
      ownAddresses: [...gateway.addresses],
      behind: [...model.addressSpace],
      peerAddress: { ...n.address, name: 'neighbor' },
      passive: { value: n.resource.passive === true, path: [...n.path, 'passive'], name: `${label} is passive (it waits to be called)` },
      passiveFix: `remove \`neighbor ${formatIpv4(n.address.value)} passive\``,
      holdTime: { value: hold, path: [...n.path, 'timers'], name: 'timers' },
      advertises: {
        speaker: ref_.key,
        // RFC 8212 (FRR's default): without route-maps an eBGP neighbour is sent nothing.
        originates: bgp.requiresPolicy ? [] : bgp.networks.map((p) => p.value),
        transit: !bgp.requiresPolicy,
        withheld: [],
        path: [...bgp.path, 'network'], fix: 'advertise fewer prefixes (aggregate-address … summary-only)',
      },
      ...(n.resource['maximum-prefix'] !== undefined ? {
        accepts: { limit: n.resource['maximum-prefix'], what: `its maximum-prefix ${n.resource['maximum-prefix']}`, effect: 'FRR tears the session down', fix: 'raise maximum-prefix' },
      } : {}),
    };
  });
}

export function linuxEnds(ref: ModelRef<'linux', LinuxModel | undefined>): SiteEnds {
  const model = ref.model;
  if (model === undefined) return NO_ENDS;
  const tunnels: TunnelEnd[] = [];
  const sessions: BgpEnd[] = [];
  const publicAddresses: SiteEnds['publicAddresses'][number][] = [];
  for (const gateway of model.gateways) {
    const gw: GatewayRef = { key: `${ref.site.name}/${gateway.name}`, name: `Linux gateway '${gateway.name}'` };
    tunnels.push(...gateway.connections.map((c) => tunnelEnd(ref, gateway, gw, c)));
    sessions.push(...sessionsOf(ref, model, gateway, gw));
    publicAddresses.push(...gateway.nics.filter((n) => n.attach === 'internet').map((n) => ({ address: n.address, platform: 'linux' as const, what: gw.name, gateway: gw })));
  }
  return { tunnels, sessions, publicAddresses };
}
