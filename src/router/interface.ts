import type { Ipv4Address, Prefix } from '../net/address.js';

/**
 * What carries an interface's packets: a simulated link, a tunnel (route-based IPsec, later), or a
 * real device in the real runtime. The router knows interfaces only through this hook.
 */
/** 'refused': the interface would not carry it (an IPsec tunnel: outside its CHILD_SA's traffic selectors). */
export type TransmitResult = 'sent' | 'down' | 'no-neighbor' | 'too-big' | 'refused';

export interface InterfaceDriver {
  /**
   * Sends an IPv4 packet. `nextHop` is the L3 neighbour to hand it to (the gateway, or the
   * destination itself on a connected subnet); undefined for a route by interface only, which on a
   * point-to-point medium means "the other end". The driver owns `packet` from here on.
   */
  transmit(packet: Uint8Array, nextHop: Ipv4Address | undefined): TransmitResult;
  /** Whether the medium is up (carrier). */
  carrierUp(): boolean;
}

export interface InterfaceAddress {
  address: Ipv4Address;
  prefix: Prefix;
}

export class Interface {
  readonly name: string;
  readonly addresses: InterfaceAddress[];
  mtu: number;
  adminUp = true;
  driver: InterfaceDriver | undefined;
  /**
   * An unnumbered interface's source address for packets the node itself sends through it (ICMP
   * errors, traceroute's answers): Linux's preferred source (`ip route … src`). Otherwise the node
   * borrows the first address it has.
   */
  unnumberedSource: Ipv4Address | undefined;
  /** Packets and bytes in and out, for status views. */
  readonly counters = { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, txDropped: 0 };

  constructor(name: string, addresses: InterfaceAddress[], mtu: number) {
    this.name = name;
    this.addresses = addresses;
    this.mtu = mtu;
  }

  get primaryAddress(): Ipv4Address | undefined {
    return this.addresses[0]?.address;
  }

  /** Up administratively, attached, and with carrier. */
  isUp(): boolean {
    return this.adminUp && this.driver !== undefined && this.driver.carrierUp();
  }
}
