import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseIpv4 } from '../../src/net/address.js';
import { IcmpType, UnreachableCode } from '../../src/net/icmp.js';
import { Network } from '../../src/emulator/network.js';
import { runPing, runTraceroute } from '../../src/emulator/session.js';
import { renderPing } from '../../src/cli/render/ping.js';
import { renderTraceroute } from '../../src/cli/render/traceroute.js';
import { parseTopology } from '../../src/platforms/load.js';

/*
 *   pc-a ─(0.1)─ ra ──(5 ms)── rb ──(10 ms)── rc ─(0.1)─ pc-c
 *                               └─(0.1)─ pc-b (windows)
 */
const TOPOLOGY = parseTopology(readFileSync('examples/three-sites.yaml', 'utf8'), 'three-sites.yaml').topology;

function network(seed = 1): Network {
  return new Network(TOPOLOGY, seed);
}

describe('three sites joined by static routes', () => {
  it('pings end to end with the TTL and round trip the links imply', () => {
    const run = runPing(network(), 'pc-a', '10.3.1.10', 4);
    assert.equal(run.ping.events.length, 4);
    for (const e of run.ping.events) {
      assert.equal(e.kind, 'reply');
      if (e.kind !== 'reply') continue;
      assert.equal(e.ttl, 64 - 3, 'linux replier, three routers on the way back');
      // Two LAN hops of 0.1 ms and links of 5 and 10 ms, both ways.
      assert.ok(Math.abs(e.rttMs - 2 * (0.1 + 5 + 10 + 0.1)) < 1e-9, `rtt ${e.rttMs}`);
    }
    const text = renderPing(run.style, run.dst, run.ping, run.size);
    assert.match(text, /^PING 10\.3\.1\.10 \(10\.3\.1\.10\) 56\(84\) bytes of data\.$/m);
    assert.match(text, /^64 bytes from 10\.3\.1\.10: icmp_seq=1 ttl=61 time=30\.4 ms$/m);
    assert.match(text, /^4 packets transmitted, 4 received, 0% packet loss, time \d+ms$/m);
  });

  it('prints Windows ping output with TTL 62 from a Linux host two routers away', () => {
    const run = runPing(network(), 'pc-b', 'pc-a', 2);
    const text = renderPing(run.style, run.dst, run.ping, run.size);
    assert.match(text, /^Pinging 10\.1\.1\.10 with 32 bytes of data:$/m);
    assert.match(text, /^Reply from 10\.1\.1\.10: bytes=32 time=10ms TTL=62$/m);
    assert.match(text, /Packets: Sent = 2, Received = 2, Lost = 0 \(0% loss\),/);
  });

  it('traceroute lists each router and then the destination', () => {
    const run = runTraceroute(network(), 'pc-a', 'pc-c');
    const hops = run.trace.hops.map((h) => h.probes.map((p) => (p.kind === 'reply' ? p.from : 'timeout')));
    const expected = ['10.1.1.1', '172.16.0.2', '172.16.0.6', '10.3.1.10'].map(parseIpv4);
    assert.deepEqual(hops, expected.map((a) => [a, a, a]));
    const text = renderTraceroute(run.style, run.dst, run.trace, run.maxHops);
    assert.match(text, /^ 2 {2}172\.16\.0\.2 \(172\.16\.0\.2\) {2}10\.200 ms {2}10\.200 ms {2}10\.200 ms$/m);
  });

  it('tracert from Windows uses ICMP echo and ends with the destination', () => {
    const run = runTraceroute(network(), 'pc-b', 'pc-c');
    const text = renderTraceroute(run.style, run.dst, run.trace, run.maxHops);
    assert.match(text, /^ {2}1 {4}<1 ms {4}<1 ms {4}<1 ms {2}10\.2\.1\.1$/m);
    assert.match(text, /^ {2}3 {4}20 ms {4}20 ms {4}20 ms {2}10\.3\.1\.10$/m);
    assert.match(text, /Trace complete\./);
  });

  it('a link taken down makes the router on its near side answer Destination Net Unreachable', () => {
    const net = network();
    net.link('b-c').setUp(false);
    const run = runPing(net, 'pc-a', 'pc-c', 2);
    for (const e of run.ping.events) {
      assert.equal(e.kind, 'error');
      if (e.kind !== 'error') continue;
      assert.equal(e.from, parseIpv4('172.16.0.2'));
      assert.equal(e.icmpType, IcmpType.DestinationUnreachable);
      assert.equal(e.icmpCode, UnreachableCode.Net);
    }
    const text = renderPing(run.style, run.dst, run.ping, run.size);
    assert.match(text, /^From 172\.16\.0\.2 icmp_seq=1 Destination Net Unreachable$/m);
    assert.match(text, /^2 packets transmitted, 0 received, \+2 errors, 100% packet loss/m);
  });

  it('Windows counts the unreachable replies as received, as it really does', () => {
    const net = network();
    net.link('b-c').setUp(false);
    const run = runPing(net, 'pc-b', 'pc-c', 2);
    const text = renderPing(run.style, run.dst, run.ping, run.size);
    assert.match(text, /^Reply from 10\.2\.1\.1: Destination net unreachable\.$/m);
    assert.match(text, /Packets: Sent = 2, Received = 2, Lost = 0 \(0% loss\),/);
  });

  it('a router that is down leaves its neighbour unable to resolve it: Destination Host Unreachable', () => {
    const net = network();
    net.node('site-c/rc').ip.setUp(false);
    const run = runPing(net, 'pc-a', 'pc-c', 1);
    const e = run.ping.events[0]!;
    assert.equal(e.kind === 'error' && e.icmpCode, UnreachableCode.Host);
  });

  it('a fault scheduled in the file takes effect at its time and heals', () => {
    const text = readFileSync('examples/three-sites.yaml', 'utf8') + `
faults:
  - at: 1500ms
    link: a-b
    action: down
  - at: 2500ms
    link: a-b
    action: up
`;
    const net = new Network(parseTopology(text).topology, 1);
    const run = runPing(net, 'pc-a', 'pc-c', 4);
    // Requests leave at 0, 1, 2 and 3 s; the one sent at 2 s meets the cut link.
    assert.deepEqual(run.ping.events.map((e) => [e.seq, e.kind]), [[1, 'reply'], [2, 'reply'], [3, 'error'], [4, 'reply']]);
  });

  it('TTL exceeded comes from the router where the TTL runs out', () => {
    const net = network();
    const node = net.node('pc-a');
    const events: number[] = [];
    node.ip.addIcmpListener((m, d) => {
      if (m.kind === 'time-exceeded') events.push(d.packet.src);
    });
    node.ip.sendIcmp(parseIpv4('10.3.1.10'), { kind: 'echo-request', code: 0, identifier: 1, sequence: 1, data: new Uint8Array(8) }, { ttl: 2 });
    net.scheduler.run();
    assert.deepEqual(events, [parseIpv4('172.16.0.2')]);
  });
});

describe('MTU', () => {
  it('a 3000-byte ping is fragmented on the way and reassembled by the destination', () => {
    const text = readFileSync('examples/three-sites.yaml', 'utf8').replace('          - name: wan1\n', '          - name: wan1\n            mtu: 1000\n');
    const net = new Network(parseTopology(text).topology, 1);
    let fragments = 0;
    net.link('b-c').addTap((_t, p) => {
      if ((p[6]! & 0x20) !== 0 || p[7] !== 0) fragments++;
    });
    const run = runPing(net, 'pc-a', 'pc-c', 1, 3000);
    const e = run.ping.events[0]!;
    assert.equal(e.kind, 'reply');
    assert.equal(e.kind === 'reply' && e.bytes, 3000);
    // Request: pc-a sends 1500 + 1500 + 68 bytes; rb splits each 1500 into 996 + 524 for its
    // 1000-byte MTU and forwards the 68 as it is: 5 fragments on b-c. Reply: pc-c's 3 fragments.
    assert.equal(fragments, 5 + 3);
  });
});
