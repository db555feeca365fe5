import { bytesEqual } from '../../crypto/bytes.js';
import type { ChildConfig } from '../config.js';
import { AuthMethod, ExchangeType, NotifyType, notifyName } from '../constants.js';
import { IkeError } from '../errors.js';
import type { IkeSa, ResponderResult } from '../ike-sa.js';
import { pskAuth } from '../keymat.js';
import { payloadOf, type IkeMessage } from '../message.js';
import type { Payload } from '../payload-chain.js';
import { formatIdentity, identityBytes, idPayload, sameIdentity, type Identity } from '../payloads/id.js';
import { notify } from '../payloads/notify.js';
import { selectByIdentity } from '../peer-selection.js';
import { answerChild, ChildOffer } from './child-negotiation.js';
import { errorNotifyIn, findNotify } from './common.js';
import type { AuthCheck } from '../reasons.js';
import { DONE, failed, type InitiatorTask, type TaskOutcome } from './task.js';

/*
 * IKE_AUTH (RFC 7296 §1.2, §2.15) with a pre-shared key: each side proves it knows the key by
 * a MAC over its IKE_SA_INIT message, the other's nonce and its identity, and the first CHILD_SA
 * rides along. A wrong key is AUTHENTICATION_FAILED on both sides: the responder answers with it,
 * an initiator that cannot verify the responder says so in an INFORMATIONAL (§2.21.2).
 */

function authData(sa: IkeSa, signer: 'initiator' | 'responder', identity: Identity): Uint8Array {
  const c = sa.crypto!;
  const initiator = signer === 'initiator';
  return pskAuth(sa.prf, sa.config.psk, {
    realMessage: initiator ? sa.initRequest! : sa.initResponse!,
    peerNonce: initiator ? c.nonceR : c.nonceI,
    skP: initiator ? c.keys.skPi : c.keys.skPr,
    idBody: identityBytes(identity),
  });
}

export class IkeAuthTask implements InitiatorTask {
  readonly name = 'IKE_AUTH';
  readonly exchange = ExchangeType.IKE_AUTH;
  private offer: ChildOffer | undefined;
  private readonly childConfig: ChildConfig | undefined;

  constructor(child: ChildConfig | undefined) {
    this.childConfig = child;
  }

  build(sa: IkeSa): Payload[] {
    const payloads: Payload[] = [idPayload('idi', sa.config.localIdentity)];
    if (sa.config.remoteIdentity !== undefined) payloads.push(idPayload('idr', sa.config.remoteIdentity));
    payloads.push({ type: 'auth', method: AuthMethod.SHARED_KEY_MIC, data: authData(sa, 'initiator', sa.config.localIdentity) });
    payloads.push(notify(NotifyType.INITIAL_CONTACT));
    if (this.childConfig !== undefined) {
      this.offer = new ChildOffer(sa, this.childConfig, true);
      payloads.push(...this.offer.payloads());
    }
    return payloads;
  }

  process(sa: IkeSa, response: IkeMessage): TaskOutcome {
    const auth = payloadOf(response.payloads, 'auth');
    if (auth === undefined) {
      const error = errorNotifyIn(response.payloads);
      return failed(error !== undefined ? { kind: 'notify-received', exchange: ExchangeType.IKE_AUTH, notify: error.notifyType } : { kind: 'no-auth-payload' }, true);
    }
    const idr = payloadOf(response.payloads, 'idr');
    const failure: { check: AuthCheck; detail: string } | undefined = idr === undefined ? { check: 'no-identity', detail: 'no IDr payload' }
      : sa.config.remoteIdentity !== undefined && !sameIdentity(idr, sa.config.remoteIdentity)
        ? { check: 'identity-mismatch', detail: `peer identity '${formatIdentity(idr)}' is not the configured '${formatIdentity(sa.config.remoteIdentity)}'` }
        : auth.method !== AuthMethod.SHARED_KEY_MIC ? { check: 'auth-method', detail: `AUTH method ${auth.method} (only pre-shared keys are configured)` }
          : !bytesEqual(auth.data, authData(sa, 'responder', idr)) ? { check: 'psk-mismatch', detail: 'pre-shared key mismatch: the responder\'s AUTH does not verify' }
            : undefined;
    if (failure !== undefined) {
      sa.log(`authentication of the responder failed: ${failure.detail}`);
      sa.sendUnanswered(ExchangeType.INFORMATIONAL, [notify(NotifyType.AUTHENTICATION_FAILED)]);
      return failed({ kind: 'auth-failed', ...failure }, true);
    }
    sa.log(`authentication of '${formatIdentity(idr!)}' with pre-shared key successful`);
    sa.remoteIdentity = idr!;
    sa.established({ kind: 'established', local: sa.config.localIdentity, remote: bareIdentity(idr!), initialContact: false });
    if (this.offer !== undefined) {
      const childError = errorNotifyIn(response.payloads);
      if (payloadOf(response.payloads, 'sa') === undefined) {
        sa.log(`CHILD_SA ${this.offer.config.name} not established: ${childError !== undefined ? notifyName(childError.notifyType) : 'no SA payload'}`);
        return DONE;
      }
      try {
        const c = sa.crypto!;
        sa.installChild(this.offer.accept(sa, response.payloads, { nonceI: c.nonceI, nonceR: c.nonceR }));
      } catch (e) {
        if (!(e instanceof IkeError)) throw e;
        sa.log(`CHILD_SA ${this.offer.config.name} not established: ${e.message}`);
      }
    }
    return DONE;
  }
}

/** The responder's IKE_AUTH. */
export function respondIkeAuth(sa: IkeSa, request: IkeMessage): ResponderResult {
  const idi = payloadOf(request.payloads, 'idi')!;
  const auth = payloadOf(request.payloads, 'auth');
  // Several connections may share the peer's address (or %any): its identity says which this is.
  const selected = selectByIdentity(sa.candidates, idi, payloadOf(request.payloads, 'idr'));
  if (selected !== undefined) sa.useConfig(selected);
  const expected = sa.config.remoteIdentity;
  const failure: { check: AuthCheck; detail: string } | undefined = auth === undefined ? { check: 'no-auth-payload', detail: 'no AUTH payload (EAP is not supported)' }
    : expected !== undefined && !sameIdentity(idi, expected) ? { check: 'identity-mismatch', detail: `peer identity '${formatIdentity(idi)}' is not the configured '${formatIdentity(expected)}'` }
      : auth.method !== AuthMethod.SHARED_KEY_MIC ? { check: 'auth-method', detail: `AUTH method ${auth.method} (only pre-shared keys are configured)` }
        : !bytesEqual(auth.data, authData(sa, 'initiator', idi)) ? { check: 'psk-mismatch', detail: 'pre-shared key mismatch: the initiator\'s AUTH does not verify' }
          : undefined;
  if (failure !== undefined) {
    sa.log(`authentication of '${formatIdentity(idi)}' failed: ${failure.detail}`);
    return { payloads: [notify(NotifyType.AUTHENTICATION_FAILED)], after: () => sa.destroy({ kind: 'auth-failed', ...failure }) };
  }
  sa.log(`authentication of '${formatIdentity(idi)}' with pre-shared key successful`);
  sa.remoteIdentity = idi;
  const identity = sa.config.localIdentity;
  const payloads: Payload[] = [idPayload('idr', identity), { type: 'auth', method: AuthMethod.SHARED_KEY_MIC, data: authData(sa, 'responder', identity) }];
  let install: (() => void) | undefined;
  if (payloadOf(request.payloads, 'sa') !== undefined) {
    try {
      const c = sa.crypto!;
      const answer = answerChild(sa, request.payloads, { inIkeAuth: true, nonces: { nonceI: c.nonceI, nonceR: c.nonceR } });
      payloads.push(...answer.payloads);
      install = () => sa.installChild(answer.child);
    } catch (e) {
      if (!(e instanceof IkeError)) throw e;
      sa.log(`no CHILD_SA for the peer: ${e.message}`);
      payloads.push(notify(e.notifyType, e.data));
    }
  }
  const initialContact = findNotify(request.payloads, NotifyType.INITIAL_CONTACT) !== undefined;
  return {
    payloads,
    after: () => {
      sa.established({ kind: 'established', local: identity, remote: bareIdentity(idi), initialContact });
      if (initialContact) sa.context.initialContact(sa);
      install?.();
    },
  };
}

/** The identity without the payload around it (for reasons, compared and shown as plain data). */
function bareIdentity(id: Identity): Identity {
  return { idType: id.idType, data: id.data };
}
