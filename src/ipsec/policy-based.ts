import type { Ipv4Selector } from '../ike/payloads/ts.js';
import { selectorMatches } from '../ike/traffic-selectors.js';
import { NAT_T_PORT } from '../esp/udp-encap.js';
import { DEFAULT_MTU, IpProtocol } from '../net/ipv4.js';
import type { Interface } from '../router/interface.js';
import type { IpNode } from '../router/node.js';
import { IpsecDrop } from './errors.js';
import type { EspSocket } from './esp-socket.js';
import { packetFlow, type PacketFlow } from './flow.js';
import type { SecurityAssociationDatabase } from './sad.js';

/** IKE's own port (RFC 7296 §2); with 4500, the ports whose traffic bypasses the policies. */
const IKE_PORT = 500;

/** How long a policy with no SA waits before asking the engine again (Linux's xfrm_acq_expires). */
export const DEFAULT_ACQUIRE_RETRY_MS = 30_000;

/** A configured security policy: traffic from the local to the remote selectors goes through `childName`. */
export interface SecurityPolicy {
  readonly childName: string;
  /** The IKE peer (connection) the child is configured under, echoed in acquires (IkeEngine.acquire wants it). */
  readonly peer?: string;
  readonly localSelectors: readonly Ipv4Selector[];
  readonly remoteSelectors: readonly Ipv4Selector[];
}

/** Traffic met a policy whose child has no SA: the engine should negotiate it ("on traffic"). */
export interface AcquireRequest {
  readonly childName: string;
  readonly peer?: string;
  /** The packet that triggered it (strongSwan narrows the proposal to it). */
  readonly flow: PacketFlow;
}

export interface PolicyBasedIpsecOptions {
  readonly node: IpNode;
  readonly sad: SecurityAssociationDatabase;
  readonly socket: EspSocket;
  readonly onAcquire?: (request: AcquireRequest) => void;
  /** The receive-only interface decrypted packets arrive on (default `ipsec0`). */
  readonly interfaceName?: string;
  readonly acquireRetryMs?: number;
}

interface PolicyEntry {
  readonly childName: string;
  readonly peer: string | undefined;
  readonly local: Ipv4Selector;
  readonly remote: Ipv4Selector;
  readonly order: number;
}

/**
 * Policy-based IPsec: an outbound security policy database (RFC 4301 §4.4.1) on the node's
 * outbound hook. A packet forwarded or originated by the node that matches a policy's
 * (local, remote) selector pair is encrypted with that child's current SA; one whose child has no
 * SA is dropped and reported through `onAcquire`, never sent in clear. Everything else passes.
 * The most specific pair wins, then the first added. The gateway's own IKE and ESP always bypass.
 */
export class PolicyBasedIpsec {
  readonly iface: Interface;
  /** Packets encrypted, dropped for want of an SA, and acquires sent to the engine. */
  readonly counters = { protected: 0, noSa: 0, acquires: 0 };
  private readonly node: IpNode;
  private readonly sad: SecurityAssociationDatabase;
  private readonly socket: EspSocket;
  private readonly onAcquire: ((request: AcquireRequest) => void) | undefined;
  private readonly acquireRetryMs: number;
  private entries: PolicyEntry[] = [];
  private nextOrder = 0;
  private readonly unbinders = new Map<string, () => void>();
  private readonly acquiredAt = new Map<string, number>();
  private readonly unwatch: () => void;

  constructor(options: PolicyBasedIpsecOptions) {
    this.node = options.node;
    this.sad = options.sad;
    this.socket = options.socket;
    this.onAcquire = options.onAcquire;
    this.acquireRetryMs = options.acquireRetryMs ?? DEFAULT_ACQUIRE_RETRY_MS;
    this.iface = this.node.addInterface(options.interfaceName ?? 'ipsec0', [], DEFAULT_MTU, {
      // Receive only: packets leave through the policies, never by a route into this interface.
      transmit: () => 'no-neighbor',
      carrierUp: () => true,
    });
    this.unwatch = this.sad.onChange((name) => {
      if (this.sad.current(name) !== undefined) this.acquiredAt.delete(name);
    });
    this.node.setOutboundHook((packet, _dst, inIface) => this.outbound(packet, inIface));
  }

  /** Adds a policy: every (local, remote) selector pair becomes an entry; the child's inbound traffic arrives on `iface`. */
  addPolicy(policy: SecurityPolicy): void {
    for (const local of policy.localSelectors) {
      for (const remote of policy.remoteSelectors) {
        this.entries.push({ childName: policy.childName, peer: policy.peer, local, remote, order: this.nextOrder++ });
      }
    }
    this.entries.sort(bySpecificity);
    if (!this.unbinders.has(policy.childName)) {
      this.unbinders.set(policy.childName, this.socket.bindChild(policy.childName, (inner) => this.node.receive(this.iface, inner)));
    }
  }

  /** Removes a child's policies; false when it had none. */
  removePolicy(childName: string): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.childName !== childName);
    this.unbinders.get(childName)?.();
    this.unbinders.delete(childName);
    this.acquiredAt.delete(childName);
    return this.entries.length < before;
  }

  /** The child whose policy covers an outbound flow, if any. */
  policyFor(flow: PacketFlow): string | undefined {
    return this.entryFor(flow, false)?.childName;
  }

  /** Takes the outbound hook off the node and stops receiving. */
  close(): void {
    this.node.setOutboundHook(undefined);
    for (const unbind of this.unbinders.values()) unbind();
    this.unbinders.clear();
    this.unwatch();
  }

  private outbound(packet: Uint8Array, inIface: Interface | undefined): 'pass' | 'consumed' {
    if (this.entries.length === 0) return 'pass';
    const flow = packetFlow(packet);
    if (this.isOwnIkeOrEsp(flow)) return 'pass';
    const entry = this.entryFor(flow, inIface === this.iface);
    if (entry === undefined) return 'pass';
    const result = this.sad.protect(entry.childName, packet);
    if (result.ok) {
      this.counters.protected++;
      this.socket.send(result.child, result.packet);
    } else if (result.reason === IpsecDrop.NoSa) {
      this.counters.noSa++;
      this.acquire(entry, flow);
    }
    return 'consumed';
  }

  /**
   * The first entry covering the flow. A packet that came out of a tunnel is never sent back into
   * an entry it also matches the other way round (with 0.0.0.0/0 on both sides it would loop); it
   * may still go on into another child (transit through the gateway).
   */
  private entryFor(flow: PacketFlow, decrypted: boolean): PolicyEntry | undefined {
    for (const e of this.entries) {
      if (!covers(e.local, e.remote, flow)) continue;
      if (decrypted && covers(e.remote, e.local, flow)) continue;
      return e;
    }
    return undefined;
  }

  /** Like strongSwan's socket bypass policies: IKE and ESP must not be caught by a 0.0.0.0/0 policy. */
  private isOwnIkeOrEsp(flow: PacketFlow): boolean {
    if (!this.node.isLocalAddress(flow.src)) return false;
    if (flow.protocol === IpProtocol.Esp) return true;
    if (flow.protocol !== IpProtocol.Udp) return false;
    const ike = (port: number): boolean => port === IKE_PORT || port === NAT_T_PORT;
    return ike(flow.srcPort) || ike(flow.dstPort);
  }

  private acquire(entry: PolicyEntry, flow: PacketFlow): void {
    const { childName, peer } = entry;
    const now = this.node.clock.now();
    const last = this.acquiredAt.get(childName);
    if (last !== undefined && now - last < this.acquireRetryMs) return;
    this.acquiredAt.set(childName, now);
    this.counters.acquires++;
    this.onAcquire?.({ childName, ...(peer !== undefined ? { peer } : {}), flow });
  }
}

/** The flow's source lies in `source` and its destination in `destination`. */
function covers(source: Ipv4Selector, destination: Ipv4Selector, flow: PacketFlow): boolean {
  return selectorMatches(source, flow.src, flow.protocol, flow.srcPort) && selectorMatches(destination, flow.dst, flow.protocol, flow.dstPort);
}

/** Narrower remote, then narrower local, then a named protocol and fewer ports, then the older entry. */
function bySpecificity(a: PolicyEntry, b: PolicyEntry): number {
  return span(a.remote) - span(b.remote)
    || span(a.local) - span(b.local)
    || anyProtocol(a) - anyProtocol(b)
    || portSpan(a) - portSpan(b)
    || a.order - b.order;
}

function span(s: Ipv4Selector): number {
  return s.endAddress - s.startAddress;
}

function anyProtocol(e: PolicyEntry): number {
  return (e.local.ipProtocol === 0 ? 1 : 0) + (e.remote.ipProtocol === 0 ? 1 : 0);
}

function portSpan(e: PolicyEntry): number {
  return Math.max(0, e.local.endPort - e.local.startPort) + Math.max(0, e.remote.endPort - e.remote.startPort);
}
