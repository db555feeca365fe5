import type { DhKeyPair } from '../../crypto/dh.js';
import { dhGroupById, isDhGroupSupported } from '../../crypto/dh.js';
import { spiToBytes } from '../header.js';
import { ExchangeType, NotifyType } from '../constants.js';
import { IkeError } from '../errors.js';
import type { IkeSa } from '../ike-sa.js';
import { deriveIkeKeys } from '../keymat.js';
import { payloadOf, type IkeMessage } from '../message.js';
import { detectNat, natDetectionNotifies } from '../nat.js';
import type { Payload } from '../payload-chain.js';
import { cookieNotify, invalidKeGroupOf } from '../payloads/notify.js';
import type { Proposal } from '../payloads/sa.js';
import { acceptChosen, dhGroupOf, dhGroupsOf, errorNotifyIn, findNotify, ikeSuite, notifiesOf, sharedSecret } from './common.js';
import { DONE, RETRY, failed, type InitiatorTask, type TaskOutcome } from './task.js';

/*
 * IKE_SA_INIT (RFC 7296 §1.2), initiator side: SA, KE, Ni and NAT detection out; the chosen
 * proposal, KEr and Nr back, from which SKEYSEED and the seven keys come. The responder may
 * first ask for a cookie (§2.6) or another D-H group (INVALID_KE_PAYLOAD, §1.2): the request is
 * rebuilt and sent again, as message 0 still.
 */

const MAX_INIT_RETRIES = 5;

export class IkeInitTask implements InitiatorTask {
  readonly name = 'IKE_INIT';
  readonly exchange = ExchangeType.IKE_SA_INIT;
  private group: number;
  private keyPair: DhKeyPair;
  private readonly nonce: Uint8Array;
  private cookie: Uint8Array | undefined;
  private retries = 0;

  constructor(sa: IkeSa) {
    const groups = dhGroupsOf(sa.config.ikeProposals);
    this.group = groups[0]!;
    this.keyPair = dhGroupById(this.group).generate(sa.rng);
    this.nonce = sa.rng.bytes(sa.context.engine.nonceLength);
  }

  build(sa: IkeSa): Payload[] {
    const payloads: Payload[] = [];
    if (this.cookie !== undefined) payloads.push(cookieNotify(this.cookie));
    payloads.push(
      { type: 'sa', proposals: [...sa.config.ikeProposals] },
      { type: 'ke', group: this.group, data: this.keyPair.publicValue },
      { type: 'nonce', data: this.nonce },
      ...natDetectionNotifies(sa.spiI, 0n, sa.local, sa.remote, sa.config.forceEncapsulation),
    );
    return payloads;
  }

  sent(sa: IkeSa, bytes: Uint8Array): void {
    sa.initRequest = bytes;
  }

  process(sa: IkeSa, response: IkeMessage): TaskOutcome {
    // Both ends dialled at once and the peer's IKE SA is up already: use it rather than set up a
    // second one (whose INITIAL_CONTACT would make the peer drop the first).
    if (sa.context.hasOtherEstablished(sa)) return failed({ kind: 'peer-initiated-meanwhile' }, true);
    const cookie = findNotify(response.payloads, NotifyType.COOKIE);
    if (cookie !== undefined && payloadOf(response.payloads, 'sa') === undefined) {
      if (++this.retries > MAX_INIT_RETRIES) return failed({ kind: 'cookie-loop' }, true);
      sa.log('the responder asks for a cookie, sending IKE_SA_INIT again with it');
      this.cookie = cookie.data;
      return RETRY;
    }
    const error = errorNotifyIn(response.payloads);
    if (error?.notifyType === NotifyType.INVALID_KE_PAYLOAD) {
      const wanted = invalidKeGroupOf(error);
      if (!dhGroupsOf(sa.config.ikeProposals).includes(wanted) || !isDhGroupSupported(wanted) || ++this.retries > MAX_INIT_RETRIES) {
        return failed({ kind: 'dh-group-refused', exchange: ExchangeType.IKE_SA_INIT, group: wanted }, true);
      }
      sa.log(`the responder wants D-H group ${wanted} instead of ${this.group}, sending IKE_SA_INIT again`);
      this.group = wanted;
      this.keyPair = dhGroupById(wanted).generate(sa.rng);
      return RETRY;
    }
    if (error !== undefined) return failed({ kind: 'notify-received', exchange: ExchangeType.IKE_SA_INIT, notify: error.notifyType }, true);
    let chosen: Proposal;
    try {
      chosen = acceptChosen(sa.config.ikeProposals, response);
      const ke = payloadOf(response.payloads, 'ke')!;
      if (ke.group !== dhGroupOf(chosen) || ke.group !== this.group) throw new IkeError(NotifyType.INVALID_KE_PAYLOAD, `KEr of group ${ke.group}, chosen ${dhGroupOf(chosen)}, ours ${this.group}`);
      sa.spiR = response.header.spiR;
      const suite = ikeSuite(chosen);
      const nonceR = payloadOf(response.payloads, 'nonce')!.data;
      const { keys } = deriveIkeKeys(suite, {
        nonceI: this.nonce, nonceR, spiI: spiToBytes(sa.spiI), spiR: spiToBytes(sa.spiR), sharedSecret: sharedSecret(this.keyPair, ke.data),
      });
      sa.setCrypto({ proposal: chosen, suite, keys, nonceI: this.nonce, nonceR });
      sa.log(`selected proposal: ${suite.name}`);
    } catch (e) {
      if (e instanceof IkeError) return failed({ kind: 'unusable-response', exchange: ExchangeType.IKE_SA_INIT, notify: e.notifyType, detail: e.message }, true);
      throw e;
    }
    const nat = detectNat(notifiesOf(response.payloads), sa.spiI, sa.spiR, sa.local, sa.remote);
    sa.localBehindNat = nat.localBehindNat;
    if (nat.localBehindNat || nat.peerBehindNat || (nat.supported && sa.config.forceEncapsulation)) {
      sa.log(`${nat.localBehindNat ? 'local host is behind NAT' : nat.peerBehindNat ? 'remote host is behind NAT' : 'forcing UDP encapsulation'}, switching to port 4500`);
      sa.floatToNatTraversal();
    }
    return DONE;
  }
}
