import type { Clock, Timer } from '../core/clock.js';
import type { Rng } from '../core/rng.js';
import type { Prf } from '../crypto/prf.js';
import { CryptoSuite, type SkCipher } from '../crypto/suite.js';
import { formatIpv4 } from '../net/address.js';
import type { Endpoint } from '../transport/types.js';
import type { ChildSaRemoval, NegotiatedChildSa } from './child-sa.js';
import { describeChild, negotiated, type ChildSa } from './child.js';
import type { EngineConfig, PeerConfig } from './config.js';
import { ExchangeType, HeaderFlag, exchangeName } from './constants.js';
import { checkRules } from './exchange-rules.js';
import { IkeError } from './errors.js';
import { isResponse, type IkeHeader } from './header.js';
import { ikeProtectionKeys, type IkeSaKeys } from './keymat.js';
import type { IkeDropKind, IkeNoticeKind } from './drops.js';
import { decodeMessage, describeMessage, encodeMessage, type IkeMessage } from './message.js';
import type { Payload } from './payload-chain.js';
import type { Identity } from './payloads/id.js';
import { errorNotify } from './payloads/notify.js';
import type { Proposal } from './payloads/sa.js';
import { protectMessage, unprotectMessage } from './protection.js';
import { describeChildRemoval, type ChildSaRemovalReason, type IkeSaReason } from './reasons.js';
import { TaskManager } from './task-manager.js';
import type { InitiatorTask } from './tasks/task.js';

/*
 * One IKE SA (RFC 7296 §2): its SPIs, keys, message IDs, children and timers, the requests it
 * sends (TaskManager) and the answers it gives (the responder, injected by the engine). It never
 * touches a socket or the wall clock: datagrams go out through the context, time comes from the
 * context's Clock.
 */

export type IkeSaState =
  /** IKE_SA_INIT / IKE_AUTH under way. */
  | 'connecting'
  | 'established'
  /** Replaced by a rekey; its Delete is pending. */
  | 'rekeyed'
  | 'deleting'
  | 'destroyed';

/** What the engine gives every IKE SA. */
export interface IkeSaContext {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly engine: EngineConfig;
  send(bytes: Uint8Array, local: Endpoint, remote: Endpoint): void;
  log(sa: IkeSa, message: string): void;
  stateChanged(sa: IkeSa, previous: IkeSaState, reason: IkeSaReason): void;
  childUp(sa: IkeSa, child: NegotiatedChildSa): void;
  childDown(removal: ChildSaRemoval): void;
  allocateChildSpi(): number;
  allocateIkeSpi(): bigint;
  /** The IKE SA's unique number within its engine, as in `peer[3]` (strongSwan's unique ID). */
  allocateIkeSaId(): number;
  /** A new IKE SA registered under its SPI (an IKE SA rekey's successor). */
  createIkeSa(config: PeerConfig, originalInitiator: boolean, spiI: bigint, spiR: bigint, local: Endpoint, remote: Endpoint): IkeSa;
  reqidFor(peer: string, child: string): number;
  /** (Re-)registers the SA under its current SPIs. */
  register(sa: IkeSa): void;
  unregister(sa: IkeSa): void;
  /** Answers a request (responder.ts), or throws IkeError for an error response. */
  respond(sa: IkeSa, request: IkeMessage): ResponderResult;
  /** INITIAL_CONTACT (RFC 7296 §2.4): the peer forgot every earlier IKE SA with us. */
  initialContact(sa: IkeSa): void;
  /** Whether another IKE SA of the same connection is established (the peer initiated while we did). */
  hasOtherEstablished(sa: IkeSa): boolean;
  /** The peer is gone (DPD, retransmits exhausted) or deleted the SA: the configured action. */
  peerGone(sa: IkeSa, reason: IkeSaReason, byPeer: boolean): void;
  /** A datagram for this SA that has no effect: counted, and logged at a bounded rate. */
  dropped(sa: IkeSa, kind: IkeDropKind, source: Endpoint, line: string): void;
  /** A per-datagram line that is not a drop (a retransmitted response), logged at a bounded rate. */
  notice(sa: IkeSa, kind: IkeNoticeKind, source: Endpoint, line: string): void;
  /** A bug (anything but an IkeError) met in one of the SA's timers: the SA is closed, nothing else. */
  timerFault(sa: IkeSa, error: unknown): void;
}

export interface ResponderResult {
  readonly payloads: Payload[];
  /** Runs after the response is sent (deleting the SA that carried it, say). */
  readonly after?: () => void;
}

export interface MessageIds {
  /** The ID our next request gets. */
  nextRequest: number;
  /** The ID the peer's next request must have. */
  expectedRequest: number;
}

/** Everything IKE_SA_INIT (or an IKE SA rekey) establishes. */
export interface IkeSaCrypto {
  readonly proposal: Proposal;
  readonly suite: CryptoSuite;
  readonly keys: IkeSaKeys;
  readonly nonceI: Uint8Array;
  readonly nonceR: Uint8Array;
}


export class IkeSa {
  readonly id: number;
  config: PeerConfig;
  readonly context: IkeSaContext;
  /** We are the original initiator (RFC 7296 §2.2: the I flag, SPIi, key directions). */
  readonly originalInitiator: boolean;
  spiI: bigint;
  spiR: bigint;
  local: Endpoint;
  remote: Endpoint;
  /** NAT traversal in use: IKE on port 4500 and ESP in UDP. */
  natTraversal = false;
  /** NAT detection found us behind a NAT: then we never follow the peer to a new address (RFC 7296 §2.23). */
  localBehindNat = false;
  /** The identity the peer proved in IKE_AUTH (INITIAL_CONTACT only affects SAs between the same identities). */
  remoteIdentity: Identity | undefined;
  /**
   * The connections this SA may still turn out to belong to (the responder before IKE_AUTH: chosen
   * by address at IKE_SA_INIT, narrowed to one by the identities in IKE_AUTH).
   */
  candidates: readonly PeerConfig[] = [];
  state: IkeSaState = 'connecting';
  /** Why it is in its state (undefined while it is connecting for the first time). */
  stateReason: IkeSaReason | undefined;
  crypto: IkeSaCrypto | undefined;
  /** The IKE_SA_INIT request and response as sent (AUTH signs them, §2.15). */
  initRequest: Uint8Array | undefined;
  initResponse: Uint8Array | undefined;
  readonly children: ChildSa[] = [];
  readonly messageIds: MessageIds = { nextRequest: 0, expectedRequest: 0 };
  readonly tasks: TaskManager;
  /** Set when a rekey made a successor; the children move there when this SA is deleted. */
  rekeyedTo: IkeSa | undefined;
  establishedAt: number | undefined;
  /** Last time an authenticated message came from the peer (DPD looks at it). */
  lastHeardAt: number;
  private lastResponse: { messageId: number; exchange: number; bytes: Uint8Array } | undefined;
  private skOut: SkCipher | undefined;
  private skIn: SkCipher | undefined;
  private timers: Timer[] = [];
  private readonly guardedClock: Clock;

  constructor(context: IkeSaContext, config: PeerConfig, originalInitiator: boolean, spiI: bigint, spiR: bigint, local: Endpoint, remote: Endpoint) {
    this.context = context;
    this.id = context.allocateIkeSaId();
    this.config = config;
    this.originalInitiator = originalInitiator;
    this.spiI = spiI;
    this.spiR = spiR;
    this.local = local;
    this.remote = remote;
    this.lastHeardAt = context.clock.now();
    // Every timer of this SA (retransmits, DPD, rekeys, lifetimes) fires under a guard: a bug met
    // there closes this SA, never the engine or the process.
    this.guardedClock = {
      now: () => context.clock.now(),
      setTimer: (ms, fn) => context.clock.setTimer(ms, () => {
        try {
          fn();
        } catch (e) {
          context.timerFault(this, e);
        }
      }),
    };
    this.tasks = new TaskManager(this);
  }

  get name(): string {
    return `${this.config.name}[${this.id}]`;
  }

  get clock(): Clock {
    return this.guardedClock;
  }

  get rng(): Rng {
    return this.context.rng;
  }

  /** The SPI we chose (our key in the engine's table). */
  get ourSpi(): bigint {
    return this.originalInitiator ? this.spiI : this.spiR;
  }

  get prf(): Prf {
    return this.crypto!.suite.prf!;
  }

  log(message: string): void {
    this.context.log(this, message);
  }

  /** Takes the keys of IKE_SA_INIT or a rekey into use. */
  setCrypto(crypto: IkeSaCrypto): void {
    this.crypto = crypto;
    const { outbound, inbound } = ikeProtectionKeys(crypto.keys, this.originalInitiator ? 'initiator' : 'responder');
    this.skOut = crypto.suite.sk(outbound);
    this.skIn = crypto.suite.sk(inbound);
  }

  setState(state: IkeSaState, reason: IkeSaReason): void {
    if (this.state === state) return;
    const previous = this.state;
    this.state = state;
    this.stateReason = reason;
    this.context.stateChanged(this, previous, reason);
  }

  /** IKE_AUTH's identities picked another of the candidate connections (strongSwan's set_peer_cfg). */
  useConfig(config: PeerConfig): void {
    if (config === this.config) return;
    const before = this.name;
    this.config = config;
    this.log(`was ${before}: the peer's identity selects connection ${config.name}`);
  }

  /** Whether a queued task may go now (only IKE_SA_INIT and IKE_AUTH before establishment). */
  canInitiate(task: InitiatorTask): boolean {
    if (this.state === 'destroyed' || this.state === 'deleting') return false;
    if (this.state === 'connecting') return task.exchange === ExchangeType.IKE_SA_INIT || task.exchange === ExchangeType.IKE_AUTH;
    return true;
  }

  queue(task: InitiatorTask): void {
    this.tasks.queue(task);
  }

  /** Moves IKE to port 4500 (RFC 7296 §2.23, RFC 3948): after NAT detection or to force UDP ESP. */
  floatToNatTraversal(): void {
    this.natTraversal = true;
    if (this.local.port === 500) this.local = { ...this.local, port: 4500 };
    if (this.remote.port === 500) this.remote = { ...this.remote, port: 4500 };
  }

  encode(exchange: number, messageId: number, response: boolean, payloads: readonly Payload[]): Uint8Array {
    const flags = (this.originalInitiator ? HeaderFlag.INITIATOR : 0) | (response ? HeaderFlag.RESPONSE : 0);
    const header = { spiI: this.spiI, spiR: this.spiR, exchangeType: exchange, flags, messageId, minorVersion: 0 };
    if (exchange === ExchangeType.IKE_SA_INIT) return encodeMessage({ header, payloads: [...payloads] });
    return protectMessage(header, payloads, this.skOut!, this.rng);
  }

  describe(exchange: number, messageId: number, response: boolean, payloads: readonly Payload[]): string {
    return describeMessage({ header: { spiI: this.spiI, spiR: this.spiR, exchangeType: exchange, flags: response ? HeaderFlag.RESPONSE : 0, messageId, minorVersion: 0 }, payloads: [...payloads] });
  }

  transmit(bytes: Uint8Array): void {
    this.context.send(bytes, this.local, this.remote);
  }

  /** Sends a one-off request we do not wait for (the INFORMATIONAL that reports a failed AUTH). */
  sendUnanswered(exchange: number, payloads: readonly Payload[]): void {
    const id = this.messageIds.nextRequest++;
    this.log(`sending ${this.describe(exchange, id, false, payloads)}`);
    this.transmit(this.encode(exchange, id, false, payloads));
  }

  /**
   * A datagram for this SA (the engine found it by its SPIs). Nothing but the response to our own
   * IKE_SA_INIT is taken unprotected, and nothing else has any effect (peer address, message IDs,
   * liveness, a response) before its Encrypted payload verifies.
   */
  receive(bytes: Uint8Array, header: IkeHeader, local: Endpoint, remote: Endpoint): void {
    if (this.state === 'destroyed') return;
    if (isResponse(header)) this.receiveResponse(bytes, header, remote);
    else this.receiveRequest(bytes, header, local, remote);
  }

  /** A retransmission of the IKE_SA_INIT request this responder SA answered (the engine compared the bytes). */
  retransmitInitResponse(remote: Endpoint): void {
    if (this.lastResponse?.messageId !== 0 || this.state !== 'connecting') return;
    this.context.notice(this, 'retransmit', remote, 'received retransmit of IKE_SA_INIT, retransmitting response');
    this.transmit(this.lastResponse.bytes);
  }

  private drop(kind: IkeDropKind, remote: Endpoint, line: string): undefined {
    this.context.dropped(this, kind, remote, line);
    return undefined;
  }

  /**
   * The message with its Encrypted payload verified and opened; undefined when it does not verify
   * (dropped and counted, RFC 7296 §2.21.2); IkeError when it verified but its inner payloads are
   * malformed (the peer hears about that).
   */
  private open(bytes: Uint8Array, header: IkeHeader, remote: Endpoint): IkeMessage | IkeError | undefined {
    const what = `${exchangeName(header.exchangeType)} ${isResponse(header) ? 'response' : 'request'} ${header.messageId} from ${formatEndpoint(remote)}`;
    if (this.skIn === undefined) return this.drop('unprotected', remote, `${what} before keys exist, dropped`);
    try {
      const r = unprotectMessage(bytes, this.skIn);
      if (!r.ok) return this.drop('integrity', remote, `${what} dropped: ${r.reason}`);
      return r.message;
    } catch (e) {
      if (e instanceof IkeError) return e;
      throw e;
    }
  }

  private receiveResponse(bytes: Uint8Array, header: IkeHeader, remote: Endpoint): void {
    if (!this.tasks.expects(header)) {
      this.drop('unexpected', remote, `unexpected ${exchangeName(header.exchangeType)} response ${header.messageId} from ${formatEndpoint(remote)}, dropped`);
      return;
    }
    if (header.exchangeType === ExchangeType.IKE_SA_INIT) {
      this.receiveInitResponse(bytes, remote);
      return;
    }
    const opened = this.open(bytes, header, remote);
    if (opened === undefined) return;
    let message: IkeMessage;
    try {
      if (opened instanceof IkeError) throw opened;
      message = opened;
      checkRules(header.exchangeType, true, message.payloads, true);
    } catch (e) {
      if (!(e instanceof IkeError)) throw e;
      this.heard();
      this.tasks.onBadResponse({ kind: 'invalid-response', notify: e.notifyType, detail: e.message });
      return;
    }
    this.heard();
    this.log(`received ${describeMessage(message)}`);
    this.tasks.onResponse(message);
  }

  /** The response to our IKE_SA_INIT: unprotected by nature, so it must at least come from where we sent the request. */
  private receiveInitResponse(bytes: Uint8Array, remote: Endpoint): void {
    if (remote.address !== this.remote.address || remote.port !== this.remote.port) {
      this.drop('unprotected', remote, `IKE_SA_INIT response from ${formatEndpoint(remote)}, we asked ${formatEndpoint(this.remote)}: dropped`);
      return;
    }
    let message: IkeMessage;
    try {
      message = decodeMessage(bytes);
      checkRules(ExchangeType.IKE_SA_INIT, true, message.payloads, false);
    } catch (e) {
      if (!(e instanceof IkeError)) throw e;
      // Unauthenticated and malformed: it may be forged, so keep waiting for the real one.
      this.drop('malformed', remote, `malformed IKE_SA_INIT response dropped: ${e.message}`);
      return;
    }
    this.heard();
    // The responder's AUTH signs its IKE_SA_INIT response as sent (RFC 7296 §2.15).
    this.initResponse = bytes;
    this.log(`received ${describeMessage(message)}`);
    this.tasks.onResponse(message);
  }

  private receiveRequest(bytes: Uint8Array, header: IkeHeader, local: Endpoint, remote: Endpoint): void {
    if (header.exchangeType === ExchangeType.IKE_SA_INIT) {
      // IKE_SA_INIT requests are the engine's (a new SA, or a retransmission it recognises).
      this.drop('unprotected', remote, `IKE_SA_INIT request ${header.messageId} from ${formatEndpoint(remote)} inside an established exchange, dropped`);
      return;
    }
    const last = this.lastResponse;
    const retransmitted = last !== undefined && header.messageId === last.messageId && header.exchangeType === last.exchange;
    if (!retransmitted && header.messageId !== this.messageIds.expectedRequest) {
      this.drop('unexpected', remote, `received message ID ${header.messageId} from ${formatEndpoint(remote)}, expected ${this.messageIds.expectedRequest}, dropped`);
      return;
    }
    const opened = this.open(bytes, header, remote);
    if (opened === undefined) return;
    if (retransmitted) {
      // Not a new packet: it moves nothing (§2.23), only gets the response again.
      this.context.notice(this, 'retransmit', remote, `received retransmit of request with ID ${header.messageId}, retransmitting response`);
      this.transmit(last.bytes);
      return;
    }
    this.heard();
    this.followPeer(local, remote);
    let result: ResponderResult;
    try {
      if (opened instanceof IkeError) throw opened;
      this.log(`received ${describeMessage(opened)}`);
      checkRules(header.exchangeType, false, opened.payloads, true);
      result = this.context.respond(this, opened);
    } catch (e) {
      if (!(e instanceof IkeError)) throw e;
      this.log(`request ${header.messageId} refused: ${e.message}`);
      result = { payloads: [errorNotify(e)] };
    }
    this.sendResponse(header.exchangeType, header.messageId, result.payloads);
    result.after?.();
  }

  /** Sends a response and keeps it for retransmitted requests. */
  sendResponse(exchange: number, messageId: number, payloads: readonly Payload[]): void {
    if (this.state === 'destroyed') return;
    const bytes = this.encode(exchange, messageId, true, payloads);
    this.log(`sending ${this.describe(exchange, messageId, true, payloads)}`);
    this.lastResponse = { messageId, exchange, bytes };
    this.messageIds.expectedRequest = messageId + 1;
    this.transmit(bytes);
  }

  /** Keeps the IKE_SA_INIT response for retransmitted requests (the engine sent it). */
  rememberInitResponse(bytes: Uint8Array): void {
    this.lastResponse = { messageId: 0, exchange: ExchangeType.IKE_SA_INIT, bytes };
    this.messageIds.expectedRequest = 1;
  }

  /**
   * A NAT may move the peer's port: answer where a new, verified request comes from (RFC 7296
   * §2.23) — unless we are the one behind a NAT, where following would let one packet break the SA.
   */
  private followPeer(local: Endpoint, remote: Endpoint): void {
    if (this.natTraversal && !this.localBehindNat && (remote.address !== this.remote.address || remote.port !== this.remote.port)) {
      this.log(`peer moved from ${formatEndpoint(this.remote)} to ${formatEndpoint(remote)}`);
      this.remote = remote;
      this.local = local;
    }
  }

  private heard(): void {
    this.lastHeardAt = this.clock.now();
  }

  /** IKE_AUTH completed (or a rekey made this SA): timers start. */
  established(reason: IkeSaReason): void {
    this.establishedAt = this.clock.now();
    this.setState('established', reason);
    this.context.register(this);
    this.scheduleRekey();
    this.scheduleDpd();
    this.tasks.kick();
  }

  addTimer(ms: number, fn: () => void): void {
    const t = this.clock.setTimer(ms, () => {
      this.timers = this.timers.filter((x) => x !== t);
      if (this.state !== 'destroyed') fn();
    });
    this.timers.push(t);
  }

  private scheduleRekey(): void {
    const s = this.config.ikeRekeySeconds;
    if (s <= 0) return;
    // strongSwan-like jitter: up to 10% early, so two peers with equal settings rarely collide.
    const ms = s * 1000 * (1 - 0.1 * this.rng.next());
    this.addTimer(ms, () => this.onRekeyDue());
  }

  /** Set by the engine: what to do when the IKE SA's rekey time comes. */
  onRekeyDue: () => void = () => undefined;
  /** Set by the engine: starts a liveness check. */
  onDpdDue: () => void = () => undefined;

  private scheduleDpd(): void {
    const s = this.config.dpdDelaySeconds;
    if (s <= 0) return;
    const check = () => {
      if (this.state !== 'established') return;
      const quiet = this.clock.now() - this.lastHeardAt;
      if (quiet >= s * 1000 && this.tasks.active === undefined) this.onDpdDue();
      this.addTimer(s * 1000, check);
    };
    this.addTimer(s * 1000, check);
  }

  childBySpi(spi: number, direction: 'inbound' | 'outbound'): ChildSa | undefined {
    return this.children.find((c) => (direction === 'inbound' ? c.inboundSpi : c.outboundSpi) === spi);
  }

  /** Hands a negotiated CHILD_SA to the data plane and starts its lifetime timers. */
  installChild(child: ChildSa, replaces?: ChildSa, deferOutbound = false): void {
    this.children.push(child);
    child.installed = true;
    this.log(`CHILD_SA ${describeChild(child)} established with ${CryptoSuite.esp(child.suite).name}${this.natTraversal ? ' in UDP' : ''}`);
    this.context.childUp(this, negotiated(child, this.dataPlaneView(), replaces?.inboundSpi, deferOutbound));
    this.startChildTimers(child);
  }

  /** Keeps a CHILD_SA the data plane never gets (a rekey collision's redundant one, about to be deleted). */
  adoptChild(child: ChildSa): void {
    this.children.push(child);
  }

  private startChildTimers(child: ChildSa): void {
    const l = child.config.lifetimes;
    const at = (seconds: number, fn: () => void) => {
      const elapsed = this.clock.now() - child.createdAt;
      const t = this.clock.setTimer(Math.max(0, seconds * 1000 - elapsed), fn);
      child.timers.push(t);
    };
    if (l.rekeySeconds !== undefined && l.rekeySeconds > 0) at(l.rekeySeconds * (1 - 0.1 * this.rng.next()), () => this.onChildRekeyDue(child));
    if (l.lifeSeconds !== undefined && l.lifeSeconds > 0) {
      at(l.lifeSeconds, () => {
        if (this.children.includes(child)) this.removeChild(child, { kind: 'hard-lifetime' });
      });
    }
  }

  /** Set by the engine: rekeys a child whose soft lifetime came. */
  onChildRekeyDue: (child: ChildSa) => void = () => undefined;

  dataPlaneView(): Pick<NegotiatedChildSa, 'ikeSaName' | 'local' | 'remote' | 'udpEncapsulation'> {
    return { ikeSaName: this.name, local: this.local, remote: this.remote, udpEncapsulation: this.natTraversal };
  }

  removeChild(child: ChildSa, reason: ChildSaRemovalReason): void {
    const i = this.children.indexOf(child);
    if (i < 0) return;
    this.children.splice(i, 1);
    for (const t of child.timers) t.cancel();
    this.log(`CHILD_SA ${child.config.name}{${child.reqid}} closed: ${describeChildRemoval(reason)}`);
    if (child.installed) this.context.childDown({ ikeSaName: this.name, childName: child.config.name, inboundSpi: child.inboundSpi, outboundSpi: child.outboundSpi, reason });
  }

  /** Gives our children to the SA that replaced us (IKE SA rekey, RFC 7296 §2.18). */
  moveChildrenTo(successor: IkeSa): void {
    for (const child of this.children.splice(0)) {
      successor.children.push(child);
    }
    for (const task of this.tasks.takeQueued()) successor.queue(task);
  }

  /** Retransmits ran out: the peer is gone. */
  peerDead(reason: IkeSaReason): void {
    this.context.peerGone(this, reason, false);
  }

  destroy(reason: IkeSaReason): void {
    if (this.state === 'destroyed') return;
    this.tasks.stop(reason);
    for (const t of this.timers) t.cancel();
    this.timers = [];
    for (const child of [...this.children]) this.removeChild(child, { kind: 'ike-sa-gone', ikeSa: this.name, cause: reason });
    this.setState('destroyed', reason);
    this.context.unregister(this);
  }
}

export function formatEndpoint(e: Endpoint): string {
  return `${formatIpv4(e.address)}[${e.port}]`;
}
