import type { Clock } from '../core/clock.js';
import type { Rng } from '../core/rng.js';
import { bytesEqual } from '../crypto/bytes.js';
import { dhGroupById } from '../crypto/dh.js';
import { formatIpv4 } from '../net/address.js';
import type { Endpoint } from '../transport/types.js';
import type { ChildSaRemoval, NegotiatedChildSa } from './child-sa.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig, type PeerConfig } from './config.js';
import { ExchangeType, HeaderFlag, NotifyType } from './constants.js';
import { CookieJar } from './cookies.js';
import { checkRules } from './exchange-rules.js';
import { IkeError } from './errors.js';
import { decodeMessage, decodeMessageHeader, describeMessage, encodeMessage, payloadOf, type IkeMessage } from './message.js';
import { formatIkeSpi, isInitiator, isResponse, spiToBytes, type IkeHeader } from './header.js';
import { DropRecorder, type IkeDropCounts } from './drops.js';
import { HalfOpenTable } from './half-open.js';
import { IkeSa, formatEndpoint, type IkeSaContext, type IkeSaState } from './ike-sa.js';
import { deriveIkeKeys } from './keymat.js';
import { detectNat, natDetectionNotifies } from './nat.js';
import type { Payload } from './payload-chain.js';
import { sameIdentity } from './payloads/id.js';
import { cookieNotify, invalidKeNotify, notify } from './payloads/notify.js';
import { chooseIkeProposal, connectionsFor } from './peer-selection.js';
import { ChildCreateTask } from './tasks/child-create.js';
import { dhGroupOf, ikeSuite, notifiesOf, sharedSecret } from './tasks/common.js';
import { IkeAuthTask } from './tasks/ike-auth.js';
import { IkeInitTask } from './tasks/ike-init.js';
import { IkeRekeyTask } from './tasks/ike-rekey.js';
import { DpdTask, IkeDeleteTask } from './tasks/informational.js';
import { describeIkeSaReason, type IkeSaReason } from './reasons.js';
import { respond } from './tasks/responder.js';
import { ikeSaView, type IkeSaView } from './views.js';

/*
 * The IKE daemon's core, sans IO: it takes datagrams (IKE bytes with the endpoints they came
 * between) and commands (initiate, acquire, expire, terminate), and emits datagrams, CHILD_SAs
 * for the data plane and log lines. It owns the IKE SA table, answers IKE_SA_INIT (the only
 * message that arrives without an SA), hands out SPIs and cookies. The runtime adds sockets.
 */

export interface IkeDatagram {
  readonly local: Endpoint;
  readonly remote: Endpoint;
  /** The IKE message (on port 4500 without its non-ESP marker). */
  readonly payload: Uint8Array;
}

export interface IkeStateEvent {
  readonly ikeSa: string;
  readonly peer: string;
  readonly state: IkeSaState;
  readonly previous: IkeSaState;
  readonly reason: IkeSaReason;
}

export interface IkeEngineEvents {
  log?(line: string): void;
  ikeState?(event: IkeStateEvent): void;
  childUp?(child: NegotiatedChildSa): void;
  childDown?(removal: ChildSaRemoval): void;
}

export interface IkeEngineOptions {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly peers: readonly PeerConfig[];
  readonly send: (datagram: IkeDatagram) => void;
  readonly events?: IkeEngineEvents;
  readonly config?: Partial<EngineConfig>;
}

export class IkeEngine {
  readonly config: EngineConfig;
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly peers: Map<string, PeerConfig>;
  private readonly sendDatagram: (d: IkeDatagram) => void;
  private readonly events: IkeEngineEvents;
  /** IKE SAs by the SPI we chose. */
  private readonly table = new Map<bigint, IkeSa>();
  /** Responder SAs before IKE_AUTH, by the initiator's SPI and address (retransmitted IKE_SA_INIT), counted per source. */
  private readonly halfOpen = new HalfOpenTable();
  private readonly drops: DropRecorder;
  private readonly childSpis = new Set<number>();
  private readonly reqids = new Map<string, number>();
  private ikeSaCount = 0;
  private readonly cookies: CookieJar;
  private readonly context: IkeSaContext;

  constructor(options: IkeEngineOptions) {
    this.clock = options.clock;
    this.rng = options.rng;
    this.config = { ...DEFAULT_ENGINE_CONFIG, ...options.config };
    this.peers = new Map(options.peers.map((p) => [p.name, p]));
    this.sendDatagram = options.send;
    this.events = options.events ?? {};
    this.cookies = new CookieJar(this.rng);
    this.drops = new DropRecorder(this.clock, (line) => this.log(line));
    this.context = this.makeContext();
  }

  /** Starts every peer with a child to bring up at once (start_action = start). */
  start(): void {
    for (const peer of this.peers.values()) {
      if (!peer.responderOnly && peer.children.some((c) => c.startAction === 'start')) this.initiate(peer.name);
    }
  }

  /**
   * Brings a peer up: IKE_SA_INIT, IKE_AUTH with the first child, then the other start children.
   * With an IKE SA already up (or coming up) for the peer, returns that one instead.
   */
  initiate(peerName: string, childName?: string): IkeSa {
    const config = this.peer(peerName);
    const existing = this.ikeSasOf(peerName).find((s) => s.state === 'established' || s.state === 'connecting');
    if (existing !== undefined) {
      existing.log(`already ${existing.state}: not initiating another IKE SA`);
      if (childName !== undefined) this.acquire(peerName, childName);
      return existing;
    }
    if (config.remoteAddress === undefined) throw new IkeError(NotifyType.INVALID_SYNTAX, `connection ${peerName} has no remote address to initiate to`);
    const sa = this.createSa(config, true, this.allocateIkeSpi(), 0n, { address: config.localAddress, port: 500 }, { address: config.remoteAddress, port: 500 });
    this.table.set(sa.ourSpi, sa);
    const wanted = childName !== undefined ? config.children.filter((c) => c.name === childName) : config.children.filter((c) => c.startAction === 'start');
    const first = wanted[0] ?? (childName === undefined ? config.children[0] : undefined);
    sa.log(`initiating IKE_SA to ${formatEndpoint(sa.remote)}`);
    sa.queue(new IkeInitTask(sa));
    sa.queue(new IkeAuthTask(first));
    for (const c of wanted.slice(1)) sa.queue(new ChildCreateTask(c));
    return sa;
  }

  /** The data plane saw a packet for a trapped child with no SA: set it up. */
  acquire(peerName: string, childName: string): void {
    const config = this.peer(peerName);
    const child = config.children.find((c) => c.name === childName);
    if (child === undefined) return;
    const sa = this.ikeSasOf(peerName).find((s) => s.state === 'established' || s.state === 'connecting');
    if (sa === undefined) {
      if (!config.responderOnly) this.initiate(peerName, childName);
      return;
    }
    const busy = sa.children.some((c) => c.config === child) || [sa.tasks.active, ...sa.tasks.pending].some((t) => t instanceof ChildCreateTask && t.config === child) || sa.state === 'connecting';
    if (!busy) sa.queue(new ChildCreateTask(child));
  }

  /** The data plane reports an ESP SA reached a byte or packet limit. */
  expire(inboundSpi: number, level: 'soft' | 'hard'): void {
    for (const sa of this.table.values()) {
      const child = sa.childBySpi(inboundSpi, 'inbound');
      if (child === undefined) continue;
      if (level === 'hard') sa.removeChild(child, { kind: 'hard-lifetime' });
      else if (child.state === 'installed') sa.queue(new ChildCreateTask(child.config, child));
      return;
    }
  }

  /** Deletes every IKE SA of a peer (INFORMATIONAL Delete). */
  terminate(peerName: string, reason: IkeSaReason = { kind: 'terminated-by-user' }): void {
    for (const sa of this.ikeSasOf(peerName)) {
      if (sa.state === 'established') sa.queue(new IkeDeleteTask(reason));
      else sa.destroy(reason);
    }
  }

  /** Rekeys a peer's IKE SA now. */
  /** Forgets every IKE SA without a word to the peers (the gateway crashed or lost power). */
  reset(reason: IkeSaReason): void {
    for (const sa of [...this.table.values()]) sa.destroy(reason);
  }

  rekeyIkeSa(peerName: string): void {
    for (const sa of this.ikeSasOf(peerName)) if (sa.state === 'established') sa.queue(new IkeRekeyTask());
  }

  /** Rekeys a child now (by name). */
  rekeyChild(peerName: string, childName: string): void {
    for (const sa of this.ikeSasOf(peerName)) {
      for (const c of sa.children) if (c.config.name === childName && c.state === 'installed') sa.queue(new ChildCreateTask(c.config, c));
    }
  }

  /** Every IKE SA not yet destroyed. */
  ikeSas(): IkeSa[] {
    return [...this.table.values()].filter((s) => s.state !== 'destroyed');
  }

  peerNames(): string[] {
    return [...this.peers.keys()];
  }

  ikeSasOf(peerName: string): IkeSa[] {
    return [...this.table.values()].filter((s) => s.config.name === peerName && s.state !== 'destroyed');
  }

  /** What `vpnlab ike sas` shows. */
  view(): IkeSaView[] {
    return [...this.table.values()].filter((s) => s.state !== 'destroyed').map((s) => ikeSaView(s, this.clock.now()));
  }

  /** Datagrams dropped so far, by kind (exact; the log shows a few and summaries). */
  get dropped(): IkeDropCounts {
    return this.drops.dropped;
  }

  /** COOKIE notifies sent so far. */
  get cookiesSent(): number {
    return this.drops.cookiesSent;
  }

  /** Half-open IKE SAs (responder side, waiting for IKE_AUTH). */
  get halfOpenCount(): number {
    return this.halfOpen.size;
  }

  /** Writes the summaries of rate-limited log lines still pending (the daemon is stopping). */
  flushLog(): void {
    this.drops.flush();
  }

  /**
   * An IKE datagram from the network. Unprotected, only an IKE_SA_INIT request (message ID 0, no
   * responder SPI) or the response to our own is taken (RFC 7296 §2.6, §2.21); every other
   * message goes to the IKE SA with both its SPIs, which verifies it before anything happens.
   */
  receive(d: IkeDatagram): void {
    try {
      this.dispatch(d);
    } catch (e) {
      this.fault(undefined, d.remote, `handling a datagram from ${formatEndpoint(d.remote)}`, e);
    }
  }

  private dispatch(d: IkeDatagram): void {
    let header: IkeHeader;
    try {
      header = decodeMessageHeader(d.payload);
    } catch (e) {
      if (!(e instanceof IkeError)) throw e;
      this.drops.drop('malformed', d.remote.address, `datagram from ${formatEndpoint(d.remote)} dropped: ${e.message}`);
      return;
    }
    if (header.exchangeType === ExchangeType.IKE_SA_INIT) {
      this.receiveInit(d, header);
      return;
    }
    const ours = isInitiator(header) ? header.spiR : header.spiI;
    const sa = this.table.get(ours);
    if (sa === undefined || sa.state === 'destroyed' || sa.spiI !== header.spiI || sa.spiR !== header.spiR) {
      this.drops.drop('unknown-sa', d.remote.address, () => `${isResponse(header) ? 'response' : 'request'} for unknown IKE SA ${formatIkeSpi(header.spiI)}_i ${formatIkeSpi(header.spiR)}_r from ${formatEndpoint(d.remote)} dropped`);
      return;
    }
    this.within(sa, d, header);
  }

  /** Hands a datagram to its IKE SA; a bug met there closes that SA only. */
  private within(sa: IkeSa, d: IkeDatagram, header: IkeHeader): void {
    try {
      sa.receive(d.payload, header, d.local, d.remote);
    } catch (e) {
      this.fault(sa, d.remote, `handling a datagram from ${formatEndpoint(d.remote)}`, e);
    }
  }

  /**
   * Something other than an IkeError was thrown handling a datagram or an IKE SA's timer: a bug.
   * It is counted and logged (rate-limited: a peer may trigger it at will); the IKE SA, if any, is in an
   * unknown state, so it is closed without a Delete (its peer notices at its next DPD). The
   * engine and every other SA carry on.
   */
  private fault(sa: IkeSa | undefined, source: Endpoint, what: string, error: unknown): void {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.drops.drop('internal', source.address, `${sa !== undefined ? `${sa.name}: ` : ''}internal error ${what}${sa !== undefined ? ', IKE SA closed' : ', dropped'}: ${why}`);
    if (sa === undefined) return;
    try {
      sa.destroy({ kind: 'internal-error', detail: why });
    } catch (again) {
      void again; // already failing: the SA leaves the tables below whatever destroy reached
    }
    this.context.unregister(sa);
  }

  private receiveInit(d: IkeDatagram, header: IkeHeader): void {
    const unprotected = (why: string) => this.drops.drop('unprotected', d.remote.address, () => `IKE_SA_INIT ${isResponse(header) ? 'response' : 'request'} ${formatIkeSpi(header.spiI)}_i ${formatIkeSpi(header.spiR)}_r message ${header.messageId} from ${formatEndpoint(d.remote)} dropped: ${why}`);
    if (header.messageId !== 0) {
      unprotected('IKE_SA_INIT is always message 0');
      return;
    }
    if (isResponse(header)) {
      const sa = this.table.get(header.spiI);
      if (sa === undefined || !sa.originalInitiator || sa.state !== 'connecting' || sa.spiR !== 0n) {
        unprotected('no IKE_SA_INIT of ours is waiting for it');
        return;
      }
      this.within(sa, d, header);
      return;
    }
    if (header.spiR !== 0n) {
      unprotected('a request with a responder SPI');
      return;
    }
    const again = this.halfOpen.find(header.spiI, d.remote.address);
    if (again === undefined) {
      this.respondInit(d, header);
    } else if (again.initRequest !== undefined && bytesEqual(again.initRequest, d.payload)) {
      again.retransmitInitResponse(d.remote);
    } else {
      unprotected(`it reuses the SPI of half-open ${again.name} with different content`);
    }
  }

  private respondInit(d: IkeDatagram, header: IkeHeader): void {
    const source = d.remote.address;
    let request: IkeMessage;
    try {
      request = decodeMessage(d.payload);
      checkRules(ExchangeType.IKE_SA_INIT, false, request.payloads, false);
    } catch (e) {
      if (!(e instanceof IkeError)) throw e;
      this.drops.drop('malformed', source, `IKE_SA_INIT from ${formatEndpoint(d.remote)} dropped: ${e.message}`);
      return;
    }
    const refuse = (payloads: Payload[], why: string, kind: 'refused' | 'cookie' = 'refused') => {
      this.drops.note(kind, source, `IKE_SA_INIT from ${formatEndpoint(d.remote)}: ${why}`);
      const bytes = encodeMessage({ header: { spiI: header.spiI, spiR: 0n, exchangeType: ExchangeType.IKE_SA_INIT, flags: HeaderFlag.RESPONSE, messageId: 0, minorVersion: 0 }, payloads });
      this.sendDatagram({ local: d.local, remote: d.remote, payload: bytes });
    };
    const configs = connectionsFor(this.peers.values(), d.local.address, source);
    if (configs.length === 0) {
      refuse([notify(NotifyType.NO_PROPOSAL_CHOSEN)], `no connection configured for ${formatIpv4(d.local.address)}...${formatIpv4(source)}, sending NO_PROPOSAL_CHOSEN`);
      return;
    }
    const nonceI = payloadOf(request.payloads, 'nonce')!.data;
    // strongSwan's order (receiver.c, drop_ike_sa_init): the stateless cookie first, then the
    // per-source block, then the global limit.
    const { cookieThreshold, blockThreshold, halfOpenLimit } = this.config;
    if (cookieThreshold > 0 && this.halfOpen.size >= cookieThreshold) {
      const first = request.payloads[0];
      const cookie = first?.type === 'notify' && first.notifyType === NotifyType.COOKIE ? first.data : undefined;
      if (cookie === undefined || !this.cookies.verify(cookie, nonceI, source, header.spiI)) {
        this.drops.cookiesSent++;
        refuse([cookieNotify(this.cookies.make(nonceI, source, header.spiI))], `${this.halfOpen.size} half-open IKE SAs, asking for a cookie`, 'cookie');
        return;
      }
    }
    if (blockThreshold > 0 && this.halfOpen.from(source) >= blockThreshold) {
      this.drops.drop('blocked', source, `IKE_SA_INIT from ${formatEndpoint(d.remote)} ignored: it has ${this.halfOpen.from(source)} half-open IKE SAs (block threshold ${blockThreshold})`);
      return;
    }
    if (halfOpenLimit > 0 && this.halfOpen.size >= halfOpenLimit) {
      this.drops.drop('half-open-limit', source, `IKE_SA_INIT from ${formatEndpoint(d.remote)} ignored: ${this.halfOpen.size} half-open IKE SAs (limit ${halfOpenLimit})`);
      return;
    }
    this.log(`received ${describeMessage(request)} from ${formatEndpoint(d.remote)}`);
    const offered = payloadOf(request.payloads, 'sa')!.proposals;
    const choice = chooseIkeProposal(configs, offered);
    if (choice === undefined) {
      refuse([notify(NotifyType.NO_PROPOSAL_CHOSEN)], `no acceptable proposal (offered: ${offered.length}), sending NO_PROPOSAL_CHOSEN`);
      return;
    }
    const { chosen } = choice;
    const config = choice.candidates[0]!;
    const group = dhGroupOf(chosen);
    const ke = payloadOf(request.payloads, 'ke')!;
    if (ke.group !== group) {
      refuse([invalidKeNotify(group)], `KE of group ${ke.group}, we want ${group}: sending INVALID_KE_PAYLOAD`);
      return;
    }
    const keyPair = dhGroupById(group).generate(this.rng);
    let shared: Uint8Array;
    try {
      shared = sharedSecret(keyPair, ke.data);
    } catch (e) {
      if (!(e instanceof IkeError)) throw e;
      refuse([notify(NotifyType.INVALID_SYNTAX)], e.message);
      return;
    }
    const sa = this.createSa(config, false, header.spiI, this.allocateIkeSpi(), d.local, d.remote);
    sa.candidates = choice.candidates;
    const nonceR = this.rng.bytes(this.config.nonceLength);
    const suite = ikeSuite(chosen);
    const { keys } = deriveIkeKeys(suite, { nonceI, nonceR, spiI: spiToBytes(sa.spiI), spiR: spiToBytes(sa.spiR), sharedSecret: shared });
    sa.setCrypto({ proposal: chosen, suite, keys, nonceI, nonceR });
    sa.initRequest = d.payload;
    const nat = detectNat(notifiesOf(request.payloads), header.spiI, 0n, d.local, d.remote);
    if (nat.peerBehindNat || nat.localBehindNat || (nat.supported && config.forceEncapsulation)) sa.natTraversal = true;
    sa.localBehindNat = nat.localBehindNat;
    const payloads: Payload[] = [
      { type: 'sa', proposals: [chosen] },
      { type: 'ke', group, data: keyPair.publicValue },
      { type: 'nonce', data: nonceR },
    ];
    if (nat.supported) payloads.push(...natDetectionNotifies(sa.spiI, sa.spiR, d.local, d.remote, config.forceEncapsulation));
    const bytes = sa.encode(ExchangeType.IKE_SA_INIT, 0, true, payloads);
    sa.initResponse = bytes;
    sa.rememberInitResponse(bytes);
    this.table.set(sa.ourSpi, sa);
    this.halfOpen.add(sa, sa.spiI, source);
    sa.addTimer(this.config.halfOpenTimeoutMs, () => {
      if (sa.state === 'connecting') sa.destroy({ kind: 'half-open-timeout', timeoutMs: this.config.halfOpenTimeoutMs });
    });
    sa.log(`${formatEndpoint(d.remote)} is initiating an IKE_SA, selected ${suite.name}${sa.natTraversal ? ', NAT traversal' : ''}`);
    sa.log(`sending ${sa.describe(ExchangeType.IKE_SA_INIT, 0, true, payloads)}`);
    sa.transmit(bytes);
  }

  private createSa(config: PeerConfig, originalInitiator: boolean, spiI: bigint, spiR: bigint, local: Endpoint, remote: Endpoint): IkeSa {
    const sa = new IkeSa(this.context, config, originalInitiator, spiI, spiR, local, remote);
    sa.onRekeyDue = () => sa.queue(new IkeRekeyTask());
    sa.onDpdDue = () => sa.queue(new DpdTask());
    sa.onChildRekeyDue = (child) => {
      if (child.state === 'installed' && sa.children.includes(child)) sa.queue(new ChildCreateTask(child.config, child));
    };
    return sa;
  }

  private peer(name: string): PeerConfig {
    const p = this.peers.get(name);
    if (p === undefined) throw new IkeError(NotifyType.INVALID_SYNTAX, `no connection named '${name}' (known: ${[...this.peers.keys()].join(', ')})`);
    return p;
  }

  private allocateIkeSpi(): bigint {
    for (;;) {
      const b = this.rng.bytes(8);
      let v = 0n;
      for (const x of b) v = (v << 8n) | BigInt(x);
      if (v !== 0n && !this.table.has(v)) return v;
    }
  }

  private allocateChildSpi(): number {
    for (;;) {
      // 0xc0000000 and up, as strongSwan does: clear of the reserved 1-255 range.
      const spi = (0xc0000000 | (this.rng.int(0x40000000) >>> 0)) >>> 0;
      if (!this.childSpis.has(spi)) {
        this.childSpis.add(spi);
        return spi;
      }
    }
  }

  private log(line: string): void {
    this.events.log?.(line);
  }

  private makeContext(): IkeSaContext {
    return {
      clock: this.clock,
      rng: this.rng,
      engine: this.config,
      send: (payload, local, remote) => this.sendDatagram({ local, remote, payload }),
      log: (sa, message) => this.log(`${sa.name}: ${message}`),
      stateChanged: (sa, previous, reason) => {
        this.log(`${sa.name}: ${previous} -> ${sa.state}: ${describeIkeSaReason(reason)}`);
        if (sa.state !== 'connecting') this.halfOpen.remove(sa);
        this.events.ikeState?.({ ikeSa: sa.name, peer: sa.config.name, state: sa.state, previous, reason });
      },
      childUp: (_sa, child) => this.events.childUp?.(child),
      childDown: (removal) => {
        this.childSpis.delete(removal.inboundSpi);
        this.events.childDown?.(removal);
      },
      allocateChildSpi: () => this.allocateChildSpi(),
      allocateIkeSpi: () => this.allocateIkeSpi(),
      allocateIkeSaId: () => ++this.ikeSaCount,
      reqidFor: (peer, child) => {
        const key = `${peer}/${child}`;
        let id = this.reqids.get(key);
        if (id === undefined) {
          id = this.reqids.size + 1;
          this.reqids.set(key, id);
        }
        return id;
      },
      register: (sa) => this.table.set(sa.ourSpi, sa),
      unregister: (sa) => {
        if (this.table.get(sa.ourSpi) === sa) this.table.delete(sa.ourSpi);
        this.halfOpen.remove(sa);
      },
      createIkeSa: (config, originalInitiator, spiI, spiR, local, remote) => {
        const sa = this.createSa(config, originalInitiator, spiI, spiR, local, remote);
        this.table.set(sa.ourSpi, sa);
        return sa;
      },
      respond,
      initialContact: (sa) => this.initialContact(sa),
      peerGone: (sa, reason, byPeer) => this.peerGone(sa, reason, byPeer),
      dropped: (sa, kind, source, line) => this.drops.drop(kind, source.address, () => `${sa.name}: ${line}`),
      notice: (sa, kind, source, line) => this.drops.note(kind, source.address, () => `${sa.name}: ${line}`),
      timerFault: (sa, error) => this.fault(sa, sa.remote, 'in a timer', error),
      hasOtherEstablished: (sa) => this.ikeSasOf(sa.config.name).some((other) => other !== sa && other.state === 'established'),
    };
  }

  /**
   * INITIAL_CONTACT (RFC 7296 §2.4, §3.16): the peer remembers no earlier IKE SA with us, so the
   * ones between the same authenticated identities are stale and go, without a Delete (strongSwan's
   * check_uniqueness with force_replace). Another peer on the same connection (`remote: %any`)
   * authenticated as someone else, and keeps its SA.
   */
  private initialContact(sa: IkeSa): void {
    const peerId = sa.remoteIdentity;
    if (peerId === undefined) return;
    for (const other of this.ikeSas()) {
      if (other === sa || other.state === 'connecting' || other.remoteIdentity === undefined) continue;
      if (!sameIdentity(other.remoteIdentity, peerId) || !sameIdentity(other.config.localIdentity, sa.config.localIdentity)) continue;
      other.destroy({ kind: 'replaced-by-initial-contact', by: sa.name });
    }
  }

  private peerGone(sa: IkeSa, reason: IkeSaReason, byPeer: boolean): void {
    const successor = sa.rekeyedTo;
    if (byPeer && successor !== undefined && successor.state !== 'destroyed') {
      sa.moveChildrenTo(successor);
      sa.destroy({ kind: 'rekeyed-to', successor: successor.name });
      return;
    }
    sa.destroy(reason);
    if (!byPeer && sa.config.dpdAction === 'restart' && !sa.config.responderOnly && sa.config.remoteAddress !== undefined) {
      this.log(`${sa.config.name}: restarting after: ${describeIkeSaReason(reason)}`);
      this.initiate(sa.config.name);
    }
  }
}
