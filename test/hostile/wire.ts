import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { BgpReader } from './bgp-corpus.js';

/** One raw TCP connection of the attacker: bounded waits, backpressure respected, no throw on a reset. */
export class Wire {
  readonly reader = new BgpReader();
  private closedFlag = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((done) => socket.once('close', () => { this.closedFlag = true; done(); }));
    socket.on('error', () => {});
    socket.on('data', (b: Buffer) => this.reader.push(b));
  }

  /** Connects from `localAddress`; undefined when refused or not done within `timeoutMs`. */
  static open(localAddress: string, host: string, port: number, timeoutMs = 3000): Promise<Wire | undefined> {
    return new Promise((done) => {
      const socket = connect({ host, port, localAddress });
      socket.setNoDelay(true);
      const timer = setTimeout(() => { socket.destroy(); done(undefined); }, timeoutMs);
      socket.once('connect', () => { clearTimeout(timer); done(new Wire(socket)); });
      socket.once('error', () => { clearTimeout(timer); socket.destroy(); done(undefined); });
    });
  }

  get isClosed(): boolean {
    return this.closedFlag || this.socket.destroyed;
  }

  /** Writes and waits for the kernel to take it (or the connection to end). */
  async write(bytes: Uint8Array): Promise<void> {
    if (this.isClosed) return;
    if (this.socket.write(bytes)) return;
    await Promise.race([new Promise((done) => this.socket.once('drain', done)), this.closed, delay(5000)]);
  }

  /** Waits until a message of `type` has arrived; false if the connection ended or time ran out first. */
  async waitFor(type: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.reader.has(type)) {
      if (this.isClosed || Date.now() > deadline) return false;
      await delay(5);
    }
    return true;
  }

  async waitClosed(timeoutMs: number): Promise<boolean> {
    return Promise.race([this.closed.then(() => true), delay(timeoutMs).then(() => false)]);
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
