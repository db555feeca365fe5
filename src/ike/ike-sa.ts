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
import { decodeMessage, describeMessage, encodeMessage, type IkeMessage } from './message.js';
import type { Payload } from './payload-chain.js';
import { errorNotify } from './payloads/notify.js';
import type { Proposal } from './payloads/sa.js';
import { protectMessage, unprotectMessage } from './protection.js';
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
  stateChanged(sa: IkeSa, previous: IkeSaState, reason: string): void;
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
  peerGone(sa: IkeSa, reason: string, byPeer: boolean): void;
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
  readonly config: PeerConfig;
  readonly context: IkeSaContext;
  /** We are the original initiator (RFC 7296 §2.2: the I flag, SPIi, key directions). */
  readonly originalInitiator: boolean;
  spiI: bigint;
  spiR: bigint;
  local: Endpoint;
  remote: Endpoint;
  /** NAT traversal in use: IKE on port 4500 and ESP in UDP. */
  natTraversal = false;
  state: IkeSaState = 'connecting';
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
  private lastResponse: { messageId: number; bytes: Uint8Array } | undefined;
  private skOut: SkCipher | undefined;
  private skIn: SkCipher | undefined;
  private timers: Timer[] = [];

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
    this.tasks = new TaskManager(this);
  }

  get name(): string {
    return `${this.config.name}[${this.id}]`;
  }

  get clock(): Clock {
    return this.context.clock;
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

  setState(state: IkeSaState, reason: string): void {
    if (this.state === state) return;
    const previous = this.state;
    this.state = state;
    this.context.stateChanged(this, previous, reason);
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

  /** A datagram for this SA (the engine found it by SPI). */
  receive(bytes: Uint8Array, header: IkeHeader, local: Endpoint, remote: Endpoint): void {
    if (this.state === 'destroyed') return;
    if (isResponse(header)) this.receiveResponse(bytes, header);
    else this.receiveRequest(bytes, header, local, remote);
  }

  private decode(bytes: Uint8Array, header: IkeHeader): IkeMessage | undefined {
    if (header.exchangeType === ExchangeType.IKE_SA_INIT) return decodeMessage(bytes);
    if (this.skIn === undefined) {
      this.log(`${exchangeName(header.exchangeType)} before keys exist, dropped`);
      return undefined;
    }
    const r = unprotectMessage(bytes, this.skIn);
    if (!r.ok) {
      this.log(`${exchangeName(header.exchangeType)} message ${header.messageId} dropped: ${r.reason}`);
      return undefined;
    }
    return r.message;
  }

  private receiveResponse(bytes: Uint8Array, header: IkeHeader): void {
    if (!this.tasks.expects(header)) {
      this.log(`unexpected ${exchangeName(header.exchangeType)} response ${header.messageId}, dropped`);
      return;
    }
    let message: IkeMessage | undefined;
    try {
      message = this.decode(bytes, header);
      if (message === undefined) return;
      checkRules(header.exchangeType, true, message.payloads, header.exchangeType !== ExchangeType.IKE_SA_INIT);
    } catch (e) {
      if (!(e instanceof IkeError)) throw e;
      // An unauthenticated IKE_SA_INIT response that does not parse may be forged: keep waiting.
      if (header.exchangeType === ExchangeType.IKE_SA_INIT && message === undefined) {
        this.log(`malformed IKE_SA_INIT response dropped: ${e.message}`);
        return;
      }
      this.tasks.onBadResponse(e.message);
      return;
    }
    this.heard();
    // The responder's AUTH signs its IKE_SA_INIT response as sent (RFC 7296 §2.15).
    if (header.exchangeType === ExchangeType.IKE_SA_INIT) this.initResponse = bytes;
    this.log(`received ${describeMessage(message)}`);
    this.tasks.onResponse(message);
  }

  private receiveRequest(bytes: Uint8Array, header: IkeHeader, local: Endpoint, remote: Endpoint): void {
    const ids = this.messageIds;
    if (this.lastResponse !== undefined && header.messageId === this.lastResponse.messageId) {
      this.log(`received retransmit of request with ID ${header.messageId}, retransmitting response`);
      this.transmit(this.lastResponse.bytes);
      return;
    }
    if (header.messageId !== ids.expectedRequest) {
      this.log(`received message ID ${header.messageId}, expected ${ids.expectedRequest}, dropped`);
      return;
    }
    let request: IkeMessage | undefined;
    let result: ResponderResult;
    try {
      request = this.decode(bytes, header);
      if (request === undefined) return;
      this.heard();
      this.followPeer(local, remote);
      this.log(`received ${describeMessage(request)}`);
      checkRules(header.exchangeType, false, request.payloads, true);
      result = this.context.respond(this, request);
    } catch (e) {
      if (!(e instanceof IkeError)) throw e;
      if (request === undefined) {
        // Not authenticated (it did not decrypt): no answer, RFC 7296 §2.21.2.
        this.log(`malformed request dropped: ${e.message}`);
        return;
      }
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
    this.lastResponse = { messageId, bytes };
    this.messageIds.expectedRequest = messageId + 1;
    this.transmit(bytes);
  }

  /** Keeps the IKE_SA_INIT response for retransmitted requests (the engine sent it). */
  rememberInitResponse(bytes: Uint8Array): void {
    this.lastResponse = { messageId: 0, bytes };
    this.messageIds.expectedRequest = 1;
  }

  /** A NAT may move the peer's port: answer where requests come from (RFC 7296 §2.23). */
  private followPeer(local: Endpoint, remote: Endpoint): void {
    if (this.natTraversal && (remote.address !== this.remote.address || remote.port !== this.remote.port)) {
      this.log(`peer moved from ${formatEndpoint(this.remote)} to ${formatEndpoint(remote)}`);
      this.remote = remote;
      this.local = local;
    }
  }

  private heard(): void {
    this.lastHeardAt = this.clock.now();
  }

  /** IKE_AUTH completed (or a rekey made this SA): timers start. */
  established(reason: string): void {
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
        if (this.children.includes(child)) this.removeChild(child, 'hard lifetime reached');
      });
    }
  }

  /** Set by the engine: rekeys a child whose soft lifetime came. */
  onChildRekeyDue: (child: ChildSa) => void = () => undefined;

  dataPlaneView(): Pick<NegotiatedChildSa, 'ikeSaName' | 'local' | 'remote' | 'udpEncapsulation'> {
    return { ikeSaName: this.name, local: this.local, remote: this.remote, udpEncapsulation: this.natTraversal };
  }

  removeChild(child: ChildSa, reason: string): void {
    const i = this.children.indexOf(child);
    if (i < 0) return;
    this.children.splice(i, 1);
    for (const t of child.timers) t.cancel();
    this.log(`CHILD_SA ${child.config.name}{${child.reqid}} closed: ${reason}`);
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
  peerDead(reason: string): void {
    this.context.peerGone(this, reason, false);
  }

  destroy(reason: string): void {
    if (this.state === 'destroyed') return;
    this.tasks.stop(reason);
    for (const t of this.timers) t.cancel();
    this.timers = [];
    for (const child of [...this.children]) this.removeChild(child, `IKE SA ${this.name} gone: ${reason}`);
    this.setState('destroyed', reason);
    this.context.unregister(this);
  }
}

export function formatEndpoint(e: Endpoint): string {
  return `${formatIpv4(e.address)}[${e.port}]`;
}
