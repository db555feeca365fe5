import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExchangeType, NotifyType } from '../../src/ike/constants.js';
import { ipv4Identity } from '../../src/ike/payloads/id.js';
import { describeChildRemoval, describeIkeSaReason, sameReason, type IkeSaReason } from '../../src/ike/reasons.js';
import { parseIpv4 } from '../../src/net/address.js';
import { A_ADDRESS, B_ADDRESS, established, twoPeers } from './two-peers.js';

/*
 * IKE SA and CHILD_SA reasons are typed where they arise; the words in the logs come from one
 * describe function. These are the words the logs printed before the reasons were typed (the
 * emulator's transcripts hold some of them), so a change here is a change users see.
 */

const A = ipv4Identity(A_ADDRESS);
const B = ipv4Identity(B_ADDRESS);

describe('IKE SA reasons', () => {
  it('are worded as the logs have always worded them', () => {
    const cases: [IkeSaReason, string][] = [
      [{ kind: 'established', local: A, remote: B, initialContact: false }, 'IKE SA established between 198.51.100.1 and 203.0.113.1'],
      [{ kind: 'established', local: B, remote: A, initialContact: true }, 'IKE SA established between 203.0.113.1 and 198.51.100.1 (initial contact)'],
      [{ kind: 'rekeyed-from', predecessor: 'to-b[1]', byPeer: true }, 'rekeyed from to-b[1] by the peer'],
      [{ kind: 'rekeyed-to', successor: 'to-b[2]' }, 'rekeyed to to-b[2]'],
      [{ kind: 'no-response', exchange: ExchangeType.IKE_SA_INIT, messageId: 0, retransmits: 5 }, 'giving up after 5 retransmits of IKE_SA_INIT request 0: peer not responding'],
      [{ kind: 'half-open-timeout', timeoutMs: 30_000 }, 'no IKE_AUTH within 30s'],
      [{ kind: 'notify-received', exchange: ExchangeType.IKE_SA_INIT, notify: NotifyType.NO_PROPOSAL_CHOSEN }, 'the responder answered NO_PROPOSAL_CHOSEN'],
      [{ kind: 'notify-received', exchange: ExchangeType.IKE_AUTH, notify: NotifyType.AUTHENTICATION_FAILED }, 'IKE_AUTH refused: AUTHENTICATION_FAILED'],
      [{ kind: 'notify-received', exchange: ExchangeType.CREATE_CHILD_SA, notify: NotifyType.TS_UNACCEPTABLE }, 'the peer answered TS_UNACCEPTABLE'],
      [{ kind: 'dh-group-refused', exchange: ExchangeType.IKE_SA_INIT, group: 19 }, 'the responder wants D-H group 19, which we did not offer'],
      [{ kind: 'dh-group-refused', exchange: ExchangeType.CREATE_CHILD_SA, group: 19 }, 'the peer wants D-H group 19, which we do not offer'],
      [{ kind: 'unusable-response', exchange: ExchangeType.IKE_SA_INIT, notify: NotifyType.INVALID_SYNTAX, detail: 'x' }, 'IKE_SA_INIT response unusable: x'],
      [{ kind: 'unusable-response', exchange: ExchangeType.CREATE_CHILD_SA, notify: NotifyType.INVALID_SYNTAX, detail: 'x' }, 'IKE_REKEY: x'],
      [{ kind: 'auth-failed', check: 'psk-mismatch', detail: 'pre-shared key mismatch' }, 'AUTHENTICATION_FAILED: pre-shared key mismatch'],
      [{ kind: 'child-negotiation-failed', task: 'CHILD_CREATE', child: 'net', cause: { kind: 'notify-received', exchange: ExchangeType.CREATE_CHILD_SA, notify: NotifyType.NO_PROPOSAL_CHOSEN } },
        'CHILD_CREATE of net: the peer answered NO_PROPOSAL_CHOSEN'],
      [{ kind: 'terminated-by-user' }, 'terminated by the user'],
      [{ kind: 'gateway-failed' }, 'the gateway instance failed'],
      [{ kind: 'replaced-by-initial-contact', by: 'to-b[4]' }, 'replaced: the peer sent INITIAL_CONTACT on to-b[4]'],
    ];
    for (const [reason, words] of cases) assert.equal(describeIkeSaReason(reason), words, reason.kind);
  });

  it('CHILD_SA removals name the IKE SA that took them down, and why', () => {
    const cause: IkeSaReason = { kind: 'no-response', exchange: ExchangeType.INFORMATIONAL, messageId: 7, retransmits: 2 };
    assert.equal(describeChildRemoval({ kind: 'ike-sa-gone', ikeSa: 'to-b[1]', cause }),
      'IKE SA to-b[1] gone: giving up after 2 retransmits of INFORMATIONAL request 7: peer not responding');
    assert.equal(describeChildRemoval({ kind: 'rekeyed' }), 'rekeyed');
    assert.equal(describeChildRemoval({ kind: 'hard-lifetime' }), 'hard lifetime reached');
  });

  it('compare field by field, nested causes and identities included', () => {
    const noResponse = (messageId: number): IkeSaReason => ({ kind: 'no-response', exchange: ExchangeType.IKE_SA_INIT, messageId, retransmits: 5 });
    assert.ok(sameReason(noResponse(0), noResponse(0)));
    assert.ok(!sameReason(noResponse(0), noResponse(1)));
    assert.ok(!sameReason(noResponse(0), { kind: 'cookie-loop' }));
    const up = (remote: string): IkeSaReason => ({ kind: 'established', local: A, remote: ipv4Identity(parseIpv4(remote)), initialContact: false });
    assert.ok(sameReason(up('192.0.2.1'), up('192.0.2.1')));
    assert.ok(!sameReason(up('192.0.2.1'), up('192.0.2.2')));
    const gone = (retransmits: number) => ({ kind: 'ike-sa-gone', ikeSa: 'x[1]', cause: { ...noResponse(0), retransmits } }) as const;
    assert.ok(sameReason(gone(2), gone(2)));
    assert.ok(!sameReason(gone(2), gone(3)));
  });

  it('`ike sas` shows why each SA is in its state, in words and typed', () => {
    const w = twoPeers();
    w.a.engine.start();
    w.run(1000);
    assert.equal(established(w.a), 1);
    const [a] = w.a.engine.view();
    const [b] = w.b.engine.view();
    assert.deepEqual(a!.cause, { kind: 'established', local: '198.51.100.1', remote: '203.0.113.1', initialContact: false });
    assert.equal(a!.reason, 'IKE SA established between 198.51.100.1 and 203.0.113.1');
    assert.equal(b?.cause?.kind === 'established' && b.cause.initialContact, true, JSON.stringify(b));
    // JSON as the API sends it: the typed reason survives the trip.
    assert.deepEqual(JSON.parse(JSON.stringify(a)).cause, a!.cause);
    const up = w.a.states.find((s) => s.state === 'established')!;
    assert.deepEqual(up.reason, { kind: 'established', local: A, remote: B, initialContact: false });
  });
});
