import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Network } from '../../src/emulator/network.js';
import { runPing, runTraceroute } from '../../src/emulator/session.js';
import { parseTopology } from '../../src/platforms/load.js';

/** The three-site example with jitter and loss on the first link, so the seed matters. */
const LOSSY = readFileSync('examples/three-sites.yaml', 'utf8').replace('    latency: 5ms\n', '    latency: 5ms\n    jitter: 2ms\n    loss: 10%\n');
const TOPOLOGY = parseTopology(LOSSY, 'lossy.yaml').topology;
const dir = mkdtempSync(join(tmpdir(), 'vpnlab-pcap-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** One run: ping, traceroute and a TCP exchange, all captured on link a-b. */
function capture(seed: number): Uint8Array {
  const net = new Network(TOPOLOGY, seed);
  const writer = net.capture('a-b');
  runPing(net, 'pc-a', 'pc-c', 20);
  runTraceroute(net, 'pc-a', 'pc-c');
  const server = net.node('pc-c').transport;
  const received: number[] = [];
  server.listenTcp({ port: 179 }, (sock) => sock.setHandlers({ onData: (d) => received.push(d.length), onEnd: () => sock.end() }));
  const client = net.node('pc-a').transport.connectTcp({ remote: { address: net.node('pc-c').ip.addresses()[0]!, port: 179 } }, {
    onConnect: () => {
      client.write(new Uint8Array(20_000).fill(7));
      client.end();
    },
  });
  net.scheduler.run({ until: net.scheduler.now() + 600_000 });
  assert.equal(received.reduce((a, b) => a + b, 0), 20_000, 'TCP delivered everything despite the loss');
  return writer.bytes();
}

function tshark(args: string[]): string {
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('packet capture', () => {
  it('is byte-identical for the same file and seed, and differs for another seed', () => {
    const first = capture(7);
    const second = capture(7);
    assert.ok(first.length > 24 + 100 * 16, 'the capture holds packets');
    assert.deepEqual(first, second);
    assert.notDeepEqual(capture(8), first);
  });

  it('decodes in tshark with no malformed packets and no checksum warnings', () => {
    const file = join(dir, 'a-b.pcap');
    writeFileSync(file, capture(7));
    // Ask tshark to verify every checksum it knows (IPv4, ICMP, UDP, TCP) and print expert info.
    const prefs = ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE'];
    const packets = tshark(['-r', file, ...prefs, '-T', 'fields', '-e', 'frame.number', '-e', '_ws.col.Protocol']).trim().split('\n');
    const protocols = new Set(packets.map((l) => l.split('\t')[1]));
    for (const p of ['ICMP', 'UDP', 'TCP']) assert.ok(protocols.has(p), `capture contains ${p} (has ${[...protocols].join(', ')})`);
    const expert = tshark(['-r', file, ...prefs, '-Y', '_ws.malformed || (_ws.expert.severity >= warning && !tcp.analysis)', '-T', 'fields', '-e', 'frame.number', '-e', '_ws.expert.message']);
    assert.equal(expert.trim(), '', `tshark reports problems:\n${expert}`);
    const bad = tshark(['-r', file, ...prefs, '-Y', 'ip.checksum.status == "Bad" || icmp.checksum.status == "Bad" || udp.checksum.status == "Bad" || tcp.checksum.status == "Bad"']);
    assert.equal(bad.trim(), '');
    const good = tshark(['-r', file, ...prefs, '-Y', 'ip.checksum.status == "Good"', '-T', 'fields', '-e', 'frame.number']).trim().split('\n');
    assert.equal(good.length, packets.length, 'every IPv4 header checksum verified good');
  });
});
