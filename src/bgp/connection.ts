import type { Clock } from '../core/clock.js';
import type { Rng } from '../core/rng.js';
import type { TcpSocket } from '../transport/types.js';
import type { CodecContext, DecodeContext } from './context.js';
import { BgpError, CeaseSubcode, ErrorCode } from './errors.js';
import { BgpFramer } from './framer.js';
import { FsmDriver, type FsmTransitionRecord } from './fsm-driver.js';
import type { ConnectionDirection, FsmConfig, FsmEventBody, NotificationInfo, OpenInfo, SessionAction } from './fsm-types.js';
import { decodeMessage, encodeMessage, type DecodedMessage } from './message.js';
import { openCapabilities } from './open.js';
import type { UpdateOutcome } from './update.js';

/**
 * How long a dropped connection may take to close after our FIN (the NOTIFICATION before it is
 * flushed by then) before it is reset: a peer that never closes its side must not keep the
 * descriptor. FRR and BIRD close the socket as soon as the NOTIFICATION is written.
 */
export const DRAIN_MS = 5_000;

/** What a connection reports to the neighbour that owns it. */
export interface ConnectionOwner {
  /** The FSM asked for an outgoing TCP connection: the socket being connected (it reports to `conn`). */
  connect(conn: BgpConnection): TcpSocket | undefined;
  /** An OPEN arrived: the owner checks for a collision before the FSM sees it. */
  openReceived(conn: BgpConnection, open: OpenInfo): boolean;
  /** Every other FSM action, after the connection has handled the socket-level ones. */
  action(conn: BgpConnection, action: SessionAction): void;
  transition(conn: BgpConnection, record: FsmTransitionRecord): void;
  /** The peer asked for our routes again (ROUTE-REFRESH, RFC 2918). */
  routeRefresh(conn: BgpConnection): void;
  /** Every whole message of what arrived has been handled (UPDATEs may be applied in bulk now). */
  inputDone(conn: BgpConnection): void;
  /** Something other than a BgpError was thrown while handling the connection's input: a bug, logged; the session is ended. */
  fault(conn: BgpConnection, error: unknown): void;
}

/**
 * One TCP connection to a neighbour with its own FSM (RFC 4271 §8.2.1: one FSM per connection,
 * two during a collision). It frames and decodes what arrives, feeds the FSM events, and carries
 * out the socket-level actions (send OPEN/KEEPALIVE/NOTIFICATION, drop); the rest goes to the owner.
 */
export class BgpConnection {
  readonly direction: ConnectionDirection;
  readonly fsm: FsmDriver;
  socket: TcpSocket | undefined;
  /** Who opened `socket` (an FSM started for one direction may adopt a connection of the other). */
  socketDirection: ConnectionDirection | undefined;
  /** Our connect attempt in progress (not yet attached). */
  connecting: TcpSocket | undefined;
  private readonly clock: Clock;
  private disposed = false;
  /** The OPEN we send, built by the owner (capabilities, hold time). */
  private readonly buildOpen: () => Uint8Array;
  private readonly owner: ConnectionOwner;
  private framer = new BgpFramer();
  private decodeContext: DecodeContext;
  /** The UPDATE waiting for the FSM's process-update action. */
  pendingUpdate: UpdateOutcome | undefined;
  peerOpen: OpenInfo | undefined;
  peerCapabilities: ReturnType<typeof openCapabilities> = [];
  readonly counters = { messagesIn: 0, messagesOut: 0, updatesIn: 0, updatesOut: 0 };
  lastNotificationSent: NotificationInfo | undefined;
  lastNotificationReceived: NotificationInfo | undefined;

  constructor(options: {
    direction: ConnectionDirection; config: FsmConfig; clock: Clock; rng: Rng; external: boolean;
    owner: ConnectionOwner; buildOpen: () => Uint8Array;
  }) {
    this.direction = options.direction;
    this.owner = options.owner;
    this.buildOpen = options.buildOpen;
    this.decodeContext = { fourOctetAs: true, external: options.external };
    this.clock = options.clock;
    this.fsm = new FsmDriver({
      config: options.config, clock: options.clock, rng: options.rng,
      onAction: (a) => this.onAction(a),
      onTransition: (r) => this.owner.transition(this, r),
    });
  }

  get codec(): CodecContext {
    return this.decodeContext;
  }

  /** Attaches a connected socket (ours completed, or one accepted) and tells the FSM. */
  attach(socket: TcpSocket, event: 'TcpCrAcked' | 'TcpConnectionConfirmed'): void {
    if (this.connecting === socket) this.connecting = undefined;
    if (this.disposed) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    this.socketDirection = event === 'TcpCrAcked' ? 'outgoing' : 'incoming';
    this.framer = new BgpFramer();
    // A socket this connection has dropped may still deliver (the peer's last KEEPALIVE, its FIN)
    // after the FSM has moved on to a new socket: only the current one speaks to the FSM.
    socket.setHandlers({
      onData: (d) => {
        if (this.socket === socket) this.receive(d);
      },
      onEnd: () => {
        if (this.socket === socket) this.guard(() => this.fsm.handle({ kind: 'TcpConnectionFails' }));
      },
      onClose: (error) => {
        if (this.socket !== socket) return;
        this.socket = undefined;
        this.guard(() => this.fsm.handle(error === undefined ? { kind: 'TcpConnectionFails' } : { kind: 'TcpConnectionFails', error: error.code }));
      },
    });
    this.guard(() => this.fsm.handle({ kind: event }));
  }

  /** Our connect attempt completed or failed (reported by the owner, for `connecting` only). */
  connected(socket: TcpSocket, error?: string | null): void {
    if (this.connecting !== socket) return;
    if (error === null) {
      this.attach(socket, 'TcpCrAcked');
      return;
    }
    this.connecting = undefined;
    this.guard(() => this.fsm.handle(error === undefined ? { kind: 'TcpConnectionFails' } : { kind: 'TcpConnectionFails', error }));
  }

  send(bytes: Uint8Array): void {
    if (this.socket === undefined) return;
    this.socket.write(bytes);
    this.counters.messagesOut++;
  }

  /** Sends `count` UPDATE messages written back to back in `bytes`, and tells the FSM (it restarts the keepalive timer). */
  sendUpdates(bytes: Uint8Array, count: number): void {
    if (count === 0 || this.socket === undefined) return;
    this.socket.write(bytes);
    this.counters.messagesOut += count;
    this.counters.updatesOut += count;
    this.fsm.handle({ kind: 'UpdateSent' });
  }

  /**
   * Closes the connection (FIN after what was written, a NOTIFICATION say; reset if the peer has
   * not closed its side within DRAIN_MS) and abandons a connect attempt. Idempotent.
   */
  drop(options: { reset?: boolean } = {}): void {
    const connecting = this.connecting;
    this.connecting = undefined;
    connecting?.destroy();
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined) return;
    if (options.reset === true) {
      socket.destroy();
      return;
    }
    let closed = false;
    const drain = this.clock.setTimer(DRAIN_MS, () => {
      if (!closed) socket.destroy();
    });
    // From now on the peer's input is discarded unread, and its close ends the drain.
    socket.setHandlers({
      onData: () => {},
      onClose: () => {
        closed = true;
        drain.cancel();
      },
    });
    socket.end();
  }

  /**
   * The connection leaves its neighbour: its FSM stops (timers cancelled, events ignored) and its
   * socket is closed (`reset`: at once, without waiting for what was written to go out).
   */
  dispose(options: { reset?: boolean } = {}): void {
    this.disposed = true;
    this.fsm.dispose();
    this.drop(options);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private onAction(action: SessionAction): void {
    switch (action.kind) {
      case 'connect':
        this.connecting?.destroy();
        this.connecting = this.owner.connect(this);
        return;
      case 'drop-connection':
        this.drop();
        break;
      case 'send-open':
        this.send(this.buildOpen());
        return;
      case 'send-keepalive':
        this.send(encodeMessage({ type: 'keepalive' }, this.decodeContext));
        return;
      case 'send-notification':
        this.lastNotificationSent = action.notification;
        this.send(encodeMessage({ type: 'notification', code: action.notification.code, subcode: action.notification.subcode, data: action.notification.data }, this.decodeContext));
        return;
      case 'session-established':
        this.decodeContext = { ...this.decodeContext, fourOctetAs: action.negotiated.fourOctetAs };
        break;
      default:
        break;
    }
    this.owner.action(this, action);
  }

  private receive(data: Uint8Array): void {
    try {
      this.framer.push(data);
      for (let raw = this.framer.next(); raw !== undefined; raw = this.socket === undefined ? undefined : this.framer.next()) {
        this.counters.messagesIn++;
        this.dispatch(decodeMessage(raw, this.decodeContext));
      }
    } catch (e) {
      if (!(e instanceof BgpError)) {
        this.fail(e);
        return;
      }
      const notification: NotificationInfo = { code: e.errorCode, subcode: e.subcode, data: e.data };
      const event: FsmEventBody = e.errorCode === ErrorCode.MessageHeader ? { kind: 'BgpHeaderErr', notification }
        : e.errorCode === ErrorCode.OpenMessage ? { kind: 'BgpOpenMsgErr', notification } : { kind: 'UpdateMsgErr', notification };
      this.guard(() => this.fsm.handle(event));
    }
    this.guard(() => this.owner.inputDone(this));
  }

  /** Runs what a socket event triggers; anything but a BgpError thrown there ends this session only. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * A bug met while handling this connection: reported, then the session ends with Cease (the
   * NOTIFICATION goes out where the state has one to send) and the socket is closed, whatever the
   * FSM did; the daemon and the other sessions carry on.
   */
  private fail(error: unknown): void {
    try {
      this.owner.fault(this, error);
      this.fsm.handle({ kind: 'AutomaticStop', subcode: CeaseSubcode.Unspecific });
    } catch (again) {
      void again; // already failing: closing the socket below is all that is left
    }
    this.drop();
  }

  private dispatch(message: DecodedMessage): void {
    switch (message.type) {
      case 'open': {
        const caps = openCapabilities(message);
        const four = caps.find((c) => c.type === 'four-octet-as');
        const open: OpenInfo = {
          version: 4, myAs: message.myAs, holdTime: message.holdTime, bgpId: message.bgpId,
          ...(four !== undefined && four.type === 'four-octet-as' ? { fourOctetAs: four.asn } : {}),
        };
        this.peerOpen = open;
        this.peerCapabilities = caps;
        if (this.owner.openReceived(this, open)) this.fsm.handle({ kind: 'BgpOpen', open });
        return;
      }
      case 'keepalive':
        this.fsm.handle({ kind: 'KeepAliveMsg' });
        return;
      case 'notification':
        this.lastNotificationReceived = { code: message.code, subcode: message.subcode, data: message.data };
        this.fsm.handle({ kind: 'NotifMsg', notification: this.lastNotificationReceived });
        return;
      case 'update':
        this.counters.updatesIn++;
        this.pendingUpdate = message;
        this.fsm.handle({ kind: 'UpdateMsg' });
        this.pendingUpdate = undefined;
        return;
      case 'route-refresh':
        if (this.fsm.state.name === 'Established') this.owner.routeRefresh(this);
        return;
    }
  }
}
