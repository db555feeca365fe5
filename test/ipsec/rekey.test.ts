import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IpsecDrop } from '../../src/ipsec/errors.js';
import { runPing } from '../../src/emulator/session.js';
import { childPair, INTERNET_LINK_A, routeBased, wireKind, type RouteBasedSetup } from './helpers.js';

/*
 * A CHILD_SA rekey on a ping stream (pc-a sends echo N at (N-1) s; one way takes 10.2 ms):
 *
 *   time ms   pc-a       gw-a                        Internet                      gw-b       pc-b
 *   3000      echo 4 ──▶ ESP spi=OLD_B ─────────────── in flight ─────────────────▶
 *   3005                 install NEW on both gateways: outbound switches to NEW at once
 *   3010.1                                          OLD_B inbound still accepts ─▶ echo 4 ──▶
 *   3010.2                                       ◀── reply 4, ESP spi=NEW_A
 *   3500                 remove OLD on both (the engine's DELETE exchange)
 *   4000      echo 5 ──▶ ESP spi=NEW_B ──────────────────────────────────────────▶
 */
const SWITCH_AT = 3005;
const DELETE_AT = 3500;
const OLD = childPair({ seed: 1, spiBase: 0xc0de0000 });
const NEW = childPair({ seed: 2, spiBase: 0xbeef0000, replaces: { a: OLD.a.inboundSpi, b: OLD.b.inboundSpi } });

function rekeyDuringPing(s: RouteBasedSetup, removeOldAt: number): void {
  s.a.sad.install(OLD.a);
  s.b.sad.install(OLD.b);
  s.net.scheduler.at(SWITCH_AT, () => {
    s.a.sad.install(NEW.a);
    s.b.sad.install(NEW.b);
  }, undefined);
  s.net.scheduler.at(removeOldAt, () => {
    s.a.sad.remove({ inboundSpi: OLD.a.inboundSpi, childName: 'net' });
    s.b.sad.remove({ inboundSpi: OLD.b.inboundSpi, childName: 'net' });
  }, undefined);
}

describe('CHILD_SA rekey, make-before-break', () => {
  it('switches outbound at once, keeps the old inbound SA for packets in flight, and loses no reply', () => {
    const s = routeBased();
    rekeyDuringPing(s, DELETE_AT);
    const wire: { at: number; spi: number }[] = [];
    s.net.link(INTERNET_LINK_A).addTap((at, packet) => {
      const w = wireKind(packet);
      assert.equal(w.kind, 'esp-in-udp');
      if (w.kind === 'esp-in-udp') wire.push({ at, spi: w.spi });
    });
    let oldInboundAtB: number | undefined;
    s.net.scheduler.at(DELETE_AT - 1, () => { oldInboundAtB = s.b.sad.byInbound(OLD.b.inboundSpi)?.inbound.counters.packets; }, undefined);

    const run = runPing(s.net, 'pc-a', '10.2.1.10', 8);

    assert.deepEqual(run.ping.events.map((e) => e.kind), Array(8).fill('reply'));
    assert.equal(oldInboundAtB, 4, 'echo 4 was encrypted with the old SA and accepted after the switch');
    const spiAt = (from: number, to: number) => [...new Set(wire.filter((w) => w.at >= from && w.at < to).map((w) => w.spi))].sort();
    assert.deepEqual(spiAt(0, SWITCH_AT), [OLD.a.inboundSpi, OLD.a.outboundSpi].sort());
    assert.deepEqual(spiAt(SWITCH_AT, Infinity), [NEW.a.inboundSpi, NEW.a.outboundSpi].sort());
    assert.equal(s.a.sad.byInbound(OLD.a.inboundSpi), undefined, 'the old SA is gone after its delete');
    assert.equal(s.a.sad.current('net')?.config.inboundSpi, NEW.a.inboundSpi);
    assert.deepEqual(s.b.sad.unattributedDrops, {});
    assert.deepEqual(s.a.sad.counters('net'), { packetsIn: 8, bytesIn: 8 * 84, packetsOut: 8, bytesOut: 8 * 84, drops: {} });
    assert.deepEqual(s.a.expiries, []);
  });

  it('as the responder does: new inbound first, outbound moved over when the old SA is deleted', () => {
    /*
     *   gw-a (initiator)                          gw-b (responder)
     *     CREATE_CHILD_SA request  ───────────▶   3005: install NEW inbound, keep sending on OLD
     *   3020: install NEW, send on NEW  ◀──────── response
     *     INFORMATIONAL Delete OLD ───────────▶   3510: remove OLD: NEW outbound takes over
     */
    const s = routeBased();
    s.a.sad.install(OLD.a);
    s.b.sad.install(OLD.b);
    s.net.scheduler.at(SWITCH_AT, () => s.b.sad.install(NEW.b, { deferOutbound: true }), undefined);
    s.net.scheduler.at(SWITCH_AT + 15, () => s.a.sad.install(NEW.a), undefined);
    s.net.scheduler.at(DELETE_AT, () => s.a.sad.remove({ inboundSpi: OLD.a.inboundSpi }), undefined);
    s.net.scheduler.at(DELETE_AT + 10, () => s.b.sad.remove({ inboundSpi: OLD.b.inboundSpi }), undefined);
    const sentByB: { at: number; spi: number }[] = [];
    s.net.link(INTERNET_LINK_A).addTap((at, packet, from) => {
      const w = wireKind(packet);
      if (from.node !== s.a.node.ip && w.kind === 'esp-in-udp') sentByB.push({ at, spi: w.spi });
    });
    let outboundAtB: number | undefined;
    s.net.scheduler.at(SWITCH_AT + 1, () => { outboundAtB = s.b.sad.current('net')?.config.outboundSpi; }, undefined);

    const run = runPing(s.net, 'pc-a', '10.2.1.10', 8);

    assert.deepEqual(run.ping.events.map((e) => e.kind), Array(8).fill('reply'));
    assert.equal(outboundAtB, OLD.b.outboundSpi, 'the responder kept sending on the old SA');
    const spisSent = (from: number, to: number) => sentByB.filter((p) => p.at >= from && p.at < to).map((p) => p.spi);
    assert.deepEqual(spisSent(0, DELETE_AT), Array(4).fill(OLD.a.inboundSpi), 'replies 1-4, reply 4 after A switched');
    assert.deepEqual(spisSent(DELETE_AT, Infinity), Array(4).fill(NEW.a.inboundSpi), 'replies 5-8');
    assert.equal(s.b.sad.current('net')?.config.inboundSpi, NEW.b.inboundSpi);
    assert.deepEqual([s.a.sad.unattributedDrops, s.b.sad.unattributedDrops], [{}, {}]);
  });

  it('break-before-make, for contrast: the echo in flight under the old SPI is lost', () => {
    const s = routeBased();
    rekeyDuringPing(s, SWITCH_AT);
    const run = runPing(s.net, 'pc-a', '10.2.1.10', 8);
    assert.deepEqual(run.ping.events.map((e) => e.seq), [1, 2, 3, 5, 6, 7, 8]);
    assert.deepEqual(s.b.sad.unattributedDrops, { [IpsecDrop.UnknownSpi]: 1 });
  });

  it('marks the replaced SA superseded: no soft expiry is reported for it, the new one rekeys on its own', () => {
    const s = routeBased();
    const old = childPair({ seed: 1, spiBase: 0x1000, lifetimes: { rekeySeconds: 10, lifeSeconds: 20 } });
    const replacement = childPair({ seed: 2, spiBase: 0x2000, lifetimes: { rekeySeconds: 10, lifeSeconds: 20 }, replaces: { a: 0x1000, b: 0x1001 } });
    s.a.sad.install(old.a);
    s.net.scheduler.advance(5000);
    s.a.sad.install(replacement.a);
    assert.equal(s.a.sad.byInbound(0x1000)?.superseded, true);
    s.net.scheduler.advance(10_000);
    assert.deepEqual(s.a.expiries.map((e) => [e.inboundSpi, e.level]), [[0x2000, 'soft']], 'old soft at 10 s suppressed, new soft at 15 s');
    s.net.scheduler.advance(5000);
    assert.deepEqual(s.a.expiries.map((e) => [e.inboundSpi, e.level]), [[0x2000, 'soft'], [0x1000, 'hard']], 'the old one never deleted: hard at 20 s');
    assert.equal(s.a.sad.current('net')?.config.inboundSpi, 0x2000);
  });
});
