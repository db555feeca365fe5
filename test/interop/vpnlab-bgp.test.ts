/**
 * vpnlab's BGP speaker against real daemons on loopback, with the real runtime (node:net, wall
 * clock):
 *
 *   FRR 127.0.179.101 (AS 65101) ⇄ vpnlab 127.0.179.102 (AS 65102) ⇄ BIRD 127.0.179.103 (AS 65103)
 *   FRR connects to vpnlab (vpnlab listens); vpnlab connects to BIRD (BIRD is passive).
 *   GoBGP 127.0.179.104 (AS 65104), passive: vpnlab initiates.
 *
 * Next hops are TEST-NET-2 198.51.100.x: attributes only (FRR refuses 127.x next hops).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Policy } from '../../src/bgp/policy/types.js';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { SeededRng } from '../../src/core/rng.js';
import { formatPrefix, parseIpv4, parsePrefix } from '../../src/net/address.js';
import { NodeTransport } from '../../src/runtime/node-transport.js';
import { SystemClock } from '../../src/runtime/system-clock.js';
import { expectLines, startBird, startFrr, startGobgp, stopAll, type RunningPeer } from './peers.js';

const ip = (octet: number): string => `127.0.179.${octet}`;
const VPNLAB = parseIpv4(ip(102));

/** Accept everything, and advertise 198.51.100.102 as our next hop (never a 127.x address). */
const EXPORT: Policy = { name: 'export', statements: [{ actions: [{ type: 'set-next-hop', nextHop: parseIpv4('198.51.100.102') }], result: 'accept' }] };
const IMPORT: Policy = { name: 'import', statements: [], default: 'accept' };

function speaker(holdTime = 9): BgpSpeaker {
  const s = new BgpSpeaker({
    localAs: 65102, routerId: parseIpv4('10.255.0.102'), holdTime,
    listen: { address: VPNLAB, port: 179 },
    networks: [parsePrefix('10.102.0.0/24')],
    neighbors: [
      { name: 'frr', address: parseIpv4(ip(101)), asn: 65101, localAddress: VPNLAB, passive: true, importPolicy: IMPORT, exportPolicy: EXPORT },
      { name: 'bird', address: parseIpv4(ip(103)), asn: 65103, localAddress: VPNLAB, connectRetryTime: 1, importPolicy: IMPORT, exportPolicy: EXPORT },
      { name: 'gobgp', address: parseIpv4(ip(104)), asn: 65104, localAddress: VPNLAB, connectRetryTime: 1, importPolicy: IMPORT, exportPolicy: EXPORT },
    ],
  }, { transport: new NodeTransport(), clock: new SystemClock(), rng: new SeededRng(102) });
  return s;
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function vpnlabPath(s: BgpSpeaker, prefix: string): string | undefined {
  const best = s.rib.lookup(parsePrefix(prefix))?.best;
  return best === undefined ? undefined : best.attrs.asPath.flatMap((seg) => seg.asns).join(' ');
}

describe('vpnlab BGP ⇄ FRR, BIRD and GoBGP', { timeout: 90_000 }, () => {
  let peers: RunningPeer[] = [];
  let vpnlab: BgpSpeaker;

  before(async () => {
    peers = await Promise.all([
      startFrr({ name: 'frr', routerId: '10.255.0.101', asn: 65101, address: ip(101), holdTime: 9,
        neighbors: [{ address: ip(102), asn: 65102, nextHop: '198.51.100.101' }],
        announce: [{ prefix: '10.101.0.0/24', communities: ['65101:7'], med: 11 }] }),
      startBird({ name: 'bird', routerId: '10.255.0.103', asn: 65103, address: ip(103), holdTime: 9,
        neighbors: [{ address: ip(102), asn: 65102, passive: true, nextHop: '198.51.100.103' }],
        announce: [{ prefix: '10.103.0.0/24' }] }),
      startGobgp({ name: 'gobgp', routerId: '10.255.0.104', asn: 65104, address: ip(104), holdTime: 9,
        neighbors: [{ address: ip(102), asn: 65102, passive: true, nextHop: '198.51.100.104' }],
        announce: [{ prefix: '10.104.0.0/24', nextHop: '198.51.100.104' }] }),
    ]);
    vpnlab = speaker();
    vpnlab.start();
  });

  after(async () => {
    vpnlab?.stop();
    await stopAll(peers);
  });

  it('reaches Established with each daemon, vpnlab listening (FRR) and initiating (BIRD, GoBGP)', async () => {
    await until('three sessions', () => vpnlab.neighbors.every((n) => n.state === 'Established'), 30_000);
    await expectLines(peers, [
      `frr :: @state ${ip(102)} :: Established`,
      `bird :: @state ${ip(102)} :: Established`,
      `gobgp :: @state ${ip(102)} :: Established`,
    ], { timeoutMs: 10_000 });
  });

  it('learns each daemon\'s route and re-advertises it to the others with AS 65102 prepended', async () => {
    await until('routes from all three', () => ['10.101.0.0/24', '10.103.0.0/24', '10.104.0.0/24'].every((p) => vpnlabPath(vpnlab, p) !== undefined), 20_000);
    assert.equal(vpnlabPath(vpnlab, '10.101.0.0/24'), '65101');
    const fromFrr = vpnlab.rib.lookup(parsePrefix('10.101.0.0/24'))!.best!.attrs;
    assert.equal(fromFrr.nextHop, parseIpv4('198.51.100.101'));
    assert.equal(fromFrr.med, 11);
    assert.deepEqual(fromFrr.communities, [65101 * 65536 + 7]);
    await expectLines(peers, [
      'frr :: show bgp ipv4 unicast 10.103.0.0/24 json :: "string":"65102 65103"',
      'frr :: show bgp ipv4 unicast 10.102.0.0/24 json :: "string":"65102"',
      'frr :: show bgp ipv4 unicast 10.103.0.0/24 json :: "ip":"198.51.100.102"',
      'bird :: show route 10.101.0.0/24 all :: BGP\\.as_path: 65102 65101$',
      'bird :: show route 10.101.0.0/24 all :: BGP\\.community: \\(65101,7\\)',
      'bird :: show route 10.104.0.0/24 all :: BGP\\.as_path: 65102 65104$',
      'gobgp :: global rib -a ipv4 10.101.0.0/24 -j :: "asns":\\[65102,65101\\]',
      'gobgp :: global rib -a ipv4 10.103.0.0/24 -j :: "asns":\\[65102,65103\\]',
    ], { timeoutMs: 15_000 });
  });

  it('propagates a withdrawal', async () => {
    const frr = peers.find((p) => p.kind === 'frr')!;
    await frr.withdraw('10.101.0.0/24');
    await until('10.101.0.0/24 withdrawn at vpnlab', () => vpnlabPath(vpnlab, '10.101.0.0/24') === undefined, 15_000);
    await expectLines(peers, [
      'bird :: @routes :: 10\\.101\\.0\\.0/24 :: NO',
      'gobgp :: @routes :: 10\\.101\\.0\\.0/24 :: NO',
      'bird :: @routes :: 10\\.104\\.0\\.0/24',
    ], { timeoutMs: 15_000 });
  });

  it('stays up over three hold times (9 s) on keepalives alone', async () => {
    const before = vpnlab.neighbors.map((n) => n.establishedAt);
    await new Promise((r) => setTimeout(r, 3 * 9_000 + 1_000));
    assert.deepEqual(vpnlab.neighbors.map((n) => n.state), ['Established', 'Established', 'Established']);
    assert.deepEqual(vpnlab.neighbors.map((n) => n.establishedAt), before, 'no session was re-established');
  });

  it('every route vpnlab holds is one a daemon or vpnlab itself announced', () => {
    const prefixes = [...vpnlab.rib.destinations()].filter((d) => d.best !== undefined).map((d) => formatPrefix(d.prefix)).sort();
    assert.deepEqual(prefixes, ['10.102.0.0/24', '10.103.0.0/24', '10.104.0.0/24']);
  });
});

/*
 *   FRR 127.0.179.111 (AS 65111, expects 65999 for vpnlab) ─→ vpnlab 127.0.179.112 (AS 65112)
 *   vpnlab (expects 65998 for BIRD) ─→ BIRD 127.0.179.113 (AS 65113)
 */
describe('a wrong peer AS: OPEN Message Error / Bad Peer AS on both sides', { timeout: 60_000 }, () => {
  let peers: RunningPeer[] = [];
  let vpnlab: BgpSpeaker;
  const me = parseIpv4(ip(112));

  before(async () => {
    peers = await Promise.all([
      startFrr({ name: 'frr', routerId: '10.255.0.111', asn: 65111, address: ip(111), neighbors: [{ address: ip(112), asn: 65999, nextHop: '198.51.100.111' }] }),
      startBird({ name: 'bird', routerId: '10.255.0.113', asn: 65113, address: ip(113), neighbors: [{ address: ip(112), asn: 65112, passive: true, nextHop: '198.51.100.113' }] }),
    ]);
    vpnlab = new BgpSpeaker({
      localAs: 65112, routerId: parseIpv4('10.255.0.112'), listen: { address: me, port: 179 },
      neighbors: [
        { name: 'frr', address: parseIpv4(ip(111)), asn: 65111, localAddress: me, passive: true, importPolicy: IMPORT, exportPolicy: EXPORT },
        { name: 'bird', address: parseIpv4(ip(113)), asn: 65998, localAddress: me, connectRetryTime: 1, importPolicy: IMPORT, exportPolicy: EXPORT },
      ],
    }, { transport: new NodeTransport(), clock: new SystemClock(), rng: new SeededRng(112) });
    vpnlab.start();
  });

  after(async () => {
    vpnlab?.stop();
    await stopAll(peers);
  });

  it('FRR refuses vpnlab\'s AS: FRR sent 2/2 and vpnlab received it', async () => {
    const frrSide = vpnlab.neighbor('frr')!;
    await until('the NOTIFICATION from FRR', () => frrSide.primary.lastNotificationReceived !== undefined, 30_000);
    assert.deepEqual([frrSide.primary.lastNotificationReceived!.code, frrSide.primary.lastNotificationReceived!.subcode], [2, 2]);
    const frr = peers.find((p) => p.kind === 'frr')!;
    const error = await frr.lastError(ip(112));
    assert.deepEqual([error?.direction, error?.code, error?.subcode], ['sent', 2, 2], JSON.stringify(error));
  });

  it('vpnlab refuses BIRD\'s AS: vpnlab sent 2/2 and BIRD received it', async () => {
    const birdSide = vpnlab.neighbor('bird')!;
    await until('vpnlab to reject BIRD', () => birdSide.history.some((h) => h.reason.kind === 'open-rejected' && h.reason.code === 2 && h.reason.subcode === 2), 30_000);
    assert.deepEqual([birdSide.primary.lastNotificationSent?.code, birdSide.primary.lastNotificationSent?.subcode], [2, 2]);
    await expectLines(peers, ['bird :: @log :: Received: Bad peer AS'], { timeoutMs: 10_000 });
    assert.notEqual(birdSide.state, 'Established');
  });
});
