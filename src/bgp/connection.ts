import type { Clock } from '../core/clock.js';
import type { Rng } from '../core/rng.js';
import type { TcpSocket } from '../transport/types.js';
import type { CodecContext, DecodeContext } from './context.js';
import { BgpError, ErrorCode } from './errors.js';
import { BgpFramer } from './framer.js';
import { FsmDriver, type FsmTransitionRecord } from './fsm-driver.js';
import type { ConnectionDirection, FsmConfig, FsmEventBody, NotificationInfo, OpenInfo, SessionAction } from './fsm-types.js';
import { decodeMessage, encodeMessage, type DecodedMessage } from './message.js';
import { openCapabilities } from './open.js';
import type { UpdateOutcome } from './update.js';

/** What a connection reports to the neighbour that owns it. */
export interface ConnectionOwner {
  /** The FSM asked for an outgoing TCP connection. */
  connect(conn: BgpConnection): void;
  /** An OPEN arrived: the owner checks for a collision before the FSM sees it. */
  openReceived(conn: BgpConnection, open: OpenInfo): boolean;
  /** Every other FSM action, after the connection has handled the socket-level ones. */
  action(conn: BgpConnection, action: SessionAction): void;
  transition(conn: BgpConnection, record: FsmTransitionRecord): void;
  /** The peer asked for our routes again (ROUTE-REFRESH, RFC 2918). */
  routeRefresh(conn: BgpConnection): void;
  /** Every whole message of what arrived has been handled (UPDATEs may be applied in bulk now). */
  inputDone(conn: BgpConnection): void;
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
    this.socket = socket;
    this.framer = new BgpFramer();
    // A socket this connection has dropped may still deliver (the peer's last KEEPALIVE, its FIN)
    // after the FSM has moved on to a new socket: only the current one speaks to the FSM.
    socket.setHandlers({
      onData: (d) => {
        if (this.socket === socket) this.receive(d);
      },
      onEnd: () => {
        if (this.socket === socket) this.fsm.handle({ kind: 'TcpConnectionFails' });
      },
      onClose: (error) => {
        if (this.socket !== socket) return;
        this.socket = undefined;
        this.fsm.handle(error === undefined ? { kind: 'TcpConnectionFails' } : { kind: 'TcpConnectionFails', error: error.code });
      },
    });
    this.fsm.handle({ kind: event });
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

  drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.end();
  }

  private onAction(action: SessionAction): void {
    switch (action.kind) {
      case 'connect':
        this.owner.connect(this);
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
      if (!(e instanceof BgpError)) throw e;
      const notification: NotificationInfo = { code: e.errorCode, subcode: e.subcode, data: e.data };
      const event: FsmEventBody = e.errorCode === ErrorCode.MessageHeader ? { kind: 'BgpHeaderErr', notification }
        : e.errorCode === ErrorCode.OpenMessage ? { kind: 'BgpOpenMsgErr', notification } : { kind: 'UpdateMsgErr', notification };
      this.fsm.handle(event);
    } finally {
      this.owner.inputDone(this);
    }
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
