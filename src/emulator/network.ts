import { SeededRng } from '../core/rng.js';
import { VpnlabError } from '../core/errors.js';
import { formatIpv4, prefixContains, type Ipv4Address } from '../net/address.js';
import { DEFAULT_MTU, ipv4Dst, ipv4Src } from '../net/ipv4.js';
import { INITIAL_TTL, IpNode } from '../router/node.js';
import { parseEndpoint } from '../topology/interfaces.js';
import { faultTargetOf, type FaultTarget } from '../topology/faults.js';
import { bandwidthBps, durationMs, probabilityValue } from '../config/primitives.js';
import type { Site, Topology } from '../topology/schema.js';
import { Link, type LinkOptions } from '../sim/link.js';
import { PcapWriter } from '../sim/pcap.js';
import { Scheduler } from '../sim/scheduler.js';
import { SimTransport } from '../sim/transport.js';
import { IGNORE_FINDINGS } from '../platforms/adapter.js';
import { planSite, resolveNetwork, type ResolvedNetwork } from '../platforms/registry.js';
import type { EmulationEvent, LogEventBody, Milestone, MilestoneBody } from './events.js';
import { Fabric } from './fabric.js';
import { GatewayInstance } from './gateway-instance.js';
import { summarize } from './summary.js';
import type { EmulatorHost, NodeRole, SimNode } from './host.js';

export type { NodeRole, SimNode } from './host.js';
export type { FaultTarget } from '../topology/faults.js';

export const DEFAULT_LINK_LATENCY_MS = 1;
export const DEFAULT_SUBNET_LATENCY_MS = 0.1;
export const DEFAULT_INTERNET_LATENCY_MS = 5;
export const INTERNET_NODE = 'internet';

/** The same key for both directions of a path between two addresses. */
function pathKey(a: Ipv4Address, b: Ipv4Address): string {
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}

export class UnknownNameError extends VpnlabError {
  constructor(what: string, name: string, known: string[]) {
    super('ERR_UNKNOWN_NAME', `no ${what} named '${name}'${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`);
  }
}

interface LinkSpecLike {
  latency?: number | string | undefined;
  jitter?: number | string | undefined;
  loss?: number | string | undefined;
  bandwidth?: number | string | undefined;
}

/**
 * The emulated network built from a topology: one IpNode per host and router, one Link per
 * subnet (a LAN segment), per declared link, and per Internet attachment, all on one scheduler.
 * Everything random (loss, jitter, ports, ISNs) draws from streams derived from the seed and the
 * object's name, so the same file and seed replay identically.
 */
export class Network implements EmulatorHost {
  readonly scheduler = new Scheduler();
  readonly seed: number;
  readonly nodes = new Map<string, SimNode>();
  readonly links = new Map<string, Link>();
  /** Every platform gateway instance (RRAS servers, Azure and Alibaba gateway instances), by node name. */
  readonly gateways = new Map<string, GatewayInstance>();
  /** The cloud networks' fabrics (Azure VNet routing, Alibaba vRouter), by site name. */
  readonly fabrics = new Map<string, Fabric>();
  /** Everything: the engines' log lines and the state changes, in simulated time. */
  readonly events: EmulationEvent[] = [];
  /** State changes users care about (tunnels, BGP sessions, routes, faults, provisioning), in simulated time. */
  readonly milestones: Milestone[] = [];
  private internet: IpNode | undefined;
  /** The topology the network was built from. */
  readonly topology: Topology;
  /** Every site's platform model, resolved once for the run (the views read it too). */
  readonly resolved: ResolvedNetwork;
  private readonly fromScratch: boolean;
  /** Whether engine log lines go to `events` (what `up --verbose` prints); milestones always do. */
  private readonly keepLog: boolean;

  constructor(topology: Topology, seed = topology.seed ?? 1, options: { fromScratch?: boolean; resolved?: ResolvedNetwork; keepLog?: boolean } = {}) {
    this.seed = seed;
    this.topology = topology;
    this.keepLog = options.keepLog !== false;
    this.resolved = options.resolved !== undefined && options.resolved.topology === topology ? options.resolved : resolveNetwork(topology);
    this.fromScratch = options.fromScratch === true;
    for (const site of topology.sites) this.buildSite(site, topology);
    for (const spec of topology.links ?? []) this.buildLink(spec);
    for (const gateway of this.gateways.values()) gateway.start();
    for (const fault of topology.faults ?? []) {
      const target = faultTargetOf(fault);
      if (target !== undefined) this.scheduleFault(durationMs(fault.at), target, fault.action === 'up');
    }
  }

  /** The faults scheduled so far (from the file and scheduleFault), in order. */
  readonly faults: { atMs: number; target: FaultTarget; up: boolean }[] = [];
  private readonly cutPaths = new Set<string>();

  /**
   * Takes a link, a node (a gateway instance too) or one tunnel down or up at `atMs` of simulated
   * time. A tunnel ("site/instance:connection") goes down by losing its path across the Internet:
   * its IKE and ESP packets are dropped between the two gateways until it is restored.
   */
  scheduleFault(atMs: number, target: FaultTarget, up: boolean): void {
    const fault = this.faultAction(target);
    this.faults.push({ atMs, target, up });
    this.scheduler.at(atMs, () => {
      // Asking for the state the target is in already changes nothing (a gateway already up is not restarted).
      const unchanged = fault.isUp() === up;
      this.milestone(target.name, { kind: 'fault', target, up, unchanged });
      if (unchanged) return;
      if (this.healthBeforeFaults === undefined) {
        const { tunnels, sessions } = summarize(this);
        this.healthBeforeFaults = { tunnels: tunnels.up, sessions: sessions.established };
      }
      this.lastFault = { atMs, up };
      fault.apply(up);
    }, undefined);
  }

  /** Tunnels up and BGP sessions established when the first fault struck: what restoring everything should bring back. */
  healthBeforeFaults: { readonly tunnels: number; readonly sessions: number } | undefined;

  /** The last fault that changed something; after one that took something down, settling waits for what it breaks to show. */
  lastFault: { readonly atMs: number; readonly up: boolean } | undefined;

  private faultAction(target: FaultTarget): { isUp: () => boolean; apply: (up: boolean) => void } {
    if (target.kind === 'link') {
      const link = this.link(target.name);
      return { isUp: () => link.up, apply: (up) => link.setUp(up) };
    }
    if (target.kind === 'node') {
      const node = this.node(target.name);
      const gateway = this.gateways.get(node.qualifiedName);
      return {
        isUp: () => node.ip.up,
        apply: (up) => {
          node.ip.setUp(up);
          if (up) gateway?.recover();
          else gateway?.fail();
        },
      };
    }
    const instance = this.gateways.get(target.instance);
    const peer = instance?.plan.ipsec?.peers.find((p) => p.name === target.connection);
    if (instance === undefined || peer === undefined || peer.remoteAddress === undefined) {
      const known = [...this.gateways.values()].flatMap((g) => (g.plan.ipsec?.peers ?? []).map((p) => `${g.node.qualifiedName}:${p.name}`));
      throw new UnknownNameError('tunnel', target.name, known);
    }
    const key = pathKey(peer.localAddress, peer.remoteAddress);
    const internet = this.internetNode();
    internet.forwardFilter ??= (packet) => this.cutPaths.size > 0 && this.cutPaths.has(pathKey(ipv4Src(packet), ipv4Dst(packet)));
    return {
      isUp: () => !this.cutPaths.has(key),
      apply: (up) => {
        if (up) this.cutPaths.delete(key);
        else this.cutPaths.add(key);
      },
    };
  }

  rng(name: string): SeededRng {
    return SeededRng.derive(this.seed, name);
  }

  private linkOptions(name: string, spec: LinkSpecLike, defaultLatency: number): LinkOptions {
    const options: LinkOptions = {
      name,
      latencyMs: spec.latency === undefined ? defaultLatency : durationMs(spec.latency),
      jitterMs: spec.jitter === undefined ? 0 : durationMs(spec.jitter),
      loss: spec.loss === undefined ? 0 : probabilityValue(spec.loss),
    };
    if (spec.bandwidth !== undefined) options.bandwidthBps = bandwidthBps(spec.bandwidth);
    return options;
  }

  private newLink(options: LinkOptions): Link {
    const link = new Link(options, this.scheduler, this.rng(`link:${options.name}`));
    this.links.set(options.name, link);
    return link;
  }

  /** Adds a node; its transport (UDP, TCP, ICMP port-unreachable) is installed at once. */
  addNode(site: string, name: string, role: NodeRole, os: 'windows' | 'linux', forwarding: boolean, options: { fabric?: boolean } = {}): SimNode {
    const qualifiedName = site === '' ? name : `${site}/${name}`;
    if (this.nodes.has(qualifiedName)) throw new VpnlabError('ERR_DUPLICATE_NODE', `two nodes are named '${qualifiedName}' (a host or router has the name of a platform gateway instance or fabric)`);
    const ip = new IpNode({ name: qualifiedName, clock: this.scheduler, forwarding, initialTtl: INITIAL_TTL[os], ...options });
    const transport = new SimTransport(ip, this.rng(`transport:${qualifiedName}`), os);
    const node: SimNode = { qualifiedName, site, role, os, ip, transport };
    this.nodes.set(qualifiedName, node);
    return node;
  }

  /** Appends an engine's log line to the full log, stamped with the current simulated time. */
  record(node: string, body: LogEventBody): void {
    if (!this.keepLog) return;
    this.events.push({ ...body, timeMs: this.scheduler.now(), node });
  }

  /** Records a state change (also in the full log). */
  milestone(node: string, body: MilestoneBody): void {
    const event: Milestone = { ...body, timeMs: this.scheduler.now(), node };
    this.milestones.push(event);
    this.events.push(event);
  }

  private buildSite(site: Site, topology: Topology): void {
    const resolved = this.resolved.sites[topology.sites.indexOf(site)]!;
    const layout = resolved.ref.layout;
    const segments = new Map<string, Link>();
    for (const { subnet } of layout.subnets) {
      segments.set(subnet.name, this.newLink(this.linkOptions(`${site.name}/${subnet.name}`, subnet, DEFAULT_SUBNET_LATENCY_MS)));
    }
    const gatewayOf = new Map<string, Ipv4Address>();
    for (const { router, interfaces, staticRoutes } of layout.routers) {
      const node = this.addNode(site.name, router.name, 'router', router.os ?? 'linux', true);
      for (const { iface: spec, address: resolvedAddress } of interfaces) {
        const addresses = resolvedAddress.kind === 'numbered' ? [{ address: resolvedAddress.address, prefix: resolvedAddress.prefix }] : [];
        const iface = node.ip.addInterface(spec.name, addresses, spec.mtu ?? DEFAULT_MTU);
        if (spec.subnet !== undefined) {
          segments.get(spec.subnet)!.attach(node.ip, iface);
          if (resolvedAddress.kind === 'numbered' && !gatewayOf.has(spec.subnet)) gatewayOf.set(spec.subnet, resolvedAddress.address);
        }
        if (spec.internet === true) this.attachToInternet(node, spec.name);
      }
      for (const { route, prefix, nextHop } of staticRoutes) {
        node.ip.routes.add({
          prefix,
          ...(nextHop !== undefined ? { nextHop } : {}),
          ...(route.interface !== undefined ? { interface: route.interface } : {}),
          ...(route.metric !== undefined ? { metric: route.metric } : {}),
          source: 'static',
          origin: 'staticRoutes',
        });
      }
    }
    // What cannot be built is left out; `check` has reported it, and `up` runs such a file only with --force.
    const plan = planSite(resolved, this.resolved, { seed: this.seed, fromScratch: this.fromScratch }, IGNORE_FINDINGS);
    if (plan !== undefined) {
      const instances = new Map<string, GatewayInstance>();
      for (const instancePlan of plan.instances) {
        const instance = new GatewayInstance(this, site.name, instancePlan, () => instances.values());
        instances.set(instancePlan.name, instance);
        this.gateways.set(instance.node.qualifiedName, instance);
      }
      if (plan.fabric !== undefined) this.fabrics.set(site.name, new Fabric(this, site.name, plan.fabric, instances));
      for (const [subnet, address] of plan.hostGateways) if (!gatewayOf.has(subnet)) gatewayOf.set(subnet, address);
    }
    for (const { host, address, subnet, gateway: given } of layout.hosts) {
      const node = this.addNode(site.name, host.name, 'host', host.os, false);
      node.ip.answersPing = host.answersPing ?? true;
      const prefix = subnet!.prefix;
      const iface = node.ip.addInterface('eth0', [{ address, prefix }], host.mtu ?? DEFAULT_MTU);
      segments.get(host.subnet)!.attach(node.ip, iface);
      const gateway = given ?? gatewayOf.get(host.subnet);
      if (gateway !== undefined && prefixContains(prefix, gateway)) {
        node.ip.routes.add({ prefix: { address: 0, length: 0 }, nextHop: gateway, interface: 'eth0', source: 'static', origin: 'default gateway' });
      }
    }
  }

  /** The emulated Internet: one router with a point-to-point access link to every public interface. */
  attachToInternet(node: SimNode, ifaceName: string): void {
    const topology = this.topology;
    const internet = this.internetNode();
    const iface = node.ip.interfaces.get(ifaceName)!;
    const linkName = `${INTERNET_NODE}/${node.qualifiedName}/${ifaceName}`;
    const link = this.newLink(this.linkOptions(linkName, topology.internet ?? {}, DEFAULT_INTERNET_LATENCY_MS));
    link.attach(node.ip, iface);
    const accessName = `to-${node.qualifiedName}/${ifaceName}`;
    const access = internet.addInterface(accessName, [], DEFAULT_MTU);
    link.attach(internet, access);
    for (const a of iface.addresses) {
      internet.routes.add({ prefix: { address: a.address, length: 32 }, interface: accessName, source: 'static', origin: 'public address' });
    }
  }

  private internetNode(): IpNode {
    if (this.internet === undefined) this.internet = this.addNode('', INTERNET_NODE, 'internet', 'linux', true).ip;
    return this.internet;
  }

  private buildLink(spec: NonNullable<Topology['links']>[number]): void {
    const link = this.newLink(this.linkOptions(spec.name, spec, DEFAULT_LINK_LATENCY_MS));
    for (const end of spec.between) {
      const ep = parseEndpoint(end)!;
      const node = this.node(`${ep.site}/${ep.node}`);
      link.attach(node.ip, node.ip.interfaces.get(ep.iface)!);
    }
  }

  /** A node by "site/name", or by bare name when only one site has it. */
  node(name: string): SimNode {
    const exact = this.nodes.get(name);
    if (exact !== undefined) return exact;
    const matches = [...this.nodes.values()].filter((n) => n.qualifiedName.endsWith(`/${name}`));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw new VpnlabError('ERR_AMBIGUOUS_NAME', `'${name}' is ambiguous: ${matches.map((m) => m.qualifiedName).join(', ')}`);
    }
    throw new UnknownNameError('node', name, [...this.nodes.keys()]);
  }

  link(name: string): Link {
    const link = this.links.get(name);
    if (link === undefined) throw new UnknownNameError('link', name, [...this.links.keys()].filter((n) => !n.startsWith(`${INTERNET_NODE}/`)));
    return link;
  }

  /** The node that owns `address`, if any (for "from" lookups and route views). */
  ownerOf(address: Ipv4Address): SimNode | undefined {
    for (const n of this.nodes.values()) if (n.ip.isLocalAddress(address)) return n;
    return undefined;
  }

  /** Starts a capture of every packet put onto `linkName` (both directions). */
  capture(linkName: string, epochSeconds = 0): PcapWriter {
    const writer = new PcapWriter(epochSeconds);
    this.link(linkName).addTap((time, packet) => writer.record(time, packet));
    return writer;
  }

  /** Runs the simulation until nothing is pending or `maxMs` of virtual time have passed. */
  runUntilIdle(maxMs = 3_600_000): void {
    this.scheduler.run({ until: this.scheduler.now() + maxMs });
  }

  describeAddress(address: Ipv4Address): string {
    const owner = this.ownerOf(address);
    return owner === undefined ? formatIpv4(address) : `${formatIpv4(address)} (${owner.qualifiedName})`;
  }
}
