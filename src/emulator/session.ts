import type { Timer } from '../core/clock.js';
import { VpnlabError } from '../core/errors.js';
import { isIpv4, parseIpv4, type Ipv4Address } from '../net/address.js';
import { Ping, PING_DEFAULTS, type PingStyle } from '../apps/ping.js';
import { Probe } from '../apps/probe.js';
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

/** A probe begins this long before the first fault when that fault comes before the network has settled. */
export const PROBE_LEAD_MS = 5_000;
const PROBE_INTERVAL_MS = 1_000;

/** A steady ping that covers the whole fault window: from just before the first fault, or from the settle point. */
export interface ScheduledProbe {
  /** Starts it now, unless the first fault's lead time has started it already. */
  start(): void;
  stop(): void;
  readonly probe: Probe | undefined;
}

/**
 * Plans a probe from `from` to `dest` on a network whose faults are scheduled: it starts
 * PROBE_LEAD_MS before the first fault if that comes before start() (the settle point), so an
 * outage that begins while the gateways are still settling is measured from its beginning.
 */
export function scheduleProbe(network: Network, from: string, dest: string): ScheduledProbe {
  const node = network.node(from);
  const dst = resolveDestination(network, dest);
  let probe: Probe | undefined;
  let early: Timer | undefined;
  const start = (): void => {
    early?.cancel();
    probe ??= new Probe(node.ip, dst, { intervalMs: PROBE_INTERVAL_MS, identifier: network.rng(`probe:${node.qualifiedName}`).int(0x10000) });
  };
  const firstFault = Math.min(...network.faults.map((f) => f.atMs));
  if (Number.isFinite(firstFault)) early = network.scheduler.setTimer(Math.max(0, firstFault - PROBE_LEAD_MS - network.scheduler.now()), start);
  return {
    start,
    stop: () => probe?.stop(),
    get probe() {
      return probe;
    },
  };
}
