import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildProgram, main } from '../src/cli/main.js';
import { ikeDaemonJsonSchema } from '../src/ike/config/daemon-schema.js';
import { topologyJsonSchema } from '../src/topology/schema.js';
import { freshDir, startBgpDaemon } from './runtime/api-helpers.js';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'vpnlab', ...args], { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'vpnlab-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('vpnlab CLI', () => {
  it('check: ok on the example, exit 1 with located errors on a broken file', async () => {
    const ok = await run('check', 'examples/three-sites.yaml');
    assert.equal(ok.code, 0);
    assert.match(ok.out, /ok — 3 sites, 3 subnets, 3 hosts, 3 routers, 2 links/);

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync('examples/three-sites.yaml', 'utf8').replace('latency: 10ms', 'latncy: 10ms'));
    const r = await run('check', bad);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:5: error TOPO_UNKNOWN_FIELD: links\\[1\\]\\.latncy: unknown field 'latncy'$`, 'm'));
    assert.match(r.err, /did you mean 'latency'\?/);
    assert.match(r.err, /^1 error\(s\)$/m);
  });

  it('ping and traceroute print in the source OS style', async () => {
    const ping = await run('ping', 'examples/three-sites.yaml', '--from', 'pc-a', 'pc-c', '-c', '1');
    assert.equal(ping.code, 0);
    assert.match(ping.out, /icmp_seq=1 ttl=61 time=30\.4 ms/);
    const tracert = await run('tracert', 'examples/three-sites.yaml', '--from', 'pc-b', 'site-c/pc-c');
    assert.match(tracert.out, /^Tracing route to 10\.3\.1\.10 over a maximum of 30 hops$/m);
  });

  it('ping exits 1 when nothing answers, and unknown hosts are a clear error', async () => {
    const down = await run('ping', 'examples/three-sites.yaml', '--from', 'pc-a', 'pc-c', '-c', '1', '--down', 'b-c');
    assert.equal(down.code, 1);
    const unknown = await run('ping', 'examples/three-sites.yaml', '--from', 'pc-z', 'pc-c');
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /no node named 'pc-z'/);
  });

  it('--pcap writes a capture of the chosen link', async () => {
    const file = join(dir, 'a-b.pcap');
    await run('ping', 'examples/three-sites.yaml', '--from', 'pc-a', 'pc-c', '-c', '2', '--pcap', file, '--link', 'a-b');
    const bytes = readFileSync(file);
    assert.equal(bytes.readUInt32LE(0), 0xa1b2c3d4);
    assert.equal(bytes.length, 24 + 4 * (16 + 84), 'two requests and two replies of 84 bytes');
  });

  it('schema/topology.schema.json is the schema the code generates', async () => {
    const published = JSON.parse(readFileSync('schema/topology.schema.json', 'utf8'));
    assert.deepEqual(published, topologyJsonSchema(), 'regenerate with: npx vpnlab schema -o schema/topology.schema.json');
    const printed = await run('schema');
    assert.deepEqual(JSON.parse(printed.out), published);
  });

  it('schema/ike-daemon.schema.json is the schema the code generates', async () => {
    const published = JSON.parse(readFileSync('schema/ike-daemon.schema.json', 'utf8'));
    assert.deepEqual(published, ikeDaemonJsonSchema(), 'regenerate with: npx vpnlab ike schema -o schema/ike-daemon.schema.json');
    const printed = await run('ike', 'schema');
    assert.deepEqual(JSON.parse(printed.out), published);
  });
});

describe('vpnlab bgp|ike commands reach the daemon through its API socket', { timeout: 30_000 }, () => {
  /** Runs a command; resolves with the code of the error it threw, or undefined. */
  async function codeOf(...args: string[]): Promise<string | undefined> {
    try {
      await buildProgram({ out: () => {}, err: () => {} }).parseAsync(['node', 'vpnlab', ...args]);
      return undefined;
    } catch (e) {
      return (e as { code?: string }).code;
    }
  }

  it('--socket PATH, or --api URL with --token-file FILE', async () => {
    const folder = freshDir('cli-api');
    const lines: string[] = [];
    const daemon = await startBgpDaemon({ socket: join(folder, 'bgp.sock'), group: undefined, tcp: { address: '127.0.0.1', port: 0 } }, (l) => lines.push(l));
    try {
      const bySocket = await run('bgp', 'peers', '--socket', join(folder, 'bgp.sock'), '--format', 'json');
      assert.equal(bySocket.code, 0, bySocket.err);
      assert.equal((JSON.parse(bySocket.out) as { asn: number }[])[0]!.asn, 65002);
      const detail = await run('bgp', 'peers', '127.0.0.2', '--socket', join(folder, 'bgp.sock'));
      assert.match(detail.out, /^ {2}routes not sent \(cannot be encoded for this neighbour\): 0$/m, detail.out);
      const url = /(http:\/\/127\.0\.0\.1:\d+)\/api/.exec(lines.join('\n'))![1]!;
      const byTcp = await run('bgp', 'peers', '--api', url, '--token-file', join(folder, 'bgp.token'), '--format', 'json');
      assert.equal(byTcp.code, 0, byTcp.err);
      assert.equal(await codeOf('bgp', 'peers', '--api', url), 'ERR_USAGE', '--api without --token-file');
      assert.equal(await codeOf('bgp', 'peers', '--api', url, '--token-file', join(folder, 'bgp.token'), '--socket', join(folder, 'bgp.sock')), 'ERR_USAGE');
      writeFileSync(join(folder, 'wrong.token'), `${'0'.repeat(64)}\n`);
      assert.equal(await codeOf('bgp', 'peers', '--api', url, '--token-file', join(folder, 'wrong.token')), 'ERR_BGP_API_UNAUTHORIZED');
      assert.equal(await codeOf('bgp', 'routes', '10.0.0.0/33', '--socket', join(folder, 'bgp.sock')), 'ERR_BGP_API_BAD_PARAMETER');
    } finally {
      await daemon.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('no daemon on the socket: ERR_BGP_API_UNREACHABLE / ERR_IKE_API_UNREACHABLE, exit 1 with a message', async () => {
    assert.equal(await codeOf('bgp', 'peers', '--socket', join(dir, 'nothing.sock')), 'ERR_BGP_API_UNREACHABLE');
    assert.equal(await codeOf('ike', 'sas', '--socket', join(dir, 'nothing.sock')), 'ERR_IKE_API_UNREACHABLE');
    const r = await run('bgp', 'peers', '--socket', join(dir, 'nothing.sock'));
    assert.equal(r.code, 1);
    assert.match(r.err, /^vpnlab: cannot reach the BGP daemon's socket/);
  });

  it('check: an old `api: { address, port }` fails with what to write now', async () => {
    const file = join(dir, 'old-api.yaml');
    writeFileSync(file, 'localAsn: 65001\nrouterId: 10.0.0.1\napi: { address: 0.0.0.0, port: 8179 }\nneighbors: [{ address: 10.0.0.2, asn: 65002 }]\n');
    const r = await run('bgp', 'check', file);
    assert.equal(r.code, 1);
    assert.match(r.err, /:3:\d+: error: api\.address: the API no longer listens on an address and port/);
    assert.match(r.err, /tcp: \{ address: 127\.0\.0\.1, port: 8179 \}/);
  });
});
