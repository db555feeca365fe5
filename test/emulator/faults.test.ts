import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { isEvent } from '../../src/emulator/events.js';
import { Network } from '../../src/emulator/network.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { parsePrefix, prefixEquals } from '../../src/net/address.js';
import { loadTopologyFile } from '../../src/platforms/load.js';

/*
 * Faults as a user schedules them with `vpnlab up --fault …`: one that happens while the gateways
 * are still settling, one whose consequences take longer than the quiet time to show, one that
 * asks for a state the target is already in.
 */

const ALIBABA = 'examples/alibaba-azure-dual-tunnel.yaml';
const RRAS = 'examples/rras-azure-bgp.yaml';

function network(file: string): Network {
  return new Network(loadTopologyFile(file).topology);
}

async function up(...args: string[]): Promise<string> {
  let out = '';
  let err = '';
  const code = await main(['node', 'vpnlab', 'up', ...args], { out: (t) => { out += t; }, err: (t) => { err += t; } });
  assert.equal(code, 0, err);
  return out;
}

function outages(out: string): { fromS: number; toS: number }[] {
  const clock = (t: string): number => t.split(':').reduce((s, p) => s * 60 + Number(p), 0);
  return [...out.matchAll(/^ {2}outage (\S+) - (\S+) /gm)].map((m) => ({ fromS: clock(m[1]!), toS: clock(m[2]!) }));
}

describe('a fault before the gateways have settled', () => {
  it('up --fault 20s:down:<tunnel> --fault 2m:up:<tunnel> --probe: the outage is reported from the fault to the recovery', async () => {
    const out = await up(RRAS, '--fault', '20s:down:OnPrem/RRAS2016:198.51.100.10', '--fault', '2m:up:OnPrem/RRAS2016:198.51.100.10', '--probe', 'pc:10.3.0.4');
    const found = outages(out);
    assert.equal(found.length, 1, out.slice(out.indexOf('\nProbe ')));
    assert.ok(found[0]!.fromS >= 20 && found[0]!.fromS <= 21, `the outage starts with the fault at 20 s, not at ${found[0]!.fromS} s`);
    assert.ok(found[0]!.toS >= 120, `the outage lasts until the path is restored at 2m, not ${found[0]!.toS} s`);
  });
});

describe('a fault whose consequences take longer than the quiet time', () => {
  it('up --fault 6m:down:<Alibaba tunnel 1>: the run lasts until DPD notices and the VPC has failed over to Tunnel 2', () => {
    const net = network(ALIBABA);
    net.scheduleFault(6 * 60_000, { kind: 'tunnel', name: 'AlibabaVPC/VpnGateway_1:IPsecConnection', instance: 'AlibabaVPC/VpnGateway_1', connection: 'IPsecConnection' }, false);
    net.scheduler.advance(6 * 60_000);
    const result = runUntilSettled(net, 60 * 60_000);
    assert.ok(result.settled);
    const vpc = parsePrefix('192.168.0.0/16');
    const failover = net.milestones.filter(isEvent('fabric-route')).find((m) => m.timeMs > 6 * 60_000 && m.node === 'AlibabaVPC/vRouter' && prefixEquals(m.prefix, vpc));
    assert.ok(failover !== undefined, 'the VPC route moved after the cut');
    assert.deepEqual(failover.via, [{ instance: 'VpnGateway_2' }]);
    assert.ok(net.milestones.some((m) => m.kind === 'child-sa-removed' && m.node === 'AlibabaVPC/VpnGateway_1' && m.timeMs > 6 * 60_000));
  });

  it('up --fault 2m:down:<RRAS tunnel>: the run lasts until the BGP hold timer has expired', () => {
    const net = network(RRAS);
    net.scheduleFault(2 * 60_000, { kind: 'tunnel', name: 'OnPrem/RRAS2016:198.51.100.10', instance: 'OnPrem/RRAS2016', connection: '198.51.100.10' }, false);
    net.scheduler.advance(2 * 60_000);
    runUntilSettled(net, 60 * 60_000);
    const sessions = net.milestones.filter(isEvent('bgp-session')).filter((m) => m.timeMs > 2 * 60_000 && m.node === 'OnPrem/RRAS2016');
    assert.ok(sessions.some((m) => m.from === 'Established' && m.reason.kind === 'hold-timer-expired'), JSON.stringify(sessions.map((s) => s.reason)));
  });
});

describe('a fault asking for the state the target is already in', () => {
  it('up --fault 2m:up:VNet1/VNet1GW on a running gateway: a no-op noted in the timeline, the sessions stay up', async () => {
    const net = network(RRAS);
    net.scheduleFault(2 * 60_000, { kind: 'node', name: 'VNet1/VNet1GW' }, true);
    net.scheduler.advance(2 * 60_000 + 1);
    runUntilSettled(net, 10 * 60_000);
    const faults = net.milestones.filter(isEvent('fault'));
    assert.deepEqual(faults.map((f) => [f.node, f.target.kind, f.up, f.unchanged]), [['VNet1/VNet1GW', 'node', true, true]]);
    assert.deepEqual(net.milestones.filter((m) => m.timeMs >= 2 * 60_000 && m.kind !== 'fault'), [], 'nothing else changes');
    const out = await up(RRAS, '--fault', '2m:up:VNet1/VNet1GW');
    assert.match(out, /VNet1\/VNet1GW {2}fault: node/);
  });

  it('a link or tunnel restored twice, or taken down twice: the second is a no-op', () => {
    const net = network(RRAS);
    const tunnel = { kind: 'tunnel', name: 'OnPrem/RRAS2016:198.51.100.10', instance: 'OnPrem/RRAS2016', connection: '198.51.100.10' } as const;
    net.scheduleFault(60_000, tunnel, true);
    net.scheduleFault(90_000, tunnel, false);
    net.scheduleFault(91_000, tunnel, false);
    net.scheduler.advance(92_000);
    assert.deepEqual(net.milestones.filter(isEvent('fault')).map((f) => [f.up, f.unchanged]), [[true, true], [false, false], [false, true]]);
  });
});
