import { setTimeout as delay } from 'node:timers/promises';
import type { PeerRecord } from '../../src/bgp/views.js';
import { SeededRng } from '../../src/core/rng.js';
import { parseIpv4 } from '../../src/net/address.js';
import { FOUR, MessageTypeCode, TWO, bgpLengthFields, framedMutation, keepalive, longPathUpdate, notification, open, routeRefresh, update, withdrawal } from './bgp-corpus.js';
import { Daemon, HostileError, apiConfig, apiJson, labDir, waitFor, type ApiEndpoint } from './daemons.js';
import { Mutator } from './mutator.js';
import { Wire } from './wire.js';

/*
 * The BGP lab: daemons A and B (vpnlab bgp run) peered with each other, a few routes each — the
 * session to protect. A also has two passive neighbours the attacker plays with raw TCP: C
 * (4-octet AS) and D (2-octet AS). The attacker sends C's session mutated and valid UPDATEs
 * (long AS paths among them), plays connection patterns from D's address (close before or
 * after OPEN, two at once, slow writes, junk after NOTIFICATION, collisions) and connects from
 * addresses A does not know. Block 127.0.211.0/24 is the harness's own.
 */

export const BGP_ADDR = { a: '127.0.211.1', b: '127.0.211.2', c: '127.0.211.3', d: '127.0.211.4' } as const;
const ASN = { a: 65001, b: 65002, c: 65003, d: 65004 } as const;
const STRANGERS = 50;
const stranger = (i: number): string => `127.0.211.${100 + (i % STRANGERS)}`;

function configA(api: string): string {
  return `
localAsn: ${ASN.a}
routerId: ${BGP_ADDR.a}
listen: { address: ${BGP_ADDR.a} }
api: ${api}
holdTime: 30
networks: [10.201.0.0/24, 10.201.1.0/24, 10.201.2.0/24]
neighbors:
  - { name: B, address: ${BGP_ADDR.b}, asn: ${ASN.b}, localAddress: ${BGP_ADDR.a}, connectRetryTime: 1, importPolicy: accept-all, exportPolicy: accept-all }
  - { name: C, address: ${BGP_ADDR.c}, asn: ${ASN.c}, mode: passive, importPolicy: accept-all, exportPolicy: accept-all }
  - { name: D, address: ${BGP_ADDR.d}, asn: ${ASN.d}, mode: passive, importPolicy: accept-all, exportPolicy: accept-all }
`;
}

function configB(api: string): string {
  return `
localAsn: ${ASN.b}
routerId: ${BGP_ADDR.b}
listen: { address: ${BGP_ADDR.b} }
api: ${api}
holdTime: 30
networks: [10.202.0.0/24, 10.202.1.0/24]
neighbors:
  - { name: A, address: ${BGP_ADDR.a}, asn: ${ASN.a}, localAddress: ${BGP_ADDR.b}, connectRetryTime: 1, importPolicy: accept-all, exportPolicy: accept-all }
`;
}

interface Protected {
  state: string;
  establishedAt: number;
}

export class BgpLab {
  readonly a: Daemon;
  readonly b: Daemon;
  readonly apiA: ApiEndpoint;
  readonly apiB: ApiEndpoint;
  private readonly cleanupDir: () => void;
  private baseline: { a: Protected; b: Protected } | undefined;

  private constructor(dir: ReturnType<typeof labDir>) {
    this.cleanupDir = dir.cleanup;
    const apiA = apiConfig(dir.dir, 'bgp-a', { host: BGP_ADDR.a, port: 8179 });
    const apiB = apiConfig(dir.dir, 'bgp-b', { host: BGP_ADDR.b, port: 8179 });
    this.apiA = apiA.endpoint;
    this.apiB = apiB.endpoint;
    this.a = new Daemon('bgp A', 'bgp', dir.write('a.yaml', configA(apiA.yaml)), []);
    this.b = new Daemon('bgp B', 'bgp', dir.write('b.yaml', configB(apiB.yaml)), []);
  }

  /** Starts A and B and waits for their session (and the API) to be up. */
  static async start(): Promise<BgpLab> {
    const lab = new BgpLab(labDir('bgp'));
    try {
      await lab.a.waitForOutput(/HTTP API on|API on/, 15_000);
      await lab.b.waitForOutput(/HTTP API on|API on/, 15_000);
      await waitFor('A ⇄ B Established', async () => ((await lab.peer(lab.apiA, 'B')).state === 'Established' ? true : undefined), 30_000);
      await waitFor('B ⇄ A Established', async () => ((await lab.peer(lab.apiB, 'A')).state === 'Established' ? true : undefined), 30_000);
      // uptime has a one-second grain: let it tick once so the baseline is exact enough.
      await delay(1100);
      lab.baseline = { a: await lab.protectedState(lab.apiA, 'B'), b: await lab.protectedState(lab.apiB, 'A') };
      return lab;
    } catch (e) {
      await lab.stop();
      throw e;
    }
  }

  async peer(api: ApiEndpoint, name: string): Promise<PeerRecord> {
    const peers = await apiJson<PeerRecord[]>(api, '/api/v1/peers');
    const p = peers.find((x) => x.name === name);
    if (p === undefined) throw new HostileError('HOSTILE_SETUP', `no neighbour ${name}`);
    return p;
  }

  private async protectedState(api: ApiEndpoint, name: string): Promise<Protected> {
    const p = await this.peer(api, name);
    return { state: p.state, establishedAt: Date.now() - (p.uptime ?? 0) * 1000 };
  }

  /** The A ⇄ B session is Established on both sides and was never reset (same establishment time ± 2.5 s). */
  async protectedCheck(): Promise<void> {
    for (const [side, api, name] of [['a', this.apiA, 'B'], ['b', this.apiB, 'A']] as const) {
      const daemon = side === 'a' ? this.a : this.b;
      daemon.check();
      const now = await this.protectedState(api, name).catch((e: Error) => {
        daemon.check();
        throw new HostileError('HOSTILE_API_DOWN', `${daemon.name}'s API: ${e.message}`);
      });
      const was = this.baseline![side];
      if (now.state !== 'Established' || Math.abs(now.establishedAt - was.establishedAt) > 2500) {
        const record = await this.peer(api, name).catch(() => undefined);
        throw new HostileError('HOSTILE_SESSION_LOST', `${daemon.name}'s session with ${name}: ${now.state}, established at ${new Date(now.establishedAt).toISOString()} (was ${new Date(was.establishedAt).toISOString()}); last error: ${record?.lastError ?? '?'}`);
      }
    }
  }

  async stop(): Promise<void> {
    if (process.env.HOSTILE_VERBOSE !== undefined) process.stderr.write(`--- ${this.a.name} output (tail):\n${this.a.lastOutput.split("\n").filter((l) => !l.includes("refused a connection")).slice(-60).join("\n")}\n`);
    await Promise.all([this.a.stop(), this.b.stop()]);
    this.cleanupDir();
  }
}

/** The attacker: one step is one action, weighted; it returns the inputs it sent. */
export class BgpAttacker {
  private readonly m: Mutator;
  private c: Wire | undefined;
  private cRetryAt = 0;
  private strangerIndex = 0;
  private prefixIndex = 0;
  /** Actions taken, by name, for the report. */
  readonly counts: Record<string, number> = {};

  constructor(seed: number, private readonly opts: { hardEvery: number }) {
    this.m = new Mutator(SeededRng.derive(seed, 'bgp'));
  }

  private count(what: string): void {
    this.counts[what] = (this.counts[what] ?? 0) + 1;
  }

  async step(): Promise<number> {
    if (this.c === undefined || this.c.isClosed) {
      if (Date.now() >= this.cRetryAt) {
        this.cRetryAt = Date.now() + 1000;
        this.c = await this.session(BGP_ADDR.c, ASN.c, true);
        if (this.c !== undefined) this.count('c-session');
      }
    }
    const roll = this.m.int(1000);
    if (this.c !== undefined && !this.c.isClosed && roll < 700) {
      if (this.m.int(this.opts.hardEvery) === 0) return this.hardMutation(this.c);
      return this.cBatch(this.c);
    }
    if (roll < 900) return this.strangerConnection();
    if (roll < 950) return this.manyConnections();
    return this.dPattern();
  }

  /** Connects from `from`, exchanges OPEN and KEEPALIVE; the Wire when Established, else undefined. */
  async session(from: string, asn: number, four: boolean): Promise<Wire | undefined> {
    const w = await Wire.open(from, BGP_ADDR.a, 179);
    if (w === undefined) return undefined;
    await w.write(open(asn, parseIpv4(from), four ? FOUR : TWO, 0));
    if (!(await w.waitFor(MessageTypeCode.OPEN, 3000))) { w.destroy(); return undefined; }
    await w.write(keepalive());
    if (!(await w.waitFor(MessageTypeCode.KEEPALIVE, 3000))) { w.destroy(); return undefined; }
    return w.isClosed ? undefined : w;
  }

  /** 256 messages on C's session: framing-preserving mutations, valid UPDATEs, withdrawals, a long AS path now and then. */
  private async cBatch(c: Wire): Promise<number> {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 256; i++) {
      const r = this.m.int(100);
      if (r < 60) parts.push(framedMutation(update(ASN.c, FOUR, this.m), this.m));
      else if (r < 82) parts.push(update(ASN.c, FOUR, this.m));
      else if (r < 92) parts.push(withdrawal(FOUR, this.m));
      else if (r < 96) parts.push(keepalive());
      else if (r < 98) parts.push(routeRefresh());
      else parts.push(longPathUpdate(ASN.c, FOUR, this.m, this.prefixIndex++));
    }
    await c.write(Buffer.concat(parts));
    this.count('c-batch');
    return parts.length;
  }

  /** One message mutated anywhere (framing included): A answers NOTIFICATION; then junk after it, then close. */
  private async hardMutation(c: Wire): Promise<number> {
    const base = this.m.int(2) === 0 ? update(ASN.c, FOUR, this.m) : longPathUpdate(ASN.c, FOUR, this.m, this.prefixIndex++);
    const bad = this.m.mutate(base, { keepPrefix: 16, lengthFields: bgpLengthFields, other: () => update(ASN.c, FOUR, this.m), maxLength: 4096 });
    await c.write(bad);
    await c.waitFor(MessageTypeCode.NOTIFICATION, 300);
    const junk = [this.m.bytes(1 + this.m.int(2000)), update(ASN.c, FOUR, this.m), keepalive()];
    for (const j of junk) await c.write(j);
    this.count('c-hard');
    return 1 + junk.length;
  }

  /** A connection from an address A does not know: nothing, an OPEN, a mutated OPEN or random bytes. */
  private async strangerConnection(): Promise<number> {
    const w = await Wire.open(stranger(this.strangerIndex++), BGP_ADDR.a, 179, 2000);
    this.count('stranger');
    if (w === undefined) return 1;
    let sent = 0;
    switch (this.m.int(4)) {
      case 0: break;
      case 1: await w.write(open(65100 + this.m.int(100), this.m.int(2 ** 31), FOUR)); sent++; break;
      case 2: await w.write(this.m.mutate(open(65100, 1, FOUR), { keepPrefix: 0, lengthFields: bgpLengthFields })); sent++; break;
      default: await w.write(this.m.bytes(1 + this.m.int(4096))); sent++;
    }
    if (this.m.int(2) === 0) w.destroy();
    else await w.waitClosed(200).then(() => w.destroy());
    return 1 + sent;
  }

  /** 100 connections at once from unknown addresses, held briefly, then closed. */
  private async manyConnections(): Promise<number> {
    const wires = await Promise.all(Array.from({ length: 100 }, () => Wire.open(stranger(this.strangerIndex++), BGP_ADDR.a, 179, 2000)));
    await delay(100);
    for (const w of wires) w?.destroy();
    this.count('many');
    return wires.length;
  }

  /** Connection patterns from D's address (a configured 2-octet-AS passive neighbour). */
  private async dPattern(): Promise<number> {
    const from = BGP_ADDR.d;
    const kind = this.m.int(6);
    this.count(`d${kind}`);
    switch (kind) {
      case 0: { // close before OPEN
        const w = await Wire.open(from, BGP_ADDR.a, 179, 2000);
        w?.destroy();
        return 1;
      }
      case 1: { // two connections, the second closed before its OPEN, then OPEN on the first (defect 4)
        const first = await Wire.open(from, BGP_ADDR.a, 179, 2000);
        const second = await Wire.open(from, BGP_ADDR.a, 179, 2000);
        second?.destroy();
        await first?.write(open(ASN.d, parseIpv4(from), TWO));
        await first?.waitFor(MessageTypeCode.OPEN, 500);
        first?.destroy();
        return 3;
      }
      case 2: { // OPEN, then close right after it
        const w = await Wire.open(from, BGP_ADDR.a, 179, 2000);
        await w?.write(open(ASN.d, parseIpv4(from), TWO));
        w?.destroy();
        return 2;
      }
      case 3: { // slow writes: an OPEN a few octets at a time
        const w = await Wire.open(from, BGP_ADDR.a, 179, 2000);
        const o = open(ASN.d, parseIpv4(from), TWO);
        for (let i = 0; w !== undefined && i < o.length; i += 7) {
          await w.write(o.subarray(i, i + 7));
          await delay(10);
        }
        w?.destroy();
        return 2;
      }
      case 4: { // a whole session: a long AS path toward a 2-octet peer, NOTIFICATION, junk after it
        const w = await this.session(from, ASN.d, false);
        if (w === undefined) return 1;
        await w.write(longPathUpdate(ASN.d, TWO, this.m, this.prefixIndex++));
        await w.write(update(ASN.d, TWO, this.m));
        await delay(50);
        await w.write(notification(6, 2));
        await w.write(this.m.bytes(1 + this.m.int(3000)));
        await w.waitClosed(500);
        w.destroy();
        return 6;
      }
      default: { // collision: a second connection with OPEN while one is running
        const w1 = await Wire.open(from, BGP_ADDR.a, 179, 2000);
        await w1?.write(open(ASN.d, parseIpv4(from), TWO));
        const w2 = await Wire.open(from, BGP_ADDR.a, 179, 2000);
        await w2?.write(open(ASN.d, parseIpv4(from), TWO));
        await delay(50);
        await w2?.write(this.m.bytes(64));
        w1?.destroy();
        w2?.destroy();
        return 4;
      }
    }
  }

  /** No sequence of connections may wedge a neighbour: D can still establish a session. */
  async neighbourNotWedged(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const w = await this.session(BGP_ADDR.d, ASN.d, false);
      if (w !== undefined) {
        w.destroy();
        return;
      }
      await delay(1000);
    }
    throw new HostileError('HOSTILE_SESSION_LOST', `neighbour D (${BGP_ADDR.d}) could not establish a session for ${timeoutMs} ms after the connection patterns`);
  }

  close(): void {
    this.c?.destroy();
  }
}
