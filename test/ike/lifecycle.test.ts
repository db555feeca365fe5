import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage } from '../../src/ike/message.js';
import { NotifyType } from '../../src/ike/constants.js';
import { parseProposals } from '../../src/ike/proposal.js';
import { sameReason } from '../../src/ike/reasons.js';
import { parseIpv4 } from '../../src/net/address.js';
import { A_ADDRESS, assertOneMirroredChild, B_ADDRESS, child, established, openHalfSa, twoPeers, CREATE_CHILD_SA, IKE_AUTH, IKE_SA_INIT, INFORMATIONAL, type TwoPeers } from './two-peers.js';

/*
 * An IKE SA's life on a manual clock: retransmission and giving up, responses resent for
 * retransmitted requests, cookies, dead peer detection, CHILD_SA and IKE SA rekeys with and
 * without collisions (RFC 7296 §2.8.1), deletes and half-open timeouts.
 */

const STRANGER = parseIpv4('192.0.2.66');

function up(options: Parameters<typeof twoPeers>[0] = {}): TwoPeers {
  const w = twoPeers(options);
  w.a.engine.start();
  w.run(1000);
  assert.equal(established(w.a), 1, w.a.log.join('\n'));
  assert.equal(established(w.b), 1, w.b.log.join('\n'));
  return w;
}

function assertSameIkeSa(w: TwoPeers): void {
  const va = w.a.engine.view();
  const vb = w.b.engine.view();
  assert.equal(va.length, 1, JSON.stringify(va));
  assert.equal(vb.length, 1, JSON.stringify(vb));
  assert.equal(va[0]!.state, 'established');
  assert.equal(vb[0]!.state, 'established');
  assert.equal(va[0]!.spiI, vb[0]!.spiI);
  assert.equal(va[0]!.spiR, vb[0]!.spiR);
}

describe('retransmission', () => {
  it('retransmits a lost IKE_SA_INIT with backoff (4 s, then 7.2 s) and completes', () => {
    const w = twoPeers({ a: { retransmit: { timeoutMs: 4000, base: 1.8, tries: 5 } } });
    let lost = 0;
    w.drop = (d) => d.exchange === IKE_SA_INIT && !d.response && lost++ < 2;
    w.a.engine.start();
    w.run(11_100);
    assert.equal(established(w.a), 0, 'not before 4 + 7.2 s');
    w.run(1000);
    assert.equal(established(w.a), 1);
    assert.equal(w.a.log.filter((l) => /retransmit \d of request with message ID 0/.test(l)).length, 2);
  });

  it('a lost response is resent from the cache when the request comes again, without reprocessing', () => {
    const w = twoPeers();
    let lost = 0;
    w.drop = (d) => d.exchange === IKE_AUTH && d.response && lost++ < 1;
    w.a.engine.start();
    w.run(10_000);
    assert.equal(established(w.a), 1);
    assert.ok(w.b.log.some((l) => /received retransmit of request with ID 1, retransmitting response/.test(l)));
    assert.equal(w.b.up.length, 1, 'the responder installed one CHILD_SA, not two');
    assertOneMirroredChild(w);
  });

  it('gives up after the configured retransmits and says why', () => {
    const w = twoPeers({ a: { retransmit: { timeoutMs: 1000, base: 2, tries: 3 } } });
    w.drop = (d) => d.from === 'a';
    w.a.engine.start();
    w.run(1000 + 2000 + 4000 - 1);
    assert.equal(w.a.engine.view().length, 1, 'still trying');
    w.run(8000 + 1);
    assert.equal(w.a.engine.view().length, 0);
    assert.ok(w.a.states.some((s) => s.state === 'destroyed' && sameReason(s.reason, { kind: 'no-response', exchange: IKE_SA_INIT, messageId: 0, retransmits: 3 })), JSON.stringify(w.a.states));
    assert.equal(w.wire.filter((d) => d.from === 'a').length, 4);
  });
});

describe('cookies (RFC 7296 §2.6)', () => {
  it('past the half-open threshold the responder asks for a cookie and keeps no state until it comes back', () => {
    const w = twoPeers({ b: { remoteAddress: undefined }, engineB: { cookieThreshold: 1 } });
    openHalfSa(w.b.engine, B_ADDRESS, STRANGER);
    w.a.engine.start();
    w.run(1000);
    const fromB = w.wire.filter((d) => d.from === 'b' && d.exchange === IKE_SA_INIT && d.remote.address === A_ADDRESS).map((d) => decodeMessage(d.payload));
    assert.equal(fromB.length, 2);
    assert.deepEqual(fromB[0]!.payloads.map((p) => (p.type === 'notify' ? p.notifyType : p.type)), [NotifyType.COOKIE]);
    const secondRequest = decodeMessage(w.wire.filter((d) => d.from === 'a' && d.exchange === IKE_SA_INIT)[1]!.payload);
    const first = secondRequest.payloads[0]!;
    assert.ok(first.type === 'notify' && first.notifyType === NotifyType.COOKIE, 'the cookie comes first');
    assert.equal(established(w.a), 1);
    assertOneMirroredChild(w);
  });

  it('a forged cookie gets a fresh cookie request, not an SA', () => {
    const w = twoPeers({ b: { remoteAddress: undefined }, engineB: { cookieThreshold: 1 } });
    openHalfSa(w.b.engine, B_ADDRESS, STRANGER);
    // Corrupt the cookie A echoes.
    const original = w.b.engine.receive.bind(w.b.engine);
    w.b.engine.receive = (d) => {
      const m = decodeMessage(d.payload);
      const p = m.payloads[0];
      if (p?.type === 'notify' && p.notifyType === NotifyType.COOKIE) {
        const copy = Uint8Array.from(d.payload);
        const at = copy.length - d.payload.length + 28 + 8; // first payload's data
        copy[at] = copy[at]! ^ 1;
        original({ ...d, payload: copy });
        return;
      }
      original(d);
    };
    w.a.engine.start();
    w.run(2000);
    assert.equal(established(w.a), 0);
    assert.equal(w.b.engine.view().length, 1, 'no half-open SA for a bad cookie (only the stranger\'s)');
  });
});

describe('dead peer detection', () => {
  it('finds a silent peer, closes the CHILD_SA, and restarts when told to', () => {
    const w = up({ a: { dpdDelaySeconds: 30, dpdAction: 'restart', retransmit: { timeoutMs: 1000, base: 2, tries: 2 } } });
    w.drop = () => true;
    w.run(30_000);
    assert.ok(w.wire.some((d) => d.from === 'a' && d.exchange === INFORMATIONAL && !d.response), 'a DPD request');
    w.run(1000 + 2000 + 4000);
    assert.ok(w.a.states.some((s) => s.state === 'destroyed' && s.reason.kind === 'no-response' && s.reason.exchange === INFORMATIONAL && s.reason.retransmits === 2));
    assert.equal(w.a.down.length, 1);
    const gone = w.a.down[0]!.reason;
    assert.equal(gone.kind === 'ike-sa-gone' && gone.cause.kind, 'no-response');
    assert.ok(w.a.log.some((l) => /restarting after/.test(l)));
    w.drop = () => false;
    w.run(60_000);
    assert.equal(established(w.a), 1, 'restarted and re-established');
  });

  it('sends nothing while the peer keeps talking', () => {
    const w = up({ a: { dpdDelaySeconds: 30 }, b: { dpdDelaySeconds: 20 } });
    w.run(29_000);
    // B checks at 20 s (A silent → DPD from B), which A hears as traffic at 20 s: A need not ask at 30 s.
    const dpdA = () => w.wire.filter((d) => d.from === 'a' && d.exchange === INFORMATIONAL && !d.response).length;
    w.run(2000);
    assert.equal(dpdA(), 0);
    assert.ok(w.wire.some((d) => d.from === 'b' && d.exchange === INFORMATIONAL && !d.response));
  });
});

describe('CHILD_SA rekey', () => {
  it('rekeys before the soft lifetime, make-before-break, and deletes the old SA', () => {
    const lifetimes = { rekeySeconds: 3600, lifeSeconds: 3960 };
    const w = up({ a: { children: [child('net', '10.1.0.0/16', '10.2.0.0/16', { lifetimes })] } });
    const old = [...w.a.installed.values()][0]!;
    w.run(3600 * 1000);
    assertOneMirroredChild(w);
    const now = [...w.a.installed.values()][0]!;
    assert.notEqual(now.inboundSpi, old.inboundSpi);
    assert.equal(now.replaces, old.inboundSpi, 'announced as replacing the old SA');
    assert.deepEqual(w.a.down.map((d) => d.inboundSpi), [old.inboundSpi]);
    assert.deepEqual(w.a.down[0]!.reason, { kind: 'rekeyed' });
    assert.notDeepEqual(now.outboundKeys, old.outboundKeys);
  });

  it('with PFS the rekey carries a KE and a fresh D-H', () => {
    const esp = parseProposals(['aes256gcm16-modp2048'], 'esp');
    const w = up({
      a: { children: [child('net', '10.1.0.0/16', '10.2.0.0/16', { espProposals: esp })] },
      b: { children: [child('net', '10.2.0.0/16', '10.1.0.0/16', { espProposals: esp })] },
    });
    w.a.engine.rekeyChild('to-b', 'net');
    w.run(1000);
    assert.ok(w.a.log.some((l) => /sending CREATE_CHILD_SA request 2 \[ N\(REKEY_SA\) SA No KE TSi TSr \]/.test(l)), w.a.log.join('\n'));
    assertOneMirroredChild(w);
  });

  it('PFS group mismatch: INVALID_KE_PAYLOAD, then the rekey succeeds with the group asked for', () => {
    const w = up({
      a: { children: [child('net', '10.1.0.0/16', '10.2.0.0/16', { espProposals: parseProposals(['aes256gcm16-ecp256-modp2048'], 'esp') })] },
      b: { children: [child('net', '10.2.0.0/16', '10.1.0.0/16', { espProposals: parseProposals(['aes256gcm16-modp2048'], 'esp') })] },
    });
    w.a.engine.rekeyChild('to-b', 'net');
    w.run(1000);
    assert.ok(w.a.log.some((l) => /received CREATE_CHILD_SA response 2 \[ N\(INVALID_KE_PAYLOAD\) \]/.test(l)), w.a.log.join('\n'));
    assert.ok(w.a.log.some((l) => /sending CREATE_CHILD_SA request 3 \[ N\(REKEY_SA\) SA No KE TSi TSr \]/.test(l)));
    assertOneMirroredChild(w);
  });

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`both peers rekey at once (seed ${seed}): one new CHILD_SA survives on both sides, the redundant one and the old one are deleted`, () => {
      const w = up({ seed });
      const old = [...w.a.installed.values()][0]!;
      w.a.engine.rekeyChild('to-b', 'net');
      w.b.engine.rekeyChild('to-a', 'net');
      w.run(5000);
      assert.ok(w.a.log.some((l) => /collision/.test(l)) && w.b.log.some((l) => /collision/.test(l)), 'both saw the collision');
      assertOneMirroredChild(w);
      assert.ok(![...w.a.installed.keys()].includes(old.inboundSpi));
      // Exactly one side lost; its redundant CHILD_SA went the way of the old one.
      const lost = [w.a, w.b].filter((s) => s.log.some((l) => /ours lost/.test(l)));
      assert.equal(lost.length, 1);
    });
  }

  it('a rekey of a CHILD_SA the peer already deleted ends with CHILD_SA_NOT_FOUND, nothing left over', () => {
    const w = up();
    const ikeB = w.b.engine.ikeSasOf('to-a')[0]!;
    const childB = ikeB.children[0]!;
    // B deletes; A's rekey crosses it on the wire.
    w.a.engine.rekeyChild('to-b', 'net');
    ikeB.removeChild(childB, { kind: 'hard-lifetime' });
    w.run(2000);
    assert.ok(w.a.log.some((l) => /CHILD_SA_NOT_FOUND/.test(l)), w.a.log.join('\n'));
  });
});

describe('IKE SA rekey', () => {
  it('moves the children to the new IKE SA, deletes the old one, and the new SA works', () => {
    const w = up({ a: { ikeRekeySeconds: 14_400 } });
    const before = w.a.engine.view()[0]!;
    const childBefore = [...w.a.installed.values()][0]!;
    w.run(14_400 * 1000);
    assertSameIkeSa(w);
    const after = w.a.engine.view()[0]!;
    assert.notEqual(after.spiI, before.spiI);
    assert.equal(after.children.length, 1);
    assert.equal(w.a.down.length, 0, 'the CHILD_SA survives the IKE rekey');
    assert.equal([...w.a.installed.values()][0]!.inboundSpi, childBefore.inboundSpi);
    // The new SA starts at message ID 0 and can rekey its child.
    w.a.engine.rekeyChild('to-b', 'net');
    w.run(1000);
    assertOneMirroredChild(w);
    assert.ok(w.a.log.some((l) => new RegExp(`to-b\\[\\d+\\]: sending CREATE_CHILD_SA request 0 \\[ N\\(REKEY_SA\\)`).test(l)), w.a.log.join('\n'));
  });

  for (const seed of [1, 2, 3, 4]) {
    it(`both peers rekey the IKE SA at once (seed ${seed}): both end on the same new IKE SA with the child`, () => {
      const w = up({ seed });
      w.a.engine.rekeyIkeSa('to-b');
      w.b.engine.rekeyIkeSa('to-a');
      w.run(5000);
      assertSameIkeSa(w);
      assertOneMirroredChild(w);
      assert.equal(w.a.down.length + w.b.down.length, 0);
      w.a.engine.rekeyChild('to-b', 'net');
      w.run(1000);
      assertOneMirroredChild(w);
    });
  }

  it('a CHILD_SA rekey in flight makes the IKE rekey wait (TEMPORARY_FAILURE) and retry', () => {
    const w = up();
    w.b.engine.rekeyChild('to-a', 'net');
    w.a.engine.rekeyIkeSa('to-b');
    w.run(10_000);
    assertSameIkeSa(w);
    assertOneMirroredChild(w);
  });
});

describe('deletes and timeouts', () => {
  it('terminate deletes the IKE SA and its children on both sides', () => {
    const w = up();
    w.a.engine.terminate('to-b');
    w.run(1000);
    assert.equal(w.a.engine.view().length, 0);
    assert.equal(w.b.engine.view().length, 0);
    assert.equal(w.a.down.length, 1);
    assert.equal(w.b.down.length, 1);
    assert.ok(w.b.states.some((s) => s.state === 'destroyed' && s.reason.kind === 'deleted-by-peer'));
    assert.ok(w.a.states.some((s) => s.state === 'destroyed' && s.reason.kind === 'terminated-by-user'));
  });

  it('a half-open SA with no IKE_AUTH is dropped after the timeout', () => {
    const w = twoPeers({ engineB: { halfOpenTimeoutMs: 5000 } });
    w.drop = (d) => d.exchange === IKE_AUTH;
    w.a.engine.start();
    w.run(1000);
    assert.equal(w.b.engine.view().length, 1);
    w.run(5000);
    assert.equal(w.b.engine.view().length, 0);
    assert.ok(w.b.states.some((s) => s.state === 'destroyed' && sameReason(s.reason, { kind: 'half-open-timeout', timeoutMs: 5000 })));
  });

  it('a new CHILD_SA on an established IKE SA (CREATE_CHILD_SA) and its delete', () => {
    const w = up({
      a: { children: [child('net', '10.1.0.0/16', '10.2.0.0/16'), child('dmz', '172.16.1.0/24', '172.16.2.0/24', { startAction: 'none' })] },
      b: { children: [child('net', '10.2.0.0/16', '10.1.0.0/16'), child('dmz', '172.16.2.0/24', '172.16.1.0/24')] },
    });
    w.a.engine.acquire('to-b', 'dmz');
    w.run(1000);
    assert.equal(w.a.installed.size, 2);
    assert.equal(w.b.installed.size, 2);
    assert.ok(w.wire.some((d) => d.exchange === CREATE_CHILD_SA));
    const dmz = w.a.engine.ikeSasOf('to-b')[0]!.children.find((c) => c.config.name === 'dmz')!;
    w.a.engine.expire(dmz.inboundSpi, 'hard');
    assert.equal(w.a.installed.size, 1);
  });
});
