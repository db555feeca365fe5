import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseIpv4 } from '../../src/net/address.js';
import {
  CeaseSubcode, FSM_EVENT_KINDS, FSM_TIMERS, MessageHeaderSubcode, ErrorCode, OpenMessageSubcode, UpdateMessageSubcode,
  describeReason, fsmStateProblems, initialFsmState, makeFsmConfig, rfcEventNumber, step,
  type FsmAction, type FsmConfig, type FsmConfigInput, type FsmEvent, type FsmState, type FsmStateName, type FsmTimer,
  type NotificationInfo, type OpenInfo, type TransitionReasonKind,
} from '../../src/bgp/fsm.js';
import { AS_TRANS } from '../../src/bgp/types.js';

/*
 * The FSM as a pure function: RFC 4271 §8.2.2 state × event table, and properties over random
 * event sequences. OPEN validation, timer arithmetic and collision rules: fsm-rules.test.ts;
 * whole sessions on a ManualClock through the driver: fsm-driver.test.ts.
 */

// ---- Fixtures ----

const LOCAL_ID = parseIpv4('10.0.0.1');
const PEER_ID = parseIpv4('10.0.0.2');
const BASE: FsmConfigInput = { localAs: 65001, peerAs: 65002, bgpId: LOCAL_ID };

function config(overrides: Partial<FsmConfig> = {}): FsmConfig {
  return makeFsmConfig({ ...BASE, ...overrides });
}

function open(overrides: Partial<OpenInfo> = {}): OpenInfo {
  return { version: 4, myAs: 65002, holdTime: 90, bgpId: PEER_ID, ...overrides };
}

function notif(code: number, subcode: number, data: Uint8Array = new Uint8Array(0)): NotificationInfo {
  return { code, subcode, data };
}

const VALID_OPEN: FsmEvent = { kind: 'BgpOpen', open: open() };
const CEASE: FsmEvent = { kind: 'NotifMsg', notification: notif(ErrorCode.Cease, CeaseSubcode.AdministrativeReset) };
const VERSION_ERROR: FsmEvent = { kind: 'NotifMsg', notification: notif(ErrorCode.OpenMessage, OpenMessageSubcode.UnsupportedVersionNumber) };
const BAD_LENGTH: FsmEvent = { kind: 'BgpHeaderErr', notification: notif(ErrorCode.MessageHeader, MessageHeaderSubcode.BadMessageLength) };
const BAD_OPEN: FsmEvent = { kind: 'BgpOpenMsgErr', notification: notif(ErrorCode.OpenMessage, OpenMessageSubcode.UnsupportedOptionalParameter) };
const BAD_UPDATE: FsmEvent = { kind: 'UpdateMsgErr', notification: notif(ErrorCode.UpdateMessage, UpdateMessageSubcode.MalformedAsPath) };

/** Runs events from Idle through step, asserting each is not ignored, and returns the state. */
function reach(cfg: FsmConfig, events: FsmEvent[]): FsmState {
  let s = initialFsmState();
  for (const e of events) {
    const t = step(s, e, cfg);
    assert.notEqual(t.reason.kind, 'ignored', `fixture event ${e.kind} in ${s.name}`);
    s = t.state;
  }
  return s;
}

/**
 * Named starting points: a configuration and the events that lead there from Idle.
 */
const FIXTURES = {
  'Idle': [{}, []],
  'Idle(idle-hold)': [{}, [{ kind: 'ManualStart' }, { kind: 'AutomaticStop' }]],
  'Connect': [{}, [{ kind: 'ManualStart' }]],
  'Connect(delay-open)': [{ delayOpen: true }, [{ kind: 'ManualStart' }, { kind: 'TcpCrAcked' }]],
  'Active(passive)': [{ passive: true }, [{ kind: 'ManualStartPassive' }]],
  'Active(retrying)': [{}, [{ kind: 'ManualStart' }, { kind: 'TcpConnectionFails', error: 'ERR_TCP_REFUSED' }]],
  'Active(delay-open)': [{ passive: true, delayOpen: true }, [{ kind: 'ManualStartPassive' }, { kind: 'TcpConnectionConfirmed' }]],
  'OpenSent': [{}, [{ kind: 'ManualStart' }, { kind: 'TcpCrAcked' }]],
  'OpenConfirm': [{}, [{ kind: 'ManualStart' }, { kind: 'TcpCrAcked' }, VALID_OPEN]],
  'OpenConfirm(hold 0)': [{}, [{ kind: 'ManualStart' }, { kind: 'TcpCrAcked' }, { kind: 'BgpOpen', open: open({ holdTime: 0 }) }]],
  'Established': [{}, [{ kind: 'ManualStart' }, { kind: 'TcpCrAcked' }, VALID_OPEN, { kind: 'KeepAliveMsg' }]],
  'Established(hold 0)': [{}, [{ kind: 'ManualStart' }, { kind: 'TcpCrAcked' }, { kind: 'BgpOpen', open: open({ holdTime: 0 }) }, { kind: 'KeepAliveMsg' }]],
} satisfies Record<string, [Partial<FsmConfig>, FsmEvent[]]>;
type Fixture = keyof typeof FIXTURES;

/** Actions as short strings: `start:hold`, `stop:connectRetry`, `notify:6/2`, or the kind. */
function brief(a: FsmAction): string {
  switch (a.kind) {
    case 'start-timer': return `start:${a.timer}`;
    case 'stop-timer': return `stop:${a.timer}`;
    case 'send-notification': return `notify:${a.notification.code}/${a.notification.subcode}`;
    case 'release-resources': return 'release';
    case 'drop-connection': return 'drop';
    case 'increment-connect-retry-counter': return 'counter+1';
    case 'reset-connect-retry-counter': return 'counter=0';
    default: return a.kind;
  }
}

// The tail of every path into Idle (§8.2.2: "releases all BGP resources, drops the TCP connection,
// increments the ConnectRetryCounter by 1, performs peer oscillation damping ..., changes its state
// to Idle"); the IdleHoldTimer then schedules the automatic restart (AllowAutomaticStart).
const FAIL = ['release', 'drop', 'counter+1', 'start:idleHold'];
const STOP = ['release', 'drop', 'counter=0']; // ManualStop: counter to zero, no automatic restart
const RESTART = ['counter=0', 'start:connectRetry', 'connect'];

type Row = [Fixture, FsmEvent, FsmStateName, string[], TransitionReasonKind];

const ROWS: Row[] = [
  // ---- Idle (§8.2.2 "Idle state") ----
  // Events 1/3: initialize, counter to zero, start ConnectRetryTimer, connect, → Connect.
  ['Idle', { kind: 'ManualStart' }, 'Connect', RESTART, 'admin-start'],
  ['Idle', { kind: 'AutomaticStart' }, 'Connect', RESTART, 'auto-start'],
  // Events 4/5: the same but only listen, → Active (no ConnectRetryTimer: passive never connects).
  ['Idle', { kind: 'ManualStartPassive' }, 'Active', ['counter=0'], 'admin-start'],
  ['Idle', { kind: 'AutomaticStartPassive' }, 'Active', ['counter=0'], 'auto-start'],
  // "The ManualStop event (Event 2) and AutomaticStop (Event 8) event are ignored in the Idle state."
  ['Idle', { kind: 'ManualStop' }, 'Idle', [], 'ignored'],
  ['Idle', { kind: 'AutomaticStop' }, 'Idle', [], 'ignored'],
  // "Any other event (Events 9-12, 15-28) received in the Idle state does not cause change".
  ['Idle', { kind: 'TcpConnectionConfirmed' }, 'Idle', [], 'ignored'],
  ['Idle', VALID_OPEN, 'Idle', [], 'ignored'],
  ['Idle', CEASE, 'Idle', [], 'ignored'],
  ['Idle', { kind: 'KeepAliveMsg' }, 'Idle', [], 'ignored'],
  ['Idle', { kind: 'HoldTimerExpires' }, 'Idle', [], 'ignored'],
  // DampPeerOscillations: Event 13 restarts; events 6/7 (automatic start while the IdleHoldTimer
  // runs) wait for it; an operator's start or stop overrides it.
  ['Idle(idle-hold)', { kind: 'IdleHoldTimerExpires' }, 'Connect', RESTART, 'auto-start'],
  ['Idle(idle-hold)', { kind: 'AutomaticStart' }, 'Idle', [], 'ignored'],
  ['Idle(idle-hold)', { kind: 'ManualStart' }, 'Connect', ['stop:idleHold', ...RESTART], 'admin-start'],
  ['Idle(idle-hold)', { kind: 'ManualStop' }, 'Idle', ['stop:idleHold', 'counter=0'], 'admin-stop'],

  // ---- Connect (§8.2.2 "Connect State") ----
  ['Connect', { kind: 'ManualStart' }, 'Connect', [], 'ignored'], // start events ignored
  // Event 2: drop, release, counter to zero, stop ConnectRetryTimer, → Idle.
  ['Connect', { kind: 'ManualStop' }, 'Idle', ['stop:connectRetry', ...STOP], 'admin-stop'],
  // Event 9: drop, restart ConnectRetryTimer, stop DelayOpenTimer, connect, stay.
  ['Connect', { kind: 'ConnectRetryTimerExpires' }, 'Connect', ['drop', 'start:connectRetry', 'connect'], 'connect-retry-expired'],
  // Event 14: "the TCP connection is processed, and the connection remains in the Connect state".
  ['Connect', { kind: 'TcpConnectionValid' }, 'Connect', [], 'tcp-connection-request'],
  // Events 16/17 without DelayOpen: stop ConnectRetryTimer, send OPEN, HoldTimer large, → OpenSent.
  ['Connect', { kind: 'TcpCrAcked' }, 'OpenSent', ['stop:connectRetry', 'send-open', 'start:hold'], 'tcp-connected'],
  ['Connect', { kind: 'TcpConnectionConfirmed' }, 'OpenSent', ['stop:connectRetry', 'send-open', 'start:hold'], 'tcp-connected'],
  // Event 18 without DelayOpenTimer: deviation (FRR's bgp_connect_fail): → Active, ConnectRetryTimer kept.
  ['Connect', { kind: 'TcpConnectionFails', error: 'ERR_TCP_REFUSED' }, 'Active', [], 'tcp-failed'],
  // Event 21/22: NOTIFICATION (SendNOTIFICATIONwithoutOPEN), release, drop, counter+1, damp, → Idle.
  ['Connect', BAD_LENGTH, 'Idle', ['notify:1/2', 'stop:connectRetry', ...FAIL], 'message-error'],
  ['Connect', BAD_OPEN, 'Idle', ['notify:2/4', 'stop:connectRetry', ...FAIL], 'message-error'],
  // Event 24 with no DelayOpenTimer running: counted and damped.
  ['Connect', VERSION_ERROR, 'Idle', ['stop:connectRetry', ...FAIL], 'notification-received'],
  // "any other events (Events 8, 10-11, 13, 19, 23, 25-28)": → Idle, counted, no NOTIFICATION.
  ['Connect', { kind: 'AutomaticStop' }, 'Idle', ['stop:connectRetry', ...FAIL], 'auto-stop'],
  ['Connect', VALID_OPEN, 'Idle', ['stop:connectRetry', ...FAIL], 'fsm-error'],
  ['Connect', CEASE, 'Idle', ['stop:connectRetry', ...FAIL], 'notification-received'],
  ['Connect', { kind: 'KeepAliveMsg' }, 'Idle', ['stop:connectRetry', ...FAIL], 'fsm-error'],
  ['Connect', { kind: 'UpdateMsg' }, 'Idle', ['stop:connectRetry', ...FAIL], 'fsm-error'],
  // Event 23 counts but is not damped (losing a collision is no error).
  ['Connect', { kind: 'OpenCollisionDump' }, 'Idle', ['stop:connectRetry', 'release', 'drop', 'counter+1', 'start:idleHold'], 'collision-lost'],
  // Expiry of a timer that is not running: stale, ignored.
  ['Connect', { kind: 'HoldTimerExpires' }, 'Connect', [], 'ignored'],

  // ---- Connect with DelayOpen ----
  // Event 12: send OPEN, HoldTimer large, → OpenSent.
  ['Connect(delay-open)', { kind: 'DelayOpenTimerExpires' }, 'OpenSent', ['send-open', 'start:hold'], 'delay-open-expired'],
  // Event 20: stop timers, send OPEN and KEEPALIVE, keepalive + hold timers, → OpenConfirm.
  ['Connect(delay-open)', VALID_OPEN, 'OpenConfirm', ['stop:delayOpen', 'send-open', 'send-keepalive', 'start:keepalive', 'start:hold'], 'open-received'],
  // Event 20 with an OPEN that fails the checks is event 22: NOTIFICATION, → Idle.
  ['Connect(delay-open)', { kind: 'BgpOpen', open: open({ myAs: 65003 }) }, 'Idle', ['notify:2/2', 'stop:delayOpen', ...FAIL], 'open-rejected'],
  // Event 18 with the DelayOpenTimer running: restart ConnectRetryTimer, stop DelayOpenTimer, → Active.
  ['Connect(delay-open)', { kind: 'TcpConnectionFails' }, 'Active', ['stop:delayOpen', 'start:connectRetry'], 'tcp-failed'],
  // Event 24 with the DelayOpenTimer running: → Idle, not counted.
  ['Connect(delay-open)', VERSION_ERROR, 'Idle', ['stop:delayOpen', 'release', 'drop', 'start:idleHold'], 'notification-received'],
  ['Connect(delay-open)', { kind: 'ManualStop' }, 'Idle', ['notify:6/2', 'stop:delayOpen', ...STOP], 'admin-stop'],
  ['Connect(delay-open)', { kind: 'ConnectRetryTimerExpires' }, 'Connect', [], 'ignored'],

  // ---- Active (§8.2.2 "Active State") ----
  ['Active(passive)', { kind: 'ManualStart' }, 'Active', [], 'ignored'],
  ['Active(passive)', { kind: 'ManualStop' }, 'Idle', STOP, 'admin-stop'],
  ['Active(passive)', { kind: 'ConnectRetryTimerExpires' }, 'Active', [], 'ignored'], // passive: not running
  ['Active(passive)', { kind: 'TcpConnectionValid' }, 'Active', [], 'tcp-connection-request'],
  // Events 16/17 without DelayOpen: send OPEN, HoldTimer large, → OpenSent.
  ['Active(passive)', { kind: 'TcpConnectionConfirmed' }, 'OpenSent', ['send-open', 'start:hold'], 'tcp-connected'],
  // Event 18: counter+1, damp, → Idle.
  ['Active(passive)', { kind: 'TcpConnectionFails' }, 'Idle', FAIL, 'tcp-failed'],
  // "any other event (Events 8, 10-11, 13, 19, 23, 25-28)".
  ['Active(passive)', VALID_OPEN, 'Idle', FAIL, 'fsm-error'],
  ['Active(passive)', { kind: 'KeepAliveMsg' }, 'Idle', FAIL, 'fsm-error'],
  ['Active(passive)', CEASE, 'Idle', FAIL, 'notification-received'],
  ['Active(passive)', BAD_LENGTH, 'Idle', ['notify:1/2', ...FAIL], 'message-error'],
  // Event 9: restart ConnectRetryTimer, connect, → Connect.
  ['Active(retrying)', { kind: 'ConnectRetryTimerExpires' }, 'Connect', ['start:connectRetry', 'connect'], 'connect-retry-expired'],
  ['Active(retrying)', { kind: 'TcpConnectionConfirmed' }, 'OpenSent', ['stop:connectRetry', 'send-open', 'start:hold'], 'tcp-connected'],
  ['Active(retrying)', { kind: 'ManualStop' }, 'Idle', ['stop:connectRetry', ...STOP], 'admin-stop'],
  // With DelayOpen (events 12, 20, 18, 2, 24).
  ['Active(delay-open)', { kind: 'DelayOpenTimerExpires' }, 'OpenSent', ['send-open', 'start:hold'], 'delay-open-expired'],
  ['Active(delay-open)', VALID_OPEN, 'OpenConfirm', ['stop:delayOpen', 'send-open', 'send-keepalive', 'start:keepalive', 'start:hold'], 'open-received'],
  ['Active(delay-open)', { kind: 'TcpConnectionFails' }, 'Idle', ['stop:delayOpen', ...FAIL], 'tcp-failed'],
  ['Active(delay-open)', { kind: 'ManualStop' }, 'Idle', ['notify:6/2', 'stop:delayOpen', ...STOP], 'admin-stop'],
  ['Active(delay-open)', VERSION_ERROR, 'Idle', ['stop:delayOpen', 'release', 'drop', 'start:idleHold'], 'notification-received'],

  // ---- OpenSent (§8.2.2 "OpenSent") ----
  ['OpenSent', { kind: 'AutomaticStart' }, 'OpenSent', [], 'ignored'],
  // Event 2: Cease, release, drop, counter to zero, → Idle.
  ['OpenSent', { kind: 'ManualStop' }, 'Idle', ['notify:6/2', 'stop:hold', ...STOP], 'admin-stop'],
  // Event 8: Cease, counter+1, damp, → Idle.
  ['OpenSent', { kind: 'AutomaticStop', subcode: CeaseSubcode.MaximumNumberOfPrefixesReached }, 'Idle', ['notify:6/1', 'stop:hold', ...FAIL], 'auto-stop'],
  // Event 10: NOTIFICATION Hold Timer Expired, counter+1, damp, → Idle.
  ['OpenSent', { kind: 'HoldTimerExpires' }, 'Idle', ['notify:4/0', ...FAIL], 'hold-timer-expired'],
  // Events 14/16/17: a second connection, tracked for collision detection.
  ['OpenSent', { kind: 'TcpConnectionValid' }, 'OpenSent', [], 'tcp-connection-request'],
  ['OpenSent', { kind: 'TcpConnectionConfirmed' }, 'OpenSent', [], 'second-connection'],
  // Event 18: close, restart ConnectRetryTimer, listen, → Active.
  ['OpenSent', { kind: 'TcpConnectionFails' }, 'Active', ['drop', 'stop:hold', 'start:connectRetry'], 'tcp-failed'],
  // Event 19: KEEPALIVE, KeepaliveTimer, HoldTimer negotiated, → OpenConfirm.
  ['OpenSent', VALID_OPEN, 'OpenConfirm', ['send-keepalive', 'start:keepalive', 'start:hold'], 'open-received'],
  // "If the negotiated hold time value is zero, then the HoldTimer and KeepaliveTimer are not started."
  ['OpenSent', { kind: 'BgpOpen', open: open({ holdTime: 0 }) }, 'OpenConfirm', ['send-keepalive', 'stop:hold'], 'open-received'],
  // Events 21/22 (and OPEN checks, §6.2): NOTIFICATION, counter+1, damp, → Idle.
  ['OpenSent', { kind: 'BgpOpen', open: open({ myAs: 65003 }) }, 'Idle', ['notify:2/2', 'stop:hold', ...FAIL], 'open-rejected'],
  ['OpenSent', { kind: 'BgpOpen', open: open({ holdTime: 2 }) }, 'Idle', ['notify:2/6', 'stop:hold', ...FAIL], 'open-rejected'],
  ['OpenSent', { kind: 'BgpOpen', open: open({ bgpId: 0 }) }, 'Idle', ['notify:2/3', 'stop:hold', ...FAIL], 'open-rejected'],
  ['OpenSent', { kind: 'BgpOpen', open: open({ version: 3 }) }, 'Idle', ['notify:2/1', 'stop:hold', ...FAIL], 'open-rejected'],
  ['OpenSent', BAD_LENGTH, 'Idle', ['notify:1/2', 'stop:hold', ...FAIL], 'message-error'],
  ['OpenSent', BAD_OPEN, 'Idle', ['notify:2/4', 'stop:hold', ...FAIL], 'message-error'],
  // Event 23: Cease (RFC 4486 Connection Collision Resolution), counter+1, → Idle.
  ['OpenSent', { kind: 'OpenCollisionDump' }, 'Idle', ['notify:6/7', 'stop:hold', ...FAIL], 'collision-lost'],
  // Event 24: release, drop, → Idle (not counted).
  ['OpenSent', VERSION_ERROR, 'Idle', ['stop:hold', 'release', 'drop', 'start:idleHold'], 'notification-received'],
  // Event 25: deviation (GoBGP): no FSM Error NOTIFICATION in reply to a NOTIFICATION.
  ['OpenSent', CEASE, 'Idle', ['stop:hold', ...FAIL], 'notification-received'],
  // "any other event (Events 9, 11-13, 20, 25-28)": FSM Error (RFC 6608 subcode 1), → Idle.
  ['OpenSent', { kind: 'KeepAliveMsg' }, 'Idle', ['notify:5/1', 'stop:hold', ...FAIL], 'fsm-error'],
  ['OpenSent', { kind: 'UpdateMsg' }, 'Idle', ['notify:5/1', 'stop:hold', ...FAIL], 'fsm-error'],
  ['OpenSent', BAD_UPDATE, 'Idle', ['notify:5/1', 'stop:hold', ...FAIL], 'fsm-error'],
  ['OpenSent', { kind: 'ConnectRetryTimerExpires' }, 'OpenSent', [], 'ignored'], // not running: stale

  // ---- OpenConfirm (§8.2.2 "OpenConfirm State") ----
  ['OpenConfirm', { kind: 'ManualStart' }, 'OpenConfirm', [], 'ignored'],
  ['OpenConfirm', { kind: 'ManualStop' }, 'Idle', ['notify:6/2', 'stop:hold', 'stop:keepalive', ...STOP], 'admin-stop'],
  ['OpenConfirm', { kind: 'AutomaticStop' }, 'Idle', ['notify:6/0', 'stop:hold', 'stop:keepalive', ...FAIL], 'auto-stop'],
  ['OpenConfirm', { kind: 'HoldTimerExpires' }, 'Idle', ['notify:4/0', 'stop:keepalive', ...FAIL], 'hold-timer-expired'],
  // Event 11: KEEPALIVE, restart KeepaliveTimer, stay.
  ['OpenConfirm', { kind: 'KeepaliveTimerExpires' }, 'OpenConfirm', ['send-keepalive', 'start:keepalive'], 'keepalive-timer-expired'],
  ['OpenConfirm', { kind: 'TcpCrAcked' }, 'OpenConfirm', [], 'second-connection'],
  // Events 18 and 25: release, drop, counter+1, damp, → Idle.
  ['OpenConfirm', { kind: 'TcpConnectionFails' }, 'Idle', ['stop:hold', 'stop:keepalive', ...FAIL], 'tcp-failed'],
  ['OpenConfirm', CEASE, 'Idle', ['stop:hold', 'stop:keepalive', ...FAIL], 'notification-received'],
  // Event 24: → Idle, not counted.
  ['OpenConfirm', VERSION_ERROR, 'Idle', ['stop:hold', 'stop:keepalive', 'release', 'drop', 'start:idleHold'], 'notification-received'],
  // Events 21/22: NOTIFICATION with the error, → Idle.
  ['OpenConfirm', BAD_LENGTH, 'Idle', ['notify:1/2', 'stop:hold', 'stop:keepalive', ...FAIL], 'message-error'],
  ['OpenConfirm', BAD_OPEN, 'Idle', ['notify:2/4', 'stop:hold', 'stop:keepalive', ...FAIL], 'message-error'],
  // Event 23: Cease / Connection Collision Resolution.
  ['OpenConfirm', { kind: 'OpenCollisionDump' }, 'Idle', ['notify:6/7', 'stop:hold', 'stop:keepalive', ...FAIL], 'collision-lost'],
  // Event 26: restart HoldTimer, → Established.
  ['OpenConfirm', { kind: 'KeepAliveMsg' }, 'Established', ['start:hold', 'session-established'], 'keepalive-received'],
  ['OpenConfirm(hold 0)', { kind: 'KeepAliveMsg' }, 'Established', ['session-established'], 'keepalive-received'],
  // A second OPEN on this connection, and events 27/28: FSM Error (RFC 6608 subcode 2).
  ['OpenConfirm', VALID_OPEN, 'Idle', ['notify:5/2', 'stop:hold', 'stop:keepalive', ...FAIL], 'fsm-error'],
  ['OpenConfirm', { kind: 'UpdateMsg' }, 'Idle', ['notify:5/2', 'stop:hold', 'stop:keepalive', ...FAIL], 'fsm-error'],
  ['OpenConfirm', BAD_UPDATE, 'Idle', ['notify:5/2', 'stop:hold', 'stop:keepalive', ...FAIL], 'fsm-error'],
  ['OpenConfirm(hold 0)', { kind: 'KeepaliveTimerExpires' }, 'OpenConfirm', [], 'ignored'],

  // ---- Established (§8.2.2 "Established State") ----
  ['Established', { kind: 'ManualStart' }, 'Established', [], 'ignored'],
  // Event 2: Cease, delete routes (session-down), release, drop, counter to zero, → Idle.
  ['Established', { kind: 'ManualStop' }, 'Idle', ['notify:6/2', 'stop:hold', 'stop:keepalive', 'session-down', ...STOP], 'admin-stop'],
  ['Established', { kind: 'AutomaticStop', subcode: 1 }, 'Idle', ['notify:6/1', 'stop:hold', 'stop:keepalive', 'session-down', ...FAIL], 'auto-stop'],
  // Event 10: Hold Timer Expired.
  ['Established', { kind: 'HoldTimerExpires' }, 'Idle', ['notify:4/0', 'stop:keepalive', 'session-down', ...FAIL], 'hold-timer-expired'],
  // Event 11: KEEPALIVE, restart KeepaliveTimer.
  ['Established', { kind: 'KeepaliveTimerExpires' }, 'Established', ['send-keepalive', 'start:keepalive'], 'keepalive-timer-expired'],
  // "Each time the local system sends a KEEPALIVE or UPDATE message, it restarts its KeepaliveTimer".
  ['Established', { kind: 'UpdateSent' }, 'Established', ['start:keepalive'], 'update-sent'],
  ['Established', { kind: 'TcpConnectionConfirmed' }, 'Established', [], 'second-connection'],
  // Events 18, 24, 25: delete routes, release, drop, counter+1, → Idle.
  ['Established', { kind: 'TcpConnectionFails' }, 'Idle', ['stop:hold', 'stop:keepalive', 'session-down', ...FAIL], 'tcp-failed'],
  ['Established', VERSION_ERROR, 'Idle', ['stop:hold', 'stop:keepalive', 'session-down', ...FAIL], 'notification-received'],
  ['Established', CEASE, 'Idle', ['stop:hold', 'stop:keepalive', 'session-down', ...FAIL], 'notification-received'],
  // Event 26: restart HoldTimer. Event 27: process, restart HoldTimer.
  ['Established', { kind: 'KeepAliveMsg' }, 'Established', ['start:hold'], 'keepalive-received'],
  ['Established', { kind: 'UpdateMsg' }, 'Established', ['process-update', 'start:hold'], 'update-received'],
  // Event 28: NOTIFICATION with the UPDATE error, delete routes, → Idle.
  ['Established', BAD_UPDATE, 'Idle', ['notify:3/11', 'stop:hold', 'stop:keepalive', 'session-down', ...FAIL], 'message-error'],
  // Event 21: Message Header Error (§6.1) rather than the FSM Error of §8.2.2's list.
  ['Established', BAD_LENGTH, 'Idle', ['notify:1/2', 'stop:hold', 'stop:keepalive', 'session-down', ...FAIL], 'message-error'],
  // Events 19/22 (an OPEN on an established connection): FSM Error (RFC 6608 subcode 3).
  ['Established', VALID_OPEN, 'Idle', ['notify:5/3', 'stop:hold', 'stop:keepalive', 'session-down', ...FAIL], 'fsm-error'],
  ['Established', BAD_OPEN, 'Idle', ['notify:5/3', 'stop:hold', 'stop:keepalive', 'session-down', ...FAIL], 'fsm-error'],
  // Event 23 (CollisionDetectEstablishedState): Cease, delete routes, → Idle.
  ['Established', { kind: 'OpenCollisionDump' }, 'Idle', ['notify:6/7', 'stop:hold', 'stop:keepalive', 'session-down', ...FAIL], 'collision-lost'],
  ['Established', { kind: 'ConnectRetryTimerExpires' }, 'Established', [], 'ignored'],
  // Hold time 0: no timers to restart.
  ['Established(hold 0)', { kind: 'KeepAliveMsg' }, 'Established', [], 'keepalive-received'],
  ['Established(hold 0)', { kind: 'UpdateMsg' }, 'Established', ['process-update'], 'update-received'],
  ['Established(hold 0)', { kind: 'UpdateSent' }, 'Established', [], 'update-sent'],
  ['Established(hold 0)', { kind: 'HoldTimerExpires' }, 'Established', [], 'ignored'],
];

describe('BGP FSM transitions (RFC 4271 §8.2.2)', () => {
  for (const [fixture, event, next, actions, reason] of ROWS) {
    it(`${fixture} + ${event.kind} → ${next}`, () => {
      const [overrides, path] = FIXTURES[fixture];
      const cfg = config(overrides);
      const from = reach(cfg, path);
      assert.deepEqual(fsmStateProblems(from), []);
      const t = step(from, event, cfg);
      assert.equal(t.state.name, next);
      assert.deepEqual(t.actions.map(brief), actions);
      assert.equal(t.reason.kind, reason);
      assert.deepEqual(fsmStateProblems(t.state), []);
    });
  }

  it('counts the ConnectRetryCounter as the actions say', () => {
    const cfg = config();
    let s = reach(cfg, [{ kind: 'ManualStart' }, { kind: 'TcpCrAcked' }]);
    s = step(s, { kind: 'HoldTimerExpires' }, cfg).state;
    assert.equal(s.connectRetryCounter, 1);
    s = step(s, { kind: 'IdleHoldTimerExpires' }, cfg).state; // AutomaticStart sets it to zero (§8.2.2)
    assert.equal(s.connectRetryCounter, 0);
  });

  it('does not restart by itself without AllowAutomaticStart', () => {
    const cfg = config({ allowAutomaticStart: false });
    const t = step(reach(cfg, [{ kind: 'ManualStart' }, { kind: 'TcpCrAcked' }]), { kind: 'HoldTimerExpires' }, cfg);
    assert.deepEqual(t.actions.map(brief), ['notify:4/0', 'release', 'drop', 'counter+1']);
  });

  it('stays silent about errors before its OPEN without SendNOTIFICATIONwithoutOPEN', () => {
    const cfg = config({ delayOpen: true, sendNotificationWithoutOpen: false });
    const from = reach(cfg, [{ kind: 'ManualStart' }, { kind: 'TcpCrAcked' }]);
    const t = step(from, { kind: 'BgpOpen', open: open({ myAs: 65003 }) }, cfg);
    assert.deepEqual(t.actions.map(brief), ['stop:delayOpen', ...FAIL]);
    assert.deepEqual(t.reason, { kind: 'open-rejected', code: 2, subcode: 2, detail: 'expected AS 65002, got AS 65003', notificationSent: false });
  });

  it('carries timer durations in milliseconds, jitter only where RFC 4271 §10 asks', () => {
    const cfg = config({ holdTime: 180, connectRetryTime: 30 });
    const starts = (s: FsmState, e: FsmEvent) => step(s, e, cfg).actions.filter((a) => a.kind === 'start-timer');
    assert.deepEqual(starts(initialFsmState(), { kind: 'ManualStart' }), [{ kind: 'start-timer', timer: 'connectRetry', ms: 30_000, jitter: true }]);
    const sent = reach(cfg, [{ kind: 'ManualStart' }, { kind: 'TcpCrAcked' }]);
    assert.equal(sent.timers.hold, true);
    assert.deepEqual(starts(reach(cfg, [{ kind: 'ManualStart' }]), { kind: 'TcpCrAcked' }), [{ kind: 'start-timer', timer: 'hold', ms: 240_000, jitter: false }]);
    // Azure's 180/60: the peer offers 180, keepalive every 60 s.
    assert.deepEqual(starts(sent, { kind: 'BgpOpen', open: open({ holdTime: 180 }) }), [
      { kind: 'start-timer', timer: 'keepalive', ms: 60_000, jitter: true },
      { kind: 'start-timer', timer: 'hold', ms: 180_000, jitter: false },
    ]);
  });

  it('numbers events as RFC 4271 §8.1 does, telling 19 from 20 and 24 from 25', () => {
    const cfg = config({ delayOpen: true });
    const waiting = reach(cfg, [{ kind: 'ManualStart' }, { kind: 'TcpCrAcked' }]);
    assert.equal(rfcEventNumber(VALID_OPEN, waiting), 20);
    assert.equal(rfcEventNumber(VALID_OPEN, initialFsmState()), 19);
    assert.equal(rfcEventNumber(VERSION_ERROR, waiting), 24);
    assert.equal(rfcEventNumber(CEASE, waiting), 25);
    assert.equal(rfcEventNumber({ kind: 'IdleHoldTimerExpires' }, waiting), 13);
    assert.equal(rfcEventNumber({ kind: 'UpdateSent' }, waiting), undefined);
  });
});

// ---- Property: arbitrary event sequences ----

const arbNotification = fc.oneof(
  fc.constant(notif(ErrorCode.OpenMessage, OpenMessageSubcode.UnsupportedVersionNumber)),
  fc.record({ code: fc.integer({ min: 0, max: 255 }), subcode: fc.integer({ min: 0, max: 255 }), data: fc.constant(new Uint8Array(0)) }),
);

const arbOpen: fc.Arbitrary<OpenInfo> = fc.record({
  version: fc.constantFrom(4, 4, 4, 3),
  myAs: fc.constantFrom(65002, 65002, 65001, AS_TRANS, 1),
  holdTime: fc.constantFrom(0, 1, 2, 3, 90, 180, 65535),
  bgpId: fc.constantFrom(PEER_ID, LOCAL_ID, 0),
  fourOctetAs: fc.option(fc.constantFrom(65002, 4_200_000_002, 0), { nil: undefined }),
});

const arbEventBody: fc.Arbitrary<FsmEvent> = fc.oneof(
  fc.constantFrom(...FSM_EVENT_KINDS.filter((k) => !['ManualStop', 'AutomaticStop', 'TcpConnectionFails', 'BgpOpen', 'BgpHeaderErr',
    'BgpOpenMsgErr', 'NotifMsg', 'UpdateMsgErr'].includes(k))).map((kind) => ({ kind }) as FsmEvent),
  fc.record({ kind: fc.constant('ManualStop' as const), subcode: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }) }),
  fc.record({ kind: fc.constant('AutomaticStop' as const), subcode: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }) }),
  fc.record({ kind: fc.constant('TcpConnectionFails' as const), error: fc.option(fc.constantFrom('ERR_TCP_RESET', 'ERR_TCP_REFUSED'), { nil: undefined }) }),
  fc.record({ kind: fc.constant('BgpOpen' as const), open: arbOpen }),
  fc.record({ kind: fc.constantFrom('BgpHeaderErr' as const, 'BgpOpenMsgErr' as const, 'NotifMsg' as const, 'UpdateMsgErr' as const), notification: arbNotification }),
);

/** Events that move a session on from each state, so random walks reach every state. */
const PROGRESS: Record<FsmStateName, FsmEvent[]> = {
  Idle: [{ kind: 'ManualStart' }, { kind: 'ManualStartPassive' }, { kind: 'AutomaticStart' }, { kind: 'IdleHoldTimerExpires' }],
  Connect: [{ kind: 'TcpCrAcked' }, { kind: 'TcpConnectionConfirmed' }, { kind: 'DelayOpenTimerExpires' }, { kind: 'ConnectRetryTimerExpires' },
    VALID_OPEN, { kind: 'TcpConnectionFails' }],
  Active: [{ kind: 'TcpConnectionConfirmed' }, { kind: 'DelayOpenTimerExpires' }, { kind: 'ConnectRetryTimerExpires' }, VALID_OPEN],
  OpenSent: [VALID_OPEN, VALID_OPEN, { kind: 'BgpOpen', open: open({ holdTime: 0 }) }, { kind: 'HoldTimerExpires' }],
  OpenConfirm: [{ kind: 'KeepAliveMsg' }, { kind: 'KeepAliveMsg' }, { kind: 'KeepaliveTimerExpires' }, { kind: 'HoldTimerExpires' }],
  Established: [{ kind: 'KeepAliveMsg' }, { kind: 'UpdateMsg' }, { kind: 'UpdateSent' }, { kind: 'KeepaliveTimerExpires' }, { kind: 'HoldTimerExpires' }],
};

/** One step's draw: a fully random event, or (when `progress`) the n-th progress event of the current state. */
const arbDraw = fc.record({ progress: fc.boolean(), n: fc.nat(), random: arbEventBody, dt: fc.nat(400_000) });

function pick(draw: { progress: boolean; n: number; random: FsmEvent }, state: FsmState): FsmEvent {
  if (!draw.progress) return draw.random;
  const options = PROGRESS[state.name];
  return options[draw.n % options.length]!;
}

const arbConfig: fc.Arbitrary<FsmConfig> = fc.record({
  holdTime: fc.constantFrom(0, 3, 90, 180),
  passive: fc.boolean(),
  delayOpen: fc.boolean(),
  allowAutomaticStart: fc.boolean(),
  dampPeerOscillations: fc.boolean(),
  sendNotificationWithoutOpen: fc.boolean(),
  peerAs: fc.constantFrom(65002, 65002, 65002, 65001, 4_200_000_002),
}).map((o) => config(o));

/** The timer set after applying `actions` to `before`, with the fired timer (if any) cleared. */
function applyTimerActions(before: Readonly<Record<FsmTimer, boolean>>, fired: FsmTimer | undefined, actions: readonly FsmAction[]): Record<FsmTimer, boolean> {
  const timers = { ...before };
  if (fired !== undefined) timers[fired] = false;
  for (const a of actions) {
    if (a.kind === 'start-timer') timers[a.timer] = true;
    if (a.kind === 'stop-timer') {
      assert.equal(timers[a.timer], true, `stop-timer ${a.timer} only for a running timer`);
      timers[a.timer] = false;
    }
  }
  return timers;
}

const FIRES: Partial<Record<string, FsmTimer>> = {
  ConnectRetryTimerExpires: 'connectRetry', HoldTimerExpires: 'hold', KeepaliveTimerExpires: 'keepalive',
  DelayOpenTimerExpires: 'delayOpen', IdleHoldTimerExpires: 'idleHold',
};

describe('BGP FSM properties', () => {
  it('never throws, never reaches an inconsistent state, and always gives a reason', () => {
    const visited = new Set<string>();
    fc.assert(fc.property(arbConfig, fc.array(arbDraw, { minLength: 10, maxLength: 80 }), (cfg, draws) => {
      let s = initialFsmState();
      let now = 0;
      for (const draw of draws) {
        now += draw.dt;
        const event: FsmEvent = { ...pick(draw, s), at: now };
        const t = step(s, event, cfg);
        assert.deepEqual(fsmStateProblems(t.state), [], `${s.name} + ${event.kind}`);
        assert.equal(typeof describeReason(t.reason), 'string');
        assert.ok(describeReason(t.reason).length > 0);
        // Timer bookkeeping: the state's timers are exactly what the actions did.
        const fired = FIRES[event.kind] !== undefined && s.timers[FIRES[event.kind]!] ? FIRES[event.kind] : undefined;
        assert.deepEqual(t.state.timers, applyTimerActions(s.timers, fired, t.actions));
        for (const a of t.actions) if (a.kind === 'start-timer') assert.ok(a.ms > 0, `${a.timer} for ${a.ms} ms`);
        // session-established exactly on OpenConfirm → Established; session-down exactly on leaving Established.
        const kinds = t.actions.map((a) => a.kind);
        assert.equal(kinds.includes('session-established'), s.name === 'OpenConfirm' && t.state.name === 'Established');
        assert.equal(kinds.includes('session-down'), s.name === 'Established' && t.state.name !== 'Established');
        // A NOTIFICATION always precedes dropping the connection.
        const n = kinds.indexOf('send-notification');
        if (n >= 0) assert.ok(n < kinds.indexOf('drop-connection'));
        // The counter follows its actions.
        const delta = kinds.filter((k) => k === 'increment-connect-retry-counter').length;
        const expected = kinds.includes('reset-connect-retry-counter') ? 0 : s.connectRetryCounter + delta;
        assert.equal(t.state.connectRetryCounter, expected);
        // Ignored events change nothing.
        if (t.reason.kind === 'ignored') {
          assert.deepEqual(t.actions, []);
          assert.deepEqual(t.state, s);
        }
        // A passive FSM never connects.
        if (cfg.passive && s.name === 'Idle' && event.kind !== 'ManualStart' && event.kind !== 'AutomaticStart') {
          assert.ok(!kinds.includes('connect'));
        }
        visited.add(`${s.name}>${t.state.name}`);
        s = t.state;
      }
    }), { numRuns: 400 });
    // The walks did exercise the machine: every edge of the state graph was taken.
    assert.deepEqual([...visited].sort(), [
      'Active>Active', 'Active>Connect', 'Active>Idle', 'Active>OpenConfirm', 'Active>OpenSent',
      'Connect>Active', 'Connect>Connect', 'Connect>Idle', 'Connect>OpenConfirm', 'Connect>OpenSent',
      'Established>Established', 'Established>Idle',
      'Idle>Active', 'Idle>Connect', 'Idle>Idle',
      'OpenConfirm>Established', 'OpenConfirm>Idle', 'OpenConfirm>OpenConfirm',
      'OpenSent>Active', 'OpenSent>Idle', 'OpenSent>OpenConfirm', 'OpenSent>OpenSent',
    ]);
  });

  it('is deterministic: the same state and event give the same transition', () => {
    fc.assert(fc.property(arbConfig, fc.array(arbDraw, { maxLength: 40 }), (cfg, draws) => {
      let a = initialFsmState();
      let b = initialFsmState();
      for (const draw of draws) {
        const e = pick(draw, a);
        const ta = step(a, e, cfg);
        const tb = step(b, e, cfg);
        assert.deepEqual(ta, tb);
        a = ta.state;
        b = tb.state;
      }
    }), { numRuns: 100 });
  });

  it('lists every timer kind', () => {
    assert.deepEqual([...FSM_TIMERS].sort(), ['connectRetry', 'delayOpen', 'hold', 'idleHold', 'keepalive']);
  });
});
