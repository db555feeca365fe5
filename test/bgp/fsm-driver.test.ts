import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { SeededRng } from '../../src/core/rng.js';
import { parseIpv4 } from '../../src/net/address.js';
import {
  CeaseSubcode, ErrorCode, OpenMessageSubcode, describeReason, detectCollision, makeFsmConfig, resolveCollision,
  type ConnectionDirection, type FsmConfig, type FsmEventBody, type FsmStateName, type OpenInfo, type SessionAction,
} from '../../src/bgp/fsm.js';
import { FsmDriver, type FsmTransitionRecord } from '../../src/bgp/fsm-driver.js';

// ---- One FSM on a ManualClock; the test plays the peer ----

const LOCAL_ID = parseIpv4('10.0.0.1');
const PEER_ID = parseIpv4('10.0.0.2');
const S = 1000;

function open(overrides: Partial<OpenInfo> = {}): OpenInfo {
  return { version: 4, myAs: 65002, holdTime: 90, bgpId: PEER_ID, ...overrides };
}

interface Logged {
  at: number;
  action: SessionAction;
}

class Harness {
  readonly clock = new ManualClock();
  readonly log: Logged[] = [];
  readonly transitions: FsmTransitionRecord[] = [];
  readonly driver: FsmDriver;
  /** Called for each session action: lets a test play the peer. */
  react: (action: SessionAction) => void = () => {};

  constructor(overrides: Partial<FsmConfig> = {}, seed = 1) {
    this.driver = new FsmDriver({
      config: makeFsmConfig({ localAs: 65001, peerAs: 65002, bgpId: LOCAL_ID, ...overrides }),
      clock: this.clock,
      rng: new SeededRng(seed),
      onAction: (action) => {
        this.log.push({ at: this.clock.now(), action });
        this.react(action);
      },
      onTransition: (r) => this.transitions.push(r),
    });
  }

  get state(): FsmStateName {
    return this.driver.state.name;
  }

  /** Delivers `event` to the FSM `ms` from now. */
  later(ms: number, event: FsmEventBody): void {
    this.clock.setTimer(ms, () => this.driver.handle(event));
  }

  /** Action kinds logged since index `from`. */
  kinds(from = 0): string[] {
    return this.log.slice(from).map((l) => l.action.kind);
  }

  times(kind: SessionAction['kind'], from = 0): number[] {
    return this.log.slice(from).filter((l) => l.action.kind === kind).map((l) => l.at);
  }

  lastReason(): string {
    return describeReason(this.transitions.at(-1)!.reason);
  }

  /** ManualStart, TCP up, the peer's OPEN and KEEPALIVE: Established. */
  establish(peerOpen: OpenInfo = open()): void {
    this.driver.start();
    this.driver.handle({ kind: 'TcpCrAcked' });
    this.driver.handle({ kind: 'BgpOpen', open: peerOpen });
    this.driver.handle({ kind: 'KeepAliveMsg' });
    assert.equal(this.state, 'Established');
  }
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

describe('FsmDriver: session flows on a ManualClock', () => {
  it('active open: Idle → Connect → OpenSent → OpenConfirm → Established', () => {
    const h = new Harness();
    h.driver.start();
    assert.equal(h.state, 'Connect');
    assert.deepEqual(h.kinds(), ['reset-connect-retry-counter', 'connect']);
    const retry = h.driver.deadline('connectRetry')!;
    assert.ok(retry >= 0.75 * 120 * S && retry <= 120 * S, `ConnectRetryTimer ${retry} jittered from 120 s`);

    h.clock.advance(20);
    h.driver.handle({ kind: 'TcpCrAcked' });
    assert.equal(h.state, 'OpenSent');
    assert.deepEqual(h.kinds(2), ['send-open']);
    assert.equal(h.driver.deadline('hold'), 20 + 240 * S, 'the large hold time (4 min), not jittered');
    assert.equal(h.driver.deadline('connectRetry'), undefined);

    h.clock.advance(30);
    h.driver.handle({ kind: 'BgpOpen', open: open() });
    assert.equal(h.state, 'OpenConfirm');
    assert.deepEqual(h.kinds(3), ['send-keepalive']);
    assert.equal(h.driver.deadline('hold'), 50 + 90 * S);
    const ka = h.driver.deadline('keepalive')! - 50;
    assert.ok(ka >= 22.5 * S && ka <= 30 * S, `keepalive in ${ka} ms`);

    h.driver.handle({ kind: 'KeepAliveMsg' });
    assert.equal(h.state, 'Established');
    const up = h.log.at(-1)!.action;
    assert.deepEqual(up, { kind: 'session-established', negotiated: { holdTime: 90, keepaliveTime: 30, peerAs: 65002, peerBgpId: PEER_ID, internal: false, fourOctetAs: false } });
    assert.deepEqual(h.transitions.map((t) => `${t.from}>${t.to}:${t.reason.kind}`), [
      'Idle>Connect:admin-start', 'Connect>OpenSent:tcp-connected', 'OpenSent>OpenConfirm:open-received', 'OpenConfirm>Established:keepalive-received',
    ]);
    assert.deepEqual(h.transitions.map((t) => t.at), [0, 20, 50, 50]);
  });

  it('retries a refused connection every ConnectRetryTime from Active (jittered)', () => {
    const h = new Harness({ connectRetryTime: 120 });
    h.react = (a) => { if (a.kind === 'connect') h.later(1, { kind: 'TcpConnectionFails', error: 'ERR_TCP_REFUSED' }); };
    h.driver.start();
    h.clock.advance(1);
    assert.equal(h.state, 'Active');
    assert.equal(h.lastReason(), 'TCP connection failed (ERR_TCP_REFUSED)');
    h.clock.advance(10 * 60 * S);
    const connects = h.times('connect');
    assert.ok(connects.length >= 5 && connects.length <= 7, `${connects.length} attempts in 10 min`);
    for (const g of gaps(connects)) assert.ok(g >= 90 * S && g <= 120 * S, `retry after ${g} ms`);
    assert.equal(h.driver.state.connectRetryCounter, 0, 'a refused connect is not counted (RFC 4271 Connect/18)');
  });

  it('passive (RRAS OperationMode Server): waits in Active without connecting', () => {
    const h = new Harness({ passive: true });
    h.driver.start();
    assert.equal(h.state, 'Active');
    h.clock.advance(3600 * S);
    assert.deepEqual(h.kinds(), ['reset-connect-retry-counter']);
    assert.equal(h.clock.pendingCount, 0, 'no timer runs while listening');
    h.driver.handle({ kind: 'TcpConnectionConfirmed' });
    h.driver.handle({ kind: 'BgpOpen', open: open() });
    h.driver.handle({ kind: 'KeepAliveMsg' });
    assert.equal(h.state, 'Established');
    assert.equal(h.driver.state.connection, 'incoming');
    assert.ok(!h.kinds().includes('connect'));
  });

  it('hold timer expiry: NOTIFICATION Hold Timer Expired, session down, Idle', () => {
    const h = new Harness({ allowAutomaticStart: false });
    h.establish();
    h.later(60 * S, { kind: 'KeepAliveMsg' }); // the peer's last word
    const mark = h.log.length;
    h.clock.advance(150 * S - 1);
    assert.equal(h.state, 'Established', 'the KEEPALIVE at 60 s restarted the 90 s hold timer');
    assert.ok(h.times('send-keepalive', mark).length >= 5, 'we kept sending ours');
    h.clock.advance(1);
    assert.equal(h.state, 'Idle');
    assert.equal(h.clock.now(), 150 * S);
    const tail = h.log.slice(-5).map((l) => l.action);
    assert.deepEqual(tail[0], { kind: 'send-notification', notification: { code: ErrorCode.HoldTimerExpired, subcode: 0, data: new Uint8Array(0) } });
    assert.deepEqual(tail.slice(1).map((a) => a.kind), ['session-down', 'release-resources', 'drop-connection', 'increment-connect-retry-counter']);
    assert.equal(h.lastReason(), 'Hold Timer Expired');
    assert.equal(h.clock.pendingCount, 0);
  });

  for (const [label, holdTime, keepalive] of [['hold 90 → every 30 s', 90, 30], ['Azure hold 180 → every 60 s', 180, 60]] as const) {
    it(`sends keepalives every hold/3 with RFC 4271 §10 jitter (${label})`, () => {
      const h = new Harness({ holdTime }, 7);
      h.establish(open({ holdTime }));
      const mark = h.log.length;
      for (let t = 0; t < 30 * 60; t += 20) h.later(t * S, { kind: 'KeepAliveMsg' });
      h.clock.advance(30 * 60 * S);
      assert.equal(h.state, 'Established');
      const sent = [0, ...h.times('send-keepalive', mark)];
      const g = gaps(sent);
      for (const d of g) assert.ok(d >= 0.75 * keepalive * S && d <= keepalive * S, `gap ${d} ms`);
      assert.ok(Math.max(...g) - Math.min(...g) > 0.05 * keepalive * S, 'the jitter varies between intervals');
      const expected = (30 * 60) / (0.875 * keepalive);
      assert.ok(Math.abs(g.length - expected) < expected * 0.1, `${g.length} keepalives, about ${expected}`);
    });
  }

  it('restarts the keepalive timer when an UPDATE goes out', () => {
    const h = new Harness();
    h.establish();
    const before = h.driver.deadline('keepalive')!;
    h.clock.advance(10 * S);
    h.driver.handle({ kind: 'UpdateSent' });
    assert.ok(h.driver.deadline('keepalive')! > before);
  });

  it('DelayOpen: waits DelayOpenTime for the peer OPEN before sending its own', () => {
    const h = new Harness({ delayOpen: true, delayOpenTime: 5 });
    h.driver.start();
    h.driver.handle({ kind: 'TcpCrAcked' });
    assert.equal(h.state, 'Connect');
    assert.equal(h.driver.deadline('delayOpen'), 5 * S, 'DelayOpenTime, not jittered');
    h.clock.advance(5 * S - 1);
    assert.ok(!h.kinds().includes('send-open'));
    h.clock.advance(1);
    assert.equal(h.state, 'OpenSent');
    assert.deepEqual(h.times('send-open'), [5 * S]);
    assert.equal(h.lastReason(), 'DelayOpen Timer Expired');
  });

  it('DelayOpen: the peer OPEN within DelayOpenTime is answered with OPEN and KEEPALIVE', () => {
    const h = new Harness({ delayOpen: true, delayOpenTime: 5 });
    h.driver.start();
    h.driver.handle({ kind: 'TcpCrAcked' });
    h.later(2 * S, { kind: 'BgpOpen', open: open() });
    h.clock.advance(2 * S);
    assert.equal(h.state, 'OpenConfirm');
    assert.deepEqual(h.kinds().slice(-2), ['send-open', 'send-keepalive']);
    assert.equal(h.driver.deadline('delayOpen'), undefined);
    h.clock.advance(10 * S);
    assert.equal(h.times('send-open').length, 1);
  });

  it('hold time 0: no keepalives and no hold timer', () => {
    const h = new Harness();
    h.driver.start();
    h.driver.handle({ kind: 'TcpCrAcked' });
    h.driver.handle({ kind: 'BgpOpen', open: open({ holdTime: 0 }) });
    assert.equal(h.state, 'OpenConfirm');
    assert.equal(h.driver.deadline('hold'), undefined, 'the 4-minute OpenSent hold timer was stopped');
    assert.equal(h.driver.deadline('keepalive'), undefined);
    h.driver.handle({ kind: 'KeepAliveMsg' });
    assert.equal(h.state, 'Established');
    const mark = h.log.length;
    h.clock.advance(24 * 3600 * S);
    assert.equal(h.state, 'Established');
    assert.deepEqual(h.kinds(mark), []);
    assert.equal(h.clock.pendingCount, 0);
  });

  it('rejects an unacceptable hold time with OPEN Message Error / Unacceptable Hold Time', () => {
    const h = new Harness({ allowAutomaticStart: false });
    h.driver.start();
    h.driver.handle({ kind: 'TcpCrAcked' });
    h.driver.handle({ kind: 'BgpOpen', open: open({ holdTime: 2 }) });
    assert.equal(h.state, 'Idle');
    assert.deepEqual(h.kinds().slice(-4), ['send-notification', 'release-resources', 'drop-connection', 'increment-connect-retry-counter']);
    assert.deepEqual(h.log.at(-4)!.action, { kind: 'send-notification', notification: { code: 2, subcode: 6, data: new Uint8Array(0) } });
    assert.equal(h.lastReason(), 'Sent NOTIFICATION OPEN Message Error/Unacceptable Hold Time (peer offered 2 s; must be 0 or at least 3)');
  });

  it('rejects a bad peer AS, and reads the peer rejecting ours', () => {
    const h = new Harness({ allowAutomaticStart: false });
    h.driver.start();
    h.driver.handle({ kind: 'TcpCrAcked' });
    h.driver.handle({ kind: 'BgpOpen', open: open({ myAs: 65003 }) });
    assert.equal(h.state, 'Idle');
    assert.deepEqual(h.log.at(-4)!.action, {
      kind: 'send-notification',
      notification: { code: ErrorCode.OpenMessage, subcode: OpenMessageSubcode.BadPeerAs, data: Uint8Array.of(0xfd, 0xeb) },
    });
    assert.equal(h.lastReason(), 'Sent NOTIFICATION OPEN Message Error/Bad Peer AS (expected AS 65002, got AS 65003)');

    h.driver.start();
    h.driver.handle({ kind: 'TcpCrAcked' });
    h.driver.handle({ kind: 'NotifMsg', notification: { code: 2, subcode: 2, data: new Uint8Array(0) } });
    assert.equal(h.state, 'Idle');
    assert.equal(h.lastReason(), 'Received NOTIFICATION OPEN Message Error/Bad Peer AS');
  });

  it('backs off the automatic restart: 5, 10, 20 … 120 s after errors in a row, then forgets', () => {
    const h = new Harness();
    let peer: 'reject' | 'accept' = 'reject';
    h.react = (a) => {
      if (a.kind === 'connect') h.later(5, { kind: 'TcpCrAcked' });
      if (a.kind === 'send-open') h.later(5, { kind: 'BgpOpen', open: peer === 'reject' ? open({ myAs: 65003 }) : open() });
      if (a.kind === 'send-keepalive') h.later(5, { kind: 'KeepAliveMsg' }); // the peer keeps pace
    };
    h.driver.start();
    h.clock.advance(20 * 60 * S);
    // Each restart waits the backoff (jittered into [0.75, 1] of it) after the rejection.
    const idleAt = h.transitions.filter((t) => t.to === 'Idle').map((t) => t.at);
    const restartAt = h.transitions.filter((t) => t.from === 'Idle' && t.to === 'Connect').map((t) => t.at).slice(1);
    const waits = restartAt.map((t, i) => t - idleAt[i]!);
    const expected = [5, 10, 20, 40, 80, 120, 120, 120, 120];
    assert.ok(waits.length >= expected.length, `${waits.length} restarts`);
    expected.forEach((d, i) => assert.ok(waits[i]! >= 0.75 * d * S && waits[i]! <= d * S, `restart ${i + 1} after ${waits[i]} ms, backoff ${d} s`));
    assert.ok(waits.slice(expected.length).every((w) => w <= 120 * S), 'capped at 120 s');
    assert.equal(h.transitions.find((t) => t.to === 'Idle')!.reason.kind, 'open-rejected');

    // The peer is fixed: the session comes up and stays up for 10 minutes, then the link drops.
    peer = 'accept';
    h.clock.advance(121 * S);
    assert.equal(h.state, 'Established');
    h.clock.advance(600 * S);
    assert.equal(h.state, 'Established');
    h.driver.handle({ kind: 'TcpConnectionFails', error: 'ERR_TCP_RESET' });
    assert.equal(h.state, 'Idle');
    const wait = h.driver.deadline('idleHold')! - h.clock.now();
    assert.ok(wait >= 3.75 * S && wait <= 5 * S, `the last error was > 300 s ago: back to 5 s (${wait} ms)`);
  });

  it('ManualStop cancels a pending automatic restart; dispose stops everything', () => {
    const h = new Harness();
    h.establish();
    h.driver.handle({ kind: 'TcpConnectionFails' });
    assert.notEqual(h.driver.deadline('idleHold'), undefined);
    h.driver.stop();
    assert.equal(h.driver.deadline('idleHold'), undefined);
    h.clock.advance(3600 * S);
    assert.equal(h.state, 'Idle');
    h.driver.start();
    h.driver.dispose();
    assert.equal(h.clock.pendingCount, 0);
    h.driver.handle({ kind: 'TcpCrAcked' });
    assert.equal(h.state, 'Connect', 'a disposed driver ignores events');
  });

  it('handles events raised from inside an action in order, after the current one', () => {
    const h = new Harness({ allowAutomaticStart: false });
    h.react = (a) => { if (a.kind === 'connect') h.driver.handle({ kind: 'TcpConnectionFails', error: 'ERR_NET_UNREACHABLE' }); };
    h.driver.start();
    assert.deepEqual(h.transitions.map((t) => `${t.from}>${t.to}`), ['Idle>Connect', 'Connect>Active']);
  });
});

// ---- Collision: two speakers, one FSM per TCP connection (RFC 4271 §8.2.1) ----

type Side = 'A' | 'B';
type ConnId = 'c1' | 'c2';

/**
 * A and B connect to each other at the same moment: c1 = A→B, c2 = B→A. Each side runs an FSM
 * per connection (its outgoing one actively, the incoming one passively). All four OPENs arrive
 * at t = 2 ms; the second OPEN at each side finds the other connection in OpenConfirm, so the side
 * resolves the collision (RFC 4271 §6.8) and dumps the loser with Cease / Connection Collision
 * Resolution.
 *
 *     A                          B
 *     |=== c1 SYN ============>  |        t = 0
 *     |  <============ c2 SYN ===|
 *     |--- c1 OPEN ------------> |        t = 1 (both connections up)
 *     |  <------------ c2 OPEN --|
 *     |  <------------ c1 OPEN --|
 *     |--- c2 OPEN ------------> |
 *     |   (OPENs in; resolve)    |        t = 2
 *     |--- c1 NOTIFICATION 6/7 ->|  (both close c1 if A's ID is lower, else both close c2)
 *     |--- c2 KEEPALIVE -------> |
 *     |  <------ c2 KEEPALIVE ---|
 *     |   Established on c2      |        t = 3
 */
class CollisionLab {
  readonly clock = new ManualClock();
  readonly fsm = new Map<string, FsmDriver>();
  readonly notifications: Array<{ from: Side; conn: ConnId; code: number; subcode: number }> = [];
  readonly established: Array<{ side: Side; conn: ConnId }> = [];
  private readonly ids: Record<Side, number>;
  private readonly asn: Record<Side, number> = { A: 65001, B: 65002 };

  constructor(ids: Record<Side, number>) {
    this.ids = ids;
    for (const side of ['A', 'B'] as const) {
      for (const conn of ['c1', 'c2'] as const) {
        const outgoing = this.direction(side, conn) === 'outgoing';
        const driver = new FsmDriver({
          config: makeFsmConfig({
            localAs: this.asn[side], peerAs: this.asn[this.peer(side)], bgpId: ids[side], passive: !outgoing, allowAutomaticStart: false,
          }),
          clock: this.clock,
          rng: SeededRng.derive(1, `${side}/${conn}`),
          onAction: (a) => this.act(side, conn, a),
        });
        this.fsm.set(`${side}/${conn}`, driver);
      }
    }
  }

  peer(side: Side): Side {
    return side === 'A' ? 'B' : 'A';
  }

  direction(side: Side, conn: ConnId): ConnectionDirection {
    return (conn === 'c1') === (side === 'A') ? 'outgoing' : 'incoming';
  }

  get(side: Side, conn: ConnId): FsmDriver {
    return this.fsm.get(`${side}/${conn}`)!;
  }

  run(): void {
    for (const side of ['A', 'B'] as const) for (const conn of ['c1', 'c2'] as const) this.get(side, conn).start();
    this.clock.advance(10 * 60 * S);
  }

  private deliver(to: Side, conn: ConnId, event: FsmEventBody): void {
    this.clock.setTimer(1, () => {
      if (event.kind === 'BgpOpen') this.receiveOpen(to, conn, event.open);
      else this.get(to, conn).handle(event);
    });
  }

  private act(side: Side, conn: ConnId, a: SessionAction): void {
    const to = this.peer(side);
    const c = this.get(side, conn);
    switch (a.kind) {
      case 'connect':
        this.clock.setTimer(1, () => {
          this.get(side, conn).handle({ kind: 'TcpCrAcked' });
          this.get(to, conn).handle({ kind: 'TcpConnectionConfirmed' });
        });
        break;
      case 'send-open': {
        const cfg = { version: 4, myAs: this.asn[side], holdTime: 90, bgpId: this.ids[side] };
        this.deliver(to, conn, { kind: 'BgpOpen', open: cfg });
        break;
      }
      case 'send-keepalive':
        this.deliver(to, conn, { kind: 'KeepAliveMsg' });
        break;
      case 'send-notification':
        this.notifications.push({ from: side, conn, code: a.notification.code, subcode: a.notification.subcode });
        this.deliver(to, conn, { kind: 'NotifMsg', notification: a.notification });
        break;
      case 'drop-connection':
        if (c.state.name !== 'Idle') break; // only a real close (the FSM is giving the connection up)
        this.deliver(to, conn, { kind: 'TcpConnectionFails' });
        break;
      case 'session-established':
        this.established.push({ side, conn });
        break;
      default:
        break;
    }
  }

  /** §6.8 on receipt of an OPEN: check the other connection's FSM first. */
  private receiveOpen(side: Side, conn: ConnId, o: OpenInfo): void {
    const me = this.get(side, conn);
    const otherConn: ConnId = conn === 'c1' ? 'c2' : 'c1';
    const other = this.get(side, otherConn);
    const check = detectCollision(other.state.name);
    if (check === 'close-new') {
      me.handle({ kind: 'OpenCollisionDump' });
      me.dispose();
      return;
    }
    if (check === 'resolve') {
      const r = resolveCollision({ localBgpId: this.ids[side], remoteBgpId: o.bgpId, localAs: this.asn[side], remoteAs: o.myAs });
      const loser = r.close === this.direction(side, conn) ? me : other;
      loser.handle({ kind: 'OpenCollisionDump' });
      loser.dispose();
      if (loser === me) return;
    }
    me.handle({ kind: 'BgpOpen', open: o });
  }
}

describe('FsmDriver: connection collision between two speakers', () => {
  for (const [label, idA, keep] of [
    ['A has the lower BGP Identifier: both keep B\'s connection', '10.0.0.1', 'c2'],
    ['A has the higher BGP Identifier: both keep A\'s connection', '10.0.0.3', 'c1'],
  ] as const) {
    it(label, () => {
      const lab = new CollisionLab({ A: parseIpv4(idA), B: parseIpv4('10.0.0.2') });
      const close: ConnId = keep === 'c1' ? 'c2' : 'c1';
      lab.run();
      for (const side of ['A', 'B'] as const) {
        assert.equal(lab.get(side, keep).state.name, 'Established', `${side} on ${keep}`);
        assert.equal(lab.get(side, close).state.name, 'Idle', `${side} on ${close}`);
      }
      assert.deepEqual(lab.established.map((e) => e.conn), [keep, keep]);
      assert.ok(lab.notifications.length > 0);
      for (const n of lab.notifications) {
        assert.deepEqual([n.conn, n.code, n.subcode], [close, ErrorCode.Cease, CeaseSubcode.ConnectionCollisionResolution]);
      }
      assert.equal(lab.clock.pendingCount > 0, true, 'the survivors keep their keepalive and hold timers');
    });
  }
});
