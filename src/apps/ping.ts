import type { Timer } from '../core/clock.js';
import type { Ipv4Address } from '../net/address.js';
import { IcmpType, parseQuotedDatagram, type IcmpMessage } from '../net/icmp.js';
import { IpProtocol } from '../net/ipv4.js';
import type { DropReason, IpNode, LocalDelivery } from '../router/node.js';

/** What one echo request came to. */
export type PingEvent =
  | { kind: 'reply'; seq: number; from: Ipv4Address; bytes: number; ttl: number; rttMs: number; at: number }
  | { kind: 'error'; seq: number; from: Ipv4Address; icmpType: number; icmpCode: number; nextHopMtu: number; at: number }
  | { kind: 'timeout'; seq: number; at: number }
  | { kind: 'send-failed'; seq: number; reason: DropReason; at: number };

export type PingStyle = 'linux' | 'windows';

export interface PingOptions {
  count: number;
  /** Payload bytes (iputils 56, Windows 32). */
  size: number;
  /** Time between requests (1 s). */
  intervalMs: number;
  /** How long to wait for each reply: Windows 4 s per request; iputils waits 10 s after the last. */
  timeoutMs: number;
  style: PingStyle;
  ttl?: number;
  identifier: number;
}

export const PING_DEFAULTS: Record<PingStyle, Omit<PingOptions, 'identifier' | 'count'>> = {
  linux: { size: 56, intervalMs: 1000, timeoutMs: 10_000, style: 'linux' },
  windows: { size: 32, intervalMs: 1000, timeoutMs: 4000, style: 'windows' },
};

const WINDOWS_PAYLOAD = 'abcdefghijklmnopqrstuvw';

/**
 * An ICMP echo client on an emulated node, behaving as the source host's ping does: iputils
 * sends every interval regardless of replies and lingers for late ones after the last; Windows
 * waits for each reply (or its 4 s timeout) before the next request. Runs on the node's clock.
 */
export class Ping {
  readonly events: PingEvent[] = [];
  readonly startedAt: number;
  sent = 0;
  private readonly node: IpNode;
  private readonly dst: Ipv4Address;
  private readonly options: PingOptions;
  private readonly sentAt = new Map<number, number>();
  private readonly timers = new Map<number, Timer>();
  private readonly unsubscribe: () => void;
  private finished = false;
  private nextTimer: Timer | undefined;
  private readonly onDone: (() => void) | undefined;

  constructor(node: IpNode, dst: Ipv4Address, options: PingOptions, onDone?: () => void) {
    this.node = node;
    this.dst = dst;
    this.options = options;
    this.onDone = onDone;
    this.startedAt = node.clock.now();
    this.unsubscribe = node.addIcmpListener((m, d) => this.onIcmp(m, d));
    this.sendNext();
  }

  get done(): boolean {
    return this.finished;
  }

  private payload(seq: number): Uint8Array {
    const data = new Uint8Array(this.options.size);
    if (this.options.style === 'windows') {
      for (let i = 0; i < data.length; i++) data[i] = WINDOWS_PAYLOAD.charCodeAt(i % WINDOWS_PAYLOAD.length);
    } else {
      // iputils: a timestamp, then bytes counting up from 0x08.
      const t = this.node.clock.now();
      for (let i = 0; i < data.length; i++) data[i] = i < 8 ? (Math.floor(t / 2 ** (8 * i)) + seq) & 0xff : (i + 0x08 - 8) & 0xff;
    }
    return data;
  }

  private sendNext(): void {
    this.nextTimer = undefined;
    if (this.sent >= this.options.count) return;
    const seq = this.options.style === 'linux' ? this.sent + 1 : this.sent;
    this.sent++;
    const now = this.node.clock.now();
    this.sentAt.set(seq, now);
    const result = this.node.sendIcmp(this.dst,
      { kind: 'echo-request', code: 0, identifier: this.options.identifier, sequence: seq, data: this.payload(seq) },
      { dontFragment: false, ...(this.options.ttl !== undefined ? { ttl: this.options.ttl } : {}) });
    if (!result.ok) {
      this.settle({ kind: 'send-failed', seq, reason: result.reason, at: now });
      return;
    }
    const isLast = this.sent >= this.options.count;
    if (this.options.style === 'windows' || isLast) {
      this.timers.set(seq, this.node.clock.setTimer(this.options.timeoutMs, () => this.settle({ kind: 'timeout', seq, at: this.node.clock.now() })));
    }
    if (this.options.style === 'linux' && !isLast) this.nextTimer = this.node.clock.setTimer(this.options.intervalMs, () => this.sendNext());
  }

  private onIcmp(message: IcmpMessage, delivery: LocalDelivery): void {
    const now = this.node.clock.now();
    if (message.kind === 'echo-reply') {
      if (message.identifier !== this.options.identifier || !this.sentAt.has(message.sequence)) return;
      const seq = message.sequence;
      this.settle({
        kind: 'reply', seq, from: delivery.packet.src, bytes: message.data.length, ttl: delivery.packet.ttl,
        rttMs: now - this.sentAt.get(seq)!, at: now,
      });
      return;
    }
    if (message.kind !== 'destination-unreachable' && message.kind !== 'time-exceeded') return;
    const quoted = parseQuotedDatagram(message.original);
    if (quoted === undefined || quoted.protocol !== IpProtocol.Icmp || quoted.transport.length < 8) return;
    if (quoted.transport[0] !== IcmpType.EchoRequest) return;
    const id = (quoted.transport[4]! << 8) | quoted.transport[5]!;
    const seq = (quoted.transport[6]! << 8) | quoted.transport[7]!;
    if (id !== this.options.identifier || !this.sentAt.has(seq)) return;
    this.settle({
      kind: 'error', seq, from: delivery.packet.src,
      icmpType: message.kind === 'time-exceeded' ? IcmpType.TimeExceeded : IcmpType.DestinationUnreachable,
      icmpCode: message.code, nextHopMtu: message.kind === 'destination-unreachable' ? message.nextHopMtu : 0, at: now,
    });
  }

  /** Records the outcome of request `seq` (first outcome wins; duplicates are ignored). */
  private settle(event: PingEvent): void {
    if (this.finished || !this.sentAt.has(event.seq)) return;
    if (this.events.some((e) => e.seq === event.seq)) return;
    this.timers.get(event.seq)?.cancel();
    this.timers.delete(event.seq);
    this.events.push(event);
    if (this.options.style === 'windows' && this.sent < this.options.count) {
      const sentAt = this.sentAt.get(event.seq)!;
      const wait = Math.max(0, sentAt + this.options.intervalMs - this.node.clock.now());
      this.nextTimer = this.node.clock.setTimer(wait, () => this.sendNext());
    }
    this.checkDone();
  }

  private checkDone(): void {
    if (this.sent < this.options.count) return;
    const lastSeq = this.options.style === 'linux' ? this.sent : this.sent - 1;
    const allSettled = [...this.sentAt.keys()].every((s) => this.events.some((e) => e.seq === s));
    const lastSettled = this.events.some((e) => e.seq === lastSeq);
    if (allSettled || lastSettled) this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const t of this.timers.values()) t.cancel();
    this.nextTimer?.cancel();
    this.unsubscribe();
    this.onDone?.();
  }
}
