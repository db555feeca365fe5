import type { RunningFabric, RunningInstance, RunningSite } from '../platforms/view.js';
import type { Fabric } from './fabric.js';
import type { GatewayInstance } from './gateway-instance.js';
import type { Network } from './network.js';

/*
 * A site of the emulated network as the platforms' views read it (src/platforms/view.ts): its
 * gateway instances and fabric, seen through what they already expose.
 */

function runningInstance(instance: GatewayInstance): RunningInstance {
  return {
    plan: instance.plan,
    qualifiedName: instance.node.qualifiedName,
    get ready() {
      return instance.ready;
    },
    ikeSas: (peer) => (instance.ipsec?.engine.ikeSasOf(peer) ?? []).map((sa) => ({ state: sa.state, children: sa.children.length })),
    espBytes: (child) => {
      const counters = instance.ipsec?.sad.counters(child);
      return { in: counters?.bytesIn ?? 0, out: counters?.bytesOut ?? 0 };
    },
    bgp: instance.bgp,
  };
}

function runningFabric(fabric: Fabric): RunningFabric {
  const routes = fabric.node.ip.routes;
  return {
    qualifiedName: fabric.node.qualifiedName,
    routes: () => routes.all(),
    activeRoutes: () => routes.activeEntries(),
  };
}

/** The site `site` of `network`, running. */
export function runningSite(network: Network, site: string): RunningSite {
  const instances = [...network.gateways.values()].filter((g) => g.node.site === site).map(runningInstance);
  const fabric = network.fabrics.get(site);
  return {
    topology: network.topology,
    instances: (resource) => instances.filter((i) => i.plan.resource === resource),
    fabric: fabric === undefined ? undefined : runningFabric(fabric),
    describeAddress: (address) => network.describeAddress(address),
  };
}
