import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { SeededRng } from '../../src/core/rng.js';
import { HostileError, apiHasSocket, type ApiEndpoint } from './daemons.js';
import { Mutator } from './mutator.js';

/*
 * API requests a local user (or a web page, through the browser) could send the daemons: random
 * and mutated paths, methods and query parameters (NaN, huge, negative, unicode, empty), a
 * foreign Host or an Origin, oversized bodies, malformed HTTP, many connections at once and slow
 * requests. Requests that would legitimately change the protected session or SA (resetting B,
 * rekeying or terminating `peer`) are left out: the owner may do those. Every answer is checked:
 * no secret in it; under the issue 11 contract, no 200 for a request with an Origin, and no keys.
 */

export interface ApiTarget {
  name: string;
  endpoint: ApiEndpoint;
  /** Paths that exist, to mutate. */
  paths: string[];
  /** Resources that must not be changed by the harness itself (would reset the protected session). */
  forbidden: RegExp;
  secrets: string[];
}

const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'TRACE', 'PROPFIND', 'BREW'];
const VALUES = ['NaN', 'abc', '1e12', '-1', '0', '1e308', 'Infinity', '-Infinity', '0x10', '', ' ', '9007199254740993', '\u0661\u0662\u0663', '%00', '%ff%fe', '..%2f..%2f', '\u{1F600}', '1'.repeat(5000), '[]', '{"a":1}', '3', '10.211.2.10', '127.0.0.1'];
const KEYS = ['count', 'interval', 'from', 'to', 'prefix', 'child', 'timeout', 'x', '__proto__', 'constructor'];
const HOSTS = ['evil.example', 'localhost:1', '127.0.0.1', 'attacker.example:8179', ''];

export class ApiAttacker {
  private readonly m: Mutator;
  private readonly agents = new Map<string, Agent>();
  readonly counts: Record<string, number> = {};
  readonly contract = apiHasSocket();

  constructor(seed: number, private readonly targets: readonly ApiTarget[]) {
    this.m = new Mutator(SeededRng.derive(seed, 'api'));
  }

  private count(what: string): void {
    this.counts[what] = (this.counts[what] ?? 0) + 1;
  }

  private agent(t: ApiTarget): Agent {
    let a = this.agents.get(t.name);
    if (a === undefined) {
      a = new Agent({ keepAlive: true, maxSockets: 16 });
      this.agents.set(t.name, a);
    }
    return a;
  }

  private path(t: ApiTarget): string {
    let p = this.m.pick(t.paths);
    const r = this.m.int(10);
    if (r < 3) p = Buffer.from(this.m.mutate(Buffer.from(p), {}, 2)).toString('latin1').replace(/[^\x21-\x7e]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    else if (r < 4) p = `/api/v1/${encodeURIComponent(this.m.pick(VALUES))}/${encodeURIComponent(this.m.pick(VALUES))}`;
    if (!p.startsWith('/')) p = `/${p}`;
    const q = this.m.int(4);
    if (q > 0) {
      const params = Array.from({ length: q }, () => `${this.m.pick(KEYS)}=${encodeURIComponent(this.m.pick(VALUES))}`);
      p += (p.includes('?') ? '&' : '?') + params.join('&');
    }
    return p;
  }

  /** One request through the keep-alive pool; resolves whatever happens (bounded by a timeout). */
  private one(t: ApiTarget): Promise<void> {
    const method = this.m.pick(METHODS);
    const path = this.path(t);
    if (method !== 'GET' && method !== 'HEAD' && t.forbidden.test(path.split('?')[0]!)) return Promise.resolve();
    const headers: Record<string, string> = {};
    const h = this.m.int(10);
    if (h === 0) headers.host = this.m.pick(HOSTS);
    if (h === 1) headers.origin = 'http://evil.example';
    if (h === 2) headers['x-filler'] = 'a'.repeat(this.m.int(20_000));
    let body: Uint8Array | undefined;
    const b = this.m.int(100);
    if (b === 0) body = this.m.bytes(1 + this.m.int(2 * 1024 * 1024));
    else if (b < 15) body = Buffer.from(JSON.stringify({ count: this.m.pick(VALUES), interval: this.m.pick(VALUES) }));
    this.count(headers.origin !== undefined ? 'origin' : body !== undefined ? 'body' : 'request');
    return new Promise((done) => {
      let req: ReturnType<typeof request>;
      try {
        req = request({
        ...('socketPath' in t.endpoint ? { socketPath: t.endpoint.socketPath } : { host: t.endpoint.host, port: t.endpoint.port }),
        agent: this.agent(t), method, path, headers,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => { if (chunks.length < 256) chunks.push(c); });
        res.on('end', () => {
          try {
            this.judge(t, path, headers, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
          } catch (e) {
            this.failure ??= e as HostileError;
          }
          done();
        });
        res.on('error', () => done());
      });
      } catch {
        this.count('refused-by-client');
        done();
        return;
      }
      req.setTimeout(5000, () => { this.count('timeout'); req.destroy(); });
      req.on('error', () => done());
      req.end(body);
    });
  }

  failure: HostileError | undefined;

  private judge(t: ApiTarget, path: string, headers: Record<string, string>, status: number, body: string): void {
    for (const s of t.secrets) {
      if (body.includes(s)) throw new HostileError('HOSTILE_SECRET_LEAKED', `${t.name}: ${path} answered ${status} with the pre-shared key`);
    }
    if (status === 200 && /^\/api\/v1\/keys\/?(\?|$)/.test(path)) throw new HostileError('HOSTILE_SECRET_LEAKED', `${t.name}: ${path} answered 200 with the IKE/ESP keys (no --allow-key-export)`);
    if (this.contract && headers.origin !== undefined && status < 400) throw new HostileError('HOSTILE_API_DOWN', `${t.name}: ${path} with an Origin header answered ${status}, not 403`);
  }

  private readonly inflight = new Set<Promise<void>>();

  /**
   * Keeps 48 requests in flight over the targets (keep-alive, 16 connections each): starts
   * requests until 48 are running, then waits for one to finish. A slow answer (a ping) holds
   * one slot, not the whole batch.
   */
  async stepRequests(): Promise<number> {
    let started = 0;
    while (this.inflight.size < 48) {
      const p: Promise<void> = this.one(this.m.pick(this.targets)).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
      started++;
    }
    await Promise.race(this.inflight);
    this.throwFailure();
    return started;
  }

  /** Waits for the requests still in flight (bounded by their own timeouts). */
  async drain(): Promise<void> {
    await Promise.all(this.inflight);
    this.throwFailure();
  }

  /** Malformed HTTP over raw connections, many connections at once, or slow requests. */
  async stepRaw(): Promise<number> {
    const t = this.m.pick(this.targets);
    const kind = this.m.int(3);
    if (kind === 0) {
      const lines = ['GET / HTTP/1.1\r\n\r\n', 'GARBAGE\r\n\r\n', `GET /api/v1/${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 'POST /api/v1/ping HTTP/1.1\r\nContent-Length: -5\r\n\r\n',
        'GET /api/v1/peers HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\nzz\r\n', `GET /api/v1/sas HTTP/1.1\r\nHost: a\r\n${'X: y\r\n'.repeat(3000)}\r\n`, Buffer.from(this.m.bytes(1 + this.m.int(4000))).toString('latin1')];
      const socks = await Promise.all(Array.from({ length: 8 }, () => rawOpen(t.endpoint)));
      for (const s of socks) s?.end(this.m.pick(lines), 'latin1');
      await delay(50);
      for (const s of socks) s?.destroy();
      this.count('malformed');
      return 8;
    }
    if (kind === 1) {
      const socks = await Promise.all(Array.from({ length: 200 }, () => rawOpen(t.endpoint)));
      await delay(100);
      for (const s of socks) s?.destroy();
      this.count('many-connections');
      return 200;
    }
    // slow requests: headers a few octets at a time, 4 at once, each for at most ~1 s
    const req = 'GET /api/v1/sas HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n\r\n';
    const socks = await Promise.all(Array.from({ length: 4 }, () => rawOpen(t.endpoint)));
    for (let i = 0; i < req.length; i += 3) {
      for (const s of socks) s?.write(req.slice(i, i + 3));
      await delay(10);
    }
    await delay(50);
    for (const s of socks) s?.destroy();
    this.count('slow');
    return 4;
  }

  private throwFailure(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  async step(): Promise<number> {
    return this.m.int(1000) === 0 ? this.stepRaw() : this.stepRequests();
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
  }
}

function rawOpen(ep: ApiEndpoint): Promise<Socket | undefined> {
  return new Promise((done) => {
    const s = 'socketPath' in ep ? connect({ path: ep.socketPath }) : connect({ host: ep.host, port: ep.port });
    const timer = setTimeout(() => { s.destroy(); done(undefined); }, 2000);
    s.on('error', () => { clearTimeout(timer); done(undefined); });
    s.once('connect', () => { clearTimeout(timer); done(s); });
  });
}
