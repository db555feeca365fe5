import type { ChildSa } from '../child.js';
import { ExchangeType, NotifyType, ProtocolId, isErrorNotify, notifyName } from '../constants.js';
import type { IkeSa, ResponderResult } from '../ike-sa.js';
import { payloadsOf, type IkeMessage } from '../message.js';
import type { Payload } from '../payload-chain.js';
import { deleteChildSas, deletedChildSpis, deleteIkeSa } from '../payloads/delete.js';
import type { ChildSaRemovalReason, IkeSaReason } from '../reasons.js';
import { notifiesOf } from './common.js';
import { DONE, type InitiatorTask, type TaskOutcome } from './task.js';

/*
 * INFORMATIONAL exchanges (RFC 7296 §1.4, §2.4): deleting Child SAs (each side names its inbound
 * SPIs; the answer names the matching ones, or none when both deleted at once), deleting the IKE
 * SA, and the empty request that checks the peer is alive (dead peer detection).
 */

export class ChildDeleteTask implements InitiatorTask {
  readonly name = 'CHILD_DELETE';
  readonly exchange = ExchangeType.INFORMATIONAL;
  private readonly child: ChildSa;
  private readonly reason: ChildSaRemovalReason;

  constructor(child: ChildSa, reason: ChildSaRemovalReason) {
    this.child = child;
    this.reason = reason;
  }

  build(sa: IkeSa): Payload[] | undefined {
    if (!sa.children.includes(this.child)) return undefined;
    this.child.state = 'deleting';
    return [deleteChildSas(ProtocolId.ESP, [this.child.inboundSpi])];
  }

  process(sa: IkeSa): TaskOutcome {
    sa.removeChild(this.child, this.reason);
    return DONE;
  }

  abandon(sa: IkeSa): void {
    sa.removeChild(this.child, this.reason);
  }
}

export class IkeDeleteTask implements InitiatorTask {
  readonly name = 'IKE_DELETE';
  readonly exchange = ExchangeType.INFORMATIONAL;
  private readonly reason: IkeSaReason;

  constructor(reason: IkeSaReason) {
    this.reason = reason;
  }

  build(): Payload[] {
    return [deleteIkeSa()];
  }

  process(sa: IkeSa): TaskOutcome {
    sa.destroy(this.reason);
    return DONE;
  }

  abandon(sa: IkeSa): void {
    sa.destroy(this.reason);
  }
}

/** Liveness check: an empty INFORMATIONAL request (RFC 7296 §2.4). */
export class DpdTask implements InitiatorTask {
  readonly name = 'IKE_DPD';
  readonly exchange = ExchangeType.INFORMATIONAL;

  build(): Payload[] {
    return [];
  }

  process(): TaskOutcome {
    return DONE;
  }
}

/** The responder's INFORMATIONAL. */
export function respondInformational(sa: IkeSa, request: IkeMessage): ResponderResult {
  const deletes = payloadsOf(request.payloads, 'delete');
  if (deletes.some((d) => d.protocolId === ProtocolId.IKE)) {
    return { payloads: [], after: () => sa.context.peerGone(sa, { kind: 'deleted-by-peer' }, true) };
  }
  const errors = notifiesOf(request.payloads).filter((n) => isErrorNotify(n.notifyType));
  if (errors.length > 0) {
    const names = errors.map((n) => notifyName(n.notifyType)).join(', ');
    sa.log(`the peer reports ${names}`);
    if (errors.some((n) => n.notifyType === NotifyType.AUTHENTICATION_FAILED)) {
      return { payloads: [], after: () => sa.destroy({ kind: 'peer-auth-failed' }) };
    }
  }
  const ours: number[] = [];
  const removals: ChildSa[] = [];
  for (const d of deletes) {
    if (d.protocolId !== ProtocolId.ESP) continue;
    for (const spi of deletedChildSpis(d)) {
      const child = sa.childBySpi(spi, 'outbound');
      if (child === undefined) {
        sa.log(`the peer deletes CHILD_SA with SPI ${spi.toString(16)}, which we do not have`);
        continue;
      }
      // Both sides deleting at once: each answers without it (RFC 7296 §1.4.1).
      if (child.state !== 'deleting') ours.push(child.inboundSpi);
      removals.push(child);
    }
  }
  return {
    payloads: ours.length > 0 ? [deleteChildSas(ProtocolId.ESP, ours)] : [],
    after: () => {
      for (const child of removals) sa.removeChild(child, { kind: 'deleted-by-peer' });
    },
  };
}
