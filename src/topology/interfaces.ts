import { isIpv4, parseInterfaceAddress, parseIpv4, parsePrefix, type Ipv4Address, type Prefix } from '../net/address.js';
import type { RouterInterface, Subnet } from './schema.js';

/** How router interfaces and link ends of the file are read: shared by the checks and the emulator. */

export type ResolvedInterfaceAddress =
  | { kind: 'numbered'; address: Ipv4Address; prefix: Prefix }
  | { kind: 'unnumbered' }
  | { kind: 'error'; message: string; hint?: string };

/** The address and prefix an interface ends up with, from its `address` and `subnet`. */
export function resolveInterfaceAddress(iface: RouterInterface, subnets: readonly Subnet[]): ResolvedInterfaceAddress {
  const subnet = iface.subnet === undefined ? undefined : subnets.find((s) => s.name === iface.subnet);
  if (iface.address === undefined) {
    if (subnet !== undefined) return { kind: 'error', message: `interface '${iface.name}' on subnet '${subnet.name}' needs an address` };
    return { kind: 'unnumbered' };
  }
  if (isIpv4(iface.address)) {
    if (subnet === undefined) {
      return { kind: 'error', message: `interface address ${iface.address} has no prefix length and no subnet`, hint: 'write it as a.b.c.d/len, or attach the interface to a subnet' };
    }
    return { kind: 'numbered', address: parseIpv4(iface.address), prefix: parsePrefix(subnet.prefix) };
  }
  const { address, prefix } = parseInterfaceAddress(iface.address);
  if (subnet !== undefined) {
    const sp = parsePrefix(subnet.prefix);
    if (sp.length !== prefix.length || sp.address !== prefix.address) {
      return { kind: 'error', message: `interface address ${iface.address} does not match its subnet '${subnet.name}' (${subnet.prefix})` };
    }
  }
  return { kind: 'numbered', address, prefix };
}

/** Parses "site/router/interface". */
export function parseEndpoint(text: string): { site: string; node: string; iface: string } | undefined {
  const parts = text.split('/');
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined;
  return { site: parts[0]!, node: parts[1]!, iface: parts[2]! };
}

