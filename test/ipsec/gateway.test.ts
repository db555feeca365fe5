import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PeerConfig, TunnelSpec } from '../../src/ike/config.js';
import { ipv4Identity } from '../../src/ike/payloads/id.js';
import { parseProposals } from '../../src/ike/proposal.js';
import { IpsecGateway } from '../../src/ipsec/gateway.js';
import { parsePrefix } from '../../src/net/address.js';
import { runPing } from '../../src/emulator/session.js';
import { child, peer } from '../ike/two-peers.js';
import { GW_A_PUBLIC, GW_B_PUBLIC, INTERNET_LINK_A, PC_B, tapLink, twoSites } from './helpers.js';

/*
 * Two whole IPsec gateways in the emulator — IKE engine on the simulated UDP 500/4500, SA
 * database, tunnel interfaces — negotiating over the emulated Internet and carrying the sites'
 * traffic: what the platform gateways of the seeds are built from.
 */

function peers(esp = ['aes256gcm16']): { a: PeerConfig; b: PeerConfig } {
  const base = (side: 'a' | 'b'): PeerConfig => peer(side, {
    localAddress: side === 'a' ? GW_A_PUBLIC : GW_B_PUBLIC,
    remoteAddress: side === 'a' ? GW_B_PUBLIC : GW_A_PUBLIC,
    localIdentity: ipv4Identity(side === 'a' ? GW_A_PUBLIC : GW_B_PUBLIC),
    remoteIdentity: ipv4Identity(side === 'a' ? GW_B_PUBLIC : GW_A_PUBLIC),
    ikeRekeySeconds: 28_800,
    dpdDelaySeconds: 30,
    children: [side === 'a'
      ? child('net', '10.1.0.0/16', '10.2.0.0/16', { espProposals: parseProposals(esp, 'esp'), lifetimes: { rekeySeconds: 3600, lifeSeconds: 3960 } })
      : child('net', '10.2.0.0/16', '10.1.0.0/16', { espProposals: parseProposals(esp, 'esp'), lifetimes: { rekeySeconds: 3600, lifeSeconds: 3960 } })],
  });
  return { a: base('a'), b: base('b') };
}

function twoGateways(kind: 'route' | 'policy' = 'route', overrides: Partial<PeerConfig> = {}) {
  const net = twoSites();
  const config = peers();
  config.a = { ...config.a, ...overrides };
  const make = (name: 'gw-a' | 'gw-b', p: PeerConfig, remote: string): IpsecGateway => {
    const node = net.node(name);
    const tunnel: TunnelSpec = { connection: p.name, child: 'net', kind, routes: [parsePrefix(remote)] };
    const g = new IpsecGateway({ node: node.ip, transport: node.transport, clock: net.scheduler, rng: net.rng(`ike:${name}`), address: p.localAddress, peers: [p], tunnels: [tunnel] });
    g.start();
    return g;
  };
  const a = make('gw-a', config.a, '10.2.0.0/16');
  const b = make('gw-b', config.b, '10.1.0.0/16');
  return { net, a, b };
}

describe('two IpsecGateways in the emulator', () => {
  for (const kind of ['route', 'policy'] as const) {
    it(`negotiate over the emulated Internet and carry ping (${kind}-based); the Internet sees IKE and ESP only`, () => {
      const { net, a, b } = twoGateways(kind);
      const wire = tapLink(net, INTERNET_LINK_A);
      net.scheduler.advance(1000);
      assert.equal(a.engine.view()[0]?.state, 'established');
      assert.equal(b.engine.view()[0]?.state, 'established');
      assert.equal(a.sad.children().length, 1);
      const run = runPing(net, 'pc-a', '10.2.1.10', 4);
      assert.deepEqual(run.ping.events.map((e) => (e.kind === 'reply' ? [e.from, e.ttl] : e.kind)), Array(4).fill([PC_B, 126]));
      assert.ok(wire.length > 0);
      assert.ok(wire.every((w) => w.kind === 'esp-in-udp' || w.kind === 'esp' || (w.kind === 'clear' && w.protocol === 17)), JSON.stringify(wire));
      assert.equal(a.sad.counters('net').packetsOut, 4);
    });
  }

  it('rekeys the CHILD_SA at its soft lifetime while traffic flows, without losing a packet', () => {
    const { net, a, b } = twoGateways();
    net.scheduler.advance(1000);
    const before = a.sad.children()[0]!.config.inboundSpi;
    net.scheduler.advance(3500 * 1000);
    const run = runPing(net, 'pc-a', '10.2.1.10', 200);
    assert.equal(run.ping.events.filter((e) => e.kind === 'reply').length, 200);
    const after = a.sad.children().map((c) => c.config.inboundSpi);
    assert.equal(after.length, 1);
    assert.notEqual(after[0], before);
    assert.equal(b.sad.children().length, 1);
  });

  it('brings the tunnel back after the Internet link fails for longer than DPD (restart)', () => {
    const { net, a } = twoGateways('route', { dpdAction: 'restart' });
    net.scheduler.advance(1000);
    const link = net.link(INTERNET_LINK_A);
    link.setUp(false);
    net.scheduler.advance(30_000 + 200_000);
    assert.equal(a.sad.children().length, 0, 'DPD gave up and removed the CHILD_SA');
    link.setUp(true);
    // The restart attempts keep going (each gives up after its retransmits) until one gets through.
    net.scheduler.advance(200_000);
    assert.equal(a.sad.children().length, 1);
    assert.equal(a.engine.view().length, 1);
    assert.equal(runPing(net, 'pc-a', '10.2.1.10', 2).ping.events.filter((e) => e.kind === 'reply').length, 2);
  });
});
