import type { Timer } from '../core/clock.js';
import type { Ipv4Address } from '../net/address.js';
import type { IpNode } from '../router/node.js';

/** A run of echo requests that got no reply: when traffic stopped getting through, and for how long. */
export interface Outage {
  /** When the first unanswered request was sent. */
  readonly fromMs: number;
  /** When the first request after the run was sent (that one was answered), or the end of the probe. */
  readonly toMs: number;
  readonly lost: number;
}

/** A request younger than this when the probe stops is still pending, not lost. */
const PENDING_MS = 2000;

interface ProbeRecord {
  readonly seq: number;
  readonly sentAt: number;
  repliedAt?: number;
}

/**
 * A steady ping (one echo request per interval, as `ping -i`) that runs alongside a scenario and
 * reports the windows in which traffic did not get through: the measure of a failover.
 */
export class Probe {
  readonly records: ProbeRecord[] = [];
  private readonly node: IpNode;
  private readonly dst: Ipv4Address;
  private readonly intervalMs: number;
  private readonly identifier: number;
  private readonly unsubscribe: () => void;
  private timer: Timer | undefined;
  private stoppedAt: number | undefined;

  constructor(node: IpNode, dst: Ipv4Address, options: { intervalMs: number; identifier: number }) {
    this.node = node;
    this.dst = dst;
    this.intervalMs = options.intervalMs;
    this.identifier = options.identifier;
    this.unsubscribe = node.addIcmpListener((m) => {
      if (m.kind !== 'echo-reply' || m.identifier !== this.identifier) return;
      const record = this.records.find((r) => (r.seq & 0xffff) === m.sequence && r.repliedAt === undefined);
      if (record !== undefined) record.repliedAt = this.node.clock.now();
    });
    this.send();
  }

  private send(): void {
    const seq = this.records.length;
    this.records.push({ seq, sentAt: this.node.clock.now() });
    this.node.sendIcmp(this.dst, { kind: 'echo-request', code: 0, identifier: this.identifier, sequence: seq & 0xffff, data: new Uint8Array(56) }, { dontFragment: false });
    this.timer = this.node.clock.setTimer(this.intervalMs, () => this.send());
  }

  /** Stops sending; requests without a reply by now count as lost. */
  stop(): void {
    this.timer?.cancel();
    this.unsubscribe();
    this.stoppedAt = this.node.clock.now();
  }

  get sent(): number {
    return this.records.length;
  }

  get received(): number {
    return this.records.filter((r) => r.repliedAt !== undefined).length;
  }

  outages(): Outage[] {
    const out: Outage[] = [];
    let start: ProbeRecord | undefined;
    let lost = 0;
    // The last requests may still be on their way when the probe stops: they are not losses.
    const end = this.stoppedAt ?? this.node.clock.now();
    for (const r of this.records.filter((x) => x.repliedAt !== undefined || x.sentAt < end - PENDING_MS)) {
      if (r.repliedAt === undefined) {
        start ??= r;
        lost++;
      } else if (start !== undefined) {
        out.push({ fromMs: start.sentAt, toMs: r.sentAt, lost });
        start = undefined;
        lost = 0;
      }
    }
    if (start !== undefined) out.push({ fromMs: start.sentAt, toMs: end, lost });
    return out;
  }
}
