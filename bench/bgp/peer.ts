/**
 * The benchmark's own BGP endpoints, the feeder and the collector: a raw node:net socket bound to
 * a loopback address, vpnlab's codecs (OPEN, KEEPALIVE, framer, UPDATE decoder), and nothing of
 * vpnlab's speaker, so that only the device under test is measured.
 *
 * An endpoint connects to the passive DUT (retrying while the DUT is not yet listening), sends
 * OPEN (4-octet AS, MP IPv4 unicast, route refresh), confirms the DUT's OPEN with a KEEPALIVE and
 * is Established on the DUT's KEEPALIVE. From then on it sends KEEPALIVEs every hold/3 seconds and
 * hands each UPDATE it receives, undecoded, to `onUpdate` (the feeder drops them: FRR sends every
 * route back to its source, bgp-peers.md gotcha 4).
 */
import { createConnection, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { parseIpv4 } from '../../src/net/address.js';
import { CapabilityCode, type Capability } from '../../src/bgp/capabilities.js';
import type { CodecContext, DecodeContext } from '../../src/bgp/context.js';
import { describeNotification } from '../../src/bgp/errors.js';
import { BgpFramer } from '../../src/bgp/framer.js';
import { HEADER_LENGTH, MessageType } from '../../src/bgp/header.js';
import { KEEPALIVE } from '../../src/bgp/keepalive.js';
import { decodeMessage, encodeMessage } from '../../src/bgp/message.js';
import { makeOpen, openAsn, openCapabilities } from '../../src/bgp/open.js';
import { Afi, Safi } from '../../src/bgp/types.js';

/** Network safety: the benchmark's endpoints and its DUT live on 127.0.181.0/24 only. */
export const BENCH_NET = '127.0.181.';

export function assertBenchAddress(address: string, where: string): void {
  const last = Number(address.slice(BENCH_NET.length));
  if (!address.startsWith(BENCH_NET) || !Number.isInteger(last) || last < 1 || last > 254) {
    throw new Error(`${where}: ${address} is not on ${BENCH_NET}0/24; the benchmark sends nothing anywhere else`);
  }
}

export interface EndpointConfig {
  name: string;
  asn: number;
  localAddress: string;
  /** the DUT */
  remote: { address: string; port: number; asn: number };
  /** proposed hold time in seconds (default 180, as BIRD and FRR propose) */
  holdTime?: number;
}

const DEFAULT_HOLD_TIME = 180;
const RETRY_MS = 100;
/** the offset of the Type octet in a message header */
const TYPE_OFFSET = HEADER_LENGTH - 1;

type State = 'connecting' | 'open-sent' | 'open-confirm' | 'established' | 'down';

export class BenchPeer {
  readonly config: EndpointConfig;
  /** what the DUT's OPEN allows; set once Established */
  codec: CodecContext = { fourOctetAs: true };
  /** receives every UPDATE once Established (whole message, header included) */
  onUpdate: ((message: Uint8Array) => void) | undefined;
  /** set when an established session ends; the reason */
  downReason: string | undefined;
  private readonly downListeners: ((reason: string) => void)[] = [];
  private socket: Socket | undefined;
  private framer = new BgpFramer();
  private state: State = 'connecting';
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(config: EndpointConfig) {
    assertBenchAddress(config.localAddress, `${config.name} local address`);
    assertBenchAddress(config.remote.address, `${config.name} remote address`);
    this.config = config;
  }

  get decodeContext(): DecodeContext {
    return { ...this.codec, external: true };
  }

  /** Connects (again and again while refused) until the session is Established or `timeoutMs` passes. */
  async establish(timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let last = 'no attempt';
    while (!this.closed && performance.now() < deadline && alive()) {
      try {
        await this.attempt(deadline - performance.now());
        return;
      } catch (e) {
        last = e instanceof Error ? e.message : String(e);
        this.dropSocket();
        await delay(RETRY_MS);
      }
    }
    throw new Error(`${this.config.name}: no session with ${this.config.remote.address} within ${timeoutMs} ms (${this.closed ? 'closed' : alive() ? last : 'the DUT exited'})`);
  }

  /** Writes bytes as they are (pre-encoded UPDATEs); they queue in the socket if the DUT is slow. */
  write(chunk: Uint8Array): void {
    if (this.state !== 'established' || this.socket === undefined) throw new Error(`${this.config.name}: not established`);
    this.socket.write(chunk);
  }

  /** Calls `fn` once, when the session goes down after being Established (now, if it already has). */
  onDown(fn: (reason: string) => void): void {
    if (this.downReason !== undefined) fn(this.downReason);
    else this.downListeners.push(fn);
  }

  close(): void {
    this.closed = true;
    this.dropSocket();
  }

  private dropSocket(): void {
    clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
    this.socket?.removeAllListeners();
    this.socket?.on('error', () => {});
    this.socket?.destroy();
    this.socket = undefined;
    this.framer = new BgpFramer();
  }

  private attempt(timeoutMs: number): Promise<void> {
    const { remote, localAddress } = this.config;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(`no OPEN/KEEPALIVE exchange within ${Math.round(timeoutMs)} ms (state ${this.state})`), Math.max(timeoutMs, 1));
      const fail = (why: string): void => {
        clearTimeout(timer);
        if (this.state === 'established') this.wentDown(why);
        else reject(new Error(why));
      };
      this.state = 'connecting';
      const socket = createConnection({ host: remote.address, port: remote.port, localAddress, noDelay: true });
      this.socket = socket;
      socket.on('connect', () => {
        this.state = 'open-sent';
        socket.write(this.openBytes());
      });
      socket.on('data', (chunk: Buffer) => {
        try {
          this.receive(chunk, socket, () => {
            clearTimeout(timer);
            resolve();
          });
        } catch (e) {
          fail(e instanceof Error ? e.message : String(e));
          socket.destroy();
        }
      });
      socket.on('error', (e) => fail(e.message));
      socket.on('close', () => fail('connection closed'));
    });
  }

  private openBytes(): Uint8Array {
    const { asn, holdTime = DEFAULT_HOLD_TIME, localAddress } = this.config;
    const capabilities: Capability[] = [
      { type: 'four-octet-as', asn },
      { type: 'multiprotocol', afi: Afi.IPv4, safi: Safi.Unicast },
      { type: 'route-refresh', code: CapabilityCode.RouteRefresh },
    ];
    return encodeMessage(makeOpen({ asn, holdTime, bgpId: parseIpv4(localAddress), capabilities }), { fourOctetAs: true });
  }

  private receive(chunk: Buffer, socket: Socket, established: () => void): void {
    this.framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    for (let m = this.framer.next(); m !== undefined; m = this.framer.next()) {
      switch (m[TYPE_OFFSET]) {
        case MessageType.Update:
          if (this.state === 'established') this.onUpdate?.(m);
          break;
        case MessageType.Keepalive:
          if (this.state === 'open-confirm') {
            this.state = 'established';
            established();
          }
          break;
        case MessageType.Open:
          this.openReceived(m, socket);
          break;
        case MessageType.Notification: {
          const n = decodeMessage(m, this.decodeContext);
          throw new Error(n.type === 'notification' ? `NOTIFICATION received: ${describeNotification(n.code, n.subcode)}` : 'NOTIFICATION received');
        }
        default:
          break; // ROUTE-REFRESH: nothing to refresh, the feed is sent once
      }
    }
  }

  private openReceived(raw: Uint8Array, socket: Socket): void {
    const open = decodeMessage(raw, this.decodeContext);
    if (open.type !== 'open') return;
    const asn = openAsn(open);
    if (asn !== this.config.remote.asn) throw new Error(`the DUT's OPEN says AS ${asn}, expected ${this.config.remote.asn}`);
    const fourOctetAs = openCapabilities(open).some((c) => c.type === 'four-octet-as');
    if (!fourOctetAs) throw new Error('the DUT does not advertise 4-octet AS numbers; the feed is encoded with them');
    this.codec = { fourOctetAs };
    socket.write(encodeMessage(KEEPALIVE, this.codec));
    this.state = 'open-confirm';
    const hold = Math.min(open.holdTime, this.config.holdTime ?? DEFAULT_HOLD_TIME);
    if (hold > 0) {
      const keepalive = encodeMessage(KEEPALIVE, this.codec);
      this.keepaliveTimer = setInterval(() => socket.write(keepalive), (hold / 3) * 1000);
      this.keepaliveTimer.unref();
    }
  }

  private wentDown(reason: string): void {
    if (this.downReason !== undefined || this.closed) return;
    this.state = 'down';
    this.downReason = `${this.config.name}: session down: ${reason}`;
    for (const fn of this.downListeners.splice(0)) fn(this.downReason);
  }
}
