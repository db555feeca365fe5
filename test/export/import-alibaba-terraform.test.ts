import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';
import { platformReaders } from '../../src/cli/import-command.js';
import { exportNetwork, MANIFEST_PATH, type Manifest } from '../../src/platforms/export.js';
import { importSources, type ImportResult } from '../../src/platforms/import.js';
import type { ImportSource } from '../../src/platforms/imports.js';
import { parseTopology } from '../../src/platforms/load.js';
import { ALICLOUD_FIELDS } from '../../src/platforms/alibaba/import/terraform.js';
import {
  customerGatewaySchema, healthCheckConfigSchema, ikeConfigSchema, ipsecConfigSchema, singleTunnelBgpConfigSchema, tunnelBgpConfigSchema, tunnelOptionsSchema,
  vpnConnectionSchema, vpnGatewaySchema, vpnPbrRouteEntrySchema, vpnRouteEntrySchema,
} from '../../src/topology/platforms/alibaba.js';
import type { Site } from '../../src/topology/schema.js';
import { ALIBABA_EXAMPLES, EVERY_FIELD } from './alibaba-fixtures.js';

/*
 * The Alibaba Terraform reader (src/platforms/alibaba/import/terraform.ts). The round trip: every
 * example with an Alibaba site (and a topology that sets every field of the block) exported, its
 * manifest and main.tf imported, gives the same Alibaba sites; main.tf alone carries the whole site
 * but its hosts (ECS instances: the export writes none). A file in the provider documentation's
 * style imports with its lines cited; what cannot be read is a problem at its line; hostile text
 * never makes the reader throw.
 */

const CASES = [...ALIBABA_EXAMPLES, { file: 'every-field.yaml', text: EVERY_FIELD }];
const HAND_WRITTEN = 'test/fixtures/import/alibaba/hand-written.tf';
const UNREADABLE = 'test/fixtures/import/alibaba/unreadable.tf';

function load(text: string, file: string): ReturnType<typeof parseTopology> {
  return parseTopology(text, file, { keepCheckErrors: true });
}

/** The export of a topology: its manifest and each Alibaba site's main.tf, as `vpnlab import DIR` reads them. */
function exported(text: string, file: string): { manifest: ImportSource; terraform: ImportSource[] } {
  const { network } = load(text, file);
  const { artifacts } = exportNetwork(network, { provenance: { file, vpnlabVersion: 'test' }, redact: false, formats: ['terraform'] });
  const manifestText = artifacts.find((a) => a.path === MANIFEST_PATH)!.text;
  const manifest = JSON.parse(manifestText) as Manifest;
  const alibaba = new Set(manifest.sites.filter((s) => s.site.platform === 'alibaba').map((s) => s.site.name));
  const terraform = artifacts
    .filter((a) => a.format === 'terraform' && alibaba.has(a.path.split('/')[0]!))
    .map((a) => ({ path: `out/${a.path}`, text: a.text, site: a.path.split('/')[0]! }));
  return { manifest: { path: `out/${MANIFEST_PATH}`, text: manifestText }, terraform };
}

async function run(...sources: ImportSource[]): Promise<ImportResult> {
  return importSources(sources, platformReaders());
}

function alibabaSites(sites: readonly Site[]): Site[] {
  return sites.filter((s) => s.platform === 'alibaba' && s.alibaba !== undefined);
}

function withoutHosts(site: Site): Site {
  const { hosts: _hosts, ...rest } = site;
  return rest as Site;
}

/** The schema each table of the reader fills. */
const SCHEMAS: Record<keyof typeof ALICLOUD_FIELDS, { shape: Record<string, unknown> }> = {
  alicloud_vpn_gateway: vpnGatewaySchema, alicloud_vpn_customer_gateway: customerGatewaySchema, alicloud_vpn_connection: vpnConnectionSchema,
  tunnel_options_specification: tunnelOptionsSchema, tunnel_ike_config: ikeConfigSchema, ike_config: ikeConfigSchema, ipsec_config: ipsecConfigSchema,
  tunnel_bgp_config: tunnelBgpConfigSchema, bgp_config: singleTunnelBgpConfigSchema, health_check_config: healthCheckConfigSchema,
  alicloud_vpn_pbr_route_entry: vpnPbrRouteEntrySchema, alicloud_vpn_route_entry: vpnRouteEntrySchema,
};

/** The reader's fields that the alibaba schema does not have, as `table.argument -> Field`. */
function unknownFields(tables: Record<string, Readonly<Record<string, readonly [string, unknown]>>>): string[] {
  return Object.entries(tables).flatMap(([table, fields]) => {
    const shape = SCHEMAS[table as keyof typeof SCHEMAS].shape;
    return Object.entries(fields).filter(([, [field]]) => !Object.hasOwn(shape, field)).map(([argument, [field]]) => `${table}.${argument} -> ${field}`);
  });
}

describe('importing Alibaba Terraform', () => {
  it('fills only fields the alibaba schema has (and this check catches a misspelt one)', () => {
    assert.deepEqual(unknownFields(ALICLOUD_FIELDS), []);
    const tampered = { ...ALICLOUD_FIELDS, tunnel_bgp_config: { ...ALICLOUD_FIELDS.tunnel_bgp_config, local_asn: ['LocalASN', 'asnNumber'] as const } };
    assert.deepEqual(unknownFields(tampered), ['tunnel_bgp_config.local_asn -> LocalASN']);
  });

  it('has examples to round-trip', () => {
    assert.ok(CASES.length >= 10, CASES.map((c) => c.file).join(', '));
  });

  for (const { file, text } of CASES) {
    it(`round-trips ${file}: the manifest and main.tf give back the same Alibaba sites, every field cited`, async () => {
      const original = load(text, file).topology;
      const { manifest, terraform } = exported(text, file);
      assert.ok(terraform.length >= 1);
      const result = await run(manifest, ...terraform);
      assert.deepEqual(result.problems, []);
      const imported = load(result.text, 'imported.yaml').topology;
      const expected = alibabaSites(original.sites);
      assert.deepEqual(alibabaSites(imported.sites), expected);
      assert.match(result.text, /VpnGateways:\n/);
      assert.match(result.text, /# out\/[^:\n]+\/main\.tf:\d+\n/);
    });

    it(`round-trips ${file} from main.tf alone: the whole site but its hosts, which Terraform for the VPN does not hold`, async () => {
      const original = load(text, file).topology;
      const { terraform } = exported(text, file);
      for (const source of terraform) {
        const { site: _site, ...alone } = source;
        const result = await run(alone);
        assert.deepEqual(result.problems, []);
        const imported = load(result.text, 'imported.yaml').topology;
        const expected = alibabaSites(original.sites).find((s) => s.name === source.site)!;
        assert.deepEqual(imported.sites.map(withoutHosts), [withoutHosts(expected)]);
      }
    });
  }

  it('reads a file in the provider documentation\'s style: variables, locals, deprecated name arguments, citing each line', async () => {
    const result = await run({ path: HAND_WRITTEN, text: readFileSync(HAND_WRITTEN, 'utf8') });
    assert.deepEqual(result.problems, []);
    const site = load(result.text, 'imported.yaml').topology.sites[0]!;
    assert.equal(site.name, 'hz-prod');
    assert.equal(site.region, 'cn-hangzhou');
    assert.deepEqual(site.addressSpace, ['172.16.0.0/12']);
    // The zone computed by a data source is known only when Terraform runs: left out, with a note.
    assert.deepEqual(site.subnets, [{ name: 'vpn-a', prefix: '172.16.0.0/21', zone: 'cn-hangzhou-h' }, { name: 'apps', prefix: '172.16.8.0/21' }]);
    assert.deepEqual(site.platform === 'alibaba' ? site.alibaba : undefined, {
      VpnGateways: [{ Name: 'hz-vpn', VSwitchId: 'vpn-a', Bandwidth: 10, EnableSsl: false }],
      CustomerGateways: [{ Name: 'office', IpAddress: '198.51.100.7', Asn: 65010 }],
      VpnConnections: [{
        Name: 'to-office', VpnGatewayId: 'hz-vpn', LocalSubnet: ['172.16.0.0/12'], RemoteSubnet: ['10.0.0.0/16', '10.1.0.0/16'], EffectImmediately: true, CustomerGatewayId: 'office',
        IkeConfig: { Psk: 'Office-Key-2024', IkeVersion: 'ikev2', IkeMode: 'main', IkeEncAlg: 'aes256', IkeAuthAlg: 'sha256', IkePfs: 'group14', IkeLifetime: 86400, LocalId: 'hz-vpn', RemoteId: '198.51.100.7' },
        IpsecConfig: { IpsecEncAlg: 'aes256', IpsecAuthAlg: 'sha256', IpsecPfs: 'group14', IpsecLifetime: 3600 },
      }],
      VpnRouteEntries: [{ VpnGatewayId: 'hz-vpn', RouteDest: '10.2.0.0/16', NextHop: 'to-office', Weight: 100, PublishVpc: true }],
    });
    const at = (line: number): RegExp => new RegExp(`# ${HAND_WRITTEN.replace(/[./]/g, '\\$&')}:${line}\\n`);
    assert.match(result.text, new RegExp(`region: cn-hangzhou ${at(18).source}`));
    assert.match(result.text, new RegExp(`Psk: Office-Key-2024 ${at(75).source}`));
    assert.match(result.text, new RegExp(`IpAddress: 198\\.51\\.100\\.7 ${at(58).source}`));
    assert.match(result.text, new RegExp(`NextHop: to-office ${at(91).source}`));
    const notes = result.notes.map((n) => `${n.origin.line} ${n.code}`);
    for (const expected of ['41 IMPORT_TF_ZONE', '96 IMPORT_TF_IGNORED']) assert.ok(notes.includes(expected), `${expected} in ${notes.join(', ')}`);
  });

  it('makes a problem, at its line, of what it cannot read: a variable with no value, a missing resource, count, a template, a misplaced vpnlab comment', async () => {
    const result = await run({ path: UNREADABLE, text: readFileSync(UNREADABLE, 'utf8') });
    const problems = result.problems.map((p) => `${p.origin.file}:${p.origin.line} ${p.code}`);
    assert.deepEqual(problems.sort(), [
      `${UNREADABLE}:16 IMPORT_TF_REFERENCE`,
      `${UNREADABLE}:20 IMPORT_TF_COUNT`,
      `${UNREADABLE}:21 IMPORT_TF_NOT_LITERAL`,
      `${UNREADABLE}:31 IMPORT_TF_NOT_LITERAL`,
      `${UNREADABLE}:33 IMPORT_TF_KEPT_FIELD`,
    ].sort());
    assert.match(result.problems.find((p) => p.origin.line === 31)!.message, /var\.psk has no literal value/);
    assert.equal(result.text.length > 0, true);
  });

  it('reports a syntax error at the line and column the HCL parser gives', async () => {
    const result = await run({ path: 'bad.tf', text: 'provider "alicloud" {\n  region = \n}\nresource "alicloud_vpc" "v" {}\n' });
    assert.deepEqual(result.problems.map((p) => `${p.origin.line}:${p.origin.column} ${p.code}`), ['2:12 IMPORT_TF_SYNTAX']);
  });

  it('reads a value marked "vpnlab: not in the topology" as absent, and a kept value over the argument it overrides', async () => {
    const tf = [
      'provider "alicloud" {',
      '  region = var.region # vpnlab: not in the topology',
      '}',
      'resource "alicloud_vpc" "v" {',
      '  vpc_name   = "v"',
      '  cidr_block = "10.0.0.0/16"',
      '}',
      'resource "alicloud_vpn_gateway" "g" {',
      '  vpn_gateway_name = "g"',
      '  bandwidth        = 10 # vpnlab: not in the topology (the API requires one; Mbit/s)',
      '}',
      'resource "alicloud_vpn_connection" "c" {',
      '  vpn_connection_name = "c"',
      '  vpn_gateway_id      = alicloud_vpn_gateway.g.id',
      '  customer_gateway_id = "peer"',
      '  local_subnet        = ["10.0.0.0/24"]',
      '  remote_subnet       = ["10.9.0.0/16"]',
      '  # vpnlab: AutoConfigRoute = true',
      '  auto_config_route   = false',
      '}',
      '# vpnlab: system route (AutoConfigRoute): not listed in the topology, which leaves it to the system.',
      'resource "alicloud_vpn_pbr_route_entry" "auto" {',
      '  vpn_gateway_id = alicloud_vpn_gateway.g.id',
      '  route_source   = "10.0.0.0/24"',
      '  route_dest     = "10.9.0.0/16"',
      '  next_hop       = alicloud_vpn_connection.c.id',
      '  weight         = 100',
      '  publish_vpc    = false',
      '}',
      '',
    ].join('\n');
    const result = await run({ path: 'marked.tf', text: tf });
    assert.deepEqual(result.problems, []);
    const site = parse(result.text).sites[0] as Site;
    assert.equal(site.region, undefined);
    assert.deepEqual(site.platform === 'alibaba' ? site.alibaba : undefined, {
      VpnGateways: [{ Name: 'g' }],
      VpnConnections: [{ Name: 'c', VpnGatewayId: 'g', LocalSubnet: ['10.0.0.0/24'], RemoteSubnet: ['10.9.0.0/16'], AutoConfigRoute: true, CustomerGatewayId: 'peer' }],
    });
  });

  it('reads an export folder as written (main.tf and aliyun-cli.sh): the script is passed over with a note; alone, it is a problem', async () => {
    const example = ALIBABA_EXAMPLES.find((e) => e.file === 'examples/alibaba-azure-dual-tunnel-bgp.yaml')!;
    const { network, topology } = load(example.text, example.file);
    const { artifacts } = exportNetwork(network, { provenance: { file: example.file, vpnlabVersion: 'test' }, redact: false, site: 'AlibabaVPC' });
    const sources = artifacts.map((a) => ({ path: `out/${a.path}`, text: a.text, ...(a.path === MANIFEST_PATH ? {} : { site: 'AlibabaVPC' }) }));
    assert.deepEqual(sources.map((s) => s.path).sort(), ['out/AlibabaVPC/aliyun-cli.sh', 'out/AlibabaVPC/main.tf', `out/${MANIFEST_PATH}`]);
    const result = await run(...sources);
    assert.deepEqual(result.problems, []);
    assert.ok(result.notes.some((n) => n.code === 'IMPORT_CLI_NOT_READ' && n.origin.file === 'out/AlibabaVPC/aliyun-cli.sh'));
    assert.deepEqual(alibabaSites(load(result.text, 'imported.yaml').topology.sites), alibabaSites(topology.sites).filter((s) => s.name === 'AlibabaVPC'));
    const alone = await run({ path: 'aliyun-cli.sh', text: sources.find((s) => s.path.endsWith('.sh'))!.text });
    assert.deepEqual(alone.problems.map((p) => `${p.origin.file}:${p.origin.line} ${p.code}`), ['aliyun-cli.sh:1 IMPORT_CLI_NOT_READ']);
  });

  it('never throws on hostile text: garbage, deep nesting, a huge file; every problem is located', async () => {
    const token = fc.constantFrom(
      'resource', '"alicloud_vpn_gateway"', '"alicloud_vpn_connection"', '"g"', '{', '}', '[', ']', '=', '"', '${', '%{', '$${', '#', '//', '/*', '*/', '<<EOF', 'EOF',
      'vpn_gateway_name', 'tunnel_options_specification', 'psk', 'alicloud_vpn_gateway.g.id', 'var.x', '# vpnlab: InternetIp = ', '# vpnlab: not in the topology', '\n', ' ', '10', 'true', '本地', '\u0000',
    );
    await fc.assert(fc.asyncProperty(fc.oneof(fc.array(token, { maxLength: 40 }).map((t) => `provider "alicloud" {}\n${t.join(' ')}`), fc.string({ maxLength: 200 }).map((s) => `resource "alicloud_vpc" "v" {\n${s}\n}`)), async (text) => {
      const result = await run({ path: 'hostile.tf', text });
      for (const issue of [...result.problems, ...result.notes]) assert.ok(issue.origin.line >= 1 && issue.origin.column >= 1, JSON.stringify(issue));
      if (result.problems.length === 0 && result.text !== '') assert.doesNotThrow(() => parse(result.text));
    }), { numRuns: 120, seed: 14 });
    const deep = `resource "alicloud_vpn_connection" "c" {\n  local_subnet = ${'['.repeat(5000)}${']'.repeat(5000)}\n${'tunnel_options_specification {\n'.repeat(2000)}${'}\n'.repeat(2000)}}\n`;
    const deepResult = await run({ path: 'deep.tf', text: deep });
    assert.ok(deepResult.problems.length > 0 || deepResult.notes.length > 0);
    const huge = await run({ path: 'huge.tf', text: `resource "alicloud_vpc" "v" {}\n${'#'.repeat(5 * 1024 * 1024)}` });
    assert.deepEqual(huge.problems.map((p) => p.code), ['IMPORT_TF_TOO_LARGE']);
  });
});
