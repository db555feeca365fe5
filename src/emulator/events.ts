import type { LearnedRoute } from './route-install.js';
import type { TransitionReason } from '../bgp/fsm-types.js';
import type { SuiteSpec } from '../crypto/suite.js';
import type { Ipv4Selector } from '../ike/payloads/ts.js';
import type { ChildSaRemovalReason, IkeSaReason } from '../ike/reasons.js';
import type { Ipv4Address, Prefix } from '../net/address.js';
import type { FaultTarget } from '../topology/faults.js';

/*
 * What happens in an emulated network, as typed events stamped with simulated time and the node
 * they happened on. Nothing here is text: src/cli/render/events.ts puts them into words, the API
 * and the tests read their fields. Every kind but `log` is a state change users care about (the
 * timeline); `log` carries one line of an engine's log as it wrote it.
 */

/** Where a cloud fabric sends a prefix: a gateway instance, or (not one of them) a bare next hop. */
export type FabricHop = { readonly instance: string } | { readonly address: Ipv4Address };

export type EmulationEventBody =
  | { readonly kind: 'ike-sa-up'; readonly ikeSa: string; readonly peer: string; readonly reason: IkeSaReason }
  /** An established IKE SA went. */
  | { readonly kind: 'ike-sa-down'; readonly ikeSa: string; readonly peer: string; readonly reason: IkeSaReason }
  /**
   * An attempt that never got established; a connection that keeps failing the same way is one
   * event. expected: what a redundant design does while it works (a collision lost, or an attempt
   * refused or abandoned while an IKE SA of the same connection is up): shown only in the full log.
   */
  | { readonly kind: 'ike-sa-failed'; readonly ikeSa: string; readonly peer: string; readonly reason: IkeSaReason; readonly expected: boolean }
  /** A tunnel got its first CHILD_SA (rekeys are not events). */
  | {
    readonly kind: 'tunnel-up'; readonly tunnel: string; readonly suite: SuiteSpec;
    readonly localSelectors: readonly Ipv4Selector[]; readonly remoteSelectors: readonly Ipv4Selector[];
  }
  /** A CHILD_SA went for another reason than a rekey. */
  | { readonly kind: 'child-sa-removed'; readonly tunnel: string; readonly inboundSpi: number; readonly reason: ChildSaRemovalReason }
  /** A BGP session reached or left Established, or was refused with a NOTIFICATION. */
  | { readonly kind: 'bgp-session'; readonly neighbor: string; readonly from: string; readonly to: string; readonly reason: TransitionReason }
  /** Best routes that came or went after the first exchange, as the route installation reports them. */
  | { readonly kind: 'bgp-routes'; readonly change: 'learned'; readonly routes: readonly LearnedRoute[] }
  | { readonly kind: 'bgp-routes'; readonly change: 'withdrawn'; readonly routes: readonly Prefix[] }
  /** The gateway instances a fabric sends a prefix to changed; none: no gateway carries it any more. */
  | { readonly kind: 'fabric-route'; readonly prefix: Prefix; readonly via: readonly FabricHop[] }
  /** A scheduled fault; unchanged: the target already was in that state, so nothing was done. */
  | { readonly kind: 'fault'; readonly target: FaultTarget; readonly up: boolean; readonly unchanged: boolean }
  /** The platform's provisioning state of an instance (Azure's Updating/Succeeded, Alibaba's Preparing/Normal). */
  | { readonly kind: 'provisioning'; readonly state: string; readonly ready: boolean }
  | { readonly kind: 'log'; readonly source: 'ike' | 'bgp'; readonly line: string };

export type EmulationEventKind = EmulationEventBody['kind'];

/** An engine's log line. */
export type LogEventBody = Extract<EmulationEventBody, { kind: 'log' }>;
/** A state change: every kind but `log`. */
export type MilestoneBody = Exclude<EmulationEventBody, { kind: 'log' }>;

/** When and where. */
export interface EventStamp {
  readonly timeMs: number;
  readonly node: string;
}

export type EmulationEvent = EmulationEventBody & EventStamp;
export type Milestone = MilestoneBody & EventStamp;

/** The event of one kind (for narrowing: `events.filter(isEvent('bgp-session'))`). */
export function isEvent<K extends EmulationEventKind>(kind: K): (e: EmulationEvent) => e is EmulationEvent & { kind: K } {
  return (e): e is EmulationEvent & { kind: K } => e.kind === kind;
}
