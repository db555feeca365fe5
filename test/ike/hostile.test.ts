import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeHeader } from '../../src/ike/header.js';
import { HeaderFlag, NotifyType } from '../../src/ike/constants.js';
import type { IkeSa } from '../../src/ike/ike-sa.js';
import { encodeMessage } from '../../src/ike/message.js';
import { notify } from '../../src/ike/payloads/notify.js';
import { DpdTask } from '../../src/ike/tasks/informational.js';
import { Writer } from '../../src/core/bytes/writer.js';
import { SeededRng } from '../../src/core/rng.js';
import { parseIpv4 } from '../../src/net/address.js';
import type { Endpoint } from '../../src/transport/types.js';
import { A_ADDRESS, B_ADDRESS, established, twoPeers, IKE_AUTH, IKE_SA_INIT, INFORMATIONAL, type TwoPeers } from './two-peers.js';

/*
 * Defect 2 of issue 11: one unauthenticated datagram carrying a live SA's SPIs (in clear on the
 * path) tore the SA down. Nothing but IKE_SA_INIT is taken unprotected (RFC 7296 §2.21); nothing
 * about an SA changes — peer address (§2.23), message IDs, liveness, a response — before its
 * Encrypted payload verifies; and no forged response completes a request of ours.
 */

const ATTACKER: Endpoint = { address: parseIpv4('192.0.2.66'), port: 39104 };

function up(): TwoPeers {
  const w = twoPeers({ a: { forceEncapsulation: true }, b: { forceEncapsulation: true } });
  w.a.engine.start();
  w.run(1000);
  assert.equal(established(w.a), 1, w.a.log.join('\n'));
  assert.equal(established(w.b), 1, w.b.log.join('\n'));
  return w;
}

function only(side: TwoPeers['a']): IkeSa {
  const sas = side.engine.ikeSas();
  assert.equal(sas.length, 1);
  return sas[0]!;
}

/**
 * The datagram of the report, 84 octets: the live SA's SPIs, exchange IKE_SA_INIT, message ID 2,
 * and random bytes in one payload of an unknown, non-critical type (so it parses, as it did).
 */
function forgedInit(sa: IkeSa, seed = 7): Uint8Array {
  const w = new Writer(84);
  encodeHeader({ spiI: sa.spiI, spiR: sa.spiR, exchangeType: IKE_SA_INIT, flags: HeaderFlag.INITIATOR, messageId: 2, minorVersion: 0 }, 200, 84, w);
  w.u8(0).u8(0).u16(84 - 28);
  w.bytes(new SeededRng(seed).bytes(84 - 28 - 4));
  return w.finish(84);
}

function snapshot(sa: IkeSa) {
  return { state: sa.state, remote: { ...sa.remote }, local: { ...sa.local }, ids: { ...sa.messageIds }, lastHeardAt: sa.lastHeardAt };
}

describe('an unauthenticated datagram for a live IKE SA (issue 11, defect 2)', () => {
  it('the 84-octet forged IKE_SA_INIT with message ID 2 changes nothing, gets no answer, and DPD still works', () => {
    const w = up();
    const sa = only(w.b);
    const before = snapshot(sa);
    assert.equal(before.remote.port, 4500);
    const sent = w.wire.length;
    w.b.engine.receive({ local: sa.local, remote: ATTACKER, payload: forgedInit(sa) });
    w.run(10);
    assert.deepEqual(snapshot(sa), before, 'no peer move, no message ID consumed, no liveness');
    assert.equal(w.wire.length, sent, 'no answer to anyone');
    assert.ok(!w.b.log.some((l) => /peer moved .* to 192\.0\.2\.66/.test(l)), w.b.log.join('\n'));
    // The real peer's next request (DPD, message ID 2) is a new request, not a "retransmit".
    only(w.a).queue(new DpdTask());
    w.run(1000);
    const dpd = w.wire.filter((d) => d.exchange === INFORMATIONAL);
    assert.deepEqual(dpd.map((d) => `${d.from}:${d.messageId}:${d.response ? 'r' : 'q'}`), ['a:2:q', 'b:2:r']);
    assert.equal(sa.messageIds.expectedRequest, 3);
    assert.equal(only(w.a).messageIds.nextRequest, 3);
    assert.equal(established(w.a), 1);
    assert.equal(established(w.b), 1);
    assert.equal(w.b.engine.dropped.unprotected, 1);
  });

  it('a protected request whose ICV fails moves nothing and is not answered, from any address', () => {
    const w = up();
    const sa = only(w.b);
    const before = snapshot(sa);
    const sent = w.wire.length;
    const real = only(w.a).encode(INFORMATIONAL, 2, false, []);
    const bad = Uint8Array.from(real);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    w.b.engine.receive({ local: sa.local, remote: ATTACKER, payload: bad });
    w.b.engine.receive({ local: sa.local, remote: sa.remote, payload: bad });
    // Unprotected: the right exchange and message ID with no Encrypted payload at all.
    const plain = encodeMessage({ header: { spiI: sa.spiI, spiR: sa.spiR, exchangeType: INFORMATIONAL, flags: HeaderFlag.INITIATOR, messageId: 2, minorVersion: 0 }, payloads: [notify(NotifyType.INITIAL_CONTACT)] });
    w.b.engine.receive({ local: sa.local, remote: ATTACKER, payload: plain });
    w.run(10);
    assert.deepEqual(snapshot(sa), before);
    assert.equal(w.wire.length, sent);
    assert.equal(established(w.b), 1);
    assert.equal(w.b.engine.dropped.integrity, 3);
  });

  it('a replayed old request from another address gets the old response where it belongs and moves nothing', () => {
    const w = up();
    const sa = only(w.b);
    const before = snapshot(sa);
    const authRequest = w.wire.find((d) => d.from === 'a' && d.exchange === IKE_AUTH)!;
    const sent = w.wire.length;
    w.b.engine.receive({ local: sa.local, remote: ATTACKER, payload: authRequest.payload });
    w.run(10);
    assert.deepEqual(snapshot(sa), before);
    const answers = w.wire.slice(sent);
    assert.equal(answers.length, 1);
    assert.deepEqual(answers[0]!.remote, before.remote, 'the retransmitted response goes to the peer, not to the replayer');
  });

  it('a verified request from a new address moves the peer (a NAT rebinding, RFC 7296 §2.23)', () => {
    const w = up();
    const sa = only(w.b);
    const moved: Endpoint = { address: A_ADDRESS, port: 40000 };
    const request = only(w.a).encode(INFORMATIONAL, 2, false, []);
    w.b.engine.receive({ local: sa.local, remote: moved, payload: request });
    assert.deepEqual(sa.remote, moved);
    assert.equal(sa.messageIds.expectedRequest, 3);
  });

  it('a forged unprotected response does not complete (or kill) our IKE_AUTH in flight', () => {
    const w = twoPeers();
    let dropped = false;
    w.drop = (d) => {
      if (d.from === 'b' && d.exchange === IKE_AUTH && !dropped) {
        dropped = true;
        const sa = only(w.a);
        const forged = encodeMessage({ header: { spiI: sa.spiI, spiR: sa.spiR, exchangeType: IKE_AUTH, flags: HeaderFlag.RESPONSE, messageId: 1, minorVersion: 0 }, payloads: [notify(NotifyType.AUTHENTICATION_FAILED)] });
        w.clock.setTimer(5, () => w.a.engine.receive({ local: d.remote, remote: d.local, payload: forged }));
        return true;
      }
      return false;
    };
    w.a.engine.start();
    w.run(10_000);
    assert.ok(dropped);
    assert.equal(established(w.a), 1, w.a.log.join('\n'));
    assert.equal(established(w.b), 1);
    assert.equal(w.a.engine.dropped.integrity, 1);
  });

  it('an IKE_SA_INIT response from another address does not end our IKE_SA_INIT', () => {
    const w = twoPeers();
    w.drop = (d) => {
      if (d.from === 'a' && d.exchange === IKE_SA_INIT && !d.response) {
        const spiI = only(w.a).spiI;
        const forged = encodeMessage({ header: { spiI, spiR: 0n, exchangeType: IKE_SA_INIT, flags: HeaderFlag.RESPONSE, messageId: 0, minorVersion: 0 }, payloads: [notify(NotifyType.NO_PROPOSAL_CHOSEN)] });
        w.clock.setTimer(1, () => w.a.engine.receive({ local: d.local, remote: { address: parseIpv4('192.0.2.1'), port: 500 }, payload: forged }));
      }
      return false;
    };
    w.a.engine.start();
    w.run(1000);
    assert.equal(established(w.a), 1, w.a.log.join('\n'));
    assert.equal(only(w.b).remote.address, A_ADDRESS);
    assert.equal(only(w.b).local.address, B_ADDRESS);
    assert.equal(w.a.engine.dropped.unprotected, 1);
  });
});
