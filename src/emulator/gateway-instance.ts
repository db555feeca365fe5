import { BgpSpeaker } from '../bgp/speaker.js';
import { IpsecGateway } from '../ipsec/gateway.js';
import { CryptoSuite } from '../crypto/suite.js';
import { formatChildSpi } from '../ike/payloads/notify.js';
import { formatSelector } from '../ike/payloads/ts.js';
import { DEFAULT_MTU } from '../net/ipv4.js';
import type { InstancePlan } from '../platforms/plan.js';
import type { EmulatorHost, SimNode } from './host.js';
import { BgpRouteInstaller, type InstalledChanges } from './route-install.js';

/*
 * A platform plan's gateway instance running (src/platforms/plan.ts): a node with an IpsecGateway
 * and a BGP speaker whose best routes go into the node's route table.
 */

export class GatewayInstance {
  readonly plan: InstancePlan;
  readonly node: SimNode;
  readonly ipsec: IpsecGateway | undefined;
  readonly bgp: BgpSpeaker | undefined;
  private readonly network: EmulatorHost;
  /** Per connection, the reason of its last failed attempt (while it keeps failing). */
  private readonly failures = new Map<string, string>();

  constructor(network: EmulatorHost, site: string, plan: InstancePlan) {
    this.network = network;
    this.plan = plan;
    this.node = network.addNode(site, plan.name, 'router', plan.os, true);
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
      const installer = new BgpRouteInstaller(ip.routes, (installed) => this.installBest(installed));
      this.bgp = new BgpSpeaker(plan.bgp.config, {
        transport: this.node.transport, clock: network.scheduler, rng: network.rng(`bgp:${who}`),
        log: (text) => log(`BGP ${text}`),
        resolveNextHop: installer.resolveNextHop,
        onBestChange: installer.onBestChange,
        onTransition: (neighbor, e) => {
          if (e.to === 'Established' || e.from === 'Established' || (e.to === 'Idle' && e.reason.includes('NOTIFICATION') && !e.reason.includes('Collision'))) {
            network.milestone(who, `BGP ${neighbor}: ${e.from} -> ${e.to}${e.to === 'Established' ? '' : `: ${e.reason}`}`);
          }
        },
      });
      installer.follow(this.bgp);
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

  private installBest({ learned, withdrawn }: InstalledChanges): void {
    // After the first exchange of routes, each later change is worth a line of the timeline.
    const who = this.node.qualifiedName;
    if (withdrawn.length > 0) this.network.milestone(who, `BGP routes withdrawn: ${summarize(withdrawn)}`);
    if (learned.length > 0) this.network.milestone(who, `BGP routes learned: ${summarize(learned)}`);
  }
}

function summarize(items: readonly string[]): string {
  return items.length <= 4 ? items.join(', ') : `${items.slice(0, 4).join(', ')} and ${items.length - 4} more`;
}

