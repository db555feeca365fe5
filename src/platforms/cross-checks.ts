import type { DocPath } from '../config/source.js';
import { broadcastOf, formatIpv4, formatPrefix, prefixesOverlap, type Prefix } from '../net/address.js';
import type { Topology } from '../topology/schema.js';
import { AZURE_TCP_MSS, AZURE_TUNNEL_MTU } from './azure/defaults.js';
import type { Findings } from './adapter.js';
import { describeAddress, partnersOf, type AlibabaEnd, type AzureGateway, type TunnelEnd, type TunnelPair, type Tunnels } from './pairing.js';
import { matchProposals, type ProposalMatch } from './proposals.js';
import { profileOf, type Routed, type Selectors, type TunnelProfile } from './tunnel-profile.js';

/*
 * The two ends of every tunnel compared, as IKE compares them at run time: the pre-shared key
 * (and whether each platform accepts the other's), the IKE version, a common IKE proposal, a
 * common ESP proposal for the first CHILD_SA and for its rekeys, and traffic selectors that
 * mirror each other. Then ends nobody answers, Azure active-active gateways facing an Alibaba
 * dual tunnel with half the resources, and MTUs above what a tunnel carries.
 */

export function checkTunnelPairs(topology: Topology, tunnels: Tunnels, report: Findings): void {
  for (const pair of tunnels.pairs) {
    const [A, B] = [profileOf(pair.a), profileOf(pair.b)];
    checkKeys(pair, A, B, report);
    if (checkVersions(pair, A, B, report)) checkProposals(pair, A, B, report);
    checkSelectors(pair, A, B, report);
  }
  const explained = checkDualTunnels(tunnels, report);
  checkUnanswered(tunnels, explained, report);
  checkMtu(topology, tunnels, report);
}

function name(end: TunnelEnd, profile: TunnelProfile): string {
  return `${profile.platform} ${end.label}`;
}

function checkKeys({ a, b }: TunnelPair, A: TunnelProfile, B: TunnelProfile, report: Findings): void {
  // A warning, not an error: both keys are valid, and `vpnlab up` shows the failure as it happens.
  if (A.psk !== undefined && B.psk !== undefined && A.psk !== B.psk) {
    report.error('PAIR_PSK_MISMATCH', B.pskPath, `${name(b, B)} pre-shared key differs from the key of ${name(a, A)}: IKE_AUTH fails with AUTHENTICATION_FAILED and the tunnel never comes up`,
      'set the same key on both ends');
  }
  for (const [x, X, y, Y] of [[a, A, b, B], [b, B, a, A]] as const) {
    if (X.psk === undefined || X.pskProblem(X.psk) !== undefined) continue;
    const problem = Y.pskProblem(X.psk);
    if (problem === undefined) continue;
    report.error('PAIR_PSK_INVALID_ON_PEER', X.pskPath, `${name(x, X)} key is valid on ${X.platform} but ${problem}, which ${Y.platform} refuses: ${y.label} cannot be given the same key, so IKE_AUTH fails with AUTHENTICATION_FAILED`,
      'choose a key both platforms accept: letters, digits and symbols other than space, \'-\' and \'~\'');
  }
}

/** False when the versions differ (then proposals are not comparable). */
function checkVersions({ a, b }: TunnelPair, A: TunnelProfile, B: TunnelProfile, report: Findings): boolean {
  if (A.ikeVersion === undefined || B.ikeVersion === undefined) return false;
  if (A.ikeVersion === B.ikeVersion) return true;
  const [x, X, y, Y] = A.ikeVersion === 'ikev1' ? [a, A, b, B] : [b, B, a, A];
  report.error('PAIR_IKE_VERSION', X.versionPath, `${name(x, X)} speaks IKEv1 while ${name(y, Y)} speaks IKEv2: neither answers the other's first message, so no IKE SA and no tunnel come up`,
    X.platform === 'Alibaba Cloud' ? 'set IkeVersion: ikev2 (single-tunnel connections default to ikev1)' : 'use IKEv2 on both ends');
  return false;
}

function list(texts: readonly string[]): string {
  return texts.length <= 4 ? texts.join(', ') : `${texts.slice(0, 4).join(', ')} and ${texts.length - 4} more`;
}

function checkProposals({ a, b }: TunnelPair, A: TunnelProfile, B: TunnelProfile, report: Findings): void {
  if (A.proposals === undefined || B.proposals === undefined) return;
  const fromA = matchProposals(A.proposals, B.proposals);
  const fromB = matchProposals(B.proposals, A.proposals);
  const between = `${name(b, B)} and ${name(a, A)}`;
  if (fromA.ike === undefined && fromB.ike === undefined) {
    report.error('PAIR_NO_IKE_PROPOSAL', B.proposalPath, `${between} share no IKE proposal (${list(B.proposals.ike)} vs ${list(A.proposals.ike)}): IKE_SA_INIT fails with NO_PROPOSAL_CHOSEN and the tunnel never comes up`,
      'make one IKE proposal (encryption, integrity and DH group) the same on both ends');
    return;
  }
  if (fromA.childSa === undefined && fromB.childSa === undefined) {
    report.error('PAIR_NO_ESP_PROPOSAL', B.proposalPath, `${between} share no ESP proposal (${list(B.proposals.esp)} vs ${list(A.proposals.esp)}): the IKE SA comes up but IKE_AUTH's CHILD_SA fails with NO_PROPOSAL_CHOSEN, so no traffic passes`,
      'make one ESP proposal (encryption and integrity) the same on both ends');
    return;
  }
  // The end with the shorter CHILD_SA lifetime rekeys first (both, when equal).
  const rekeyers: [TunnelProfile, ProposalMatch][] = A.childLifetimeS < B.childLifetimeS ? [[A, fromA]] : B.childLifetimeS < A.childLifetimeS ? [[B, fromB]] : [[A, fromA], [B, fromB]];
  const failing = rekeyers.find(([, m]) => m.rekey === undefined);
  if (failing !== undefined) {
    const [who] = failing;
    const other = who === A ? B : A;
    report.warning('PAIR_PFS_MISMATCH', B.proposalPath, `${between} agree on ESP only without PFS: ${who.platform} rekeys first (after ${who.childLifetimeS} s) offering ${list(who.proposals!.esp)}, which ${other.platform} (${list(other.proposals!.esp)}) refuses with NO_PROPOSAL_CHOSEN; the first CHILD_SA works until its hard lifetime, then traffic stops`,
      'use the same PFS group on both ends (or none on both): e.g. IpsecPfs: disabled on Alibaba, or an Azure ipsecPolicies entry with the peer\'s pfsGroup');
  }
}

/** Address ranges covered, merged, as "a-b" keys: equal keys = the same addresses. */
function coverage(prefixes: readonly Prefix[]): string {
  const ranges = prefixes.map((p) => [p.address, broadcastOf(p)] as [number, number]).sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of ranges) {
    const last = merged[merged.length - 1];
    if (last !== undefined && start <= last[1] + 1) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged.map(([s, e]) => `${s}-${e}`).join(',');
}

function show(prefixes: readonly Prefix[]): string {
  return prefixes.length === 0 ? '(none)' : prefixes.map(formatPrefix).join(', ');
}

/**
 * Both narrow: they must mirror each other, or phase 2 fails. Azure narrow, peer any/any: fails.
 * Peer narrow, Azure route-based: IKEv2 narrows to the peer's selectors, so it must mirror what
 * Azure routes into the tunnel or packets outside it are dropped.
 */
function checkSelectors({ a, b }: TunnelPair, A: TunnelProfile, B: TunnelProfile, report: Findings): void {
  if (A.selectors === undefined && B.selectors === undefined) return;
  const compare = (n: TunnelEnd, N: TunnelProfile, ns: Selectors, other: string, os: Routed, error: boolean): void => {
    const sides = [
      { mine: ns.local, mineName: ns.localName, path: ns.localPath, theirs: os.remote, theirName: os.remoteName },
      { mine: ns.remote, mineName: ns.remoteName, path: ns.remotePath, theirs: os.local, theirName: os.localName },
    ];
    for (const s of sides) {
      if (s.theirs === undefined || coverage(s.mine) === coverage(s.theirs)) continue;
      const overlapping = s.mine.some((m) => s.theirs!.some((t) => prefixesOverlap(m, t)));
      const effect = !error ? 'the CHILD_SA is narrowed to these selectors, so packets outside them are dropped and ping between the uncovered ranges times out'
        : overlapping ? 'both ends propose narrow traffic selectors that differ: IKEv2 narrows the CHILD_SA to their overlap, and packets outside it are dropped by the tunnel (ping between the uncovered ranges times out)'
          : 'both ends propose narrow traffic selectors that do not even overlap, so phase 2 fails with TS_UNACCEPTABLE';
      const message = `${name(n, N)} ${s.mineName} ${show(s.mine)} does not mirror ${s.theirName} ${show(s.theirs)} of ${other}: ${effect}`;
      const hint = `make ${s.mineName} ${show(s.theirs)}, or change the other end to match`;
      if (error) report.error('PAIR_TS_MISMATCH', s.path, message, hint);
      else report.warning('PAIR_TS_MISMATCH', s.path, message, hint);
    }
  };
  if (A.selectors !== undefined && B.selectors !== undefined) {
    compare(b, B, B.selectors, name(a, A), A.selectors, true);
    return;
  }
  const [n, N, w, W] = A.selectors !== undefined ? [a, A, b, B] : [b, B, a, A];
  if (N.platform === 'Azure') {
    report.error('PAIR_TS_MISMATCH', N.selectors!.localPath, `${name(n, N)} has usePolicyBasedTrafficSelectors, but ${name(w, W)} proposes 0.0.0.0/0 ⇄ 0.0.0.0/0: phase 2 fails with TS_UNACCEPTABLE`,
      'turn usePolicyBasedTrafficSelectors off (the peer is route-based), or give the peer every VNet prefix × on-premises prefix pair as its selectors');
  } else if (W.routed !== undefined) {
    compare(n, N, N.selectors!, name(w, W), W.routed, false);
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * An Alibaba dual-tunnel connection needs, on the Azure gateway it faces, one local network
 * gateway and one connection per Alibaba IPsec address, and a customer gateway per Azure instance
 * (L1, S4). Returns the unanswered ends these warnings explain.
 */
function checkDualTunnels(tunnels: Tunnels, report: Findings): Set<TunnelEnd> {
  const explained = new Set<TunnelEnd>();
  const dual = tunnels.ends.filter((e): e is AlibabaEnd => e.platform === 'alibaba' && e.dualTunnel);
  const connections = [...new Set(dual.map((e) => e.connection))];
  for (const connection of connections) {
    const group = dual.filter((e) => e.connection === connection);
    for (const g of tunnels.azureGateways) {
      const azure = tunnels.ends.filter((e) => e.platform === 'azure' && e.gateway === g);
      const faces = group.some((t) => g.facts.instances.some((i) => i.publicAddress === t.remote)) || azure.some((x) => group.some((t) => t.local === x.remote));
      if (!faces) continue;
      const gw = gatewayName(g);
      let warned = false;
      for (const t of group) {
        if (azure.some((x) => x.remote === t.local)) continue;
        warned = true;
        explained.add(t);
        report.warning('PAIR_DUAL_TUNNEL_LNG', t.path, `Alibaba ${t.label} on ${formatIpv4(t.local)} has no local network gateway and connection on ${gw}: Azure ignores its IKE_SA_INIT, so this tunnel never comes up and there is no failover to it`,
          `create a local network gateway with gatewayIpAddress ${formatIpv4(t.local)} (and the VPC prefixes) and a connection to it with this tunnel's key: one of each per Alibaba IPsec address`);
      }
      g.facts.instances.forEach((instance, i) => {
        if (group.some((t) => t.remote === instance.publicAddress)) return;
        warned = true;
        report.warning('PAIR_CUSTOMER_GATEWAY_MISSING', group[0]!.path.slice(0, 5), `Alibaba IPsec connection '${connection.Name}' has no tunnel to ${gw}${g.facts.activeActive ? ` instance ${i}` : ''} (${formatIpv4(instance.publicAddress)}): that instance's tunnels are never answered, and every tunnel lands on the other instance, so connectivity drops during its maintenance`,
          `create a customer gateway with IpAddress ${formatIpv4(instance.publicAddress)} and use it for the other tunnel: one customer gateway per Azure public IP`);
      });
      if (warned) for (const x of azure) if (group.some((t) => t.local === x.remote)) explained.add(x);
    }
  }
  return explained;
}

function gatewayName(g: AzureGateway): string {
  return `Azure${g.facts.activeActive ? ' active-active' : ''} gateway '${g.gateway.name}'`;
}

const CONFIGURE_BACK: Record<TunnelEnd['platform'], (address: string) => string> = {
  azure: (address) => `give that Azure gateway a connection to ${address} (a local network gateway with gatewayIpAddress ${address}, or the Vnet2Vnet connection back)`,
  alibaba: (address) => `give that Alibaba VPN gateway a customer gateway with IpAddress ${address} and a tunnel to it`,
  rras: (address) => `give that RRAS server an S2S interface with Destination ${address}`,
};

/**
 * Ends whose peer answers nothing, or answers but has no tunnel back. The instances of an
 * active-active Azure connection count together: each dials the device, which answers those it
 * is configured for (the seed's Alibaba tunnels each face one Azure instance).
 */
function checkUnanswered(tunnels: Tunnels, explained: ReadonlySet<TunnelEnd>, report: Findings): void {
  const resource = (e: TunnelEnd): unknown => (e.platform === 'azure' ? e.connection : e);
  const answered = new Set(tunnels.ends.filter((e) => partnersOf(tunnels, e).length > 0).map(resource));
  for (const end of tunnels.ends) {
    if (explained.has(end) || answered.has(resource(end))) continue;
    const who = `${name(end, profileOf(end))} (${formatIpv4(end.local)})`;
    const known = tunnels.publicAddresses.get(end.remote);
    if (known !== undefined) {
      report.error('PAIR_NO_PEER_TUNNEL', end.path, `${who} expects its peer at ${describeAddress(tunnels, end.remote)}, which has no tunnel configured back to ${formatIpv4(end.local)}: the peer finds no configuration for it, so IKE fails and the tunnel never comes up`,
        CONFIGURE_BACK[known.platform](formatIpv4(end.local)));
    } else {
      report.warning('PAIR_NO_PEER_TUNNEL', end.path, `${who} expects its peer at ${formatIpv4(end.remote)}, which no gateway of this topology has: IKE_SA_INIT goes unanswered and the tunnel never comes up`,
        'give the peer gateway\'s public address, or model the peer as a site');
    }
  }
}

/** Hosts and routers behind a tunnel with an MTU above what it carries (Azure: 1400 / MSS 1350, S2). */
function checkMtu(topology: Topology, tunnels: Tunnels, report: Findings): void {
  const behind = new Map<number, TunnelEnd>();
  for (const p of tunnels.pairs) for (const e of [p.a, p.b]) if (!behind.has(e.siteIndex)) behind.set(e.siteIndex, e);
  for (const [siteIndex, end] of behind) {
    const site = topology.sites[siteIndex]!;
    const nodes: { what: string; mtu: number | undefined; path: DocPath }[] = [
      ...(site.hosts ?? []).map((h, i) => ({ what: `host '${h.name}'`, mtu: h.mtu, path: ['sites', siteIndex, 'hosts', i, 'mtu'] })),
      ...(site.routers ?? []).flatMap((r, ri) => r.interfaces.map((f, fi) => ({ what: `router '${r.name}' interface '${f.name}'`, mtu: f.mtu, path: ['sites', siteIndex, 'routers', ri, 'interfaces', fi, 'mtu'] }))),
    ];
    for (const n of nodes) {
      if (n.mtu === undefined || n.mtu <= AZURE_TUNNEL_MTU) continue;
      report.warning('PAIR_MTU_TOO_BIG', n.path, `${n.what} in site '${site.name}' has MTU ${n.mtu}, above the ${AZURE_TUNNEL_MTU} bytes ${end.label} carries once ESP is added: full-size packets are fragmented, or dropped when DF is set (a PMTU black hole: large pings and TCP transfers hang)`,
        `set mtu: ${AZURE_TUNNEL_MTU} (or clamp TCP MSS to ${AZURE_TCP_MSS} on the gateway)`);
    }
  }
}
