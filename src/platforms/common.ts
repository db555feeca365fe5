import type { Policy } from '../bgp/policy/types.js';
import type { DocPath } from '../config/source.js';
import { isDhGroupSupported } from '../crypto/dh.js';
import { TransformType } from '../crypto/iana.js';
import { parseProposals } from '../ike/proposal.js';
import type { Findings } from './adapter.js';
import { selectorFromPrefix } from '../ike/payloads/ts.js';
import type { Ipv4Selector } from '../ike/payloads/ts.js';
import type { ChildLifetimes } from '../ike/child-sa.js';
import type { RetransmitConfig } from '../ike/config.js';
import { broadcastOf, parsePrefix, prefixContains, prefixEquals, type Ipv4Address, type Prefix } from '../net/address.js';
import type { Route } from '../router/route-table.js';
import type { SiteLayout } from '../topology/layout.js';

/** Helpers every platform adapter uses. */

/** The fix for a resource vpnlab does not emulate. */
export const NOT_EMULATED_FIX = 'leave it out to emulate the rest of the network (see docs/platforms.md for what vpnlab emulates)';
/** The fix for algorithms vpnlab does not implement. */
export const UNIMPLEMENTED_ALGORITHM_FIX = 'choose algorithms vpnlab implements (see docs/platforms.md)';

export const ANY: Prefix = { address: 0, length: 0 };
export const ANY_SELECTOR: Ipv4Selector = selectorFromPrefix(ANY);

export function hostPrefix(address: Ipv4Address): Prefix {
  return { address, length: 32 };
}

/** Appends `prefix` unless the list has it already. */
export function addPrefix(list: Prefix[], prefix: Prefix): void {
  if (!list.some((p) => prefixEquals(p, prefix))) list.push(prefix);
}

export function selectors(prefixes: readonly Prefix[]): Ipv4Selector[] {
  return prefixes.map((p) => selectorFromPrefix(p));
}

export function prefixesOf(texts: readonly string[] | undefined): Prefix[] {
  return (texts ?? []).map((t) => parsePrefix(t));
}

export function pskBytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** The default route out of a public interface (the emulated Internet). */
export function defaultRouteVia(iface: string, origin: string): Route {
  return { prefix: ANY, interface: iface, source: 'static', origin };
}

/** Addresses taken on a subnet by the site's hosts and routers. */
export function takenAddresses(layout: SiteLayout, subnet: string): Set<Ipv4Address> {
  const taken = new Set<Ipv4Address>();
  for (const h of layout.hosts) if (h.host.subnet === subnet) taken.add(h.address);
  for (const r of layout.routers) {
    for (const i of r.interfaces) if (i.iface.subnet === subnet && i.address.kind === 'numbered') taken.add(i.address.address);
  }
  return taken;
}


/** The first of `candidates` (offsets from the network address; negative from the broadcast) not taken. */
export function pickAddress(prefix: Prefix, candidates: readonly number[], taken: ReadonlySet<Ipv4Address>): Ipv4Address | undefined {
  for (const offset of candidates) {
    const address = (offset >= 0 ? prefix.address + offset : broadcastOf(prefix) + offset) >>> 0;
    if (prefixContains(prefix, address) && !taken.has(address)) return address;
  }
  return undefined;
}

/**
 * A stand-in public address for a resource whose file leaves it to the platform: in 198.18.0.0/15
 * (reserved for benchmarking, never routed), stable for a given site and resource index.
 */
export function assignedPublicAddress(siteIndex: number, resourceIndex: number): Ipv4Address {
  return ((198 << 24) | (18 << 16) | ((siteIndex & 0x1ff) << 7) | (resourceIndex & 0x7f)) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// BGP policies the platforms apply

/** Matches the routes this speaker originates (empty AS path), not those it learned. */
export const OWN_ROUTES = { type: 'as-path', regex: '^$' } as const;

/** Only our own routes: RRAS without TransitRouting, Alibaba to its customer gateway. */
export function ownRoutesOnly(name: string): Policy {
  return { name, statements: [{ conditions: [OWN_ROUTES], result: 'accept' }], default: 'reject' };
}

/** Reject exactly these prefixes, accept the rest. */
export function rejectExactly(name: string, prefixes: readonly Prefix[]): Policy {
  return {
    name,
    statements: prefixes.length === 0 ? [] : [{ conditions: [{ type: 'prefix', entries: prefixes.map((prefix) => ({ prefix })) }], result: 'reject' }],
    default: 'accept',
  };
}

/** A CHILD_SA lifetime as platforms state it (one number) in the engine's terms: rekey then, give up 10 % later. */
export function lifetimesFor(seconds: number, kilobytes?: number): ChildLifetimes {
  return {
    rekeySeconds: seconds,
    lifeSeconds: Math.round(seconds * 1.1),
    ...(kilobytes !== undefined ? { rekeyBytes: kilobytes * 1024, lifeBytes: Math.round(kilobytes * 1024 * 1.1) } : {}),
  };
}

/**
 * Retransmissions (three, each wait 1.8 times the last) that give up after about `seconds`: how
 * a platform's dead-peer timeout becomes the engine's retransmission schedule.
 */
export function retransmitWithin(seconds: number): RetransmitConfig {
  const base = 1.8;
  const tries = 3;
  let sum = 0;
  for (let i = 0; i <= tries; i++) sum += base ** i;
  return { timeoutMs: Math.round((seconds * 1000) / sum), base, tries };
}

/** The first DH group in `proposals` that vpnlab does not implement (group 1, MODP-768), or undefined. */
export function unimplementedDhGroup(proposals: readonly string[], kind: 'ike' | 'esp'): number | undefined {
  for (const p of parseProposals(proposals, kind)) {
    for (const t of p.transforms) {
      if (t.transformType === TransformType.DhGroup && t.transformId !== 0 && !isDhGroupSupported(t.transformId)) return t.transformId;
    }
  }
  return undefined;
}

/**
 * The items of a resource list with each name once: a later item with a name already taken is
 * reported (the platform refuses a second resource of that name, and references by name could
 * not tell them apart) and left out.
 */
export function uniqueByName<T>(items: readonly T[], nameOf: (item: T) => string, pathOf: (index: number) => DocPath, what: string, code: string, findings: Findings): { item: T; index: number }[] {
  const seen = new Map<string, number>();
  const out: { item: T; index: number }[] = [];
  items.forEach((item, index) => {
    const name = nameOf(item);
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, index);
      out.push({ item, index });
      return;
    }
    findings.error(code, pathOf(index), `a second ${what} named '${name}': the platform refuses it, and references by name could not tell the two apart`, `rename it (the first is item ${first})`);
  });
  return out;
}
