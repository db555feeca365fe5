import type { Timer } from '../core/clock.js';
import { ExchangeType } from './constants.js';
import { IkeError } from './errors.js';
import type { IkeHeader } from './header.js';
import type { IkeMessage } from './message.js';
import { DEFAULT_RETRANSMIT } from './config.js';
import { describeIkeSaReason, type IkeSaReason } from './reasons.js';
import type { InitiatorTask, TaskSa } from './tasks/task.js';

/*
 * The requests this side sends on one IKE SA (RFC 7296 §2.1–2.3): a queue of tasks, one exchange
 * in flight, retransmitted with exponential backoff until the response comes or the tries run
 * out — then the peer is declared dead. A response is matched on message ID and exchange type;
 * anything else is a stray and is dropped.
 */

interface InFlight {
  readonly task: InitiatorTask;
  readonly messageId: number;
  bytes: Uint8Array;
  retransmits: number;
  timer: Timer | undefined;
}

export class TaskManager {
  private readonly sa: TaskSa;
  private readonly queued: InitiatorTask[] = [];
  private inFlight: InFlight | undefined;
  private stopped = false;

  constructor(sa: TaskSa) {
    this.sa = sa;
  }

  /** The task whose request is on the wire, if any (collision checks look at it). */
  get active(): InitiatorTask | undefined {
    return this.inFlight?.task;
  }

  get pending(): readonly InitiatorTask[] {
    return this.queued;
  }

  queue(task: InitiatorTask): void {
    if (this.stopped) return;
    this.queued.push(task);
    this.kick();
  }

  /** Starts the next queued task when nothing is in flight and the SA may send. */
  kick(): void {
    while (!this.stopped && this.inFlight === undefined && this.queued.length > 0 && this.sa.canInitiate(this.queued[0]!)) {
      const task = this.queued.shift()!;
      this.start(task);
    }
  }

  /** Hands over the tasks still waiting (an IKE SA rekey moves them to the new SA). */
  takeQueued(): InitiatorTask[] {
    return this.queued.splice(0);
  }

  private start(task: InitiatorTask): void {
    let payloads;
    try {
      payloads = task.build(this.sa);
    } catch (e) {
      if (!(e instanceof IkeError)) throw e;
      this.sa.log(`${task.name} not started: ${e.message}`);
      return;
    }
    if (payloads === undefined) return;
    const messageId = task.exchange === ExchangeType.IKE_SA_INIT ? 0 : this.sa.messageIds.nextRequest;
    const bytes = this.sa.encode(task.exchange, messageId, false, payloads);
    task.sent?.(this.sa, bytes);
    this.inFlight = { task, messageId, bytes, retransmits: 0, timer: undefined };
    this.sa.log(`sending ${this.sa.describe(task.exchange, messageId, false, payloads)}`);
    this.sa.transmit(bytes);
    this.arm();
  }

  private arm(): void {
    const f = this.inFlight!;
    const r = this.sa.config.retransmit ?? DEFAULT_RETRANSMIT;
    const wait = r.timeoutMs * Math.pow(r.base, f.retransmits);
    f.timer = this.sa.clock.setTimer(wait, () => this.onTimeout(f));
  }

  private onTimeout(f: InFlight): void {
    if (this.inFlight !== f) return;
    const r = this.sa.config.retransmit ?? DEFAULT_RETRANSMIT;
    if (f.retransmits >= r.tries) {
      this.inFlight = undefined;
      const reason: IkeSaReason = { kind: 'no-response', exchange: f.task.exchange as ExchangeType, messageId: f.messageId, retransmits: r.tries };
      f.task.abandon?.(this.sa, reason);
      this.sa.peerDead(reason);
      return;
    }
    f.retransmits++;
    this.sa.log(`retransmit ${f.retransmits} of request with message ID ${f.messageId}`);
    this.sa.transmit(f.bytes);
    this.arm();
  }

  /** Whether a response with this header answers the request in flight. */
  expects(header: IkeHeader): boolean {
    const f = this.inFlight;
    return f !== undefined && f.messageId === header.messageId && f.task.exchange === header.exchangeType;
  }

  /** The response to the request in flight (already decrypted and checked). */
  onResponse(response: IkeMessage): void {
    const f = this.inFlight!;
    f.timer?.cancel();
    this.inFlight = undefined;
    if (f.task.exchange !== ExchangeType.IKE_SA_INIT) this.sa.messageIds.nextRequest++;
    const outcome = f.task.process(this.sa, response);
    switch (outcome.kind) {
      case 'done':
        // IKE_SA_INIT is message 0 however often it is retried; the next request is 1.
        if (f.task.exchange === ExchangeType.IKE_SA_INIT) this.sa.messageIds.nextRequest = 1;
        break;
      case 'retry':
        this.queued.unshift(f.task);
        break;
      case 'failed':
        this.sa.log(`${f.task.name} failed: ${describeIkeSaReason(outcome.reason)}`);
        if (outcome.fatal) {
          this.sa.destroy(outcome.reason);
          return;
        }
    }
    this.kick();
  }

  /** The response could not be used (malformed): the exchange is over, unsuccessfully. */
  onBadResponse(reason: IkeSaReason): void {
    const f = this.inFlight!;
    f.timer?.cancel();
    this.inFlight = undefined;
    if (f.task.exchange !== ExchangeType.IKE_SA_INIT) this.sa.messageIds.nextRequest++;
    f.task.abandon?.(this.sa, reason);
    const fatal = f.task.exchange === ExchangeType.IKE_SA_INIT || f.task.exchange === ExchangeType.IKE_AUTH;
    this.sa.log(`${f.task.name} failed: ${describeIkeSaReason(reason)}`);
    if (fatal) this.sa.destroy(reason);
    else this.kick();
  }

  /** Cancels everything (the SA is going away). */
  stop(reason: IkeSaReason): void {
    this.stopped = true;
    const f = this.inFlight;
    this.inFlight = undefined;
    if (f !== undefined) {
      f.timer?.cancel();
      f.task.abandon?.(this.sa, reason);
    }
    for (const t of this.queued.splice(0)) t.abandon?.(this.sa, reason);
  }
}
