import type { Clock, Timer } from '../core/clock.js';
import { InvalidArgumentError } from '../core/errors.js';
import { DistinctOnce } from '../core/log-limiter.js';
import type { Rng } from '../core/rng.js';
import { formatIpv4, type Ipv4Address } from '../net/address.js';
import type { Transport, TcpSocket, TransportError } from '../transport/types.js';
import { BgpConnection, type ConnectionOwner } from './connection.js';
import { detectCollision, resolveCollision, type CollisionResolution } from './fsm-collision.js';
import type { FsmTransitionRecord } from './fsm-driver.js';
import { describeReason } from './fsm-reason.js';
import type { FsmConfig, Negotiated, OpenInfo, SessionAction, TransitionReason } from './fsm-types.js';
import type { Policy } from './policy/types.js';
import type { MaxPrefix } from './rib/peer.js';
import type { Asn } from './types.js';

export const BGP_PORT = 179;

/** One configured neighbour, as users write it. */
export interface NeighborConfig {
  /** A name for views and logs (default: the address). */
  name?: string;
  address: Ipv4Address;
  asn: Asn;
  port?: number;
  /** Our address for this session (default: whatever the transport picks). */
  localAddress?: Ipv4Address;
  /** Only accept connections (RRAS OperationMode Server, FRR `passive`). */
  passive?: boolean;
  /** false: refuse connections from this neighbour and only connect out (default true). */
  acceptIncoming?: boolean;
  /** Seconds (default 90; Azure uses 180). */
  holdTime?: number;
  keepaliveTime?: number;
  /** Keep keepaliveTime whatever hold time is negotiated (Azure's fixed timers). */
  fixedKeepalive?: boolean;
  connectRetryTime?: number;
  importPolicy?: Policy;
  exportPolicy?: Policy;
  maxPrefix?: MaxPrefix;
  weight?: number;
}

/** What the neighbour needs from its speaker. */
export interface NeighborHost {
  readonly transport: Transport;
  readonly clock: Clock;
  readonly rng: Rng;
  buildOpen(neighbor: BgpNeighbor): Uint8Array;
  established(neighbor: BgpNeighbor, conn: BgpConnection, negotiated: Negotiated): void;
  down(neighbor: BgpNeighbor, reason: TransitionReason): void;
  update(neighbor: BgpNeighbor, conn: BgpConnection): void;
  routeRefresh(neighbor: BgpNeighbor): void;
  /** The UPDATEs handed to `update` since the last call are all there is for now: apply them. */
  inputDone(neighbor: BgpNeighbor): void;
  /** `limit`: a line an attacker can repeat at will, kept to a few a minute per neighbour and kind. */
  log(neighbor: BgpNeighbor, text: string, limit?: 'connections' | 'transitions'): void;
  /** Something other than a BgpError was thrown handling one of the neighbour's connections. */
  fault(neighbor: BgpNeighbor, error: unknown): void;
  /** A state change of the neighbour's session (after it is in `history`). */
  transitioned?(neighbor: BgpNeighbor, event: NeighborEvent): void;
}

/** A state change users can see (FRR's "%ADJCHANGE", GoBGP's fsmStateReason): the reason stays typed. */
export interface NeighborEvent {
  readonly at: number;
  readonly from: string;
  readonly to: string;
  readonly reason: TransitionReason;
}

/** Why an incoming connection was refused (logged per source, rate-limited). */
export type AcceptRefusal = 'active-only' | 'idle' | 'established';

/**
 * A configured neighbour: its FSM configuration, its connection (two while a collision is being
 * resolved, RFC 4271 §6.8) and what users ask about it (state, uptime, last error).
 */
export class BgpNeighbor implements ConnectionOwner {
  readonly config: NeighborConfig;
  readonly fsmConfig: FsmConfig;
  readonly name: string;
  private readonly host: NeighborHost;
  private readonly external: boolean;
  /** The connection the FSM runs on; a second one only during a collision. */
  primary: BgpConnection;
  /**
   * An accepted connection waiting for its OPEN next to the primary's (RFC 4271 §6.8). At most
   * one: a newer one replaces it (FRR: "New active connection from peer, Killing previous active
   * connection"), so connections that never speak cannot lock the neighbour out. It leaves as
   * soon as its socket does (back to Active or Idle).
   */
  private secondary: BgpConnection | undefined;
  establishedAt: number | undefined;
  negotiated: Negotiated | undefined;
  /** The reason of the last transition to Idle or out of Established. */
  lastError: TransitionReason | undefined;
  readonly history: NeighborEvent[] = [];
  /** UPDATEs that had RFC 7606 errors handled without a reset: how many, the last, those logged. */
  readonly updateErrors = new DistinctOnce();
  /** Routes that could not be encoded for this neighbour (attributes too long): how many times, the last, those logged. */
  readonly notSent = new DistinctOnce();
  private restartTimer: Timer | undefined;
  /** The automatic start of a fresh FSM after an accepted connection's session ended. */
  private freshStart: Timer | undefined;

  constructor(config: NeighborConfig, fsmConfig: FsmConfig, host: NeighborHost, localAs: Asn) {
    this.config = config;
    this.fsmConfig = fsmConfig;
    this.name = config.name ?? formatIpv4(config.address);
    this.host = host;
    this.external = config.asn !== localAs;
    this.primary = this.newConnection('outgoing');
  }

  get state(): string {
    return this.primary.fsm.state.name;
  }

  get established(): BgpConnection | undefined {
    return this.primary.fsm.state.name === 'Established' ? this.primary : undefined;
  }

  start(): void {
    this.primary.fsm.start();
  }

  /** The connection waiting for its OPEN next to the primary, if any (for views and tests). */
  get second(): BgpConnection | undefined {
    return this.secondary;
  }

  stop(subcode?: number): void {
    this.restartTimer?.cancel();
    this.restartTimer = undefined;
    this.freshStart?.cancel();
    this.freshStart = undefined;
    this.primary.fsm.stop(subcode);
    this.secondary?.fsm.stop(subcode);
  }

  private newConnection(direction: 'outgoing' | 'incoming'): BgpConnection {
    return new BgpConnection({
      direction, config: direction === 'incoming' ? { ...this.fsmConfig, passive: true } : this.fsmConfig,
      clock: this.host.clock, rng: this.host.rng, external: this.external, owner: this,
      buildOpen: () => this.host.buildOpen(this),
    });
  }

  /**
   * Ends the session after a policy violation (maximum prefixes: RFC 4486 Cease subcode 1) and
   * keeps it down — no automatic restart — until `restartAfterMs` has passed, if given.
   */
  tearDown(subcode: number, restartAfterMs?: number): void {
    this.primary.fsm.handle({ kind: 'AutomaticStop', subcode });
    this.freshStart?.cancel();
    this.freshStart = undefined;
    this.primary.fsm.stop(subcode); // in Idle: cancels the automatic restart
    this.restartTimer?.cancel();
    this.restartTimer = restartAfterMs === undefined ? undefined : this.host.clock.setTimer(restartAfterMs, () => {
      this.restartTimer = undefined;
      this.start();
    });
  }

  /**
   * An incoming TCP connection from this neighbour's address: adopted by the primary FSM when it
   * is listening with no connection of its own, else run on a second FSM until an OPEN settles
   * which one stays. Refused (reset) in Idle (RFC 4271 §8.2.2: the automatic restart is pending),
   * in Established (§6.8: the session keeps its connection) and when configured to connect only.
   */
  accept(socket: TcpSocket): AcceptRefusal | undefined {
    const state = this.primary.fsm.state.name;
    const refusal: AcceptRefusal | undefined = this.config.acceptIncoming === false ? 'active-only'
      : state === 'Idle' ? 'idle' : state === 'Established' ? 'established' : undefined;
    if (refusal !== undefined) {
      socket.destroy();
      return refusal;
    }
    if (state === 'Active' && this.primary.socket === undefined && this.primary.connecting === undefined) {
      this.primary.attach(socket, 'TcpConnectionConfirmed');
      return undefined;
    }
    if (this.secondary !== undefined) {
      const old = this.secondary;
      this.secondary = undefined;
      old.dispose({ reset: true });
      this.host.log(this, 'a new connection replaces the one still waiting for its OPEN', 'connections');
    }
    // Our own connect is under way, or we are in OpenSent/OpenConfirm: both connections run, each
    // on its own FSM, until an OPEN settles the collision (RFC 4271 §6.8).
    const second = this.newConnection('incoming');
    this.secondary = second;
    second.fsm.handle({ kind: 'ManualStartPassive' });
    second.attach(socket, 'TcpConnectionConfirmed');
    return undefined;
  }

  connect(conn: BgpConnection): TcpSocket | undefined {
    const remote = { address: this.config.address, port: this.config.port ?? BGP_PORT };
    let socket: TcpSocket | undefined;
    try {
      socket = this.host.transport.connectTcp({ remote, ...(this.config.localAddress !== undefined ? { localAddress: this.config.localAddress } : {}) }, {
        onConnect: () => {
          if (socket !== undefined) conn.connected(socket, null);
        },
        onClose: (error?: TransportError) => {
          if (socket !== undefined) conn.connected(socket, error?.code);
        },
      });
    } catch (e) {
      this.host.clock.setTimer(0, () => conn.fsm.handle({ kind: 'TcpConnectionFails', error: (e as TransportError).code ?? String(e) }));
      return undefined;
    }
    return socket;
  }

  openReceived(conn: BgpConnection, open: OpenInfo): boolean {
    const other = conn === this.primary ? this.secondary : this.primary;
    if (other === undefined) return true;
    const check = detectCollision(other.fsm.state.name, { peerIdKnown: other.peerOpen !== undefined });
    if (check === 'no-collision') return true;
    if (check === 'close-new') {
      conn.fsm.handle({ kind: 'OpenCollisionDump' });
      return false;
    }
    let verdict: CollisionResolution;
    try {
      verdict = resolveCollision({ localBgpId: this.fsmConfig.bgpId, remoteBgpId: open.bgpId, localAs: this.fsmConfig.localAs, remoteAs: this.config.asn });
    } catch (e) {
      // Our own BGP Identifier on an iBGP session: the OPEN is refused (Bad BGP Identifier) by the FSM.
      if (e instanceof InvalidArgumentError) return true;
      throw e;
    }
    const loser = (conn.socketDirection ?? conn.direction) === verdict.close ? conn : other;
    const winner = loser === conn ? other : conn;
    loser.fsm.handle({ kind: 'OpenCollisionDump' });
    loser.dispose();
    this.primary = winner;
    this.secondary = undefined;
    this.host.log(this, `connection collision: kept the ${winner.socketDirection ?? winner.direction} connection`);
    return loser !== conn;
  }

  action(conn: BgpConnection, action: SessionAction): void {
    switch (action.kind) {
      case 'session-established':
        if (conn !== this.primary) {
          // The second connection won without a collision check (the first one failed meanwhile).
          this.primary.dispose();
          this.primary = conn;
          this.secondary = undefined;
        }
        this.establishedAt = this.host.clock.now();
        this.negotiated = action.negotiated;
        this.host.established(this, conn, action.negotiated);
        return;
      case 'session-down':
        if (conn === this.primary && this.establishedAt !== undefined) {
          this.establishedAt = undefined;
          this.negotiated = undefined;
          this.host.down(this, action.reason);
        }
        return;
      case 'process-update':
        if (conn === this.primary) this.host.update(this, conn);
        return;
      case 'release-resources':
        // The second connection is done with: closed here, since its FSM stops with it (the
        // NOTIFICATION, if any, was written just before).
        if (conn === this.secondary) this.retireSecondary();
        return;
      default:
        return;
    }
  }

  routeRefresh(conn: BgpConnection): void {
    if (conn === this.primary) this.host.routeRefresh(this);
  }

  inputDone(): void {
    this.host.inputDone(this);
  }

  fault(conn: BgpConnection, error: unknown): void {
    void conn;
    this.host.fault(this, error);
  }

  private retireSecondary(): void {
    const conn = this.secondary;
    this.secondary = undefined;
    conn?.dispose();
  }

  transition(conn: BgpConnection, record: FsmTransitionRecord): void {
    const gone = record.to === 'Idle' || (record.to === 'Active' && record.from !== 'Idle');
    if (conn === this.secondary && gone) {
      // Its connection is gone (closed before or after its OPEN): a second FSM never listens or connects.
      this.retireSecondary();
      return;
    }
    if (conn !== this.primary || record.from === record.to) return;
    if (conn.direction === 'incoming' && gone) {
      // The accepted connection that won a collision has ended: go back to a normal FSM, which
      // initiates as well as accepts (unless configured passive), started at once unless an
      // operator stopped the session.
      conn.dispose();
      const fresh = this.newConnection('outgoing');
      this.primary = fresh;
      this.freshStart?.cancel();
      this.freshStart = record.reason.kind === 'admin-stop' ? undefined : this.host.clock.setTimer(0, () => {
        this.freshStart = undefined;
        if (this.primary === fresh) fresh.fsm.handle({ kind: this.fsmConfig.passive ? 'AutomaticStartPassive' : 'AutomaticStart' });
      });
    }
    const event: NeighborEvent = { at: record.at, from: record.from, to: record.to, reason: record.reason };
    this.history.push(event);
    if (this.history.length > 50) this.history.shift();
    if (record.to === 'Idle' || record.from === 'Established') this.lastError = record.reason;
    // Changes that neither reach nor leave Established can be driven by anyone who connects.
    const routine = record.to !== 'Established' && record.from !== 'Established';
    this.host.log(this, `${record.from} -> ${record.to}: ${describeReason(record.reason)}`, routine ? 'transitions' : undefined);
    this.host.transitioned?.(this, event);
  }
}
