import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeaderFlag } from '../../src/ike/constants.js';
import { encodeMessage } from '../../src/ike/message.js';
import { formatIdentity, fqdnIdentity } from '../../src/ike/payloads/id.js';
import { parseIpv4 } from '../../src/net/address.js';
import { SeededRng } from '../../src/core/rng.js';
import { describeStation, HUB_ADDRESS, hubConnection, makeHub, toHub, type Station } from './hub.js';
import { IKE_AUTH, INFORMATIONAL } from './two-peers.js';

/*
 * Issue 11, defect 10, on one responder with many peers: half-open IKE SAs bounded per source
 * (strongSwan's block_threshold) and in all, one log line per junk datagram no more, INITIAL_CONTACT
 * limited to the same authenticated identities, and connections chosen by identity as well as
 * address.
 */

const psk = (text: string) => new TextEncoder().encode(text);

/** Responder IKE SAs waiting for IKE_AUTH, as the view shows them. */
function halfOpen(s: Station): number {
  return s.engine.view().filter((v) => v.state === 'connecting' && v.role === 'responder').length;
}

function establishedSas(s: Station) {
  return s.engine.ikeSas().filter((sa) => sa.state === 'established');
}

describe('half-open IKE SAs (RFC 7296 §2.6, strongSwan block_threshold / init_limit_half_open)', () => {
  it('one address echoing cookies holds at most blockThreshold half-open SAs; another address still gets in', () => {
    const w = makeHub([hubConnection('any')], { cookieThreshold: 3, blockThreshold: 5 });
    // The flooder answers cookies but never authenticates.
    w.drop = (d) => d.exchange === IKE_AUTH && d.local.address === parseIpv4('192.0.2.7');
    const names = Array.from({ length: 50 }, (_, i) => `c${i}`);
    const flooder = w.add('192.0.2.7', names.map((n) => toHub(n, '192.0.2.7')));
    for (const n of names) flooder.engine.initiate(n);
    w.run(2000);
    assert.equal(halfOpen(w.hub), 5);
    assert.equal(w.hub.engine.halfOpenCount, 5);
    assert.equal(w.hub.engine.dropped.blocked, 45);
    assert.ok(w.hub.engine.cookiesSent >= 45, `cookies sent: ${w.hub.engine.cookiesSent}`);
    const honest = w.add('192.0.2.8', [toHub('honest', '192.0.2.8')]);
    honest.engine.initiate('honest');
    w.run(2000);
    assert.equal(establishedSas(honest).length, 1, describeStation(honest));
    w.run(w.hub.engine.config.halfOpenTimeoutMs);
    assert.equal(halfOpen(w.hub), 0);
    assert.equal(w.hub.engine.halfOpenCount, 0);
  });

  it('spoofed sources cannot pass halfOpenLimit half-open SAs in all', () => {
    const w = makeHub([hubConnection('any')], { cookieThreshold: 0, blockThreshold: 5, halfOpenLimit: 20 });
    w.drop = (d) => d.exchange === IKE_AUTH;
    for (let i = 1; i <= 30; i++) w.add(`198.18.0.${i}`, [toHub('x', `198.18.0.${i}`)]).engine.initiate('x');
    w.run(1000);
    assert.equal(halfOpen(w.hub), 20);
    assert.equal(w.hub.engine.halfOpenCount, 20);
    assert.equal(w.hub.engine.dropped['half-open-limit'], 10);
  });

  it('a flood of junk leaves a bounded log and exact counters', () => {
    const w = makeHub([hubConnection('any')]);
    const rng = new SeededRng(5);
    const local = { address: HUB_ADDRESS, port: 500 };
    const junk = (spiI: bigint) => encodeMessage({ header: { spiI, spiR: 0x1234n, exchangeType: INFORMATIONAL, flags: HeaderFlag.INITIATOR, messageId: 1, minorVersion: 0 }, payloads: [] });
    for (let i = 0; i < 5000; i++) w.hub.engine.receive({ local, remote: { address: parseIpv4('192.0.2.9'), port: 500 }, payload: junk(BigInt(i + 1)) });
    for (let i = 0; i < 5000; i++) w.hub.engine.receive({ local, remote: { address: 0xc6120000 + i, port: 500 }, payload: junk(BigInt(i + 1)) });
    for (let i = 0; i < 5000; i++) w.hub.engine.receive({ local, remote: { address: 0xc6130000 + i, port: 500 }, payload: rng.bytes(1 + rng.int(40)) });
    assert.ok(w.hub.log.length <= 60, `${w.hub.log.length} lines`);
    assert.equal(w.hub.engine.dropped['unknown-sa'], 10_000);
    assert.equal(w.hub.engine.dropped.malformed, 5000);
    w.run(61_000);
    w.hub.engine.flushLog();
    assert.ok(w.hub.log.some((l) => /more like it/.test(l)), 'the suppressed lines are summarised');
  });
});

describe('INITIAL_CONTACT on a connection shared by several peers (RFC 7296 §2.4, §3.16)', () => {
  it('deletes only the SAs between the same identities: one peer cannot end another\'s', () => {
    const w = makeHub([hubConnection('road')]);
    const x = w.add('192.0.2.10', [toHub('x', '192.0.2.10')]);
    const y = w.add('192.0.2.11', [toHub('y', '192.0.2.11')]);
    x.engine.initiate('x');
    w.run(1000);
    y.engine.initiate('y');
    w.run(1000);
    assert.equal(establishedSas(x).length, 1);
    assert.equal(establishedSas(y).length, 1);
    assert.equal(establishedSas(w.hub).length, 2, describeStation(w.hub));
    // X reboots: a fresh engine on its address says INITIAL_CONTACT; X's stale SA goes, Y's stays.
    const yIdentity = establishedSas(w.hub).find((sa) => sa.remote.address === y.address)!;
    const x2 = w.add('192.0.2.10', [toHub('x', '192.0.2.10')], 77);
    x2.engine.initiate('x');
    w.run(1000);
    const hubSas = establishedSas(w.hub);
    assert.equal(hubSas.length, 2, describeStation(w.hub));
    assert.ok(hubSas.includes(yIdentity), 'Y\'s IKE SA is untouched');
    assert.deepEqual(hubSas.map((sa) => formatIdentity(sa.remoteIdentity!)).sort(), ['192.0.2.10', '192.0.2.11']);
    assert.equal(establishedSas(y).length, 1);
  });
});

describe('connections chosen by identity as well as address', () => {
  it('two %any connections told apart by the remote identity, each with its own key', () => {
    const w = makeHub([
      hubConnection('alice', { psk: psk('alice key'), remoteIdentity: fqdnIdentity('alice.example') }),
      hubConnection('bob', { psk: psk('bob key'), remoteIdentity: fqdnIdentity('bob.example') }),
    ]);
    const a = w.add('192.0.2.20', [toHub('alice', '192.0.2.20', { id: '@alice.example', psk: psk('alice key') })]);
    const b = w.add('192.0.2.21', [toHub('bob', '192.0.2.21', { id: '@bob.example', psk: psk('bob key') })]);
    b.engine.initiate('bob');
    a.engine.initiate('alice');
    w.run(1000);
    assert.equal(establishedSas(a).length, 1, describeStation(a));
    assert.equal(establishedSas(b).length, 1, describeStation(b));
    const byConnection = Object.fromEntries(establishedSas(w.hub).map((sa) => [sa.config.name, formatIdentity(sa.remoteIdentity!)]));
    assert.deepEqual(byConnection, { alice: 'alice.example', bob: 'bob.example' });
  });

  it('two connections to one address, told apart by identity; an unknown identity is refused', () => {
    const shared = parseIpv4('192.0.2.30');
    const w = makeHub([
      hubConnection('site-1', { remoteAddress: shared, remoteIdentity: fqdnIdentity('one.example'), psk: psk('key one') }),
      hubConnection('site-2', { remoteAddress: shared, remoteIdentity: fqdnIdentity('two.example'), psk: psk('key two') }),
    ]);
    const s = w.add('192.0.2.30', [
      toHub('one', '192.0.2.30', { id: '@one.example', psk: psk('key one') }),
      toHub('two', '192.0.2.30', { id: '@two.example', psk: psk('key two') }),
      toHub('three', '192.0.2.30', { id: '@three.example', psk: psk('key one') }),
    ]);
    s.engine.initiate('one');
    s.engine.initiate('two');
    s.engine.initiate('three');
    w.run(2000);
    assert.deepEqual(establishedSas(s).map((sa) => sa.config.name).sort(), ['one', 'two'], describeStation(s));
    assert.deepEqual(establishedSas(w.hub).map((sa) => sa.config.name).sort(), ['site-1', 'site-2']);
  });
});

describe('a bug met handling one peer\'s datagram (issue 11, defect 1\'s audit for IKE)', () => {
  it('closes that peer\'s IKE SA only: nothing escapes receive(), other peers keep theirs, the peer gets in again', () => {
    let armed = false;
    const w = makeHub([hubConnection('any')], {}, 10, {
      childUp: () => {
        if (armed) {
          armed = false;
          throw new TypeError('a bug in a CHILD_SA listener');
        }
      },
    });
    const first = w.add('192.0.2.21', [toHub('first', '192.0.2.21')]);
    first.engine.initiate('first');
    w.run(2000);
    assert.equal(establishedSas(first).length, 1, describeStation(first));
    armed = true;
    const second = w.add('192.0.2.22', [toHub('second', '192.0.2.22')]);
    second.engine.initiate('second');
    assert.doesNotThrow(() => w.run(2000));
    assert.equal(w.hub.engine.dropped.internal, 1);
    assert.ok(w.hub.log.some((l) => /internal error handling a datagram from 192\.0\.2\.22\[500\], IKE SA closed: TypeError/.test(l)), describeStation(w.hub));
    assert.equal(establishedSas(w.hub).length, 1, 'only the first peer\'s SA is left on the hub');
    assert.equal(establishedSas(first).length, 1);
    // The peer restarts (its SA is gone here; it learns so at its next DPD): it gets in again.
    const again = w.add('192.0.2.22', [toHub('second', '192.0.2.22')]);
    again.engine.initiate('second');
    w.run(2000);
    assert.equal(establishedSas(again).length, 1, describeStation(again));
    assert.equal(establishedSas(w.hub).length, 2, describeStation(w.hub));
  });
});

describe('a bug met in an IKE SA\'s timer (issue 11, defect 1\'s audit for IKE)', () => {
  it('closes that IKE SA only: nothing escapes the clock, other peers keep theirs', () => {
    let armed = false;
    const w = makeHub([hubConnection('any', { dpdDelaySeconds: 5 })]);
    const one = w.add('192.0.2.31', [toHub('one', '192.0.2.31')]);
    const two = w.add('192.0.2.32', [toHub('two', '192.0.2.32')]);
    one.engine.initiate('one');
    two.engine.initiate('two');
    w.run(2000);
    assert.equal(establishedSas(w.hub).length, 2, describeStation(w.hub));
    // The hub's next datagram to peer one — its DPD, from a timer — meets a bug on the way out.
    w.drop = (d) => {
      if (armed && d.remote.address === parseIpv4('192.0.2.31')) {
        armed = false;
        throw new TypeError('a bug on the way out');
      }
      return false;
    };
    armed = true;
    assert.doesNotThrow(() => w.run(10_000));
    assert.equal(w.hub.engine.dropped.internal, 1);
    assert.ok(w.hub.log.some((l) => /internal error in a timer, IKE SA closed: TypeError: a bug on the way out/.test(l)), describeStation(w.hub));
    assert.deepEqual(establishedSas(w.hub).map((sa) => sa.remote.address), [parseIpv4('192.0.2.32')]);
    assert.equal(establishedSas(two).length, 1);
  });
});
