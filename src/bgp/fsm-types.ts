import type { Asn } from './types.js';

/*
 * The vocabulary of the BGP finite state machine (RFC 4271 §8): its states, the events fed to it,
 * the actions it asks for and the reason it gives for every transition. Message-level shapes
 * (OpenInfo, NotificationInfo) are the few facts the FSM needs from the codecs, kept local so the
 * FSM does not depend on them; the session maps decoded messages onto these.
 */

// NOTIFICATION codes and subcodes are those of errors.ts (ErrorCode, OpenMessageSubcode, ...).
export {
  CeaseSubcode, ErrorCode, FsmSubcode, MessageHeaderSubcode, OpenMessageSubcode, UpdateMessageSubcode,
} from './errors.js';

/** The only BGP version spoken (RFC 4271). */
export const BGP_VERSION = 4;

/** A NOTIFICATION as the FSM sees it: to send, or received. */
export interface NotificationInfo {
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
}

/** What the FSM needs from a received OPEN (RFC 4271 §4.2, RFC 6793). */
export interface OpenInfo {
  /** Version field (4). */
  readonly version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS when the real AS needs 4 octets). */
  readonly myAs: number;
  /** Hold Time in seconds. */
  readonly holdTime: number;
  /** BGP Identifier as an unsigned 32-bit integer. */
  readonly bgpId: number;
  /** The AS from the 4-octet AS Number capability (RFC 6793), when the peer sent one. */
  readonly fourOctetAs?: Asn;
}

/** The session parameters fixed by a valid OPEN. */
export interface Negotiated {
  /** min(ours, theirs), seconds; 0 = no keepalives and no hold timer. */
  readonly holdTime: number;
  /** Seconds between our KEEPALIVEs; 0 when holdTime is 0. */
  readonly keepaliveTime: number;
  /** The peer's real AS (from the 4-octet capability when it sent one). */
  readonly peerAs: Asn;
  readonly peerBgpId: number;
  /** iBGP: the peer is in our AS. */
  readonly internal: boolean;
  /** The peer advertised the 4-octet AS capability (we always do). */
  readonly fourOctetAs: boolean;
}

// ---- Configuration (RFC 4271 §8.1.1) ----

export interface FsmConfig {
  readonly localAs: Asn;
  /** The AS the peer must present (after 4-octet AS resolution). */
  readonly peerAs: Asn;
  /** Our BGP Identifier (non-zero unsigned 32-bit). */
  readonly bgpId: number;
  /** Hold Time we offer, seconds: 0 or 3–65535 (RFC suggests 90; Azure uses 180). */
  readonly holdTime: number;
  /** Our keepalive interval, seconds; undefined = a third of the negotiated hold time. */
  readonly keepaliveTime: number | undefined;
  /**
   * Keep `keepaliveTime` even when the negotiated hold time is shorter than three of them (Azure's
   * fixed 60/180: a peer offering a 30 s hold time sees its hold timer expire). Default false: the
   * interval is capped at a third of the negotiated hold time (RFC 4271 §10).
   */
  readonly fixedKeepalive?: boolean;
  /** ConnectRetryTime, seconds (120 as FRR and BIRD). */
  readonly connectRetryTime: number;
  /** The "large value" the HoldTimer gets while waiting for the peer's OPEN, seconds (4 min). */
  readonly openHoldTime: number;
  /** PassiveTcpEstablishment: never connect, only accept (RRAS OperationMode Server). */
  readonly passive: boolean;
  /** DelayOpen: after the TCP connection comes up, wait DelayOpenTime for the peer's OPEN. */
  readonly delayOpen: boolean;
  readonly delayOpenTime: number;
  /** AllowAutomaticStart: restart by itself (after IdleHoldTime) when the session fails. */
  readonly allowAutomaticStart: boolean;
  /** DampPeerOscillations: IdleHoldTime doubles after each error, up to idleHoldTimeMax. */
  readonly dampPeerOscillations: boolean;
  /** First IdleHoldTime, seconds. */
  readonly idleHoldTime: number;
  /** Cap on the doubled IdleHoldTime, seconds. */
  readonly idleHoldTimeMax: number;
  /** An error this long (seconds) after the previous one starts the backoff again. */
  readonly idleHoldForgetTime: number;
  /** SendNOTIFICATIONwithoutOPEN: tell the peer about errors before our OPEN went out. */
  readonly sendNotificationWithoutOpen: boolean;
}

// ---- States ----

export type FsmStateName = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

export const FSM_STATE_NAMES: readonly FsmStateName[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];

export type FsmTimer = 'connectRetry' | 'hold' | 'keepalive' | 'delayOpen' | 'idleHold';

export const FSM_TIMERS: readonly FsmTimer[] = ['connectRetry', 'hold', 'keepalive', 'delayOpen', 'idleHold'];

/** Which side sent the first SYN of the FSM's TCP connection (RFC 4271 §8.2.1). */
export type ConnectionDirection = 'outgoing' | 'incoming';

/** The backoff memory behind DampPeerOscillations. */
export interface DampingState {
  /** Errors in a row (none more than idleHoldForgetTime after the previous one). */
  readonly consecutiveErrors: number;
  /** Time of the last error (ms, the driver's clock), when known. */
  readonly lastErrorAt: number | undefined;
}

export interface FsmState {
  readonly name: FsmStateName;
  readonly connectRetryCounter: number;
  /** Timers the FSM has started and not stopped; their expiries are the only valid timer events. */
  readonly timers: Readonly<Record<FsmTimer, boolean>>;
  /** Started with PassiveTcpEstablishment (events 4/5): never initiates a connection. */
  readonly passive: boolean;
  /** The TCP connection this FSM owns, once up (Connect/Active with DelayOpen, OpenSent onwards). */
  readonly connection: ConnectionDirection | undefined;
  /** Set by a valid OPEN (OpenConfirm, Established). */
  readonly negotiated: Negotiated | undefined;
  readonly damping: DampingState;
}

// ---- Events (RFC 4271 §8.1) ----

/**
 * Events by name; the RFC number is in each comment (and `rfcEventNumber`). Two pairs collapse into
 * one kind each because the FSM can tell them apart itself: BgpOpen is event 20 when the
 * DelayOpenTimer is running and 19 otherwise; NotifMsg is event 24 for a version error (OPEN
 * Message Error / Unsupported Version Number) and 25 otherwise. `at` is when the event happened
 * (ms on the driver's clock); the FSM uses it only to forget old errors in the idle-hold backoff.
 */
export type FsmEventBody =
  | { readonly kind: 'ManualStart' } // 1
  | { readonly kind: 'ManualStop'; readonly subcode?: number; readonly data?: Uint8Array } // 2 (Cease subcode, RFC 8203 data)
  | { readonly kind: 'AutomaticStart' } // 3
  | { readonly kind: 'ManualStartPassive' } // 4
  | { readonly kind: 'AutomaticStartPassive' } // 5
  | { readonly kind: 'AutomaticStop'; readonly subcode?: number } // 8 (e.g. Maximum Number of Prefixes Reached)
  | { readonly kind: 'ConnectRetryTimerExpires' } // 9
  | { readonly kind: 'HoldTimerExpires' } // 10
  | { readonly kind: 'KeepaliveTimerExpires' } // 11
  | { readonly kind: 'DelayOpenTimerExpires' } // 12
  | { readonly kind: 'IdleHoldTimerExpires' } // 13
  | { readonly kind: 'TcpConnectionValid' } // 14
  | { readonly kind: 'TcpCrAcked' } // 16: our connect() completed (outgoing)
  | { readonly kind: 'TcpConnectionConfirmed' } // 17: an accepted connection (incoming)
  | { readonly kind: 'TcpConnectionFails'; readonly error?: string } // 18 (TransportError code; none = peer closed)
  | { readonly kind: 'BgpOpen'; readonly open: OpenInfo } // 19, or 20 with the DelayOpenTimer running
  | { readonly kind: 'BgpHeaderErr'; readonly notification: NotificationInfo } // 21
  | { readonly kind: 'BgpOpenMsgErr'; readonly notification: NotificationInfo } // 22 (an OPEN that did not decode)
  | { readonly kind: 'OpenCollisionDump' } // 23
  | { readonly kind: 'NotifMsg'; readonly notification: NotificationInfo } // 24 or 25
  | { readonly kind: 'KeepAliveMsg' } // 26
  | { readonly kind: 'UpdateMsg' } // 27
  | { readonly kind: 'UpdateMsgErr'; readonly notification: NotificationInfo } // 28
  | { readonly kind: 'UpdateSent' }; // not numbered: §8.2.2 Established, sending an UPDATE restarts the KeepaliveTimer

export type FsmEvent = FsmEventBody & { readonly at?: number };

export type FsmEventKind = FsmEventBody['kind'];

export const FSM_EVENT_KINDS: readonly FsmEventKind[] = [
  'ManualStart', 'ManualStop', 'AutomaticStart', 'ManualStartPassive', 'AutomaticStartPassive', 'AutomaticStop',
  'ConnectRetryTimerExpires', 'HoldTimerExpires', 'KeepaliveTimerExpires', 'DelayOpenTimerExpires', 'IdleHoldTimerExpires',
  'TcpConnectionValid', 'TcpCrAcked', 'TcpConnectionConfirmed', 'TcpConnectionFails',
  'BgpOpen', 'BgpHeaderErr', 'BgpOpenMsgErr', 'OpenCollisionDump', 'NotifMsg', 'KeepAliveMsg', 'UpdateMsg', 'UpdateMsgErr',
  'UpdateSent',
];

export type TimerEventKind =
  'ConnectRetryTimerExpires' | 'HoldTimerExpires' | 'KeepaliveTimerExpires' | 'DelayOpenTimerExpires' | 'IdleHoldTimerExpires';

/** The timer expiry event for each timer. */
export const TIMER_EVENT: Readonly<Record<FsmTimer, TimerEventKind>> = {
  connectRetry: 'ConnectRetryTimerExpires',
  hold: 'HoldTimerExpires',
  keepalive: 'KeepaliveTimerExpires',
  delayOpen: 'DelayOpenTimerExpires',
  idleHold: 'IdleHoldTimerExpires',
};

// ---- Actions ----

/** Timer actions: the driver runs these on its Clock. `jitter` = apply RFC 4271 §10 jitter. */
export type TimerAction =
  | { readonly kind: 'start-timer'; readonly timer: FsmTimer; readonly ms: number; readonly jitter: boolean }
  | { readonly kind: 'stop-timer'; readonly timer: FsmTimer };

/**
 * Everything else: for the session (sockets, messages, RIB) to carry out, in order. An FSM owns
 * one TCP connection (RFC 4271 §8.2.1): the one its `connect` opened, or the accepted one it was
 * given with TcpConnectionConfirmed. When an FSM in Connect adopts an accepted connection, the
 * session abandons its pending connect attempt (or hands it to a second FSM, §6.8). A
 * `send-notification` is always followed by `drop-connection`: write it, then close (FIN).
 */
export type SessionAction =
  | { readonly kind: 'connect' } // initiate a TCP connection to the peer
  | { readonly kind: 'drop-connection' } // close this FSM's connection, or abandon its connect attempt; idempotent
  | { readonly kind: 'send-open' }
  | { readonly kind: 'send-keepalive' }
  | { readonly kind: 'send-notification'; readonly notification: NotificationInfo }
  | { readonly kind: 'process-update' } // the UPDATE just delivered as UpdateMsg may be processed
  | { readonly kind: 'session-established'; readonly negotiated: Negotiated }
  | { readonly kind: 'session-down'; readonly reason: TransitionReason } // delete the routes learned on it
  | { readonly kind: 'release-resources' }
  | { readonly kind: 'increment-connect-retry-counter' }
  | { readonly kind: 'reset-connect-retry-counter' };

export type FsmAction = TimerAction | SessionAction;

// ---- Reasons (GoBGP's fsmStateReason) ----

export type TransitionReason =
  | { readonly kind: 'admin-start' }
  | { readonly kind: 'auto-start' }
  | { readonly kind: 'admin-stop'; readonly subcode: number }
  | { readonly kind: 'auto-stop'; readonly subcode: number }
  | { readonly kind: 'ignored'; readonly event: FsmEventKind; readonly state: FsmStateName }
  | { readonly kind: 'connect-retry-expired' }
  | { readonly kind: 'tcp-connection-request' }
  | { readonly kind: 'tcp-connected'; readonly direction: ConnectionDirection; readonly delayOpen: boolean }
  | { readonly kind: 'second-connection'; readonly direction: ConnectionDirection }
  | { readonly kind: 'tcp-failed'; readonly error: string | undefined }
  | { readonly kind: 'delay-open-expired' }
  | { readonly kind: 'open-received' }
  | { readonly kind: 'open-rejected'; readonly code: number; readonly subcode: number; readonly detail: string; readonly notificationSent: boolean }
  | { readonly kind: 'keepalive-received' }
  | { readonly kind: 'keepalive-timer-expired' }
  | { readonly kind: 'update-received' }
  | { readonly kind: 'update-sent' }
  | { readonly kind: 'hold-timer-expired' }
  | { readonly kind: 'notification-received'; readonly code: number; readonly subcode: number }
  | { readonly kind: 'message-error'; readonly code: number; readonly subcode: number; readonly notificationSent: boolean }
  | { readonly kind: 'fsm-error'; readonly event: FsmEventKind; readonly state: FsmStateName; readonly notificationSent: boolean }
  | { readonly kind: 'collision-lost'; readonly notificationSent: boolean };

export type TransitionReasonKind = TransitionReason['kind'];

export interface FsmTransition {
  readonly state: FsmState;
  readonly actions: readonly FsmAction[];
  readonly reason: TransitionReason;
}
