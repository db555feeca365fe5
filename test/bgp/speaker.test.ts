import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ErrorCode, OpenMessageSubcode } from '../../src/bgp/errors.js';
import type { TransitionReason } from '../../src/bgp/fsm-types.js';
import { BgpSpeaker, type SpeakerConfig } from '../../src/bgp/speaker.js';
import { formatPrefix, parseIpv4, parsePrefix } from '../../src/net/address.js';
import { Network } from '../../src/emulator/network.js';
import { parseTopology } from '../../src/platforms/load.js';

/*
 * BGP over the simulator's TCP through the emulated data plane: ra (AS 65001) ⇄ rb (AS 65002)
 * ⇄ rc (AS 65003) on the three-site example's links.
 */
const TOPOLOGY = parseTopology(readFileSync('examples/three-sites.yaml', 'utf8')).topology;

function lab() {
  const net = new Network(TOPOLOGY, 1);
  const speakers = new Map<string, BgpSpeaker>();
  const add = (node: string, config: SpeakerConfig): BgpSpeaker => {
    const n = net.node(node);
    const s = new BgpSpeaker(config, { transport: n.transport, clock: net.scheduler, rng: net.rng(`bgp:${node}`) });
    speakers.set(node, s);
    return s;
  };
  const ra = add('ra', {
    localAs: 65001, routerId: parseIpv4('10.1.1.1'), ebgpRequiresPolicy: false, networks: [parsePrefix('10.1.0.0/16')],
    neighbors: [{ address: parseIpv4('172.16.0.2'), asn: 65002 }],
  });
  const rb = add('rb', {
    localAs: 65002, routerId: parseIpv4('10.2.1.1'), ebgpRequiresPolicy: false, networks: [parsePrefix('10.2.0.0/16')],
    neighbors: [{ address: parseIpv4('172.16.0.1'), asn: 65001 }, { address: parseIpv4('172.16.0.6'), asn: 65003, passive: true }],
  });
  const rc = add('rc', {
    localAs: 65003, routerId: parseIpv4('10.3.1.1'), ebgpRequiresPolicy: false, networks: [parsePrefix('10.3.0.0/16')],
    neighbors: [{ address: parseIpv4('172.16.0.5'), asn: 65002 }],
  });
  return { net, ra, rb, rc };
}

function routes(s: BgpSpeaker): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of s.rib.destinations()) {
    if (d.best === undefined) continue;
    const path = d.best.attrs.asPath.flatMap((seg) => seg.asns).join(' ');
    out[formatPrefix(d.prefix)] = path;
  }
  return out;
}

describe('BGP speaker in the simulator', () => {
  it('establishes sessions (active and passive) and propagates routes with transit', () => {
    const { net, ra, rb, rc } = lab();
    for (const s of [ra, rb, rc]) s.start();
    net.scheduler.run({ until: 30_000 });
    assert.deepEqual(ra.neighbors.map((n) => n.state), ['Established']);
    assert.deepEqual(rb.neighbors.map((n) => n.state), ['Established', 'Established']);
    assert.deepEqual(routes(ra), { '10.1.0.0/16': '', '10.2.0.0/16': '65002', '10.3.0.0/16': '65002 65003' });
    assert.deepEqual(routes(rc), { '10.1.0.0/16': '65002 65001', '10.2.0.0/16': '65002', '10.3.0.0/16': '' });
    const viaRb = ra.rib.lookup(parsePrefix('10.3.0.0/16'))!.best!;
    assert.equal(viaRb.attrs.nextHop, parseIpv4('172.16.0.2'), 'next-hop-self at rb');
  });

  it('survives 3x the hold time idle on keepalives, and withdraws on a cut link after the hold time', () => {
    const { net, ra, rb, rc } = lab();
    for (const s of [ra, rb, rc]) s.start();
    net.scheduler.run({ until: 30_000 + 3 * 90_000 });
    assert.equal(ra.neighbors[0]!.state, 'Established');
    net.link('b-c').setUp(false);
    net.scheduler.run({ until: net.scheduler.now() + 100_000 });
    assert.notEqual(rb.neighbors[1]!.state, 'Established');
    assert.equal(routes(ra)['10.3.0.0/16'], undefined, 'withdrawn after rb lost rc');
    assert.equal(rb.neighbors[1]!.lastError?.kind, 'hold-timer-expired');
  });

  it('a wrong peer AS is refused with OPEN Message Error / Bad Peer AS', () => {
    const net = new Network(TOPOLOGY, 1);
    const mk = (node: string, config: SpeakerConfig) => {
      const n = net.node(node);
      return new BgpSpeaker(config, { transport: n.transport, clock: net.scheduler, rng: net.rng(node) });
    };
    const a = mk('ra', { localAs: 65001, routerId: 1, ebgpRequiresPolicy: false, neighbors: [{ address: parseIpv4('172.16.0.2'), asn: 65099 }] });
    const b = mk('rb', { localAs: 65002, routerId: 2, ebgpRequiresPolicy: false, neighbors: [{ address: parseIpv4('172.16.0.1'), asn: 65001 }] });
    a.start();
    b.start();
    net.scheduler.run({ until: 20_000 });
    // OPEN Message Error (2) / Bad Peer AS (2), sent by a and received by b.
    assert.deepEqual([a.neighbors[0]!.primary.lastNotificationSent?.code, a.neighbors[0]!.primary.lastNotificationSent?.subcode], [2, 2]);
    assert.deepEqual([b.neighbors[0]!.primary.lastNotificationReceived?.code, b.neighbors[0]!.primary.lastNotificationReceived?.subcode], [2, 2]);
    const badPeerAs = (r: TransitionReason) => 'code' in r && r.code === ErrorCode.OpenMessage && r.subcode === OpenMessageSubcode.BadPeerAs;
    const sent = a.neighbors[0]!.history.find((h) => h.reason.kind === 'open-rejected' && badPeerAs(h.reason));
    assert.ok(sent !== undefined, `a reports Bad Peer AS: ${JSON.stringify(a.neighbors[0]!.history)}`);
    assert.equal(sent.reason.kind === 'open-rejected' && sent.reason.notificationSent, true);
    const got = b.neighbors[0]!.history.find((h) => h.reason.kind === 'notification-received' && badPeerAs(h.reason));
    assert.ok(got !== undefined, `b reports the NOTIFICATION: ${JSON.stringify(b.neighbors[0]!.history)}`);
    assert.deepEqual(b.neighbors[0]!.lastError, { kind: 'notification-received', code: ErrorCode.OpenMessage, subcode: OpenMessageSubcode.BadPeerAs });
  });
});
