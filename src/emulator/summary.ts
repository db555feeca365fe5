import type { TransitionReason } from '../bgp/fsm-types.js';
import type { IkeSaReason } from '../ike/reasons.js';
import type { Ipv4Address } from '../net/address.js';
import type { GatewayInstance } from './gateway-instance.js';
import type { Network } from './network.js';

/*
 * The state of a running network in counts, for the summary `vpnlab up` prints first: how many
 * tunnels and BGP sessions are up of those expected, and why each of the others is not. A tunnel
 * or session is expected when both its ends configure it (each end's remote address is the
 * other's), or when one end configures it towards an address no emulated gateway holds (it can
 * only fail, and says why). One end configured towards a gateway that has nothing for it — an
 * active-active Azure instance a single-address peer never dials — is not expected.
 */

/** One end of a tunnel or session, `site/instance:connection` or `site/instance:neighbour`. */
export interface EndName {
  readonly instance: string;
  readonly name: string;
}

export type SummaryFailure =
  | { readonly kind: 'tunnel-down'; readonly end: EndName; readonly reason: IkeSaReason | undefined }
  | { readonly kind: 'bgp-not-established'; readonly end: EndName; readonly state: string; readonly reason: TransitionReason | undefined };

export interface NetworkSummary {
  readonly sites: number;
  readonly tunnels: { readonly up: number; readonly expected: number };
  readonly sessions: { readonly established: number; readonly expected: number };
  /** Expected tunnels not up and sessions not established, in instance order. */
  readonly failures: readonly SummaryFailure[];
}

interface End {
  readonly gateway: GatewayInstance;
  readonly name: string;
  readonly local: Ipv4Address | undefined;
  readonly remote: Ipv4Address | undefined;
  readonly up: boolean;
}

const key = (a: Ipv4Address | undefined, b: Ipv4Address | undefined): string => `${a ?? '*'}>${b ?? '*'}`;

/**
 * Pairs ends by addresses and counts each pair once: up when both ends are; an end whose remote
 * no gateway holds counts alone.
 */
function tally(ends: readonly End[], held: ReadonlySet<Ipv4Address>): { up: number; expected: number; down: End[] } {
  const byKey = new Map<string, End>();
  for (const e of ends) byKey.set(key(e.local, e.remote), e);
  let up = 0;
  let expected = 0;
  const down: End[] = [];
  const counted = new Set<End>();
  for (const e of ends) {
    if (counted.has(e)) continue;
    const other = byKey.get(key(e.remote, e.local));
    if (other !== undefined && other !== e) {
      counted.add(other);
    } else if (e.remote !== undefined && held.has(e.remote)) {
      continue;
    }
    expected++;
    if (e.up && (other === undefined || other.up)) up++;
    else down.push(e.up && other !== undefined ? other : e);
  }
  return { up, expected, down };
}

function lastMilestones(network: Network): { ike: Map<string, IkeSaReason>; bgp: Map<string, TransitionReason> } {
  const ike = new Map<string, IkeSaReason>();
  const bgp = new Map<string, TransitionReason>();
  for (const m of network.milestones) {
    if (m.kind === 'ike-sa-failed' || m.kind === 'ike-sa-down') ike.set(`${m.node}:${m.peer}`, m.reason);
    else if (m.kind === 'bgp-session' && m.to !== 'Established') bgp.set(`${m.node}:${m.neighbor}`, m.reason);
  }
  return { ike, bgp };
}

export function summarize(network: Network): NetworkSummary {
  const gateways = [...network.gateways.values()];
  const addresses = new Set<Ipv4Address>();
  for (const g of gateways) for (const i of g.node.ip.interfaces.values()) for (const a of i.addresses) addresses.add(a.address);

  const tunnelEnds: End[] = gateways.flatMap((g) => (g.plan.ipsec?.peers ?? []).map((p) => ({
    gateway: g, name: p.name, local: p.localAddress, remote: p.remoteAddress,
    up: (g.ipsec?.engine.ikeSasOf(p.name) ?? []).some((sa) => sa.state === 'established' && sa.children.length > 0),
  })));
  const sessionEnds: End[] = gateways.flatMap((g) => (g.bgp?.neighbors ?? []).map((n) => ({
    gateway: g, name: n.name, remote: n.config.address, local: n.config.localAddress ?? g.bgp!.config.routerId,
    up: n.state === 'Established',
  })));

  const tunnels = tally(tunnelEnds, addresses);
  const sessions = tally(sessionEnds, addresses);
  const last = lastMilestones(network);
  const endName = (e: End): EndName => ({ instance: e.gateway.node.qualifiedName, name: e.name });
  const failures: SummaryFailure[] = [
    ...tunnels.down.map((e): SummaryFailure => ({ kind: 'tunnel-down', end: endName(e), reason: last.ike.get(`${e.gateway.node.qualifiedName}:${e.name}`) })),
    ...sessions.down.map((e): SummaryFailure => ({
      kind: 'bgp-not-established', end: endName(e), state: e.gateway.bgp?.neighbor(e.name)?.state ?? 'Idle',
      reason: last.bgp.get(`${e.gateway.node.qualifiedName}:${e.name}`),
    })),
  ];
  return {
    sites: network.topology.sites.length,
    tunnels: { up: tunnels.up, expected: tunnels.expected },
    sessions: { established: sessions.up, expected: sessions.expected },
    failures,
  };
}
