import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { bgpDaemonSchema } from '../../src/bgp/config/daemon-schema.js';

/*
 * The daemons under attack, as users run them: `node bin/vpnlab.js bgp|ike run FILE` in child
 * processes (through util-linux `setpriv --pdeathsig KILL`, which execs them with the same PID
 * and has the kernel kill them if the harness dies), ended by PID. Their output is counted and
 * scanned for the secret as it arrives; /proc gives their descriptors and resident memory.
 */

export type HostileErrorCode =
  | 'HOSTILE_DAEMON_EXITED'
  | 'HOSTILE_SECRET_LEAKED'
  | 'HOSTILE_FDS_UNBOUNDED'
  | 'HOSTILE_RSS_UNBOUNDED'
  | 'HOSTILE_LOG_UNBOUNDED'
  | 'HOSTILE_SESSION_LOST'
  | 'HOSTILE_SA_LOST'
  | 'HOSTILE_API_DOWN'
  | 'HOSTILE_TIMEOUT'
  | 'HOSTILE_SETUP';

export class HostileError extends Error {
  override readonly name = 'HostileError';
  constructor(readonly code: HostileErrorCode, message: string) {
    super(message);
  }
}

const BIN = resolve('bin/vpnlab.js');
/**
 * The daemons run with V8's old generation capped (NODE_OPTIONS), so that resident memory
 * measures what they keep, not how far V8 lets garbage pile up: uncapped, a daemon taking 55,000
 * UPDATEs a second settles at about 300 MB over its baseline and keeps it when idle, though
 * capped at 96 MB it takes the same stream within 90 MB and returns to its baseline. A real leak
 * under the cap ends in an out-of-memory exit, which the harness reports.
 */
export const HEAP_CAP_MB = 128;
const TAIL_BYTES = 64 * 1024;

/** Where a daemon's API is: its unix socket (the issue 11 contract) or, on older builds, TCP. */
export type ApiEndpoint = { socketPath: string } | { host: string; port: number };

/**
 * Whether this build has the unix-socket API of issue 11 (`api: {socket}`); before it, the API
 * is `api: {address, port}` over TCP and the harness attacks that instead.
 */
export function apiHasSocket(): boolean {
  return bgpDaemonSchema.safeParse({ localAsn: 1, routerId: '1.1.1.1', api: { socket: '/x.sock' }, neighbors: [{ address: '1.1.1.2', asn: 2 }] }).success;
}

/** The `api:` value of a daemon file for this build. */
export function apiConfig(dir: string, name: string, tcp: { host: string; port: number }): { yaml: string; endpoint: ApiEndpoint } {
  if (apiHasSocket()) {
    const socketPath = join(dir, `${name}.sock`);
    return { yaml: `{ socket: ${JSON.stringify(socketPath)} }`, endpoint: { socketPath } };
  }
  return { yaml: `{ address: ${tcp.host}, port: ${tcp.port} }`, endpoint: tcp };
}

export interface Sample {
  fds: number;
  rssKb: number;
}

/** A running daemon: output counted and scanned, /proc sampled, stopped by PID. */
export class Daemon {
  readonly pid: number;
  private readonly child: ChildProcess;
  private bytes = 0;
  private tail = '';
  private carry = '';
  private leakAt: string | undefined;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(readonly name: string, kind: 'bgp' | 'ike', file: string, private readonly secrets: readonly string[]) {
    this.child = spawn('setpriv', ['--pdeathsig', 'KILL', process.execPath, BIN, kind, 'run', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${HEAP_CAP_MB}`.trim() },
    });
    if (this.child.pid === undefined) throw new HostileError('HOSTILE_SETUP', `${name}: could not start`);
    this.pid = this.child.pid;
    RUNNING.add(this);
    this.child.on('exit', (code, signal) => { this.exit = { code, signal }; RUNNING.delete(this); });
    this.child.stdout!.on('data', (b: Buffer) => this.output(b));
    this.child.stderr!.on('data', (b: Buffer) => this.output(b));
  }

  private output(b: Buffer): void {
    this.bytes += b.length;
    const text = b.toString('latin1');
    // A secret split across two chunks is still found: keep the end of the last one.
    const scan = this.carry + text;
    for (const s of this.secrets) if (this.leakAt === undefined && scan.includes(s)) this.leakAt = scan.slice(Math.max(0, scan.indexOf(s) - 200), scan.indexOf(s) + 40);
    const keep = Math.max(...this.secrets.map((s) => s.length)) - 1;
    this.carry = keep > 0 ? scan.slice(-keep) : '';
    this.tail = (this.tail + text).slice(-TAIL_BYTES);
  }

  /** Bytes written to stdout and stderr so far. */
  get outputBytes(): number {
    return this.bytes;
  }

  /** The last 64 KiB of output. */
  get lastOutput(): string {
    return this.tail;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** Waits until the output matches `pattern` (or the daemon exits, or time runs out). */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.tail)) {
      if (!this.alive) throw new HostileError('HOSTILE_DAEMON_EXITED', `${this.name} exited (${this.describeExit()}) before printing ${pattern}:\n${this.tail.slice(-4000)}`);
      if (Date.now() > deadline) throw new HostileError('HOSTILE_TIMEOUT', `${this.name} did not print ${pattern} within ${timeoutMs} ms:\n${this.tail.slice(-4000)}`);
      await delay(50);
    }
  }

  describeExit(): string {
    return this.exit === undefined ? 'running' : `code ${this.exit.code}, signal ${this.exit.signal}`;
  }

  /** Descriptors and resident memory now. */
  sample(): Sample {
    try {
      const fds = readdirSync(`/proc/${this.pid}/fd`).length;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return { fds, rssKb: rss === null ? 0 : Number(rss[1]) };
    } catch {
      return { fds: 0, rssKb: 0 };
    }
  }

  /** Throws unless the daemon runs and nothing it printed holds a secret. */
  check(): void {
    if (!this.alive) throw new HostileError('HOSTILE_DAEMON_EXITED', `${this.name} (pid ${this.pid}) exited: ${this.describeExit()}; last output:\n${this.tail.slice(-6000)}`);
    this.checkSecret();
  }

  checkSecret(): void {
    if (this.leakAt !== undefined) throw new HostileError('HOSTILE_SECRET_LEAKED', `${this.name} printed the pre-shared key: …${JSON.stringify(this.leakAt)}`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; only this daemon's PID is signalled. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.alive) return;
    const gone = new Promise<void>((done) => this.child.once('exit', () => done()));
    this.child.kill('SIGTERM');
    const timer = delay(graceMs).then(() => 'late' as const);
    if (await Promise.race([gone.then(() => 'gone' as const), timer]) === 'late') {
      this.child.kill('SIGKILL');
      await Promise.race([gone, delay(2000)]);
    }
  }
}

const RUNNING = new Set<Daemon>();
process.on('exit', () => {
  for (const d of RUNNING) {
    try {
      process.kill(d.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A working directory for one lab, removed by `cleanup`. */
export function labDir(prefix: string): { dir: string; write(name: string, text: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `vpnlab-hostile-${prefix}-`));
  return {
    dir,
    write: (name, text) => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface ApiResponse {
  status: number;
  body: string;
}

export interface ApiRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  timeoutMs?: number;
}

/** One HTTP request to a daemon's API (a new connection each time). Rejects on timeout or error. */
export function apiRequest(ep: ApiEndpoint, path: string, o: ApiRequestOptions = {}): Promise<ApiResponse> {
  return new Promise((done, fail) => {
    const req = request({
      ...('socketPath' in ep ? { socketPath: ep.socketPath } : { host: ep.host, port: ep.port }),
      path, method: o.method ?? 'GET', headers: o.headers ?? {}, agent: false,
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 4 * 1024 * 1024) chunks.push(c);
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    req.setTimeout(o.timeoutMs ?? 10_000, () => req.destroy(new HostileError('HOSTILE_TIMEOUT', `API ${o.method ?? 'GET'} ${path}: no answer`)));
    req.on('error', fail);
    req.end(o.body);
  });
}

/** GET a JSON resource; throws unless it answers 200. */
export async function apiJson<T>(ep: ApiEndpoint, path: string, method = 'GET', timeoutMs = 10_000): Promise<T> {
  const r = await apiRequest(ep, path, { method, timeoutMs });
  if (r.status !== 200) throw new HostileError('HOSTILE_API_DOWN', `${method} ${path}: ${r.status} ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body) as T;
}

/** Polls `probe` every `everyMs` until it yields a value; a probe that throws counts as "not yet". */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const value = await probe().catch((e: unknown) => { last = e; return undefined; });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new HostileError('HOSTILE_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? ` (last: ${last.message})` : ''}`);
    await delay(everyMs);
  }
}
