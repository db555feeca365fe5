import { compareNonces } from './nonces.js';
import type { ChildSa } from '../child.js';
import type { ChildConfig } from '../config.js';
import { ExchangeType, NotifyType, ProtocolId } from '../constants.js';
import { IkeError } from '../errors.js';
import type { IkeSa, ResponderResult } from '../ike-sa.js';
import { payloadOf, type IkeMessage } from '../message.js';
import type { Payload } from '../payload-chain.js';
import { invalidKeGroupOf, rekeySaNotify, rekeySaOf } from '../payloads/notify.js';
import { answerChild, ChildOffer } from './child-negotiation.js';
import { errorNotifyIn, findNotify } from './common.js';
import { ChildDeleteTask } from './informational.js';
import type { IkeSaReason } from '../reasons.js';
import { DONE, RETRY, failed, type InitiatorTask, type TaskOutcome } from './task.js';

/*
 * CREATE_CHILD_SA for Child SAs (RFC 7296 §1.3.1, §1.3.3): a new CHILD_SA, or a rekey that names
 * the old one in REKEY_SA and replaces it make-before-break — the new SA is installed, then the
 * old one deleted. When both peers rekey the same CHILD_SA at once (§2.8.1), both exchanges
 * complete and the SA made with the lowest of the four nonces is redundant: its initiator
 * deletes it, and the other side deletes the old SA.
 */

/** The peer's rekey of the same CHILD_SA, answered while ours was in flight. */
interface Collision {
  readonly nonceI: Uint8Array;
  readonly nonceR: Uint8Array;
}

export class ChildCreateTask implements InitiatorTask {
  readonly exchange = ExchangeType.CREATE_CHILD_SA;
  readonly config: ChildConfig;
  /** The CHILD_SA this task rekeys, if it is a rekey. */
  readonly old: ChildSa | undefined;
  private offer: ChildOffer | undefined;
  private collision: Collision | undefined;

  constructor(config: ChildConfig, old?: ChildSa) {
    this.config = config;
    this.old = old;
  }

  get name(): string {
    return this.old !== undefined ? 'CHILD_REKEY' : 'CHILD_CREATE';
  }

  build(sa: IkeSa): Payload[] | undefined {
    const old = this.old;
    if (old !== undefined) {
      const retrying = this.offer !== undefined && old.state === 'rekeying';
      if (!sa.children.includes(old) || (old.state !== 'installed' && !retrying)) {
        sa.log(`CHILD_SA ${old.config.name}{${old.reqid}} no longer needs a rekey (${sa.children.includes(old) ? old.state : 'gone'})`);
        return undefined;
      }
      old.state = 'rekeying';
    }
    const previous = this.offer;
    this.offer = new ChildOffer(sa, this.config, false, old !== undefined ? { local: old.localSelectors, remote: old.remoteSelectors } : undefined, previous);
    const payloads = this.offer.payloads();
    return old !== undefined ? [rekeySaNotify(ProtocolId.ESP, old.inboundSpi), ...payloads] : payloads;
  }

  /** Called by the responder side when the peer rekeys `old` while our rekey is in flight. */
  collided(collision: Collision): void {
    this.collision = collision;
  }

  process(sa: IkeSa, response: IkeMessage): TaskOutcome {
    const offer = this.offer!;
    const error = errorNotifyIn(response.payloads);
    if (error?.notifyType === NotifyType.INVALID_KE_PAYLOAD && offer.regroup(sa, invalidKeGroupOf(error))) {
      sa.log(`the peer wants D-H group ${invalidKeGroupOf(error)} for PFS, retrying`);
      return RETRY;
    }
    if (error !== undefined) return this.fail({ kind: 'notify-received', exchange: ExchangeType.CREATE_CHILD_SA, notify: error.notifyType });
    let child: ChildSa;
    try {
      child = offer.accept(sa, response.payloads, { nonceI: offer.nonce!, nonceR: payloadOf(response.payloads, 'nonce')!.data });
    } catch (e) {
      if (!(e instanceof IkeError)) throw e;
      return this.fail({ kind: 'invalid-response', notify: e.notifyType, detail: e.message });
    }
    const old = this.old;
    if (old === undefined) {
      sa.installChild(child);
      return DONE;
    }
    const collision = this.collision;
    if (collision !== undefined && compareNonces([offer.nonce!, payloadOf(response.payloads, 'nonce')!.data], [collision.nonceI, collision.nonceR]) < 0) {
      // Ours holds the lowest nonce: our new SA is the redundant one; the peer deletes the old.
      sa.log(`CHILD_SA rekey collision: ours lost (lowest nonce), deleting the redundant CHILD_SA ${child.inboundSpi.toString(16)}`);
      sa.adoptChild(child);
      sa.queue(new ChildDeleteTask(child, { kind: 'rekey-collision-redundant' }));
      return DONE;
    }
    if (collision !== undefined) sa.log('CHILD_SA rekey collision: ours won, deleting the old CHILD_SA');
    if (sa.children.includes(old)) old.state = 'rekeyed';
    sa.installChild(child, old);
    if (sa.children.includes(old)) sa.queue(new ChildDeleteTask(old, { kind: 'rekeyed' }));
    return DONE;
  }

  /** The rekey will not happen: the old CHILD_SA goes on as before (and may be rekeyed again). */
  abandon(): void {
    if (this.old !== undefined && this.old.state === 'rekeying') this.old.state = 'installed';
  }

  private fail(cause: IkeSaReason): TaskOutcome {
    this.abandon();
    return failed({ kind: 'child-negotiation-failed', task: this.name, child: this.config.name, cause }, false);
  }
}

/** The responder's CREATE_CHILD_SA for a Child SA (new or rekey). */
export function respondCreateChild(sa: IkeSa, request: IkeMessage): ResponderResult {
  const rekey = findNotify(request.payloads, NotifyType.REKEY_SA);
  let old: ChildSa | undefined;
  if (rekey !== undefined) {
    const { spi } = rekeySaOf(rekey);
    old = sa.childBySpi(spi, 'outbound');
    if (old === undefined) throw new IkeError(NotifyType.CHILD_SA_NOT_FOUND, `no CHILD_SA with SPI ${spi.toString(16)} to rekey`);
    if (old.state === 'deleting') throw new IkeError(NotifyType.TEMPORARY_FAILURE, `CHILD_SA ${old.config.name}{${old.reqid}} is being deleted`);
  }
  const nonceI = payloadOf(request.payloads, 'nonce')!.data;
  const nonceR = sa.rng.bytes(sa.context.engine.nonceLength);
  const answer = answerChild(sa, request.payloads, { inIkeAuth: false, nonces: { nonceI, nonceR }, ...(old !== undefined ? { config: old.config } : {}) });
  const [first, ...rest] = answer.payloads;
  const payloads: Payload[] = [first!, { type: 'nonce', data: nonceR }, ...rest];
  if (old === undefined) return { payloads, after: () => sa.installChild(answer.child) };
  const ours = sa.tasks.active;
  if (ours instanceof ChildCreateTask && ours.old === old) {
    sa.log(`CHILD_SA ${old.config.name}{${old.reqid}}: the peer rekeys it too (collision)`);
    ours.collided({ nonceI, nonceR });
  } else if (old.state === 'installed') {
    old.state = 'rekeyed';
  }
  const replaced = old;
  return { payloads, after: () => sa.installChild(answer.child, replaced, true) };
}
