import { EspError } from '../esp/errors.js';
import { classifyUdp4500, NAT_T_PORT } from '../esp/udp-encap.js';
import type { Ipv4Address } from '../net/address.js';
import { IpProtocol } from '../net/ipv4.js';
import type { IpNode } from '../router/node.js';
import type { Transport, UdpDatagramEvent, UdpSocket } from '../transport/types.js';
import { IpsecDrop, IpsecError, IpsecErrorCode } from './errors.js';
import type { InstalledChild, SecurityAssociationDatabase } from './sad.js';

/** Takes a child's decrypted, selector-checked inner packets: a tunnel interface or a policy set. */
export type InnerPacketReceiver = (inner: Uint8Array, child: InstalledChild) => void;

/** What a datagram received on UDP 4500 was. Only 'ike' is left for the caller (the IKE engine). */
export type Udp4500Verdict =
  | { readonly type: 'ike'; readonly message: Uint8Array }
  | { readonly type: 'esp'; readonly delivered: boolean }
  | { readonly type: 'keepalive' }
  | { readonly type: 'malformed' };

export interface EspSocketOptions {
  readonly node: IpNode;
  readonly sad: SecurityAssociationDatabase;
}

/**
 * The outer side of a gateway's ESP: sends each child's ESP packets to its peer, in UDP on port
 * 4500 (RFC 3948) or as IP protocol 50, and takes received ESP from either to the SA database and
 * on to whoever receives that child's traffic. Port 4500 is shared with IKE: whoever owns the
 * socket passes each datagram to `handleUdp4500` and gets the IKE messages back.
 */
export class EspSocket {
  private readonly node: IpNode;
  private readonly sad: SecurityAssociationDatabase;
  private readonly receivers = new Map<string, InnerPacketReceiver>();
  private udp: UdpSocket | undefined;
  /** Datagrams on UDP 4500 that were neither ESP, IKE nor a keepalive; and NAT-keepalives seen. */
  readonly counters = { malformed: 0, keepalives: 0 };

  constructor(options: EspSocketOptions) {
    this.node = options.node;
    this.sad = options.sad;
    this.node.setProtocolHandler(IpProtocol.Esp, (d) => {
      this.receiveEsp(d.packet.payload);
    });
  }

  /** Sends UDP-encapsulated ESP through `socket`, which must be bound on port 4500 (NAT mappings follow it). */
  useUdpSocket(socket: UdpSocket): void {
    this.udp = socket;
  }

  /** Binds UDP 4500 here (when no IKE engine owns it yet); IKE messages that arrive go to `onIke`. */
  bindUdp4500(transport: Transport, onIke: (message: Uint8Array, event: UdpDatagramEvent) => void, address?: Ipv4Address): UdpSocket {
    const socket = transport.bindUdp({ ...(address !== undefined ? { address } : {}), port: NAT_T_PORT }, (event) => {
      const verdict = this.handleUdp4500(event);
      if (verdict.type === 'ike') onIke(verdict.message, event);
    });
    this.useUdpSocket(socket);
    return socket;
  }

  /** Sorts one UDP/4500 datagram: ESP is decrypted and delivered here, keepalives dropped, IKE handed back. */
  handleUdp4500(event: UdpDatagramEvent): Udp4500Verdict {
    let payload;
    try {
      payload = classifyUdp4500(event.payload);
    } catch (e) {
      if (!(e instanceof EspError)) throw e;
      this.counters.malformed++;
      return { type: 'malformed' };
    }
    switch (payload.type) {
      case 'ike':
        return { type: 'ike', message: payload.message };
      case 'keepalive':
        this.counters.keepalives++;
        return { type: 'keepalive' };
      case 'esp':
        return { type: 'esp', delivered: this.receiveEsp(payload.packet) };
    }
  }

  /** One received ESP packet (SPI first); true when its inner packet was delivered. */
  receiveEsp(esp: Uint8Array): boolean {
    const result = this.sad.unprotect(esp);
    if (!result.ok) return false;
    const name = result.child.config.childName;
    const receiver = this.receivers.get(name);
    if (receiver === undefined) {
      this.sad.countDrop(name, IpsecDrop.NoReceiver);
      return false;
    }
    receiver(result.inner, result.child);
    return true;
  }

  /** Sends a child's ESP packet to its peer, the way the child was negotiated; false when it could not leave. */
  send(child: InstalledChild, esp: Uint8Array): boolean {
    const { local, remote, udpEncapsulation, childName } = child.config;
    if (udpEncapsulation) {
      if (this.udp === undefined) {
        this.sad.countDrop(childName, IpsecDrop.OuterSendFailed);
        return false;
      }
      this.udp.send(remote, esp);
      return true;
    }
    const result = this.node.send(IpProtocol.Esp, remote.address, esp, { src: local.address, dontFragment: false });
    if (!result.ok) this.sad.countDrop(childName, IpsecDrop.OuterSendFailed);
    return result.ok;
  }

  /** Routes a child's inbound traffic to `receiver`; one receiver per child name. */
  bindChild(childName: string, receiver: InnerPacketReceiver): () => void {
    if (this.receivers.has(childName)) {
      throw new IpsecError(IpsecErrorCode.ChildBound, `child '${childName}' already delivers to another tunnel interface or policy set`);
    }
    this.receivers.set(childName, receiver);
    return () => {
      if (this.receivers.get(childName) === receiver) this.receivers.delete(childName);
    };
  }
}
