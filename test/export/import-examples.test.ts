import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import type { z } from 'zod';
import { platformReaders } from '../../src/cli/import-command.js';
import { parsePowerShell } from '../../src/config/powershell.js';
import { exportNetwork, MANIFEST_PATH, type Manifest } from '../../src/platforms/export.js';
import { importSources } from '../../src/platforms/import.js';
import type { ImportSource } from '../../src/platforms/imports.js';
import { parseTopology } from '../../src/platforms/load.js';
import { RRAS_CMDLETS } from '../../src/platforms/rras/import/powershell.js';
import { rrasSiteSchema } from '../../src/topology/platforms/rras.js';

/*
 * Import against the rest of vpnlab: every example topology read back by the topology reader is
 * the same topology (the comments the import writes change nothing); the RRAS reader's cmdlet
 * table names only fields the rras schema has; and hostile text never makes the importer throw.
 */

function exampleFiles(): string[] {
  const files: string[] = [];
  for (const folder of ['examples', 'examples/broken', 'examples/import']) {
    for (const name of readdirSync(folder)) {
      if (!name.endsWith('.yaml')) continue;
      const file = join(folder, name);
      if (/^sites\s*:/m.test(readFileSync(file, 'utf8'))) files.push(file);
    }
  }
  return files;
}

function withoutEmptyLists(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyLists);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => !(Array.isArray(v) && v.length === 0)).map(([k, v]) => [k, withoutEmptyLists(v)]));
}

/** The field names of the rras block's entry under `key` (a collection's item, or the object). */
function schemaFields(key: string): string[] {
  let schema = (rrasSiteSchema.shape as Record<string, z.ZodType>)[key];
  for (;;) {
    const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType; element?: z.ZodType } }).def;
    if (def.type === 'optional') schema = def.innerType;
    else if (def.type === 'array') schema = def.element;
    else break;
  }
  return Object.keys((schema as unknown as { shape: Record<string, unknown> }).shape);
}

/** The RRAS reader's fields for `cmdlet` that the schema does not have. */
function unknownFields(table: Record<string, { block: string; fields: Record<string, unknown> }>): string[] {
  return Object.entries(table).flatMap(([cmdlet, { block, fields }]) => {
    const known = new Set(schemaFields(block));
    return Object.keys(fields).filter((f) => !known.has(f)).map((f) => `${cmdlet} -${f}`);
  });
}

describe('import and the rest of vpnlab', () => {
  const files = exampleFiles();

  it('finds the example topologies', () => {
    assert.ok(files.length >= 20, files.join(', '));
  });

  for (const file of files) {
    it(`reads ${file} back as the same topology, every field cited`, async () => {
      const text = readFileSync(file, 'utf8');
      const result = await importSources([{ path: file, text }], platformReaders());
      assert.deepEqual(result.problems, []);
      const original = parseTopology(text, file, { keepCheckErrors: true });
      const imported = parseTopology(result.text, 'imported.yaml', { keepCheckErrors: true });
      assert.deepEqual(imported.topology, original.topology);
      assert.deepEqual(imported.warnings.map((w) => `${w.code} ${w.path}`), original.warnings.map((w) => `${w.code} ${w.path}`));
      assert.match(result.text, new RegExp(`# ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+`));
    });
  }

  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (!/platform: rras/.test(text)) continue;
    it(`reads back the RRAS sites of ${file} from their vpnlab export script as the same sites`, async () => {
      const loaded = parseTopology(text, file, { keepCheckErrors: true });
      const exported = exportNetwork(loaded.network, { provenance: { file, vpnlabVersion: 'test' }, redact: false });
      const manifest = JSON.parse(exported.artifacts.find((a) => a.path === MANIFEST_PATH)!.text) as Manifest;
      const rrasSites = new Set(loaded.topology.sites.filter((s) => s.platform === 'rras').map((s) => s.name));
      // Every file of the folder; vpnlab reads the RRAS scripts. The other platforms' sites come
      // from a topology file holding just them (vpnlab does not read ARM or swanctl.conf yet).
      const sources: ImportSource[] = [{ path: `out/${MANIFEST_PATH}`, text: JSON.stringify(manifest) }];
      for (const entry of manifest.sites) {
        for (const path of entry.artifacts) sources.push({ path: `out/${path}`, text: exported.artifacts.find((a) => a.path === path)!.text, site: entry.site.name });
      }
      const others = loaded.topology.sites.filter((s) => !rrasSites.has(s.name));
      if (others.length > 0) sources.push({ path: 'others.yaml', text: stringify({ name: loaded.topology.name, sites: others }) });
      assert.ok(sources.some((s) => s.path.endsWith('.ps1')), 'the RRAS sites write a script');
      const result = await importSources(sources, platformReaders());
      assert.deepEqual(result.problems.map((p) => `${p.origin.file}:${p.origin.line}:${p.origin.column} ${p.code} ${p.message}`), []);
      const imported = parseTopology(result.text, 'imported.yaml', { keepCheckErrors: true });
      // A script cannot tell an empty list (NetRoutes: []) from none: both are compared without them.
      assert.deepEqual(withoutEmptyLists(imported.topology), withoutEmptyLists(loaded.topology));
      // check says the same of both.
      assert.deepEqual(imported.warnings.map((w) => `${w.code} ${w.path}`), loaded.warnings.map((w) => `${w.code} ${w.path}`));
    });
  }

  it('reads back an RRAS site using every field of the rras: block from its vpnlab export script', async () => {
    const doc = parse(readFileSync('examples/rras-azure-bgp.yaml', 'utf8')) as { sites: Record<string, unknown>[] };
    const rras = doc.sites[0]!['rras'] as Record<string, Record<string, unknown>[] & Record<string, unknown>>;
    (rras['Server']!['NetworkAdapters'] as Record<string, unknown>[])[1]!['DefaultGateway'] = '192.168.37.254';
    rras['VpnS2SInterfaces']!.push({
      Name: 'Branch', Destination: ['198.51.100.99', '198.51.100.98'], Protocol: 'IKEv2', AuthenticationMethod: 'PSKOnly',
      ResponderAuthenticationMethod: 'PSKOnly', SharedSecret: "it's a key", IPv4Subnet: ['10.60.0.0/16:10', '10.61.0.0/16:20'],
      SourceIpAddress: '203.0.113.10', NumberOfTries: 0, RetryIntervalSeconds: 30, Persistent: true, AdminStatus: false,
      InitiateConfigPayload: false, RedialOnLinkFailure: 0, NetworkOutageTimeSeconds: 30, SALifeTimeSeconds: 27000,
      MMSALifeTimeSeconds: 28800, SADataSizeForRenegotiationKilobytes: 102400000, IdleDisconnectSeconds: 0,
      CustomPolicy: true, EncryptionMethod: 'AES256', IntegrityCheckMethod: 'SHA256', CipherTransformConstants: 'GCMAES256',
      AuthenticationTransformConstants: 'GCMAES256', DHGroup: 'ECP384', PfsGroup: 'ECP384',
      LocalVpnTrafficSelector: [{ Type: 'IPv4', IPAddressRange: ['192.168.37.0', '192.168.37.255'], PortRange: [0, 65535], ProtocolId: 0 }],
      // Type is written out: the export always writes -Type (IPv4, the default, when the topology leaves it out).
      RemoteVpnTrafficSelector: [{ Type: 'IPv4', IPAddressRange: ['10.60.0.0', '10.61.255.255'], TsPayloadId: 0 }],
    });
    rras['VpnServerIPsecConfiguration'] = {
      CustomPolicy: true, EncryptionMethod: 'AES128', IntegrityCheckMethod: 'SHA1', CipherTransformConstants: 'AES128',
      AuthenticationTransformConstants: 'SHA196', DHGroup: 'Group14', PfsGroup: 'PFS2048', SALifeTimeSeconds: 3600, IdleDisconnectSeconds: 0,
    } as never;
    Object.assign(rras['BgpRouter']!, { TransitRouting: 'Enabled', CompareMEDAcrossASN: true, DefaultGatewayRouting: false, RouteReflector: 'Enabled', ClusterId: 7, ClientToClientReflection: 'Disabled' });
    Object.assign(rras['BgpPeers']![0]!, { LocalASN: 65023, OperationMode: 'Mixed', PeeringMode: 'Automatic', HoldTimeSec: 180, IdleHoldTimeSec: 10, MaxAllowedPrefix: 1000, Weight: 100, RouteReflectorClient: false });
    rras['BgpCustomRoutes']!.push({ Network: ['192.168.38.0/24', '192.168.39.0/24'] });
    rras['NetRoutes']!.push({ DestinationPrefix: '192.168.38.0/24', InterfaceAlias: 'LAN', NextHop: '192.168.37.254', RouteMetric: 10 });
    const text = stringify(doc);
    const loaded = parseTopology(text, 'kitchen-sink.yaml', { keepCheckErrors: true });
    const exported = exportNetwork(loaded.network, { provenance: { file: 'kitchen-sink.yaml', vpnlabVersion: 'test' }, redact: false, site: 'OnPrem' });
    const script = exported.artifacts.find((a) => a.path.endsWith('.ps1'))!;
    const manifest = JSON.parse(exported.artifacts.find((a) => a.path === MANIFEST_PATH)!.text) as Manifest;
    const others = loaded.topology.sites.filter((s) => s.name !== 'OnPrem');
    const result = await importSources([
      { path: `out/${MANIFEST_PATH}`, text: JSON.stringify(manifest) },
      { path: `out/${script.path}`, text: script.text, site: 'OnPrem' },
      { path: 'others.yaml', text: stringify({ name: loaded.topology.name, sites: others }) },
    ], platformReaders());
    assert.deepEqual(result.problems.map((p) => `${p.origin.line}:${p.origin.column} ${p.code} ${p.message}`), []);
    const imported = parseTopology(result.text, 'imported.yaml', { keepCheckErrors: true });
    assert.deepEqual(imported.topology.sites[0], loaded.topology.sites[0]);
    assert.deepEqual(imported.warnings.map((w) => `${w.code} ${w.path}`), loaded.warnings.map((w) => `${w.code} ${w.path}`));
  });

  it('names in its cmdlet table only fields the rras schema has (and this check catches a misspelt one)', () => {
    assert.deepEqual(unknownFields(RRAS_CMDLETS), []);
    const tampered = { ...RRAS_CMDLETS, 'Add-BgpRouter': { block: 'BgpRouter', fields: { ...RRAS_CMDLETS['Add-BgpRouter'].fields, LocalAsn: 'number' } } };
    assert.deepEqual(unknownFields(tampered), ['Add-BgpRouter -LocalAsn']);
  });

  it('never throws on hostile PowerShell: every problem is located, and what it writes passes the YAML parser', async () => {
    const token = fc.constantFrom(
      'Add-VpnS2SInterface', 'Set-VpnS2SInterface', 'Add-BgpRouter', 'Add-BgpPeer', 'Set-PrivateProfileString', 'Invoke-WindowsApi', 'New-NetRoute',
      '-Name', '-LocalASN', '-Destination', '-IPv4Subnet', '-PeerName', '-Force', '$x', '$env:windir\\ras\\router.pbk', '=', '@(', '@{', ')', '}', '(', '"',
      "'", ',', ';', '|', '`', '#', '<#', '#>', '1.2.3.4', '65032', '"router.pbk"', '\n', ' ', '\t', 'function', '{', '本地', '\u0000', '\r\n',
    );
    await fc.assert(fc.asyncProperty(fc.oneof(fc.array(token, { maxLength: 40 }).map((t) => t.join(' ')), fc.string({ maxLength: 200 })), async (text) => {
      await parsePowerShell(text);
      const result = await importSources([{ path: 'hostile.ps1', text }], platformReaders());
      for (const issue of [...result.problems, ...result.notes]) {
        assert.ok(issue.origin.line >= 1 && issue.origin.column >= 1, JSON.stringify(issue));
      }
      if (result.problems.length === 0) assert.doesNotThrow(() => parse(result.text));
    }), { numRuns: 150, seed: 14 });
  });
});
