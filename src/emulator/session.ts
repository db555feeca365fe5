import { VpnlabError } from '../core/errors.js';
import { isIpv4, parseIpv4, type Ipv4Address } from '../net/address.js';
import { Ping, PING_DEFAULTS, type PingStyle } from '../apps/ping.js';
import { Traceroute, TRACEROUTE_DEFAULTS } from '../apps/traceroute.js';
import type { Network, SimNode } from './network.js';

/** How long (virtual time) a tool may run before it is declared stuck: far beyond any timeout. */
const TOOL_LIMIT_MS = 24 * 3_600_000;

/** Resolves a destination given as an address or as a node name (its first address). */
export function resolveDestination(network: Network, dest: string): Ipv4Address {
  if (isIpv4(dest)) return parseIpv4(dest);
  const node = network.node(dest);
  const address = node.ip.addresses()[0];
  if (address === undefined) throw new VpnlabError('ERR_NO_ADDRESS', `${node.qualifiedName} has no address`);
  return address;
}

/** Runs the scheduler until `done()` holds; the rest of the network keeps running meanwhile. */
export function runUntil(network: Network, done: () => boolean, limitMs = TOOL_LIMIT_MS): void {
  const limit = network.scheduler.now() + limitMs;
  while (!done()) {
    const next = network.scheduler.peekTime();
    if (next === undefined || next > limit) {
      throw new VpnlabError('ERR_SIM_STALLED', 'the simulation stopped before the tool finished (no pending events)');
    }
    network.scheduler.run({ until: next });
  }
}

export interface PingRun {
  ping: Ping;
  style: PingStyle;
  size: number;
  dst: Ipv4Address;
  from: SimNode;
}

export function runPing(network: Network, from: string, dest: string, count: number, size?: number): PingRun {
  const node = network.node(from);
  const dst = resolveDestination(network, dest);
  const defaults = PING_DEFAULTS[node.os];
  const payloadSize = size ?? defaults.size;
  const ping = new Ping(node.ip, dst, {
    ...defaults, size: payloadSize, count,
    identifier: network.rng(`ping:${node.qualifiedName}`).int(0x10000),
  });
  runUntil(network, () => ping.done);
  return { ping, style: node.os, size: payloadSize, dst, from: node };
}

export interface TracerouteRun {
  trace: Traceroute;
  style: PingStyle;
  dst: Ipv4Address;
  maxHops: number;
}

export function runTraceroute(network: Network, from: string, dest: string, maxHops?: number): TracerouteRun {
  const node = network.node(from);
  const dst = resolveDestination(network, dest);
  const options = { ...TRACEROUTE_DEFAULTS[node.os], identifier: network.rng(`traceroute:${node.qualifiedName}`).int(0x10000) };
  if (maxHops !== undefined) options.maxHops = maxHops;
  const trace = new Traceroute(node.ip, node.transport, dst, options);
  runUntil(network, () => trace.done);
  return { trace, style: node.os, dst, maxHops: options.maxHops };
}
