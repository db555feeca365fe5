import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { main } from '../../src/cli/main.js';
import { ConfigError } from '../../src/config/issues.js';
import { isEvent } from '../../src/emulator/events.js';
import { Network } from '../../src/emulator/network.js';
import { parsePrefix, prefixEquals } from '../../src/net/address.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { parseTopology } from '../../src/platforms/load.js';

/*
 * Faults on the seed networks through `vpnlab up --fault … --probe …`: the Alibaba gateway fails
 * over to Tunnel 2 and back, the Azure active-active gateway keeps traffic on its surviving
 * instance, and on the RRAS seed a cut tunnel takes the BGP routes away and brings them back.
 */

async function up(...args: string[]): Promise<string> {
  let out = '';
  const code = await main(['node', 'vpnlab', 'up', ...args], { out: (t) => { out += t; }, err: () => {} });
  assert.equal(code, 0);
  return out;
}

/** The timeline lines (time, node, text) between two simulated times "hh:mm:ss". */
function events(out: string, from = '00:00:00', to = '99:99:99'): string[] {
  return out.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d{3} {2}/.test(l) && l.slice(0, 8) >= from && l.slice(0, 8) < to);
}

function probe(out: string): { summary: string; outages: string[] } {
  const lines = out.slice(out.indexOf('\nProbe ') + 1).split('\n');
  return { summary: lines[0]!, outages: lines.slice(1).filter((l) => l.startsWith('  outage')).map((l) => l.trim()) };
}

const ALIBABA = 'examples/alibaba-azure-dual-tunnel.yaml';
const RRAS = 'examples/rras-azure-bgp.yaml';

describe('faults on the seed networks', () => {
  it('Alibaba: Tunnel 1 cut at 6m, restored at 8m: the VPC fails over to Tunnel 2 and back; one outage until DPD notices', async () => {
    const out = await up(ALIBABA, '--fault', '6m:down:AlibabaVPC/VpnGateway_1:IPsecConnection', '--fault', '8m:up:AlibabaVPC/VpnGateway_1:IPsecConnection', '--probe', 'ecs:192.168.0.1');
    assert.ok(events(out).some((l) => l.endsWith('AlibabaVPC/VpnGateway_1:IPsecConnection  fault: tunnel down') && l.startsWith('00:06:00.000')));
    const during = events(out, '00:06:00', '00:08:00');
    assert.ok(during.some((l) => / {2}AlibabaVPC\/vRouter {2}192\.168\.0\.0\/16 via VpnGateway_2$/.test(l)), 'switched to Tunnel 2');
    const after = events(out, '00:08:00');
    assert.ok(after.some((l) => / {2}AlibabaVPC\/vRouter {2}192\.168\.0\.0\/16 via VpnGateway_1$/.test(l)), 'switched back to Tunnel 1');
    const { outages } = probe(out);
    assert.equal(outages.length, 1);
    const match = /^outage 00:06:00\.000 - 00:06:(\d\d)\.000 \((\d+\.\d) s, (\d+) lost\)$/.exec(outages[0]!);
    assert.ok(match !== null, outages[0]);
    assert.ok(Number(match[2]) <= 45, 'within DPD detection time (10 s idle + 30 s of retransmissions)');
  });

  it('Azure active-active: instance 1 fails at 6m: traffic stays on instance 0 without an outage, and both carry it again after 8m', async () => {
    const out = await up(ALIBABA, '--fault', '6m:down:AzureVNet/AzureVpnGateway_IN_1', '--fault', '8m:up:AzureVNet/AzureVpnGateway_IN_1', '--probe', 'vm:10.0.0.1');
    assert.ok(events(out, '00:06:00', '00:08:00').some((l) => / {2}AzureVNet\/vnet-router {2}10\.0\.0\.0\/16 via AzureVpnGateway_IN_0$/.test(l)));
    assert.ok(events(out, '00:08:00').some((l) => / {2}AzureVNet\/vnet-router {2}10\.0\.0\.0\/16 via AzureVpnGateway_IN_0, AzureVpnGateway_IN_1$/.test(l)));
    const { summary, outages } = probe(out);
    assert.deepEqual(outages, [], summary);
  });

  it('RRAS: the tunnel to Azure cut at 2m: BGP routes withdrawn once DPD removes the CHILD_SA (their next hop is unreachable, RFC 4271 §9.1.2), the session drops at the hold time, routes restored when the path returns at 10m', async () => {
    const out = await up(RRAS, '--fault', '2m:down:OnPrem/RRAS2016:198.51.100.10', '--fault', '10m:up:OnPrem/RRAS2016:198.51.100.10', '--probe', 'pc:10.5.0.4');
    const down = events(out, '00:02:00', '00:10:00');
    const withdrawn = down.findIndex((l) => l.endsWith('OnPrem/RRAS2016  BGP routes withdrawn: 10.3.0.0/16, 10.5.0.0/16, 10.5.1.254/32'));
    const holdExpired = down.findIndex((l) => l.endsWith('OnPrem/RRAS2016  BGP AzureS2S: Established -> Idle: Hold Timer Expired'));
    assert.ok(withdrawn >= 0 && holdExpired > withdrawn, 'routes go with the tunnel, before the hold timer expires');
    assert.ok(down.some((l) => l.endsWith('VNet2/VNet2GW  BGP routes withdrawn: 192.168.37.0/24')), 'VNet2 loses on-premises too');
    const back = events(out, '00:10:00');
    assert.ok(back.some((l) => / {2}OnPrem\/RRAS2016 {2}BGP routes learned: .*10\.3\.0\.0\/16 via 10\.3\.1\.254/.test(l)));
    assert.ok(back.some((l) => l.endsWith('VNet2/VNet2GW  BGP routes learned: 192.168.37.0/24 via 10.3.1.254')));
    const { outages } = probe(out);
    assert.equal(outages.length, 1);
    assert.match(outages[0]!, /^outage 00:02:00\.000 - 00:10:0\d\.000 /);
    // The tables printed at the end are those of a healthy network again.
    assert.match(out, /AzureS2S 192\.168\.37\.1 {3}10\.3\.1\.254 {4}65010 {3}Mixed {9}Connected/);
  });
});

describe('faults in the topology file', () => {
  const withFaults = (faults: string): string => `${readFileSync(ALIBABA, 'utf8')}\nfaults:\n${faults}`;

  it('a gateway instance and a tunnel can be named; the scenario runs as with --fault', () => {
    const { topology } = parseTopology(withFaults([
      '  - { at: 6m, tunnel: "AlibabaVPC/VpnGateway_1:IPsecConnection", action: down }',
      '  - { at: 8m, tunnel: "AlibabaVPC/VpnGateway_1:IPsecConnection", action: up }',
      '  - { at: 9m, node: AzureVNet/AzureVpnGateway_IN_1, action: down }',
    ].join('\n')));
    const network = new Network(topology);
    network.scheduler.advance(9 * 60_000 + 1);
    runUntilSettled(network, 10 * 60_000);
    const faults = network.milestones.filter(isEvent('fault')).map((m) => [m.node, m.target.kind, m.up]);
    assert.deepEqual(faults, [['AlibabaVPC/VpnGateway_1:IPsecConnection', 'tunnel', false], ['AlibabaVPC/VpnGateway_1:IPsecConnection', 'tunnel', true], ['AzureVNet/AzureVpnGateway_IN_1', 'node', false]]);
    const vpc = parsePrefix('192.168.0.0/16');
    assert.ok(network.milestones.some((m) => m.kind === 'fabric-route' && m.node === 'AlibabaVPC/vRouter' && prefixEquals(m.prefix, vpc)
      && m.via.length === 1 && 'instance' in m.via[0]! && m.via[0].instance === 'VpnGateway_2'));
  });

  it('an unknown tunnel or instance is a check error naming the known ones', () => {
    const bad = (): unknown => parseTopology(withFaults('  - { at: 6m, tunnel: "AlibabaVPC/VpnGateway_3:IPsecConnection", action: down }'));
    assert.throws(bad, (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.code === 'TOPO_UNKNOWN_TUNNEL' && (i.hint ?? '').includes('AlibabaVPC/VpnGateway_1')));
  });
});
