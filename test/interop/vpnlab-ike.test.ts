/**
 * vpnlab's IKEv2 gateway (`vpnlab ike run`, a separate process) against real strongSwan, each in
 * its own network namespace:
 *
 *   h 10.11.0.10 ─eth0── lan0 10.11.0.1  S  wan0 192.168.251.1/30 ═══ 192.168.251.2/30 wan0  V  ┄ vm1 10.12.0.10
 *                                    (charon, libipsec)     UDP/4500            (vpnlab ike run;  (emulated LAN
 *                                                                                 gateway 10.12.0.1) inside vpnlab)
 *
 * charon runs with kernel-libipsec, which does ESP only in UDP (encap = yes on both ends). One
 * topology per proposal set: Azure's defaults with vpnlab initiating, Alibaba's dual-tunnel
 * defaults (PFS group 2) with strongSwan initiating, AES-GCM-256/x25519; then the failures.
 * vpnlab's API is a unix socket in the test's folder; the CLI runs inside V all the same.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IkeSaView } from '../../src/ike/views.js';
import { createTopology, type Namespace, type NsProcess, type Topology } from './netns.js';
import { startCharon, stopCharons, type RunningCharon, type SwanConnection } from './strongswan.js';
import { waitFor } from './daemon.js';

const WAN_S = '192.168.251.1';
const WAN_V = '192.168.251.2';
const HOST = '10.11.0.10';
const VM = '10.12.0.10';
const PSK = 'a long pre-shared key for the interop tests';
const BIN = resolve('bin/vpnlab.js');
const UP_MS = 15_000;

interface Lab {
  topo: Topology;
  s: Namespace;
  v: Namespace;
  h: Namespace;
  charon: RunningCharon;
  vpnlab: NsProcess;
  log: string;
  socket: string;
}

interface LabOptions {
  ike: string;
  esp: string;
  /** Who brings the tunnel up. */
  initiator: 'vpnlab' | 'strongswan';
  vpnlabPsk?: string;
  vpnlabIke?: string;
  vpnlabEsp?: string;
  dpdDelay?: number;
  /** vpnlab's child start action (default: start when vpnlab initiates). */
  vpnlabStart?: 'start' | 'trap' | 'none';
}

function vpnlabConfig(o: LabOptions, socket: string): string {
  return `
address: ${WAN_V}
api: { socket: ${socket} }
lan:
  gateway: 10.12.0.1/24
  hosts: [{ name: vm1, address: ${VM} }]
connections:
  - name: swan
    remote: ${WAN_S}
    psk: ${JSON.stringify(o.vpnlabPsk ?? PSK)}
    proposals: [${o.vpnlabIke ?? o.ike}]
    encap: true
    mode: ${o.initiator === 'vpnlab' ? 'initiate' : 'respond'}
    dpdDelay: ${o.dpdDelay ?? 0}
    dpdAction: clear
    retransmit: { timeout: 0.5, base: 1.5, tries: 3 }
    children:
      - { name: net, localTs: [10.12.0.0/24], remoteTs: [10.11.0.0/24], espProposals: [${o.vpnlabEsp ?? o.esp}], start: ${o.vpnlabStart ?? (o.initiator === 'vpnlab' ? 'start' : 'none')} }
`;
}

function swanConnection(o: LabOptions): SwanConnection {
  return {
    name: 'net', localAddrs: [WAN_S], remoteAddrs: [WAN_V], proposals: [o.ike], psk: PSK,
    localId: { type: 'ipv4', address: WAN_S }, remoteId: { type: 'ipv4', address: WAN_V },
    rekeyTimeSec: 3600, lifeTimeSec: 4000,
    children: [{ name: 'net', localTs: ['10.11.0.0/24'], remoteTs: ['10.12.0.0/24'], espProposals: [o.esp], rekeyTimeSec: 1200, lifeTimeSec: 1500 }],
  };
}

async function startLab(o: LabOptions): Promise<Lab> {
  const topo = await createTopology();
  try {
    const s = await topo.createNamespace('s');
    const v = await topo.createNamespace('v');
    const h = await topo.createNamespace('h');
    await topo.connect(s, 'wan0', `${WAN_S}/30`, v, 'wan0', `${WAN_V}/30`);
    await topo.connect(h, 'eth0', `${HOST}/24`, s, 'lan0', '10.11.0.1/24');
    await topo.addRoute(h, 'default', { via: '10.11.0.1' });
    await topo.enableForwarding(s);
    const charon = await startCharon({ topology: topo, ns: s, connections: [swanConnection(o)], retransmit: { timeoutSec: 1, tries: 3, base: 1.5 } });
    const file = join(topo.workdir, 'vpnlab-ike.yaml');
    const socket = join(topo.workdir, 'api', 'ike.sock');
    writeFileSync(file, vpnlabConfig(o, socket));
    const log = join(topo.workdir, 'vpnlab-ike.log');
    topo.addEmulatedAddress(v, VM);
    const vpnlab = topo.spawnIn(v, [process.execPath, BIN, 'ike', 'run', file], { logFile: log });
    const lab: Lab = { topo, s, v, h, charon, vpnlab, log, socket };
    await waitFor('the vpnlab API', async () => (await vpnlabCli(lab, 'sas', '--json').then(() => true, () => false)), 10_000);
    return lab;
  } catch (e) {
    await topo.destroy();
    throw e;
  }
}

async function stopLab(lab: Lab | undefined): Promise<void> {
  if (lab === undefined) return;
  await lab.vpnlab.stop(2000);
  await stopCharons([lab.charon]);
  await lab.topo.destroy();
}

async function vpnlabCli(lab: Lab, ...args: string[]): Promise<string> {
  const r = await lab.topo.execIn(lab.v, [process.execPath, BIN, 'ike', ...args, '--socket', lab.socket], { timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw new Error(`vpnlab ike ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function vpnlabSas(lab: Lab): Promise<IkeSaView[]> {
  return JSON.parse(await vpnlabCli(lab, 'sas', '--json')) as IkeSaView[];
}

async function vpnlabLog(lab: Lab): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(lab.log, 'utf8').catch(() => '');
}

/** Waits until vpnlab shows one established IKE SA with an installed child; returns it. */
async function vpnlabUp(lab: Lab, timeoutMs = UP_MS): Promise<IkeSaView> {
  let last: IkeSaView[] = [];
  try {
    return await waitFor('vpnlab: IKE SA and CHILD_SA up', async () => {
      last = await vpnlabSas(lab);
      const sa = last.find((s) => s.state === 'established' && s.children.some((c) => c.state === 'installed'));
      return sa;
    }, timeoutMs);
  } catch (e) {
    throw new Error(`${(e as Error).message}\nvpnlab sas: ${JSON.stringify(last)}\nvpnlab log:\n${await vpnlabLog(lab)}\ncharon log:\n${(await lab.charon.log()).slice(-4000)}`, { cause: e });
  }
}

/** strongSwan's and vpnlab's views of the tunnel agree: same IKE SPIs, CHILD_SA SPIs crossed. */
async function assertSameTunnel(lab: Lab, ikeProposal: string, espProposal: string): Promise<void> {
  const view = await vpnlabUp(lab);
  const swan = await lab.charon.waitForSa('the IKE_SA with vpnlab', (sa) => sa.state === 'ESTABLISHED' && sa.children.some((c) => c.state === 'INSTALLED'), UP_MS);
  assert.equal(swan.proposal, ikeProposal);
  assert.equal(swan.initiatorSpi, view.spiI);
  assert.equal(swan.responderSpi, view.spiR);
  const child = swan.children.find((c) => c.state === 'INSTALLED')!;
  assert.equal(child.proposal, espProposal);
  assert.equal(child.encap, true);
  const mine = view.children.find((c) => c.state === 'installed')!;
  assert.deepEqual([mine.inboundSpi, mine.outboundSpi], [child.spiOut, child.spiIn]);
  assert.deepEqual(mine.localSelectors, ['10.12.0.0/24']);
  assert.deepEqual(child.localTs, ['10.11.0.0/24']);
  assert.equal(view.natTraversal, true);
}

async function assertPingsBothWays(lab: Lab): Promise<void> {
  const there = await lab.topo.ping(lab.h, VM, { count: 5 });
  assert.equal(there.received, 5, there.output);
  const back = await vpnlabCli(lab, 'ping', HOST, '--from', 'vm1', '-c', '3');
  assert.match(back, /3 packets transmitted, 3 received, 0% packet loss/, back);
  // Linux hosts start at TTL 64; the reply crossed charon's gateway and vpnlab's.
  assert.match(back, /bytes from 10\.11\.0\.10: icmp_seq=1 ttl=62/);
}

/** Pings all through `during`, which must not cost a single reply. */
async function pingThrough(lab: Lab, during: () => Promise<void>): Promise<void> {
  const ping = lab.topo.ping(lab.h, VM, { count: 80, intervalSec: 0.05 });
  await new Promise((r) => setTimeout(r, 1000));
  await during();
  const result = await ping;
  assert.equal(result.received, 80, `lost replies during the rekey:\n${result.output}\nvpnlab log:\n${await vpnlabLog(lab)}`);
}

describe('vpnlab initiates with Azure\'s default proposals (aes256-sha1-modp1024 / aes256-sha1)', { timeout: 120_000 }, () => {
  const o: LabOptions = { ike: 'aes256-sha1-modp1024', esp: 'aes256-sha1', initiator: 'vpnlab', dpdDelay: 2 };
  let lab: Lab | undefined;
  before(async () => { lab = await startLab(o); });
  after(() => stopLab(lab));

  it('brings the tunnel up; strongSwan shows the same SAs', async () => {
    await assertSameTunnel(lab!, 'AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024', 'AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ');
    const swan = (await lab!.charon.listSas())[0]!;
    assert.equal(swan.initiator, false, 'strongSwan is the responder');
  });

  it('pings both ways: host behind strongSwan ⇄ host emulated behind vpnlab', () => assertPingsBothWays(lab!));

  it('rekeys the CHILD_SA under ping without losing a reply', async () => {
    const before = (await vpnlabUp(lab!)).children[0]!;
    await pingThrough(lab!, async () => { await vpnlabCli(lab!, 'rekey', 'swan', '--child', 'net'); });
    const after = await vpnlabUp(lab!);
    assert.equal(after.children.length, 1);
    assert.notEqual(after.children[0]!.inboundSpi, before.inboundSpi);
    const swan = (await lab!.charon.listSas())[0]!;
    assert.deepEqual(swan.children.filter((c) => c.state === 'INSTALLED').map((c) => c.spiOut), [after.children[0]!.inboundSpi]);
  });

  it('rekeys the IKE SA under ping without losing a reply; the CHILD_SA moves to the new IKE SA', async () => {
    const before = await vpnlabUp(lab!);
    await pingThrough(lab!, async () => { await vpnlabCli(lab!, 'rekey', 'swan'); });
    const after = await vpnlabUp(lab!);
    assert.notEqual(after.spiI, before.spiI);
    assert.equal(after.children[0]!.inboundSpi, before.children[0]!.inboundSpi);
    const swan = await lab!.charon.waitForSa('the rekeyed IKE_SA', (sa) => sa.state === 'ESTABLISHED' && sa.initiatorSpi === after.spiI, UP_MS);
    assert.equal(swan.children.length, 1);
    assert.equal((await lab!.charon.listSas()).length, 1, 'the old IKE_SA is gone');
  });

  it('DPD finds strongSwan gone once its link is down, and closes the SAs', async () => {
    await lab!.topo.execIn(lab!.s, ['ip', 'link', 'set', 'wan0', 'down']);
    await waitFor('vpnlab to drop the IKE SA', async () => ((await vpnlabSas(lab!)).length === 0 ? true : undefined), 20_000);
    assert.match(await vpnlabLog(lab!), /giving up after 3 retransmits of INFORMATIONAL request \d+: peer not responding/);
  });
});

describe('strongSwan initiates with Alibaba\'s dual-tunnel defaults (aes128-sha1-modp1024, PFS group 2)', { timeout: 120_000 }, () => {
  const o: LabOptions = { ike: 'aes128-sha1-modp1024', esp: 'aes128-sha1-modp1024', initiator: 'strongswan' };
  let lab: Lab | undefined;
  before(async () => { lab = await startLab(o); });
  after(() => stopLab(lab));

  it('brings the tunnel up with vpnlab responding', async () => {
    await lab!.charon.initiate('net', { timeoutMs: UP_MS });
    await assertSameTunnel(lab!, 'AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024', 'AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ');
    assert.equal((await vpnlabUp(lab!)).role, 'responder');
  });

  it('pings both ways', () => assertPingsBothWays(lab!));

  it('strongSwan rekeys the CHILD_SA (with PFS) under ping: vpnlab answers without losing a reply', async () => {
    const before = (await vpnlabUp(lab!)).children[0]!;
    await pingThrough(lab!, async () => { await lab!.charon.swanctl(['--rekey', '--child', 'net']); });
    const after = await waitFor('the new CHILD_SA alone', async () => {
      const v = await vpnlabUp(lab!);
      return v.children.length === 1 && v.children[0]!.inboundSpi !== before.inboundSpi ? v : undefined;
    }, UP_MS);
    assert.match(after.children[0]!.suite, /modp1024/);
  });

  it('strongSwan rekeys the IKE SA under ping: the CHILD_SA survives on the new IKE SA', async () => {
    const before = await vpnlabUp(lab!);
    await pingThrough(lab!, async () => { await lab!.charon.swanctl(['--rekey', '--ike', 'net']); });
    const after = await waitFor('the rekeyed IKE SA alone', async () => {
      const all = await vpnlabSas(lab!);
      return all.length === 1 && all[0]!.spiI !== before.spiI && all[0]!.children.length === 1 ? all[0] : undefined;
    }, UP_MS);
    assert.equal(after.children[0]!.inboundSpi, before.children[0]!.inboundSpi);
  });
});

describe('AES-GCM-256 with x25519 (aes256gcm16-prfsha256-x25519 / aes256gcm16)', { timeout: 60_000 }, () => {
  const o: LabOptions = { ike: 'aes256gcm16-prfsha256-x25519', esp: 'aes256gcm16', initiator: 'vpnlab' };
  let lab: Lab | undefined;
  before(async () => { lab = await startLab(o); });
  after(() => stopLab(lab));

  it('brings the tunnel up and pings both ways', async () => {
    await assertSameTunnel(lab!, 'AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519', 'AES_GCM_16_256/NO_EXT_SEQ');
    await assertPingsBothWays(lab!);
  });
});

describe('on traffic (start: trap, Alibaba\'s EffectImmediately = false): the first packet brings the tunnel up', { timeout: 60_000 }, () => {
  const o: LabOptions = { ike: 'aes128-sha1-modp1024', esp: 'aes128-sha1-modp1024', initiator: 'vpnlab', vpnlabStart: 'trap' };
  let lab: Lab | undefined;
  before(async () => { lab = await startLab(o); });
  after(() => stopLab(lab));

  it('stays down until vm1 sends, then negotiates and carries the rest', async () => {
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await vpnlabSas(lab!), [], 'nothing negotiated before traffic');
    assert.deepEqual(await lab!.charon.listSas(), []);
    const first = await vpnlabCli(lab!, 'ping', HOST, '--from', 'vm1', '-c', '4');
    assert.match(first, /4 packets transmitted, [1-3] received/, `the first request is lost while the tunnel comes up:\n${first}`);
    await assertSameTunnel(lab!, 'AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024', 'AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ');
    await assertPingsBothWays(lab!);
  });
});

describe('negotiation failures, each logged with its reason on both sides', { timeout: 120_000 }, () => {
  const failures: { title: string; o: LabOptions; notify: string; vpnlabLine: RegExp }[] = [
    {
      title: 'PSK mismatch, vpnlab initiating: strongSwan answers AUTHENTICATION_FAILED',
      o: { ike: 'aes256-sha256-modp2048', esp: 'aes256gcm16', initiator: 'vpnlab', vpnlabPsk: 'not the same key' },
      notify: 'sent AUTHENTICATION_FAILED', vpnlabLine: /IKE_AUTH refused: AUTHENTICATION_FAILED/,
    },
    {
      title: 'PSK mismatch, strongSwan initiating: vpnlab answers AUTHENTICATION_FAILED',
      o: { ike: 'aes256-sha256-modp2048', esp: 'aes256gcm16', initiator: 'strongswan', vpnlabPsk: 'not the same key' },
      notify: 'received AUTHENTICATION_FAILED', vpnlabLine: /pre-shared key mismatch: the initiator's AUTH does not verify/,
    },
    {
      title: 'no common IKE proposal, strongSwan initiating: vpnlab answers NO_PROPOSAL_CHOSEN',
      o: { ike: 'aes128-sha1-modp1024', esp: 'aes128-sha1', initiator: 'strongswan', vpnlabIke: 'aes256gcm16-prfsha384-ecp384' },
      notify: 'received NO_PROPOSAL_CHOSEN', vpnlabLine: /no acceptable proposal .*sending NO_PROPOSAL_CHOSEN/,
    },
    {
      title: 'no common IKE proposal, vpnlab initiating: strongSwan answers NO_PROPOSAL_CHOSEN',
      o: { ike: 'aes128-sha1-modp1024', esp: 'aes128-sha1', initiator: 'vpnlab', vpnlabIke: 'aes256gcm16-prfsha384-ecp384' },
      notify: 'sent NO_PROPOSAL_CHOSEN', vpnlabLine: /the responder answered NO_PROPOSAL_CHOSEN/,
    },
  ];
  for (const f of failures) {
    it(f.title, async () => {
      const lab = await startLab(f.o);
      try {
        if (f.o.initiator === 'strongswan') await lab.charon.initiateNoWait('net');
        await waitFor(`vpnlab to log ${f.vpnlabLine}`, async () => (f.vpnlabLine.test(await vpnlabLog(lab)) ? true : undefined), UP_MS)
          .catch(async (e: Error) => { throw new Error(`${e.message}\n${await vpnlabLog(lab)}`); });
        const [direction, notify] = f.notify.split(' ') as ['sent' | 'received', string];
        await waitFor(`strongSwan to have ${f.notify}`, async () => ((await lab.charon.notifyErrors()).some((n) => n.direction === direction && n.notify === notify) ? true : undefined), UP_MS)
          .catch(async (e: Error) => { throw new Error(`${e.message}\n${(await lab.charon.log()).slice(-3000)}`); });
        assert.deepEqual(await vpnlabSas(lab), [], 'nothing left established on vpnlab');
      } finally {
        await stopLab(lab);
      }
    });
  }
});
