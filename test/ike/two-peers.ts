import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.js';
import { SeededRng } from '../../src/core/rng.js';
import type { ChildSaRemoval, NegotiatedChildSa } from '../../src/ike/child-sa.js';
import type { ChildConfig, EngineConfig, PeerConfig } from '../../src/ike/config.js';
import { ExchangeType, HeaderFlag } from '../../src/ike/constants.js';
import { IkeEngine, type IkeDatagram, type IkeStateEvent } from '../../src/ike/engine.js';
import { decodeMessageHeader } from '../../src/ike/message.js';
import { ipv4Identity } from '../../src/ike/payloads/id.js';
import { selectorFromPrefix } from '../../src/ike/payloads/ts.js';
import { parseProposals } from '../../src/ike/proposal.js';
import { parseIpv4, parsePrefix } from '../../src/net/address.js';

/*
 * Two IKE engines joined by a wire on one ManualClock: every datagram arrives `latencyMs` later
 * unless a filter drops it. Each side records what the engine reported, so tests assert on
 * states, children and log lines.
 */

export const A_ADDRESS = parseIpv4('198.51.100.1');
export const B_ADDRESS = parseIpv4('203.0.113.1');

export interface SideRecord {
  readonly engine: IkeEngine;
  readonly log: string[];
  readonly states: IkeStateEvent[];
  readonly up: NegotiatedChildSa[];
  readonly down: ChildSaRemoval[];
  /** Children the data plane would hold now, by inbound SPI. */
  readonly installed: Map<number, NegotiatedChildSa>;
}

export interface WireDatagram extends IkeDatagram {
  readonly from: 'a' | 'b';
  readonly exchange: number;
  readonly response: boolean;
  readonly messageId: number;
}

export interface TwoPeers {
  readonly clock: ManualClock;
  readonly a: SideRecord;
  readonly b: SideRecord;
  /** Every datagram sent, in order (dropped ones included). */
  readonly wire: WireDatagram[];
  /** Return true to drop a datagram. */
  drop: (d: WireDatagram) => boolean;
  /** Runs the clock (default: 10 s). */
  run(ms?: number): void;
}

export function child(name: string, local: string, remote: string, overrides: Partial<ChildConfig> = {}): ChildConfig {
  return {
    name,
    espProposals: parseProposals(['aes256gcm16', 'aes128-sha256'], 'esp'),
    localSelectors: [selectorFromPrefix(parsePrefix(local))],
    remoteSelectors: [selectorFromPrefix(parsePrefix(remote))],
    lifetimes: {},
    startAction: 'start',
    ...overrides,
  };
}

export function peer(side: 'a' | 'b', overrides: Partial<PeerConfig> = {}): PeerConfig {
  const local = side === 'a' ? A_ADDRESS : B_ADDRESS;
  const remote = side === 'a' ? B_ADDRESS : A_ADDRESS;
  return {
    name: side === 'a' ? 'to-b' : 'to-a',
    localAddress: local,
    remoteAddress: remote,
    localIdentity: ipv4Identity(local),
    remoteIdentity: ipv4Identity(remote),
    psk: new TextEncoder().encode('correct horse battery staple'),
    ikeProposals: parseProposals(['aes256-sha256-modp2048'], 'ike'),
    ikeRekeySeconds: 0,
    dpdDelaySeconds: 0,
    dpdAction: 'clear',
    forceEncapsulation: false,
    responderOnly: side === 'b',
    children: [side === 'a' ? child('net', '10.1.0.0/16', '10.2.0.0/16') : child('net', '10.2.0.0/16', '10.1.0.0/16')],
    ...overrides,
  };
}

export function twoPeers(options: {
  a?: Partial<PeerConfig>;
  b?: Partial<PeerConfig>;
  engineA?: Partial<EngineConfig>;
  engineB?: Partial<EngineConfig>;
  latencyMs?: number;
  seed?: number;
} = {}): TwoPeers {
  const clock = new ManualClock();
  const latency = options.latencyMs ?? 10;
  const wire: WireDatagram[] = [];
  const sides: Partial<Record<'a' | 'b', SideRecord>> = {};
  const world: TwoPeers = {
    clock,
    get a() { return sides.a!; },
    get b() { return sides.b!; },
    wire,
    drop: () => false,
    run(ms = 10_000) { clock.advance(ms); },
  };
  const make = (name: 'a' | 'b'): SideRecord => {
    const record: SideRecord = {
      engine: undefined as unknown as IkeEngine, log: [], states: [], up: [], down: [], installed: new Map(),
    };
    const engine = new IkeEngine({
      clock,
      rng: new SeededRng((options.seed ?? 1) * 2 + (name === 'a' ? 0 : 1)),
      peers: [peer(name, name === 'a' ? options.a : options.b)],
      config: (name === 'a' ? options.engineA : options.engineB) ?? {},
      send: (d) => {
        const h = decodeMessageHeader(d.payload);
        const w: WireDatagram = { ...d, from: name, exchange: h.exchangeType, response: (h.flags & HeaderFlag.RESPONSE) !== 0, messageId: h.messageId };
        wire.push(w);
        if (world.drop(w)) return;
        const other = name === 'a' ? 'b' : 'a';
        clock.setTimer(latency, () => sides[other]!.engine.receive({ local: d.remote, remote: d.local, payload: d.payload }));
      },
      events: {
        log: (line) => record.log.push(line),
        ikeState: (e) => record.states.push(e),
        childUp: (c) => {
          record.up.push(c);
          record.installed.set(c.inboundSpi, c);
        },
        childDown: (r) => {
          record.down.push(r);
          record.installed.delete(r.inboundSpi);
        },
      },
    });
    (record as { engine: IkeEngine }).engine = engine;
    return record;
  };
  sides.a = make('a');
  sides.b = make('b');
  return world;
}

/** Both sides hold exactly one CHILD_SA, installed, and they are the two halves of one: SPIs, keys, suite and selectors mirrored. */
export function assertOneMirroredChild(w: TwoPeers): void {
  assert.equal(w.a.installed.size, 1, `A: ${[...w.a.installed.keys()].map((s) => s.toString(16))}\n${w.a.log.join('\n')}`);
  assert.equal(w.b.installed.size, 1, `B: ${[...w.b.installed.keys()].map((s) => s.toString(16))}\n${w.b.log.join('\n')}`);
  const a = [...w.a.installed.values()][0]!;
  const b = [...w.b.installed.values()][0]!;
  assert.equal(a.outboundSpi, b.inboundSpi);
  assert.equal(a.inboundSpi, b.outboundSpi);
  assert.deepEqual(a.outboundKeys, b.inboundKeys);
  assert.deepEqual(a.inboundKeys, b.outboundKeys);
  assert.deepEqual(a.suite, b.suite);
  assert.deepEqual(a.localSelectors, b.remoteSelectors);
  assert.deepEqual(a.remoteSelectors, b.localSelectors);
  for (const side of [w.a, w.b]) {
    const children = side.engine.view().flatMap((s) => s.children);
    assert.deepEqual(children.map((c) => c.state), ['installed']);
  }
}

export function established(side: SideRecord): number {
  return side.engine.view().filter((s) => s.state === 'established').length;
}

export const IKE_SA_INIT = ExchangeType.IKE_SA_INIT;
export const IKE_AUTH = ExchangeType.IKE_AUTH;
export const CREATE_CHILD_SA = ExchangeType.CREATE_CHILD_SA;
export const INFORMATIONAL = ExchangeType.INFORMATIONAL;

/**
 * Leaves one half-open IKE SA on `target` (at `targetAddress`): an IKE_SA_INIT from `from` that
 * nobody follows up, as strongSwan's tests make noise before they expect a cookie.
 */
export function openHalfSa(target: IkeEngine, targetAddress: number, from: number, seed = 99): void {
  const clock = new ManualClock();
  const stranger = new IkeEngine({
    clock,
    rng: new SeededRng(seed),
    peers: [{ ...peer('a'), name: 'stranger', localAddress: from, remoteAddress: targetAddress, localIdentity: ipv4Identity(from), remoteIdentity: undefined }],
    send: (d) => target.receive({ local: d.remote, remote: d.local, payload: d.payload }),
  });
  stranger.initiate('stranger');
}
