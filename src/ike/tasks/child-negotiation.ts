import type { DhKeyPair } from '../../crypto/dh.js';
import { dhGroupById } from '../../crypto/dh.js';
import { makeChild, type ChildSa } from '../child.js';
import type { ChildConfig } from '../config.js';
import { NotifyType, ProtocolId } from '../constants.js';
import { IkeError } from '../errors.js';
import type { IkeSa } from '../ike-sa.js';
import { payloadOf } from '../message.js';
import type { Payload } from '../payload-chain.js';
import { spiNumberFromBytes, spiNumberToBytes, invalidKeNotify } from '../payloads/notify.js';
import type { Proposal } from '../payloads/sa.js';
import type { Ipv4Selector, TrafficSelector } from '../payloads/ts.js';
import { selectProposal } from '../proposal.js';
import { narrowSelectors, selectorsWithin } from '../traffic-selectors.js';
import { acceptChosen, dhGroupOf, dhGroupsOf, selectorsOf, sharedSecret, withSpi, withoutDh } from './common.js';

/*
 * The CHILD_SA half of IKE_AUTH and CREATE_CHILD_SA (RFC 7296 §1.2, §1.3, §2.9, §2.17): the
 * initiator offers ESP proposals with its inbound SPI and its traffic selectors; the responder
 * picks a proposal, narrows the selectors to its policy and answers with its own SPI. In
 * IKE_AUTH there is no KE and the keys come from IKE_SA_INIT's nonces; in CREATE_CHILD_SA the
 * exchange has its own nonces and, with PFS, its own D-H.
 */

/** The initiator's side of one child negotiation. */
export class ChildOffer {
  readonly config: ChildConfig;
  readonly inboundSpi: number;
  /** CREATE_CHILD_SA: our nonce; IKE_AUTH: none (IKE_SA_INIT's are used). */
  readonly nonce: Uint8Array | undefined;
  private group: number;
  private keyPair: DhKeyPair | undefined;
  private readonly proposals: Proposal[];

  private readonly localSelectors: readonly Ipv4Selector[];
  private readonly remoteSelectors: readonly Ipv4Selector[];

  /**
   * `selectors`: those of the CHILD_SA being rekeyed (default: the configured ones); `previous`:
   * the offer this one retries after INVALID_KE_PAYLOAD (its D-H group is kept).
   */
  constructor(sa: IkeSa, config: ChildConfig, inIkeAuth: boolean, selectors?: { local: readonly Ipv4Selector[]; remote: readonly Ipv4Selector[] }, previous?: ChildOffer) {
    this.config = config;
    this.localSelectors = selectors?.local ?? config.localSelectors;
    this.remoteSelectors = selectors?.remote ?? config.remoteSelectors;
    this.inboundSpi = sa.context.allocateChildSpi();
    const spi = spiNumberToBytes(this.inboundSpi);
    this.proposals = withSpi(inIkeAuth ? withoutDh(config.espProposals) : config.espProposals, spi);
    this.group = inIkeAuth ? 0 : (previous?.group ?? dhGroupsOf(config.espProposals)[0] ?? 0);
    this.keyPair = this.group === 0 ? undefined : dhGroupById(this.group).generate(sa.rng);
    this.nonce = inIkeAuth ? undefined : sa.rng.bytes(sa.context.engine.nonceLength);
  }

  /** SA, [Ni, [KEi]], TSi, TSr. */
  payloads(): Payload[] {
    const out: Payload[] = [{ type: 'sa', proposals: this.proposals }];
    if (this.nonce !== undefined) out.push({ type: 'nonce', data: this.nonce });
    if (this.keyPair !== undefined) out.push({ type: 'ke', group: this.group, data: this.keyPair.publicValue });
    out.push({ type: 'tsi', selectors: [...this.localSelectors] }, { type: 'tsr', selectors: [...this.remoteSelectors] });
    return out;
  }

  /** INVALID_KE_PAYLOAD: use the group the responder asks for, if we offered it. */
  regroup(sa: IkeSa, group: number): boolean {
    if (this.keyPair === undefined || !dhGroupsOf(this.config.espProposals).includes(group)) return false;
    this.group = group;
    this.keyPair = dhGroupById(group).generate(sa.rng);
    return true;
  }

  /** The CHILD_SA the response describes; IkeError when it is not acceptable. */
  accept(sa: IkeSa, response: readonly Payload[], nonces: { nonceI: Uint8Array; nonceR: Uint8Array }): ChildSa {
    const chosen = acceptChosen(this.proposals, response);
    if (chosen.protocolId !== ProtocolId.ESP || chosen.spi.length !== 4) throw new IkeError(NotifyType.NO_PROPOSAL_CHOSEN, 'the chosen child proposal is not ESP with a 4-octet SPI');
    let pfs: Uint8Array | undefined;
    const group = dhGroupOf(chosen);
    if (this.keyPair !== undefined || group !== 0) {
      const ke = payloadOf(response, 'ke');
      if (ke === undefined || group !== this.group || ke.group !== group) throw new IkeError(NotifyType.INVALID_KE_PAYLOAD, `PFS: chosen group ${group}, KE ${ke?.group ?? 'missing'}, ours ${this.group}`);
      pfs = sharedSecret(this.keyPair!, ke.data);
    }
    const tsi = selectorsOf(response, 'tsi');
    const tsr = selectorsOf(response, 'tsr');
    if (!selectorsWithin(tsi, this.localSelectors) || !selectorsWithin(tsr, this.remoteSelectors)) {
      throw new IkeError(NotifyType.TS_UNACCEPTABLE, 'the responder returned traffic selectors outside those proposed');
    }
    return makeChild({
      config: this.config, reqid: sa.context.reqidFor(sa.config.name, this.config.name), inboundSpi: this.inboundSpi,
      outboundSpi: spiNumberFromBytes(chosen.spi), proposal: chosen, exchangeInitiator: true,
      localSelectors: tsi as Ipv4Selector[], remoteSelectors: tsr as Ipv4Selector[], now: sa.clock.now(),
    }, { prf: sa.prf, skD: sa.crypto!.keys.skD, ...nonces, ...(pfs !== undefined ? { pfsSharedSecret: pfs } : {}) });
  }
}

export interface ChildAnswer {
  readonly child: ChildSa;
  readonly payloads: Payload[];
}

/**
 * The responder's side: a CHILD_SA for the request's SA/TSi/TSr (and KEi), or IkeError with the
 * notify to answer (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE, INVALID_KE_PAYLOAD). `config` is the
 * child being rekeyed, or undefined to pick the first configured child the selectors fit.
 */
export function answerChild(sa: IkeSa, request: readonly Payload[], options: {
  inIkeAuth: boolean;
  nonces: { nonceI: Uint8Array; nonceR: Uint8Array };
  config?: ChildConfig;
}): ChildAnswer {
  const offer = payloadOf(request, 'sa')!;
  const tsi = selectorsOf(request, 'tsi');
  const tsr = selectorsOf(request, 'tsr');
  const candidates = options.config !== undefined ? [options.config] : sa.config.children;
  let fit: { config: ChildConfig; local: Ipv4Selector[]; remote: Ipv4Selector[] } | undefined;
  for (const config of candidates) {
    const remote = narrowSelectors(tsi as TrafficSelector[], config.remoteSelectors);
    const local = narrowSelectors(tsr as TrafficSelector[], config.localSelectors);
    if (remote.length > 0 && local.length > 0) {
      fit = { config, local, remote };
      break;
    }
  }
  if (fit === undefined) throw new IkeError(NotifyType.TS_UNACCEPTABLE, 'the proposed traffic selectors match no configured child');
  const accepted = [...fit.config.espProposals, ...(fit.config.espAcceptedProposals ?? [])];
  const ours = options.inIkeAuth ? withoutDh(accepted) : accepted;
  const theirs = options.inIkeAuth ? withoutDh(offer.proposals) : offer.proposals;
  const chosen = selectProposal(ours, theirs);
  if (chosen === undefined) throw new IkeError(NotifyType.NO_PROPOSAL_CHOSEN, `no acceptable ESP proposal for child ${fit.config.name}`);
  if (chosen.spi.length !== 4) throw new IkeError(NotifyType.NO_PROPOSAL_CHOSEN, 'the ESP proposal has no 4-octet SPI');
  const payloads: Payload[] = [];
  let pfs: Uint8Array | undefined;
  const group = dhGroupOf(chosen);
  if (group !== 0) {
    const ke = payloadOf(request, 'ke');
    if (ke === undefined || ke.group !== group) throw new IkeError(NotifyType.INVALID_KE_PAYLOAD, `KEi of group ${ke?.group ?? 'none'}, we want ${group}`, invalidKeNotify(group).data);
    const keyPair = dhGroupById(group).generate(sa.rng);
    pfs = sharedSecret(keyPair, ke.data);
    payloads.push({ type: 'ke', group, data: keyPair.publicValue });
  }
  const inboundSpi = sa.context.allocateChildSpi();
  const child = makeChild({
    config: fit.config, reqid: sa.context.reqidFor(sa.config.name, fit.config.name), inboundSpi,
    outboundSpi: spiNumberFromBytes(chosen.spi), proposal: chosen, exchangeInitiator: false,
    localSelectors: fit.local, remoteSelectors: fit.remote, now: sa.clock.now(),
  }, { prf: sa.prf, skD: sa.crypto!.keys.skD, ...options.nonces, ...(pfs !== undefined ? { pfsSharedSecret: pfs } : {}) });
  return {
    child,
    payloads: [
      { type: 'sa', proposals: [{ ...chosen, spi: spiNumberToBytes(inboundSpi) }] },
      ...payloads,
      { type: 'tsi', selectors: fit.remote },
      { type: 'tsr', selectors: fit.local },
    ],
  };
}
