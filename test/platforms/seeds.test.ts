import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';

/*
 * The two seed documents, end to end through the CLI: `vpnlab up` prints what each gateway shows,
 * `vpnlab ping` what the document's ping printed. The expected lines are the documents' own
 * (shared/seeds/000_*.txt and 003_*.txt), in the layout Windows and Linux print them.
 */

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'vpnlab', ...args], { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

/** The rows of the PowerShell table printed after `PS C:\> <cmdlet>` in the first section about `node`. */
function psTable(output: string, node: string, cmdlet: string): string[] {
  const section = output.slice(output.indexOf(`== ${node}`));
  const start = section.indexOf(`PS C:\\> ${cmdlet}\n`);
  assert.ok(start >= 0, `${cmdlet} is printed for ${node}`);
  const lines = section.slice(start).split('\n').slice(2);
  const end = lines.indexOf('', 2);
  return lines.slice(0, end).map((l) => l.trimEnd());
}

const RRAS = 'examples/rras-azure-bgp.yaml';
const ALIBABA = 'examples/alibaba-azure-dual-tunnel.yaml';

describe('seed 000: Windows Server RRAS to Azure VNet1 (IKEv2 + BGP), VNet1 to VNet2', () => {
  it('vpnlab up: Get-BgpPeer and Get-BgpRouteInformation on the RRAS server as the document prints them', async () => {
    const { code, out } = await run('up', RRAS);
    assert.equal(code, 0);
    assert.deepEqual(psTable(out, 'OnPrem/RRAS2016', 'Get-BgpPeer'), [
      'PeerName LocalIPAddress PeerIPAddress PeerASN OperationMode ConnectivityStatus',
      '-------- -------------- ------------- ------- ------------- ------------------',
      'AzureS2S 192.168.37.1   10.3.1.254    65010   Mixed         Connected',
    ]);
    assert.deepEqual(psTable(out, 'OnPrem/RRAS2016', 'Get-BgpRouteInformation'), [
      'DestinationNetwork NextHop    LearnedFromPeer State LocalPref MED',
      '------------------ -------    --------------- ----- --------- ---',
      '10.3.0.0/16        10.3.1.254 AzureS2S        Best',
      '10.5.0.0/16        10.3.1.254 AzureS2S        Best',
      '10.5.1.254/32      10.3.1.254 AzureS2S        Best',
    ]);
    assert.deepEqual(psTable(out, 'OnPrem/RRAS2016', 'Get-VpnS2SInterface').slice(2), [
      '198.51.100.10 {198.51.100.10} True        Connected       {}',
    ]);
  });

  it('vpnlab up: VNet1 shows BgpSettingsText, both connections connected, on-premises and VNet2 routes learned by BGP', async () => {
    const { out } = await run('up', RRAS);
    assert.match(out, /BgpSettingsText : \{ "Asn": 65010, "BgpPeeringAddress": "10\.3\.1\.254", "PeerWeight": 0 \}/);
    const connections = psTable(out, 'VNet1/VNet1GW', 'Get-AzVirtualNetworkGatewayConnection').slice(2).map((l) => l.split(/\s+/).slice(0, 4));
    assert.deepEqual(connections, [['VNet1ToSite5', 'IPsec', 'Connected', '1/1'], ['VNet1ToVNet2', 'Vnet2Vnet', 'Connected', '1/1']]);
    const learned = psTable(out, 'VNet1/VNet1GW', 'Get-AzVirtualNetworkGatewayLearnedRoute').slice(2)
      .map((l) => [l.split(/\s+/)[1], / (Network|EBgp) /.exec(l)?.[1]]);
    assert.deepEqual(learned, [
      ['10.3.0.0/16', 'Network'], ['10.5.0.0/16', 'EBgp'], ['10.5.1.254/32', 'Network'], ['192.168.37.0/24', 'EBgp'], ['192.168.37.1/32', 'Network'],
    ]);
    // VNet2 learns on-premises through VNet1 (transit): AS path 65010 65023.
    const vnet2 = psTable(out, 'VNet2/VNet2GW', 'Get-AzVirtualNetworkGatewayLearnedRoute').find((l) => l.includes('192.168.37.0/24'));
    assert.match(vnet2 ?? '', /192\.168\.37\.0\/24 10\.3\.1\.254 10\.3\.1\.254 EBgp {4}65010 65023/);
  });

  it('vpnlab ping from the on-premises PC: TTL=126 from the VM in VNet1 (10.3.0.4)', async () => {
    const { code, out } = await run('ping', RRAS, '10.3.0.4', '--from', 'pc');
    assert.equal(code, 0);
    const replies = out.split('\n').filter((l) => l.startsWith('Reply from'));
    assert.deepEqual(replies, Array(4).fill('Reply from 10.3.0.4: bytes=32 time=5ms TTL=126'));
    assert.match(out, /Packets: Sent = 4, Received = 4, Lost = 0 \(0% loss\)/);
  });

  it('vpnlab ping from the on-premises PC: TTL=61 from the VM in VNet2 (10.5.0.4), through VNet1', async () => {
    const { out } = await run('ping', RRAS, '10.5.0.4', '--from', 'pc');
    const replies = out.split('\n').filter((l) => l.startsWith('Reply from'));
    assert.deepEqual(replies, Array(4).fill('Reply from 10.5.0.4: bytes=32 time=9ms TTL=61'));
  });

  it('vpnlab up --from-scratch: the Azure gateways provision for 30-45 simulated minutes, RRAS keeps redialling, then the same tables', async () => {
    const { code, out } = await run('up', RRAS, '--from-scratch');
    assert.equal(code, 0);
    for (const gw of ['VNet1/VNet1GW', 'VNet2/VNet2GW']) {
      assert.match(out, new RegExp(`^00:00:00\\.000 {2}${gw} {2}ProvisioningState Updating$`, 'm'));
      const done = new RegExp(`^00:(\\d\\d):\\d\\d\\.\\d{3} {2}${gw} {2}ProvisioningState Succeeded$`, 'm').exec(out);
      assert.ok(done !== null && Number(done[1]) >= 30 && Number(done[1]) < 45, `${gw} provisioned in 30-45 min`);
    }
    assert.deepEqual(psTable(out, 'OnPrem/RRAS2016', 'Get-BgpRouteInformation').slice(2).map((l) => l.split(/\s+/).slice(0, 4).join(' ')), [
      '10.3.0.0/16 10.3.1.254 AzureS2S Best', '10.5.0.0/16 10.3.1.254 AzureS2S Best', '10.5.1.254/32 10.3.1.254 AzureS2S Best',
    ]);
  });

  it('VNet2 reaches on-premises with no extra configuration', async () => {
    const { code, out } = await run('ping', RRAS, '192.168.37.10', '--from', 'vm2', '-c', '2');
    assert.equal(code, 0);
    assert.match(out, /2 packets transmitted, 2 received, 0% packet loss/);
  });
});

describe('seed 003: Alibaba Cloud dual-tunnel VPN gateway to an Azure active-active gateway', () => {
  it('vpnlab up: the gateway goes Preparing -> Normal, then both tunnels are up, Tunnel 1 active', async () => {
    const { code, out } = await run('up', ALIBABA);
    assert.equal(code, 0);
    const preparing = out.match(/^(\d\d:\d\d:\d\d\.\d{3}) {2}AlibabaVPC\/VpnGateway_1 {2}Normal$/m);
    assert.ok(preparing !== null, 'the Normal state is in the timeline');
    const minutes = Number(preparing[1]!.slice(3, 5)) + Number(preparing[1]!.slice(6)) / 60;
    assert.ok(minutes >= 1 && minutes <= 5, `Preparing lasted ${minutes} min`);
    assert.match(out, /IPsecConnection {2}Tunnel 1 {2}master {2}192\.0\.2\.130 {2}198\.51\.100\.224 {2}ipsec_sa_established {2}active/);
    assert.match(out, /IPsecConnection {2}Tunnel 2 {2}slave {3}192\.0\.2\.75 {3}198\.51\.100\.166 {2}ipsec_sa_established {2}standby/);
    assert.match(out, /policy {2}10\.0\.0\.0\/16 {2}192\.168\.0\.0\/16 {2}IPsecConnection {2}Published/);
    // Azure: each connection's instance facing the right Alibaba address is up; the crossed pair cannot be (one customer gateway per address).
    const connections = psTable(out, 'AzureVNet/AzureVpnGateway', 'Get-AzVirtualNetworkGatewayConnection').slice(2).map((l) => l.split(/\s+/).slice(0, 4));
    assert.deepEqual(connections, [['ToAlibabaTunnel1', 'IPsec', 'Connected', '1/2'], ['ToAlibabaTunnel2', 'IPsec', 'Connected', '1/2']]);
  });

  it('vpnlab ping from the Azure VM 192.168.0.1 to the ECS 10.0.0.1 gets replies', async () => {
    const { code, out } = await run('ping', ALIBABA, '10.0.0.1', '--from', 'vm');
    assert.equal(code, 0);
    const replies = out.split('\n').filter((l) => l.startsWith('64 bytes from'));
    assert.equal(replies.length, 4);
    for (const line of replies) assert.match(line, /^64 bytes from 10\.0\.0\.1: icmp_seq=\d ttl=62 time=20\.8 ms$/);
  });

  it('with the policy route unpublished the ping times out, and the VPC route table shows why', async () => {
    const { code, out } = await run('ping', 'examples/alibaba-azure-policy-route-unpublished.yaml', '10.0.0.1', '--from', 'vm', '-c', '2');
    assert.equal(code, 1);
    assert.match(out, /2 packets transmitted, 0 received, 100% packet loss/);
    assert.match(out, /AlibabaVPC\/vRouter: 2 packet\(s\) 10\.0\.0\.1 -> 192\.168\.0\.1 \(AzureVNet\/vm\): no route to the destination/);
    const table = out.slice(out.indexOf('Route table of AlibabaVPC/vRouter:')).split('\n').slice(1).filter((l) => l !== '');
    assert.deepEqual(table, ['10.0.0.0/24 dev vsw-a proto kernel scope link src 10.0.0.253', '10.0.1.0/24 dev vsw-b proto kernel scope link src 10.0.1.253']);
  });
});
