import type { DocPath } from '../config/source.js';
import { broadcastOf, formatIpv4, formatPrefix, prefixesOverlap, type Prefix } from '../net/address.js';
import type { Topology } from '../topology/schema.js';
import type { Findings, PairingRules, PlatformName } from './adapter.js';
import type { GatewayRef, Routed, Selectors, TunnelEnd } from './ends.js';
import { describeAddress, partnersOf, type Pairing, type TunnelPair } from './pairing.js';
import { matchProposals, type ProposalMatch } from './proposals.js';

/*
 * The two ends of every tunnel compared, as IKE compares them at run time, whatever platforms
 * they are: the pre-shared key (and whether each platform accepts the other's), the IKE version, a
 * common IKE proposal, a common ESP proposal for the first CHILD_SA and for its rekeys, and
 * traffic selectors that mirror each other. Then ends nobody answers, redundant tunnels that miss
 * an instance of the gateway they face, and MTUs above what a tunnel carries.
 */

/** What the pair checks ask of each platform about its own side, and its name in messages. */
export type RulesOf = (platform: PlatformName) => PairingRules & { readonly title: string };

export function checkTunnelPairs(topology: Topology, pairing: Pairing, rules: RulesOf, report: Findings): void {
  for (const pair of pairing.pairs) {
    checkKeys(pair, rules, report);
    if (checkVersions(pair, report)) checkProposals(pair, rules, report);
    checkSelectors(pair, report);
  }
  const explained = checkRedundantTunnels(pairing, rules, report);
  checkUnanswered(pairing, explained, rules, report);
  checkMtu(topology, pairing, report);
}

function checkKeys({ a, b }: TunnelPair, rules: RulesOf, report: Findings): void {
  if (a.psk.value !== undefined && b.psk.value !== undefined && a.psk.value !== b.psk.value) {
    report.warning('PAIR_PSK_MISMATCH', b.psk.path, `${b.label} pre-shared key differs from the key of ${a.label}: IKE_AUTH fails with AUTHENTICATION_FAILED and the tunnel never comes up`,
      'set the same key on both ends');
  }
  for (const [x, y] of [[a, b], [b, a]] as const) {
    const key = x.psk.value;
    const [X, Y] = [rules(x.platform), rules(y.platform)];
    if (key === undefined || X.keyProblem?.(key) !== undefined) continue;
    const problem = Y.keyProblem?.(key);
    if (problem === undefined) continue;
    report.warning('PAIR_PSK_INVALID_ON_PEER', x.psk.path, `${x.label} key is valid on ${X.title} but ${problem}, which ${Y.title} refuses: ${y.label} cannot be given the same key, so IKE_AUTH fails with AUTHENTICATION_FAILED`,
      'choose a key both platforms accept: letters, digits and symbols other than space, \'-\' and \'~\'');
  }
}

/** False when the versions differ (then proposals are not comparable). */
function checkVersions({ a, b }: TunnelPair, report: Findings): boolean {
  if (a.ikeVersion.value === undefined || b.ikeVersion.value === undefined) return false;
  if (a.ikeVersion.value === b.ikeVersion.value) return true;
  const [x, y] = a.ikeVersion.value === 'ikev1' ? [a, b] : [b, a];
  report.warning('PAIR_IKE_VERSION', x.ikeVersion.path, `${x.label} speaks IKEv1 while ${y.label} speaks IKEv2: neither answers the other's first message, so no IKE SA and no tunnel come up`,
    x.ikeVersionFix);
  return false;
}

function list(texts: readonly string[]): string {
  return texts.length <= 4 ? texts.join(', ') : `${texts.slice(0, 4).join(', ')} and ${texts.length - 4} more`;
}

function checkProposals({ a, b }: TunnelPair, rules: RulesOf, report: Findings): void {
  const [A, B] = [a.proposals, b.proposals];
  if (A === undefined || B === undefined) return;
  const fromA = matchProposals(A, B);
  const fromB = matchProposals(B, A);
  const between = `${b.label} and ${a.label}`;
  if (fromA.ike === undefined && fromB.ike === undefined) {
    report.warning('PAIR_NO_IKE_PROPOSAL', b.proposalPath, `${between} share no IKE proposal (${list(B.ike)} vs ${list(A.ike)}): IKE_SA_INIT fails with NO_PROPOSAL_CHOSEN and the tunnel never comes up`,
      'make one IKE proposal (encryption, integrity and DH group) the same on both ends');
    return;
  }
  if (fromA.childSa === undefined && fromB.childSa === undefined) {
    report.warning('PAIR_NO_ESP_PROPOSAL', b.proposalPath, `${between} share no ESP proposal (${list(B.esp)} vs ${list(A.esp)}): the IKE SA comes up but IKE_AUTH's CHILD_SA fails with NO_PROPOSAL_CHOSEN, so no traffic passes`,
      'make one ESP proposal (encryption and integrity) the same on both ends');
    return;
  }
  // The end with the shorter CHILD_SA lifetime rekeys first (both, when equal).
  const rekeyers: [TunnelEnd, ProposalMatch][] = a.childLifetimeS < b.childLifetimeS ? [[a, fromA]] : b.childLifetimeS < a.childLifetimeS ? [[b, fromB]] : [[a, fromA], [b, fromB]];
  const failing = rekeyers.find(([, m]) => m.rekey === undefined);
  if (failing === undefined) return;
  const [who] = failing;
  const other = who === a ? b : a;
  report.warning('PAIR_PFS_MISMATCH', b.proposalPath, `${between} agree on ESP only without PFS: ${rules(who.platform).title} rekeys first (after ${who.childLifetimeS} s) offering ${list(who.proposals!.esp)}, which ${rules(other.platform).title} (${list(other.proposals!.esp)}) refuses with NO_PROPOSAL_CHOSEN; the first CHILD_SA works until its hard lifetime, then traffic stops`,
    'use the same PFS group on both ends (or none on both): e.g. IpsecPfs: disabled on Alibaba, or an Azure ipsecPolicies entry with the peer\'s pfsGroup');
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
 * Both narrow: they must mirror each other, or phase 2 fails. A narrow end whose selectors
 * require a mirror (Azure's policy-based selectors) facing any/any: fails. A narrow end facing a
 * route-based one: IKEv2 narrows to its selectors, so they must mirror what the other end routes
 * into the tunnel or packets outside them are dropped.
 */
function checkSelectors({ a, b }: TunnelPair, report: Findings): void {
  if (a.selectors === undefined && b.selectors === undefined) return;
  const compare = (n: TunnelEnd, ns: Selectors, other: string, os: Routed, error: boolean): void => {
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
      const message = `${n.label} ${s.mineName} ${show(s.mine)} does not mirror ${s.theirName} ${show(s.theirs)} of ${other}: ${effect}`;
      const hint = `make ${s.mineName} ${show(s.theirs)}, or change the other end to match`;
      report.warning('PAIR_TS_MISMATCH', s.path, message, hint);
    }
  };
  if (a.selectors !== undefined && b.selectors !== undefined) {
    compare(b, b.selectors, a.label, a.selectors, true);
    return;
  }
  const [n, w] = a.selectors !== undefined ? [a, b] : [b, a];
  if (n.selectorsRequireMirror !== undefined) {
    report.warning('PAIR_TS_MISMATCH', n.selectors!.localPath, `${n.label} proposes narrow traffic selectors (${n.selectors!.localName}), but ${w.label} proposes 0.0.0.0/0 ⇄ 0.0.0.0/0: phase 2 fails with TS_UNACCEPTABLE`,
      n.selectorsRequireMirror.fix);
  } else if (w.routed !== undefined) {
    compare(n, n.selectors!, w.label, w.routed, false);
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * The tunnels of a redundant connection (Alibaba's dual tunnel, L1, S4) must each be answered by
 * the gateway they face, and every instance of that gateway needs one of them. Returns the
 * unanswered ends these warnings explain.
 */
function checkRedundantTunnels(pairing: Pairing, rules: RulesOf, report: Findings): Set<TunnelEnd> {
  const explained = new Set<TunnelEnd>();
  const groups = new Map<string, TunnelEnd[]>();
  for (const e of pairing.ends) if (e.redundancyGroup !== undefined) groups.set(e.redundancyGroup.key, [...(groups.get(e.redundancyGroup.key) ?? []), e]);
  const gateways = new Map<string, { ref: GatewayRef; platform: PlatformName; addresses: { address: number; what: string }[] }>();
  for (const p of pairing.publicAddresses.values()) {
    const g = gateways.get(p.gateway.key) ?? { ref: p.gateway, platform: p.platform, addresses: [] };
    g.addresses.push({ address: p.address, what: p.what });
    gateways.set(p.gateway.key, g);
  }
  for (const group of groups.values()) {
    const head = group[0]!;
    for (const g of gateways.values()) {
      const theirs = pairing.ends.filter((e) => e.gateway.key === g.ref.key);
      const faces = group.some((t) => g.addresses.some((x) => x.address === t.remote)) || theirs.some((x) => group.some((t) => t.local === x.remote));
      if (!faces || g.ref.key === head.gateway.key) continue;
      let warned = false;
      for (const t of group) {
        if (theirs.some((x) => x.remote === t.local)) continue;
        warned = true;
        explained.add(t);
        report.warning('PAIR_DUAL_TUNNEL_LNG', t.path, `${t.label} on ${formatIpv4(t.local)} has no tunnel configured on ${g.ref.name}: its IKE_SA_INIT is ignored, so this tunnel never comes up and there is no failover to it`,
          `${rules(g.platform).answerFix(formatIpv4(t.local))}: one per address of ${head.redundancyGroup!.name}`);
      }
      for (const x of g.addresses) {
        if (group.some((t) => t.remote === x.address)) continue;
        warned = true;
        report.warning('PAIR_CUSTOMER_GATEWAY_MISSING', head.redundancyGroup!.path, `${head.redundancyGroup!.name} has no tunnel to ${x.what} (${formatIpv4(x.address)}): that instance's tunnels are never answered, and every tunnel lands on the other instance, so connectivity drops during its maintenance`,
          rules(head.platform).addTunnelFix?.(formatIpv4(x.address)) ?? `add a tunnel to ${formatIpv4(x.address)}`);
      }
      if (warned) for (const x of theirs) if (group.some((t) => t.local === x.remote)) explained.add(x);
    }
  }
  return explained;
}

/**
 * Ends whose peer answers nothing, or answers but has no tunnel back. The ends of one resource
 * count together (the instances of an active-active Azure connection each dial the device, which
 * answers those it is configured for).
 */
function checkUnanswered(pairing: Pairing, explained: ReadonlySet<TunnelEnd>, rules: RulesOf, report: Findings): void {
  const answered = new Set(pairing.ends.filter((e) => partnersOf(pairing, e).length > 0).map((e) => e.resource));
  for (const end of pairing.ends) {
    if (explained.has(end) || answered.has(end.resource)) continue;
    const who = `${end.label} (${formatIpv4(end.local)})`;
    const known = pairing.publicAddresses.get(end.remote);
    if (known !== undefined) {
      report.warning('PAIR_NO_PEER_TUNNEL', end.path, `${who} expects its peer at ${describeAddress(pairing, end.remote)}, which has no tunnel configured back to ${formatIpv4(end.local)}: the peer finds no configuration for it, so IKE fails and the tunnel never comes up`,
        rules(known.platform).answerFix(formatIpv4(end.local)));
    } else {
      report.warning('PAIR_NO_PEER_TUNNEL', end.path, `${who} expects its peer at ${formatIpv4(end.remote)}, which no gateway of this topology has: IKE_SA_INIT goes unanswered and the tunnel never comes up`,
        'give the peer gateway\'s public address, or model the peer as a site');
    }
  }
}

/** Hosts and routers behind a tunnel with an MTU above what it carries (Azure: 1400 / MSS 1350, S2). */
function checkMtu(topology: Topology, pairing: Pairing, report: Findings): void {
  const limits = new Map<number, TunnelEnd>();
  for (const { a, b } of pairing.pairs) {
    const limit = [a, b].filter((e) => e.mtu !== undefined).sort((x, y) => x.mtu!.mtu - y.mtu!.mtu)[0];
    if (limit === undefined) continue;
    for (const e of [a, b]) if (!limits.has(e.siteIndex) || limits.get(e.siteIndex)!.mtu!.mtu > limit.mtu!.mtu) limits.set(e.siteIndex, limit);
  }
  for (const [siteIndex, end] of limits) {
    const site = topology.sites[siteIndex]!;
    const { mtu, mss } = end.mtu!;
    const nodes: { what: string; mtu: number | undefined; path: DocPath }[] = [
      ...(site.hosts ?? []).map((h, i) => ({ what: `host '${h.name}'`, mtu: h.mtu, path: ['sites', siteIndex, 'hosts', i, 'mtu'] })),
      ...(site.routers ?? []).flatMap((r, ri) => r.interfaces.map((f, fi) => ({ what: `router '${r.name}' interface '${f.name}'`, mtu: f.mtu, path: ['sites', siteIndex, 'routers', ri, 'interfaces', fi, 'mtu'] }))),
    ];
    for (const n of nodes) {
      if (n.mtu === undefined || n.mtu <= mtu) continue;
      report.warning('PAIR_MTU_TOO_BIG', n.path, `${n.what} in site '${site.name}' has MTU ${n.mtu}, above the ${mtu} bytes ${end.label} carries once ESP is added: full-size packets are fragmented, or dropped when DF is set (a PMTU black hole: large pings and TCP transfers hang)`,
        `set mtu: ${mtu} (or clamp TCP MSS to ${mss} on the gateway)`);
    }
  }
}
