import { BgpSpeaker } from '../bgp/speaker.js';
import type { BestChange } from '../bgp/rib/changes.js';
import { IpsecGateway } from '../ipsec/gateway.js';
import { CryptoSuite } from '../crypto/suite.js';
import { formatChildSpi } from '../ike/payloads/notify.js';
import { formatSelector } from '../ike/payloads/ts.js';
import { formatIpv4, formatPrefix, type Ipv4Address } from '../net/address.js';
import { DEFAULT_MTU } from '../net/ipv4.js';
import type { FabricPlan, InstancePlan } from '../platforms/plan.js';
import type { Network, SimNode } from './network.js';

/*
 * The running side of a platform plan (src/platforms/plan.ts): a gateway instance is a node with
 * an IpsecGateway and a BGP speaker whose best routes go into the node's route table; a fabric is
 * a cloud network's transparent router whose routes towards the gateway follow what the gateway
 * instances can currently carry.
 */

/** One line of the emulation's event log, stamped with simulated time. */
export interface EmulationEvent {
  readonly timeMs: number;
  readonly node: string;
  readonly text: string;
}

export class GatewayInstance {
  readonly plan: InstancePlan;
  readonly node: SimNode;
  readonly ipsec: IpsecGateway | undefined;
  readonly bgp: BgpSpeaker | undefined;
  private readonly network: Network;
  /** Per connection, the reason of its last failed attempt (while it keeps failing). */
  private readonly failures = new Map<string, string>();

  constructor(network: Network, site: string, plan: InstancePlan) {
    this.network = network;
    this.plan = plan;
    this.node = network.addNode(site, plan.name, 'router', plan.os, true);
    this.node.gateway = this;
    const ip = this.node.ip;
    for (const spec of plan.interfaces) {
      const iface = ip.addInterface(spec.name, [{ address: spec.address, prefix: spec.prefix }], spec.mtu ?? DEFAULT_MTU);
      if (spec.attach === 'internet') network.attachToInternet(this.node, spec.name);
      else network.link(`${site}/${spec.attach.subnet}`).attach(ip, iface);
    }
    for (const route of plan.routes) ip.routes.add(route);
    const who = this.node.qualifiedName;
    const log = (text: string): void => network.record(who, text);
    if (plan.ipsec !== undefined) {
      this.ipsec = new IpsecGateway({
        node: ip, transport: this.node.transport, clock: network.scheduler,
        rng: network.rng(`ike:${who}`),
        address: plan.ipsec.address, peers: plan.ipsec.peers, tunnels: plan.ipsec.tunnels, log,
        events: {
          ikeState: (e) => {
            if (e.state === 'established') network.milestone(who, `IKE SA ${e.ikeSa} up (${e.reason})`);
            else if (e.state === 'destroyed' && e.previous === 'established') network.milestone(who, `IKE SA ${e.ikeSa} down: ${e.reason}`);
            else if (e.state === 'destroyed' && this.failures.get(e.peer) !== e.reason) {
              // A connection that keeps failing the same way is one event, not one per redial.
              this.failures.set(e.peer, e.reason);
              network.milestone(who, `IKE SA ${e.ikeSa} failed: ${e.reason}`);
            }
            if (e.state === 'established') this.failures.delete(e.peer);
          },
          childUp: (child) => {
            if (child.replaces === undefined) network.milestone(who, `tunnel ${child.childName} up: CHILD_SA ${CryptoSuite.esp(child.suite).name}, ${child.localSelectors.map(formatSelector).join(',')} === ${child.remoteSelectors.map(formatSelector).join(',')}`);
          },
          childDown: (removal) => {
            if (!removal.reason.startsWith('rekeyed')) network.milestone(who, `tunnel ${removal.childName} CHILD_SA ${formatChildSpi(removal.inboundSpi)} removed: ${removal.reason}`);
          },
        },
      });
    }
    if (plan.bgp !== undefined) {
      this.bgp = new BgpSpeaker(plan.bgp.config, {
        transport: this.node.transport, clock: network.scheduler, rng: network.rng(`bgp:${who}`),
        log: (text) => log(`BGP ${text}`),
        onBestChange: (changes) => this.installBest(changes),
        onTransition: (neighbor, e) => {
          if (e.to === 'Established' || e.from === 'Established' || (e.to === 'Idle' && e.reason.includes('NOTIFICATION') && !e.reason.includes('Collision'))) {
            network.milestone(who, `BGP ${neighbor}: ${e.from} -> ${e.to}${e.to === 'Established' ? '' : `: ${e.reason}`}`);
          }
        },
      });
    }
  }

  /** False while the platform is still provisioning the instance. */
  ready = false;

  /** Binds the gateway's sockets and starts what initiates on its own. */
  start(): void {
    const ready = this.plan.readyAfterMs;
    if (ready === undefined || ready === 0) {
      this.begin();
      return;
    }
    const [before, after] = this.plan.readyStates ?? ['Preparing', 'Normal'];
    this.network.milestone(this.node.qualifiedName, before);
    this.network.scheduler.setTimer(ready, () => {
      this.network.milestone(this.node.qualifiedName, after);
      this.begin();
    });
  }

  private begin(): void {
    this.ready = true;
    this.ipsec?.start();
    this.dial();
    this.bgp?.start();
  }

  private dial(): void {
    const ipsec = this.plan.ipsec;
    if (ipsec !== undefined && this.ipsec !== undefined) {
      for (const d of ipsec.delayedStarts) {
        this.network.scheduler.setTimer(d.afterMs, () => {
          if (this.node.ip.up) this.ipsec!.engine.initiate(d.peer);
        });
      }
    }
  }

  /** The instance fails (a fault): it loses every IKE SA and BGP session without telling anyone. */
  fail(): void {
    this.ipsec?.engine.reset('the gateway instance failed');
    this.bgp?.stop();
  }

  /** The instance is back: it dials and speaks BGP again, as after a restart. */
  recover(): void {
    if (!this.ready) return;
    this.ipsec?.engine.start();
    this.dial();
    this.bgp?.start();
  }

  /** Best BGP paths become routes of the node, resolved recursively through the tunnel routes. */
  private installBest(changes: readonly BestChange[]): void {
    const routes = this.node.ip.routes;
    const withdrawn: string[] = [];
    const learned: string[] = [];
    // One pass over the table for the whole batch, not one per changed prefix.
    const changed = new Set(changes.map((c) => formatPrefix(c.prefix)));
    routes.remove((r) => r.source === 'ebgp' && changed.has(formatPrefix(r.prefix)));
    for (const change of changes) {
      const nextHop = change.best?.attrs.nextHop;
      if (change.best === undefined || nextHop === undefined || change.best.source.kind === 'local') {
        if (change.previous !== undefined && change.previous.source.kind !== 'local') withdrawn.push(formatPrefix(change.prefix));
        continue;
      }
      routes.add({ prefix: change.prefix, nextHop, source: 'ebgp', origin: `BGP from ${change.best.source.id}` });
      if (change.previous === undefined || change.previous.source.kind === 'local') learned.push(`${formatPrefix(change.prefix)} via ${formatIpv4(nextHop)}`);
    }
    // After the first exchange of routes, each later change is worth a line of the timeline.
    const who = this.node.qualifiedName;
    if (withdrawn.length > 0) this.network.milestone(who, `BGP routes withdrawn: ${summarize(withdrawn)}`);
    if (learned.length > 0) this.network.milestone(who, `BGP routes learned: ${summarize(learned)}`);
  }
}

function summarize(items: readonly string[]): string {
  return items.length <= 4 ? items.join(', ') : `${items.slice(0, 4).join(', ')} and ${items.length - 4} more`;
}

/**
 * A cloud network's router: connected to every subnet, forwarding without a TTL decrement, with
 * routes towards the gateway instances kept in step with what they can carry.
 */
export class Fabric {
  readonly plan: FabricPlan;
  readonly node: SimNode;
  private readonly instances: ReadonlyMap<string, GatewayInstance>;
  /** A refresh is scheduled (changes of one moment are applied together). */
  private refreshPending = false;
  /** Per prefix, the instances the fabric last sent it to (for the timeline). */
  private readonly lastVia = new Map<string, string>();
  private readonly network: Network;

  constructor(network: Network, site: string, plan: FabricPlan, instances: ReadonlyMap<string, GatewayInstance>) {
    this.plan = plan;
    this.instances = instances;
    this.network = network;
    this.node = network.addNode(site, plan.name, 'router', 'linux', true, { fabric: true });
    for (const spec of plan.interfaces) {
      const iface = this.node.ip.addInterface(spec.name, [{ address: spec.address, prefix: spec.prefix }], spec.mtu ?? DEFAULT_MTU);
      if (spec.attach !== 'internet') network.link(`${site}/${spec.attach.subnet}`).attach(this.node.ip, iface);
    }
    for (const instance of instances.values()) instance.node.ip.routes.onChange(() => this.scheduleRefresh());
    this.refresh();
  }

  /** The instance's address the fabric reaches it by: its address on a subnet the fabric shares. */
  private addressOf(instance: GatewayInstance): Ipv4Address | undefined {
    for (const spec of instance.plan.interfaces) {
      if (spec.attach !== 'internet' && this.plan.interfaces.some((f) => f.attach !== 'internet' && f.attach.subnet === (spec.attach as { subnet: string }).subnet)) return spec.address;
    }
    return undefined;
  }

  /** Whether the instance can forward to `prefix` now: its best route there leaves by a tunnel. */
  private carries(instance: GatewayInstance, prefix: { address: number; length: number }): boolean {
    if (!instance.node.ip.up) return false;
    const entry = instance.node.ip.routes.lookup(prefix.address);
    return entry !== undefined && entry.paths.some((p) => p.iface.driver !== undefined && !isSubnetPort(instance, p.iface.name));
  }

  /** A BGP batch changes an instance's table once per route: recompute once, when the batch is done. */
  private scheduleRefresh(): void {
    if (this.refreshPending) return;
    this.refreshPending = true;
    this.network.scheduler.setTimer(0, () => {
      this.refreshPending = false;
      this.refresh();
    });
  }

  private refresh(): void {
    const routes = this.node.ip.routes;
    routes.remove((r) => r.source === 'platform');
    for (const r of this.plan.routes) {
      const able = r.via.map((n) => this.instances.get(n)).filter((i): i is GatewayInstance => i !== undefined && this.carries(i, r.prefix));
      const chosen = r.mode === 'failover' ? able.slice(0, 1) : able;
      for (const instance of chosen) this.addVia(r.prefix, instance, r.origin);
    }
    for (const name of this.plan.propagateFrom) {
      const instance = this.instances.get(name);
      if (instance === undefined || !instance.node.ip.up) continue;
      for (const entry of instance.node.ip.routes.activeEntries()) {
        if (entry.routes.every((r) => r.source === 'connected')) continue;
        if (entry.prefix.length === 0 || !this.carries(instance, entry.prefix)) continue;
        this.addVia(entry.prefix, instance, `virtual network gateway ${instance.plan.resource}`);
      }
    }
    this.noteChanges();
  }

  /** A prefix whose gateway instances changed (a failover, a switch-back) goes into the timeline. */
  private noteChanges(): void {
    const now = new Map<string, string[]>();
    for (const r of this.node.ip.routes.all()) {
      if (r.source !== 'platform' || r.nextHop === undefined) continue;
      const key = formatPrefix(r.prefix);
      const owner = [...this.instances.values()].find((i) => i.node.ip.isLocalAddress(r.nextHop!));
      now.set(key, [...(now.get(key) ?? []), owner?.plan.name ?? formatIpv4(r.nextHop)]);
    }
    for (const key of new Set([...now.keys(), ...this.lastVia.keys()])) {
      const via = (now.get(key) ?? []).sort().join(', ');
      const before = this.lastVia.get(key);
      if (via === (before ?? '')) continue;
      if (via === '') this.lastVia.delete(key);
      else this.lastVia.set(key, via);
      if (before !== undefined || via !== '') this.network.milestone(this.node.qualifiedName, via === '' ? `${key}: no gateway carries it any more` : `${key} via ${via}`);
    }
  }

  private addVia(prefix: { address: number; length: number }, instance: GatewayInstance, origin: string): void {
    const nextHop = this.addressOf(instance);
    if (nextHop === undefined) return;
    this.node.ip.routes.add({ prefix, nextHop, source: 'platform', origin: `${origin} (${formatPrefix(prefix)} via ${instance.plan.name})` });
  }
}

function isSubnetPort(instance: GatewayInstance, ifaceName: string): boolean {
  return instance.plan.interfaces.some((i) => i.name === ifaceName);
}
