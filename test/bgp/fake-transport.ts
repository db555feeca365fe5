import type { Clock } from '../../src/core/clock.js';
import type { Ipv4Address } from '../../src/net/address.js';
import {
  TransportError, type Endpoint, type TcpConnectOptions, type TcpListener, type TcpSocket, type TcpSocketHandlers, type Transport,
} from '../../src/transport/types.js';

/*
 * A Transport for engine tests on a ManualClock: the test plays the remote side of every TCP
 * connection (sends bytes, closes) and sees what the speaker did with each socket — what it wrote,
 * whether it ended (FIN) or reset it. Close events arrive on the next clock turn, as node:net's do.
 */

/** `open`: both directions; `ended`: we sent FIN, the peer has not closed; `closed`: the descriptor is gone. */
export type FakeSocketState = 'open' | 'ended' | 'closed';

export class FakeSocket implements TcpSocket {
  readonly local: Endpoint;
  readonly remote: Endpoint;
  handlers: TcpSocketHandlers;
  state: FakeSocketState = 'open';
  /** Reset by the speaker (RST) rather than closed by FIN and the peer's close. */
  reset = false;
  readonly written: Uint8Array[] = [];
  private readonly clock: Clock;

  constructor(clock: Clock, local: Endpoint, remote: Endpoint, handlers: TcpSocketHandlers = {}) {
    this.clock = clock;
    this.local = local;
    this.remote = remote;
    this.handlers = handlers;
  }

  setHandlers(handlers: TcpSocketHandlers): void {
    this.handlers = handlers;
  }

  write(data: Uint8Array): void {
    if (this.state === 'open') this.written.push(data.slice());
  }

  end(): void {
    if (this.state === 'open') this.state = 'ended';
  }

  destroy(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.reset = true;
    this.clock.setTimer(0, () => this.handlers.onClose?.());
  }

  /** The remote side sends bytes (ignored once the descriptor is gone, as the kernel would). */
  peerSend(data: Uint8Array): void {
    if (this.state !== 'closed') this.handlers.onData?.(data);
  }

  /** The remote side closes: FIN, then the connection is gone. */
  peerClose(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.handlers.onEnd?.();
    this.clock.setTimer(0, () => this.handlers.onClose?.());
  }

  /** Everything the speaker wrote, as one buffer. */
  output(): Uint8Array {
    const n = this.written.reduce((a, b) => a + b.length, 0);
    const out = new Uint8Array(n);
    let at = 0;
    for (const w of this.written) {
      out.set(w, at);
      at += w.length;
    }
    return out;
  }
}

export class FakeTransport implements Transport {
  private readonly clock: Clock;
  private onConnection: ((socket: TcpSocket) => void) | undefined;
  private nextPort = 40000;
  /** Every socket made, accepted or connected, in order. */
  readonly sockets: FakeSocket[] = [];
  /** Our outgoing connect attempts (the test completes or fails them). */
  readonly outgoing: FakeSocket[] = [];
  listenAddress: Ipv4Address = 0;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  bindUdp(): never {
    throw new TransportError('ERR_PERMISSION_DENIED', 'no UDP in this fake');
  }

  connectTcp(options: TcpConnectOptions, handlers: TcpSocketHandlers): TcpSocket {
    const s = new FakeSocket(this.clock, { address: options.localAddress ?? this.listenAddress, port: this.nextPort++ }, options.remote, handlers);
    this.sockets.push(s);
    this.outgoing.push(s);
    return s;
  }

  listenTcp(local: { address?: Ipv4Address; port: number }, onConnection: (socket: TcpSocket) => void): TcpListener {
    this.onConnection = onConnection;
    this.listenAddress = local.address ?? 0;
    return { local: { address: local.address ?? 0, port: local.port }, close: () => { this.onConnection = undefined; } };
  }

  /** A connection from `from` to the listener; returns the socket the test speaks on. */
  accept(from: Ipv4Address): FakeSocket {
    const s = new FakeSocket(this.clock, { address: this.listenAddress, port: 179 }, { address: from, port: this.nextPort++ });
    this.sockets.push(s);
    if (this.onConnection === undefined) s.destroy();
    else this.onConnection(s);
    return s;
  }

  /** Sockets whose descriptor the speaker still holds (open, or ended and waiting for the peer). */
  held(): FakeSocket[] {
    return this.sockets.filter((s) => s.state !== 'closed');
  }
}
