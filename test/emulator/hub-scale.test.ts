import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { branchName, hubTopology } from '../../bench/hub.js';
import { main } from '../../src/cli/main.js';
import { Network } from '../../src/emulator/network.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { summarize } from '../../src/emulator/summary.js';
import { loadTopologyFile } from '../../src/platforms/load.js';

/*
 * `vpnlab up` on a hub-and-spoke network of 200 RRAS branches (bench/hub.ts, two Azure hubs of
 * 100): every tunnel and BGP session comes up, and what `up` prints fits one screen.
 */

const dir = mkdtempSync(join(tmpdir(), 'vpnlab-hub-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function hubFile(branches: number): string {
  const file = join(dir, `hub-${branches}.yaml`);
  writeFileSync(file, hubTopology(branches));
  return file;
}

async function up(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'vpnlab', 'up', ...args], { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

describe('vpnlab up on a 200-branch hub', () => {
  it('brings every tunnel and BGP session up and prints a summary that fits one screen', async () => {
    const { code, out, err } = await up(hubFile(200));
    assert.equal(code, 0);
    assert.equal(err, '');
    const lines = out.trimEnd().split('\n');
    assert.ok(lines.length <= 50, `${lines.length} lines`);
    assert.match(lines[0]!, /^hub-200: /);
    assert.equal(lines[1], '202 sites: 200 of 200 tunnels up, 200 of 200 BGP sessions established');
  });
});

describe('vpnlab up on a small hub', () => {
  it('--show prints the events and views of the sites named, and only theirs', async () => {
    const file = hubFile(12);
    const { code, out } = await up(file, '--show', branchName(3), '--show', 'Hub0');
    assert.equal(code, 0);
    assert.match(out, /== B0003\/RRAS: /);
    assert.match(out, /== Hub0\/Hub0GW: /);
    assert.doesNotMatch(out, /B0004\/RRAS/);
  });

  it('--show of a site the file does not have is a usage error', async () => {
    const { code, err } = await up(hubFile(12), '--show', 'Nowhere');
    assert.equal(code, 1);
    assert.match(err, /Nowhere/);
  });

  it('counts a tunnel cut for good as down, with the IKE failure that keeps it down', () => {
    const loaded = loadTopologyFile(hubFile(3));
    const network = new Network(loaded.topology, undefined, { resolved: loaded.network });
    network.scheduleFault(60_000, { kind: 'tunnel', name: 'B0001/RRAS:198.51.100.10', instance: 'B0001/RRAS', connection: '198.51.100.10' }, false);
    network.scheduler.advance(60_000);
    runUntilSettled(network, 30 * 60_000);
    const summary = summarize(network);
    assert.deepEqual(summary.tunnels, { up: 2, expected: 3 });
    assert.deepEqual(summary.sessions, { established: 2, expected: 3 });
    // Either end of the tunnel and the session names branch 1: its RRAS, or the hub's connection to it.
    assert.deepEqual(summary.failures.map((f) => f.kind).sort(), ['bgp-not-established', 'tunnel-down']);
    for (const f of summary.failures) assert.ok(f.end.instance === 'B0001/RRAS' || f.end.name === 'B0001', JSON.stringify(f.end));
    const tunnel = summary.failures.find((f) => f.kind === 'tunnel-down');
    assert.ok(tunnel?.kind === 'tunnel-down' && tunnel.reason !== undefined);
  });
});
