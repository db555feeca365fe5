import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ErrorCode, OpenMessageSubcode } from '../../src/bgp/errors.js';
import { describeEvent, formatEvent } from '../../src/cli/render/events.js';
import { isEvent, type EmulationEventBody, type EmulationEventKind } from '../../src/emulator/events.js';
import { Network } from '../../src/emulator/network.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { ExchangeType } from '../../src/ike/constants.js';
import { parseIpv4, parsePrefix } from '../../src/net/address.js';
import { parseTopology } from '../../src/platforms/load.js';

/*
 * The emulator's events are typed: tests and the API read kinds and fields; the words are made
 * in src/cli/render/events.ts (the transcripts test holds them for the seeds byte for byte).
 */

function settled(file: string): Network {
  const network = new Network(parseTopology(readFileSync(file, 'utf8')).topology);
  assert.ok(runUntilSettled(network, 30 * 60_000).settled);
  return network;
}

describe('emulation events', () => {
  it('the RRAS seed comes up as typed events: IKE SAs, tunnels, BGP sessions, routes', () => {
    const network = settled('examples/rras-azure-bgp.yaml');
    const kinds = new Set<EmulationEventKind>(network.milestones.map((m) => m.kind));
    for (const kind of ['ike-sa-up', 'tunnel-up', 'bgp-session', 'bgp-routes'] as const) assert.ok(kinds.has(kind), kind);
    assert.ok(!kinds.has('log'), 'log lines are not milestones');
    assert.ok(network.events.some((e) => e.kind === 'log' && e.source === 'bgp'));
    assert.ok(network.events.some((e) => e.kind === 'log' && e.source === 'ike'));
    for (const up of network.milestones.filter(isEvent('ike-sa-up'))) assert.equal(up.reason.kind, 'established', JSON.stringify(up));
    const sessions = network.milestones.filter(isEvent('bgp-session'));
    assert.ok(sessions.some((s) => s.node === 'OnPrem/RRAS2016' && s.neighbor === 'AzureS2S' && s.to === 'Established'), JSON.stringify(sessions));
    const learned = network.milestones.filter(isEvent('bgp-routes')).filter((r) => r.change === 'learned');
    assert.ok(learned.length > 0);
  });

  it('a fault and what the fabric does about it are events with their target and hops', () => {
    const network = settled('examples/alibaba-azure-dual-tunnel.yaml');
    const at = network.scheduler.now();
    network.scheduleFault(at + 1000, { kind: 'node', name: 'AlibabaVPC/VpnGateway_1' }, false);
    network.scheduler.advance(120_000);
    const after = network.milestones.filter((m) => m.timeMs > at);
    const fault = after.find(isEvent('fault'));
    assert.deepEqual(fault && { node: fault.node, target: fault.target, up: fault.up }, { node: 'AlibabaVPC/VpnGateway_1', target: { kind: 'node', name: 'AlibabaVPC/VpnGateway_1' }, up: false });
    const moved = after.filter(isEvent('fabric-route')).filter((m) => m.node === 'AlibabaVPC/vRouter');
    assert.ok(moved.some((m) => m.via.some((h) => 'instance' in h && h.instance === 'VpnGateway_2')), JSON.stringify(moved));
  });

  it('are put into words by the renderer only', () => {
    const prefix = parsePrefix('10.5.0.0/16');
    const cases: [EmulationEventBody, string][] = [
      [{ kind: 'fabric-route', prefix, via: [] }, '10.5.0.0/16: no gateway carries it any more'],
      [{ kind: 'fabric-route', prefix, via: [{ instance: 'GW_0' }, { address: parseIpv4('10.5.1.4') }] }, '10.5.0.0/16 via GW_0, 10.5.1.4'],
      [{ kind: 'bgp-session', neighbor: 'AzureS2S', from: 'OpenConfirm', to: 'Established', reason: { kind: 'keepalive-received' } }, 'BGP AzureS2S: OpenConfirm -> Established'],
      [{ kind: 'bgp-session', neighbor: 'AzureS2S', from: 'OpenSent', to: 'Idle', reason: { kind: 'notification-received', code: ErrorCode.OpenMessage, subcode: OpenMessageSubcode.BadPeerAs } },
        'BGP AzureS2S: OpenSent -> Idle: Received NOTIFICATION OPEN Message Error/Bad Peer AS'],
      [{ kind: 'bgp-routes', change: 'withdrawn', routes: [1, 2, 3, 4, 5, 6].map((n) => ({ address: (10 << 24) | (n << 16), length: 16 })) }, 'BGP routes withdrawn: 10.1.0.0/16, 10.2.0.0/16, 10.3.0.0/16, 10.4.0.0/16 and 2 more'],
      [{ kind: 'bgp-routes', change: 'learned', routes: [{ prefix, nextHop: parseIpv4('10.3.1.254') }] }, 'BGP routes learned: 10.5.0.0/16 via 10.3.1.254'],
      [{ kind: 'ike-sa-failed', ikeSa: 'x[1]', peer: 'x', reason: { kind: 'no-response', exchange: ExchangeType.IKE_SA_INIT, messageId: 0, retransmits: 5 }, expected: false },
        'IKE SA x[1] failed: giving up after 5 retransmits of IKE_SA_INIT request 0: peer not responding'],
      [{ kind: 'child-sa-removed', tunnel: 'net', inboundSpi: 0xc0000001, reason: { kind: 'deleted-by-peer' } }, 'tunnel net CHILD_SA c0000001 removed: deleted by the peer'],
      [{ kind: 'fault', target: { kind: 'link', name: 'wan' }, up: true, unchanged: false }, 'fault: link restored'],
      [{ kind: 'fault', target: { kind: 'node', name: 'VNet1/VNet1GW' }, up: true, unchanged: true }, 'fault: node already up: nothing changes'],
      [{ kind: 'provisioning', state: 'Preparing', ready: false }, 'Preparing'],
      [{ kind: 'log', source: 'bgp', line: 'AzureS2S: Idle -> Connect' }, 'BGP AzureS2S: Idle -> Connect'],
      [{ kind: 'log', source: 'ike', line: 'x[1]: sending IKE_SA_INIT' }, 'x[1]: sending IKE_SA_INIT'],
    ];
    for (const [event, words] of cases) assert.equal(describeEvent(event), words, event.kind);
    assert.equal(formatEvent({ ...cases[0]![0], timeMs: 3_723_004, node: 'VNet1/VNet1GW' }), '01:02:03.004  VNet1/VNet1GW  10.5.0.0/16: no gateway carries it any more');
  });
});
