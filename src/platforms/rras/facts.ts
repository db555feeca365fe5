import { formatPrefix, isIpv4, parseInterfaceAddress, parseIpv4, parsePrefix, type Ipv4Address, type Prefix } from '../../net/address.js';
import type { SiteOf } from '../../topology/schema.js';
import type { Ipv4Selector } from '../../ike/payloads/ts.js';
import { ANY_SELECTOR } from '../common.js';
import type { RrasSite, VpnS2SInterface, VpnTrafficSelector } from '../../topology/platforms/rras.js';

/*
 * What an RRAS block comes to, read the way Windows does: the emulator (gateway.ts) and the
 * checks (checks.ts, ../pairing.ts) both ask here.
 */

/** The server's name (its node name): `Server.Name`, RRAS when the file leaves it out. */
export function rrasServerName(rras: RrasSite): string {
  return rras.Server.Name ?? 'RRAS';
}

/** The address an adapter carries (written with or without its prefix length). */
export function adapterAddress(text: string): Ipv4Address {
  return isIpv4(text) ? parseIpv4(text) : parseInterfaceAddress(text).address;
}

/** The prefix an adapter sits on (its subnet, or the length written with its address). */
export function adapterPrefix(site: SiteOf<'rras'>, text: string, subnet: string | undefined): Prefix | undefined {
  if (!isIpv4(text)) return parseInterfaceAddress(text).prefix;
  const s = (site.subnets ?? []).find((x) => x.name === subnet);
  return s === undefined ? undefined : parsePrefix(s.prefix);
}

/** Routes through each S2S interface: its -IPv4Subnet entries and the NetRoutes naming it. */
export function s2sRoutes(rras: RrasSite, iface: VpnS2SInterface): Prefix[] {
  return [
    ...(iface.IPv4Subnet ?? []).map((entry) => parsePrefix(entry.slice(0, entry.lastIndexOf(':')))),
    ...(rras.NetRoutes ?? []).filter((r) => r.InterfaceAlias === iface.Name).map((r) => parsePrefix(r.DestinationPrefix)),
  ];
}

/**
 * What Add-BgpCustomRoute advertises: its -Network prefixes, and for each -Interface the
 * adapter's subnet and the static routes through it.
 */
export function advertisedPrefixes(site: SiteOf<'rras'>): Prefix[] {
  const rras = site.rras;
  const out = new Map<string, Prefix>();
  const add = (p: Prefix): void => void out.set(formatPrefix(p), p);
  for (const entry of rras?.BgpCustomRoutes ?? []) {
    for (const text of entry.Network ?? []) add(parsePrefix(text));
    for (const name of entry.Interface ?? []) {
      const adapter = rras!.Server.NetworkAdapters.find((a) => a.Name === name);
      const prefix = adapter === undefined ? undefined : adapterPrefix(site, adapter.IPAddress, adapter.Subnet);
      if (prefix !== undefined) add(prefix);
      for (const r of rras!.NetRoutes ?? []) if (r.InterfaceAlias === name) add(parsePrefix(r.DestinationPrefix));
    }
  }
  return [...out.values()];
}


/** The address IKE leaves from for an S2S interface: its SourceIpAddress, else the public adapter's; undefined without either. */
export function ikeSourceAddress(rras: RrasSite, iface: VpnS2SInterface): Ipv4Address | undefined {
  if (iface.SourceIpAddress !== undefined) return parseIpv4(iface.SourceIpAddress);
  const internet = rras.Server.NetworkAdapters.find((a) => a.Internet === true);
  return internet === undefined ? undefined : adapterAddress(internet.IPAddress);
}

/** An interface's Local/RemoteVpnTrafficSelector as IKE traffic selectors; none given means any. */
export function s2sSelectors(list: readonly VpnTrafficSelector[] | undefined): Ipv4Selector[] {
  if (list === undefined || list.length === 0) return [ANY_SELECTOR];
  return list.map((ts) => ({
    type: 'ipv4' as const, ipProtocol: ts.ProtocolId ?? 0,
    startPort: ts.PortRange?.[0] ?? 0, endPort: ts.PortRange?.[1] ?? 65535,
    startAddress: parseIpv4(ts.IPAddressRange[0]), endAddress: parseIpv4(ts.IPAddressRange[1]),
  }));
}
