import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProposals } from '../../src/ike/proposal.js';
import { sameReason } from '../../src/ike/reasons.js';
import { decodeMessage } from '../../src/ike/message.js';
import { NotifyType } from '../../src/ike/constants.js';
import { ipv4Identity } from '../../src/ike/payloads/id.js';
import { parseIpv4 } from '../../src/net/address.js';
import { assertOneMirroredChild, child, established, twoPeers, IKE_AUTH, IKE_SA_INIT, type TwoPeers } from './two-peers.js';

/*
 * Two engines on a manual clock: IKE_SA_INIT + IKE_AUTH with the first CHILD_SA, and every way
 * the negotiation can fail, each asserting the states and the notify that says why.
 */

/** The payload summary of the (decrypted) messages a side received: `IKE_AUTH response 1 [ N(AUTHENTICATION_FAILED) ]`. */
function received(side: TwoPeers['a'], what: RegExp): string[] {
  return side.log.filter((l) => / received /.test(l) && what.test(l)).map((l) => l.replace(/^.*received /, ''));
}

function notifiesIn(w: TwoPeers, from: 'a' | 'b', exchange: number): number[] {
  return w.wire.filter((d) => d.from === from && d.exchange === exchange)
    .flatMap((d) => decodeMessage(d.payload).payloads)
    .flatMap((p) => (p.type === 'notify' ? [p.notifyType] : []));
}

describe('IKE_SA_INIT and IKE_AUTH between two engines', () => {
  it('establishes the IKE SA and the first CHILD_SA with mirrored SPIs and keys', () => {
    const w = twoPeers();
    w.a.engine.start();
    w.run(1000);
    assert.equal(established(w.a), 1);
    assert.equal(established(w.b), 1);
    assertOneMirroredChild(w);
    const [va] = w.a.engine.view();
    const [vb] = w.b.engine.view();
    assert.equal(va!.role, 'initiator');
    assert.equal(vb!.role, 'responder');
    assert.equal(va!.spiI, vb!.spiI);
    assert.equal(va!.spiR, vb!.spiR);
    assert.equal(va!.suite, 'aes-cbc-256/hmac-sha2-256-128/prf-hmac-sha2-256/modp2048');
    assert.equal(va!.children[0]!.suite, vb!.children[0]!.suite);
    assert.match(va!.children[0]!.suite, /aes-gcm-16-256/);
    // Two exchanges of one round trip each.
    assert.deepEqual(w.wire.map((d) => `${d.from}:${d.exchange}:${d.response ? 'r' : 'q'}`), ['a:34:q', 'b:34:r', 'a:35:q', 'b:35:r']);
    assert.ok(w.wire.every((d) => d.local.port === 500 && d.remote.port === 500), 'no NAT: port 500 throughout');
  });

  it('the responder picks its own most preferred proposal among those offered', () => {
    const w = twoPeers({
      a: { ikeProposals: parseProposals(['aes128-sha1-modp2048', 'aes256gcm16-prfsha384-ecp384'], 'ike') },
      b: { ikeProposals: parseProposals(['aes256gcm16-prfsha384-ecp384', 'aes128-sha1-modp2048'], 'ike') },
    });
    w.a.engine.start();
    w.run(1000);
    // A offered modp2048 in its KE: B wants ecp384, so one INVALID_KE_PAYLOAD round first.
    assert.deepEqual(notifiesIn(w, 'b', IKE_SA_INIT).filter((n) => n === NotifyType.INVALID_KE_PAYLOAD), [NotifyType.INVALID_KE_PAYLOAD]);
    assert.equal(w.a.engine.view()[0]!.suite, 'aes-gcm-16-256/prf-hmac-sha2-384/ecp384');
    assertOneMirroredChild(w);
  });

  it('regroups after INVALID_KE_PAYLOAD and keeps message ID 0 and its SPI', () => {
    const w = twoPeers({
      a: { ikeProposals: parseProposals(['aes256-sha256-x25519-modp2048'], 'ike') },
      b: { ikeProposals: parseProposals(['aes256-sha256-modp2048'], 'ike') },
    });
    w.a.engine.start();
    w.run(1000);
    const inits = w.wire.filter((d) => d.exchange === IKE_SA_INIT);
    assert.equal(inits.length, 4);
    assert.ok(inits.every((d) => d.messageId === 0));
    const spis = new Set(inits.filter((d) => d.from === 'a').map((d) => decodeMessage(d.payload).header.spiI));
    assert.equal(spis.size, 1);
    assert.ok(w.a.log.some((l) => /wants D-H group 14 instead of 31/.test(l)), w.a.log.join('\n'));
    assert.equal(established(w.a), 1);
  });

  it('no common IKE proposal: NO_PROPOSAL_CHOSEN, nothing established, the reason logged on both sides', () => {
    const w = twoPeers({ b: { ikeProposals: parseProposals(['aes128-sha1-modp1024'], 'ike') } });
    w.a.engine.start();
    w.run(1000);
    assert.deepEqual(notifiesIn(w, 'b', IKE_SA_INIT), [NotifyType.NO_PROPOSAL_CHOSEN]);
    assert.equal(w.a.engine.view().length, 0);
    assert.equal(w.b.engine.view().length, 0);
    assert.ok(w.a.states.some((s) => s.state === 'destroyed' && sameReason(s.reason, { kind: 'notify-received', exchange: IKE_SA_INIT, notify: NotifyType.NO_PROPOSAL_CHOSEN })));
    assert.ok(w.b.log.some((l) => /no acceptable proposal/.test(l)));
  });

  it('PSK mismatch: the responder answers AUTHENTICATION_FAILED and both sides tear down', () => {
    const w = twoPeers({ b: { psk: new TextEncoder().encode('another key') } });
    w.a.engine.start();
    w.run(1000);
    assert.deepEqual(received(w.a, /IKE_AUTH response/), ['IKE_AUTH response 1 [ N(AUTHENTICATION_FAILED) ]']);
    assert.ok(w.a.states.some((s) => s.state === 'destroyed' && sameReason(s.reason, { kind: 'notify-received', exchange: IKE_AUTH, notify: NotifyType.AUTHENTICATION_FAILED })), JSON.stringify(w.a.states));
    assert.ok(w.b.states.some((s) => s.state === 'destroyed' && s.reason.kind === 'auth-failed' && s.reason.check === 'psk-mismatch'));
    assert.equal(w.a.up.length + w.b.up.length, 0);
  });

  it('wrong peer identity: AUTHENTICATION_FAILED naming the identities', () => {
    const w = twoPeers({ b: { remoteIdentity: ipv4Identity(parseIpv4('192.0.2.99')) } });
    w.a.engine.start();
    w.run(1000);
    assert.ok(w.b.log.some((l) => /peer identity '198.51.100.1' is not the configured '192.0.2.99'/.test(l)));
    assert.deepEqual(received(w.a, /IKE_AUTH response/), ['IKE_AUTH response 1 [ N(AUTHENTICATION_FAILED) ]']);
    assert.ok(w.b.states.some((s) => s.state === 'destroyed' && s.reason.kind === 'auth-failed' && s.reason.check === 'identity-mismatch'));
  });

  it('the responder cannot verify: the initiator reports AUTHENTICATION_FAILED in an INFORMATIONAL', () => {
    // A expects B to be 192.0.2.7: B authenticates fine but is not who A wants.
    const w = twoPeers({ a: { remoteIdentity: ipv4Identity(parseIpv4('192.0.2.7')) }, b: { localIdentity: ipv4Identity(parseIpv4('203.0.113.1')) } });
    w.a.engine.start();
    w.run(1000);
    assert.ok(w.a.log.some((l) => /authentication of the responder failed/.test(l)));
    assert.ok(w.b.states.some((s) => s.state === 'destroyed' && s.reason.kind === 'peer-auth-failed'), w.b.log.join('\n'));
    assert.ok(w.a.states.some((s) => s.state === 'destroyed' && s.reason.kind === 'auth-failed' && s.reason.check === 'identity-mismatch'));
  });

  it('no common ESP proposal: the IKE SA comes up, the CHILD_SA does not (NO_PROPOSAL_CHOSEN)', () => {
    const w = twoPeers({ b: { children: [child('net', '10.2.0.0/16', '10.1.0.0/16', { espProposals: parseProposals(['3des-md5'], 'esp') })] } });
    w.a.engine.start();
    w.run(1000);
    assert.equal(established(w.a), 1);
    assert.equal(established(w.b), 1);
    assert.deepEqual(received(w.a, /IKE_AUTH response/), ['IKE_AUTH response 1 [ IDr AUTH N(NO_PROPOSAL_CHOSEN) ]']);
    assert.equal(w.a.up.length + w.b.up.length, 0);
    assert.ok(w.a.log.some((l) => /CHILD_SA net not established: NO_PROPOSAL_CHOSEN/.test(l)));
  });

  it('traffic selectors that do not meet: TS_UNACCEPTABLE', () => {
    const w = twoPeers({ b: { children: [child('net', '10.9.0.0/16', '10.8.0.0/16')] } });
    w.a.engine.start();
    w.run(1000);
    assert.deepEqual(received(w.a, /IKE_AUTH response/), ['IKE_AUTH response 1 [ IDr AUTH N(TS_UNACCEPTABLE) ]']);
    assert.equal(w.a.up.length, 0);
  });

  it('the responder narrows 0.0.0.0/0 to its configured prefixes', () => {
    const w = twoPeers({ a: { children: [child('net', '0.0.0.0/0', '0.0.0.0/0')] } });
    w.a.engine.start();
    w.run(1000);
    assertOneMirroredChild(w);
    const a = [...w.a.installed.values()][0]!;
    assert.equal(a.localSelectors[0]!.startAddress, parseIpv4('10.1.0.0'));
    assert.equal(a.remoteSelectors[0]!.endAddress, parseIpv4('10.2.255.255'));
  });

  it('forced UDP encapsulation moves IKE_AUTH to port 4500 and marks the CHILD_SA', () => {
    const w = twoPeers({ a: { forceEncapsulation: true } });
    w.a.engine.start();
    w.run(1000);
    const auth = w.wire.filter((d) => d.exchange === IKE_AUTH);
    assert.ok(auth.every((d) => d.local.port === 4500 && d.remote.port === 4500), JSON.stringify(auth.map((d) => [d.local.port, d.remote.port])));
    assert.equal([...w.a.installed.values()][0]!.udpEncapsulation, true);
    assert.equal([...w.b.installed.values()][0]!.udpEncapsulation, true);
  });
});
