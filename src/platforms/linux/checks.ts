import { formatPath } from '../../config/source.js';
import { formatIpv4, formatPrefix, prefixContains, type Ipv4Address } from '../../net/address.js';
import type { CheckContext, Findings, ModelRef } from '../adapter.js';
import { partnersOf, type Pairing } from '../pairing.js';
import { connectedCheckFails, holdsRoute, onLink, type LinuxChild, type LinuxGatewayModel, type LinuxModel, type LinuxNeighbor } from './model.js';

/*
 * The pitfalls engineers hit with strongSwan + FRR facing a cloud gateway (docs/platforms.md X1-X4, S2):
 * no route into the tunnel for the cloud's BGP address, FRR's connected check on an eBGP peer
 * behind a tunnel, RFC 8212 (FRR's default) with no route-maps, an if_id no XFRM interface
 * carries, a BGP source outside the child's local_ts, a `network` FRR's import-check holds back,
 * and TCP MSS not clamped below what the tunnel carries (Azure: 1350). All run but fail at run
 * time, so all are warnings.
 */

export function checkLinuxSite(ref: ModelRef<'linux', LinuxModel | undefined>, { pairing }: CheckContext, report: Findings): void {
  const model = ref.model;
  if (model === undefined) return;
  for (const gateway of model.gateways) {
    checkXfrm(gateway, report);
    checkBgp(gateway, report);
    checkMss(gateway, pairing, report);
  }
}

function checkXfrm(gateway: LinuxGatewayModel, report: Findings): void {
  for (const c of gateway.connections) {
    for (const ch of c.children) {
      if (ch.ifId === undefined || ch.xfrm !== undefined) continue;
      report.warning('LINUX_NO_XFRM_INTERFACE', ch.ifId.path, `child '${ch.name}' has if_id ${ch.ifId.value}, but '${gateway.name}' has no XFRM interface with that if_id: its SAs come up and nothing is routed into them, so no traffic crosses the tunnel`,
        `add xfrm: [{ name: ipsec0, if_id: ${ch.ifId.value} }] (ip link add ipsec0 type xfrm dev eth0 if_id ${ch.ifId.value}) and route the remote networks into it`);
    }
  }
}

/** The child whose tunnel carries packets to `address`: by a route into its XFRM interface, or by its policy's remote_ts. */
function childTowards(gateway: LinuxGatewayModel, address: Ipv4Address): LinuxChild | undefined {
  const children = gateway.connections.flatMap((c) => c.children);
  const routed = gateway.routes.filter((r) => r.dev?.target?.kind === 'xfrm' && prefixContains(r.prefix, address)).sort((a, b) => b.prefix.length - a.prefix.length)[0];
  if (routed !== undefined) return children.find((ch) => ch.xfrm !== undefined && ch.xfrm === routed.dev?.target);
  return children.find((ch) => ch.ifId === undefined && ch.remoteTs.value.some((p) => prefixContains(p, address)));
}

function reachable(gateway: LinuxGatewayModel, address: Ipv4Address): boolean {
  return onLink(gateway, address) || gateway.routes.some((r) => r.prefix.length > 0 && prefixContains(r.prefix, address)) || childTowards(gateway, address) !== undefined;
}

function checkBgp(gateway: LinuxGatewayModel, report: Findings): void {
  const bgp = gateway.bgp;
  if (bgp === undefined) return;
  const asn = bgp.asn.value;
  const ebgp = (n: LinuxNeighbor): boolean => n.remoteAs === 'external' || (typeof n.remoteAs === 'number' && n.remoteAs !== asn);
  for (const n of bgp.neighbors) {
    const peer = formatIpv4(n.address.value);
    if (gateway.connections.length > 0 && !reachable(gateway, n.address.value)) {
      const xfrm = gateway.xfrm[0]?.name ?? 'ipsec0';
      report.warning('LINUX_NO_BGP_HOST_ROUTE', n.address.path, `neighbor ${peer} has no route into a tunnel (no \`ip route\` into an XFRM interface and no policy-based child's remote_ts covers it): the BGP OPEN leaves by the default route, in clear, and the session never comes up`,
        `add routes: [{ to: ${peer}/32, dev: ${xfrm} }] (ip route add ${peer}/32 dev ${xfrm})`);
    }
    if (connectedCheckFails(gateway, asn, n)) {
      report.warning('LINUX_BGP_CONNECTED_CHECK', n.path, `neighbor ${peer} is an eBGP peer that is not on a connected subnet (it is behind a tunnel): FRR expects one-hop eBGP peers to be directly connected, so it neither opens nor accepts the session and the neighbour stays in Active`,
        `add 'disable-connected-check: true' (neighbor ${peer} disable-connected-check), or 'ebgp-multihop: 2' (neighbor ${peer} ebgp-multihop 2)`);
    }
    if (bgp.requiresPolicy && ebgp(n)) {
      report.warning('LINUX_EBGP_REQUIRES_POLICY', n.path, `neighbor ${peer} is eBGP and FRR's \`bgp ebgp-requires-policy\` is on (its default, RFC 8212) with no route-map: the session comes up but FRR neither sends nor accepts a single route ("(Policy)" in show bgp summary)`,
        "set 'bgp ebgp-requires-policy: false' (no bgp ebgp-requires-policy), as a lab does, or add route-maps in and out");
    }
    checkSourceInsideTs(gateway, n, report);
  }
  for (const net of bgp.networks) {
    if (holdsRoute(gateway, net.value)) continue;
    report.warning('LINUX_NETWORK_NOT_IN_RIB', net.path, `network ${formatPrefix(net.value)} matches no connected or static route of '${gateway.name}': FRR's \`bgp network import-check\` (on by default since FRR 7.4) keeps it out of BGP, so it is not advertised`,
      'write the prefix of a connected subnet exactly, or add a static route for it (ip route add … blackhole)');
  }
}

/**
 * A narrow child carries only packets whose source is inside its local_ts: the BGP session's own
 * packets must leave from an address there (strongSwan's advice: give the gateway an address in
 * local_ts, and make it the update-source).
 */
function checkSourceInsideTs(gateway: LinuxGatewayModel, n: LinuxNeighbor, report: Findings): void {
  const child = childTowards(gateway, n.address.value);
  if (child === undefined || child.localTs.value.some((p) => p.length === 0)) return;
  const source = n.updateSource?.value;
  const inside = (a: Ipv4Address): boolean => child.localTs.value.some((p) => prefixContains(p, a));
  if (source !== undefined && inside(source)) return;
  const candidates = gateway.addresses.filter(inside);
  const peer = formatIpv4(n.address.value);
  report.warning('LINUX_SOURCE_OUTSIDE_LOCAL_TS', n.updateSource?.path ?? n.path, `neighbor ${peer} is reached through child '${child.name}', whose local_ts (${child.localTs.value.map(formatPrefix).join(', ')}) does not hold the session's source address${source === undefined ? ' (no update-source: the kernel picks one)' : ` ${formatIpv4(source)}`}: its packets match no IPsec policy and never reach the peer`,
    candidates.length > 0 ? `set 'update-source: ${formatIpv4(candidates[0]!)}' (neighbor ${peer} update-source ${formatIpv4(candidates[0]!)})` : `give '${gateway.name}' an address inside local_ts (its LAN address) and make it the update-source`);
}

/** Azure's advice for on-premises devices: clamp TCP MSS to 1350, or a tunnel MTU of 1400. */
function checkMss(gateway: LinuxGatewayModel, pairing: Pairing, report: Findings): void {
  for (const c of gateway.connections) {
    const at = formatPath(c.path);
    const end = pairing.ends.find((e) => formatPath(e.path) === at);
    if (end === undefined) continue;
    const limit = partnersOf(pairing, end).find((p) => p.mtu !== undefined)?.mtu;
    if (limit === undefined) continue;
    for (const ch of c.children) {
      const x = ch.xfrm;
      if (x !== undefined && ((x.mss !== undefined && x.mss <= limit.mss) || (x.mtu !== undefined && x.mtu <= limit.mtu))) continue;
      const where = x !== undefined ? x.path : ch.path;
      const dev = x?.name ?? 'eth0';
      report.warning('LINUX_MSS_CLAMP', where, `${x !== undefined ? `XFRM interface '${x.name}'` : `child '${ch.name}'`} clamps no TCP MSS to ${limit.mss} and has no MTU of ${limit.mtu} or less, as the peer's tunnel needs: full-size TCP segments are fragmented or dropped after ESP is added, so large transfers stall while ping works`,
        x !== undefined ? `set 'set-mss: ${limit.mss}' on ${x.name} (iptables -t mangle -A FORWARD -o ${dev} -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss ${limit.mss}), or mtu: ${limit.mtu}` : `clamp the MSS of TCP through the tunnel to ${limit.mss} (iptables … -j TCPMSS --set-mss ${limit.mss})`);
    }
  }
}
