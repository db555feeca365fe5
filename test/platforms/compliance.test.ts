import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Network } from '../../src/emulator/network.js';
import { NotifyType } from '../../src/ike/constants.js';
import { sameReason, type IkeSaReason } from '../../src/ike/reasons.js';
import { runPing } from '../../src/emulator/session.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { parseTopology } from '../../src/platforms/load.js';

/*
 * The platform compliance suite: the same behaviours, asked of every platform adapter. Each
 * adapter is exercised through a seed network in which one of its gateway instances faces another
 * platform's gateway; what differs per platform (names, the proposal it ends up with) is data.
 */

interface AdapterFixture {
  platform: string;
  file: string;
  /** The gateway instance under test, "site/node". */
  instance: string;
  /** Its connections that must come up (others, such as an active-active gateway's crossed tunnels, may not). */
  upPeers: string[];
  /** Every connection resource the file gives this instance (nothing configured may go missing). */
  configuredPeers: string[];
  /** A host behind the instance and an address behind its peer. */
  from: string;
  to: string;
  /** The IKE SA suite this platform's defaults end up with against that peer. */
  ikeSuite: string;
  /** Replace this text (first occurrence) by that to give the instance's connection a wrong key. */
  wrongKey: [string, string];
  /** Another tunnel (the other instance's) carries the traffic when this one is down. */
  redundant: boolean;
}

const FIXTURES: AdapterFixture[] = [
  {
    platform: 'rras', file: 'examples/rras-azure-bgp.yaml', instance: 'OnPrem/RRAS2016',
    upPeers: ['198.51.100.10'], configuredPeers: ['198.51.100.10'], from: 'pc', to: '10.3.0.4',
    ikeSuite: 'aes-cbc-256/hmac-sha1-96/prf-hmac-sha1/modp1024', wrongKey: ['SharedSecret: AzureA1b2C3', 'SharedSecret: NotTheKey1'], redundant: false,
  },
  {
    platform: 'azure (active-standby, BGP, Vnet2Vnet)', file: 'examples/rras-azure-bgp.yaml', instance: 'VNet1/VNet1GW',
    upPeers: ['VNet1ToSite5', 'VNet1ToVNet2'], configuredPeers: ['VNet1ToSite5', 'VNet1ToVNet2'], from: 'vm1', to: '192.168.37.10',
    ikeSuite: 'aes-cbc-256/hmac-sha1-96/prf-hmac-sha1/modp1024', wrongKey: ['sharedKey: AzureA1b2C3', 'sharedKey: NotTheKey1'], redundant: false,
  },
  {
    platform: 'azure (active-active)', file: 'examples/alibaba-azure-dual-tunnel.yaml', instance: 'AzureVNet/AzureVpnGateway_IN_0',
    upPeers: ['ToAlibabaTunnel1'], configuredPeers: ['ToAlibabaTunnel1', 'ToAlibabaTunnel2'], from: 'vm', to: '10.0.0.1',
    ikeSuite: 'aes-cbc-128/hmac-sha1-96/prf-hmac-sha1/modp1024', wrongKey: ['sharedKey: Tunnel1Key7Qm4Xz', 'sharedKey: NotTheKey1'], redundant: true,
  },
  {
    platform: 'alibaba (dual tunnel)', file: 'examples/alibaba-azure-dual-tunnel.yaml', instance: 'AlibabaVPC/VpnGateway_1',
    upPeers: ['IPsecConnection'], configuredPeers: ['IPsecConnection'], from: 'ecs', to: '192.168.0.1',
    ikeSuite: 'aes-cbc-128/hmac-sha1-96/prf-hmac-sha1/modp1024', wrongKey: ['Psk: Tunnel1Key7Qm4Xz', 'Psk: NotTheKey1'], redundant: true,
  },
];

const SETTLE_LIMIT_MS = 30 * 60_000;

function settled(text: string, seed?: number): Network {
  // keepCheckErrors: a wrong key is a `check` warning, but a fixture may carry errors too; here it runs anyway, to see what it does.
  const network = new Network(parseTopology(text, '<fixture>', { keepCheckErrors: true }).topology, seed);
  assert.ok(runUntilSettled(network, SETTLE_LIMIT_MS).settled, 'the network settles');
  return network;
}

function upPeers(network: Network, instance: string): string[] {
  const gateway = network.gateways.get(instance)!;
  return gateway.ipsec!.engine.peerNames()
    .filter((p) => gateway.ipsec!.engine.ikeSasOf(p).some((sa) => sa.state === 'established' && sa.children.length > 0)).sort();
}

for (const f of FIXTURES) {
  describe(`platform compliance: ${f.platform}`, () => {
    const text = readFileSync(f.file, 'utf8');

    it('turns every configured connection into a tunnel of the instance (nothing dropped)', () => {
      const network = new Network(parseTopology(text).topology);
      const gateway = network.gateways.get(f.instance);
      assert.ok(gateway !== undefined, `${f.instance} runs`);
      assert.deepEqual(gateway.plan.ipsec!.peers.map((p) => p.name).sort(), [...f.configuredPeers].sort());
      assert.equal(gateway.plan.ipsec!.tunnels.length, f.configuredPeers.length);
      assert.ok(gateway.plan.interfaces.some((i) => i.attach === 'internet' && i.address === gateway.plan.ipsec!.address), 'IKE listens on its public interface');
    });

    it('brings its tunnels up with the platform default proposal and carries traffic both ways', () => {
      const network = settled(text);
      assert.deepEqual(upPeers(network, f.instance), [...f.upPeers].sort());
      const engine = network.gateways.get(f.instance)!.ipsec!.engine;
      for (const peer of f.upPeers) assert.equal(engine.ikeSasOf(peer).find((sa) => sa.state === 'established')?.crypto?.suite.name, f.ikeSuite);
      const run = runPing(network, f.from, f.to, 3);
      assert.deepEqual(run.ping.events.map((e) => e.kind), ['reply', 'reply', 'reply']);
    });

    it(`refuses a wrong pre-shared key: AUTHENTICATION_FAILED, no tunnel${f.redundant ? '; the other tunnel carries the traffic' : ', no traffic'}`, () => {
      assert.ok(text.includes(f.wrongKey[0]));
      const network = settled(text.replace(f.wrongKey[0], f.wrongKey[1]));
      const failing = f.upPeers[0]!;
      assert.ok(!upPeers(network, f.instance).includes(failing), `${failing} stays down`);
      const authFailed = (r: IkeSaReason): boolean => r.kind === 'auth-failed' || r.kind === 'peer-auth-failed' || (r.kind === 'notify-received' && r.notify === NotifyType.AUTHENTICATION_FAILED);
      assert.ok(network.events.some((e) => e.kind === 'ike-sa-failed' && authFailed(e.reason)), 'the IKE SA fails with AUTHENTICATION_FAILED');
      // Redials that fail the same way are one event: consecutive failures of a connection differ.
      for (const node of network.gateways.keys()) {
        const byPeer = new Map<string, IkeSaReason[]>();
        for (const e of network.milestones) if (e.kind === 'ike-sa-failed' && e.node === node) byPeer.set(e.peer, [...(byPeer.get(e.peer) ?? []), e.reason]);
        for (const [peer, reasons] of byPeer) reasons.slice(1).forEach((r, i) => assert.ok(!sameReason(r, reasons[i]!), `${node} ${peer}: ${JSON.stringify(reasons)}`));
      }
      const run = runPing(network, f.from, f.to, 1);
      assert.equal(run.ping.events[0]?.kind === 'reply', f.redundant);
    });

    it('after the instance fails, its peer notices and the tunnel comes back when the instance recovers', () => {
      const network = settled(text);
      const at = network.scheduler.now();
      network.scheduleFault(at + 1000, { kind: 'node', name: f.instance }, false);
      network.scheduleFault(at + 301_000, { kind: 'node', name: f.instance }, true);
      network.scheduler.advance(300_000);
      assert.deepEqual(upPeers(network, f.instance), [], 'a failed instance has no tunnel');
      const peerNoticed = network.milestones.some((m) => m.timeMs > at && m.node !== f.instance
        && ((m.kind === 'ike-sa-down' && m.reason.kind === 'no-response') || m.kind === 'fabric-route' || (m.kind === 'bgp-routes' && m.change === 'learned')));
      assert.ok(peerNoticed, 'the other side reacted (DPD, or the fabric moved the traffic)');
      network.scheduler.advance(2000);
      assert.ok(runUntilSettled(network, SETTLE_LIMIT_MS).settled);
      assert.deepEqual(upPeers(network, f.instance), [...f.upPeers].sort());
      const run = runPing(network, f.from, f.to, 2);
      assert.deepEqual(run.ping.events.map((e) => e.kind), ['reply', 'reply']);
    });

    it('replays identically: the same file and seed give the same timeline', () => {
      const first = settled(text, 7).milestones;
      assert.ok(first.length > 0);
      assert.deepEqual(settled(text, 7).milestones, first);
    });
  });
}
