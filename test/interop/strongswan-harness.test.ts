/**
 * Proves the strongSwan harness (netns.ts, strongswan.ts) with two real charons before vpnlab
 * takes one of the places:
 *
 *   ha 10.11.0.10 ─eth0── lan0 10.11.0.1  A  wan0 192.168.251.1/30 ═══ 192.168.251.2/30 wan0  B  lan0 10.12.0.1 ──eth0─ hb 10.12.0.10
 *                                        (charon)          UDP/4500 only               (charon)
 *
 * Each scenario builds its own namespaces `vl-<id>-{a,b,ha,hb}`; A initiates. Two proposal sets,
 * then a PSK mismatch, then what the harness refuses, then what happens to namespaces and charons
 * when the test process dies. All addresses exist only inside these namespaces.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  NETNS_PREFIX, createTopology, listOurNamespaces, parsePing, parseTcpdump, sweepStaleNamespaces,
  type Namespace, type Topology,
} from './netns.js';
import {
  KEY_MATERIAL_LOG_LEVELS, SwanError, expectSwanLines, parseListSas, parseNotifyErrors, renderSas, startCharon, stopCharons,
  type RunningCharon, type SwanConnection, type SwanIdentity,
} from './strongswan.js';
import { processAlive, waitUntil } from './daemon.js';

const SCENARIO_MS = 30_000;
const UP_MS = 10_000;
const WAN_A = '192.168.251.1';
const WAN_B = '192.168.251.2';
const HOST_A = '10.11.0.10';
const HOST_B = '10.12.0.10';
const re = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

interface Site {
  topo: Topology;
  a: Namespace;
  b: Namespace;
  ha: Namespace;
  hb: Namespace;
}

/** The drawing above. */
async function buildSite(withHosts: boolean): Promise<Site> {
  const topo = await createTopology();
  try {
    const a = await topo.createNamespace('a');
    const b = await topo.createNamespace('b');
    await topo.connect(a, 'wan0', `${WAN_A}/30`, b, 'wan0', `${WAN_B}/30`);
    const site = { topo, a, b } as Site;
    if (withHosts) {
      site.ha = await topo.createNamespace('ha');
      site.hb = await topo.createNamespace('hb');
      await topo.connect(site.ha, 'eth0', `${HOST_A}/24`, a, 'lan0', '10.11.0.1/24');
      await topo.connect(site.hb, 'eth0', `${HOST_B}/24`, b, 'lan0', '10.12.0.1/24');
      await topo.addRoute(site.ha, 'default', { via: '10.11.0.1' });
      await topo.addRoute(site.hb, 'default', { via: '10.12.0.1' });
      await topo.enableForwarding(a);
      await topo.enableForwarding(b);
    }
    return site;
  } catch (e) {
    await topo.destroy();
    throw e;
  }
}

interface Side {
  addr: string;
  peer: string;
  id: SwanIdentity;
  peerId: SwanIdentity;
  lan: string;
  peerLan: string;
  /** a second child between prefixes that no interface has: the harness must add TS addresses on lo */
  lo: string;
  peerLo: string;
}

const SIDE_A: Omit<Side, 'id' | 'peerId'> = { addr: WAN_A, peer: WAN_B, lan: '10.11.0.0/24', peerLan: '10.12.0.0/24', lo: '10.111.0.0/24', peerLo: '10.112.0.0/24' };
const SIDE_B: Omit<Side, 'id' | 'peerId'> = { addr: WAN_B, peer: WAN_A, lan: '10.12.0.0/24', peerLan: '10.11.0.0/24', lo: '10.112.0.0/24', peerLo: '10.111.0.0/24' };

function connection(side: Side, ike: string, esp: string, psk: string, withLo: boolean): SwanConnection {
  return {
    name: 'net',
    localAddrs: [side.addr],
    remoteAddrs: [side.peer],
    proposals: [ike],
    psk,
    localId: side.id,
    remoteId: side.peerId,
    dpdDelaySec: 30,
    rekeyTimeSec: 3_600,
    lifeTimeSec: 4_000,
    children: [
      { name: 'net', localTs: [side.lan], remoteTs: [side.peerLan], espProposals: [esp], dpdAction: 'clear', rekeyTimeSec: 1_200, lifeTimeSec: 1_500 },
      ...(withLo ? [{ name: 'lo', localTs: [side.lo], remoteTs: [side.peerLo], espProposals: [esp] }] : []),
    ],
  };
}

const ipv4 = (address: string): SwanIdentity => ({ type: 'ipv4', address });

const SCENARIOS = [
  {
    title: 'IKE aes256-sha256-modp2048, ESP aes256-sha256, IPv4 identities',
    ike: 'aes256-sha256-modp2048',
    esp: 'aes256-sha256',
    ikeProposal: 'AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048',
    espProposal: 'AES_CBC_256/HMAC_SHA2_256_128/NO_EXT_SEQ',
    idA: ipv4(WAN_A),
    idB: ipv4(WAN_B),
    printedA: WAN_A,
    printedB: WAN_B,
    withLo: true,
    keyMaterial: false,
  },
  {
    title: 'IKE aes256gcm16-prfsha256-x25519, ESP aes256gcm16, FQDN and key-id identities, key material logged',
    ike: 'aes256gcm16-prfsha256-x25519',
    esp: 'aes256gcm16',
    ikeProposal: 'AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519',
    espProposal: 'AES_GCM_16_256/NO_EXT_SEQ',
    idA: { type: 'fqdn', fqdn: 'a.vpnlab.test' } as SwanIdentity,
    idB: { type: 'keyid', hex: '0badc0de' } as SwanIdentity,
    printedA: 'a.vpnlab.test',
    printedB: '0b:ad:c0:de',
    withLo: false,
    keyMaterial: true,
  },
];

for (const s of SCENARIOS) {
  describe(s.title, { timeout: SCENARIO_MS }, () => {
    let site: Site;
    let charons: Record<'a' | 'b', RunningCharon>;

    before(async () => {
      site = await buildSite(true);
      const levels = s.keyMaterial ? { logLevels: KEY_MATERIAL_LOG_LEVELS } : {};
      const [a, b] = await Promise.all([
        startCharon({ topology: site.topo, ns: site.a, ...levels,
          connections: [connection({ ...SIDE_A, id: s.idA, peerId: s.idB }, s.ike, s.esp, 'correct horse', s.withLo)] }),
        startCharon({ topology: site.topo, ns: site.b, ...levels,
          connections: [connection({ ...SIDE_B, id: s.idB, peerId: s.idA }, s.ike, s.esp, 'correct horse', s.withLo)] }),
      ]);
      charons = { a, b };
    });
    after(async () => {
      await stopCharons(Object.values(charons ?? {}));
      await site?.topo.destroy();
    });

    it('brings the IKE_SA and the CHILD_SA up, initiated from A, with the configured proposals', async () => {
      const { ike, child } = await charons.a.initiate('net', { timeoutMs: UP_MS });
      assert.equal(ike.state, 'ESTABLISHED');
      assert.equal(ike.initiator, true);
      assert.equal(ike.proposal, s.ikeProposal);
      assert.equal(ike.localId, s.printedA);
      assert.equal(ike.remoteId, s.printedB);
      assert.equal(ike.localPort, 4500, 'encap = yes floats IKE to 4500');
      assert.equal(child.state, 'INSTALLED');
      assert.equal(child.proposal, s.espProposal);
      assert.equal(child.encap, true);
      assert.deepEqual([child.localTs, child.remoteTs], [[SIDE_A.lan], [SIDE_A.peerLan]]);
      assert.match(child.spiIn, /^[0-9a-f]{8}$/);
      // B sees the same SA from the other side: SPIs swapped
      const peer = await charons.b.waitForSa('the IKE_SA from A', (sa) => sa.state === 'ESTABLISHED' && sa.children.length > 0, UP_MS);
      assert.equal(peer.initiator, false);
      assert.equal(peer.proposal, s.ikeProposal);
      assert.deepEqual([peer.initiatorSpi, peer.responderSpi], [ike.initiatorSpi, ike.responderSpi]);
      assert.deepEqual([peer.children[0]!.spiIn, peer.children[0]!.spiOut], [child.spiOut, child.spiIn]);
      await expectSwanLines(charons, [
        `a :: @sas :: ^net\\[\\d+\\] ESTABLISHED initiator ${re(WAN_A)}\\[${re(s.printedA)}\\]\\.\\.\\.${re(WAN_B)}\\[${re(s.printedB)}\\] .* proposal ${re(s.ikeProposal)}$`,
        `b :: @sas :: ^net\\[\\d+\\] ESTABLISHED responder ${re(WAN_B)}\\[${re(s.printedB)}\\]`,
        `a :: @sas :: ^net\\[\\d+\\] net\\{\\d+\\} INSTALLED TUNNEL ESP encap .* proposal ${re(s.espProposal)} .* ts 10\\.11\\.0\\.0/24 === 10\\.12\\.0\\.0/24$`,
        `b :: @sas :: ^net\\[\\d+\\] net\\{\\d+\\} INSTALLED TUNNEL ESP encap .* ts 10\\.12\\.0\\.0/24 === 10\\.11\\.0\\.0/24$`,
        'a :: @error :: ^-$',
        'b :: @error :: ^-$',
        'b :: --list-conns :: ^net: IKEv2',
        `a :: @log :: selected proposal: IKE:${re(s.ikeProposal)}$`,
      ]);
    });

    it('carries ping from host A to host B through the tunnel, and the transit link only UDP/4500 ESP', async () => {
      const count = 5;
      const capture = await site.topo.capture(site.a, 'wan0');
      const ping = await site.topo.ping(site.ha, HOST_B, { count });
      const packets = await capture.stop();
      assert.equal(ping.lossPercent, 0, ping.output);
      assert.equal(ping.received, count);
      const ip = packets.filter((p) => p.family !== 'arp');
      const notEncapsulated = ip.filter((p) => !(p.proto === 'udp' && p.sport === 4500 && p.dport === 4500));
      assert.deepEqual(notEncapsulated.map((p) => p.line), [], 'nothing but UDP 4500 ⇄ 4500 on the transit link');
      const esp = ip.filter((p) => p.encap === 'esp');
      assert.ok(esp.length >= 2 * count, `at least ${2 * count} ESP-in-UDP packets, saw ${esp.length}:\n${ip.map((p) => p.line).join('\n')}`);
      assert.ok(esp.every((p) => [WAN_A, WAN_B].includes(p.src!) && [WAN_A, WAN_B].includes(p.dst!)), 'outer addresses are the gateways');
      // libipsec counts what crossed the CHILD_SA on both gateways
      await expectSwanLines(charons, [
        `a :: @sas :: ^net\\[\\d+\\] net\\{\\d+\\} INSTALLED .* packets [1-9]\\d*/[1-9]\\d* ts 10\\.11\\.0\\.0/24 `,
        `b :: @sas :: ^net\\[\\d+\\] net\\{\\d+\\} INSTALLED .* packets [1-9]\\d*/[1-9]\\d* ts 10\\.12\\.0\\.0/24 `,
      ]);
      const [child] = (await charons.a.listSas())[0]!.children;
      assert.ok(child!.packetsOut >= count && child!.packetsIn >= count, JSON.stringify(child));
    });

    if (s.withLo) {
      it('adds an address on lo for a local traffic selector no interface covers, and a second CHILD_SA works through it', async () => {
        assert.deepEqual(charons.a.tsAddresses, ['10.111.0.1']);
        assert.deepEqual(charons.b.tsAddresses, ['10.112.0.1']);
        const first = (await charons.a.listSas()).find((sa) => sa.name === 'net')!;
        const { ike, child } = await charons.a.initiate('lo', { timeoutMs: UP_MS });
        assert.equal(ike.uniqueId, first.uniqueId, 'the second CHILD_SA is created in the same IKE_SA (CREATE_CHILD_SA)');
        assert.deepEqual([child.localTs, child.remoteTs], [['10.111.0.0/24'], ['10.112.0.0/24']]);
        const ping = await site.topo.ping(site.a, '10.112.0.1', { count: 3, source: '10.111.0.1' });
        assert.equal(ping.lossPercent, 0, ping.output);
        await expectSwanLines(charons, [
          'b :: @sas :: ^net\\[\\d+\\] lo\\{\\d+\\} INSTALLED .* packets [1-9]\\d*/[1-9]\\d* ts 10\\.112\\.0\\.0/24 === 10\\.111\\.0\\.0/24$',
          'a :: @log :: CREATE_CHILD_SA request',
        ]);
      });
    }

    if (s.keyMaterial) {
      it('logs the same key material on both sides (ike 4 / chd 4)', async () => {
        const keys = async (c: RunningCharon): Promise<Map<string, string>> =>
          // the first dump of each label: one IKE_SA here (the responder logs it as "<1>" until a config is chosen)
          new Map((await c.dumps()).reverse().map((d) => [d.label, d.bytes.toString('hex')]));
        const [ka, kb] = await Promise.all([keys(charons.a), keys(charons.b)]);
        for (const label of ['shared Diffie Hellman secret', 'SKEYSEED', 'Sk_d secret', 'Sk_ei secret', 'Sk_er secret', 'Sk_pi secret', 'Sk_pr secret',
          'encryption initiator key', 'encryption responder key']) {
          assert.ok(ka.has(label), `A logged ${label} (have: ${[...ka.keys()].join(', ')})`);
          assert.equal(ka.get(label), kb.get(label), `${label} is the same on both sides`);
        }
        assert.equal(ka.get('SKEYSEED')!.length, 64, 'PRF_HMAC_SHA2_256: 32-byte SKEYSEED');
        assert.equal(ka.get('encryption initiator key')!.length, 72, 'AES-GCM-256: 32-byte key + 4-byte salt');
      });
    }

    it('terminates from A and both sides drop the SAs', async () => {
      await charons.a.terminate('net');
      await expectSwanLines(charons, ['a :: @sas :: ESTABLISHED :: NO', 'b :: @sas :: ESTABLISHED :: NO'], { timeoutMs: UP_MS });
    });
  });
}

describe('a PSK mismatch: AUTHENTICATION_FAILED on both sides', { timeout: SCENARIO_MS }, () => {
  let site: Site;
  let charons: Record<'a' | 'b', RunningCharon>;

  before(async () => {
    site = await buildSite(false);
    const conn = (side: Omit<Side, 'id' | 'peerId'>, psk: string): SwanConnection =>
      connection({ ...side, id: ipv4(side.addr), peerId: ipv4(side.peer) }, 'aes256-sha256-x25519', 'aes256gcm16', psk, false);
    const [a, b] = await Promise.all([
      startCharon({ topology: site.topo, ns: site.a, connections: [conn(SIDE_A, 'the right key')] }),
      startCharon({ topology: site.topo, ns: site.b, connections: [conn(SIDE_B, 'the wrong key')] }),
    ]);
    charons = { a, b };
  });
  after(async () => {
    await stopCharons(Object.values(charons ?? {}));
    await site?.topo.destroy();
  });

  it('rejects the initiation at once with the notify as evidence', async () => {
    const t0 = performance.now();
    await assert.rejects(charons.a.initiate('net', { timeoutMs: UP_MS }), (e: unknown) => {
      assert.ok(e instanceof SwanError, String(e));
      assert.equal(e.code, 'SWAN_NEGOTIATION_FAILED');
      assert.deepEqual(e.notifies.map((n) => [n.direction, n.notify, n.exchange, n.message]), [['received', 'AUTHENTICATION_FAILED', 'IKE_AUTH', 'response']]);
      return true;
    });
    assert.ok(performance.now() - t0 < 3_000, 'long before the timeout');
  });

  it('shows the notify sent by B and received by A, the reason in B\'s log, and no SA on either side', async () => {
    await expectSwanLines(charons, [
      'a :: @error :: ^received AUTHENTICATION_FAILED in IKE_AUTH response 1 net\\[\\d+\\]$',
      'b :: @error :: ^sent AUTHENTICATION_FAILED in IKE_AUTH response 1 net\\[\\d+\\]$',
      'a :: @log :: received AUTHENTICATION_FAILED notify error',
      `b :: @log :: tried 1 shared key for '${re(WAN_B)}' - '${re(WAN_A)}', but MAC mismatched`,
      'a :: @sas :: ESTABLISHED :: NO',
      'b :: @sas :: ESTABLISHED :: NO',
    ], { timeoutMs: UP_MS });
    const received = parseNotifyErrors(await charons.a.log());
    assert.equal(received[0]?.direction, 'received');
  });
});

describe('harness safety', () => {
  let topo: Topology;
  let other: Topology;
  before(async () => {
    [topo, other] = await Promise.all([createTopology(), createTopology()]);
  });
  after(async () => {
    await Promise.all([topo?.destroy(), other?.destroy()]);
  });

  it('names namespaces vl-<id>-<role> within 15 characters and refuses anything else', async () => {
    const ns = await topo.createNamespace('x');
    assert.match(ns.name, new RegExp(`^${NETNS_PREFIX}[0-9a-z]{2}${process.pid.toString(36)}-x$`));
    assert.ok(ns.name.length <= 15);
    await assert.rejects(topo.createNamespace('Bad!'), { code: 'NETNS_BAD_NAME' });
    await assert.rejects(topo.createNamespace('waytoolongrole'), { code: 'NETNS_BAD_NAME' });
    await assert.rejects(topo.createNamespace('x'), { code: 'NETNS_BAD_NAME' });
    await assert.rejects(topo.addVeth(ns, 'this-name-is-too-long', ns, 'y'), { code: 'NETNS_BAD_NAME' });
  });

  it('touches only its own namespaces, interfaces and addresses, and per-namespace sysctls', async () => {
    const mine = await topo.createNamespace('m');
    const theirs = await other.createNamespace('t');
    await assert.rejects(topo.addVeth(mine, 'v0', theirs, 'v0'), { code: 'NETNS_NOT_OURS' });
    await assert.rejects(topo.addAddress(theirs, 'lo', '10.0.0.1/32'), { code: 'NETNS_NOT_OURS' });
    await assert.rejects(topo.addAddress(mine, 'eth9', '10.0.0.1/32'), { code: 'NETNS_NOT_OURS' });
    await assert.rejects(topo.setUp(mine, 'ipsec0'), { code: 'NETNS_NOT_OURS' });
    await assert.rejects(topo.addAddress(mine, 'lo', '10.0.0.300/32'), { code: 'NETNS_BAD_ARGUMENT' });
    await assert.rejects(topo.sysctl(mine, 'kernel.panic', 1), { code: 'NETNS_BAD_ARGUMENT' });
    await assert.rejects(topo.sysctl(mine, 'net.core.rmem_max', 1), { code: 'NETNS_BAD_ARGUMENT' });
    // refused before a packet is sent: TEST-NET-1 is not an address of this topology
    await assert.rejects(topo.ping(mine, '192.0.2.1'), { code: 'NETNS_NOT_OURS' });
    await topo.addAddress(mine, 'lo', '10.0.0.1/32');
    assert.deepEqual((await topo.addresses(mine)).map((a) => a.cidr), ['127.0.0.1/8', '10.0.0.1/32']);
    assert.equal((await topo.ping(mine, '10.0.0.1', { count: 1 })).received, 1);
    const r = await topo.execIn(mine, ['ip', '-o', 'link', 'show']);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.split(': ')[1]), ['lo'], 'a new namespace holds only lo');
  });

  it('refuses a charon whose peer is not in the topology, or a malformed proposal, before starting it', async () => {
    const ns = await topo.createNamespace('c');
    const peer = await topo.createNamespace('d');
    await topo.connect(ns, 'wan0', '192.168.252.1/30', peer, 'wan0', '192.168.252.2/30');
    const good = connection({ ...SIDE_A, addr: '192.168.252.1', peer: '192.168.252.2', id: ipv4('192.168.252.1'), peerId: ipv4('192.168.252.2') },
      'aes256-sha256-x25519', 'aes256gcm16', 'k', false);
    await assert.rejects(startCharon({ topology: topo, ns, connections: [{ ...good, remoteAddrs: ['198.51.100.7'] }] }), { code: 'INTEROP_BAD_CONFIG' });
    await assert.rejects(startCharon({ topology: topo, ns, connections: [{ ...good, proposals: ['aes256 sha256'] }] }), { code: 'INTEROP_BAD_CONFIG' });
    await assert.rejects(startCharon({ topology: topo, ns, connections: [{ ...good, localId: { type: 'keyid', hex: 'xyz' } }] }), { code: 'INTEROP_BAD_CONFIG' });
    await assert.rejects(startCharon({ topology: topo, ns, threads: 8, connections: [good] }), { code: 'INTEROP_BAD_CONFIG' });
    await assert.rejects(startCharon({ topology: other, ns, connections: [good] }), { code: 'INTEROP_BAD_CONFIG' });
  });

  it('destroy() is idempotent, removes the namespaces and refuses further use', async () => {
    const t = await createTopology();
    const ns = await t.createNamespace('z');
    const workdir = t.workdir;
    await Promise.all([t.destroy(), t.destroy()]);
    await t.destroy();
    assert.equal((await listOurNamespaces()).includes(ns.name), false);
    assert.equal(existsSync(workdir), false);
    await assert.rejects(t.createNamespace('y'), { code: 'NETNS_DESTROYED' });
    await assert.rejects(t.execIn(ns, ['true']), { code: 'NETNS_DESTROYED' });
  });

  it('parses what the tools print', () => {
    const sas = parseListSas([
      'list-sa event {', '  net {', '    uniqueid = 3', '    version = 2', '    state = ESTABLISHED', '    local-host = 192.168.251.1',
      '    local-port = 4500', '    local-id = 192.168.251.1', '    remote-host = 192.168.251.2', '    remote-port = 4500',
      '    remote-id = 192.168.251.2', '    initiator = yes', '    initiator-spi = 814a8f7dc7ee032d', '    responder-spi = 151f2d794f84befa',
      '    encr-alg = AES_CBC', '    encr-keysize = 256', '    integ-alg = HMAC_SHA2_256_128', '    prf-alg = PRF_HMAC_SHA2_256',
      '    dh-group = MODP_2048', '    tasks-active = [', '      IKE_DPD', '    ]', '    child-sas {', '      net-7 {', '        name = net',
      '        uniqueid = 7', '        reqid = 1', '        state = INSTALLED', '        mode = TUNNEL', '        protocol = ESP', '        encap = yes',
      '        spi-in = 64da368e', '        spi-out = 3674f7a5', '        encr-alg = AES_GCM_16', '        encr-keysize = 256',
      '        bytes-in = 420', '        packets-in = 5', '        bytes-out = 420', '        packets-out = 5', '        local-ts = [',
      '          10.11.0.0/24', '        ]', '        remote-ts = [', '          10.12.0.0/24', '        ]', '      }', '    }', '  }', '}',
      'list-sas reply {', '}',
    ].join('\n'));
    assert.equal(renderSas(sas), [
      'net[3] ESTABLISHED initiator 192.168.251.1[192.168.251.1]...192.168.251.2[192.168.251.2] spi_i 814a8f7dc7ee032d spi_r 151f2d794f84befa proposal AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048',
      'net[3] net{7} INSTALLED TUNNEL ESP encap spi_in 64da368e spi_out 3674f7a5 proposal AES_GCM_16_256/NO_EXT_SEQ bytes 420/420 packets 5/5 ts 10.11.0.0/24 === 10.12.0.0/24',
    ].join('\n'));
    assert.deepEqual(parseNotifyErrors('08:32:30.101 13[ENC] <net|1> generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]')
      .map((n) => [n.direction, n.notify, n.ike, n.ikeId]), [['sent', 'AUTHENTICATION_FAILED', 'net', 1]]);
    const pkts = parseTcpdump([
      '1700000000.000001 IP 192.168.251.1.4500 > 192.168.251.2.4500: UDP-encap: ESP(spi=0x3674f7a5,seq=0x1), length 120',
      '1700000000.000002 IP 192.168.251.1.500 > 192.168.251.2.500: isakmp: parent_sa ikev2_init[I]',
      '1700000000.000003 ARP, Request who-has 192.168.251.2 tell 192.168.251.1, length 28',
      '1700000000.000004 IP 10.11.0.10 > 10.12.0.10: ICMP echo request, id 7, seq 1, length 64',
    ].join('\n'));
    assert.deepEqual(pkts.map((p) => [p.family, p.proto, p.sport, p.encap]), [
      ['ipv4', 'udp', 4500, 'esp'], ['ipv4', 'udp', 500, undefined], ['arp', undefined, undefined, undefined], ['ipv4', 'icmp', undefined, undefined],
    ]);
    assert.deepEqual({ ...parsePing('5 packets transmitted, 5 received, 0% packet loss, time 204ms\nrtt min/avg/max/mdev = 0.4/0.61/0.9/0.1 ms'), output: '' },
      { transmitted: 5, received: 5, lossPercent: 0, rttAvgMs: 0.61, output: '' });
  });
});

describe('lifetime: nothing outlives the test process', { timeout: SCENARIO_MS }, () => {
  // A child node process builds two namespaces with a charon in one, prints their names and
  // charon's PID, then exits normally or is killed by SIGTERM (the 'exit' and signal hooks must
  // stop charon and delete the namespaces) or by SIGKILL (pdeathsig must kill charon, and
  // sweepStaleNamespaces must delete the namespaces left behind).
  const netnsModule = fileURLToPath(new URL('./netns.js', import.meta.url));
  const swanModule = fileURLToPath(new URL('./strongswan.js', import.meta.url));
  const script = (exitNormally: boolean): string => `
    const { createTopology } = await import(${JSON.stringify(netnsModule)});
    const { startCharon } = await import(${JSON.stringify(swanModule)});
    const topo = await createTopology();
    const a = await topo.createNamespace('a');
    const b = await topo.createNamespace('b');
    await topo.connect(a, 'wan0', '192.168.253.1/30', b, 'wan0', '192.168.253.2/30');
    const c = await startCharon({ topology: topo, ns: a, connections: [] });
    process.stdout.write(JSON.stringify({ names: [a.name, b.name], charon: c.pid, workdir: topo.workdir }) + '\\n');
    ${exitNormally ? '' : 'setInterval(() => {}, 1000);'}`;

  for (const how of ['exit', 'SIGTERM', 'SIGKILL'] as const) {
    it(`after ${how === 'exit' ? 'a normal exit' : how}: charon is gone and so are the namespaces${how === 'SIGKILL' ? ' (swept by the next run)' : ''}`, async () => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script(how === 'exit')], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const report = await new Promise<{ names: string[]; charon: number; workdir: string }>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(JSON.parse(out.trim()) as { names: string[]; charon: number; workdir: string });
        });
        child.once('exit', (code) => reject(new Error(`child exited (${code}) before reporting: ${out}`)));
      });
      assert.ok(report.names.every((n) => n.startsWith(NETNS_PREFIX)));
      if (how !== 'exit') {
        assert.ok(processAlive(report.charon), 'charon runs while its test process does');
        child.kill(how);
      }
      await exited;
      await waitUntil(() => !processAlive(report.charon), 5_000);
      const left = await listOurNamespaces();
      if (how !== 'SIGKILL') {
        assert.deepEqual(report.names.filter((n) => left.includes(n)), [], 'the hook deleted the namespaces');
        assert.equal(existsSync(report.workdir), false, 'and the workdir');
      } else {
        assert.deepEqual(report.names.filter((n) => !left.includes(n)), [], 'a SIGKILLed process cannot delete its namespaces');
        const swept = await sweepStaleNamespaces();
        assert.deepEqual(report.names.filter((n) => !swept.includes(n)), [], `swept ${swept.join(', ')}`);
        rmSync(report.workdir, { recursive: true, force: true }); // nothing ran to remove it
      }
    });
  }
});

describe('cleanup', () => {
  it('leaves no vl- namespace of this process behind', async () => {
    const mine = (await listOurNamespaces()).filter((n) => n.slice(NETNS_PREFIX.length + 2).startsWith(`${process.pid.toString(36)}-`));
    assert.deepEqual(mine, []);
  });
});
