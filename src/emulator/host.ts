import type { SeededRng } from '../core/rng.js';
import type { IpNode } from '../router/node.js';
import type { Link } from '../sim/link.js';
import type { Scheduler } from '../sim/scheduler.js';
import type { SimTransport } from '../sim/transport.js';
import type { LogEventBody, MilestoneBody } from './events.js';

/*
 * What the parts of an emulated network (gateway instances, fabrics, faults) are given by the
 * network that assembles them: a clock, named random streams, nodes, segments, the Internet and
 * the timeline. An interface rather than the Network class, so the parts never point back at it.
 */

export type NodeRole = 'host' | 'router' | 'internet';

export interface SimNode {
  /** "site/name", the name users type. */
  readonly qualifiedName: string;
  readonly site: string;
  readonly role: NodeRole;
  readonly os: 'windows' | 'linux';
  readonly ip: IpNode;
  readonly transport: SimTransport;
}

export interface EmulatorHost {
  readonly scheduler: Scheduler;
  rng(name: string): SeededRng;
  /** Adds a node; its transport (UDP, TCP, ICMP port-unreachable) is installed at once. */
  addNode(site: string, name: string, role: NodeRole, os: 'windows' | 'linux', forwarding: boolean, options?: { fabric?: boolean }): SimNode;
  /** A link or "site/subnet" segment by name. */
  link(name: string): Link;
  /** Gives the interface a point-to-point access link to the emulated Internet. */
  attachToInternet(node: SimNode, ifaceName: string): void;
  /** Appends an event (an engine's log line) to the full log, stamped with the current simulated time. */
  record(node: string, event: LogEventBody): void;
  /** Records a state change users care about (also in the full log). */
  milestone(node: string, event: MilestoneBody): void;
}
