import type { Clock, Timer } from '../core/clock.js';
import type { Rng } from '../core/rng.js';
import { formatIpv4, type Ipv4Address } from '../net/address.js';
import type { Transport, TcpSocket, TransportError } from '../transport/types.js';
import { BgpConnection, type ConnectionOwner } from './connection.js';
import { detectCollision, resolveCollision } from './fsm-collision.js';
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
  log(neighbor: BgpNeighbor, text: string): void;
  /** A state change of the neighbour's session (after it is in `history`). */
  transitioned?(neighbor: BgpNeighbor, event: NeighborEvent): void;
}

/** A state change users can see (FRR's "%ADJCHANGE", GoBGP's fsmStateReason). */
export interface NeighborEvent {
  at: number;
  from: string;
  to: string;
  reason: string;
}

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
  private secondary: BgpConnection | undefined;
  /** Outgoing connect in progress, to abandon if an incoming connection is adopted. */
  private pendingConnect: TcpSocket | undefined;
  establishedAt: number | undefined;
  negotiated: Negotiated | undefined;
  lastError: string | undefined;
  readonly history: NeighborEvent[] = [];
  /** UPDATEs that had RFC 7606 errors handled without a reset: how many, the last, those logged. */
  readonly updateErrors = { count: 0, last: undefined as string | undefined, logged: new Set<string>() };
  private restartTimer: Timer | undefined;

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

  stop(subcode?: number): void {
    this.restartTimer?.cancel();
    this.restartTimer = undefined;
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
    this.primary.fsm.stop(subcode); // in Idle: cancels the automatic restart
    this.restartTimer?.cancel();
    this.restartTimer = restartAfterMs === undefined ? undefined : this.host.clock.setTimer(restartAfterMs, () => {
      this.restartTimer = undefined;
      this.start();
    });
  }

  /** An incoming TCP connection from this neighbour's address. */
  accept(socket: TcpSocket): void {
    const state = this.primary.fsm.state.name;
    if (this.config.acceptIncoming === false || state === 'Idle' || state === 'Established' || this.secondary !== undefined) {
      socket.destroy(); // Idle refuses connections (§8.2.2); Established keeps its own (§6.8)
      return;
    }
    if (state === 'Active' && this.primary.socket === undefined && this.pendingConnect === undefined) {
      this.primary.attach(socket, 'TcpConnectionConfirmed');
      return;
    }
    // Our own connect is under way, or we are in OpenSent/OpenConfirm: both connections run, each
    // on its own FSM, until an OPEN settles the collision (RFC 4271 §6.8).
    const second = this.newConnection('incoming');
    this.secondary = second;
    second.fsm.handle({ kind: 'ManualStartPassive' });
    second.attach(socket, 'TcpConnectionConfirmed');
  }

  connect(conn: BgpConnection): void {
    const remote = { address: this.config.address, port: this.config.port ?? BGP_PORT };
    let socket: TcpSocket | undefined;
    try {
      socket = this.host.transport.connectTcp({ remote, ...(this.config.localAddress !== undefined ? { localAddress: this.config.localAddress } : {}) }, {
        onConnect: () => {
          if (this.pendingConnect !== socket || socket === undefined) return;
          this.pendingConnect = undefined;
          conn.attach(socket, 'TcpCrAcked');
        },
        onClose: (error?: TransportError) => {
          if (this.pendingConnect !== socket) return;
          this.pendingConnect = undefined;
          conn.fsm.handle(error === undefined ? { kind: 'TcpConnectionFails' } : { kind: 'TcpConnectionFails', error: error.code });
        },
      });
    } catch (e) {
      this.host.clock.setTimer(0, () => conn.fsm.handle({ kind: 'TcpConnectionFails', error: (e as TransportError).code ?? String(e) }));
      return;
    }
    this.pendingConnect = socket;
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
    const verdict = resolveCollision({ localBgpId: this.fsmConfig.bgpId, remoteBgpId: open.bgpId, localAs: this.fsmConfig.localAs, remoteAs: this.config.asn });
    const loser = conn.direction === verdict.close ? conn : other;
    const winner = loser === conn ? other : conn;
    loser.fsm.handle({ kind: 'OpenCollisionDump' });
    loser.fsm.dispose();
    loser.drop();
    this.primary = winner;
    this.secondary = undefined;
    this.host.log(this, `connection collision: kept the ${winner.direction} connection`);
    return loser !== conn;
  }

  action(conn: BgpConnection, action: SessionAction): void {
    switch (action.kind) {
      case 'session-established':
        if (conn !== this.primary) {
          // The second connection won without a collision check (the first one failed meanwhile).
          this.primary.fsm.dispose();
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
        if (conn === this.secondary) {
          conn.fsm.dispose();
          this.secondary = undefined;
        }
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

  transition(conn: BgpConnection, record: FsmTransitionRecord): void {
    if (conn !== this.primary || record.from === record.to) return;
    if (conn.direction === 'incoming' && record.to === 'Idle' && record.reason.kind !== 'admin-stop') {
      // The accepted connection that won a collision has ended: go back to a normal FSM, which
      // initiates as well as accepts (unless configured passive).
      conn.fsm.dispose();
      this.primary = this.newConnection('outgoing');
      this.host.clock.setTimer(0, () => this.primary.fsm.handle({ kind: this.fsmConfig.passive ? 'AutomaticStartPassive' : 'AutomaticStart' }));
    }
    const reason = describeReason(record.reason);
    const event = { at: record.at, from: record.from, to: record.to, reason };
    this.history.push(event);
    if (this.history.length > 50) this.history.shift();
    if (record.to === 'Idle' || record.from === 'Established') this.lastError = reason;
    this.host.log(this, `${record.from} -> ${record.to}: ${reason}`);
    this.host.transitioned?.(this, event);
  }
}
