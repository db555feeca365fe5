/**
 * Issue 11 over real loopback sockets: `vpnlab bgp run` in its own process (no API), and raw TCP
 * clients speaking BGP bytes built with the project's encoders, bound to the neighbours'
 * 127.0.213.x addresses (next hops in UPDATEs are documentation addresses: attributes only, no traffic).
 *
 *   clients 127.0.213.2-9  ⇄  vpnlab bgp run 127.0.213.1:<port>
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { DecodeContext } from '../../src/bgp/context.js';
import type { DecodedMessage } from '../../src/bgp/message.js';
import { formatPrefix, parseIpv4, parsePrefix } from '../../src/net/address.js';
import { update } from '../bgp/codec-helpers.js';
import { FOUR, KEEPALIVE, TWO, announceBytes, messagesIn, notificationBytes, openBytes } from '../bgp/peer-bytes.js';

const DAEMON = '127.0.213.1';
const WAIT_MS = 10_000;

const dirs: string[] = [];
const children: ChildProcess[] = [];

after(() => {
  for (const c of children) if (c.exitCode === null && c.pid !== undefined) process.kill(c.pid, 'SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Daemon {
  child: ChildProcess;
  port: number;
  output: () => string;
  fds: () => number;
  rssKb: () => number;
}

async function startDaemon(port: number, neighbors: string): Promise<Daemon> {
  const dir = mkdtempSync(join(tmpdir(), 'vpnlab-bgp-hostile-'));
  dirs.push(dir);
  const file = join(dir, 'bgpd.yaml');
  writeFileSync(file, [
    'localAsn: 65000', 'routerId: 10.0.0.1', `listen: { address: ${DAEMON}, port: ${port} }`, 'api: false', 'holdTime: 90',
    // Our loopback address is no next hop a peer may accept (RFC 7606 treat-as-withdraw): announce a documentation one.
    'ebgpRequiresPolicy: false', 'policies:', '  - { name: next-hop, statements: [{ set: { nextHop: 198.51.100.1 } }] }', 'neighbors:', neighbors,
  ].join('\n'));
  const child = spawn(process.execPath, ['bin/vpnlab.js', 'bgp', 'run', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (b: Buffer) => { output += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { output += b.toString(); });
  await until('the daemon to listen', () => output.includes('listening for BGP') || (child.exitCode !== null && assert.fail(output)));
  const pid = child.pid!;
  return {
    child, port, output: () => output,
    fds: () => readdirSync(`/proc/${pid}/fd`).length,
    rssKb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]),
  };
}

function neighbor(name: string, address: string, asn: number): string {
  return `  - { name: ${name}, address: ${address}, asn: ${asn}, mode: passive, exportPolicy: next-hop }`;
}

/** A raw BGP speaker on one TCP connection from `from`; it never closes its side unless told. */
class RawPeer {
  readonly socket: Socket;
  private received = Buffer.alloc(0);
  closed = false;
  ended = false;
  private connected: Promise<void>;

  constructor(from: string, d: Daemon) {
    this.socket = connect({ host: DAEMON, port: d.port, localAddress: from, allowHalfOpen: true });
    this.socket.on('data', (b: Buffer) => { this.received = Buffer.concat([this.received, b]); });
    this.socket.on('end', () => { this.ended = true; });
    this.socket.on('error', () => {});
    this.socket.on('close', () => { this.closed = true; });
    // Settles when connected, or when reset before that (a refused connection).
    this.connected = new Promise((resolve) => { this.socket.once('connect', () => resolve()).once('close', () => resolve()); });
  }

  ready(): Promise<void> {
    return this.connected;
  }

  send(bytes: Uint8Array): void {
    if (!this.closed) this.socket.write(bytes);
  }

  messages(ctx: DecodeContext = FOUR): DecodedMessage[] {
    return messagesIn(new Uint8Array(this.received), ctx);
  }

  updates(ctx: DecodeContext = FOUR): Extract<DecodedMessage, { type: 'update' }>[] {
    return this.messages(ctx).filter((m): m is Extract<DecodedMessage, { type: 'update' }> => m.type === 'update');
  }

  announced(ctx: DecodeContext = FOUR): string[] {
    return this.updates(ctx).flatMap((u) => u.announced.map((r) => formatPrefix(r.prefix)));
  }

  withdrawn(ctx: DecodeContext = FOUR): string[] {
    return this.updates(ctx).flatMap((u) => u.withdrawn.map(formatPrefix));
  }

  /** OPEN, then KEEPALIVE once the daemon's OPEN and KEEPALIVE are in: the session is up on both sides. */
  async establish(asn: number, bgpId: string, fourOctetAs = true): Promise<void> {
    await this.ready();
    this.send(openBytes(asn, parseIpv4(bgpId), { fourOctetAs }));
    await until('OPEN and KEEPALIVE from the daemon', () => this.messages().filter((m) => m.type === 'open' || m.type === 'keepalive').length >= 2 || (this.closed && assert.fail('closed by the daemon')));
    this.send(KEEPALIVE);
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('vpnlab bgp run against hostile peers over loopback (issue 11)', { timeout: 120_000 }, () => {
  it('a 1,010-ASN AS_PATH (and 700 toward a 2-octet-AS peer) is not sent, and the daemon keeps every session (defect 1)', { timeout: 30_000 }, async () => {
    const d = await startDaemon(17911, [neighbor('A', '127.0.213.2', 65001), neighbor('B', '127.0.213.3', 65002), neighbor('C', '127.0.213.4', 65003)].join('\n'));
    const a = new RawPeer('127.0.213.2', d);
    const b = new RawPeer('127.0.213.3', d);
    const c = new RawPeer('127.0.213.4', d);
    await a.establish(65001, '127.0.213.2');
    await b.establish(65002, '127.0.213.3');
    await c.establish(65003, '127.0.213.4', false);
    await until('three sessions', () => (d.output().match(/-> Established/g) ?? []).length === 3);

    const huge = announceBytes(parsePrefix('10.10.0.0/16'), 65001, 1010, parseIpv4('198.51.100.2'));
    assert.ok(huge.length >= 4089, `${huge.length}-octet UPDATE`);
    a.send(huge);
    a.send(announceBytes(parsePrefix('10.20.0.0/16'), 65001, 700, parseIpv4('198.51.100.2')));
    await until('B to get the 700-ASN route', () => b.announced().includes('10.20.0.0/16') || ((b.closed || d.child.exitCode !== null) && assert.fail(`daemon down:\n${d.output()}`))).catch((e: Error) => assert.fail(`${e.message}\n${d.output()}\n${JSON.stringify(b.messages().map((m) => m.type))} ${JSON.stringify(a.messages().map((m) => m.type))}`));
    await until('C to get withdrawals instead', () => c.withdrawn(TWO).includes('10.20.0.0/16') && c.withdrawn(TWO).includes('10.10.0.0/16'));
    assert.ok(!b.announced().includes('10.10.0.0/16'));
    assert.match(d.output(), /B: 10\.10\.0\.0\/16 not sent, attributes too long, cannot send UPDATE/);

    b.send(announceBytes(parsePrefix('10.30.0.0/16'), 65002, 2, parseIpv4('198.51.100.3')));
    await until('A to get B\'s route', () => a.announced().includes('10.30.0.0/16'));
    assert.equal(d.child.exitCode, null, 'the daemon is up');
    for (const p of [a, b, c]) {
      assert.equal(p.closed || p.ended, false, 'every session is up');
      assert.equal(p.messages(p === c ? TWO : FOUR).filter((m) => m.type === 'notification').length, 0);
    }
  });

  it('300 failed second connections leave no descriptors behind (defect 3)', { timeout: 40_000 }, async () => {
    const d = await startDaemon(17912, neighbor('D', '127.0.213.5', 65004));
    const first = new RawPeer('127.0.213.5', d); // the primary, waiting for an OPEN
    await first.ready();
    await until('the first connection', () => d.output().includes('D: Active -> OpenSent'));
    const baseline = d.fds();
    const seconds: RawPeer[] = [];
    for (let i = 0; i < 300; i++) {
      const s = new RawPeer('127.0.213.5', d); // never closes its side
      await s.ready();
      s.send(notificationBytes(6, 4));
      seconds.push(s);
    }
    // FIN at once; a peer that keeps its side open is reset after 5 s.
    await until('the daemon to let them go', () => d.fds() <= baseline + 3, 15_000).catch(() => assert.fail(`${d.fds() - baseline} descriptors more than before`));
    assert.equal(d.child.exitCode, null);
    for (const s of [...seconds, first]) s.close();
  });

  it('80 MB streamed into a failed connection keep no memory (defect 3)', { timeout: 40_000 }, async () => {
    const d = await startDaemon(17914, neighbor('D', '127.0.213.8', 65004));
    const first = new RawPeer('127.0.213.8', d);
    await first.ready();
    await until('the first connection', () => d.output().includes('D: Active -> OpenSent'));
    const junk = new RawPeer('127.0.213.8', d); // the second connection
    await junk.ready();
    const rssBefore = d.rssKb();
    junk.send(Uint8Array.of(0xff, 0x00)); // a broken marker: Connection Not Synchronized
    const chunk = Buffer.alloc(1 << 20, 0xff);
    for (let i = 0; i < 80 && !junk.closed; i++) {
      if (!junk.socket.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            junk.socket.off('drain', done).off('close', done);
            resolve();
          };
          junk.socket.on('drain', done).on('close', done);
        });
      }
    }
    // RSS includes garbage the daemon has not collected yet: the least of a few samples after the
    // close, against well under the 80 MB sent (keeping the stream would hold all of it).
    let grownKb = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 200));
      grownKb = Math.min(grownKb, d.rssKb() - rssBefore);
    }
    assert.ok(grownKb < 56 * 1024, `RSS grew by ${grownKb} KiB`);
    assert.deepEqual(junk.messages().filter((m) => m.type === 'notification').map((m) => m.type === 'notification' && [m.code, m.subcode]), [[1, 1]]);
    assert.equal(d.child.exitCode, null);
    junk.close();
    first.close();
  });

  it('a second connection closed before its OPEN, or 500 idle ones, do not lock a passive neighbour out (defect 4)', { timeout: 30_000 }, async () => {
    const d = await startDaemon(17913, [neighbor('E', '127.0.213.6', 65005), neighbor('F', '127.0.213.7', 65006)].join('\n'));
    const first = new RawPeer('127.0.213.6', d);
    await first.ready();
    const second = new RawPeer('127.0.213.6', d);
    await second.ready();
    await until('both connections', () => d.output().includes('E: Active -> OpenSent'));
    second.close();
    await new Promise((r) => setTimeout(r, 200));
    const fresh = new RawPeer('127.0.213.6', d);
    await fresh.establish(65005, '127.0.213.6');
    await until('E established', () => d.output().includes('E: OpenConfirm -> Established'));

    const idle: RawPeer[] = [];
    for (let i = 0; i < 500; i++) {
      const s = new RawPeer('127.0.213.7', d);
      await s.ready();
      idle.push(s);
    }
    const valid = new RawPeer('127.0.213.7', d);
    await valid.establish(65006, '127.0.213.7');
    await until('F established', () => d.output().includes('F: OpenConfirm -> Established'));
    assert.equal(valid.closed, false);
    for (const s of [...idle, first, fresh, valid]) s.close();
  });

  it('routes announced and withdrawn only in MP_REACH_NLRI / MP_UNREACH_NLRI next to NEXT_HOP 0.0.0.0 pass through, and the session stays up (issue 13, defect 10)', { timeout: 30_000 }, async () => {
    const d = await startDaemon(17915, [neighbor('A', '127.0.213.2', 65001), neighbor('B', '127.0.213.3', 65002)].join('\n'));
    const a = new RawPeer('127.0.213.2', d);
    const b = new RawPeer('127.0.213.3', d);
    await a.establish(65001, '127.0.213.2');
    await b.establish(65002, '127.0.213.3');
    await until('two sessions', () => (d.output().match(/-> Established/g) ?? []).length === 2);
    // MP_REACH_NLRI 203.0.113.0/24 via 198.51.100.2, ORIGIN, AS_PATH 65001, NEXT_HOP 0.0.0.0; no NLRI field.
    a.send(update('0000 0024 | 80 0e 0d 0001 01 04 c6336402 00 18 cb0071 | 40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 00000000'));
    await until('B to get the route', () => b.announced().includes('203.0.113.0/24'));
    // MP_UNREACH_NLRI 203.0.113.0/24, ORIGIN, AS_PATH, NEXT_HOP 0.0.0.0: it only withdraws.
    a.send(update('0000 001e | 80 0f 07 0001 01 18 cb0071 | 40 01 01 00 | 40 02 06 02 01 0000fde9 | 40 03 04 00000000'));
    await until('B to get the withdrawal', () => b.withdrawn().includes('203.0.113.0/24'));
    assert.deepEqual(a.messages().filter((m) => m.type === 'notification'), []);
    assert.equal(a.closed || a.ended, false, 'A\'s session is up');
    assert.doesNotMatch(d.output(), /A: Established ->|UPDATE error/);
    for (const p of [a, b]) p.close();
  });
});
