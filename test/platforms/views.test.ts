import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runningSite } from '../../src/emulator/running-site.js';
import { Network } from '../../src/emulator/network.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { parseTopology } from '../../src/platforms/load.js';
import {
  tunnelState, type CommandView, type IkeSaSummary, type PlatformView, type RunningInstance, type TableView,
} from '../../src/platforms/view.js';

/*
 * Each platform's views of the seed networks, as data: which blocks, which columns, and the states
 * in their rows. How they are laid out is the CLI's (test/platforms/transcripts.test.ts holds the bytes).
 */

const RRAS = 'examples/rras-azure-bgp.yaml';
const ALIBABA = 'examples/alibaba-azure-dual-tunnel.yaml';

function build(file: string): Network {
  return new Network(parseTopology(readFileSync(file, 'utf8')).topology);
}

function settled(file: string): Network {
  const network = build(file);
  assert.equal(runUntilSettled(network, 3_600_000).settled, true);
  return network;
}

function viewsOf(network: Network, siteName: string): PlatformView[] {
  const { adapter, ref } = network.resolved.sites.find((s) => s.ref.site.name === siteName)!;
  return adapter.views(ref, runningSite(network, siteName));
}

function command(views: PlatformView[], name: string): CommandView {
  const found = views.find((v): v is CommandView => v.kind === 'command' && v.command === name);
  assert.ok(found !== undefined, `${name} is among the views`);
  return found;
}

/** The rows of a view as records by column name. */
function records(view: CommandView | TableView): Record<string, unknown>[] {
  return view.rows.map((row) => Object.fromEntries(view.columns.map((c, i) => [c, row[i]])));
}

describe('RRAS views', () => {
  const network = settled(RRAS);
  const views = viewsOf(network, 'OnPrem');

  it('the server: Get-VpnS2SInterface, Get-BgpPeer and Get-BgpRouteInformation, in that order', () => {
    assert.deepEqual(views.map((v) => v.kind === 'command' ? `${v.shell}:${v.command}` : v.kind),
      ['heading', 'powershell:Get-VpnS2SInterface', 'powershell:Get-BgpPeer', 'powershell:Get-BgpRouteInformation']);
    assert.deepEqual(views[0], { kind: 'heading', subject: 'OnPrem/RRAS2016', title: 'Windows Server RRAS' });
  });

  it('the S2S interface to Azure is Connected, the BGP peer too, and Azure\'s routes are Best', () => {
    const s2s = command(views, 'Get-VpnS2SInterface');
    assert.deepEqual(s2s.columns, ['Name', 'Destination', 'AdminStatus', 'ConnectionState', 'IPv4Subnet']);
    assert.deepEqual(records(s2s).map((r) => [r['AdminStatus'], r['ConnectionState']]), [['True', 'Connected']]);
    const peers = records(command(views, 'Get-BgpPeer'));
    assert.deepEqual(peers.map((p) => [p['PeerName'], p['OperationMode'], p['ConnectivityStatus']]), [['AzureS2S', 'Mixed', 'Connected']]);
    const routes = records(command(views, 'Get-BgpRouteInformation'));
    assert.ok(routes.length > 0);
    assert.ok(routes.every((r) => r['LearnedFromPeer'] === 'AzureS2S' && r['State'] === 'Best'));
  });

  it('as it starts, the interface is Connecting (an IKE SA on its way) and the peer is not Connected', () => {
    const fresh = viewsOf(build(RRAS), 'OnPrem');
    assert.deepEqual(records(command(fresh, 'Get-VpnS2SInterface')).map((r) => r['ConnectionState']), ['Connecting']);
    assert.notEqual(records(command(fresh, 'Get-BgpPeer'))[0]!['ConnectivityStatus'], 'Connected');
  });
});

describe('Azure views', () => {
  it('VNet1: BgpSettingsText as a field, both connections Connected with bytes through, BGP peers with their durations', () => {
    const network = settled(RRAS);
    const views = viewsOf(network, 'VNet1');
    assert.deepEqual(views.map((v) => v.kind === 'command' ? v.command : v.kind), [
      'heading', 'field', 'Get-AzVirtualNetworkGatewayConnection', 'Get-AzVirtualNetworkGatewayBgpPeerStatus', 'Get-AzVirtualNetworkGatewayLearnedRoute',
    ]);
    const field = views[1]!;
    assert.ok(field.kind === 'field' && field.name === 'BgpSettingsText');
    assert.match(field.value, /"Asn": 65010/);
    const connections = records(command(views, 'Get-AzVirtualNetworkGatewayConnection'));
    assert.deepEqual(connections.map((c) => [c['Name'], c['ConnectionType'], c['ConnectionStatus'], c['TunnelsUp']]),
      [['VNet1ToSite5', 'IPsec', 'Connected', '1/1'], ['VNet1ToVNet2', 'Vnet2Vnet', 'Connected', '1/1']]);
    assert.ok(connections.every((c) => Number(c['EgressBytesTransferred']) > 0 && Number(c['IngressBytesTransferred']) > 0));
    const peers = records(command(views, 'Get-AzVirtualNetworkGatewayBgpPeerStatus'));
    assert.equal(peers.length, 2);
    for (const p of peers) {
      assert.equal(p['State'], 'Connected');
      // A duration stays a number of seconds; the CLI writes it.
      const duration = p['ConnectedDuration'] as { seconds: number };
      assert.equal(typeof duration.seconds, 'number');
      assert.ok(duration.seconds > 0);
    }
    const origins = records(command(views, 'Get-AzVirtualNetworkGatewayLearnedRoute')).map((r) => r['Origin']);
    assert.ok(origins.includes('Network') && origins.includes('EBgp'));
  });

  it('an active-active gateway counts its connection\'s tunnels over both instances', () => {
    const views = viewsOf(settled(ALIBABA), 'AzureVNet');
    const heading = views[0]!;
    assert.ok(heading.kind === 'heading' && heading.title.includes('active-active'));
    assert.ok(!views.some((v) => v.kind === 'field'), 'no BgpSettingsText without BGP');
    assert.deepEqual(records(command(views, 'Get-AzVirtualNetworkGatewayConnection')).map((c) => [c['ConnectionStatus'], c['TunnelsUp']]),
      [['Connected', '1/2'], ['Connected', '1/2']]);
  });
});

describe('Alibaba views', () => {
  const tables = (views: PlatformView[]): TableView[] => views.filter((v): v is TableView => v.kind === 'table');

  it('the dual-tunnel gateway: master tunnel carries, slave stands by, its policy route, then the VPC route table', () => {
    const views = viewsOf(settled(ALIBABA), 'AlibabaVPC');
    assert.deepEqual(views.map((v) => v.kind), ['heading', 'table', 'table', 'table']);
    const heading = views[0]!;
    assert.ok(heading.kind === 'heading' && heading.subject === 'AlibabaVPC/VpnGateway' && heading.title.includes('Normal'));
    const [tunnels, routes, vpc] = tables(views) as [TableView, TableView, TableView];
    assert.deepEqual(tunnels.columns, ['CONNECTION', 'TUNNEL', 'ROLE', 'LOCAL', 'REMOTE', 'STATE', 'CARRIES']);
    assert.deepEqual(records(tunnels).map((t) => [t['ROLE'], t['STATE'], t['CARRIES']]),
      [['master', 'ipsec_sa_established', 'active'], ['slave', 'ipsec_sa_established', 'standby']]);
    assert.deepEqual(records(routes).map((r) => [r['TYPE'], r['STATUS']]), [['policy', 'Published']]);
    assert.equal(vpc.caption, 'VPC route table (AlibabaVPC/vRouter)');
    assert.ok(records(vpc).some((r) => r['DESTINATION'] === '192.168.0.0/16' && String(r['NEXT HOP']).includes('(AlibabaVPC/VpnGateway_1)')));
  });

  it('while the gateway provisions it is Preparing and no tunnel is up', () => {
    const views = viewsOf(build(ALIBABA), 'AlibabaVPC');
    const heading = views[0]!;
    assert.ok(heading.kind === 'heading' && heading.title.includes('Preparing'));
    assert.ok(records(tables(views)[0]!).every((t) => t['STATE'] === 'ike_sa_not_established'));
  });

  it('the pre-shared keys Alibaba generated, named by connection and tunnel, for DescribeVpnConnection', () => {
    const text = readFileSync(ALIBABA, 'utf8').replace(/Psk: Tunnel[12]Key\w+/g, 'IkeVersion: ikev2');
    const network = new Network(parseTopology(text, ALIBABA, { keepCheckErrors: true }).topology);
    const generated = viewsOf(network, 'AlibabaVPC').filter((v) => v.kind === 'generated');
    assert.equal(generated.length, 1);
    assert.ok(generated[0]!.kind === 'generated' && generated[0]!.shownBy === 'DescribeVpnConnection');
    assert.deepEqual(generated[0]!.values.map((v) => [v.name, v.value.length]),
      [['IPsecConnection tunnel 1 pre-shared key', 16], ['IPsecConnection tunnel 2 pre-shared key', 16]]);
  });

  it('the master instance down: the vRouter sends through the slave', () => {
    const network = settled(ALIBABA);
    network.scheduleFault(network.scheduler.now() + 1, { kind: 'node', name: 'AlibabaVPC/VpnGateway_1' }, false);
    network.scheduler.advance(1_000);
    runUntilSettled(network, 3_600_000);
    const tunnels = records(tables(viewsOf(network, 'AlibabaVPC'))[0]!);
    assert.deepEqual(tunnels.map((t) => [t['STATE'], t['CARRIES']]), [['ike_sa_not_established', '-'], ['ipsec_sa_established', 'active']]);
  });

  it('up --fault 6m:down:<Tunnel 1>: the cut tunnel, redialling, is ike_sa_not_established and stands by for nothing', () => {
    const network = build(ALIBABA);
    network.scheduleFault(6 * 60_000, { kind: 'tunnel', name: 'AlibabaVPC/VpnGateway_1:IPsecConnection', instance: 'AlibabaVPC/VpnGateway_1', connection: 'IPsecConnection' }, false);
    network.scheduler.advance(8 * 60_000);
    const tunnels = records(tables(viewsOf(network, 'AlibabaVPC'))[0]!);
    assert.deepEqual(tunnels.map((t) => [t['TUNNEL'], t['STATE'], t['CARRIES']]),
      [['Tunnel 1', 'ike_sa_not_established', '-'], ['Tunnel 2', 'ipsec_sa_established', 'active']]);
  });
});

describe('tunnelState and sites without platform gateways', () => {
  const instance = (sas: IkeSaSummary[]): RunningInstance => ({
    plan: undefined as never, qualifiedName: 'site/gw', ready: true, bgp: undefined,
    ikeSas: () => sas, espBytes: () => ({ in: 0, out: 0 }),
  });

  it('up with an established IKE SA carrying a CHILD_SA; connecting while one is on its way; down otherwise', () => {
    assert.equal(tunnelState(instance([{ state: 'established', children: 1 }]), 'p'), 'up');
    assert.equal(tunnelState(instance([{ state: 'rekeyed', children: 1 }, { state: 'established', children: 1 }]), 'p'), 'up');
    assert.equal(tunnelState(instance([{ state: 'established', children: 0 }]), 'p'), 'connecting');
    assert.equal(tunnelState(instance([{ state: 'connecting', children: 0 }]), 'p'), 'connecting');
    assert.equal(tunnelState(instance([{ state: 'deleting', children: 1 }]), 'p'), 'down');
    assert.equal(tunnelState(instance([]), 'p'), 'down');
  });

  it('a Linux site has no views', () => {
    const network = build('examples/three-sites.yaml');
    for (const { adapter, ref } of network.resolved.sites.filter((s) => s.ref.site.platform === 'linux')) {
      assert.deepEqual(adapter.views(ref, runningSite(network, ref.site.name)), []);
    }
    assert.ok(network.topology.sites.some((s) => s.platform === 'linux'));
  });
});
