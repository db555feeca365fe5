import { CeaseSubcode, ErrorCode } from '../bgp/errors.js';
import type { TransitionReason } from '../bgp/fsm-types.js';
import { BgpSpeaker, DEFAULT_HOLD_TIME } from '../bgp/speaker.js';
import { FSM_DEFAULTS } from '../bgp/timers.js';
import { DEFAULT_RETRANSMIT } from '../ike/config.js';
import { IpsecGateway } from '../ipsec/gateway.js';
import { ExchangeType, NotifyType } from '../ike/constants.js';
import { sameReason, type IkeSaReason } from '../ike/reasons.js';
import { DEFAULT_MTU } from '../net/ipv4.js';
import type { InstancePlan } from '../platforms/plan.js';
import type { EmulatorHost, SimNode } from './host.js';
import { BgpRouteInstaller, type InstalledChanges } from './route-install.js';

/*
 * A platform plan's gateway instance running (src/platforms/plan.ts): a node with an IpsecGateway
 * and a BGP speaker whose best routes go into the node's route table.
 */

/**
 * Whether a failed IKE SA attempt is routine in an active-active or dual-tunnel design that
 * works: both ends dial, so one of two colliding attempts gives way (peer-initiated-meanwhile),
 * the responder's half of the abandoned one times out (half-open-timeout), and an instance the
 * peer has no tunnel for is refused at IKE_SA_INIT (NO_PROPOSAL_CHOSEN) while the connection's
 * tunnel to the other instance is up. The last two are faults when no IKE SA of the connection
 * is up, and stay on the timeline then.
 */
export function expectedFailure(reason: IkeSaReason, connectionUp: boolean): boolean {
  switch (reason.kind) {
    case 'peer-initiated-meanwhile':
      return true;
    case 'half-open-timeout':
      return connectionUp;
    case 'notify-received':
      return connectionUp && reason.exchange === ExchangeType.IKE_SA_INIT && reason.notify === NotifyType.NO_PROPOSAL_CHOSEN;
    default:
      return false;
  }
}

export class GatewayInstance {
  readonly plan: InstancePlan;
  readonly node: SimNode;
  readonly ipsec: IpsecGateway | undefined;
  readonly bgp: BgpSpeaker | undefined;
  private readonly network: EmulatorHost;
  /** Per connection, the reason of its last failed attempt (while it keeps failing). */
  private readonly failures = new Map<string, IkeSaReason>();
  /** Per connection, how many of its IKE SAs are established. */
  private readonly established = new Map<string, number>();

  /** `siblings`: the site's gateway instances (this one too), whose connections of the same name are the same design's. */
  constructor(network: EmulatorHost, site: string, plan: InstancePlan, siblings: () => Iterable<GatewayInstance> = () => [this]) {
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
    const log = (line: string): void => network.record(who, { kind: 'log', source: 'ike', line });
    if (plan.ipsec !== undefined) {
      this.ipsec = new IpsecGateway({
        node: ip, transport: this.node.transport, clock: network.scheduler,
        rng: network.rng(`ike:${who}`),
        address: plan.ipsec.address, peers: plan.ipsec.peers, tunnels: plan.ipsec.tunnels, log,
        events: {
          ikeState: (e) => {
            const sa = { ikeSa: e.ikeSa, peer: e.peer, reason: e.reason };
            if (e.state === 'established') this.established.set(e.peer, (this.established.get(e.peer) ?? 0) + 1);
            if (e.state === 'destroyed' && e.previous === 'established') this.established.set(e.peer, (this.established.get(e.peer) ?? 1) - 1);
            if (e.state === 'established') network.milestone(who, { kind: 'ike-sa-up', ...sa });
            else if (e.state === 'destroyed' && e.previous === 'established') network.milestone(who, { kind: 'ike-sa-down', ...sa });
            else if (e.state === 'destroyed') {
              // A connection that keeps failing the same way is one event, not one per redial.
              const last = this.failures.get(e.peer);
              if (last === undefined || !sameReason(last, e.reason)) {
                this.failures.set(e.peer, e.reason);
                const connectionUp = [...siblings()].some((g) => g.hasIkeSa(e.peer));
                network.milestone(who, { kind: 'ike-sa-failed', ...sa, expected: expectedFailure(e.reason, connectionUp) });
              }
            }
            if (e.state === 'established') this.failures.delete(e.peer);
          },
          childUp: (child) => {
            if (child.replaces === undefined) {
              network.milestone(who, { kind: 'tunnel-up', tunnel: child.childName, suite: child.suite, localSelectors: child.localSelectors, remoteSelectors: child.remoteSelectors });
            }
          },
          childDown: (removal) => {
            if (removal.reason.kind !== 'rekeyed') network.milestone(who, { kind: 'child-sa-removed', tunnel: removal.childName, inboundSpi: removal.inboundSpi, reason: removal.reason });
          },
        },
      });
    }
    if (plan.bgp !== undefined) {
      const installer = new BgpRouteInstaller(ip.routes, (installed) => this.installBest(installed));
      this.bgp = new BgpSpeaker(plan.bgp.config, {
        transport: this.node.transport, clock: network.scheduler, rng: network.rng(`bgp:${who}`),
        log: (line) => network.record(who, { kind: 'log', source: 'bgp', line }),
        resolveNextHop: installer.resolveNextHop,
        onBestChange: installer.onBestChange,
        onTransition: (neighbor, e) => {
          if (e.to === 'Established' || e.from === 'Established' || (e.to === 'Idle' && endedByError(e.reason))) {
            network.milestone(who, { kind: 'bgp-session', neighbor, from: e.from, to: e.to, reason: e.reason });
          }
        },
      });
      installer.follow(this.bgp);
    }
  }

  /** Whether an IKE SA of the connection is established here. */
  hasIkeSa(connection: string): boolean {
    return (this.established.get(connection) ?? 0) > 0;
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
    this.network.milestone(this.node.qualifiedName, { kind: 'provisioning', state: before, ready: false });
    this.network.scheduler.setTimer(ready, () => {
      this.network.milestone(this.node.qualifiedName, { kind: 'provisioning', state: after, ready: true });
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

  /**
   * The longest this instance takes to notice that a peer has gone silent: DPD's idle delay plus
   * its retransmissions until it gives up, or a BGP session's hold time.
   */
  get failureDetectionMs(): number {
    const dpd = (this.plan.ipsec?.peers ?? []).map((p) => {
      if (p.dpdDelaySeconds <= 0) return 0;
      const r = p.retransmit ?? DEFAULT_RETRANSMIT;
      let waits = 0;
      for (let i = 0; i <= r.tries; i++) waits += r.timeoutMs * Math.pow(r.base, i);
      return p.dpdDelaySeconds * 1000 + waits;
    });
    const config = this.plan.bgp?.config;
    const hold = (config?.neighbors ?? []).map((n) => (n.holdTime ?? config?.holdTime ?? DEFAULT_HOLD_TIME) * 1000);
    return Math.max(0, ...dpd, ...hold);
  }

  /**
   * The longest this instance takes to bring back what a restored path or peer had carried: notice
   * the loss (failureDetectionMs: a session that outlived the outage may still expire), then wait
   * for BGP's ConnectRetry or damped idle hold before it connects again.
   */
  get recoveryMs(): number {
    const config = this.plan.bgp?.config;
    const retry = (config?.neighbors ?? []).map((n) => (n.connectRetryTime ?? FSM_DEFAULTS.connectRetryTime) * 1000);
    return this.failureDetectionMs + Math.max(0, ...retry, FSM_DEFAULTS.idleHoldTimeMax * 1000);
  }

  /** The instance fails (a fault): it loses every IKE SA and BGP session without telling anyone. */
  fail(): void {
    this.ipsec?.engine.reset({ kind: 'gateway-failed' });
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
    if (withdrawn.length > 0) this.network.milestone(who, { kind: 'bgp-routes', change: 'withdrawn', routes: withdrawn });
    if (learned.length > 0) this.network.milestone(who, { kind: 'bgp-routes', change: 'learned', routes: learned });
  }
}

/**
 * A session ended by a protocol error, a NOTIFICATION either way (a wrong AS, a hold timer that
 * ran out on the peer's side...) — not the Cease that settles a connection collision, which is routine.
 */
function endedByError(reason: TransitionReason): boolean {
  switch (reason.kind) {
    case 'notification-received':
      return reason.code !== ErrorCode.Cease || reason.subcode !== CeaseSubcode.ConnectionCollisionResolution;
    case 'message-error':
      return true;
    case 'open-rejected':
    case 'fsm-error':
      return reason.notificationSent;
    default:
      return false;
  }
}
