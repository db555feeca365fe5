import type { Ipv4Address } from '../net/address.js';
import { IpProtocol, ipv4Dst, ipv4HeaderLength, ipv4Protocol, ipv4Src } from '../net/ipv4.js';
import type { Ipv4Selector } from '../ike/payloads/ts.js';
import { selectorMatches } from '../ike/traffic-selectors.js';

/** What IPsec selectors look at in a packet (RFC 4301 §4.4.1.1). */
export interface PacketFlow {
  readonly src: Ipv4Address;
  readonly dst: Ipv4Address;
  readonly protocol: number;
  /** 0 when the protocol has no ports or the packet is a non-initial fragment. */
  readonly srcPort: number;
  readonly dstPort: number;
}

const SCTP = 132;

/**
 * The selector fields of an encoded IPv4 packet (checked well-formed by the caller). ICMP's type
 * and code count as one 16-bit port, type first (RFC 7296 §3.13.1), on both sides. A non-initial
 * fragment carries no ports and is matched with port 0.
 */
export function packetFlow(packet: Uint8Array): PacketFlow {
  const protocol = ipv4Protocol(packet);
  const flow = { src: ipv4Src(packet), dst: ipv4Dst(packet), protocol, srcPort: 0, dstPort: 0 };
  const fragmentOffset = ((packet[6]! & 0x1f) << 8) | packet[7]!;
  const at = ipv4HeaderLength(packet);
  if (fragmentOffset !== 0) return flow;
  if ((protocol === IpProtocol.Tcp || protocol === IpProtocol.Udp || protocol === SCTP) && packet.length >= at + 4) {
    flow.srcPort = (packet[at]! << 8) | packet[at + 1]!;
    flow.dstPort = (packet[at + 2]! << 8) | packet[at + 3]!;
  } else if (protocol === IpProtocol.Icmp && packet.length >= at + 2) {
    flow.srcPort = flow.dstPort = (packet[at]! << 8) | packet[at + 1]!;
  }
  return flow;
}

/** Whether a flow leaving through a CHILD_SA lies inside its selectors: source local, destination remote. */
export function outboundFlowAllowed(flow: PacketFlow, local: readonly Ipv4Selector[], remote: readonly Ipv4Selector[]): boolean {
  return local.some((s) => selectorMatches(s, flow.src, flow.protocol, flow.srcPort))
    && remote.some((s) => selectorMatches(s, flow.dst, flow.protocol, flow.dstPort));
}

/** Whether a flow that arrived through a CHILD_SA lies inside its selectors: source remote, destination local. */
export function inboundFlowAllowed(flow: PacketFlow, local: readonly Ipv4Selector[], remote: readonly Ipv4Selector[]): boolean {
  return remote.some((s) => selectorMatches(s, flow.src, flow.protocol, flow.srcPort))
    && local.some((s) => selectorMatches(s, flow.dst, flow.protocol, flow.dstPort));
}
