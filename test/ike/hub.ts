import { ManualClock } from '../../src/core/clock.js';
import { SeededRng } from '../../src/core/rng.js';
import type { EngineConfig, PeerConfig } from '../../src/ike/config.js';
import { HeaderFlag } from '../../src/ike/constants.js';
import { IkeEngine, type IkeDatagram, type IkeEngineEvents } from '../../src/ike/engine.js';
import { decodeMessageHeader } from '../../src/ike/message.js';
import { parseIdentity, type Identity } from '../../src/ike/payloads/id.js';
import { formatIpv4, parseIpv4, type Ipv4Address } from '../../src/net/address.js';
import { peer } from './two-peers.js';

/*
 * One responder (the hub) and any number of initiators on their own addresses, joined by a wire
 * on one ManualClock that delivers each datagram to the engine at its destination address,
 * `latencyMs` later, unless `drop` says otherwise. For the tests where peers are many: floods,
 * connections shared by several peers, INITIAL_CONTACT.
 */

export const HUB_ADDRESS = parseIpv4('203.0.113.1');

export interface Station {
  readonly engine: IkeEngine;
  readonly address: Ipv4Address;
  readonly log: string[];
}

export interface HubDatagram extends IkeDatagram {
  readonly exchange: number;
  readonly response: boolean;
}

export interface Hub {
  readonly clock: ManualClock;
  readonly hub: Station;
  readonly wire: HubDatagram[];
  drop: (d: HubDatagram) => boolean;
  /** An initiator at `address` with these connections (a station already there is replaced: a restart). */
  add(address: string, peers: PeerConfig[], seed?: number): Station;
  run(ms?: number): void;
}

/** A connection of the hub's: responder only, to `remote` (%any when undefined), the peer's identity `remoteId` (any when undefined). */
export function hubConnection(name: string, overrides: Partial<PeerConfig> = {}): PeerConfig {
  return { ...peer('b'), name, remoteAddress: undefined, remoteIdentity: undefined, ...overrides };
}

/** An initiator's connection from `address` to the hub, as identity `id` (default: its address). */
export function toHub(name: string, address: string, overrides: Partial<PeerConfig> & { id?: string } = {}): PeerConfig {
  const { id, ...rest } = overrides;
  const local = parseIpv4(address);
  const identity: Identity = parseIdentity(id ?? address);
  return { ...peer('a'), name, localAddress: local, remoteAddress: HUB_ADDRESS, localIdentity: identity, remoteIdentity: undefined, ...rest };
}

/** `hubEvents`: the hub engine's event sinks besides its log (a test's listener, say). */
export function makeHub(hubPeers: PeerConfig[], engine: Partial<EngineConfig> = {}, latencyMs = 10, hubEvents: Omit<IkeEngineEvents, 'log'> = {}): Hub {
  const clock = new ManualClock();
  const stations = new Map<Ipv4Address, Station>();
  const wire: HubDatagram[] = [];
  const station = (address: Ipv4Address, peers: PeerConfig[], seed: number, config: Partial<EngineConfig>, events: Omit<IkeEngineEvents, 'log'> = {}): Station => {
    const log: string[] = [];
    const s: Station = {
      address,
      log,
      engine: new IkeEngine({
        clock,
        rng: new SeededRng(seed),
        peers,
        config,
        events: { ...events, log: (line) => log.push(line) },
        send: (d) => {
          const h = decodeMessageHeader(d.payload);
          const w: HubDatagram = { ...d, exchange: h.exchangeType, response: (h.flags & HeaderFlag.RESPONSE) !== 0 };
          wire.push(w);
          if (world.drop(w)) return;
          clock.setTimer(latencyMs, () => stations.get(d.remote.address)?.engine.receive({ local: d.remote, remote: d.local, payload: d.payload }));
        },
      }),
    };
    stations.set(address, s);
    return s;
  };
  let seeds = 1000;
  const world: Hub = {
    clock,
    hub: station(HUB_ADDRESS, hubPeers, 1, engine, hubEvents),
    wire,
    drop: () => false,
    add: (address, peers, seed) => station(parseIpv4(address), peers, seed ?? ++seeds, {}),
    run: (ms = 10_000) => clock.advance(ms),
  };
  return world;
}

export function describeStation(s: Station): string {
  return `${formatIpv4(s.address)}:\n${s.log.join('\n')}`;
}
