import { EspErrorCode } from '../esp/errors.js';
import type { Ipv4Address } from '../net/address.js';
import type { Interface, InterfaceAddress, InterfaceDriver, TransmitResult } from '../router/interface.js';
import type { IpNode } from '../router/node.js';
import { IpsecDrop, type IpsecDropReason } from './errors.js';
import type { EspSocket } from './esp-socket.js';
import type { SecurityAssociationDatabase } from './sad.js';

/**
 * Inner MTU of a tunnel interface: 1500 less the worst ESP-in-UDP overhead (outer IPv4 20, UDP 8,
 * ESP header 8, IV up to 16, padding up to 15, trailer 2, ICV up to 32), rounded down as Azure
 * and most vendors do.
 */
export const DEFAULT_TUNNEL_MTU = 1400;

export interface RouteBasedTunnelOptions {
  readonly node: IpNode;
  readonly sad: SecurityAssociationDatabase;
  readonly socket: EspSocket;
  /** The child whose SAs carry this interface's packets (stays the same across rekeys). */
  readonly childName: string;
  /** The tunnel interface, e.g. `vti-azure`. */
  readonly interfaceName: string;
  readonly mtu?: number;
  /** Addresses on the tunnel interface (e.g. a BGP peering address); none makes it unnumbered. */
  readonly addresses?: InterfaceAddress[];
  /** The source of what the node itself sends into an unnumbered tunnel (its inner address). */
  readonly sourceAddress?: Ipv4Address;
  /**
   * Set up "on traffic" (strongSwan start_action = trap, Alibaba EffectImmediately = false): the
   * interface keeps its carrier without a CHILD_SA, and a packet routed into it then asks for one
   * through this callback (and is dropped, as the first packets are on a real gateway).
   */
  readonly onAcquire?: (childName: string) => void;
}

/** Reasons that mean the child cannot carry anything now: the interface behaves as down. */
const NO_CARRIER: ReadonlySet<IpsecDropReason> = new Set([IpsecDrop.NoSa, EspErrorCode.SaExpired, EspErrorCode.SequenceExhausted]);

/**
 * A route-based (VTI-style) tunnel: an interface on the gateway whose driver encrypts every packet
 * routed into it with its child's current outbound SA, so a route into the tunnel is an ordinary
 * route by interface. Without a CHILD_SA the interface has no carrier and routes through it leave
 * the FIB. Decrypted packets of the child arrive on the interface as if received from a link.
 */
export class RouteBasedTunnel implements InterfaceDriver {
  readonly iface: Interface;
  readonly childName: string;
  private readonly node: IpNode;
  private readonly sad: SecurityAssociationDatabase;
  private readonly socket: EspSocket;
  private readonly unbind: () => void;
  /** Packets dropped because they looped back into this tunnel from its own outer traffic. */
  loopDrops = 0;
  private transmitting = false;
  private readonly unwatch: () => void;
  private readonly onAcquire: ((childName: string) => void) | undefined;
  /** Packets dropped while waiting for an on-traffic CHILD_SA. */
  acquireDrops = 0;

  constructor(options: RouteBasedTunnelOptions) {
    this.node = options.node;
    this.sad = options.sad;
    this.socket = options.socket;
    this.childName = options.childName;
    this.onAcquire = options.onAcquire;
    this.iface = this.node.addInterface(options.interfaceName, options.addresses ?? [], options.mtu ?? DEFAULT_TUNNEL_MTU, this);
    this.iface.unnumberedSource = options.sourceAddress;
    this.unbind = this.socket.bindChild(this.childName, (inner) => this.node.receive(this.iface, inner));
    this.unwatch = this.sad.onChange((name) => {
      if (name === this.childName) this.node.routes.invalidate();
    });
  }

  transmit(packet: Uint8Array, _nextHop: Ipv4Address | undefined): TransmitResult {
    // A tunnel whose outer packets route back into itself (its peer's address routed into the
    // tunnel) would encapsulate forever; like Linux's ip_tunnel ("dead loop on virtual device") the
    // packet is dropped instead.
    if (this.transmitting) {
      this.loopDrops++;
      return 'refused';
    }
    this.transmitting = true;
    try {
      return this.protectAndSend(packet);
    } finally {
      this.transmitting = false;
    }
  }

  private protectAndSend(packet: Uint8Array): TransmitResult {
    const result = this.sad.protect(this.childName, packet);
    if (!result.ok && result.reason === IpsecDrop.NoSa && this.onAcquire !== undefined) {
      this.acquireDrops++;
      this.onAcquire(this.childName);
      return 'down';
    }
    if (!result.ok) return NO_CARRIER.has(result.reason) ? 'down' : result.reason === IpsecDrop.SelectorMismatch ? 'refused' : 'no-neighbor';
    // A failed outer send is counted by the socket; the inner packet is as good as lost on the wire.
    this.socket.send(result.child, result.packet);
    return 'sent';
  }

  carrierUp(): boolean {
    return this.onAcquire !== undefined || this.sad.current(this.childName) !== undefined;
  }

  /** Stops taking the child's inbound traffic; the interface stays, without a driver. */
  close(): void {
    this.unbind();
    this.unwatch();
    this.iface.driver = undefined;
    this.node.routes.invalidate();
  }
}
