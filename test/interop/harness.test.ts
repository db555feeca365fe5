/**
 * Proves the interop harness (peers.ts) with the three daemons peering among themselves on
 * loopback, before vpnlab takes one of the places:
 *
 *   127.0.179.L ── AS 65001 ──⇄── AS 65002 ──⇄── AS 65003 ── 127.0.179.R
 *                 10.1.0.0/24     10.2.0.0/24     10.3.0.0/24
 *
 * once in each order (FRR ⇄ BIRD ⇄ GoBGP, BIRD ⇄ GoBGP ⇄ FRR, GoBGP ⇄ FRR ⇄ BIRD), so every daemon
 * is an end and a transit once; then a triangle where each daemon has one neighbour's AS wrong;
 * then what happens to a daemon whose test process dies.
 *
 * Addresses used here: 127.0.179.11–13, 21–23, 31–33 (chains), 41–43 (wrong AS), 51 (lifetime).
 * Next hops are TEST-NET-2 198.51.100.<last octet of the sender>: attributes, never traffic.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  ErrorCode, OpenSubcode, expectLines, parseExpectLine, startBird, startFrr, startGobgp, stopAll,
  type Neighbor, type PeerConfig, type PeerKind, type RunningPeer, type SessionError,
} from './peers.js';
import { processAlive, waitUntil } from './daemon.js';

const START: Record<PeerKind, (c: PeerConfig) => Promise<RunningPeer>> = { frr: startFrr, bird: startBird, gobgp: startGobgp };
const ESTABLISH_MS = 15_000;
const CONVERGE_MS = 10_000;
const SCENARIO_MS = 45_000;

const ip = (octet: number): string => `127.0.179.${octet}`;
const nextHop = (octet: number): string => `198.51.100.${octet}`;
const re = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Starts all peers at once; if any fails, stops the ones that started and rethrows. */
async function startAll(configs: readonly [PeerKind, PeerConfig][]): Promise<Record<string, RunningPeer>> {
  const results = await Promise.allSettled(configs.map(([kind, c]) => START[kind](c)));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stopAll(started);
    throw failed.reason;
  }
  return Object.fromEntries(started.map((p) => [p.name, p]));
}

/** A command and pattern in the daemon's own CLI that show `prefix` with `asPath`. */
function nativeRouteLine(kind: PeerKind, prefix: string, asPath: number[]): string {
  switch (kind) {
    case 'frr': return `frr :: show bgp ipv4 unicast ${prefix} json :: "string":"${asPath.join(' ')}"`;
    case 'bird': return `bird :: show route ${prefix} all :: BGP\\.as_path: ${asPath.join(' ')}$`;
    case 'gobgp': return `gobgp :: global rib -a ipv4 ${prefix} -j :: "asns":\\[${asPath.join(',')}\\]`;
  }
}

function chain(kinds: readonly [PeerKind, PeerKind, PeerKind], base: number): void {
  const [l, m, r] = kinds;
  const L = base + 1;
  const M = base + 2;
  const R = base + 3;
  // GoBGP waits ~5 s before its first outgoing connection, so it always listens; otherwise the middle does.
  const passive = (self: PeerKind, other: PeerKind, selfIsMiddle: boolean): boolean =>
    self === 'gobgp' || (other !== 'gobgp' && selfIsMiddle);
  const neighbor = (self: PeerKind, selfOctet: number, other: PeerKind, otherOctet: number): Neighbor => ({
    address: ip(otherOctet),
    asn: 65000 + (otherOctet - base),
    passive: passive(self, other, selfOctet === M),
    nextHop: nextHop(selfOctet),
  });

  describe(`${l} (AS 65001) ⇄ ${m} (AS 65002) ⇄ ${r} (AS 65003)`, { timeout: SCENARIO_MS }, () => {
    let peers: Record<string, RunningPeer> = {};

    before(async () => {
      peers = await startAll([
        [l, {
          name: l, routerId: `10.255.0.${L}`, asn: 65001, address: ip(L),
          neighbors: [neighbor(l, L, m, M)],
          announce: [{ prefix: '10.1.0.0/24', communities: ['65001:7'], med: 11 }],
        }],
        [m, {
          name: m, routerId: `10.255.0.${M}`, asn: 65002, address: ip(M),
          neighbors: [neighbor(m, M, l, L), neighbor(m, M, r, R)],
          announce: [{ prefix: '10.2.0.0/24', communities: ['65002:7'], med: 22 }],
        }],
        [r, {
          name: r, routerId: `10.255.0.${R}`, asn: 65003, address: ip(R),
          neighbors: [neighbor(r, R, m, M)],
          announce: [{ prefix: '10.3.0.0/24', nextHop: nextHop(R), communities: ['65003:7'], med: 33, asPathPrepend: [65003] }],
        }],
      ]);
    });
    after(() => stopAll(Object.values(peers)));

    it('brings both sessions to Established on both sides', async () => {
      const p = (k: PeerKind): RunningPeer => peers[k]!;
      await Promise.all([
        p(l).waitForState(ip(M), 'Established', ESTABLISH_MS),
        p(m).waitForState(ip(L), 'Established', ESTABLISH_MS),
        p(m).waitForState(ip(R), 'Established', ESTABLISH_MS),
        p(r).waitForState(ip(M), 'Established', ESTABLISH_MS),
      ]);
      await expectLines(peers, [
        `${l} :: @state ${ip(M)} :: ^Established$`,
        `${m} :: @state ${ip(L)} :: ^Established$`,
        `${m} :: @state ${ip(R)} :: ^Established$`,
        `${r} :: @state ${ip(M)} :: ^Established$`,
      ]);
    });

    it('carries each prefix to the others with the transit AS path and the next hop set for each neighbour', async () => {
      const route = (prefix: string, hop: number, asPath: string, rest: string, from: number): string =>
        `^${re(prefix)} nexthop ${re(nextHop(hop))} aspath ${asPath} origin IGP ${rest}from ${re(ip(from))}$`;
      await expectLines(peers, [
        // one hop: the originator's MED and communities arrive as set
        `${m} :: @routes :: ${route('10.1.0.0/24', L, '65001', 'med 11 localpref \\S+ communities 65001:7 ', L)}`,
        `${l} :: @routes :: ${route('10.2.0.0/24', M, '65002', 'med 22 localpref \\S+ communities 65002:7 ', M)}`,
        `${r} :: @routes :: ${route('10.2.0.0/24', M, '65002', 'med 22 localpref \\S+ communities 65002:7 ', M)}`,
        `${m} :: @routes :: ${route('10.3.0.0/24', R, '65003 65003', 'med 33 localpref \\S+ communities 65003:7 ', R)}`,
        // through the middle: its AS prepended, its next hop, the communities kept (MED is not carried on)
        `${r} :: @routes :: ${route('10.1.0.0/24', M, '65002 65001', 'med \\S+ localpref \\S+ communities 65001:7 ', M)}`,
        `${l} :: @routes :: ${route('10.3.0.0/24', M, '65002 65003 65003', 'med \\S+ localpref \\S+ communities 65003:7 ', M)}`,
        // the same, read through each daemon's own CLI
        nativeRouteLine(r, '10.1.0.0/24', [65002, 65001]),
        nativeRouteLine(l, '10.3.0.0/24', [65002, 65003, 65003]),
        // no route comes back to its originator through the middle
        `${l} :: @routes :: ^10\\.1\\.0\\.0/24 .* from 127 :: NO`,
        `${r} :: @routes :: ^10\\.3\\.0\\.0/24 .* from 127 :: NO`,
      ], { timeoutMs: CONVERGE_MS });
    });

    it('propagates withdrawals from each position and keeps the sessions up', async () => {
      const p = (k: PeerKind): RunningPeer => peers[k]!;
      await p(r).withdraw('10.3.0.0/24');
      await p(l).withdraw('10.1.0.0/24');
      await expectLines(peers, [
        `${m} :: @routes :: ^10\\.3\\.0\\.0/24 :: NO`,
        `${l} :: @routes :: ^10\\.3\\.0\\.0/24 :: NO`,
        `${m} :: @routes :: ^10\\.1\\.0\\.0/24 :: NO`,
        `${r} :: @routes :: ^10\\.1\\.0\\.0/24 :: NO`,
        `${l} :: @routes :: ^10\\.2\\.0\\.0/24 nexthop ${re(nextHop(M))} `,
        `${r} :: @routes :: ^10\\.2\\.0\\.0/24 nexthop ${re(nextHop(M))} `,
      ], { timeoutMs: CONVERGE_MS });
      await p(m).withdraw('10.2.0.0/24');
      await Promise.all([p(l).waitForNoRoute('10.2.0.0/24', CONVERGE_MS), p(r).waitForNoRoute('10.2.0.0/24', CONVERGE_MS)]);
      assert.deepEqual(await p(l).routes(), []);
      assert.deepEqual(await p(r).routes(), []);
      await expectLines(peers, [
        `${l} :: @state ${ip(M)} :: ^Established$`,
        `${r} :: @state ${ip(M)} :: ^Established$`,
      ]);
    });
  });
}

chain(['frr', 'bird', 'gobgp'], 10);
chain(['bird', 'gobgp', 'frr'], 20);
chain(['gobgp', 'frr', 'bird'], 30);

describe('a wrong peer AS on one side: NOTIFICATION OPEN Message Error / Bad Peer AS', { timeout: SCENARIO_MS }, () => {
  // Each daemon has one neighbour's AS wrong and the other right:
  //   frr  (.41, 65001) thinks bird  is 65092 (it is 65002)
  //   bird (.42, 65002) thinks gobgp is 65093 (it is 65003)
  //   gobgp(.43, 65003) thinks frr   is 65091 (it is 65001)
  // The misconfigured side sends Bad Peer AS on receiving the OPEN. Who connects matters:
  // FRR records a failure only on a connection it opened (a passive FRR fails on a transient
  // "doppelganger" peer), so FRR connects out; GoBGP is passive (slow to connect out).
  const FRR = ip(41);
  const BIRD = ip(42);
  const GOBGP = ip(43);
  let peers: Record<string, RunningPeer> = {};

  before(async () => {
    peers = await startAll([
      ['frr', {
        name: 'frr', routerId: '10.255.0.41', asn: 65001, address: FRR,
        neighbors: [{ address: BIRD, asn: 65092 }, { address: GOBGP, asn: 65003 }],
      }],
      ['bird', {
        name: 'bird', routerId: '10.255.0.42', asn: 65002, address: BIRD,
        neighbors: [{ address: FRR, asn: 65001, passive: true }, { address: GOBGP, asn: 65093 }],
      }],
      ['gobgp', {
        name: 'gobgp', routerId: '10.255.0.43', asn: 65003, address: GOBGP,
        neighbors: [{ address: FRR, asn: 65091, passive: true }, { address: BIRD, asn: 65002, passive: true }],
      }],
    ]);
  });
  after(() => stopAll(Object.values(peers)));

  const badPeerAs = (e: SessionError | undefined): e is SessionError =>
    e !== undefined && e.code === ErrorCode.OPEN_MESSAGE && e.subcode === OpenSubcode.BAD_PEER_AS;

  it('shows it, sent, on every misconfigured daemon', async () => {
    const sent = async (peer: RunningPeer, neighbor: string): Promise<SessionError> => {
      await expectLines(peers, [`${peer.name} :: @error ${neighbor} :: ^sent 2/2 `], { timeoutMs: ESTABLISH_MS });
      const e = await peer.lastError(neighbor);
      assert.ok(badPeerAs(e) && e.direction === 'sent', JSON.stringify(e));
      return e;
    };
    const [frr, bird, gobgp] = await Promise.all([sent(peers.frr!, BIRD), sent(peers.bird!, GOBGP), sent(peers.gobgp!, FRR)]);
    assert.match(frr.text, /OPEN Message Error\/Bad Peer AS/); // FRR state: lastNotificationReason
    assert.match(bird.text, /^Bad peer AS: 65003$/); // BIRD log: "n127_0_179_43: Error: Bad peer AS: 65003"
    assert.match(gobgp.text, /as number mismatch expected 65091, received 65001/); // GoBGP log: "sent notification"
  });

  it('shows it, received, where the daemon records received NOTIFICATIONs', async () => {
    await expectLines(peers, [
      'frr :: @error 127.0.179.43 :: ^received 2/2 OPEN Message Error/Bad Peer AS$',
      'bird :: @error 127.0.179.41 :: ^received 2/2 Bad peer AS',
      'bird :: @log :: n127_0_179_41: Received: Bad peer AS',
      'frr :: show bgp neighbors 127.0.179.42 json :: "lastNotificationReason":"OPEN Message Error\\\\/Bad Peer AS"',
      'gobgp :: @log :: msg="sent notification" Data="as number mismatch expected 65091, received 65001" Key=127\\.0\\.179\\.41',
    ], { timeoutMs: ESTABLISH_MS });
    // GoBGP only counts a NOTIFICATION it receives before Established: no code, no reason.
    const gobgpFromBird = await peers.gobgp!.lastError(BIRD);
    assert.equal(gobgpFromBird?.direction, 'received');
    assert.equal(gobgpFromBird?.code, undefined);
  });

  it('never establishes the misconfigured sessions', async () => {
    await expectLines(peers, [
      `frr :: @state ${BIRD} :: Established :: NO`,
      `bird :: @state ${GOBGP} :: Established :: NO`,
      `gobgp :: @state ${FRR} :: Established :: NO`,
    ]);
  });
});

describe('harness safety', () => {
  it('refuses addresses outside 127.0.0.0/8 before starting anything', async () => {
    const good: PeerConfig = { routerId: '10.255.0.61', asn: 65001, address: ip(61), neighbors: [{ address: ip(62), asn: 65002 }] };
    for (const start of Object.values(START)) {
      await assert.rejects(start({ ...good, address: '192.0.2.1' }), { code: 'INTEROP_NOT_LOOPBACK' });
      await assert.rejects(start({ ...good, neighbors: [{ address: '198.51.100.2', asn: 65002 }] }), { code: 'INTEROP_NOT_LOOPBACK' });
      await assert.rejects(start({ ...good, neighbors: [{ address: ip(62), asn: 65002 }, { address: ip(62), asn: 65003 }] }), { code: 'INTEROP_BAD_CONFIG' });
    }
  });

  it('parses evaltest lines and reports every failing one at once', async () => {
    assert.deepEqual(
      { ...parseExpectLine('frr :: show bgp summary :: Established :: NO'), pattern: undefined, source: undefined },
      { peer: 'frr', command: 'show bgp summary', present: false, pattern: undefined, source: undefined },
    );
    assert.throws(() => parseExpectLine('frr :: show'), { code: 'INTEROP_BAD_CONFIG' });
    const fake = { name: 'fake', cli: async (c: string) => (c === 'a' ? 'alpha\nbeta' : 'gamma') } as unknown as RunningPeer;
    await assert.rejects(
      expectLines([fake], ['fake :: a :: ^beta$', 'fake :: a :: ^delta$', 'fake :: b :: gamma :: NO', 'fake :: b :: gamma']),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'INTEROP_EXPECT_FAILED');
        assert.match(e.message, /^2 of 4 expectations failed/);
        assert.match(e.message, /✗ fake :: a :: \^delta\$/);
        assert.match(e.message, /✗ fake :: b :: gamma :: NO/);
        return true;
      },
    );
  });

  it('a daemon does not outlive its test process, even one killed with SIGKILL', { timeout: SCENARIO_MS }, async () => {
    // A child node process starts BIRD, prints its PID and workdir, then either exits normally
    // without stopping it (the 'exit' handler must kill it and remove the workdir) or hangs and
    // is SIGKILLed by us (the kernel's parent-death signal must kill it).
    const peersModule = fileURLToPath(new URL('./peers.js', import.meta.url));
    const script = (exitNormally: boolean): string => `
      const { startBird } = await import(${JSON.stringify(peersModule)});
      const p = await startBird({ routerId: '10.255.0.51', asn: 65051, address: '127.0.179.51', neighbors: [] });
      process.stdout.write(p.pid + ' ' + p.workdir + '\\n');
      ${exitNormally ? '' : 'setInterval(() => {}, 1000);'}`;
    for (const exitNormally of [true, false]) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script(exitNormally)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        child.once('exit', (code) => reject(new Error(`child exited (${code}) before reporting: ${out}`)));
      });
      const [pidText, workdir] = line.split(' ');
      const pid = Number(pidText);
      assert.ok(Number.isInteger(pid) && pid > 0 && workdir !== undefined, line);
      if (!exitNormally) {
        assert.ok(processAlive(pid), 'the daemon runs while its test process does');
        child.kill('SIGKILL');
      }
      await exited;
      await waitUntil(() => !processAlive(pid), 5_000);
      if (exitNormally) {
        assert.equal(existsSync(workdir), false, 'the exit handler removed the workdir');
      } else {
        rmSync(workdir, { recursive: true, force: true }); // nothing ran to remove it
      }
    }
  });
});
