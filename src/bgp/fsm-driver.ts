import type { Clock, Timer } from '../core/clock.js';
import type { Rng } from '../core/rng.js';
import { initialFsmState, step } from './fsm.js';
import {
  CeaseSubcode, TIMER_EVENT,
  type FsmConfig, type FsmEvent, type FsmEventBody, type FsmState, type FsmStateName, type FsmTimer,
  type SessionAction, type TransitionReason,
} from './fsm-types.js';
import { jitter } from './timers.js';

/*
 * The thin imperative shell around `step`: owns the FsmState, runs the timer actions on a Clock
 * (with RFC 4271 §10 jitter from its Rng where the action asks for it) and hands every other
 * action to the session in order. Timer expiries come back in as events. Events raised while an
 * event is being handled (a session reacting to an action by reporting another event) are queued
 * and handled after it, so each step sees the state the previous one left.
 */

export interface FsmTransitionRecord {
  /** Clock time of the event. */
  readonly at: number;
  readonly from: FsmStateName;
  readonly to: FsmStateName;
  readonly event: FsmEvent;
  readonly reason: TransitionReason;
}

export interface FsmDriverOptions {
  readonly config: FsmConfig;
  readonly clock: Clock;
  readonly rng: Rng;
  /** Everything but timer actions, in order: connect, send, drop, process, established/down... */
  readonly onAction: (action: SessionAction) => void;
  /** Called after each step's actions: for logs, `show` output and tests. */
  readonly onTransition?: (record: FsmTransitionRecord) => void;
  /** Where to start (default: Idle). */
  readonly initialState?: FsmState;
}

/** Stands in for a clock timer until it is set. */
const NO_TIMER: Timer = { cancel: () => {} };

interface RunningTimer {
  /** The clock timer, set to fire at `armedFor`. */
  handle: Timer;
  armedFor: number;
  /** When the FSM's timer expires: `armedFor` or later, when it was restarted meanwhile. */
  deadline: number;
}

export class FsmDriver {
  private readonly config: FsmConfig;
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly onAction: (action: SessionAction) => void;
  private readonly onTransition: ((record: FsmTransitionRecord) => void) | undefined;
  private current: FsmState;
  private readonly timers = new Map<FsmTimer, RunningTimer>();
  private readonly queue: FsmEventBody[] = [];
  private busy = false;
  private disposed = false;

  constructor(options: FsmDriverOptions) {
    this.config = options.config;
    this.clock = options.clock;
    this.rng = options.rng;
    this.onAction = options.onAction;
    this.onTransition = options.onTransition;
    this.current = options.initialState ?? initialFsmState();
  }

  get state(): FsmState {
    return this.current;
  }

  /** When a running timer will expire (clock ms), or undefined. */
  deadline(timer: FsmTimer): number | undefined {
    return this.timers.get(timer)?.deadline;
  }

  /** ManualStart, or ManualStartPassive when the configuration is passive. */
  start(): void {
    this.handle({ kind: this.config.passive ? 'ManualStartPassive' : 'ManualStart' });
  }

  /** ManualStop: Cease / Administrative Shutdown by default (RFC 4486), optional RFC 8203 message. */
  stop(subcode: number = CeaseSubcode.AdministrativeShutdown, data?: Uint8Array): void {
    this.handle(data === undefined ? { kind: 'ManualStop', subcode } : { kind: 'ManualStop', subcode, data });
  }

  /** Feeds one event; it is stamped with the clock's time. Ignored after dispose(). */
  handle(event: FsmEventBody): void {
    if (this.disposed) return;
    this.queue.push(event);
    if (this.busy) return;
    this.busy = true;
    try {
      for (let next = this.queue.shift(); next !== undefined && !this.disposed; next = this.queue.shift()) this.run(next);
    } finally {
      this.busy = false;
      this.queue.length = 0;
    }
  }

  /** Cancels every timer and ignores further events (the FSM of a connection that lost a collision). */
  dispose(): void {
    this.disposed = true;
    for (const t of this.timers.values()) t.handle.cancel();
    this.timers.clear();
  }

  private run(body: FsmEventBody): void {
    const at = this.clock.now();
    const event: FsmEvent = { ...body, at };
    const from = this.current.name;
    const transition = step(this.current, event, this.config);
    this.current = transition.state;
    for (const action of transition.actions) {
      if (this.disposed) return;
      switch (action.kind) {
        case 'start-timer':
          this.startTimer(action.timer, action.jitter ? jitter(action.ms, this.rng) : action.ms);
          break;
        case 'stop-timer':
          this.stopTimer(action.timer);
          break;
        default:
          this.onAction(action);
      }
    }
    this.onTransition?.({ at, from, to: transition.state.name, event, reason: transition.reason });
  }

  /**
   * Starts (or restarts) a timer. Restarting one that would expire later than it is armed for —
   * the hold timer on every UPDATE received, the keepalive timer on every UPDATE sent — only
   * moves its deadline: the clock timer, when it fires, arms itself again for the rest. A full
   * table is tens of thousands of UPDATEs, and a clock timer each was measurable.
   */
  private startTimer(timer: FsmTimer, ms: number): void {
    const deadline = this.clock.now() + ms;
    const running = this.timers.get(timer);
    if (running !== undefined && running.armedFor <= deadline) {
      running.deadline = deadline;
      return;
    }
    this.stopTimer(timer);
    const entry: RunningTimer = { handle: NO_TIMER, armedFor: deadline, deadline };
    entry.handle = this.clock.setTimer(ms, () => this.expire(timer, entry));
    this.timers.set(timer, entry);
  }

  /** The clock timer fired: the FSM's timer expires, unless it was pushed back meanwhile. */
  private expire(timer: FsmTimer, entry: RunningTimer): void {
    if (this.timers.get(timer) !== entry) return;
    if (entry.deadline > entry.armedFor) {
      entry.armedFor = entry.deadline;
      entry.handle = this.clock.setTimer(entry.deadline - this.clock.now(), () => this.expire(timer, entry));
      return;
    }
    this.timers.delete(timer);
    this.handle({ kind: TIMER_EVENT[timer] });
  }

  private stopTimer(timer: FsmTimer): void {
    const running = this.timers.get(timer);
    if (running === undefined) return;
    running.handle.cancel();
    this.timers.delete(timer);
  }
}
