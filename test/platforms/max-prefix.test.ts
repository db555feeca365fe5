import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { CeaseSubcode, ErrorCode } from '../../src/bgp/errors.js';
import { main } from '../../src/cli/main.js';
import { isEvent } from '../../src/emulator/events.js';
import { Network } from '../../src/emulator/network.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { formatPrefix } from '../../src/net/address.js';
import { parseTopology } from '../../src/platforms/load.js';

/*
 * Issue 13 defect 1: the RRAS seed with RRAS advertising 4,001 prefixes (its LAN and 4,000 more
 * with Add-BgpCustomRoute -Network), one over what Azure accepts from a peer. Azure drops the BGP
 * session (Cease / Maximum Number of Prefixes Reached, RFC 4486) and the routes it had learned on
 * it; the IPsec connection stays Connected. The run goes on and shows that, through the same code
 * `vpnlab up --force` and `vpnlab ping --force` run.
 */

const SEED = 'examples/rras-azure-bgp.yaml';
/** 4,000 /24s from 172.16.0.0: with the LAN (192.168.37.0/24), 4,001 prefixes. */
const EXTRA = Array.from({ length: 4000 }, (_, i) => `172.${16 + (i >> 8)}.${i & 0xff}.0/24`);

function overLimit(): string {
  const doc = parse(readFileSync(SEED, 'utf8')) as { sites: { name: string; rras?: { BgpCustomRoutes: unknown[] } }[] };
  const onPrem = doc.sites.find((s) => s.name === 'OnPrem')!;
  onPrem.rras!.BgpCustomRoutes.push({ Network: EXTRA });
  return stringify(doc);
}

async function run(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(['node', 'vpnlab', ...args], { out: (t) => { out += t; }, err: () => {} });
  return { code, out };
}

/** The rows of the PowerShell table printed after `PS C:\> <cmdlet>` in the section about `node`. */
function psTable(output: string, node: string, cmdlet: string): string[] {
  const section = output.slice(output.indexOf(`== ${node}`));
  const start = section.indexOf(`PS C:\\> ${cmdlet}\n`);
  assert.ok(start >= 0, `${cmdlet} is printed for ${node}`);
  const lines = section.slice(start).split('\n').slice(2);
  return lines.slice(0, lines.indexOf('', 2)).map((l) => l.trimEnd());
}

describe('RRAS advertising 4,001 prefixes to Azure (issue 13, defect 1)', () => {
  let dir = '';
  let file = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vpnlab-max-prefix-'));
    file = join(dir, 'rras-azure-bgp-4001.yaml');
    writeFileSync(file, overLimit());
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the run goes on: Azure ends the session with Cease/Maximum Number of Prefixes Reached, RRAS hears it, every learned route is withdrawn', () => {
    const { topology } = parseTopology(overLimit(), 'rras-azure-bgp-4001.yaml', { keepCheckErrors: true });
    const network = new Network(topology);
    runUntilSettled(network, 10 * 60_000);

    const sessions = network.milestones.filter(isEvent('bgp-session'));
    const azureDown = sessions.filter((e) => e.node === 'VNet1/VNet1GW' && e.neighbor === 'VNet1ToSite5' && e.from === 'Established');
    assert.ok(azureDown.length > 0, 'the session came up and went down');
    for (const e of azureDown) {
      assert.deepEqual([e.to, e.reason], ['Idle', { kind: 'auto-stop', subcode: CeaseSubcode.MaximumNumberOfPrefixesReached }]);
    }
    const rrasDown = sessions.filter((e) => e.node === 'OnPrem/RRAS2016' && e.from === 'Established');
    assert.ok(rrasDown.length > 0);
    for (const e of rrasDown) {
      assert.deepEqual(e.reason, { kind: 'notification-received', code: ErrorCode.Cease, subcode: CeaseSubcode.MaximumNumberOfPrefixesReached });
    }

    const azure = network.gateways.get('VNet1/VNet1GW')!.bgp!;
    const neighbor = azure.neighbor('VNet1ToSite5')!;
    assert.equal(neighbor.state, 'Idle');
    assert.deepEqual(neighbor.lastError, { kind: 'auto-stop', subcode: CeaseSubcode.MaximumNumberOfPrefixesReached });
    const fromOnPrem = [...azure.rib.destinations()].filter((d) => d.paths.some((p) => p.route.source.id === 'VNet1ToSite5')).map((d) => formatPrefix(d.prefix));
    assert.deepEqual(fromOnPrem, [], 'nothing learned from RRAS stays in VNet1GW\'s RIB');
    // Nor anything of on-premises at VNet2 (it had them by transit through VNet1 while the session was up).
    const vnet2 = network.gateways.get('VNet2/VNet2GW')!.bgp!;
    assert.equal(vnet2.rib.lookup({ address: (192 << 24 | 168 << 16 | 37 << 8) >>> 0, length: 24 }), undefined);
    // The IPsec tunnel under it is up.
    assert.ok(network.milestones.some((m) => m.kind === 'tunnel-up' && m.node === 'VNet1/VNet1GW' && m.tunnel === 'VNet1ToSite5'));
  });

  it('vpnlab up: the connection is still Connected, the BGP peer is not, RRAS has no route from Azure', async () => {
    const { code, out } = await run('up', '--force', file);
    assert.equal(code, 0);
    const connections = psTable(out, 'VNet1/VNet1GW', 'Get-AzVirtualNetworkGatewayConnection').slice(2).map((l) => l.split(/\s+/).slice(0, 4));
    assert.deepEqual(connections.find((c) => c[0] === 'VNet1ToSite5'), ['VNet1ToSite5', 'IPsec', 'Connected', '1/1']);
    const peer = psTable(out, 'VNet1/VNet1GW', 'Get-AzVirtualNetworkGatewayBgpPeerStatus').slice(2).map((l) => l.split(/\s+/)).find((r) => r[1] === '192.168.37.1');
    assert.ok(peer !== undefined);
    assert.notEqual(peer[3], 'Connected');
    const rras = psTable(out, 'OnPrem/RRAS2016', 'Get-BgpPeer').slice(2).map((l) => l.split(/\s+/));
    assert.equal(rras.length, 1);
    assert.notEqual(rras[0]![5], 'Connected');
    assert.deepEqual(psTable(out, 'OnPrem/RRAS2016', 'Get-BgpRouteInformation').slice(2), []);
    // (assert.ok, not assert.match: the output is megabytes of route lines.)
    assert.ok(/VNet1\/VNet1GW {2}BGP VNet1ToSite5: Established -> Idle: Automatic stop \(Cease\/Maximum Number of Prefixes Reached\)/.test(out), 'the timeline says why the session ended');
  });

  it('vpnlab ping from the VM in VNet1 to the on-premises PC fails, and VNet1\'s route table shows why (no route to 192.168.37.0/24)', async () => {
    const { out } = await run('ping', '--force', file, '192.168.37.10', '--from', 'vm1');
    assert.match(out, /Packets: Sent = 4, Received = 0, Lost = 4 \(100% loss\)/);
    assert.match(out, /VNet1\/vnet-router: 4 packet\(s\) 10\.3\.0\.4 -> 192\.168\.37\.10[^\n]*: no route to the destination/);
    const table = out.slice(out.indexOf('Route table of VNet1/vnet-router:'));
    assert.ok(table.length > 0 && !table.includes('192.168.37.0/24'), 'VNet1 has no route to on-premises any more');
  });
});
