import { formatPrefix, type Ipv4Address, type Prefix } from '../net/address.js';
import { DEFAULT_MTU } from '../net/ipv4.js';
import type { FabricPlan } from '../platforms/plan.js';
import type { FabricHop } from './events.js';
import type { GatewayInstance } from './gateway-instance.js';
import type { EmulatorHost, SimNode } from './host.js';

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
  /** Per prefix (by its text), where the fabric last sent it (for the timeline). */
  private readonly lastVia = new Map<string, { prefix: Prefix; via: FabricHop[] }>();
  private readonly network: EmulatorHost;

  constructor(network: EmulatorHost, site: string, plan: FabricPlan, instances: ReadonlyMap<string, GatewayInstance>) {
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
    const only = this.plan.propagation;
    const taken = new Set<string>();
    for (const name of this.plan.propagateFrom) {
      const instance = this.instances.get(name);
      if (instance === undefined || !instance.node.ip.up) continue;
      for (const entry of instance.node.ip.routes.activeEntries()) {
        if (entry.routes.every((r) => r.source === 'connected')) continue;
        if (only?.only === 'bgp' && !entry.routes.some((r) => r.source === 'ebgp' || r.source === 'ibgp')) continue;
        if (entry.prefix.length === 0 || !this.carries(instance, entry.prefix)) continue;
        if (only?.mode === 'failover') {
          const key = formatPrefix(entry.prefix);
          if (taken.has(key)) continue;
          taken.add(key);
        }
        this.addVia(entry.prefix, instance, only?.origin ?? `virtual network gateway ${instance.plan.resource}`);
      }
    }
    this.noteChanges();
  }

  /** A prefix whose gateway instances changed (a failover, a switch-back) goes into the timeline. */
  private noteChanges(): void {
    const now = new Map<string, { prefix: Prefix; via: FabricHop[] }>();
    for (const r of this.node.ip.routes.all()) {
      if (r.source !== 'platform' || r.nextHop === undefined) continue;
      const key = formatPrefix(r.prefix);
      const owner = [...this.instances.values()].find((i) => i.node.ip.isLocalAddress(r.nextHop!));
      const entry = now.get(key) ?? { prefix: r.prefix, via: [] };
      entry.via.push(owner !== undefined ? { instance: owner.plan.name } : { address: r.nextHop });
      now.set(key, entry);
    }
    for (const key of new Set([...now.keys(), ...this.lastVia.keys()])) {
      const current = now.get(key);
      const via = [...(current?.via ?? [])].sort(byHop);
      const before = this.lastVia.get(key);
      if (sameHops(via, before?.via ?? [])) continue;
      if (current === undefined) this.lastVia.delete(key);
      else this.lastVia.set(key, { prefix: current.prefix, via });
      this.network.milestone(this.node.qualifiedName, { kind: 'fabric-route', prefix: (current ?? before)!.prefix, via });
    }
  }

  private addVia(prefix: { address: number; length: number }, instance: GatewayInstance, origin: string): void {
    const nextHop = this.addressOf(instance);
    if (nextHop === undefined) return;
    this.node.ip.routes.add({ prefix, nextHop, source: 'platform', origin: `${origin} (${formatPrefix(prefix)} via ${instance.plan.name})` });
  }
}

/** Instances by name, then bare next hops by address. */
function byHop(a: FabricHop, b: FabricHop): number {
  if ('instance' in a) return 'instance' in b ? (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0) : -1;
  return 'instance' in b ? 1 : a.address - b.address;
}

function sameHops(a: readonly FabricHop[], b: readonly FabricHop[]): boolean {
  return a.length === b.length && a.every((h, i) => byHop(h, b[i]!) === 0);
}

function isSubnetPort(instance: GatewayInstance, ifaceName: string): boolean {
  return instance.plan.interfaces.some((i) => i.name === ifaceName);
}
