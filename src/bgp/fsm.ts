import { COLLISION_NOTIFICATION } from './fsm-collision.js';
import { validateOpen } from './fsm-open.js';
import {
  CeaseSubcode, FSM_TIMERS, FsmSubcode, ErrorCode, OpenMessageSubcode, TIMER_EVENT,
  type ConnectionDirection, type DampingState, type FsmAction, type FsmConfig, type FsmEvent, type FsmEventBody,
  type FsmEventKind, type FsmState, type FsmStateName, type FsmTimer, type FsmTransition, type Negotiated,
  type NotificationInfo, type SessionAction, type TransitionReason,
} from './fsm-types.js';
import { MS_PER_SECOND, NO_DAMPING, idleHoldDelaySec, recordError } from './timers.js';

/*
 * The BGP finite state machine of RFC 4271 §8.2.2 as a pure function: `step(state, event, config)`
 * returns the next state, the actions to carry out and the reason. No I/O, no clock, no randomness:
 * timers are start/stop actions (the driver runs them, with jitter), and the only notion of time is
 * the optional `at` stamp on events, used to forget old errors in the idle-hold backoff.
 *
 * Where this departs from the letter of §8.2.2, it does what FRR, BIRD and GoBGP do:
 * - Connect, TcpConnectionFails without DelayOpen: go to Active and retry when the ConnectRetryTimer
 *   (still running) expires, instead of Idle — otherwise a refused connection either strands the
 *   peer in Idle or, with automatic start, retries at once in a loop (FRR's bgp_connect_fail).
 * - A passively started FSM (events 4/5) never runs the ConnectRetryTimer: its only use is to
 *   initiate a connection, which a passive peer never does (RRAS OperationMode Server).
 * - A received NOTIFICATION in OpenSent is not answered with a Finite State Machine Error
 *   NOTIFICATION (the peer is closing anyway; GoBGP does the same).
 * - A Message Header Error in Established is reported as such (§6.1), not as an FSM error.
 * - One FSM owns one connection (§8.2.1): an OPEN on a connection already in OpenConfirm or
 *   Established is unexpected (FSM Error, RFC 6608 subcodes). Collisions between two connections
 *   are resolved by the session with fsm-collision.ts, which then sends OpenCollisionDump to the
 *   loser; losing a collision is not an error for the idle-hold backoff.
 * - Entering Idle stops every timer (the RFC restarts the ConnectRetryTimer on some paths into
 *   Idle, where it has no meaning). A timer expiry for a timer not running is stale and ignored.
 * - ManualStop in Idle cancels a pending automatic restart (the IdleHoldTimer).
 * - Idle-hold: with AllowAutomaticStart, every transition to Idle except ManualStop starts the
 *   IdleHoldTimer, whose expiry is an automatic start. DampPeerOscillations doubles its duration
 *   after each error (every transition where the ConnectRetryCounter is incremented, the places
 *   §8.2.2 marks "performs peer oscillation damping"); see timers.ts for the policy.
 */

export function initialFsmState(): FsmState {
  return {
    name: 'Idle',
    connectRetryCounter: 0,
    timers: { connectRetry: false, hold: false, keepalive: false, delayOpen: false, idleHold: false },
    passive: false,
    connection: undefined,
    negotiated: undefined,
    damping: NO_DAMPING,
  };
}

function isVersionError(n: NotificationInfo): boolean {
  return n.code === ErrorCode.OpenMessage && n.subcode === OpenMessageSubcode.UnsupportedVersionNumber;
}

function timerOf(kind: FsmEventKind): FsmTimer | undefined {
  return FSM_TIMERS.find((t) => TIMER_EVENT[t] === kind);
}

/** The RFC 4271 §8.1 event number of `event` in `state` (undefined for UpdateSent, which has none). */
export function rfcEventNumber(event: FsmEventBody, state: FsmState): number | undefined {
  switch (event.kind) {
    case 'ManualStart': return 1;
    case 'ManualStop': return 2;
    case 'AutomaticStart': return 3;
    case 'ManualStartPassive': return 4;
    case 'AutomaticStartPassive': return 5;
    case 'AutomaticStop': return 8;
    case 'ConnectRetryTimerExpires': return 9;
    case 'HoldTimerExpires': return 10;
    case 'KeepaliveTimerExpires': return 11;
    case 'DelayOpenTimerExpires': return 12;
    case 'IdleHoldTimerExpires': return 13;
    case 'TcpConnectionValid': return 14;
    case 'TcpCrAcked': return 16;
    case 'TcpConnectionConfirmed': return 17;
    case 'TcpConnectionFails': return 18;
    case 'BgpOpen': return state.timers.delayOpen ? 20 : 19;
    case 'BgpHeaderErr': return 21;
    case 'BgpOpenMsgErr': return 22;
    case 'OpenCollisionDump': return 23;
    case 'NotifMsg': return isVersionError(event.notification) ? 24 : 25;
    case 'KeepAliveMsg': return 26;
    case 'UpdateMsg': return 27;
    case 'UpdateMsgErr': return 28;
    case 'UpdateSent': return undefined;
  }
}

function cease(subcode: number, data: Uint8Array = new Uint8Array(0)): NotificationInfo {
  return { code: ErrorCode.Cease, subcode, data };
}

const HOLD_TIMER_EXPIRED: NotificationInfo = { code: ErrorCode.HoldTimerExpired, subcode: 0, data: new Uint8Array(0) };

interface IdleOptions {
  readonly notification?: NotificationInfo;
  /** ManualStop resets the ConnectRetryCounter; errors increment it; a few paths leave it. */
  readonly counter: 'increment' | 'reset' | 'keep';
  /** An error for the idle-hold backoff. */
  readonly damp: boolean;
  readonly reason: TransitionReason;
}

/** Accumulates one transition: actions in order, and the fields of the next state. */
class Transition {
  readonly actions: FsmAction[] = [];
  readonly timers: Record<FsmTimer, boolean>;
  counter: number;
  passive: boolean;
  connection: ConnectionDirection | undefined;
  negotiated: Negotiated | undefined;
  damping: DampingState;

  constructor(readonly from: FsmState, readonly event: FsmEvent, readonly config: FsmConfig) {
    this.timers = { ...from.timers };
    this.counter = from.connectRetryCounter;
    this.passive = from.passive;
    this.connection = from.connection;
    this.negotiated = from.negotiated;
    this.damping = from.damping;
  }

  running(timer: FsmTimer): boolean {
    return this.timers[timer];
  }

  startTimer(timer: FsmTimer, seconds: number, jitter: boolean): void {
    this.actions.push({ kind: 'start-timer', timer, ms: seconds * MS_PER_SECOND, jitter });
    this.timers[timer] = true;
  }

  stopTimer(timer: FsmTimer): void {
    if (!this.timers[timer]) return;
    this.actions.push({ kind: 'stop-timer', timer });
    this.timers[timer] = false;
  }

  emit(action: SessionAction): void {
    this.actions.push(action);
  }

  send(notification: NotificationInfo): void {
    this.actions.push({ kind: 'send-notification', notification });
  }

  resetCounter(): void {
    this.counter = 0;
    this.emit({ kind: 'reset-connect-retry-counter' });
  }

  incrementCounter(): void {
    this.counter += 1;
    this.emit({ kind: 'increment-connect-retry-counter' });
  }

  goto(name: FsmStateName, reason: TransitionReason): FsmTransition {
    const state: FsmState = {
      name,
      connectRetryCounter: this.counter,
      timers: { ...this.timers },
      passive: this.passive,
      connection: this.connection,
      negotiated: this.negotiated,
      damping: this.damping,
    };
    return { state, actions: this.actions, reason };
  }

  stay(reason: TransitionReason): FsmTransition {
    return this.goto(this.from.name, reason);
  }

  ignore(): FsmTransition {
    return this.stay({ kind: 'ignored', event: this.event.kind, state: this.from.name });
  }

  /** Every path back to Idle (§8.2.2's "releases all BGP resources, drops the TCP connection"). */
  toIdle(o: IdleOptions): FsmTransition {
    if (o.notification !== undefined) this.send(o.notification);
    for (const timer of FSM_TIMERS) this.stopTimer(timer);
    if (this.from.name === 'Established') this.emit({ kind: 'session-down', reason: o.reason });
    this.emit({ kind: 'release-resources' });
    this.emit({ kind: 'drop-connection' });
    if (o.counter === 'increment') this.incrementCounter();
    else if (o.counter === 'reset') this.resetCounter();
    if (o.damp) this.damping = recordError(this.damping, this.event.at, this.config);
    this.connection = undefined;
    this.negotiated = undefined;
    if (this.config.allowAutomaticStart && o.counter !== 'reset') {
      this.startTimer('idleHold', idleHoldDelaySec(this.damping, this.config), true);
    }
    return this.goto('Idle', o.reason);
  }

  /** An error that is not our peer's: counted, damped. */
  fail(reason: TransitionReason, notification?: NotificationInfo): FsmTransition {
    return this.toIdle({ notification, counter: 'increment', damp: true, reason });
  }

  /** An event this state does not expect: FSM Error NOTIFICATION with the RFC 6608 subcode. */
  fsmError(subcode: number): FsmTransition {
    const notification: NotificationInfo = { code: ErrorCode.FiniteStateMachine, subcode, data: new Uint8Array(0) };
    return this.fail({ kind: 'fsm-error', event: this.event.kind, state: this.from.name, notificationSent: true }, notification);
  }

  /** Sends our OPEN and waits for the peer's with the large hold time (§8.2.2: 4 minutes). */
  sendOpen(): void {
    this.emit({ kind: 'send-open' });
    this.startTimer('hold', this.config.openHoldTime, false);
  }

  /** A valid OPEN: KEEPALIVE out, keepalive and hold timers on the negotiated values (none for 0). */
  acceptOpen(negotiated: Negotiated): void {
    this.negotiated = negotiated;
    this.emit({ kind: 'send-keepalive' });
    if (negotiated.holdTime > 0) {
      this.startTimer('keepalive', negotiated.keepaliveTime, true);
      this.startTimer('hold', negotiated.holdTime, false);
    } else {
      this.stopTimer('keepalive');
      this.stopTimer('hold');
    }
  }

  restartHoldTimer(): void {
    const hold = this.negotiated?.holdTime ?? 0;
    if (hold > 0) this.startTimer('hold', hold, false);
  }

  restartKeepaliveTimer(): void {
    const keepalive = this.negotiated?.keepaliveTime ?? 0;
    if (keepalive > 0) this.startTimer('keepalive', keepalive, true);
  }
}

/**
 * One event through the FSM. Pure and total: every state × event pair gives a transition (possibly
 * `ignored`), never an exception.
 */
export function step(state: FsmState, event: FsmEvent, config: FsmConfig): FsmTransition {
  const t = new Transition(state, event, config);
  const timer = timerOf(event.kind);
  if (timer !== undefined) {
    if (!state.timers[timer]) return t.ignore(); // stale: stopped after it was due
    t.timers[timer] = false; // it fired
  }
  switch (state.name) {
    case 'Idle': return idle(t);
    case 'Connect':
    case 'Active': return connectOrActive(t);
    case 'OpenSent': return openSent(t);
    case 'OpenConfirm': return openConfirm(t);
    case 'Established': return established(t);
  }
}

function start(t: Transition, passive: boolean, manual: boolean): FsmTransition {
  const reason: TransitionReason = { kind: manual ? 'admin-start' : 'auto-start' };
  t.stopTimer('idleHold');
  if (manual) t.damping = NO_DAMPING; // an operator's start begins the backoff afresh (as FRR's clear)
  t.resetCounter();
  t.passive = passive;
  if (passive) return t.goto('Active', reason);
  t.startTimer('connectRetry', t.config.connectRetryTime, true);
  t.emit({ kind: 'connect' });
  return t.goto('Connect', reason);
}

/** §8.2.2 Idle state. */
function idle(t: Transition): FsmTransition {
  const e = t.event;
  switch (e.kind) {
    case 'ManualStart': return start(t, false, true);
    case 'ManualStartPassive': return start(t, true, true);
    case 'AutomaticStart':
    case 'AutomaticStartPassive':
      // Events 6/7 (…_with_DampPeerOscillations): while the IdleHoldTimer runs, wait for it.
      if (t.running('idleHold')) return t.ignore();
      return start(t, e.kind === 'AutomaticStartPassive', false);
    case 'IdleHoldTimerExpires':
      if (!t.config.allowAutomaticStart) return t.ignore();
      return start(t, t.config.passive, false);
    case 'ManualStop':
      if (!t.running('idleHold')) return t.ignore();
      t.stopTimer('idleHold');
      t.damping = NO_DAMPING;
      t.resetCounter();
      return t.stay({ kind: 'admin-stop', subcode: e.subcode ?? CeaseSubcode.AdministrativeShutdown });
    default:
      return t.ignore();
  }
}

/** §8.2.2 Connect and Active states, which differ only in a few events. */
function connectOrActive(t: Transition): FsmTransition {
  const e = t.event;
  const inConnect = t.from.name === 'Connect';
  const notifyEarly = t.config.sendNotificationWithoutOpen;
  switch (e.kind) {
    case 'ManualStart':
    case 'AutomaticStart':
    case 'ManualStartPassive':
    case 'AutomaticStartPassive':
    case 'UpdateSent':
      return t.ignore();
    case 'ManualStop': {
      // Active: Cease if the DelayOpenTimer runs and SendNOTIFICATIONwithoutOPEN is set (applied
      // in Connect too: the same connection can be waiting there).
      const subcode = e.subcode ?? CeaseSubcode.AdministrativeShutdown;
      const notification = t.running('delayOpen') && notifyEarly ? cease(subcode, e.data) : undefined;
      return t.toIdle({ notification, counter: 'reset', damp: false, reason: { kind: 'admin-stop', subcode } });
    }
    case 'AutomaticStop':
      return t.fail({ kind: 'auto-stop', subcode: e.subcode ?? 0 });
    case 'ConnectRetryTimerExpires':
      if (inConnect) {
        // Connect: drop the attempt (or the connection waiting on DelayOpen) and try again.
        t.emit({ kind: 'drop-connection' });
        t.stopTimer('delayOpen');
        t.connection = undefined;
      }
      t.startTimer('connectRetry', t.config.connectRetryTime, true);
      t.emit({ kind: 'connect' });
      return t.goto('Connect', { kind: 'connect-retry-expired' });
    case 'DelayOpenTimerExpires':
      t.stopTimer('connectRetry');
      t.sendOpen();
      return t.goto('OpenSent', { kind: 'delay-open-expired' });
    case 'TcpConnectionValid':
      return t.stay({ kind: 'tcp-connection-request' });
    case 'TcpCrAcked':
    case 'TcpConnectionConfirmed': {
      const direction: ConnectionDirection = e.kind === 'TcpCrAcked' ? 'outgoing' : 'incoming';
      if (t.connection !== undefined) return t.stay({ kind: 'second-connection', direction });
      t.connection = direction;
      t.stopTimer('connectRetry');
      if (t.config.delayOpen) {
        t.startTimer('delayOpen', t.config.delayOpenTime, false);
        return t.stay({ kind: 'tcp-connected', direction, delayOpen: true });
      }
      t.sendOpen();
      return t.goto('OpenSent', { kind: 'tcp-connected', direction, delayOpen: false });
    }
    case 'TcpConnectionFails': {
      const reason: TransitionReason = { kind: 'tcp-failed', error: e.error };
      if (!inConnect) return t.fail(reason); // Active/18: counted, damped, Idle
      if (t.running('delayOpen')) {
        // Connect/18 with the DelayOpenTimer running: restart the ConnectRetryTimer, listen.
        t.stopTimer('delayOpen');
        t.startTimer('connectRetry', t.config.connectRetryTime, true);
      }
      // Without it our connect attempt failed: listen, retry when the ConnectRetryTimer (still
      // running since the attempt began) expires (see the header: FRR's bgp_connect_fail).
      t.connection = undefined;
      return t.goto('Active', reason);
    }
    case 'BgpOpen': {
      // Only meaningful while delaying our OPEN (event 20); otherwise event 19 here is an error.
      if (!t.running('delayOpen')) return t.fail({ kind: 'fsm-error', event: e.kind, state: t.from.name, notificationSent: false });
      const v = validateOpen(e.open, t.config);
      if (!v.ok) {
        const { code, subcode } = v.notification;
        return t.fail({ kind: 'open-rejected', code, subcode, detail: v.detail, notificationSent: notifyEarly },
          notifyEarly ? v.notification : undefined);
      }
      t.stopTimer('connectRetry');
      t.stopTimer('delayOpen');
      t.emit({ kind: 'send-open' });
      t.acceptOpen(v.negotiated);
      return t.goto('OpenConfirm', { kind: 'open-received' });
    }
    case 'BgpHeaderErr':
    case 'BgpOpenMsgErr': {
      const { code, subcode } = e.notification;
      return t.fail({ kind: 'message-error', code, subcode, notificationSent: notifyEarly }, notifyEarly ? e.notification : undefined);
    }
    case 'NotifMsg': {
      const { code, subcode } = e.notification;
      const reason: TransitionReason = { kind: 'notification-received', code, subcode };
      // Event 24 with the DelayOpenTimer running: the peer rejected our version; not an error.
      if (isVersionError(e.notification) && t.running('delayOpen')) return t.toIdle({ counter: 'keep', damp: false, reason });
      return t.fail(reason);
    }
    case 'OpenCollisionDump':
      return t.toIdle({ counter: 'increment', damp: false, reason: { kind: 'collision-lost', notificationSent: false } });
    case 'HoldTimerExpires':
    case 'KeepaliveTimerExpires':
    case 'IdleHoldTimerExpires':
    case 'KeepAliveMsg':
    case 'UpdateMsg':
    case 'UpdateMsgErr':
      // §8.2.2 "any other event (8, 10-11, 13, 19, 23, 25-28)": to Idle, no NOTIFICATION.
      return t.fail({ kind: 'fsm-error', event: e.kind, state: t.from.name, notificationSent: false });
  }
}

/** What OpenSent, OpenConfirm and Established do alike. */
function common(t: Transition): FsmTransition | undefined {
  const e = t.event;
  const established = t.from.name === 'Established';
  switch (e.kind) {
    case 'ManualStart':
    case 'AutomaticStart':
    case 'ManualStartPassive':
    case 'AutomaticStartPassive':
      return t.ignore();
    case 'ManualStop': {
      const subcode = e.subcode ?? CeaseSubcode.AdministrativeShutdown;
      return t.toIdle({ notification: cease(subcode, e.data), counter: 'reset', damp: false, reason: { kind: 'admin-stop', subcode } });
    }
    case 'AutomaticStop': {
      const subcode = e.subcode ?? 0;
      return t.fail({ kind: 'auto-stop', subcode }, cease(subcode));
    }
    case 'HoldTimerExpires':
      return t.fail({ kind: 'hold-timer-expired' }, HOLD_TIMER_EXPIRED);
    case 'TcpConnectionValid':
      return t.stay({ kind: 'tcp-connection-request' });
    case 'TcpCrAcked':
    case 'TcpConnectionConfirmed':
      // A second connection to the same peer: tracked by the session for collision detection.
      return t.stay({ kind: 'second-connection', direction: e.kind === 'TcpCrAcked' ? 'outgoing' : 'incoming' });
    case 'OpenCollisionDump':
      t.send(COLLISION_NOTIFICATION);
      return t.toIdle({ counter: 'increment', damp: false, reason: { kind: 'collision-lost', notificationSent: true } });
    case 'NotifMsg': {
      const { code, subcode } = e.notification;
      const reason: TransitionReason = { kind: 'notification-received', code, subcode };
      // Event 24 ends OpenSent/OpenConfirm without counting; Established counts both 24 and 25.
      if (isVersionError(e.notification) && !established) return t.toIdle({ counter: 'keep', damp: false, reason });
      return t.fail(reason);
    }
    case 'BgpHeaderErr': {
      const { code, subcode } = e.notification;
      return t.fail({ kind: 'message-error', code, subcode, notificationSent: true }, e.notification);
    }
    default:
      return undefined;
  }
}

/** §8.2.2 OpenSent state. */
function openSent(t: Transition): FsmTransition {
  const done = common(t);
  if (done !== undefined) return done;
  const e = t.event;
  switch (e.kind) {
    case 'TcpConnectionFails':
      // Close, restart the ConnectRetryTimer, listen: Active.
      t.emit({ kind: 'drop-connection' });
      t.stopTimer('hold');
      t.connection = undefined;
      if (!t.passive) t.startTimer('connectRetry', t.config.connectRetryTime, true);
      return t.goto('Active', { kind: 'tcp-failed', error: e.error });
    case 'BgpOpen': {
      const v = validateOpen(e.open, t.config);
      if (!v.ok) {
        const { code, subcode } = v.notification;
        return t.fail({ kind: 'open-rejected', code, subcode, detail: v.detail, notificationSent: true }, v.notification);
      }
      t.stopTimer('connectRetry');
      t.stopTimer('delayOpen');
      t.acceptOpen(v.negotiated);
      return t.goto('OpenConfirm', { kind: 'open-received' });
    }
    case 'BgpOpenMsgErr': {
      const { code, subcode } = e.notification;
      return t.fail({ kind: 'message-error', code, subcode, notificationSent: true }, e.notification);
    }
    case 'UpdateSent':
      return t.ignore();
    case 'KeepAliveMsg':
    case 'UpdateMsg':
    case 'UpdateMsgErr':
      return t.fsmError(FsmSubcode.UnexpectedMessageInOpenSent);
    default:
      // Timer events 9, 11-13: cannot pass the stale check here (those timers do not run).
      return t.fsmError(FsmSubcode.Unspecified);
  }
}

/** §8.2.2 OpenConfirm state. */
function openConfirm(t: Transition): FsmTransition {
  const done = common(t);
  if (done !== undefined) return done;
  const e = t.event;
  switch (e.kind) {
    case 'KeepaliveTimerExpires':
      t.emit({ kind: 'send-keepalive' });
      t.restartKeepaliveTimer();
      return t.stay({ kind: 'keepalive-timer-expired' });
    case 'TcpConnectionFails':
      return t.fail({ kind: 'tcp-failed', error: e.error });
    case 'BgpOpenMsgErr': {
      const { code, subcode } = e.notification;
      return t.fail({ kind: 'message-error', code, subcode, notificationSent: true }, e.notification);
    }
    case 'KeepAliveMsg':
      t.restartHoldTimer();
      t.emit({ kind: 'session-established', negotiated: t.negotiated! });
      return t.goto('Established', { kind: 'keepalive-received' });
    case 'UpdateSent':
      return t.ignore();
    case 'BgpOpen':
    case 'UpdateMsg':
    case 'UpdateMsgErr':
      return t.fsmError(FsmSubcode.UnexpectedMessageInOpenConfirm);
    default:
      return t.fsmError(FsmSubcode.Unspecified);
  }
}

/** §8.2.2 Established state. */
function established(t: Transition): FsmTransition {
  const done = common(t);
  if (done !== undefined) return done;
  const e = t.event;
  switch (e.kind) {
    case 'KeepaliveTimerExpires':
      t.emit({ kind: 'send-keepalive' });
      t.restartKeepaliveTimer();
      return t.stay({ kind: 'keepalive-timer-expired' });
    case 'UpdateSent':
      // "Each time the local system sends a KEEPALIVE or UPDATE message, it restarts its KeepaliveTimer."
      t.restartKeepaliveTimer();
      return t.stay({ kind: 'update-sent' });
    case 'TcpConnectionFails':
      return t.fail({ kind: 'tcp-failed', error: e.error });
    case 'KeepAliveMsg':
      t.restartHoldTimer();
      return t.stay({ kind: 'keepalive-received' });
    case 'UpdateMsg':
      t.emit({ kind: 'process-update' });
      t.restartHoldTimer();
      return t.stay({ kind: 'update-received' });
    case 'UpdateMsgErr': {
      const { code, subcode } = e.notification;
      return t.fail({ kind: 'message-error', code, subcode, notificationSent: true }, e.notification);
    }
    case 'BgpOpen':
    case 'BgpOpenMsgErr':
      return t.fsmError(FsmSubcode.UnexpectedMessageInEstablished);
    default:
      return t.fsmError(FsmSubcode.Unspecified);
  }
}

export * from './fsm-types.js';
export { fsmStateProblems } from './fsm-invariants.js';
export { validateOpen, makeFsmConfig, peerAsOf, type OpenValidation, type FsmConfigInput } from './fsm-open.js';
export { describeReason, describeNotification } from './fsm-reason.js';
export {
  detectCollision, resolveCollision, COLLISION_NOTIFICATION,
  type CollisionCheck, type CollisionCheckOptions, type CollisionInput, type CollisionResolution,
} from './fsm-collision.js';
