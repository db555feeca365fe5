import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { platformReaders } from '../../src/cli/import-command.js';
import { importSources, type ImportResult } from '../../src/platforms/import.js';
import type { ImportSource } from '../../src/platforms/imports.js';
import { parseTopology } from '../../src/platforms/load.js';
import type { Topology } from '../../src/topology/schema.js';

/*
 * The RRAS reader (src/platforms/rras/import/powershell.ts) through importSources: the seed's script as
 * written, with and without the Azure side of the seed; what it assumes; what it refuses, at its
 * line; and the script with the document's own substitutions made reproduces the seed example.
 */

const SEED = 'examples/import/seed-000-rras.ps1';
const AZURE = 'examples/import/seed-000-azure.yaml';

function source(path: string, replace: (text: string) => string = (t) => t): ImportSource {
  return { path, text: replace(readFileSync(path, 'utf8')) };
}

async function run(...sources: ImportSource[]): Promise<ImportResult> {
  return importSources(sources, platformReaders());
}

function codes(result: ImportResult): string[] {
  return result.problems.map((p) => `${p.origin.line}:${p.origin.column} ${p.code}`);
}

describe('importing RRAS PowerShell', () => {
  it('reads the seed script as written into the rras block, citing each field\'s line, and the file passes the topology schema', async () => {
    const result = await run(source(SEED));
    assert.deepEqual(result.problems, []);
    const topology = parseTopology(result.text, 'imported.yaml', { keepCheckErrors: true }).topology;
    const site = topology.sites[0]!;
    assert.equal(site.platform, 'rras');
    assert.equal(site.name, 'seed-000-rras');
    const rras = site.platform === 'rras' ? site.rras! : undefined;
    assert.deepEqual(rras?.VpnS2SInterfaces, [{
      Name: '1.2.3.4', Destination: ['1.2.3.4'], Protocol: 'IKEv2', AuthenticationMethod: 'PSKOnly', ResponderAuthenticationMethod: 'PSKOnly',
      NumberOfTries: 3, IPv4Subnet: [], SharedSecret: 'AzureA1b2C3', InitiateConfigPayload: false, IdleDisconnectSeconds: 0, RedialOnLinkFailure: 1,
    }]);
    assert.deepEqual(rras?.VpnServerIPsecConfiguration, { EncryptionType: 'MaximumEncryption' });
    assert.deepEqual(rras?.BgpRouter, { BgpIdentifier: '192.168.37.1', LocalASN: 65032 });
    assert.deepEqual(rras?.BgpPeers, [{ Name: 'AzureS2S', PeerIPAddress: '10.3.1.254', PeerASN: 65010, LocalIPAddress: '192.168.37.1' }]);
    assert.deepEqual(rras?.BgpCustomRoutes, [{ Interface: ['LAN'] }]);
    // The comments point back at the script's lines.
    assert.match(result.text, /LocalASN: 65032 # examples\/import\/seed-000-rras\.ps1:75\n/);
    assert.match(result.text, /RedialOnLinkFailure: 1 # examples\/import\/seed-000-rras\.ps1:66\n/);
    assert.match(result.text, /InitiateConfigPayload: false # examples\/import\/seed-000-rras\.ps1:62\n/);
  });

  it('states what it assumes: the LAN around the BGP address, a test PC, the server\'s adapters and the BGP peer\'s static route', async () => {
    const result = await run(source(SEED));
    const assumed = result.notes.filter((n) => n.code === 'IMPORT_ASSUMED').map((n) => n.message);
    for (const field of ['addressSpace', 'subnets', 'hosts', 'rras.Server', 'rras.NetRoutes']) {
      assert.ok(assumed.some((m) => m.includes(` ${field}: assumed`)), `a note for ${field}`);
    }
    // Alone, nothing gives the server's public address: a documentation address, said so.
    assert.ok(assumed.some((m) => m.includes('203.0.113.10/24') && m.includes('TEST-NET-3')));
    assert.match(result.text, /# assumed: the BGP peer's \/32 routed into S2S interface 1\.2\.3\.4/);
    const topology = parse(result.text) as Topology;
    const site = topology.sites[0]!;
    assert.deepEqual(site.subnets, [{ name: 'lan', prefix: '192.168.37.0/24' }]);
    assert.deepEqual(site.platform === 'rras' ? site.rras?.NetRoutes : undefined, [{ DestinationPrefix: '10.3.1.254/32', InterfaceAlias: '1.2.3.4' }]);
  });

  it('with the Azure side of the seed, takes the server\'s public address from the local network gateway, and check reports LocalASN 65032 against its asn 65023', async () => {
    const result = await run(source(SEED), source(AZURE));
    assert.deepEqual(result.problems, []);
    const loaded = parseTopology(result.text, 'imported.yaml', { keepCheckErrors: true });
    assert.deepEqual(loaded.topology.sites.map((s) => `${s.name}:${s.platform}`), ['seed-000-rras:rras', 'VNet1:azure', 'VNet2:azure']);
    const site = loaded.topology.sites[0]!;
    assert.equal(site.platform === 'rras' ? site.rras?.Server.NetworkAdapters[0]?.IPAddress : undefined, '203.0.113.10/24');
    const asn = loaded.warnings.filter((w) => w.code === 'PAIR_ASN_MISMATCH');
    assert.equal(asn.length, 1);
    assert.equal(asn[0]!.path, 'sites[0].rras.BgpRouter.LocalASN');
    assert.match(asn[0]!.message, /65032/);
    assert.match(asn[0]!.message, /65023/);
    // The only finding: the rest of the imported design pairs up.
    assert.deepEqual(loaded.warnings.map((w) => w.code), ['PAIR_ASN_MISMATCH']);
  });

  it('with the ASN the seed\'s text gives (65023), the same import has no ASN finding', async () => {
    const result = await run(source(SEED, (t) => t.replace('-LocalASN 65032', '-LocalASN 65023')), source(AZURE));
    const loaded = parseTopology(result.text, 'imported.yaml', { keepCheckErrors: true });
    assert.deepEqual(loaded.warnings.map((w) => w.code), []);
  });

  it('reproduces the seed example\'s RRAS site from the seed script once 1.2.3.4 and the ASN are replaced as the document says', async () => {
    // Saved as OnPrem.ps1: a script's site is named after its file.
    const script = { ...source(SEED, (t) => t.replaceAll('1.2.3.4', '198.51.100.10').replace('-LocalASN 65032', '-LocalASN 65023')), path: 'OnPrem.ps1' };
    const azure = source(AZURE, (t) => t.replace('publicIPAddress: 1.2.3.4', 'publicIPAddress: 198.51.100.10'));
    const result = await run(script, azure);
    assert.deepEqual(result.problems, []);
    const imported = parseTopology(result.text, 'imported.yaml').topology;
    const example = parseTopology(readFileSync('examples/rras-azure-bgp.yaml', 'utf8'), 'examples/rras-azure-bgp.yaml').topology;
    const expected = structuredClone(example.sites[0]!);
    // The script does not name the computer (the example's "RRAS2016"); everything else matches.
    if (expected.platform === 'rras') delete expected.rras!.Server.Name;
    assert.deepEqual(imported.sites[0], expected);
    assert.deepEqual(imported.sites.slice(1), example.sites.slice(1));
  });

  it('follows variables assigned literals, reads New-NetIPAddress, Rename-Computer and New-NetRoute, and Invoke-WindowsApi called directly', async () => {
    const script = [
      '$peer = "203.0.113.50"',
      '$asn = 65050',
      '$psk = \'s3cret!\'',
      'Install-RemoteAccess -VpnType VpnS2S',
      'Rename-Computer -NewName EDGE1',
      'New-NetIPAddress -InterfaceAlias Internet -IPAddress 198.51.100.7 -PrefixLength 24',
      'New-NetIPAddress -InterfaceAlias LAN -IPAddress 10.20.0.1 -PrefixLength 24',
      'Add-VpnS2SInterface -Name Branch -Destination $peer -Protocol IKEv2 -AuthenticationMethod PSKOnly -SharedSecret $psk -IPv4Subnet 10.30.0.0/16:100,10.31.0.0/16:50 -Persistent',
      'Invoke-WindowsApi "kernel32.dll" ([UInt32]) "WritePrivateProfileString" $t @("Branch", "RedialOnLinkFailure", "1", "C:\\Windows\\System32\\ras\\router.pbk")',
      'Add-BgpRouter -BgpIdentifier 10.20.0.1 -LocalASN $asn',
      'New-NetRoute -DestinationPrefix 10.30.0.1/32 -InterfaceAlias Branch -RouteMetric 10',
    ].join('\n');
    const result = await run({ path: 'branch.ps1', text: script, site: 'Branch' });
    assert.deepEqual(codes(result), []);
    const site = (parse(result.text) as Topology).sites[0]!;
    assert.ok(site.platform === 'rras');
    const rras = site.rras!;
    assert.deepEqual(rras.Server, {
      Name: 'EDGE1',
      NetworkAdapters: [
        { Name: 'Internet', IPAddress: '198.51.100.7/24', Internet: true },
        { Name: 'LAN', IPAddress: '10.20.0.1', Subnet: 'lan' },
      ],
    });
    assert.deepEqual(rras.VpnS2SInterfaces, [{
      Name: 'Branch', Destination: ['203.0.113.50'], Protocol: 'IKEv2', AuthenticationMethod: 'PSKOnly', SharedSecret: 's3cret!',
      IPv4Subnet: ['10.30.0.0/16:100', '10.31.0.0/16:50'], Persistent: true, RedialOnLinkFailure: 1,
    }]);
    assert.deepEqual(rras.BgpRouter, { BgpIdentifier: '10.20.0.1', LocalASN: 65050 });
    assert.deepEqual(rras.NetRoutes, [{ DestinationPrefix: '10.30.0.1/32', InterfaceAlias: 'Branch', RouteMetric: 10 }]);
    // The variable's value is cited where the parameter uses it.
    assert.match(result.text, /LocalASN: 65050 # branch\.ps1:10\n/);
    parseTopology(result.text, 'branch.yaml', { keepCheckErrors: true });
  });

  it('reads splatted hashtables, backtick continuations, two commands on a line and a router.pbk path held in a variable', async () => {
    const script = [
      '$params = @{ Name = "B"; Destination = "203.0.113.8" }',
      'Add-VpnS2SInterface -Name A `',
      '    -Destination "203.0.113.9","203.0.113.7" `',
      '    -Protocol IKEv2; Set-VpnS2SInterface -Name A -Persistent',
      'Add-VpnS2SInterface @params',
      '$pbk = "C:\\Windows\\System32\\ras\\router.pbk"',
      'Set-PrivateProfileString $pbk "A" "RedialOnLinkFailure" "1"',
    ].join('\n');
    const result = await run({ path: 'forms.ps1', text: script });
    assert.deepEqual(codes(result), []);
    const site = (parse(result.text) as Topology).sites[0]!;
    assert.deepEqual(site.platform === 'rras' ? site.rras?.VpnS2SInterfaces : undefined, [
      { Name: 'A', Destination: ['203.0.113.9', '203.0.113.7'], Protocol: 'IKEv2', Persistent: true, RedialOnLinkFailure: 1 },
      { Name: 'B', Destination: ['203.0.113.8'] },
    ]);
    assert.match(result.text, /Persistent: true # forms\.ps1:4\n/);
    // What a pipeline sends is not followed: said at the line.
    const piped = await run({ path: 'piped.ps1', text: 'Get-VpnS2SInterface | Set-VpnS2SInterface -AdminStatus $true' });
    assert.deepEqual(codes(piped), ['1:23 IMPORT_PS_MISSING_VALUE']);
  });

  it('reads a script written to run again (Get- guards, -ErrorAction, Remove- before Add-, Out-Null) as the resources it builds', async () => {
    const script = [
      'Set-StrictMode -Version Latest',
      'Import-Module RemoteAccess',
      'if (-not (Get-VpnS2SInterface -Name "198.51.100.10" -ErrorAction SilentlyContinue)) {',
      '    Add-VpnS2SInterface -Name "198.51.100.10" -Destination 198.51.100.10 -SharedSecret \'k\' -IPv4Subnet @(\'10.3.0.0/16:100\') -Persistent -PassThru | Out-Null',
      '}',
      'if (-not (Get-BgpRouter -ErrorAction SilentlyContinue)) { Add-BgpRouter -BgpIdentifier 192.168.37.1 -LocalASN 65023 }',
      'Get-BgpPeer -Name AzureS2S -ErrorAction SilentlyContinue | Remove-BgpPeer -Force',
      'Add-BgpPeer -Name AzureS2S -LocalIPAddress 192.168.37.1 -PeerIPAddress 10.3.1.254 -PeerASN 65010',
      'Remove-BgpPeer -Name AzureS2S -Force',
    ].join('\n');
    const result = await run({ path: 'rerun.ps1', text: script });
    // Only the last line, which removes what the script itself added, is refused.
    assert.deepEqual(codes(result), ['9:1 IMPORT_PS_REMOVE']);
    const fixed = await run({ path: 'rerun.ps1', text: script.split('\n').slice(0, -1).join('\n') });
    assert.deepEqual(codes(fixed), []);
    const site = (parse(fixed.text) as Topology).sites[0]!;
    assert.ok(site.platform === 'rras');
    assert.deepEqual(site.rras!.VpnS2SInterfaces, [{ Name: '198.51.100.10', Destination: ['198.51.100.10'], SharedSecret: 'k', IPv4Subnet: ['10.3.0.0/16:100'], Persistent: true }]);
    assert.deepEqual(site.rras!.BgpPeers?.map((p) => p.Name), ['AzureS2S']);
    // The peer is inside the interface's IPv4Subnet: no static route is assumed for it.
    assert.equal(site.rras!.NetRoutes, undefined);
  });

  it('notes a pre-shared key that is the placeholder of an export made with --redact, at its line', async () => {
    const line = 'Add-VpnS2SInterface -Name A -Destination 203.0.113.9 -SharedSecret REDACTED-PSK-OnPrem_A';
    const result = await run({ path: 'redacted.ps1', text: line });
    assert.deepEqual(codes(result), []);
    const redacted = result.notes.filter((n) => n.code === 'IMPORT_REDACTED');
    assert.deepEqual(redacted.map((n) => `${n.origin.line}:${n.origin.column}`), [`1:${line.indexOf('REDACTED') + 1}`]);
  });

  it('makes a problem, at its line and column, of what it cannot read: an unknown command or parameter, a computed value, a bad router.pbk key, a parse error', async () => {
    const lines = [
      'Add-VpnS2SInterface -Name A -Destination 203.0.113.9',
      'Add-VpnS2SInterface -Name B -Destination 203.0.113.8 -SharedSecret (Get-Secret)', // a computed value
      'Add-BgpRouter -BgpIdentifier 10.0.0.1 -LocalASN $undefinedAsn', // a variable without a literal
      'Set-DnsClientServerAddress -InterfaceAlias LAN -ServerAddresses 10.0.0.53', // a command the block has no place for
      'Add-BgpPeer -Name P -PeerIPAddress 10.0.0.2 -LocalIPAddress 10.0.0.1 -PeerASN 65001 -Colour Blue', // an unknown parameter
      'Set-PrivateProfileString C:\\ras\\router.pbk "A" "DialMode" "1"', // a router.pbk key vpnlab does not read
      'Set-VpnS2SInterface -Name Missing -InitiateConfigPayload $false', // no such interface
      '__proto__ -Name x', // a command named after Object.prototype's accessor (found by the hostile-input test)
      'Add-BgpCustomRoute -Network ("10.0.0.0/8"', // an unclosed parenthesis
    ];
    const at = (line: number, needle: string, code: string): string => `${line}:${lines[line - 1]!.indexOf(needle) + 1} ${code}`;
    const result = await run({ path: 'bad.ps1', text: lines.join('\n') });
    const found = codes(result);
    const expected = [
      at(2, '(Get-Secret)', 'IMPORT_PS_NOT_LITERAL'), at(3, '$undefinedAsn', 'IMPORT_PS_NOT_LITERAL'), at(4, 'Set-Dns', 'IMPORT_PS_UNKNOWN_COMMAND'),
      at(5, '-Colour', 'IMPORT_PS_UNKNOWN_PARAMETER'), at(6, '"DialMode"', 'IMPORT_PS_UNKNOWN_PARAMETER'), at(7, 'Set-Vpn', 'IMPORT_PS_NO_INTERFACE'),
      at(8, '__proto__', 'IMPORT_PS_UNKNOWN_COMMAND'),
    ];
    for (const e of expected) assert.ok(found.includes(e), `${e} in ${found.join(', ')}`);
    assert.ok(found.some((f) => f.startsWith('9:') && f.endsWith('IMPORT_PS_SYNTAX')), `a syntax error at line 9 in ${found.join(', ')}`);
    assert.equal(result.problems.length, expected.length + found.filter((f) => f.endsWith('IMPORT_PS_SYNTAX')).length, found.join(', '));
  });
});
