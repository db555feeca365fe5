import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { peerRecords } from '../../src/bgp/views.js';
import type { Milestone } from '../../src/emulator/events.js';
import { Network } from '../../src/emulator/network.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { formatPrefix } from '../../src/net/address.js';
import { parseTopology } from '../../src/platforms/load.js';
import { parseTunnelTarget } from '../../src/topology/faults.js';
import { summarize } from '../../src/emulator/summary.js';
import { main } from '../../src/cli/main.js';

/*
 * BGP over Alibaba Cloud's dual-tunnel IPsec connection to an active-active Azure gateway with
 * APIPA addresses (issue 13, item 13). Before this change the planner refused EnableTunnelsBgp
 * (ALIBABA_BGP_NOT_EMULATED); now each tunnel's gateway node speaks BGP from LocalBgpIp to the
 * other host of TunnelCidr, opens the session (Azure waits to be called by an APIPA peer), and the
 * VPC's route table takes the learned routes from the active tunnel.
 */

const EXAMPLE = 'examples/alibaba-azure-dual-tunnel-bgp.yaml';
const MINUTE = 60_000;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function load(edit?: (doc: Json) => void, keepCheckErrors = false): ReturnType<typeof parseTopology> {
  const doc = parse(readFileSync(EXAMPLE, 'utf8')) as Json;
  edit?.(doc);
  return parseTopology(stringify(doc), 'alibaba-bgp.yaml', { keepCheckErrors });
}

function started(): Network {
  const loaded = load();
  assert.deepEqual(loaded.warnings.map((i) => i.code), []);
  return new Network(loaded.topology, undefined, { resolved: loaded.network });
}

/** The VPC route table's next hops for a prefix after each change, in order, with their times. */
function fabricRoutes(milestones: readonly Milestone[], node: string, prefix: string): { at: number; via: string[] }[] {
  return milestones.flatMap((m) => (m.node === node && m.kind === 'fabric-route' && formatPrefix(m.prefix) === prefix
    ? [{ at: m.timeMs, via: m.via.map((h) => ('instance' in h ? h.instance : String(h.address))) }] : []));
}

function bgpRoutes(milestones: readonly Milestone[], node: string, change: 'learned' | 'withdrawn'): { at: number; prefixes: string[] }[] {
  return milestones.flatMap((m) => {
    if (m.node !== node || m.kind !== 'bgp-routes' || m.change !== change) return [];
    const prefixes = m.change === 'learned' ? m.routes.map((r) => formatPrefix(r.prefix)) : m.routes.map((p) => formatPrefix(p));
    return [{ at: m.timeMs, prefixes }];
  });
}

describe('BGP over Alibaba Cloud tunnels', () => {
  it('a user runs BGP on both Alibaba tunnels to active-active Azure: both sessions are Established, Alibaba opening them from LocalBgpIp', () => {
    const network = started();
    assert.equal(runUntilSettled(network, 20 * MINUTE).settled, true);
    for (const [node, local, remote] of [['VpnGateway_1', '169.254.21.1', '169.254.21.2'], ['VpnGateway_2', '169.254.22.1', '169.254.22.2']] as const) {
      const speaker = network.gateways.get(`AlibabaVPC/${node}`)!.bgp;
      assert.ok(speaker !== undefined, `${node} runs a BGP speaker`);
      const [peer, ...others] = peerRecords(speaker);
      assert.deepEqual(others, []);
      assert.equal(peer?.state, 'Established');
      assert.equal(peer?.localAddress, local);
      assert.equal(peer?.address, remote);
      assert.equal(peer?.asn, 65515);
    }
    const opened = network.milestones.filter((m) => m.kind === 'bgp-session' && m.to === 'Established');
    assert.equal(opened.length, 4, 'two sessions, seen from both ends');
  });

  it('each tunnel keeps at most Alibaba\'s 50-route quota (further routes ignored), refuses a default route and passes nothing learned on', () => {
    const network = started();
    const [neighbor] = network.gateways.get('AlibabaVPC/VpnGateway_1')!.plan.bgp!.config.neighbors;
    assert.deepEqual(neighbor?.maxPrefix, { limit: 50, action: 'block' });
    assert.deepEqual(neighbor?.importPolicy?.statements[0]?.result, 'reject');
    assert.deepEqual(neighbor?.importPolicy?.statements[0]?.conditions, [{ type: 'prefix', entries: [{ prefix: { address: 0, length: 0 } }] }]);
    assert.equal(neighbor?.exportPolicy?.default, 'reject');
  });

  it('the VPC learns the VNet by BGP through Tunnel 1, and the VNet learns the vSwitches through both Azure instances', () => {
    const network = started();
    runUntilSettled(network, 20 * MINUTE);
    const learned = bgpRoutes(network.milestones, 'AlibabaVPC/VpnGateway_1', 'learned').flatMap((b) => b.prefixes);
    assert.ok(learned.includes('192.168.0.0/16'), learned.join(', '));
    assert.deepEqual(fabricRoutes(network.milestones, 'AlibabaVPC/vRouter', '192.168.0.0/16').at(-1)?.via, ['VpnGateway_1']);
    for (const vswitch of ['10.0.0.0/24', '10.0.1.0/24']) {
      assert.deepEqual(fabricRoutes(network.milestones, 'AzureVNet/vnet-router', vswitch).at(-1)?.via, ['AzureVpnGateway_IN_0', 'AzureVpnGateway_IN_1'], vswitch);
    }
    assert.deepEqual(fabricRoutes(network.milestones, 'AzureVNet/vnet-router', '10.0.0.0/16'), [], 'Alibaba advertises its VPC system routes, the vSwitches');
  });

  it('a user cuts Tunnel 1 at 6m and restores it at 10m: its BGP routes are withdrawn, the VPC fails over to Tunnel 2, and the routes come back', () => {
    const network = started();
    const target = parseTunnelTarget('AlibabaVPC/VpnGateway_1:IPsecConnection')!;
    network.scheduleFault(6 * MINUTE, target, false);
    network.scheduleFault(10 * MINUTE, target, true);
    // As `vpnlab up --fault` runs: past the last fault, then until the network has settled.
    network.scheduler.advance(10 * MINUTE);
    assert.equal(runUntilSettled(network, 20 * MINUTE).settled, true);
    const withdrawn = bgpRoutes(network.milestones, 'AlibabaVPC/VpnGateway_1', 'withdrawn').filter((b) => b.at >= 6 * MINUTE && b.at < 10 * MINUTE);
    assert.ok(withdrawn.some((b) => b.prefixes.includes('192.168.0.0/16')), 'withdrawn while Tunnel 1 is down');
    const vpc = fabricRoutes(network.milestones, 'AlibabaVPC/vRouter', '192.168.0.0/16');
    const during = vpc.filter((r) => r.at >= 6 * MINUTE && r.at < 10 * MINUTE);
    assert.deepEqual(during.map((r) => r.via), [['VpnGateway_2']], 'failed over to Tunnel 2 once');
    const relearned = bgpRoutes(network.milestones, 'AlibabaVPC/VpnGateway_1', 'learned').filter((b) => b.at >= 10 * MINUTE);
    assert.ok(relearned.some((b) => b.prefixes.includes('192.168.0.0/16')), 'learned again over Tunnel 1');
    assert.deepEqual(vpc.at(-1)?.via, ['VpnGateway_1'], 'back on Tunnel 1');
    assert.ok(vpc.at(-1)!.at >= 10 * MINUTE);
    const speaker = network.gateways.get('AlibabaVPC/VpnGateway_1')!.bgp!;
    assert.equal(peerRecords(speaker)[0]?.state, 'Established');
  });

  it('a user restores Tunnel 1 at 8m, before its BGP session has expired: up waits until the session that expires after the outage has reconnected', () => {
    const network = started();
    const target = parseTunnelTarget('AlibabaVPC/VpnGateway_1:IPsecConnection')!;
    network.scheduleFault(6 * MINUTE, target, false);
    network.scheduleFault(8 * MINUTE, target, true);
    network.scheduler.advance(8 * MINUTE);
    assert.equal(runUntilSettled(network, 20 * MINUTE).settled, true);
    const speaker = network.gateways.get('AlibabaVPC/VpnGateway_1')!.bgp!;
    assert.equal(peerRecords(speaker)[0]?.state, 'Established', 'reconnected after the hold timer expired');
    const summary = summarize(network);
    assert.deepEqual([summary.tunnels.up, summary.sessions.established, summary.failures.length], [2, 2, 0]);
    assert.deepEqual(fabricRoutes(network.milestones, 'AlibabaVPC/vRouter', '192.168.0.0/16').at(-1)?.via, ['VpnGateway_1'], 'back on Tunnel 1');
  });

  it('up shows each tunnel\'s TunnelBgpConfig as DescribeVpnConnections does, BgpStatus false while Tunnel 1 is cut', async () => {
    const rows = async (...faults: string[]): Promise<string[]> => {
      let out = '';
      const code = await main(['node', 'vpnlab', 'up', EXAMPLE, ...faults.flatMap((f) => ['--fault', f])], { out: (t) => { out += t; }, err: () => {} });
      assert.equal(code, 0);
      const table = out.slice(out.indexOf('Tunnel BGP (DescribeVpnConnections TunnelBgpConfig):'));
      return table.split('\n').slice(2, 4).map((l) => l.trim().split(/\s+/).join(' '));
    };
    assert.deepEqual(await rows(), [
      'IPsecConnection Tunnel 1 45104 169.254.21.1 169.254.21.0/30 65515 169.254.21.2 success',
      'IPsecConnection Tunnel 2 45104 169.254.22.1 169.254.22.0/30 65515 169.254.22.2 success',
    ]);
    const cut = await rows('6m:down:AlibabaVPC/VpnGateway_1:IPsecConnection');
    assert.deepEqual(cut.map((r) => r.split(' ').at(-1)), ['false', 'success']);
  });
});

describe('check pairs Alibaba tunnel BGP with the peer', () => {
  const codesAt = (edit: (doc: Json) => void): { code: string; path: string }[] =>
    load(edit, true).warnings.map((i) => ({ code: i.code, path: i.path ?? '' }));

  it('an Azure APIPA address that is not the other host of TunnelCidr is PAIR_BGP_PEER_ADDRESS at the TunnelCidr', () => {
    const found = codesAt((doc) => {
      doc.sites[1].azure.virtualNetworkGateways[0].bgpSettings.bgpPeeringAddresses[0].customBgpIpAddresses = ['169.254.21.6'];
      for (const c of doc.sites[1].azure.connections) c.gatewayCustomBgpIpAddresses[0].customBgpIpAddress = '169.254.21.6';
    });
    assert.ok(found.some((f) => f.code === 'PAIR_BGP_PEER_ADDRESS' && f.path === 'sites[0].alibaba.VpnConnections[0].TunnelOptionsSpecification[0].TunnelBgpConfig.TunnelCidr'),
      JSON.stringify(found));
  });

  it('a local network gateway bgpPeeringAddress that is not the tunnel\'s LocalBgpIp is PAIR_BGP_PEER_ADDRESS', () => {
    const found = codesAt((doc) => { doc.sites[1].azure.localNetworkGateways[1].bgpSettings.bgpPeeringAddress = '169.254.22.5'; });
    assert.ok(found.some((f) => f.code === 'PAIR_BGP_PEER_ADDRESS'), JSON.stringify(found));
  });

  it('a customer gateway Asn that is not the Azure gateway\'s ASN is reported at the customer gateway', () => {
    const found = codesAt((doc) => { doc.sites[0].alibaba.CustomerGateways[0].Asn = 65000; });
    assert.ok(found.some((f) => f.code === 'PAIR_PEER_ASN_MISMATCH' && f.path === 'sites[0].alibaba.CustomerGateways[0].Asn'), JSON.stringify(found));
  });

  it('the Azure side says Alibaba\'s ASN wrong: PAIR_ASN_MISMATCH at LocalAsn', () => {
    const found = codesAt((doc) => { doc.sites[1].azure.localNetworkGateways[0].bgpSettings.asn = 65001; });
    assert.ok(found.some((f) => f.code === 'PAIR_ASN_MISMATCH' && f.path === 'sites[0].alibaba.VpnConnections[0].TunnelOptionsSpecification[0].TunnelBgpConfig.LocalAsn'), JSON.stringify(found));
  });

  it('the example itself: no finding, Alibaba opens both sessions that Azure waits for', () => {
    assert.deepEqual(load(undefined, true).warnings.map((i) => i.code), []);
  });
});
