import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';
import { collectSources, platformReaders } from '../../src/cli/import-command.js';
import type { Artifact, ExportFormat } from '../../src/platforms/artifacts.js';
import { exportNetwork } from '../../src/platforms/export.js';
import { importSources, type ImportResult } from '../../src/platforms/import.js';
import type { ImportSource } from '../../src/platforms/imports.js';
import { parseTopology } from '../../src/platforms/load.js';
import type { Site, Topology } from '../../src/topology/schema.js';
import { azureExamples, load } from './azure-helpers.js';

/*
 * The Azure readers (src/platforms/azure/import/): every example with an Azure site exported as
 * ARM and as Terraform and imported back gives the same Azure sites — with the export's manifest,
 * and each format alone (the VNet's address space, subnets and region, and the whole azure:
 * block). The Azure CLI script is export-only: vpnlab does not read it back. Hand-written sources
 * in each platform's usual style import with their lines in the comments; what cannot be read is
 * a problem at file:line; hostile text never throws.
 */

const FIXTURES = 'test/fixtures/import/azure';

function exportArtifacts(file: string, format: ExportFormat, topologyText?: string): Artifact[] {
  const network = topologyText === undefined ? load(file).network : parseTopology(topologyText, file, { keepCheckErrors: true }).network;
  return exportNetwork(network, { provenance: { file, vpnlabVersion: 'test' }, redact: false, formats: [format] }).artifacts;
}

/** The Azure sites' artifacts (after the manifest, when asked) as import sources, as `vpnlab import DIR` reads them. */
function sourcesOf(artifacts: readonly Artifact[], azureSites: ReadonlySet<string>, withManifest: boolean): ImportSource[] {
  return [...artifacts]
    .sort((a, b) => Number(b.path === 'vpnlab-export.json') - Number(a.path === 'vpnlab-export.json'))
    .filter((a) => (a.path === 'vpnlab-export.json' ? withManifest : azureSites.has(a.path.split('/')[0]!)))
    .map((a) => ({ path: `out/${a.path}`, text: a.text, ...(withManifest && a.path !== 'vpnlab-export.json' ? { site: a.path.split('/')[0]! } : {}) }));
}

async function run(...sources: ImportSource[]): Promise<ImportResult> {
  return importSources(sources, platformReaders());
}

function codes(result: ImportResult): string[] {
  return result.problems.map((p) => `${p.origin.file}:${p.origin.line} ${p.code}`);
}

/** What one Azure format carries of a site: the VNet (address space, subnets, region) and the azure block. */
function azurePart(site: Site): Record<string, unknown> {
  return {
    name: site.name, region: site.region, addressSpace: site.addressSpace,
    subnets: site.subnets?.map((s) => ({ name: s.name, prefix: s.prefix })),
    azure: site.platform === 'azure' ? site.azure : undefined,
  };
}

function fixture(name: string): ImportSource {
  return { path: `${FIXTURES}/${name}`, text: readFileSync(`${FIXTURES}/${name}`, 'utf8') };
}

describe('importing Azure ARM templates and Terraform', () => {
  const examples = azureExamples();

  it('finds the examples with an Azure site', () => {
    assert.ok(examples.length >= 20, examples.join(', '));
  });

  for (const format of ['arm', 'terraform'] as const) {
    for (const file of examples) {
      it(`${file}: export ${format}, import it with the manifest: the same Azure sites`, async () => {
        const original = load(file).topology;
        const azureSites = new Set(original.sites.filter((s) => s.platform === 'azure').map((s) => s.name));
        const result = await run(...sourcesOf(exportArtifacts(file, format), azureSites, true));
        assert.deepEqual(result.problems, []);
        const imported = parseTopology(result.text, 'imported.yaml', { keepCheckErrors: true }).topology;
        for (const name of azureSites) {
          assert.deepEqual(imported.sites.find((s) => s.name === name), original.sites.find((s) => s.name === name), name);
        }
        // Each field of the azure block is cited at a line of the format's files.
        assert.match(result.text, format === 'arm' ? /# out\/[^/]+\/azuredeploy\.json:\d+/ : /# out\/[^/]+\/main\.tf:\d+/);
      });

      it(`${file}: ${format} alone carries each Azure site's VNet and azure block`, async () => {
        const original = load(file).topology;
        const azureSites = new Set(original.sites.filter((s) => s.platform === 'azure').map((s) => s.name));
        const result = await run(...sourcesOf(exportArtifacts(file, format), azureSites, false));
        assert.deepEqual(result.problems, []);
        const imported = parse(result.text) as Topology;
        assert.deepEqual(imported.sites.map((s) => s.name).sort(), [...azureSites].sort());
        for (const site of imported.sites) assert.deepEqual(azurePart(site), azurePart(original.sites.find((s) => s.name === site.name)!));
      });
    }
  }

  it('what each format cannot carry: Terraform has no tag for an assumed sku/type/vpnType nor a description; ARM carries both', async () => {
    const text = readFileSync('examples/rras-azure-bgp.yaml', 'utf8')
      .replace(/(- name: VNet1GW\n) +gatewayType: Vpn\n +vpnType: RouteBased\n +sku: HighPerformance\n/, '$1          description: the hub gateway\n');
    const original = parseTopology(text, 'bare.yaml', { keepCheckErrors: true }).topology;
    const gateway = (t: Topology): Record<string, unknown> => (t.sites[1]!.platform === 'azure' ? t.sites[1]!.azure!.virtualNetworkGateways![0]! : {}) as Record<string, unknown>;
    assert.equal(gateway(original)['sku'], undefined, 'the edit removed the sku');
    const sites = new Set(['VNet1', 'VNet2']);
    const arm = parse((await run(...sourcesOf(exportArtifacts('bare.yaml', 'arm', text), sites, true))).text) as Topology;
    assert.deepEqual(gateway(arm), gateway(original));
    const tf = await run(...sourcesOf(exportArtifacts('bare.yaml', 'terraform', text), sites, true));
    assert.deepEqual(tf.problems, []);
    const { description: _description, ...withoutDescription } = gateway(original);
    assert.deepEqual(gateway(parse(tf.text) as Topology), { ...withoutDescription, gatewayType: 'Vpn', vpnType: 'RouteBased', sku: 'VpnGw1' });
  });

  it('the seed\'s RRAS script with the ARM export of the seed example\'s Azure side reproduces the example', async () => {
    const script = { path: 'examples/import/seed-000-rras.ps1', text: readFileSync('examples/import/seed-000-rras.ps1', 'utf8').replaceAll('1.2.3.4', '198.51.100.10').replace('-LocalASN 65032', '-LocalASN 65023') };
    const arm = sourcesOf(exportArtifacts('examples/rras-azure-bgp.yaml', 'arm'), new Set(['VNet1', 'VNet2']), false);
    const result = await run(script, ...arm);
    assert.deepEqual(result.problems, []);
    const imported = parseTopology(result.text, 'imported.yaml').topology;
    const example = load('examples/rras-azure-bgp.yaml').topology;
    // The RRAS server's public address came from VNet1's local network gateway, read from the template.
    const expected = structuredClone(example.sites[0]!);
    // The script names neither the computer (the example's "RRAS2016") nor the site (named after
    // the file); everything else matches, the LAN and test PC by the import's stated assumptions.
    if (expected.platform === 'rras') delete expected.rras!.Server.Name;
    assert.deepEqual(imported.sites[0], { ...expected, name: 'seed-000-rras' });
    for (const site of imported.sites.slice(1)) assert.deepEqual(azurePart(site), azurePart(example.sites.find((s) => s.name === site.name)!));
  });

  it('reads a hand-written quickstart-style template and its parameters file, each field cited at its JSON line', async () => {
    const result = await run(fixture('site-to-site.json'), fixture('site-to-site.parameters.json'));
    assert.deepEqual(result.problems, []);
    const site = (parse(result.text) as Topology).sites[0]!;
    assert.equal(site.name, 'HubVNet');
    assert.deepEqual(site.addressSpace, ['10.20.0.0/16']);
    assert.deepEqual(site.subnets, [{ name: 'default', prefix: '10.20.0.0/24' }, { name: 'GatewaySubnet', prefix: '10.20.255.0/27' }]);
    assert.ok(site.platform === 'azure');
    assert.deepEqual(site.azure, {
      localNetworkGateways: [{ name: 'OnPremGateway', localNetworkAddressSpace: { addressPrefixes: ['192.168.10.0/24'] }, gatewayIpAddress: '203.0.113.40' }],
      virtualNetworkGateways: [{ name: 'HubVNet-gw', gatewayType: 'Vpn', vpnType: 'RouteBased', sku: 'VpnGw2', enableBgp: false, ipConfigurations: [{ name: 'vnetGatewayConfig', subnet: 'GatewaySubnet' }] }],
      connections: [{
        name: 'HubToOnPrem', connectionType: 'IPsec', virtualNetworkGateway1: 'HubVNet-gw', localNetworkGateway2: 'OnPremGateway', sharedKey: 'Quickstart4Key9', routingWeight: 10,
        ipsecPolicies: [{ saLifeTimeSeconds: 3600, saDataSizeKilobytes: 102400000, ipsecEncryption: 'AES256', ipsecIntegrity: 'SHA256', ikeEncryption: 'AES256', ikeIntegrity: 'SHA256', dhGroup: 'DHGroup14', pfsGroup: 'None' }],
      }],
    });
    // A value from a parameter's default is cited at the default, one from the parameters file there.
    assert.match(result.text, /sku: VpnGw2 # test\/fixtures\/import\/azure\/site-to-site\.json:11\n/);
    assert.match(result.text, /sharedKey: Quickstart4Key9 # test\/fixtures\/import\/azure\/site-to-site\.parameters\.json:6\n/);
    assert.match(result.text, /routingWeight: 10 # test\/fixtures\/import\/azure\/site-to-site\.json:92\n/);
    // Azure assigns the public IP's address: said, not invented.
    assert.ok(result.notes.some((n) => n.code === 'IMPORT_AZURE_PUBLIC_IP' && n.origin.line === 69), JSON.stringify(result.notes));
    parseTopology(result.text, 'hub.yaml', { keepCheckErrors: true });
    // The parameters file may come first.
    const reversed = await run(fixture('site-to-site.parameters.json'), fixture('site-to-site.json'));
    assert.equal(reversed.text.replace(/^#.*\n/gm, ''), result.text.replace(/^#.*\n/gm, ''));
  });

  it('reads hand-written azurerm Terraform, each field cited at its argument\'s line, the resource group noted as not modelled', async () => {
    const result = await run(fixture('main.tf'));
    assert.deepEqual(result.problems, []);
    const site = (parse(result.text) as Topology).sites[0]!;
    assert.equal(site.name, 'HubVNet');
    assert.deepEqual(site.addressSpace, ['10.30.0.0/16']);
    assert.ok(site.platform === 'azure');
    assert.deepEqual(site.azure?.connections, [{ name: 'hub-to-branch', connectionType: 'IPsec', virtualNetworkGateway1: 'hub-gw', localNetworkGateway2: 'branch', sharedKey: 'Branch7Key2', enableBgp: true, dpdTimeoutSeconds: 30 }]);
    assert.deepEqual(site.azure?.localNetworkGateways, [{ name: 'branch', gatewayIpAddress: '198.51.100.70', localNetworkAddressSpace: { addressPrefixes: ['192.168.70.1/32'] }, bgpSettings: { asn: 65070, bgpPeeringAddress: '192.168.70.1' } }]);
    assert.equal(site.azure?.virtualNetworkGateways?.[0]?.bgpSettings?.asn, 65020);
    assert.match(result.text, /sharedKey: Branch7Key2 # test\/fixtures\/import\/azure\/main\.tf:11\n/);
    assert.match(result.text, /asn: 65070 # test\/fixtures\/import\/azure\/main\.tf:71\n/);
    assert.match(result.text, /dpdTimeoutSeconds: 30 # test\/fixtures\/import\/azure\/main\.tf:85\n/);
    assert.ok(result.notes.some((n) => n.code === 'IMPORT_TF_NOT_MODELLED' && n.origin.line === 14));
  });

  it('vpnlab import of a default export folder (ARM and the Azure CLI script) reads the Azure sites from the templates, the manifest listing the CLI scripts as not read back; the CLI script alone is refused as export-only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vpnlab-import-azure-'));
    try {
      const { artifacts } = exportNetwork(load('examples/rras-azure-bgp.yaml').network, { provenance: { file: 'examples/rras-azure-bgp.yaml', vpnlabVersion: 'test' }, redact: false });
      for (const a of artifacts) {
        mkdirSync(dirname(join(dir, a.path)), { recursive: true });
        writeFileSync(join(dir, a.path), a.text);
      }
      const result = await run(...collectSources([dir]));
      assert.deepEqual(result.problems.filter((p) => /VNet\d/.test(p.origin.file)), []);
      const manifest = JSON.parse(readFileSync(join(dir, 'vpnlab-export.json'), 'utf8')) as { sites: { artifacts: string[]; alternatives?: string[] }[] };
      assert.deepEqual(manifest.sites.slice(1).map((s) => [s.artifacts, s.alternatives]), ['VNet1', 'VNet2'].map((v) => [[`${v}/azuredeploy.json`, `${v}/azuredeploy.parameters.json`], [`${v}/azure-cli.sh`]]));
      assert.ok(!collectSources([dir]).some((s) => s.path.endsWith('azure-cli.sh')), 'the CLI scripts are not read');
      const alone = await run({ path: join(dir, 'VNet1', 'azure-cli.sh'), text: readFileSync(join(dir, 'VNet1', 'azure-cli.sh'), 'utf8') });
      assert.deepEqual(alone.problems.map((p) => p.code), ['IMPORT_AZURE_CLI_EXPORT_ONLY']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes a problem at file:line of what a template does not let it read', async () => {
    const template = readFileSync(`${FIXTURES}/site-to-site.json`, 'utf8')
      .replace('"gatewayType": "Vpn"', '"gatewayType": "Vnp"') // a wrong enum value
      .replace('"routingWeight": 10', '"routingWeight": "[add(5, 5)]"') // a function vpnlab does not evaluate
      .replace('"name": "default"', '"name": "[parameters(\'nosuch\')]"'); // an undeclared parameter
    const lines = template.split('\n');
    const line = (needle: string): number => lines.findIndex((l) => l.includes(needle)) + 1;
    // Without the parameters file: the key and the gateway address have no value.
    const result = await run({ path: 't/azuredeploy.json', text: template });
    const found = codes(result);
    for (const expected of [
      `t/azuredeploy.json:${line('"Vnp"')} IMPORT_AZURE_VALUE`, `t/azuredeploy.json:${line('add(5, 5)')} IMPORT_ARM_EXPRESSION`,
      `t/azuredeploy.json:${line("'nosuch'")} IMPORT_ARM_EXPRESSION`, `t/azuredeploy.json:${line('"sharedKey": "[')} IMPORT_ARM_NO_VALUE`,
      `t/azuredeploy.json:${line('"gatewayIpAddress"')} IMPORT_ARM_NO_VALUE`,
    ]) assert.ok(found.includes(expected), `${expected} in ${found.join(', ')}`);
    assert.match(result.problems.find((p) => p.code === 'IMPORT_ARM_NO_VALUE')!.fix!, /parameters file/);
    // A JSON syntax error, at its line.
    const broken = await run({ path: 'b.json', text: '{\n  "resources": [\n    { "type": "x", }\n  ]\n' });
    assert.ok(codes(broken).length > 0 && codes(broken).every((c) => / IMPORT_ARM_SYNTAX$/.test(c)), codes(broken).join(', '));
    assert.ok(broken.problems.some((p) => p.origin.line >= 3), codes(broken).join(', '));
    // A copy loop is refused where it is.
    const loop = await run({ path: 'c.json', text: '{\n "resources": [\n  { "type": "Microsoft.Network/localNetworkGateways", "name": "x",\n    "copy": { "name": "l", "count": 2 } }\n ]\n}\n' });
    assert.deepEqual(codes(loop).filter((c) => !c.includes('NO_VNET')), ['c.json:4 IMPORT_ARM_COPY']);
  });

  it('makes a problem at file:line of what Terraform does not let it read', async () => {
    const text = readFileSync(`${FIXTURES}/main.tf`, 'utf8')
      .replace('sku                 = "VpnGw1"', 'sku                 = "VpnGw9"')
      .replace('dpd_timeout_seconds        = 30', 'dpd_timeout_seconds        = local.dpd')
      .replace('default   = "Branch7Key2"\n', '');
    const lines = text.split('\n');
    const line = (needle: string): number => lines.findIndex((l) => l.includes(needle)) + 1;
    const result = await run({ path: 'main.tf', text });
    assert.deepEqual(codes(result).sort(), [
      `main.tf:${line('"VpnGw9"')} IMPORT_AZURE_VALUE`, `main.tf:${line('local.dpd')} IMPORT_TF_EXPRESSION`, `main.tf:${line('var.branch_psk')} IMPORT_TF_NO_VALUE`,
    ].sort());
    const broken = await run({ path: 'b.tf', text: 'resource "azurerm_virtual_network" "v" {\n  name = "v"\n' });
    assert.deepEqual(codes(broken), ['b.tf:1 IMPORT_TF_SYNTAX']);
  });

  it('never throws on hostile JSON or Terraform: every problem is located', async () => {
    const jsonToken = fc.constantFrom('{', '}', '[', ']', ',', ':', '"resources"', '"type"', '"Microsoft.Network/connections"', '"properties"', '"name"',
      '"[parameters(\'a\')]"', '"[concat(\'a\', variables(\'b\'))]"', '"[resourceId(\'x/y\')]"', '"[[x]"', '"__proto__"', '"parameters"', '"variables"',
      '"id"', '"virtualNetworkGateway1"', '1', 'true', 'null', '//', '/*', '*/', '\n', '"[', ']"', '"\\u0000"');
    const tfToken = fc.constantFrom('resource', '"azurerm_virtual_network"', '"azurerm_virtual_network_gateway_connection"', '"x"', '{', '}', '=', '[', ']',
      'name', 'address_space', 'shared_key', 'var.x', '"${a}"', 'ip_configuration', '\n', '#', '"10.0.0.0/16"', 'type', '"IPsec"', '__proto__');
    const json = fc.oneof(fc.array(jsonToken, { maxLength: 50 }).map((t) => `{"resources": [${t.join(' ')}`), fc.array(jsonToken, { maxLength: 50 }).map((t) => t.join(' ')));
    const tf = fc.array(tfToken, { maxLength: 50 }).map((t) => `resource "azurerm_virtual_network" "v" {\n${t.join(' ')}`);
    await fc.assert(fc.asyncProperty(json, tf, async (jsonText, tfText) => {
      const result = await run({ path: 'hostile.json', text: jsonText }, { path: 'hostile.tf', text: tfText });
      for (const issue of [...result.problems, ...result.notes]) assert.ok(issue.origin.line >= 1 && issue.origin.column >= 1, JSON.stringify(issue));
      assert.ok(!result.problems.some((p) => /UNREADABLE/.test(p.code)), JSON.stringify(result.problems));
    }), { numRuns: 100, seed: 14 });
    // Deep nesting and a huge file end in a problem too.
    const deep = await run({ path: 'deep.json', text: `{"resources": ${'['.repeat(5000)}${']'.repeat(5000)}}` });
    assert.ok(deep.problems.length > 0);
  });
});
