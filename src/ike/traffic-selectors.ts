import type { Ipv4Address } from '../net/address.js';
import { OPAQUE_PORTS, type Ipv4Selector, type TrafficSelector } from './payloads/ts.js';

/*
 * Traffic selector arithmetic (RFC 7296 §2.9): the responder narrows what the initiator proposes
 * to what its own policy allows — the intersection — and the initiator checks that what comes
 * back lies inside what it asked for. A route-based tunnel proposes 0.0.0.0/0 ⇄ 0.0.0.0/0 (Azure,
 * RRAS); a policy-based one, per-prefix pairs (Alibaba's protected data flows, Azure's
 * UsePolicyBasedTrafficSelectors).
 */

function isOpaque(s: Ipv4Selector): boolean {
  return s.startPort === OPAQUE_PORTS.startPort && s.endPort === OPAQUE_PORTS.endPort;
}

function isAnyPort(s: Ipv4Selector): boolean {
  return s.startPort === 0 && s.endPort === 0xffff;
}

/** The selector both allow, or undefined when they share nothing. */
export function intersectSelectors(a: Ipv4Selector, b: Ipv4Selector): Ipv4Selector | undefined {
  if (a.ipProtocol !== 0 && b.ipProtocol !== 0 && a.ipProtocol !== b.ipProtocol) return undefined;
  const ipProtocol = a.ipProtocol === 0 ? b.ipProtocol : a.ipProtocol;
  const startAddress = Math.max(a.startAddress, b.startAddress) >>> 0;
  const endAddress = Math.min(a.endAddress, b.endAddress) >>> 0;
  if (startAddress > endAddress) return undefined;
  let ports: { startPort: number; endPort: number };
  if (isOpaque(a) || isOpaque(b)) {
    // OPAQUE (RFC 7296 §3.13.1) meets only itself or "any port".
    if (!((isOpaque(a) || isAnyPort(a)) && (isOpaque(b) || isAnyPort(b)))) return undefined;
    ports = OPAQUE_PORTS;
  } else {
    ports = { startPort: Math.max(a.startPort, b.startPort), endPort: Math.min(a.endPort, b.endPort) };
    if (ports.startPort > ports.endPort) return undefined;
  }
  return { type: 'ipv4', ipProtocol, startAddress, endAddress, ...ports };
}

/**
 * The responder's narrowing: every non-empty intersection of a proposed IPv4 selector with a
 * configured one, without duplicates. Empty means TS_UNACCEPTABLE. IPv6 and unknown selector
 * types are dropped (vpnlab is IPv4 only).
 */
export function narrowSelectors(proposed: readonly TrafficSelector[], configured: readonly Ipv4Selector[]): Ipv4Selector[] {
  const out: Ipv4Selector[] = [];
  for (const p of proposed) {
    if (p.type !== 'ipv4') continue;
    for (const c of configured) {
      const i = intersectSelectors(p, c);
      if (i !== undefined && !out.some((o) => selectorEquals(o, i))) out.push(i);
    }
  }
  return out;
}

export function selectorEquals(a: Ipv4Selector, b: Ipv4Selector): boolean {
  return a.ipProtocol === b.ipProtocol && a.startAddress === b.startAddress && a.endAddress === b.endAddress
    && a.startPort === b.startPort && a.endPort === b.endPort;
}

/** `inner` lies wholly inside `outer` (addresses, ports, protocol). */
export function selectorWithin(inner: Ipv4Selector, outer: Ipv4Selector): boolean {
  const i = intersectSelectors(inner, outer);
  return i !== undefined && selectorEquals(i, inner);
}

/** The initiator's check on a response: every returned selector inside one it proposed. */
export function selectorsWithin(returned: readonly TrafficSelector[], proposed: readonly Ipv4Selector[]): boolean {
  return returned.length > 0 && returned.every((r) => r.type === 'ipv4' && proposed.some((p) => selectorWithin(r, p)));
}

/** Whether a packet (address, protocol, port; port 0 when the protocol has none) matches. */
export function selectorMatches(s: Ipv4Selector, address: Ipv4Address, protocol: number, port: number): boolean {
  if (address < s.startAddress || address > s.endAddress) return false;
  if (s.ipProtocol !== 0 && s.ipProtocol !== protocol) return false;
  if (isOpaque(s)) return false;
  return port >= s.startPort && port <= s.endPort;
}
