import { isLinkLocal, type Ipv4Address, type Prefix } from '../../net/address.js';
import { hostPrefix, prefixesOf } from '../common.js';
import { AZURE_CHILD_LIFETIME_KB, AZURE_CHILD_LIFETIME_S, AZURE_ESP_INITIATOR, AZURE_ESP_RESPONDER_EXTRA, AZURE_IKE_PROPOSALS, customPolicyProposals } from './defaults.js';
import type { AzureGatewayFacts, AzureInstanceFacts } from './facts.js';
import type { ModelConnection, ModelLng } from './model.js';
import type { Connection } from '../../topology/platforms/azure.js';

/*
 * What Azure makes of one connection, derived once for the planner (gateway.ts) and for the ends
 * the pair checks compare (ends.ts): whom it dials, what it offers, which traffic selectors it
 * proposes and which address it speaks BGP from.
 */

/** One remote end of a connection: an LNG device, or one instance of the other VNet's gateway. */
export interface RemoteEnd {
  readonly peerName: string;
  readonly address: Ipv4Address;
  /** The local network gateway describing the device (IPsec connections). */
  readonly lng?: ModelLng;
  /** The other VNet's gateway (Vnet2Vnet connections). */
  readonly peerGateway?: AzureGatewayFacts;
  /** Prefixes routed into the tunnel statically (LNG address space, or the other VNet without BGP). */
  readonly staticPrefixes: readonly Prefix[];
  /** The prefixes a policy-based connection proposes as the remote side (the LNG, or the other VNet). */
  readonly remotePrefixes: readonly Prefix[];
  readonly bgp?: { readonly address: Ipv4Address; readonly asn: number; readonly weight?: number };
  /** Prefixes Azure holds for this end and advertises to its other BGP peers, not back to it. */
  readonly ownPrefixes: readonly Prefix[];
}

/** Why a connection has no remote end Azure can dial. */
export type RemoteProblem =
  | { readonly kind: 'unknown-lng' }
  | { readonly kind: 'lng-fqdn'; readonly lng: string }
  | { readonly kind: 'no-vnet-gateway' }
  | { readonly kind: 'unknown-vnet-gateway' }
  | { readonly kind: 'express-route' };

/** The IKE peer name of a connection's tunnel to remote instance `j` of `count`: the connection's name, `<name>_<j>` for an active-active peer. */
function peerName(conn: Connection, j: number, count: number): string {
  return count > 1 ? `${conn.name}_${j}` : conn.name;
}

/** Whether the IKE peer `peer` is one of the connection named `connection`'s tunnels. */
export function isTunnelOf(connection: string, peer: string): boolean {
  return peer === connection || (peer.startsWith(`${connection}_`) && /^\d+$/.test(peer.slice(connection.length + 1)));
}

/**
 * Whom the connection dials from a gateway with `facts`: its local network gateway's device, or
 * every instance of the Vnet2Vnet peer (`peer`: the other gateway's facts, when it resolves).
 */
export function connectionRemotes(c: ModelConnection, facts: AzureGatewayFacts, peer: AzureGatewayFacts | undefined): RemoteEnd[] | RemoteProblem {
  const conn = c.conn;
  const bgpOn = conn.enableBgp === true && facts.bgpEnabled;
  if (conn.connectionType === 'IPsec') {
    const lng = c.lng;
    if (lng === undefined) return { kind: 'unknown-lng' };
    if (lng.gatewayAddress === undefined) return { kind: 'lng-fqdn', lng: lng.lng.name };
    const bgp = bgpOn ? lng.bgp : undefined;
    return [{
      peerName: conn.name, address: lng.gatewayAddress, lng,
      staticPrefixes: lng.prefixes, remotePrefixes: lng.prefixes, ...(bgp !== undefined ? { bgp } : {}), ownPrefixes: lng.prefixes,
    }];
  }
  if (conn.connectionType === 'Vnet2Vnet') {
    if (conn.virtualNetworkGateway2 === undefined) return { kind: 'no-vnet-gateway' };
    if (peer === undefined) return { kind: 'unknown-vnet-gateway' };
    const withBgp = bgpOn && peer.bgpEnabled;
    return peer.instances.map((instance, j) => ({
      peerName: peerName(conn, j, peer.instances.length),
      address: instance.publicAddress,
      peerGateway: peer,
      staticPrefixes: withBgp ? [] : peer.vnetPrefixes,
      remotePrefixes: peer.vnetPrefixes,
      ...(withBgp ? { bgp: { address: instance.bgpAddress, asn: peer.asn } } : {}),
      ownPrefixes: withBgp ? [hostPrefix(instance.bgpAddress)] : [],
    }));
  }
  return { kind: 'express-route' };
}

/** A connection's proposals and CHILD_SA lifetimes: Azure's defaults (S2), or its IPsec policy. */
export interface AzureOffer {
  readonly ike: readonly string[];
  /** What it offers as initiator. */
  readonly esp: readonly string[];
  /** What it accepts beyond that as responder (wider, with PFS). */
  readonly espAccepted: readonly string[];
  readonly childSeconds: number;
  readonly childKb: number;
}

export function azureOffer(conn: Connection): AzureOffer | { problem: string } {
  const policy = conn.ipsecPolicies?.[0];
  if (policy === undefined) {
    return { ike: AZURE_IKE_PROPOSALS, esp: AZURE_ESP_INITIATOR, espAccepted: AZURE_ESP_RESPONDER_EXTRA, childSeconds: AZURE_CHILD_LIFETIME_S, childKb: AZURE_CHILD_LIFETIME_KB };
  }
  const custom = customPolicyProposals(policy);
  if ('problem' in custom) return custom;
  return { ike: [custom.ike], esp: [custom.esp], espAccepted: [], childSeconds: policy.saLifeTimeSeconds, childKb: policy.saDataSizeKilobytes };
}

/**
 * The narrow selectors of a connection with usePolicyBasedTrafficSelectors: its
 * trafficSelectorPolicies, or the VNet × the remote prefixes; undefined for any ⇄ any.
 */
export function policySelectors(conn: Connection, facts: AzureGatewayFacts, remote: RemoteEnd): { local: Prefix[]; remote: Prefix[]; fromPolicies: boolean } | undefined {
  if (conn.usePolicyBasedTrafficSelectors !== true) return undefined;
  const policies = conn.trafficSelectorPolicies;
  if (policies !== undefined) {
    return { local: policies.flatMap((p) => prefixesOf(p.localAddressRanges)), remote: policies.flatMap((p) => prefixesOf(p.remoteAddressRanges)), fromPolicies: true };
  }
  return { local: [...facts.vnetPrefixes], remote: [...remote.remotePrefixes], fromPolicies: false };
}

/** How an instance speaks BGP to a peer at `peer`: from which address, and whether it waits to be called. */
export interface BgpStance {
  /** Undefined when it has no address to peer from (an APIPA peer, no APIPA address of its own). */
  readonly local: Ipv4Address | undefined;
  readonly passive: boolean;
}

/**
 * Its default BGP address in GatewaySubnet, dialling; towards an APIPA peer its own APIPA
 * address — the connection's choice for this instance (gatewayCustomBgpIpAddresses), else the
 * first of the instance's customBgpIpAddresses — and it waits to be called (S1, S3).
 */
export function bgpStance(c: ModelConnection, instance: AzureInstanceFacts, peer: Ipv4Address): BgpStance {
  if (!isLinkLocal(peer)) return { local: instance.bgpAddress, passive: false };
  const chosen = c.customBgpAddresses.find((x) => x.ipConfiguration === instance.ipConfiguration)?.address;
  return { local: chosen ?? instance.customBgpAddresses[0], passive: true };
}
