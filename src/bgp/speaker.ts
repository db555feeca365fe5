import type { Clock } from '../core/clock.js';
import type { Rng } from '../core/rng.js';
import { formatIpv4, formatPrefix, type Ipv4Address, type Prefix } from '../net/address.js';
import type { Transport, TcpListener } from '../transport/types.js';
import { Afi, Safi, type Asn } from './types.js';
import { CapabilityCode, type Capability } from './capabilities.js';
import type { BgpConnection } from './connection.js';
import { CeaseSubcode, type BgpError } from './errors.js';
import { makeFsmConfig } from './fsm-open.js';
import type { Negotiated, TransitionReason } from './fsm-types.js';
import { encodeMessage } from './message.js';
import { BgpNeighbor, BGP_PORT, type AcceptRefusal, type NeighborConfig, type NeighborEvent, type NeighborHost } from './neighbor.js';
import { makeOpen } from './open.js';
import { Rib } from './rib/rib.js';
import type { RibChanges } from './rib/changes.js';
import type { NextHopResolver, RouteUpdate } from './rib/rib.js';
import { packBatch, type NotSent } from './update-packer.js';
import { FSM_DEFAULTS } from './timers.js';
import { LogLimiter } from '../core/log-limiter.js';

/** Seconds proposed in OPEN unless configured (RFC 4271 §10 suggests 90; FRR and BIRD use it). */
export const DEFAULT_HOLD_TIME = 90;

/**
 * Received routes held back to go through the RIB together. Enough to spread the cost of a RIB
 * pass over many routes; few enough that what a pass keeps alive (decoded UPDATEs, the routes to
 * send) dies young: a whole socket read's worth (thousands of routes) outlived V8's young
 * generation and was promoted, to be collected only by a full GC (bench/README.md).
 */
const MAX_PENDING_ROUTES = 1024;

const REFUSAL_TEXT: Record<AcceptRefusal, string> = {
  'active-only': 'configured to connect only',
  idle: 'the session is Idle (waiting to restart)',
  established: 'the session is already established',
};

export interface SpeakerConfig {
  localAs: Asn;
  routerId: Ipv4Address;
  /** Where to accept connections (default: any address, port 179); `false` = never listen. */
  listen?: { address?: Ipv4Address; port?: number } | false;
  neighbors: NeighborConfig[];
  /** Prefixes this speaker originates (FRR `network`, RRAS Add-BgpCustomRoute). */
  networks?: Prefix[];
  /** RFC 8212 (default true, as FRR's traditional profile). */
  ebgpRequiresPolicy?: boolean;
  holdTime?: number;
  /**
   * ECMP: how many equally good paths per prefix the forwarding table gets (the RIB's `maxPaths`).
   * Default 1, the best path only.
   */
  maxPaths?: number;
}

export interface SpeakerEnvironment {
  transport: Transport;
  clock: Clock;
  rng: Rng;
  /** IGP cost to a next hop, undefined when unreachable (default: every next hop at cost 0). */
  resolveNextHop?: NextHopResolver;
  log?: (line: string) => void;
  /** Called with best-path changes, to install them in a forwarding table. */
  onBestChange?: (changes: RibChanges['best']) => void;
  /** A neighbour's session changed state (for event timelines). */
  onTransition?: (neighbor: string, event: NeighborEvent) => void;
}

/**
 * A BGP speaker: the RIB and one BgpNeighbor per configured peer, over any Transport (the
 * simulator's or real sockets). Received UPDATEs go through the RIB; what the RIB says to
 * advertise is packed into full UPDATE messages per attribute set and sent.
 */
export class BgpSpeaker implements NeighborHost {
  readonly config: SpeakerConfig;
  readonly transport: Transport;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly rib: Rib;
  readonly neighbors: BgpNeighbor[] = [];
  private listener: TcpListener | undefined;
  private readonly env: SpeakerEnvironment;
  /** Refused and replaced connections, logged per source and reason, a few a minute each. */
  private readonly refusals: LogLimiter;
  /** State changes short of Established, per neighbour: a peer that connects and closes in a loop drives them. */
  private readonly transitionLog: LogLimiter;
  /**
   * UPDATEs received and not yet applied: those of one burst of input from one neighbour, applied
   * together when the connection has handled all of it (`inputDone`), or before anything else
   * touches the RIB.
   */
  private pending: { neighbor: BgpNeighbor; updates: RouteUpdate[]; routes: number } | undefined;

  constructor(config: SpeakerConfig, env: SpeakerEnvironment) {
    this.config = config;
    this.env = env;
    this.transport = env.transport;
    this.clock = env.clock;
    this.rng = env.rng;
    this.refusals = new LogLimiter(env.clock, (line) => this.env.log?.(line));
    this.transitionLog = new LogLimiter(env.clock, (line) => this.env.log?.(line), { burst: 20 });
    this.rib = new Rib({
      localAs: config.localAs, routerId: config.routerId,
      resolveNextHop: env.resolveNextHop ?? (() => 0),
      reportBestChanges: env.onBestChange !== undefined,
      ...(config.maxPaths !== undefined ? { maxPaths: config.maxPaths } : {}),
      ...(config.ebgpRequiresPolicy !== undefined ? { ebgpRequiresPolicy: config.ebgpRequiresPolicy } : {}),
    });
    for (const n of config.neighbors) {
      const holdTime = n.holdTime ?? config.holdTime ?? DEFAULT_HOLD_TIME;
      const fsmConfig = makeFsmConfig({
        localAs: config.localAs, peerAs: n.asn, bgpId: config.routerId, holdTime,
        // A connection whose OPEN has not come within the hold time is closed (FRR; RFC 4271 §8.2.2's
        // "large value", 4 minutes, only when no hold time is used): what an idle connection holds is bounded.
        openHoldTime: holdTime > 0 ? holdTime : FSM_DEFAULTS.openHoldTime,
        passive: n.passive ?? false,
        ...(n.keepaliveTime !== undefined ? { keepaliveTime: n.keepaliveTime } : {}),
        ...(n.fixedKeepalive === true ? { fixedKeepalive: true } : {}),
        ...(n.connectRetryTime !== undefined ? { connectRetryTime: n.connectRetryTime } : {}),
      });
      const neighbor = new BgpNeighbor(n, fsmConfig, this, config.localAs);
      this.neighbors.push(neighbor);
      this.rib.addPeer(this.peerInfo(neighbor));
    }
  }

  start(): void {
    if (this.config.listen !== false) {
      const listen = this.config.listen ?? {};
      this.listener = this.transport.listenTcp({ ...(listen.address !== undefined ? { address: listen.address } : {}), port: listen.port ?? BGP_PORT }, (socket) => {
        const from = socket.remote.address;
        const neighbor = this.neighbors.find((n) => n.config.address === from);
        if (neighbor === undefined) {
          // RFC 4271 §8: connections from unconfigured addresses are refused (FRR, BIRD, RRAS alike).
          socket.destroy();
          this.refusals.log(`unknown:${from}`, () => `refused a connection from unknown ${formatIpv4(from)}`);
          return;
        }
        const refusal = neighbor.accept(socket);
        if (refusal !== undefined) {
          this.refusals.log(`${refusal}:${from}`, () => `${neighbor.name}: refused a connection from ${formatIpv4(from)}: ${REFUSAL_TEXT[refusal]}`);
        }
      });
    }
    if (this.config.networks !== undefined && this.config.networks.length > 0) {
      this.distribute(this.rib.originate(this.config.networks.map((prefix) => ({ prefix }))));
    }
    for (const n of this.neighbors) n.start();
  }

  stop(): void {
    for (const n of this.neighbors) n.stop(CeaseSubcode.AdministrativeShutdown);
    this.listener?.close();
    this.listener = undefined;
    this.refusals.flush();
    this.transitionLog.flush();
  }

  /** Originates or withdraws local prefixes while running. */
  originate(prefixes: Prefix[], withdrawn: Prefix[] = []): void {
    this.applyPending();
    this.distribute(this.rib.originate(prefixes.map((prefix) => ({ prefix })), withdrawn));
  }

  /**
   * What `resolveNextHop` answers may have changed (the forwarding table moved): next hops are
   * resolved again, and the best paths that changes are sent and reported to `onBestChange`.
   */
  nexthopChanged(): void {
    this.applyPending();
    this.distribute(this.rib.nexthopChanged());
  }

  /** The listening socket while started (unless `listen: false`). */
  get tcpListener(): TcpListener | undefined {
    return this.listener;
  }

  neighbor(name: string): BgpNeighbor | undefined {
    return this.neighbors.find((n) => n.name === name);
  }

  buildOpen(neighbor: BgpNeighbor): Uint8Array {
    const capabilities: Capability[] = [
      { type: 'multiprotocol', afi: Afi.IPv4, safi: Safi.Unicast },
      { type: 'route-refresh', code: CapabilityCode.RouteRefresh },
      { type: 'four-octet-as', asn: this.config.localAs },
    ];
    const open = makeOpen({ asn: this.config.localAs, holdTime: neighbor.fsmConfig.holdTime, bgpId: this.config.routerId, capabilities });
    return encodeMessage(open, { fourOctetAs: true });
  }

  established(neighbor: BgpNeighbor, conn: BgpConnection, negotiated: Negotiated): void {
    const localAddress = neighbor.config.localAddress ?? conn.socket?.local.address ?? 0;
    const info = { ...this.peerInfo(neighbor), localAddress, routerId: negotiated.peerBgpId };
    this.applyPending();
    this.rib.removePeer(neighbor.name);
    this.rib.addPeer(info);
    this.env.log?.(`${neighbor.name}: session established (hold ${negotiated.holdTime}s, AS ${negotiated.peerAs})`);
    this.distribute(this.rib.peerUp(neighbor.name, { routerId: negotiated.peerBgpId }));
  }

  down(neighbor: BgpNeighbor, reason: TransitionReason): void {
    void reason;
    // What the neighbour sent before going down goes with the rest of its routes.
    if (this.pending?.neighbor === neighbor) this.pending = undefined;
    this.applyPending();
    this.distribute(this.rib.peerDown(neighbor.name));
  }

  update(neighbor: BgpNeighbor, conn: BgpConnection): void {
    const outcome = conn.pendingUpdate;
    if (outcome === undefined) return;
    if (outcome.errors.length > 0 || outcome.nextHopErrors.length > 0) this.noteUpdateErrors(neighbor, [...outcome.errors, ...outcome.nextHopErrors]);
    if (outcome.endOfRib !== undefined) {
      this.applyPending();
      this.rib.endOfRib(neighbor.name);
    }
    if (outcome.announced.length === 0 && outcome.withdrawn.length === 0) return;
    if (this.pending !== undefined && this.pending.neighbor !== neighbor) this.applyPending();
    this.pending ??= { neighbor, updates: [], routes: 0 };
    this.pending.updates.push({ announced: outcome.announced, withdrawn: outcome.withdrawn });
    this.pending.routes += outcome.announced.length + outcome.withdrawn.length;
    if (this.pending.routes >= MAX_PENDING_ROUTES) this.applyPending();
  }

  inputDone(): void {
    this.applyPending();
  }

  routeRefresh(neighbor: BgpNeighbor): void {
    this.applyPending();
    // What was pending may have torn the session down (max-prefix): nothing is owed to it then.
    if (neighbor.established === undefined) return;
    this.distribute(this.rib.routeRefresh(neighbor.name));
  }

  log(neighbor: BgpNeighbor, text: string, limit?: 'connections' | 'transitions'): void {
    if (limit === undefined) this.env.log?.(`${neighbor.name}: ${text}`);
    else if (limit === 'connections') this.refusals.log(`${limit}:${neighbor.name}`, () => `${neighbor.name}: ${text}`);
    else this.transitionLog.log(neighbor.name, () => `${neighbor.name}: ${text}`);
  }

  fault(neighbor: BgpNeighbor, error: unknown): void {
    const text = error instanceof Error ? `${error.name}${'code' in error ? ` ${String(error.code)}` : ''}: ${error.message}` : String(error);
    this.env.log?.(`${neighbor.name}: internal error handling the connection, session closed: ${text}`);
  }

  transitioned(neighbor: BgpNeighbor, event: NeighborEvent): void {
    this.env.onTransition?.(neighbor.name, event);
  }

  /**
   * RFC 7606 §8: errors handled without a reset (treat-as-withdraw, attribute-discard) must be
   * logged. Each distinct error is logged once per neighbour; all are counted.
   */
  private noteUpdateErrors(neighbor: BgpNeighbor, errors: readonly BgpError[]): void {
    const seen = neighbor.updateErrors;
    seen.count++;
    for (const e of errors) {
      const text = `${e.message} (${e.action})`;
      if (seen.first(text, text)) this.env.log?.(`${neighbor.name}: UPDATE error: ${text}${seen.full ? ' (further distinct errors are counted, not logged)' : ''}`);
    }
  }

  /**
   * Routes whose UPDATE cannot be built for the neighbour (FRR: "attributes too long, cannot send
   * UPDATE") were withdrawn there instead: they leave its Adj-RIB-Out, are counted, and each prefix
   * is logged once per neighbour (up to 100, then only counted).
   */
  private noteNotSent(neighbor: BgpNeighbor, n: NotSent): void {
    this.rib.notAdvertised(neighbor.name, n.prefixes);
    const seen = neighbor.notSent;
    seen.count += n.prefixes.length;
    for (const prefix of n.prefixes) {
      const key = formatPrefix(prefix);
      if (seen.first(key, `${key}: ${n.reason}`)) {
        this.env.log?.(`${neighbor.name}: ${key} not sent, attributes too long, cannot send UPDATE (${n.reason})${seen.full ? ' (further routes are counted, not logged)' : ''}`);
      }
    }
  }

  private peerInfo(neighbor: BgpNeighbor) {
    const n = neighbor.config;
    return {
      id: neighbor.name, address: n.address, asn: n.asn, localAddress: n.localAddress ?? 0,
      ...(n.importPolicy !== undefined ? { importPolicy: n.importPolicy } : {}),
      ...(n.exportPolicy !== undefined ? { exportPolicy: n.exportPolicy } : {}),
      ...(n.maxPrefix !== undefined ? { maxPrefix: n.maxPrefix } : {}),
      ...(n.weight !== undefined ? { weight: n.weight } : {}),
    };
  }

  /** The received UPDATEs not yet applied, through the RIB in one pass, and what that changes sent. */
  private applyPending(): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    this.distribute(this.rib.updateMany(p.neighbor.name, p.updates));
  }

  /** Sends what the RIB decided: per peer, withdrawals, then UPDATEs packed per attribute set. */
  private distribute(changes: RibChanges): void {
    for (const u of changes.updates) {
      const neighbor = this.neighbor(u.peerId);
      const conn = neighbor?.established;
      if (neighbor === undefined || conn === undefined) continue;
      const { bytes, messages, notSent } = packBatch(u, conn.codec);
      conn.sendUpdates(bytes, messages);
      for (const n of notSent) this.noteNotSent(neighbor, n);
    }
    for (const v of changes.violations) {
      this.env.log?.(`${v.peerId}: maximum prefixes ${v.limit} exceeded (${v.count}), action ${v.action}`);
      if (v.action === 'teardown') this.neighbor(v.peerId)?.tearDown(CeaseSubcode.MaximumNumberOfPrefixesReached, v.restartAfterMs);
    }
    for (const id of changes.refreshRequests) {
      const conn = this.neighbor(id)?.established;
      conn?.send(encodeMessage({ type: 'route-refresh', afi: Afi.IPv4, subtype: 0, safi: Safi.Unicast }, conn.codec));
    }
    if (changes.best.length > 0) this.env.onBestChange?.(changes.best);
  }
}
