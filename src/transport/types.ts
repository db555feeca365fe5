import { VpnlabError } from '../core/errors.js';
import type { Ipv4Address } from '../net/address.js';

/**
 * The transport interface both runtimes offer to the protocol daemons (BGP over TCP, IKE over
 * UDP): the simulator implements it on its emulated IPv4 stack, the real runtime on node:net and
 * node:dgram. Daemons written against it run unchanged in either.
 */
export interface Endpoint {
  address: Ipv4Address;
  port: number;
}

export interface UdpDatagramEvent {
  local: Endpoint;
  remote: Endpoint;
  payload: Uint8Array;
}

export interface UdpSocket {
  readonly local: Endpoint;
  send(remote: Endpoint, payload: Uint8Array): void;
  close(): void;
}

export interface TcpSocketHandlers {
  /** The three-way handshake completed (active open) — not called for accepted sockets. */
  onConnect?(): void;
  /** In-order bytes from the peer. */
  onData?(data: Uint8Array): void;
  /** The peer sent FIN: no more data will arrive (the socket may still write). */
  onEnd?(): void;
  /** The connection is gone. `error` is set when it ended abnormally (RST, timeout, refused). */
  onClose?(error?: TransportError): void;
}

export interface TcpSocket {
  readonly local: Endpoint;
  readonly remote: Endpoint;
  setHandlers(handlers: TcpSocketHandlers): void;
  write(data: Uint8Array): void;
  /** Sends FIN after all written data (half-close). */
  end(): void;
  /** Aborts with RST. */
  destroy(): void;
}

export interface TcpListener {
  readonly local: Endpoint;
  close(): void;
}

export interface TcpConnectOptions {
  remote: Endpoint;
  /** Source address (default: the address of the egress interface) and port (default: ephemeral). */
  localAddress?: Ipv4Address;
  localPort?: number;
}

export interface Transport {
  bindUdp(local: { address?: Ipv4Address; port: number }, onDatagram: (event: UdpDatagramEvent) => void): UdpSocket;
  connectTcp(options: TcpConnectOptions, handlers: TcpSocketHandlers): TcpSocket;
  listenTcp(local: { address?: Ipv4Address; port: number }, onConnection: (socket: TcpSocket) => void): TcpListener;
}

export type TransportErrorCode =
  | 'ERR_TCP_REFUSED'
  | 'ERR_TCP_RESET'
  | 'ERR_TCP_TIMEOUT'
  | 'ERR_NET_UNREACHABLE'
  | 'ERR_HOST_UNREACHABLE'
  | 'ERR_ADDRESS_IN_USE'
  | 'ERR_ADDRESS_NOT_LOCAL'
  | 'ERR_PERMISSION_DENIED';

export class TransportError extends VpnlabError {
  declare readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, message: string) {
    super(code, message);
  }
}
