import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { ikeDaemonJsonSchema } from '../src/ike/config/daemon-schema.js';
import { topologyJsonSchema } from '../src/topology/schema.js';

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
    assert.match(r.err, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:5: error: links\\[1\\]\\.latncy: unknown field 'latncy'$`, 'm'));
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
