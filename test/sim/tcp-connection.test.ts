import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../src/core/clock.js';
import { SeededRng, type Rng } from '../../src/core/rng.js';
import { parseIpv4 } from '../../src/net/address.js';
import { TcpFlag, decodeTcp, encodeTcp, tcpMssOption, type TcpSegment } from '../../src/net/tcp.js';
import {
  TcpConnection, resetFor, seqAdd, seqDiff, seqGt, seqLe, seqLt,
  type TcpConnectionOptions, type TcpState,
} from '../../src/sim/tcp/connection.js';
import { RTO_MAX_MS, backedOffRto, INITIAL_RTT_ESTIMATE, updateRtt } from '../../src/sim/tcp/rto.js';
import type { TcpSocketHandlers, TransportError } from '../../src/transport/types.js';

// ---- A two-host lab: two engines back to back on one ManualClock ----

type Side = 'A' | 'B';

interface Sent {
  at: number;
  from: Side;
  seg: TcpSegment;
  dropped: boolean;
}

interface Host {
  name: Side;
  address: number;
  port: number;
  mss: number;
  rng: Rng;
  conn: TcpConnection | undefined;
  /** In the lab's demux table (until onFinished). */
  live: boolean;
  chunks: Uint8Array[];
  ends: number;
  connects: number;
  closes: Array<TransportError | undefined>;
  closedAt: number | undefined;
  finishes: number;
  states: TcpState[];
  hooks: Partial<TcpSocketHandlers>;
}

interface LabConfig {
  delayMs?: number;
  lossRate?: number;
  seed?: number;
  /** Drops a segment (on top of random loss) when true. */
  drop?: (s: Sent, lab: Lab) => boolean;
  /** What B does with a segment that matches no connection. */
  b?: 'listen' | 'refuse' | 'blackhole';
  isnA?: number;
  isnB?: number;
  mssA?: number;
  mssB?: number;
  /** B's accepted connections start without handlers. */
  bWithoutHandlers?: boolean;
  options?: Partial<TcpConnectionOptions>;
}

/** An Rng whose 32-bit draws (the ISN) are fixed. */
function fixedIsn(isn: number): Rng {
  return { next: () => isn / 2 ** 32, int: () => isn, bytes: (n) => new Uint8Array(n) };
}

class Lab {
  readonly clock = new ManualClock();
  readonly log: Sent[] = [];
  readonly a: Host;
  readonly b: Host;
  private readonly cfg: LabConfig;
  private readonly lossRng: SeededRng;

  constructor(cfg: LabConfig = {}) {
    this.cfg = cfg;
    this.lossRng = new SeededRng(cfg.seed ?? 1);
    const host = (name: Side, address: string, port: number, mss: number, isn: number | undefined): Host => ({
      name, address: parseIpv4(address), port, mss, rng: isn === undefined ? SeededRng.derive(cfg.seed ?? 1, name) : fixedIsn(isn),
      conn: undefined, live: false, chunks: [], ends: 0, connects: 0, closes: [], closedAt: undefined, finishes: 0, states: [], hooks: {},
    });
    this.a = host('A', '10.0.0.1', 40000, cfg.mssA ?? 1460, cfg.isnA);
    this.b = host('B', '10.0.0.2', 179, cfg.mssB ?? 1460, cfg.isnB);
  }

  /** A actively opens towards B. */
  connect(): TcpConnection {
    return this.open(this.a, this.b);
  }

  open(h: Host, peer: Host): TcpConnection {
    h.conn = TcpConnection.connect(this.options(h, peer, true));
    h.live = true;
    return h.conn;
  }

  get A(): TcpConnection {
    return this.a.conn!;
  }

  get B(): TcpConnection {
    return this.b.conn!;
  }

  peerOf(h: Host): Host {
    return h === this.a ? this.b : this.a;
  }

  recorder(h: Host): TcpSocketHandlers {
    return {
      onConnect: () => { h.connects++; h.hooks.onConnect?.(); },
      onData: (d) => { h.chunks.push(d.slice()); h.hooks.onData?.(d); },
      onEnd: () => { h.ends++; h.hooks.onEnd?.(); },
      onClose: (e) => { h.closes.push(e); h.closedAt = this.clock.now(); h.hooks.onClose?.(e); },
    };
  }

  options(h: Host, peer: Host, withHandlers: boolean): TcpConnectionOptions {
    const opts: TcpConnectionOptions = {
      clock: this.clock, rng: h.rng,
      localAddress: h.address, localPort: h.port, remoteAddress: peer.address, remotePort: peer.port,
      mss: h.mss,
      emit: (seg) => this.transmit(h, seg),
      onStateChange: (_from, to) => { h.states.push(to); },
      onFinished: () => { h.finishes++; h.live = false; },
      ...this.cfg.options,
    };
    if (withHandlers) opts.handlers = this.recorder(h);
    return opts;
  }

  /** Every segment goes through the real codec, with a real checksum, before it is delivered. */
  transmit(from: Host, seg: TcpSegment): void {
    const to = this.peerOf(from);
    const bytes = encodeTcp(seg, from.address, to.address);
    const sent: Sent = { at: this.clock.now(), from: from.name, seg: decodeTcp(bytes, from.address, to.address), dropped: false };
    const lost = (this.cfg.lossRate ?? 0) > 0 && this.lossRng.next() < this.cfg.lossRate!;
    sent.dropped = lost || (this.cfg.drop?.(sent, this) ?? false);
    this.log.push(sent);
    if (!sent.dropped) this.clock.setTimer(this.cfg.delayMs ?? 10, () => this.deliver(to, decodeTcp(bytes, from.address, to.address)));
  }

  private deliver(to: Host, seg: TcpSegment): void {
    if (to.conn !== undefined && to.live) {
      to.conn.receive(seg);
      return;
    }
    const mode = this.cfg.b ?? 'listen';
    const pureSyn = (seg.flags & (TcpFlag.SYN | TcpFlag.ACK | TcpFlag.RST)) === TcpFlag.SYN;
    if (to === this.b && mode === 'blackhole') return;
    if (to === this.b && mode === 'listen' && pureSyn) {
      to.conn = TcpConnection.accept(this.options(to, this.a, !this.cfg.bWithoutHandlers), seg);
      to.live = true;
      to.hooks.onConnect?.(); // the lab's "listener callback"
      return;
    }
    const rst = resetFor(seg);
    if (rst !== undefined) this.transmit(to, rst);
  }

  /** Advances the clock in small steps until `done()` or `limitMs` of virtual time has passed. */
  runUntil(done: () => boolean, limitMs: number): boolean {
    const end = this.clock.now() + limitMs;
    while (!done()) {
      if (this.clock.now() >= end) return false;
      this.clock.advance(10);
      void this.clock.pendingCount; // compacts the clock's list of cancelled timers
    }
    return true;
  }

  bothFinished(): boolean {
    return this.a.finishes > 0 && this.b.finishes > 0;
  }

  sentBy(side: Side, pred: (s: Sent) => boolean = () => true): Sent[] {
    return this.log.filter((s) => s.from === side && pred(s));
  }
}

const has = (s: Sent, flag: number): boolean => (s.seg.flags & flag) !== 0;

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function randomBytes(n: number, seed: number): Uint8Array {
  return new SeededRng(seed).bytes(n);
}

function writeInChunks(conn: TcpConnection, data: Uint8Array, chunk: number): void {
  for (let i = 0; i < data.length; i += chunk) conn.write(data.subarray(i, i + chunk));
}

/**
 * A sends `toB`, B sends `toA` (both starting before the handshake completes), both end(), and
 * the lab runs until both connections are fully closed.
 */
function exchange(lab: Lab, toB: Uint8Array, toA: Uint8Array, chunk: number, limitMs: number): boolean {
  lab.b.hooks.onConnect = () => {
    writeInChunks(lab.B, toA, chunk);
    lab.B.end();
  };
  lab.connect();
  writeInChunks(lab.A, toB, chunk);
  lab.A.end();
  return lab.runUntil(() => lab.bothFinished(), limitMs);
}

function assertCleanFinish(lab: Lab): void {
  for (const h of [lab.a, lab.b]) {
    assert.deepEqual(h.closes, [undefined], `${h.name} closes without error`);
    assert.equal(h.finishes, 1, `${h.name} finishes once`);
    assert.equal(h.ends, 1, `${h.name} sees the peer's FIN once`);
    assert.equal(h.conn!.state, 'CLOSED');
  }
  assert.equal(lab.clock.pendingCount, 0, 'no timers left behind');
}

const MiB = 1 << 20;

// ---- Tests ----

describe('sequence arithmetic', () => {
  it('compares across the 2^32 wrap', () => {
    assert.equal(seqAdd(0xffff_fff0, 0x20), 0x10);
    assert.equal(seqDiff(0x10, 0xffff_fff0), 0x20);
    assert.equal(seqDiff(0xffff_fff0, 0x10), -0x20);
    assert.ok(seqLt(0xffff_fff0, 0x10));
    assert.ok(seqLe(0x10, 0x10));
    assert.ok(!seqLt(0x10, 0xffff_fff0));
    assert.ok(seqGt(0, 0xffff_ffff));
  });

  it('seqDiff inverts seqAdd for any distance below 2^31', () => {
    fc.assert(fc.property(fc.nat({ max: 0xffff_ffff }), fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 }), (a, n) => {
      const b = seqAdd(a, n);
      return b >= 0 && b <= 0xffff_ffff && seqDiff(b, a) === n && seqLt(a, b) === n > 0 && seqLe(b, a) === n <= 0;
    }), { seed: 7, numRuns: 500 });
  });
});

describe('RFC 6298 retransmission timeout', () => {
  it('initialises from the first sample and smooths later ones', () => {
    const first = updateRtt(INITIAL_RTT_ESTIMATE, 100);
    assert.deepEqual(first, { srtt: 100, rttvar: 50, rto: 300 });
    const second = updateRtt(first, 300);
    assert.equal(second.rttvar, 0.75 * 50 + 0.25 * 200);
    assert.equal(second.srtt, 0.875 * 100 + 0.125 * 300);
    assert.equal(second.rto, second.srtt! + 4 * second.rttvar);
  });

  it('clamps to 200 ms and 120 s and doubles on backoff', () => {
    assert.equal(INITIAL_RTT_ESTIMATE.rto, 1000);
    assert.equal(updateRtt(INITIAL_RTT_ESTIMATE, 10).rto, 200);
    assert.equal(updateRtt(INITIAL_RTT_ESTIMATE, 100_000).rto, RTO_MAX_MS);
    assert.deepEqual([0, 1, 2, 3].map((k) => backedOffRto(200, k)), [200, 400, 800, 1600]);
    assert.equal(backedOffRto(200, 30), RTO_MAX_MS);
  });
});

describe('TcpConnection handshake', () => {
  it('negotiates the MSS from the SYN and SYN-ACK options', () => {
    const lab = new Lab({ mssA: 1460, mssB: 1200, isnA: 1000, isnB: 5000 });
    lab.connect();
    assert.equal(lab.A.state, 'SYN-SENT');
    lab.clock.advance(100);

    const [syn, synAck, ack, ...rest] = lab.log;
    assert.equal(rest.length, 0);
    assert.deepEqual([syn!.from, syn!.at, syn!.seg.flags], ['A', 0, TcpFlag.SYN]);
    assert.equal(syn!.seg.seq, 1000);
    assert.equal(tcpMssOption(syn!.seg.options), 1460);
    assert.deepEqual([synAck!.from, synAck!.at, synAck!.seg.flags], ['B', 10, TcpFlag.SYN | TcpFlag.ACK]);
    assert.deepEqual([synAck!.seg.seq, synAck!.seg.ack], [5000, 1001]);
    assert.equal(tcpMssOption(synAck!.seg.options), 1200);
    assert.deepEqual([ack!.from, ack!.at, ack!.seg.flags, ack!.seg.seq, ack!.seg.ack], ['A', 20, TcpFlag.ACK, 1001, 5001]);
    assert.equal(ack!.seg.window, 65535);

    assert.equal(lab.A.effectiveMss, 1200);
    assert.equal(lab.B.effectiveMss, 1200);
    assert.deepEqual(lab.a.states, ['SYN-SENT', 'ESTABLISHED']);
    assert.deepEqual(lab.b.states, ['SYN-RECEIVED', 'ESTABLISHED']);
    assert.equal(lab.a.connects, 1);
    assert.equal(lab.b.connects, 0, 'onConnect is for active opens only');
  });

  it('assumes 536 when the SYN has no MSS option', () => {
    const clock = new ManualClock();
    const out: TcpSegment[] = [];
    const syn: TcpSegment = {
      srcPort: 1234, dstPort: 179, seq: 77, ack: 0, flags: TcpFlag.SYN, reserved: 0, window: 8192, urgent: 0,
      options: new Uint8Array(0), payload: new Uint8Array(0),
    };
    const conn = TcpConnection.accept({
      clock, rng: fixedIsn(9), localAddress: 1, localPort: 179, remoteAddress: 2, remotePort: 1234, mss: 1460,
      emit: (s) => out.push(s),
    }, syn);
    assert.equal(conn.effectiveMss, 536);
    assert.equal(conn.state, 'SYN-RECEIVED');
    assert.equal(out.length, 1);
    assert.equal(out[0]!.flags, TcpFlag.SYN | TcpFlag.ACK);
    assert.equal(out[0]!.ack, 78);
    assert.equal(tcpMssOption(out[0]!.options), 1460, 'we still advertise our own MSS');
  });

  it('survives a simultaneous open and carries data both ways', () => {
    const lab = new Lab({ b: 'blackhole' });
    lab.open(lab.a, lab.b);
    lab.open(lab.b, lab.a);
    lab.clock.advance(100);
    assert.equal(lab.A.state, 'ESTABLISHED');
    assert.equal(lab.B.state, 'ESTABLISHED');
    assert.equal(lab.a.connects, 1);
    assert.equal(lab.b.connects, 1);
    const ab = randomBytes(10_000, 1);
    const ba = randomBytes(7_000, 2);
    lab.A.write(ab);
    lab.B.write(ba);
    lab.clock.advance(500);
    assert.deepEqual(concat(lab.b.chunks), ab);
    assert.deepEqual(concat(lab.a.chunks), ba);
  });

  it('answers a repeated SYN in SYN-RECEIVED with the SYN-ACK at once', () => {
    const clock = new ManualClock();
    const out: TcpSegment[] = [];
    const syn: TcpSegment = {
      srcPort: 1234, dstPort: 179, seq: 0xffff_ffff, ack: 0, flags: TcpFlag.SYN, reserved: 0, window: 8192, urgent: 0,
      options: new Uint8Array(0), payload: new Uint8Array(0),
    };
    const conn = TcpConnection.accept({
      clock, rng: fixedIsn(9), localAddress: 1, localPort: 179, remoteAddress: 2, remotePort: 1234, mss: 1460,
      emit: (s) => out.push(s),
    }, syn);
    clock.advance(300);
    conn.receive(syn);
    assert.equal(out.length, 2, 'answered before the SYN-ACK timer (1 s)');
    assert.deepEqual([out[1]!.flags, out[1]!.seq, out[1]!.ack], [TcpFlag.SYN | TcpFlag.ACK, 9, 0]);
    assert.equal(conn.state, 'SYN-RECEIVED');
  });
});

describe('TcpConnection data transfer', () => {
  it('moves 1 MiB each way byte-identical, one ACK per segment, PSH at write ends', () => {
    const lab = new Lab({ isnA: 100, isnB: 900_000 });
    const toB = randomBytes(MiB, 11);
    const toA = randomBytes(MiB, 12);
    const chunk = 65536;
    // First A to B alone, to check the ACK clock exactly; then B to A.
    lab.connect();
    writeInChunks(lab.A, toB, chunk);
    assert.ok(lab.runUntil(() => lab.b.chunks.reduce((n, c) => n + c.length, 0) === MiB, 60_000));
    assert.deepEqual(concat(lab.b.chunks), toB);

    const data = lab.sentBy('A', (s) => s.seg.payload.length > 0);
    assert.equal(data.length, Math.ceil(MiB / 1460));
    const acks = lab.sentBy('B', (s) => s.seg.payload.length === 0 && s.seg.flags === TcpFlag.ACK && s.at > 20);
    assert.equal(acks.length, data.length, 'every data segment is acknowledged, no delayed ACK');
    for (const [i, s] of data.entries()) {
      assert.ok(s.seg.payload.length <= 1460);
      const offset = seqDiff(s.seg.seq, 101);
      assert.equal(offset, i * 1460, 'in order, no retransmission');
      const endsWrite = Math.floor((offset + s.seg.payload.length) / chunk) > Math.floor(offset / chunk)
        || offset + s.seg.payload.length === MiB;
      assert.equal(has(s, TcpFlag.PSH), endsWrite, `PSH on segment ${i}`);
      assert.equal(acks[i]!.seg.ack, seqAdd(s.seg.seq, s.seg.payload.length));
      assert.equal(acks[i]!.at, s.at + 10);
    }

    writeInChunks(lab.B, toA, chunk);
    assert.ok(lab.runUntil(() => lab.a.chunks.reduce((n, c) => n + c.length, 0) === MiB, 60_000));
    assert.deepEqual(concat(lab.a.chunks), toA);
    lab.A.end();
    lab.B.end();
    assert.ok(lab.runUntil(() => lab.bothFinished(), 120_000));
    assertCleanFinish(lab);
  });

  for (const lossRate of [0, 0.1, 0.3]) {
    it(`moves 1 MiB each way at once with ${lossRate * 100}% loss`, () => {
      const lab = new Lab({ lossRate, seed: 2024 });
      const toB = randomBytes(MiB, 21);
      const toA = randomBytes(MiB, 22);
      assert.ok(exchange(lab, toB, toA, 10_000, 4 * 3600_000), 'both sides finish');
      assert.deepEqual(concat(lab.b.chunks), toB);
      assert.deepEqual(concat(lab.a.chunks), toA);
      assertCleanFinish(lab);
      const dropped = lab.log.filter((s) => s.dropped).length;
      if (lossRate > 0) assert.ok(dropped > 0.5 * lossRate * lab.log.length, `${dropped} of ${lab.log.length} dropped`);
    });
  }

  it('delivers everything exactly once, in order, for any seed and loss rate up to 30%', () => {
    fc.assert(fc.property(
      fc.nat(), fc.double({ min: 0, max: 0.3, noNaN: true }), fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: 1, max: 5000 }),
      (seed, lossRate, delayMs, sizeB, sizeA, chunk) => {
        const lab = new Lab({ seed, lossRate, delayMs });
        const toB = randomBytes(sizeB, seed);
        const toA = randomBytes(sizeA, seed + 1);
        assert.ok(exchange(lab, toB, toA, chunk, 4 * 3600_000), 'both sides finish');
        assert.deepEqual(concat(lab.b.chunks), toB);
        assert.deepEqual(concat(lab.a.chunks), toA);
        assertCleanFinish(lab);
      },
    ), { numRuns: 50, seed: 0x7c9 });
  });

  it('fast-retransmits a lost segment on three duplicate ACKs, before the RTO', () => {
    let droppedOnce = false;
    const lab = new Lab({ isnA: 0, drop: (s) => s.from === 'A' && s.seg.seq === 1 + 2 * 1460 && !droppedOnce && (droppedOnce = true) });
    lab.connect();
    lab.clock.advance(100);
    const rto = lab.A.retransmitTimeout;
    const data = randomBytes(100_000, 5);
    lab.A.write(data);
    lab.runUntil(() => lab.b.chunks.reduce((n, c) => n + c.length, 0) === data.length, 10_000);
    assert.deepEqual(concat(lab.b.chunks), data);
    const copies = lab.sentBy('A', (s) => s.seg.seq === 1 + 2 * 1460 && s.seg.payload.length > 0);
    assert.equal(copies.length, 2);
    assert.ok(copies[1]!.at - copies[0]!.at < rto, `retransmitted after ${copies[1]!.at - copies[0]!.at} ms, RTO ${rto}`);
    const dupAcks = lab.sentBy('B', (s) => s.seg.ack === 1 + 2 * 1460 && s.at < copies[1]!.at);
    assert.ok(dupAcks.length >= 4, 'one ACK and at least three duplicates');
  });

  it('keeps working across the 2^32 sequence wrap, with loss', () => {
    const lab = new Lab({ isnA: 0xffff_ff00, isnB: 0xffff_fffe, lossRate: 0.1, seed: 99 });
    const toB = randomBytes(300_000, 31);
    const toA = randomBytes(300_000, 32);
    assert.ok(exchange(lab, toB, toA, 7000, 3600_000));
    assert.deepEqual(concat(lab.b.chunks), toB);
    assert.deepEqual(concat(lab.a.chunks), toA);
    assertCleanFinish(lab);
    for (const side of ['A', 'B'] as const) {
      const seqs = lab.sentBy(side).map((s) => s.seg.seq);
      assert.ok(seqs.some((q) => q >= 0xffff_ff00), `${side} sent below the wrap`);
      assert.ok(seqs.some((q) => q > 1000 && q < 400_000), `${side} sent past the wrap`);
    }
  });

  it('coalesces a burst of small writes into full segments', () => {
    const lab = new Lab();
    lab.connect();
    lab.clock.advance(100);
    const message = new Uint8Array(19).fill(0xff); // a BGP KEEPALIVE's size
    for (let i = 0; i < 1000; i++) lab.A.write(message);
    lab.clock.advance(1000);
    const data = lab.sentBy('A', (s) => s.seg.payload.length > 0);
    assert.equal(data.length, Math.ceil(19_000 / 1460));
    assert.ok(data.slice(0, -1).every((s) => s.seg.payload.length === 1460));
    assert.equal(concat(lab.b.chunks).length, 19_000);
  });

  it('lets a handler write from inside onData (an echo server)', () => {
    const lab = new Lab();
    lab.b.hooks.onData = (d) => lab.B.write(d);
    lab.connect();
    const data = randomBytes(200_000, 8);
    writeInChunks(lab.A, data, 3000);
    lab.runUntil(() => lab.a.chunks.reduce((n, c) => n + c.length, 0) === data.length, 10_000);
    assert.deepEqual(concat(lab.a.chunks), data);
  });

  it('holds data that arrives before the accepting side sets handlers', () => {
    const lab = new Lab({ bWithoutHandlers: true });
    lab.connect();
    const data = randomBytes(20_000, 9);
    lab.A.write(data);
    lab.A.end();
    lab.clock.advance(200);
    assert.equal(lab.B.state, 'CLOSE-WAIT');
    lab.B.setHandlers(lab.recorder(lab.b));
    assert.deepEqual(concat(lab.b.chunks), data);
    assert.equal(lab.b.ends, 1);
  });
});

describe('TcpConnection closing', () => {
  it('half-closes: the side that got FIN keeps sending until it ends too', () => {
    const lab = new Lab();
    lab.connect();
    lab.clock.advance(100);
    lab.A.end();
    lab.clock.advance(100);
    assert.equal(lab.A.state, 'FIN-WAIT-2');
    assert.equal(lab.B.state, 'CLOSE-WAIT');
    assert.equal(lab.b.ends, 1);
    assert.throws(() => lab.A.write(new Uint8Array(1)), { code: 'ERR_TCP_WRITE_AFTER_END' });

    const data = randomBytes(100_000, 3);
    lab.B.write(data);
    lab.clock.advance(1000);
    assert.deepEqual(concat(lab.a.chunks), data);
    assert.equal(lab.A.state, 'FIN-WAIT-2');

    lab.B.end();
    lab.clock.advance(100);
    assert.equal(lab.A.state, 'TIME-WAIT');
    assert.deepEqual(lab.a.closes, [undefined], 'onClose on entering TIME-WAIT');
    const timeWaitFrom = lab.a.closedAt!;
    assert.equal(lab.B.state, 'CLOSED');
    assert.equal(lab.b.finishes, 1);
    assert.deepEqual(lab.a.states, ['SYN-SENT', 'ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT']);
    assert.deepEqual(lab.b.states, ['SYN-RECEIVED', 'ESTABLISHED', 'CLOSE-WAIT', 'LAST-ACK', 'CLOSED']);

    lab.clock.advance(60_000 - (lab.clock.now() - timeWaitFrom) - 1);
    assert.equal(lab.a.finishes, 0, 'TIME-WAIT lasts 60 s');
    lab.clock.advance(1);
    assert.equal(lab.a.finishes, 1);
    assert.equal(lab.A.state, 'CLOSED');
    assertCleanFinish(lab);
  });

  it('closes simultaneously through CLOSING on both sides', () => {
    const lab = new Lab();
    lab.connect();
    lab.clock.advance(100);
    lab.A.end();
    lab.B.end();
    lab.clock.advance(61_000);
    assert.deepEqual(lab.a.states.slice(2), ['FIN-WAIT-1', 'CLOSING', 'TIME-WAIT', 'CLOSED']);
    assert.deepEqual(lab.b.states.slice(2), ['FIN-WAIT-1', 'CLOSING', 'TIME-WAIT', 'CLOSED']);
    assertCleanFinish(lab);
  });

  it('retransmits a lost FIN', () => {
    let fins = 0;
    const lab = new Lab({ drop: (s) => s.from === 'A' && has(s, TcpFlag.FIN) && fins++ === 0 });
    lab.connect();
    lab.clock.advance(100);
    lab.A.write(randomBytes(500, 4));
    lab.A.end();
    lab.B.end();
    lab.runUntil(() => lab.bothFinished(), 120_000);
    const finsFromA = lab.sentBy('A', (s) => has(s, TcpFlag.FIN));
    assert.equal(finsFromA.length, 2);
    assert.equal(finsFromA[0]!.seg.payload.length, 500, 'write() then end() in one go: the FIN rides on the data');
    assert.equal(finsFromA[1]!.at - finsFromA[0]!.at, 200, 'resent after one RTO');
    assert.equal(finsFromA[1]!.seg.seq, finsFromA[0]!.seg.seq);
    assert.deepEqual(lab.b.chunks.map((c) => c.length), [500]);
    assertCleanFinish(lab);
  });

  it('re-acknowledges a retransmitted FIN in TIME-WAIT', () => {
    let acks = 0;
    // Drop A's ACK of B's FIN once, so B (LAST-ACK) sends its FIN again.
    const lab = new Lab({ drop: (s, l) => s.from === 'A' && s.seg.flags === TcpFlag.ACK && l.A.state === 'TIME-WAIT' && acks++ === 0 });
    lab.connect();
    lab.clock.advance(100);
    lab.A.end();
    lab.clock.advance(100);
    lab.B.end();
    lab.runUntil(() => lab.bothFinished(), 120_000);
    assert.equal(lab.sentBy('B', (s) => has(s, TcpFlag.FIN)).length, 2);
    assert.deepEqual(lab.b.closes, [undefined]);
    assertCleanFinish(lab);
  });
});

describe('TcpConnection resets and failures', () => {
  it('reports ERR_TCP_RESET when the peer aborts, and destroy() closes without error', () => {
    const lab = new Lab();
    lab.connect();
    lab.clock.advance(100);
    lab.A.write(randomBytes(5000, 6));
    lab.clock.advance(100);
    lab.B.destroy();
    const rst = lab.log.at(-1)!;
    assert.equal(rst.from, 'B');
    assert.ok(has(rst, TcpFlag.RST));
    assert.equal(lab.B.state, 'CLOSED');
    assert.deepEqual(lab.b.closes, [undefined]);
    assert.equal(lab.b.finishes, 1);
    lab.clock.advance(100);
    assert.equal(lab.A.state, 'CLOSED');
    assert.equal(lab.a.closes.length, 1);
    assert.equal(lab.a.closes[0]?.code, 'ERR_TCP_RESET');
    assert.equal(lab.a.finishes, 1);
    lab.A.destroy();
    lab.A.write(new Uint8Array(10));
    assert.equal(lab.a.finishes, 1, 'onFinished exactly once');
    assert.equal(lab.clock.pendingCount, 0);
  });

  it('stops delivering data once a handler destroys the connection inside onData', () => {
    let droppedFirst = false;
    const lab = new Lab({ isnA: 0, drop: (s) => s.from === 'A' && s.seg.seq === 1 && s.seg.payload.length > 0 && !droppedFirst && (droppedFirst = true) });
    lab.b.hooks.onData = () => lab.B.destroy();
    lab.connect();
    lab.clock.advance(100);
    lab.A.write(randomBytes(10 * 1460, 7));
    lab.clock.advance(1000);
    assert.equal(lab.b.chunks.length, 1, 'the nine segments reassembled behind the hole are not delivered');
    assert.deepEqual(lab.b.closes, [undefined]);
    assert.equal(lab.b.finishes, 1);
    assert.equal(lab.a.closes[0]?.code, 'ERR_TCP_RESET');
  });

  it('ignores an out-of-window RST, challenges an inexact RST or a SYN, resets on an exact RST', () => {
    const lab = new Lab({ isnA: 10, isnB: 20 });
    lab.connect();
    lab.clock.advance(100);
    const rcvNxt = 21;
    const rst = (seq: number): TcpSegment => ({
      srcPort: 179, dstPort: 40000, seq, ack: 0, flags: TcpFlag.RST, reserved: 0, window: 0, urgent: 0,
      options: new Uint8Array(0), payload: new Uint8Array(0),
    });
    const before = lab.log.length;
    lab.A.receive(rst(rcvNxt + 100_000));
    assert.equal(lab.log.length, before, 'out of window: silently dropped');
    lab.A.receive(rst(rcvNxt + 100));
    assert.equal(lab.A.state, 'ESTABLISHED');
    const challenge = lab.log.at(-1)!;
    assert.equal(lab.log.length, before + 1);
    assert.deepEqual([challenge.from, challenge.seg.flags, challenge.seg.ack], ['A', TcpFlag.ACK, rcvNxt]);
    lab.A.receive({ ...rst(rcvNxt + 200), flags: TcpFlag.SYN });
    assert.equal(lab.log.length, before + 1, 'challenge ACKs are rate-limited (one per 500 ms)');
    lab.clock.advance(500);
    lab.A.receive({ ...rst(rcvNxt + 200), flags: TcpFlag.SYN });
    assert.equal(lab.A.state, 'ESTABLISHED', 'a SYN in ESTABLISHED draws a challenge ACK, no reset (RFC 5961 §4)');
    assert.deepEqual([lab.log.at(-1)!.from, lab.log.at(-1)!.seg.flags], ['A', TcpFlag.ACK]);
    lab.A.receive(rst(rcvNxt));
    assert.equal(lab.a.closes[0]?.code, 'ERR_TCP_RESET');
  });

  it('reports ERR_TCP_REFUSED when the SYN is answered with RST', () => {
    const lab = new Lab({ b: 'refuse', isnA: 4242 });
    lab.connect();
    lab.clock.advance(100);
    const [syn, rst] = lab.log;
    assert.deepEqual([rst!.from, rst!.at, rst!.seg.flags, rst!.seg.ack], ['B', 10, TcpFlag.RST | TcpFlag.ACK, seqAdd(syn!.seg.seq, 1)]);
    assert.equal(lab.a.closes.length, 1);
    assert.equal(lab.a.closes[0]?.code, 'ERR_TCP_REFUSED');
    assert.equal(lab.a.closedAt, 20);
    assert.deepEqual(lab.a.states, ['SYN-SENT', 'CLOSED']);
    assert.equal(lab.a.finishes, 1);
  });

  it('gives up on a SYN to a black hole after 6 retries, 127 s', () => {
    const lab = new Lab({ b: 'blackhole' });
    lab.connect();
    lab.clock.advance(200_000);
    assert.deepEqual(lab.sentBy('A').map((s) => s.at), [0, 1000, 3000, 7000, 15_000, 31_000, 63_000]);
    assert.ok(lab.sentBy('A').every((s) => s.seg.flags === TcpFlag.SYN));
    assert.equal(lab.a.closes[0]?.code, 'ERR_TCP_TIMEOUT');
    assert.equal(lab.a.closedAt, 127_000);
    assert.equal(lab.a.finishes, 1);
    assert.equal(lab.clock.pendingCount, 0);
  });

  it('reports an ICMP unreachable seen during SYN-SENT as the error when the SYN times out', () => {
    const lab = new Lab({ b: 'blackhole' });
    lab.connect();
    lab.clock.advance(500);
    lab.A.icmpError('ERR_HOST_UNREACHABLE');
    lab.clock.advance(100_000);
    assert.equal(lab.A.state, 'SYN-SENT', 'a soft error does not abort');
    lab.clock.advance(100_000);
    assert.equal(lab.a.closes[0]?.code, 'ERR_HOST_UNREACHABLE');
  });

  it('does not abort an established connection on an ICMP soft error', () => {
    const lab = new Lab();
    lab.connect();
    lab.clock.advance(100);
    lab.A.icmpError('ERR_NET_UNREACHABLE');
    const data = randomBytes(3000, 10);
    lab.A.write(data);
    lab.clock.advance(100);
    assert.equal(lab.A.state, 'ESTABLISHED');
    assert.deepEqual(concat(lab.b.chunks), data);
  });

  it('backs off the data RTO by doubling up to 120 s and gives up after 15 retries', () => {
    const blackholeFrom = 1000;
    const lab = new Lab({ isnA: 0, drop: (s) => s.at >= blackholeFrom });
    lab.connect();
    lab.clock.advance(blackholeFrom);
    assert.equal(lab.A.retransmitTimeout, 200, 'RTT 20 ms: RTO at the 200 ms floor');
    lab.A.write(randomBytes(100, 1));
    lab.clock.advance(2_000_000);

    const copies = lab.sentBy('A', (s) => s.seg.payload.length > 0);
    assert.equal(copies.length, 16, 'the original and 15 retransmissions');
    assert.ok(copies.every((s) => s.seg.seq === 1));
    const gaps = copies.slice(1).map((s, i) => s.at - copies[i]!.at);
    const expected = Array.from({ length: 15 }, (_, k) => Math.min(200 * 2 ** k, 120_000));
    assert.deepEqual(gaps, expected);
    assert.equal(lab.a.closes[0]?.code, 'ERR_TCP_TIMEOUT');
    assert.equal(lab.a.closedAt! - copies[0]!.at, 924_600, 'Linux tcp_retries2=15 with a 200 ms RTO: 924.6 s');
    assert.equal(lab.sentBy('A', (s) => s.at > copies.at(-1)!.at).length, 0, 'nothing is sent after giving up');
    assert.equal(lab.a.finishes, 1);
  });
});

describe('resetFor', () => {
  const base: TcpSegment = {
    srcPort: 5000, dstPort: 80, seq: 0xffff_ffff, ack: 1234, flags: 0, reserved: 0, window: 1000, urgent: 0,
    options: new Uint8Array(0), payload: new Uint8Array(0),
  };

  it('answers a segment with ACK by <SEQ=SEG.ACK><CTL=RST>', () => {
    const rst = resetFor({ ...base, flags: TcpFlag.ACK | TcpFlag.PSH, payload: new Uint8Array(10) })!;
    assert.deepEqual([rst.srcPort, rst.dstPort, rst.seq, rst.flags], [80, 5000, 1234, TcpFlag.RST]);
  });

  it('answers a SYN by <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, modulo 2^32', () => {
    const rst = resetFor({ ...base, flags: TcpFlag.SYN })!;
    assert.deepEqual([rst.seq, rst.ack, rst.flags], [0, 0, TcpFlag.RST | TcpFlag.ACK]);
    const withData = resetFor({ ...base, seq: 100, flags: TcpFlag.FIN, payload: new Uint8Array(5) })!;
    assert.equal(withData.ack, 106);
  });

  it('never answers a RST', () => {
    assert.equal(resetFor({ ...base, flags: TcpFlag.RST }), undefined);
    assert.equal(resetFor({ ...base, flags: TcpFlag.RST | TcpFlag.ACK }), undefined);
  });
});
