import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SeededRng, type Rng } from '../../src/core/rng.js';
import { parseIpv4 } from '../../src/net/address.js';
import {
  CeaseSubcode, FsmSubcode, ErrorCode, OpenMessageSubcode, describeNotification, describeReason, detectCollision,
  makeFsmConfig, resolveCollision, validateOpen,
  type FsmConfig, type NotificationInfo, type OpenInfo,
} from '../../src/bgp/fsm.js';
import { FSM_DEFAULTS, idleHoldDelaySec, jitter, keepaliveInterval, NO_DAMPING, recordError } from '../../src/bgp/timers.js';
import { AS_TRANS } from '../../src/bgp/types.js';

/*
 * The pure rules around the FSM: OPEN validation and hold-time negotiation, timer arithmetic
 * (jitter, keepalive interval, idle-hold backoff), collision resolution and reason text.
 */

const LOCAL_ID = parseIpv4('10.0.0.1');
const PEER_ID = parseIpv4('10.0.0.2');

function config(overrides: Partial<FsmConfig> = {}): FsmConfig {
  return makeFsmConfig({ localAs: 65001, peerAs: 65002, bgpId: LOCAL_ID, ...overrides });
}

function open(overrides: Partial<OpenInfo> = {}): OpenInfo {
  return { version: 4, myAs: 65002, holdTime: 90, bgpId: PEER_ID, ...overrides };
}

// ---- OPEN validation ----

describe('validateOpen (RFC 4271 §6.2, RFC 6286, RFC 6793)', () => {
  const cfg = config();
  const rejects = (o: Partial<OpenInfo>, subcode: number, c: FsmConfig = cfg): NotificationInfo => {
    const v = validateOpen(open(o), c);
    assert.equal(v.ok, false);
    if (v.ok) throw new Error('unreachable');
    assert.equal(v.notification.code, ErrorCode.OpenMessage);
    assert.equal(v.notification.subcode, subcode);
    return v.notification;
  };
  const accepts = (o: Partial<OpenInfo>, c: FsmConfig = cfg) => {
    const v = validateOpen(open(o), c);
    assert.equal(v.ok, true, v.ok ? '' : v.detail);
    if (!v.ok) throw new Error('unreachable');
    return v.negotiated;
  };

  it('negotiates the smaller hold time and a keepalive of a third of it', () => {
    assert.deepEqual(accepts({}), { holdTime: 90, keepaliveTime: 30, peerAs: 65002, peerBgpId: PEER_ID, internal: false, fourOctetAs: false });
    assert.deepEqual([accepts({ holdTime: 180 }).holdTime, accepts({ holdTime: 180 }).keepaliveTime], [90, 30]);
    assert.deepEqual([accepts({ holdTime: 9 }).holdTime, accepts({ holdTime: 9 }).keepaliveTime], [9, 3]);
    assert.deepEqual([accepts({ holdTime: 3 }).holdTime, accepts({ holdTime: 3 }).keepaliveTime], [3, 1]);
    const azure = config({ holdTime: 180 });
    assert.deepEqual([accepts({ holdTime: 180 }, azure).holdTime, accepts({ holdTime: 180 }, azure).keepaliveTime], [180, 60]);
  });

  it('takes hold time 0 as no keepalives, from either side', () => {
    assert.deepEqual([accepts({ holdTime: 0 }).holdTime, accepts({ holdTime: 0 }).keepaliveTime], [0, 0]);
    const ours0 = config({ holdTime: 0 });
    assert.deepEqual([accepts({ holdTime: 90 }, ours0).holdTime, accepts({ holdTime: 90 }, ours0).keepaliveTime], [0, 0]);
  });

  it('rejects hold times of 1 and 2 seconds (Unacceptable Hold Time)', () => {
    rejects({ holdTime: 1 }, OpenMessageSubcode.UnacceptableHoldTime);
    rejects({ holdTime: 2 }, OpenMessageSubcode.UnacceptableHoldTime);
  });

  it('answers an unsupported version with the version it speaks', () => {
    assert.deepEqual(rejects({ version: 3 }, OpenMessageSubcode.UnsupportedVersionNumber).data, Uint8Array.of(0, 4));
  });

  it('checks the peer AS (Bad Peer AS, the AS received as data)', () => {
    assert.deepEqual(rejects({ myAs: 65003 }, OpenMessageSubcode.BadPeerAs).data, Uint8Array.of(0xfd, 0xeb));
  });

  it('takes a 4-octet peer AS from the capability when My AS is AS_TRANS (RFC 6793)', () => {
    const c = config({ peerAs: 4_200_000_002 });
    assert.equal(accepts({ myAs: AS_TRANS, fourOctetAs: 4_200_000_002 }, c).peerAs, 4_200_000_002);
    assert.equal(accepts({ myAs: AS_TRANS, fourOctetAs: 4_200_000_002 }, c).fourOctetAs, true);
    // Without the capability AS_TRANS is taken at face value, and is not the configured AS.
    rejects({ myAs: AS_TRANS }, OpenMessageSubcode.BadPeerAs, c);
    // A 4-octet AS with a My AS other than AS_TRANS is inconsistent; so is a capability carrying 0.
    rejects({ myAs: 65002, fourOctetAs: 4_200_000_002 }, OpenMessageSubcode.BadPeerAs, c);
    rejects({ myAs: AS_TRANS, fourOctetAs: 0 }, OpenMessageSubcode.BadPeerAs, c);
    // A 2-octet AS appears in both places; they must agree.
    assert.equal(accepts({ myAs: 65002, fourOctetAs: 65002 }).peerAs, 65002);
    rejects({ myAs: 65002, fourOctetAs: 65004 }, OpenMessageSubcode.BadPeerAs);
    assert.deepEqual(rejects({ myAs: AS_TRANS, fourOctetAs: 4_200_000_009 }, OpenMessageSubcode.BadPeerAs, c).data,
      Uint8Array.of(0xfa, 0x56, 0xea, 0x09));
  });

  it('checks the BGP Identifier: never 0; equal to ours only between ASes (RFC 6286 §2.2)', () => {
    rejects({ bgpId: 0 }, OpenMessageSubcode.BadBgpIdentifier);
    const ibgp = config({ peerAs: 65001 });
    rejects({ myAs: 65001, bgpId: LOCAL_ID }, OpenMessageSubcode.BadBgpIdentifier, ibgp);
    assert.equal(accepts({ myAs: 65001 }, ibgp).internal, true);
    assert.equal(accepts({ bgpId: LOCAL_ID }).peerBgpId, LOCAL_ID); // eBGP: allowed
    assert.equal(accepts({ bgpId: 0xffffffff }).peerBgpId, 0xffffffff);
  });

  it('checks in the RFC order: version, AS, hold time, identifier', () => {
    rejects({ version: 5, myAs: 1, holdTime: 1, bgpId: 0 }, OpenMessageSubcode.UnsupportedVersionNumber);
    rejects({ myAs: 1, holdTime: 1, bgpId: 0 }, OpenMessageSubcode.BadPeerAs);
    rejects({ holdTime: 1, bgpId: 0 }, OpenMessageSubcode.UnacceptableHoldTime);
  });

  it('refuses configurations that cannot work, with a stable code', () => {
    for (const bad of [{ holdTime: 2 }, { holdTime: 70000 }, { bgpId: 0 }, { peerAs: 0 }, { idleHoldTimeMax: 1 }, { keepaliveTime: 0 }]) {
      assert.throws(() => config(bad), { code: 'ERR_INVALID_ARGUMENT' }, JSON.stringify(bad));
    }
  });
});

// ---- Timer arithmetic ----

/** An Rng whose next() is fixed. */
function fixedRng(value: number): Rng {
  return { next: () => value, int: (n) => Math.floor(value * n), bytes: (n) => new Uint8Array(n) };
}

describe('BGP timer arithmetic', () => {
  it('jitters into [0.75, 1] of the duration (RFC 4271 §10)', () => {
    assert.equal(jitter(30_000, fixedRng(0)), 22_500);
    assert.ok(jitter(30_000, fixedRng(0.999999)) <= 30_000);
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer(), (ms, seed) => {
      const j = jitter(ms, new SeededRng(seed));
      return j >= 0.75 * ms && j <= ms;
    }));
  });

  it('keeps the keepalive interval within a third of the negotiated hold time', () => {
    assert.equal(keepaliveInterval(90, { holdTime: 90, keepaliveTime: undefined }), 30);
    assert.equal(keepaliveInterval(9, { holdTime: 180, keepaliveTime: undefined }), 3);
    assert.equal(keepaliveInterval(180, { holdTime: 180, keepaliveTime: 10 }), 10);
    assert.equal(keepaliveInterval(30, { holdTime: 180, keepaliveTime: 60 }), 10);
    assert.equal(keepaliveInterval(4, { holdTime: 4, keepaliveTime: undefined }), 1);
    assert.equal(keepaliveInterval(0, { holdTime: 90, keepaliveTime: 30 }), 0);
  });

  it('doubles the idle hold time per error in a row, capped (DampPeerOscillations)', () => {
    const cfg = config();
    let d = NO_DAMPING;
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      d = recordError(d, i * 60_000, cfg);
      delays.push(idleHoldDelaySec(d, cfg));
    }
    assert.deepEqual(delays, [5, 10, 20, 40, 80, 120, 120, 120]);
    assert.equal(idleHoldDelaySec(d, config({ dampPeerOscillations: false })), FSM_DEFAULTS.idleHoldTime);
  });

  it('forgets errors older than the forget time (BIRD)', () => {
    const cfg = config();
    let d = recordError(recordError(recordError(NO_DAMPING, 0, cfg), 10_000, cfg), 30_000, cfg);
    assert.equal(idleHoldDelaySec(d, cfg), 20);
    d = recordError(d, 30_000 + 299_999, cfg);
    assert.equal(idleHoldDelaySec(d, cfg), 40);
    d = recordError(d, 30_000 + 299_999 + 300_000, cfg);
    assert.equal(idleHoldDelaySec(d, cfg), 5);
    // Without times nothing is forgotten.
    assert.equal(recordError(recordError(NO_DAMPING, undefined, cfg), undefined, cfg).consecutiveErrors, 2);
  });
});

// ---- Collision detection ----

describe('connection collision (RFC 4271 §6.8, RFC 6286 §2.3)', () => {
  it('keeps the connection initiated by the higher BGP Identifier', () => {
    const lower = resolveCollision({ localBgpId: parseIpv4('10.0.0.1'), remoteBgpId: parseIpv4('10.0.0.2'), localAs: 65001, remoteAs: 65002 });
    assert.deepEqual([lower.keep, lower.close], ['incoming', 'outgoing']);
    assert.deepEqual([lower.notification.code, lower.notification.subcode], [ErrorCode.Cease, CeaseSubcode.ConnectionCollisionResolution]);
    const higher = resolveCollision({ localBgpId: parseIpv4('192.0.2.1'), remoteBgpId: parseIpv4('10.0.0.2'), localAs: 65001, remoteAs: 65002 });
    assert.deepEqual([higher.keep, higher.close], ['outgoing', 'incoming']);
  });

  it('compares identifiers as unsigned integers', () => {
    const r = resolveCollision({ localBgpId: parseIpv4('200.0.0.1'), remoteBgpId: parseIpv4('100.0.0.1'), localAs: 1, remoteAs: 2 });
    assert.equal(r.keep, 'outgoing');
  });

  it('breaks identical identifiers by the larger AS, and refuses identical both', () => {
    assert.equal(resolveCollision({ localBgpId: 7, remoteBgpId: 7, localAs: 65010, remoteAs: 65002 }).keep, 'outgoing');
    assert.equal(resolveCollision({ localBgpId: 7, remoteBgpId: 7, localAs: 65001, remoteAs: 65002 }).keep, 'incoming');
    assert.throws(() => resolveCollision({ localBgpId: 7, remoteBgpId: 7, localAs: 65001, remoteAs: 65001 }), { code: 'ERR_INVALID_ARGUMENT' });
  });

  it('gives both speakers the same verdict: they keep the same TCP connection', () => {
    const u32 = fc.integer({ min: 1, max: 0xffffffff });
    fc.assert(fc.property(u32, u32, u32, u32, (a, b, asA, asB) => {
      fc.pre(a !== b || asA !== asB);
      const atA = resolveCollision({ localBgpId: a, remoteBgpId: b, localAs: asA, remoteAs: asB });
      const atB = resolveCollision({ localBgpId: b, remoteBgpId: a, localAs: asB, remoteAs: asA });
      // A's outgoing connection is B's incoming one.
      return (atA.keep === 'outgoing') === (atB.keep === 'incoming');
    }));
  });

  it('looks only at connections that can collide', () => {
    assert.deepEqual((['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'] as const).map((s) => detectCollision(s)),
      ['no-collision', 'no-collision', 'no-collision', 'no-collision', 'resolve', 'close-new']);
    assert.equal(detectCollision('OpenSent', { peerIdKnown: true }), 'resolve');
    assert.equal(detectCollision('Established', { collisionDetectEstablished: true }), 'resolve');
  });
});

// ---- Reasons ----

describe('transition reasons', () => {
  it('reads like FRR', () => {
    assert.equal(describeReason({ kind: 'hold-timer-expired' }), 'Hold Timer Expired');
    assert.equal(describeReason({ kind: 'notification-received', code: 2, subcode: 2 }), 'Received NOTIFICATION OPEN Message Error/Bad Peer AS');
    assert.equal(describeReason({ kind: 'message-error', code: 3, subcode: 11, notificationSent: true }), 'Sent NOTIFICATION UPDATE Message Error/Malformed AS_PATH');
    assert.equal(describeReason({ kind: 'tcp-failed', error: undefined }), 'Peer closed the session');
    assert.equal(describeReason({ kind: 'tcp-failed', error: 'ERR_TCP_REFUSED' }), 'TCP connection failed (ERR_TCP_REFUSED)');
    assert.equal(describeReason({ kind: 'admin-stop', subcode: 2 }), 'Admin. stop (Cease/Administrative Shutdown)');
    assert.equal(describeReason({ kind: 'fsm-error', event: 'KeepAliveMsg', state: 'OpenSent', notificationSent: true }),
      'Unexpected KeepAliveMsg in OpenSent: sent NOTIFICATION Finite State Machine Error');
    assert.equal(describeNotification(ErrorCode.FiniteStateMachine, FsmSubcode.UnexpectedMessageInOpenConfirm),
      'Finite State Machine Error/Receive Unexpected Message in OpenConfirm State');
    assert.equal(describeNotification(9, 0), 'Unknown error code 9');
    assert.equal(describeNotification(6, 42), 'Cease/subcode 42');
  });
});
