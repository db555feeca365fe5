import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { exportNetwork, MANIFEST_PATH, type Manifest } from '../../src/platforms/export.js';
import { loadTopologyFile, parseTopology } from '../../src/platforms/load.js';

/*
 * `vpnlab import` as a user runs it: the seed's script with the Azure side, written to a file that
 * `vpnlab check` takes (and reports the ASN contradiction of); problems as file:line:col with exit
 * code 1; a folder written by `vpnlab export` read back through its manifest.
 */

const SEED = 'examples/import/seed-000-rras.ps1';
const AZURE = 'examples/import/seed-000-azure.yaml';
const dir = mkdtempSync(join(tmpdir(), 'vpnlab-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'vpnlab', ...args], { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

describe('vpnlab import', () => {
  it('writes one topology from the seed script and the Azure side; check on it reports PAIR_ASN_MISMATCH (65032 against 65023)', async () => {
    const file = join(dir, 'seed.yaml');
    const imported = await run('import', SEED, AZURE, '-o', file);
    assert.equal(imported.code, 0, imported.err);
    assert.equal(imported.out, `${file}\n`);
    assert.match(imported.err, /^warning: examples\/import\/seed-000-rras\.ps1:1:1: IMPORT_ASSUMED /m);
    assert.match(imported.err, /^check: .*seed\.yaml:\d+:\d+: warning PAIR_ASN_MISMATCH sites\[0\]\.rras\.BgpRouter\.LocalASN: /m);
    const checked = await run('check', file);
    assert.equal(checked.code, 0, checked.err);
    assert.match(checked.out + checked.err, /PAIR_ASN_MISMATCH/);
    assert.match(checked.out + checked.err, /65032/);
    assert.match(readFileSync(file, 'utf8'), /LocalASN: 65032 # examples\/import\/seed-000-rras\.ps1:75/);
    // And the emulator runs it: both tunnels come up, the RRAS BGP session is refused for that ASN.
    const up = await run('up', file);
    assert.match(up.out, /2 of 2 tunnels up, 1 of 2 BGP sessions established/);
    assert.match(up.out, /BGP seed-000-rras\/RRAS:AzureS2S Idle: Received NOTIFICATION OPEN Message Error\/Bad Peer AS/);
  });

  it('prints the topology when no -o is given', async () => {
    const printed = await run('import', SEED);
    assert.equal(printed.code, 0, printed.err);
    assert.doesNotThrow(() => parseTopology(printed.out, '<stdout>', { keepCheckErrors: true }));
    assert.match(printed.out, /^# Imported by vpnlab import from examples\/import\/seed-000-rras\.ps1\./);
  });

  it('fails with file:line:col: CODE for what it cannot read, and writes nothing', async () => {
    const script = join(dir, 'bad.ps1');
    writeFileSync(script, 'Add-BgpRouter -BgpIdentifier 10.0.0.1 -LocalASN 65001\nAdd-BgpPeer -Name P -PeerASN (Get-Asn) -PeerIPAddress 10.0.0.2 -LocalIPAddress 10.0.0.1\n');
    const file = join(dir, 'bad.yaml');
    const result = await run('import', script, '-o', file);
    assert.equal(result.code, 1);
    assert.match(result.err, new RegExp(`^${script.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2:30: IMPORT_PS_NOT_LITERAL `, 'm'));
    assert.equal(existsSync(file), false);
  });

  it('refuses a file no reader takes, naming the formats it reads', async () => {
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'VNet1 gateway: 1.2.3.4\n');
    const result = await run('import', notes);
    assert.equal(result.code, 1);
    assert.match(result.err, /notes\.txt:1:1: IMPORT_UNKNOWN_FORMAT no reader takes this file \(vpnlab reads .*powershell/);
  });

  it('reads a folder written by vpnlab export through its manifest: the sites from the manifest, the RRAS block from its script', async () => {
    const example = loadTopologyFile('examples/rras-azure-bgp.yaml');
    const exported = exportNetwork(example.network, { provenance: { file: 'examples/rras-azure-bgp.yaml', vpnlabVersion: 'test' }, redact: false });
    const manifest = JSON.parse(exported.artifacts.find((a) => a.path === MANIFEST_PATH)!.text) as Manifest;
    // The script an RRAS export would carry for OnPrem (the seed's cmdlets, the example's values);
    // the Azure sites' artifacts are left out: vpnlab does not read ARM templates yet.
    const folder = join(dir, 'out');
    mkdirSync(join(folder, 'OnPrem'), { recursive: true });
    writeFileSync(join(folder, 'OnPrem', 'rras.ps1'), [
      'Rename-Computer -NewName RRAS2016',
      'New-NetIPAddress -InterfaceAlias Internet -IPAddress 203.0.113.10 -PrefixLength 24',
      'New-NetIPAddress -InterfaceAlias LAN -IPAddress 192.168.37.1 -PrefixLength 24',
      'Add-VpnS2SInterface -Protocol IKEv2 -AuthenticationMethod PSKOnly -NumberOfTries 3 -ResponderAuthenticationMethod PSKOnly -Name 198.51.100.10 -Destination 198.51.100.10 -IPv4Subnet @() -SharedSecret AzureA1b2C3',
      'Set-VpnServerIPsecConfiguration -EncryptionType MaximumEncryption',
      'Set-VpnS2SInterface -Name 198.51.100.10 -InitiateConfigPayload $false -IdleDisconnectSeconds 0 -Force',
      'Set-PrivateProfileString $env:windir\\System32\\ras\\router.pbk "198.51.100.10" "RedialOnLinkFailure" "1"',
      'Add-BgpRouter -BgpIdentifier "192.168.37.1" -LocalASN 65023',
      'Add-BgpPeer -Name AzureS2S -PeerIPAddress 10.3.1.254 -PeerASN 65010 -LocalIPAddress 192.168.37.1',
      'Add-BgpCustomRoute -Interface LAN',
      'New-NetRoute -DestinationPrefix 10.3.1.254/32 -InterfaceAlias 198.51.100.10',
      '',
    ].join('\n'));
    const sites = manifest.sites.map((s) => ({ ...s, artifacts: s.site.name === 'OnPrem' ? ['OnPrem/rras.ps1'] : [] }));
    writeFileSync(join(folder, MANIFEST_PATH), JSON.stringify({ ...manifest, sites }, null, 2));
    const file = join(dir, 'roundtrip.yaml');
    const result = await run('import', folder, '-o', file);
    assert.equal(result.code, 0, result.err);
    const imported = loadTopologyFile(file).topology;
    const { sites: exampleSites, ...exampleTop } = example.topology;
    const { sites: importedSites, ...importedTop } = imported;
    assert.deepEqual(importedTop, exampleTop);
    assert.deepEqual(importedSites[0], exampleSites[0]);
    const withoutAzure = exampleSites.slice(1).map((s) => { const { azure: _, ...rest } = s as typeof s & { azure?: unknown }; return rest; });
    assert.deepEqual(importedSites.slice(1), withoutAzure);
    // Every field of the RRAS site cites the script or says what was assumed.
    assert.match(readFileSync(file, 'utf8'), /LocalASN: 65023 # .*out\/OnPrem\/rras\.ps1:8\n/);
    assert.match(readFileSync(file, 'utf8'), /Subnet: lan # assumed: 192\.168\.37\.1 is inside subnet lan/);
  });
});
