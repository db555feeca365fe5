import type { DhKeyPair } from '../../crypto/dh.js';
import { dhGroupById } from '../../crypto/dh.js';
import { ExchangeType, NotifyType, ProtocolId } from '../constants.js';
import { IkeError } from '../errors.js';
import { spiFromBytes, spiToBytes } from '../header.js';
import type { IkeSa, ResponderResult } from '../ike-sa.js';
import { deriveRekeyedIkeKeys } from '../keymat.js';
import { payloadOf, type IkeMessage } from '../message.js';
import type { Payload } from '../payload-chain.js';
import { invalidKeGroupOf, invalidKeNotify } from '../payloads/notify.js';
import type { Proposal } from '../payloads/sa.js';
import { selectProposal } from '../proposal.js';
import { ChildCreateTask } from './child-create.js';
import { acceptChosen, dhGroupOf, dhGroupsOf, errorNotifyIn, ikeSuite, sharedSecret, withSpi } from './common.js';
import { IkeDeleteTask } from './informational.js';
import { compareNonces } from './nonces.js';
import { DONE, RETRY, failed, type InitiatorTask, type TaskOutcome } from './task.js';

/*
 * IKE SA rekey (RFC 7296 §1.3.2, §2.18): a CREATE_CHILD_SA with an IKE proposal carrying the new
 * SPI, a nonce and a KE. The new SA's keys come from the old SK_d; its initiator is whoever
 * started the rekey; the children move to it and the old SA is deleted. Collisions (§2.8.2) are
 * settled like Child SA ones: the SA made with the lowest nonce is redundant and deleted by its
 * initiator, the other side deletes the old one.
 */

/** A wait before trying again after TEMPORARY_FAILURE (the peer was busy with another exchange). */
const RETRY_AFTER_BUSY_MS = 2_000;

export class IkeRekeyTask implements InitiatorTask {
  readonly name = 'IKE_REKEY';
  readonly exchange = ExchangeType.CREATE_CHILD_SA;
  private newSpi = 0n;
  private group = 0;
  private keyPair: DhKeyPair | undefined;
  private nonce: Uint8Array | undefined;
  private proposals: Proposal[] = [];
  private collision: { nonceI: Uint8Array; nonceR: Uint8Array } | undefined;

  build(sa: IkeSa): Payload[] | undefined {
    if (sa.state !== 'established') return undefined;
    this.newSpi = sa.context.allocateIkeSpi();
    this.proposals = withSpi(sa.config.ikeProposals, spiToBytes(this.newSpi));
    if (this.group === 0) this.group = dhGroupsOf(sa.config.ikeProposals)[0]!;
    this.keyPair = dhGroupById(this.group).generate(sa.rng);
    this.nonce = sa.rng.bytes(sa.context.engine.nonceLength);
    return [{ type: 'sa', proposals: this.proposals }, { type: 'nonce', data: this.nonce }, { type: 'ke', group: this.group, data: this.keyPair.publicValue }];
  }

  collided(collision: { nonceI: Uint8Array; nonceR: Uint8Array }): void {
    this.collision = collision;
  }

  process(sa: IkeSa, response: IkeMessage): TaskOutcome {
    const error = errorNotifyIn(response.payloads);
    if (error?.notifyType === NotifyType.INVALID_KE_PAYLOAD) {
      const wanted = invalidKeGroupOf(error);
      if (!dhGroupsOf(sa.config.ikeProposals).includes(wanted)) return failed({ kind: 'dh-group-refused', exchange: ExchangeType.CREATE_CHILD_SA, group: wanted }, false);
      this.group = wanted;
      return RETRY;
    }
    if (error?.notifyType === NotifyType.TEMPORARY_FAILURE) {
      sa.log(`IKE_REKEY: the peer is busy (TEMPORARY_FAILURE), trying again in ${RETRY_AFTER_BUSY_MS / 1000}s`);
      sa.addTimer(RETRY_AFTER_BUSY_MS, () => sa.queue(new IkeRekeyTask()));
      return DONE;
    }
    if (error !== undefined) return failed({ kind: 'notify-received', exchange: ExchangeType.CREATE_CHILD_SA, notify: error.notifyType }, false);
    let successor: IkeSa;
    try {
      const chosen = acceptChosen(this.proposals, response);
      if (chosen.protocolId !== ProtocolId.IKE || chosen.spi.length !== 8) throw new IkeError(NotifyType.NO_PROPOSAL_CHOSEN, 'the chosen proposal is not IKE with an 8-octet SPI');
      const ke = payloadOf(response.payloads, 'ke');
      if (ke === undefined || ke.group !== this.group || dhGroupOf(chosen) !== this.group) throw new IkeError(NotifyType.INVALID_KE_PAYLOAD, `KEr of group ${ke?.group ?? 'none'}, ours ${this.group}`);
      const nonceR = payloadOf(response.payloads, 'nonce')!.data;
      successor = makeSuccessor(sa, chosen, {
        originalInitiator: true, spiI: this.newSpi, spiR: spiFromBytes(chosen.spi),
        nonceI: this.nonce!, nonceR, shared: sharedSecret(this.keyPair!, ke.data),
      });
      if (this.collision !== undefined && compareNonces([this.nonce!, nonceR], [this.collision.nonceI, this.collision.nonceR]) < 0) {
        sa.log(`IKE_SA rekey collision: ours lost (lowest nonce), deleting the redundant ${successor.name}`);
        successor.established({ kind: 'rekey-collision-redundant' });
        successor.queue(new IkeDeleteTask({ kind: 'rekey-collision-redundant' }));
        return DONE;
      }
    } catch (e) {
      if (e instanceof IkeError) return failed({ kind: 'unusable-response', exchange: ExchangeType.CREATE_CHILD_SA, notify: e.notifyType, detail: e.message }, false);
      throw e;
    }
    if (this.collision !== undefined) sa.log('IKE_SA rekey collision: ours won');
    sa.rekeyedTo = successor;
    sa.moveChildrenTo(successor);
    sa.setState('rekeyed', { kind: 'rekeyed-to', successor: successor.name });
    successor.established({ kind: 'rekeyed-from', predecessor: sa.name, byPeer: false });
    sa.queue(new IkeDeleteTask({ kind: 'rekeyed-to', successor: successor.name }));
    return DONE;
  }
}

interface SuccessorInputs {
  readonly originalInitiator: boolean;
  readonly spiI: bigint;
  readonly spiR: bigint;
  readonly nonceI: Uint8Array;
  readonly nonceR: Uint8Array;
  readonly shared: Uint8Array;
}

/** The IKE SA a rekey creates, keyed from the old one's SK_d (RFC 7296 §2.18). */
function makeSuccessor(old: IkeSa, chosen: Proposal, x: SuccessorInputs): IkeSa {
  const suite = ikeSuite(chosen);
  const { keys } = deriveRekeyedIkeKeys(old.prf, old.crypto!.keys.skD, suite, {
    nonceI: x.nonceI, nonceR: x.nonceR, spiI: spiToBytes(x.spiI), spiR: spiToBytes(x.spiR), sharedSecret: x.shared,
  });
  const sa = old.context.createIkeSa(old.config, x.originalInitiator, x.spiI, x.spiR, old.local, old.remote);
  sa.natTraversal = old.natTraversal;
  sa.localBehindNat = old.localBehindNat;
  sa.remoteIdentity = old.remoteIdentity;
  sa.setCrypto({ proposal: chosen, suite, keys, nonceI: x.nonceI, nonceR: x.nonceR });
  sa.log(`rekeyed from ${old.name}: ${suite.name}`);
  return sa;
}

/** The responder's IKE SA rekey. */
export function respondIkeRekey(sa: IkeSa, request: IkeMessage): ResponderResult {
  if (sa.state !== 'established') throw new IkeError(NotifyType.TEMPORARY_FAILURE, `IKE SA is ${sa.state}`);
  const ours = sa.tasks.active;
  if (ours instanceof ChildCreateTask) throw new IkeError(NotifyType.TEMPORARY_FAILURE, `${ours.name} in progress`);
  const offer = payloadOf(request.payloads, 'sa')!;
  const chosen = selectProposal(sa.config.ikeProposals, offer.proposals);
  if (chosen === undefined) throw new IkeError(NotifyType.NO_PROPOSAL_CHOSEN, 'no acceptable IKE proposal for the rekey');
  if (chosen.spi.length !== 8) throw new IkeError(NotifyType.INVALID_SYNTAX, 'IKE rekey proposal without an 8-octet SPI');
  const group = dhGroupOf(chosen);
  const ke = payloadOf(request.payloads, 'ke');
  if (ke === undefined || ke.group !== group) throw new IkeError(NotifyType.INVALID_KE_PAYLOAD, `KEi of group ${ke?.group ?? 'none'}, we want ${group}`, invalidKeNotify(group).data);
  const keyPair = dhGroupById(group).generate(sa.rng);
  const nonceI = payloadOf(request.payloads, 'nonce')!.data;
  const nonceR = sa.rng.bytes(sa.context.engine.nonceLength);
  const spiR = sa.context.allocateIkeSpi();
  const successor = makeSuccessor(sa, chosen, {
    originalInitiator: false, spiI: spiFromBytes(chosen.spi), spiR, nonceI, nonceR, shared: sharedSecret(keyPair, ke.data),
  });
  if (ours instanceof IkeRekeyTask) {
    sa.log('IKE_SA rekey collision: the peer rekeys too');
    ours.collided({ nonceI, nonceR });
  }
  // Children move when the peer deletes this SA (or when our own winning rekey completes).
  if (sa.rekeyedTo === undefined || ours instanceof IkeRekeyTask) sa.rekeyedTo = successor;
  return {
    payloads: [{ type: 'sa', proposals: [{ ...chosen, spi: spiToBytes(spiR) }] }, { type: 'nonce', data: nonceR }, { type: 'ke', group, data: keyPair.publicValue }],
    after: () => successor.established({ kind: 'rekeyed-from', predecessor: sa.name, byPeer: true }),
  };
}
