/**
 * `vpnlab bgp run` — the daemon as a user starts it, from a config file, in its own process — next
 * to a real FRR, in the roles of the RRAS seed: vpnlab is the on-premises RRAS box (AS 65023, peer
 * "AzureS2S"), FRR plays Azure's VNET1 gateway (AS 65010) announcing VNET1, VNET2, VNET2's gateway
 * /32 and a default route that the import policy refuses.
 *
 *   FRR 127.0.179.121 (AS 65010)  ⇄  vpnlab bgp run 127.0.179.122 (AS 65023), API on a unix socket in the test's folder
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import type { PeerRecord, RouteRecord } from '../../src/bgp/views.js';
import { expectLines, startFrr, stopAll, type RunningPeer } from './peers.js';
import { waitFor } from './daemon.js';

const FRR = '127.0.179.121';
const VPNLAB = '127.0.179.122';

const config = (socket: string) => `
localAsn: 65023
routerId: 192.168.37.1
listen: { address: ${VPNLAB} }
api: { socket: ${socket} }
holdTime: 9
networks: [192.168.37.0/24]
policies:
  - name: from-azure
    statements:
      - name: no-default
        match: { prefix: ["0.0.0.0/0"] }
        result: reject
      - set: { localPref: 200 }
    default: reject
  - name: to-azure
    statements:
      - set: { nextHop: 198.51.100.122, prepend: 1 }
neighbors:
  - name: AzureS2S
    address: ${FRR}
    asn: 65010
    localAddress: ${VPNLAB}
    connectRetryTime: 1
    importPolicy: from-azure
    exportPolicy: to-azure
`;

/** Runs a `vpnlab` command in this process and returns what it printed. */
async function vpnlab(...args: string[]): Promise<string> {
  let out = '';
  let err = '';
  const code = await main(['node', 'vpnlab', ...args], { out: (t) => { out += t; }, err: (t) => { err += t; } });
  assert.equal(code, 0, `vpnlab ${args.join(' ')} failed: ${err}`);
  return out;
}

describe('vpnlab bgp run ⇄ FRR (the RRAS seed\'s roles)', { timeout: 90_000 }, () => {
  let dir: string;
  let socket: string;
  let daemon: ChildProcess | undefined;
  let output = '';
  let peers: RunningPeer[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vpnlab-bgpd-'));
    socket = join(dir, 'api', 'bgp.sock');
    writeFileSync(join(dir, 'bgpd.yaml'), config(socket));
    peers = [await startFrr({
      name: 'frr', routerId: '10.3.1.254', asn: 65010, address: FRR, holdTime: 9,
      neighbors: [{ address: VPNLAB, asn: 65023, nextHop: '198.51.100.121' }],
      announce: [{ prefix: '10.3.0.0/16' }, { prefix: '10.5.0.0/16' }, { prefix: '10.5.1.254/32' }, { prefix: '0.0.0.0/0' }],
    })];
    daemon = spawn(process.execPath, ['bin/vpnlab.js', 'bgp', 'run', join(dir, 'bgpd.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout!.on('data', (b: Buffer) => { output += b.toString(); });
    daemon.stderr!.on('data', (b: Buffer) => { output += b.toString(); });
  });

  after(async () => {
    if (daemon !== undefined && daemon.exitCode === null) daemon.kill('SIGKILL');
    await stopAll(peers);
    rmSync(dir, { recursive: true, force: true });
  });

  it('comes up: Get-BgpPeer shows AzureS2S Mixed Connected, FRR shows Established', async () => {
    const text = await waitFor('Connected', async () => {
      const t = await vpnlab('bgp', 'peers', '--socket', socket, '--format', 'rras');
      return t.includes('Connected') ? t : undefined;
    }, 30_000);
    assert.equal(text, [
      '',
      'PeerName LocalIPAddress PeerIPAddress PeerASN OperationMode ConnectivityStatus',
      '-------- -------------- ------------- ------- ------------- ------------------',
      `AzureS2S ${VPNLAB}  ${FRR} 65010   Mixed         Connected         `,
      '', '', '',
    ].join('\n'), `output of the daemon:\n${output}`);
    await expectLines(peers, [`frr :: @state ${VPNLAB} :: Established`], { timeoutMs: 10_000 });
  });

  it('learns the three routes, refuses the default route by policy (Get-BgpRouteInformation)', async () => {
    const text = await waitFor('three routes', async () => {
      const t = await vpnlab('bgp', 'routes', '--socket', socket, '--format', 'rras');
      return t.split('\n').filter((l) => l.includes('AzureS2S')).length === 3 ? t : undefined;
    }, 20_000);
    const rows = text.split('\n').filter((l) => l.includes('AzureS2S')).map((l) => l.trim().split(/\s+/));
    // FRR sends MED 0 on the routes it originates.
    assert.deepEqual(rows, [
      ['10.3.0.0/16', '198.51.100.121', 'AzureS2S', 'Best', '200', '0'],
      ['10.5.0.0/16', '198.51.100.121', 'AzureS2S', 'Best', '200', '0'],
      ['10.5.1.254/32', '198.51.100.121', 'AzureS2S', 'Best', '200', '0'],
    ]);
    const peers = JSON.parse(await vpnlab('bgp', 'peers', '--socket', socket, '--format', 'json')) as PeerRecord[];
    assert.equal(peers[0]!.prefixesAccepted, 3);
    assert.equal(peers[0]!.rejected.policy, 1, 'the default route is refused by from-azure');
    const routes = JSON.parse(await vpnlab('bgp', 'routes', '10.5.0.0/16', '--socket', socket, '--format', 'json')) as RouteRecord[];
    assert.deepEqual(routes.map((r) => r.prefix), ['10.5.0.0/16', '10.5.1.254/32']);
    assert.equal(routes[0]!.paths[0]!.asPath, '65010');
  });

  it('advertises its network with the export policy applied, as FRR shows it', async () => {
    await expectLines(peers, [
      'frr :: show bgp ipv4 unicast 192.168.37.0/24 json :: "string":"65023 65023"',
      'frr :: show bgp ipv4 unicast 192.168.37.0/24 json :: "ip":"198.51.100.122"',
    ], { timeoutMs: 15_000 });
  });

  it('resets a session on request and comes back', async () => {
    assert.match(await vpnlab('bgp', 'reset', 'AzureS2S', '--socket', socket), /AzureS2S: reset/);
    await expectLines(peers, [`frr :: @error ${VPNLAB} :: received 6/4`], { timeoutMs: 10_000 });
    await waitFor('Established again', async () => {
      const p = JSON.parse(await vpnlab('bgp', 'peers', '--socket', socket, '--format', 'json')) as PeerRecord[];
      return p[0]!.state === 'Established' ? true : undefined;
    }, 30_000);
  });

  it('on SIGTERM sends Cease / Administrative Shutdown and exits 0', async () => {
    const exited = new Promise<number | null>((resolve) => daemon!.once('exit', (code) => resolve(code)));
    daemon!.kill('SIGTERM');
    assert.equal(await exited, 0, output);
    await expectLines(peers, [`frr :: @error ${VPNLAB} :: received 6/2`], { timeoutMs: 10_000 });
    assert.match(output, /AzureS2S: session established/);
  });
});
