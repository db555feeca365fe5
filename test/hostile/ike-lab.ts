import { createSocket, type Socket } from 'node:dgram';
import { setTimeout as delay } from 'node:timers/promises';
import { SeededRng } from '../../src/core/rng.js';
import type { IkeMessage } from '../../src/ike/message.js';
import { encodeMessage } from '../../src/ike/message.js';
import type { IkeSaView } from '../../src/ike/views.js';
import { parseIpv4 } from '../../src/net/address.js';
import { Daemon, HostileError, apiConfig, apiJson, labDir, waitFor, type ApiEndpoint } from './daemons.js';
import { IKE_PROPOSAL, NON_ESP_MARKER, cookieOf, forged, ikeLengthFields, randomSpi, saInitRequest, withCookie, withSpi } from './ike-corpus.js';
import { Mutator } from './mutator.js';

/*
 * The IKE lab: two `vpnlab ike run` daemons with an established IKE SA and CHILD_SA between
 * them (B initiates, A responds; DPD every 2 s, so a broken SA is noticed within seconds). The
 * attacker sends A, from other 127.0.211.x addresses, random datagrams, mutated IKE_SA_INIT
 * requests, forged messages with the live SA's SPIs, cookie-echo floods (the IKE interface) and
 * ESP junk on 4500 with random and live inbound SPIs (the ESP interface).
 */

export const IKE_ADDR = { a: '127.0.211.11', b: '127.0.211.12' } as const;
const ATTACKERS = 16;
const attacker = (i: number): string => `127.0.211.${120 + i}`;
const LAN = { a: { gw: '10.211.1.1', vm: '10.211.1.10', net: '10.211.1.0/24' }, b: { gw: '10.211.2.1', vm: '10.211.2.10', net: '10.211.2.0/24' } } as const;

function config(side: 'a' | 'b', psk: string, api: string): string {
  const me = LAN[side];
  const peer = LAN[side === 'a' ? 'b' : 'a'];
  return `
address: ${IKE_ADDR[side]}
api: ${api}
lan: { gateway: ${me.gw}/24, hosts: [{ name: vm1, address: ${me.vm} }] }
connections:
  - name: peer
    remote: ${IKE_ADDR[side === 'a' ? 'b' : 'a']}
    psk: ${JSON.stringify(psk)}
    proposals: [${IKE_PROPOSAL}]
    mode: ${side === 'a' ? 'respond' : 'initiate'}
    rekeyTime: 86400
    dpdDelay: 2
    retransmit: { timeout: 1, base: 1.5, tries: 5 }
    children:
      - { name: net, localTs: [${me.net}], remoteTs: [${peer.net}], espProposals: [aes256gcm16], rekeyTime: 86400, start: ${side === 'a' ? 'none' : 'start'} }
`;
}

interface Live {
  spiI: string;
  spiR: string;
  inboundSpi: string;
  outboundSpi: string;
}

export class IkeLab {
  readonly a: Daemon;
  readonly b: Daemon;
  readonly apiA: ApiEndpoint;
  readonly apiB: ApiEndpoint;
  private readonly cleanupDir: () => void;
  live: Live | undefined;

  private constructor(dir: ReturnType<typeof labDir>, readonly psk: string) {
    this.cleanupDir = dir.cleanup;
    const apiA = apiConfig(dir.dir, 'ike-a', { host: IKE_ADDR.a, port: 8180 });
    const apiB = apiConfig(dir.dir, 'ike-b', { host: IKE_ADDR.b, port: 8180 });
    this.apiA = apiA.endpoint;
    this.apiB = apiB.endpoint;
    const secrets = [psk, Buffer.from(psk).toString('hex')];
    this.a = new Daemon('ike A', 'ike', dir.write('a.yaml', config('a', psk, apiA.yaml)), secrets);
    this.b = new Daemon('ike B', 'ike', dir.write('b.yaml', config('b', psk, apiB.yaml)), secrets);
  }

  static async start(psk: string): Promise<IkeLab> {
    const lab = new IkeLab(labDir('ike'), psk);
    try {
      const established = async (api: ApiEndpoint): Promise<IkeSaView | undefined> => (await apiJson<IkeSaView[]>(api, '/api/v1/sas'))
        .find((s) => s.state === 'established' && s.children.some((c) => c.state === 'installed'));
      const a = await waitFor('ike A: SA up', () => established(lab.apiA), 30_000);
      const b = await waitFor('ike B: SA up', () => established(lab.apiB), 10_000);
      if (a.spiI !== b.spiI || a.spiR !== b.spiR) throw new HostileError('HOSTILE_SETUP', `A and B disagree on the IKE SA: ${a.spiI}/${a.spiR} vs ${b.spiI}/${b.spiR}`);
      const child = a.children.find((c) => c.state === 'installed')!;
      lab.live = { spiI: a.spiI, spiR: a.spiR, inboundSpi: child.inboundSpi, outboundSpi: child.outboundSpi };
      return lab;
    } catch (e) {
      await lab.stop();
      throw e;
    }
  }

  /** The protected SA has the same SPIs on both sides, is established, and its CHILD_SA is the same. */
  async protectedCheck(): Promise<void> {
    for (const [d, api] of [[this.a, this.apiA], [this.b, this.apiB]] as const) {
      d.check();
      const sas = await apiJson<IkeSaView[]>(api, '/api/v1/sas').catch((e: Error) => {
        d.check();
        throw new HostileError('HOSTILE_API_DOWN', `${d.name}'s API: ${e.message}`);
      });
      const sa = sas.find((s) => s.spiI === this.live!.spiI && s.spiR === this.live!.spiR);
      const child = sa?.children.find((c) => c.state === 'installed');
      if (sa?.state !== 'established' || child === undefined) {
        throw new HostileError('HOSTILE_SA_LOST', `${d.name}: the IKE SA ${this.live!.spiI}_i ${this.live!.spiR}_r is ${sa?.state ?? 'gone'}${child === undefined ? ', no installed CHILD_SA' : ''}; SAs: ${JSON.stringify(sas).slice(0, 600)}; last output:\n${d.lastOutput.slice(-3000)}`);
      }
      const spis = d === this.a ? [child.inboundSpi, child.outboundSpi] : [child.outboundSpi, child.inboundSpi];
      if (spis[0] !== this.live!.inboundSpi || spis[1] !== this.live!.outboundSpi) {
        throw new HostileError('HOSTILE_SA_LOST', `${d.name}: CHILD_SA SPIs changed: ${JSON.stringify(child)}`);
      }
    }
  }

  /** Pings B's LAN host from A's through the tunnel: every echo answered. */
  async pingThrough(): Promise<void> {
    const r = await apiJson<{ sent: number; received: number }>(this.apiA, `/api/v1/ping?from=vm1&to=${LAN.b.vm}&count=3&interval=200`, 'POST', 20_000);
    if (r.received !== 3) throw new HostileError('HOSTILE_SA_LOST', `ping through the tunnel: ${r.received} of ${r.sent} answered`);
  }

  async stop(): Promise<void> {
    if (process.env.HOSTILE_VERBOSE !== undefined) process.stderr.write(`--- ${this.a.name} output (tail):\n${this.a.lastOutput.slice(-6000)}\n`);
    await Promise.all([this.a.stop(), this.b.stop()]);
    this.cleanupDir();
  }
}

/** Datagram senders bound on the attacker addresses; answers are read only for cookies. */
class Senders {
  readonly sockets: Socket[] = [];
  readonly cookies: { spiI: bigint; cookie: Uint8Array; socket: Socket }[] = [];

  async bind(): Promise<void> {
    for (let i = 0; i < ATTACKERS; i++) {
      const s = createSocket('udp4');
      s.on('error', () => {});
      s.on('message', (msg) => {
        const c = cookieOf(msg.length >= 4 && msg.readUInt32BE(0) === 0 ? msg.subarray(4) : msg);
        if (c !== undefined && this.cookies.length < 256) this.cookies.push({ ...c, socket: s });
      });
      await new Promise<void>((done) => s.bind({ address: attacker(i), port: 0 }, done));
      this.sockets.push(s);
    }
  }

  send(s: Socket, bytes: Uint8Array, port: number): void {
    s.send(bytes, port, IKE_ADDR.a);
  }

  close(): void {
    for (const s of this.sockets) s.close();
  }
}

/** Paces sending to about `rate` datagrams a second, in bursts. */
async function pace(sent: number, start: number, rate: number): Promise<void> {
  const due = start + (sent / rate) * 1000;
  const wait = due - Date.now();
  await delay(wait > 0 ? Math.min(wait, 100) : 0);
}

export class IkeAttacker {
  private readonly m: Mutator;
  private readonly rng: SeededRng;
  private readonly senders = new Senders();
  private pool: { msg: IkeMessage; bytes: Uint8Array }[] = [];
  private readonly requests = new Map<bigint, IkeMessage>();
  private sent = 0;
  private start = Date.now();
  readonly counts: Record<string, number> = {};

  constructor(seed: number, private readonly lab: IkeLab, private readonly rate: number, name: 'ike' | 'esp') {
    this.rng = SeededRng.derive(seed, name);
    this.m = new Mutator(this.rng);
  }

  async open(): Promise<void> {
    await this.senders.bind();
    const remote = { address: parseIpv4(IKE_ADDR.a), port: 500 };
    this.pool = Array.from({ length: 16 }, (_, i) => {
      const msg = saInitRequest(this.rng, { address: parseIpv4(attacker(i)), port: 500 }, remote);
      return { msg, bytes: encodeMessage(msg) };
    });
    this.start = Date.now();
  }

  private count(what: string): void {
    this.counts[what] = (this.counts[what] ?? 0) + 1;
  }

  private port(): { port: number; marker: boolean } {
    const r = this.m.int(4);
    return r === 0 ? { port: 500, marker: false } : r === 1 ? { port: 4500, marker: false } : { port: 4500, marker: true };
  }

  private emit(bytes: Uint8Array, to: { port: number; marker: boolean }, socket = this.m.pick(this.senders.sockets)): void {
    this.senders.send(socket, to.marker ? Buffer.concat([NON_ESP_MARKER, bytes]) : bytes, to.port);
  }

  /** 32 IKE datagrams of mixed kinds. */
  async stepIke(): Promise<number> {
    const live = this.lab.live!;
    const spiI = BigInt(`0x${live.spiI}`);
    const spiR = BigInt(`0x${live.spiR}`);
    for (let i = 0; i < 32; i++) {
      const r = this.m.int(100);
      if (r < 15) {
        this.emit(this.m.bytes(this.m.int(1500)), this.port());
        this.count('random');
      } else if (r < 45) {
        const base = this.m.pick(this.pool);
        this.emit(this.m.mutate(base.bytes, { keepPrefix: 0, lengthFields: ikeLengthFields, other: () => this.m.pick(this.pool).bytes }), this.port());
        this.count('mutated-init');
      } else if (r < 85) {
        this.emit(forged(this.m, spiI, spiR), this.m.int(4) === 0 ? { port: 500, marker: false } : { port: 4500, marker: true });
        this.count('forged-live-spi');
      } else if (r < 93) {
        // a fresh valid IKE_SA_INIT from one source: a half-open SA each (the flood)
        const base = this.pool[0]!;
        const spi = randomSpi(this.rng);
        this.requests.set(spi, base.msg);
        if (this.requests.size > 512) this.requests.delete(this.requests.keys().next().value!);
        this.emit(withSpi(base.bytes, spi), { port: 500, marker: false }, this.senders.sockets[0]);
        this.count('init-flood');
      } else {
        const c = this.senders.cookies.shift();
        if (c !== undefined) {
          const msg = this.requests.get(c.spiI) ?? this.pool[0]!.msg;
          this.senders.send(c.socket, withSpi(withCookie(msg, c.cookie), c.spiI), 500);
          this.count('cookie-echo');
        } else {
          this.emit(forged(this.m, spiI, spiR), { port: 4500, marker: true });
          this.count('forged-live-spi');
        }
      }
    }
    this.sent += 32;
    await pace(this.sent, this.start, this.rate);
    return 32;
  }

  /** 32 ESP datagrams on 4500: random and live inbound SPIs, short, ordinary and long packets. */
  async stepEsp(): Promise<number> {
    const live = Number.parseInt(this.lab.live!.inboundSpi, 16);
    for (let i = 0; i < 32; i++) {
      const r = this.m.int(100);
      let packet: Uint8Array;
      if (r < 10) {
        packet = this.m.bytes(1 + this.m.int(7)); // shorter than an ESP header (and the 1-octet NAT keepalive)
        if (packet.length === 1 && this.m.int(2) === 0) packet[0] = 0xff;
      } else {
        const len = r < 15 ? 8 + this.m.int(60_000) : 8 + this.m.int(1500);
        packet = this.m.bytes(len);
        const spi = r < 60 ? live : (this.m.int(2 ** 32 - 1) + 1) >>> 0;
        packet[0] = spi >>> 24; packet[1] = (spi >>> 16) & 0xff; packet[2] = (spi >>> 8) & 0xff; packet[3] = spi & 0xff;
        if (spi === 0) packet[3] = 1;
        const seq = this.m.pick([0, 1, 2, 64, 0xffffffff, this.m.int(2 ** 32)]);
        packet[4] = seq >>> 24; packet[5] = (seq >>> 16) & 0xff; packet[6] = (seq >>> 8) & 0xff; packet[7] = seq & 0xff;
      }
      this.emit(packet, { port: 4500, marker: false });
      this.count(r < 10 ? 'short' : r < 15 ? 'long' : r < 60 ? 'live-spi' : 'random-spi');
    }
    this.sent += 32;
    await pace(this.sent, this.start, this.rate);
    return 32;
  }

  close(): void {
    this.senders.close();
  }
}
