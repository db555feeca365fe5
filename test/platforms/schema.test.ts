import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { topologyJsonSchema, topologySchema } from '../../src/topology/schema.js';

/*
 * The platform blocks' schemas: the four example topologies parse as written; a misspelled field in
 * each platform block is an `unrecognized_keys` issue at the resource's path; enum values outside
 * the platform's set are rejected; the JSON Schema generates and names every resource.
 */

// Tests run from the repository root (`node --test dist/test/`), wherever the build went.
const EXAMPLES = pathToFileURL(join(process.cwd(), 'examples/'));

const EXAMPLE_FILES = [
  'rras-azure-bgp.yaml',
  'rras-azure-bgp-asn-mismatch.yaml',
  'alibaba-azure-dual-tunnel.yaml',
  'alibaba-azure-policy-route-unpublished.yaml',
  // One pitfall each (examples/broken/README.md): still valid against the schema.
  ...readdirSync(new URL('broken/', EXAMPLES)).filter((f) => f.endsWith('.yaml')).sort().map((f) => `broken/${f}`),
];

type Json = Record<string, unknown>;

function loadExample(file: string): Json {
  return parse(readFileSync(new URL(file, EXAMPLES), 'utf8')) as Json;
}

/** Walk `path` (keys and indexes) into a parsed document. */
function at(doc: unknown, path: readonly (string | number)[]): Json {
  let node: unknown = doc;
  for (const step of path) node = (node as Record<string | number, unknown>)[step];
  assert.ok(node !== null && typeof node === 'object', `nothing at ${path.join('.')}`);
  return node as Json;
}

function site(doc: Json, siteName: string): { index: number; value: Json } {
  const sites = doc.sites as Json[];
  const index = sites.findIndex((s) => s.name === siteName);
  assert.ok(index >= 0, `no site ${siteName}`);
  return { index, value: sites[index]! };
}

function issuesOf(doc: unknown): z.core.$ZodIssue[] {
  const result = topologySchema.safeParse(doc);
  assert.equal(result.success, false, 'expected the document to be rejected');
  return result.error!.issues;
}

/** Rename `from` to `to` in the object at `path` and expect exactly that key reported there. */
function assertMisspellingRejected(doc: Json, path: (string | number)[], from: string, to: string): void {
  const target = at(doc, path);
  assert.ok(from in target, `${path.join('.')} has no ${from}`);
  target[to] = target[from];
  delete target[from];
  const issues = issuesOf(doc);
  const unrecognized = issues.filter((i) => i.code === 'unrecognized_keys');
  assert.equal(unrecognized.length, 1, JSON.stringify(issues, null, 2));
  const issue = unrecognized[0] as z.core.$ZodIssueUnrecognizedKeys;
  assert.deepEqual(issue.path, path);
  assert.deepEqual(issue.keys, [to]);
}

/** Set `key` of the object at `path` to `value` and expect an issue at path+key. */
function assertValueRejected(doc: Json, path: (string | number)[], key: string, value: unknown, code = 'invalid_value'): void {
  at(doc, path)[key] = value;
  const issues = issuesOf(doc);
  const match = issues.find((i) => JSON.stringify(i.path) === JSON.stringify([...path, key]));
  assert.ok(match, `no issue at ${[...path, key].join('.')}: ${JSON.stringify(issues, null, 2)}`);
  assert.equal(match.code, code);
}

describe('platform schemas: examples', () => {
  for (const file of EXAMPLE_FILES) {
    it(`${file} parses as written`, () => {
      const text = readFileSync(new URL(file, EXAMPLES), 'utf8');
      const up = '../'.repeat(file.split('/').length);
      assert.ok(text.startsWith(`# yaml-language-server: $schema=${up}schema/topology.schema.json\n`));
      const result = topologySchema.safeParse(parse(text));
      assert.ok(result.success, result.success ? '' : JSON.stringify(result.error.issues, null, 2));
    });
  }

  it('the ASN-mismatch variant differs from seed 000 only in Add-BgpRouter -LocalASN', () => {
    const good = topologySchema.parse(loadExample('rras-azure-bgp.yaml'));
    const bad = topologySchema.parse(loadExample('rras-azure-bgp-asn-mismatch.yaml'));
    const rras = (t: typeof good) => {
      const s = t.sites.find((x) => x.platform === 'rras');
      assert.ok(s?.platform === 'rras' && s.rras);
      return s.rras;
    };
    assert.equal(rras(good).BgpRouter?.LocalASN, 65023);
    assert.equal(rras(bad).BgpRouter?.LocalASN, 65032);
    assert.deepEqual({ ...good.sites, 0: undefined }, { ...bad.sites, 0: undefined });
    assert.deepEqual({ ...rras(good), BgpRouter: undefined }, { ...rras(bad), BgpRouter: undefined });
  });

  it('the unpublished variant differs from seed 003 only in PublishVpc', () => {
    const good = topologySchema.parse(loadExample('alibaba-azure-dual-tunnel.yaml'));
    const bad = topologySchema.parse(loadExample('alibaba-azure-policy-route-unpublished.yaml'));
    const routes = (t: typeof good) => {
      const s = t.sites.find((x) => x.platform === 'alibaba');
      assert.ok(s?.platform === 'alibaba' && s.alibaba);
      return s.alibaba.VpnPbrRouteEntries;
    };
    assert.deepEqual(routes(good)?.map((r) => r.PublishVpc), [true]);
    assert.deepEqual(routes(bad)?.map((r) => r.PublishVpc), [false]);
    assert.deepEqual(good.sites[1], bad.sites[1]);
  });
});

describe('platform schemas: misspelled fields are unrecognized_keys at the right path', () => {
  it('azure virtualNetworkGateways[]: enableBpg', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'VNet1');
    assertMisspellingRejected(doc, ['sites', index, 'azure', 'virtualNetworkGateways', 0], 'enableBgp', 'enableBpg');
  });

  it('azure localNetworkGateways[].bgpSettings: bgpPeerAddress', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'VNet1');
    assertMisspellingRejected(doc, ['sites', index, 'azure', 'localNetworkGateways', 0, 'bgpSettings'], 'bgpPeeringAddress', 'bgpPeerAddress');
  });

  it('azure connections[]: sharedkey (case matters)', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'VNet2');
    assertMisspellingRejected(doc, ['sites', index, 'azure', 'connections', 0], 'sharedKey', 'sharedkey');
  });

  it('azure ipConfigurations[]: publicIpAddress (ARM spells it publicIPAddress)', () => {
    const doc = loadExample('alibaba-azure-dual-tunnel.yaml');
    const { index } = site(doc, 'AzureVNet');
    assertMisspellingRejected(doc, ['sites', index, 'azure', 'virtualNetworkGateways', 0, 'ipConfigurations', 1], 'publicIPAddress', 'publicIpAddress');
  });

  it('azure block itself: virtualNetworkGateway', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'VNet2');
    assertMisspellingRejected(doc, ['sites', index, 'azure'], 'virtualNetworkGateways', 'virtualNetworkGateway');
  });

  it('alibaba VpnGateways[]: DisasterRecoveryVswitchId', () => {
    const doc = loadExample('alibaba-azure-dual-tunnel.yaml');
    const { index } = site(doc, 'AlibabaVPC');
    assertMisspellingRejected(doc, ['sites', index, 'alibaba', 'VpnGateways', 0], 'DisasterRecoveryVSwitchId', 'DisasterRecoveryVswitchId');
  });

  it('alibaba TunnelOptionsSpecification[].TunnelIkeConfig: PreSharedKey', () => {
    const doc = loadExample('alibaba-azure-dual-tunnel.yaml');
    const { index } = site(doc, 'AlibabaVPC');
    assertMisspellingRejected(doc, ['sites', index, 'alibaba', 'VpnConnections', 0, 'TunnelOptionsSpecification', 1, 'TunnelIkeConfig'], 'Psk', 'PreSharedKey');
  });

  it('alibaba VpnPbrRouteEntries[]: PublishVPC', () => {
    const doc = loadExample('alibaba-azure-dual-tunnel.yaml');
    const { index } = site(doc, 'AlibabaVPC');
    assertMisspellingRejected(doc, ['sites', index, 'alibaba', 'VpnPbrRouteEntries', 0], 'PublishVpc', 'PublishVPC');
  });

  it('rras VpnS2SInterfaces[]: SharedKey', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'OnPrem');
    assertMisspellingRejected(doc, ['sites', index, 'rras', 'VpnS2SInterfaces', 0], 'SharedSecret', 'SharedKey');
  });

  it('rras BgpRouter: LocalAsn (the cmdlet spells it LocalASN)', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'OnPrem');
    assertMisspellingRejected(doc, ['sites', index, 'rras', 'BgpRouter'], 'LocalASN', 'LocalAsn');
  });

  it('rras BgpPeers[]: PeerIpAddress', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'OnPrem');
    assertMisspellingRejected(doc, ['sites', index, 'rras', 'BgpPeers', 0], 'PeerIPAddress', 'PeerIpAddress');
  });

  it('rras Server.NetworkAdapters[]: IpAddress', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'OnPrem');
    assertMisspellingRejected(doc, ['sites', index, 'rras', 'Server', 'NetworkAdapters', 1], 'IPAddress', 'IpAddress');
  });
});

describe('platform schemas: values outside the platform\'s set are rejected', () => {
  it('azure vpnType', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'VNet1');
    assertValueRejected(doc, ['sites', index, 'azure', 'virtualNetworkGateways', 0], 'vpnType', 'Dynamic');
  });

  it('azure sku', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'VNet1');
    assertValueRejected(doc, ['sites', index, 'azure', 'virtualNetworkGateways', 0], 'sku', 'VpnGw6');
  });

  it('azure connectionType', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'VNet1');
    assertValueRejected(doc, ['sites', index, 'azure', 'connections', 0], 'connectionType', 'S2S');
  });

  it('azure ipsecPolicies[].dhGroup', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'VNet1');
    const connection = at(doc, ['sites', index, 'azure', 'connections', 0]);
    connection.ipsecPolicies = [{
      saLifeTimeSeconds: 27000, saDataSizeKilobytes: 102400000, ipsecEncryption: 'AES256', ipsecIntegrity: 'SHA256',
      ikeEncryption: 'AES256', ikeIntegrity: 'SHA256', dhGroup: 'DHGroup14', pfsGroup: 'None',
    }];
    assert.ok(topologySchema.safeParse(doc).success, 'a complete ipsec policy is accepted');
    assertValueRejected(doc, ['sites', index, 'azure', 'connections', 0, 'ipsecPolicies', 0], 'dhGroup', 'Group14');
  });

  it('azure dpdTimeoutSeconds outside 9-3600', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'VNet1');
    assertValueRejected(doc, ['sites', index, 'azure', 'connections', 0], 'dpdTimeoutSeconds', 5, 'too_small');
  });

  it('alibaba Role', () => {
    const doc = loadExample('alibaba-azure-dual-tunnel.yaml');
    const { index } = site(doc, 'AlibabaVPC');
    assertValueRejected(doc, ['sites', index, 'alibaba', 'VpnConnections', 0, 'TunnelOptionsSpecification', 0], 'Role', 'primary');
  });

  it('alibaba IkeEncAlg (no GCM on Alibaba)', () => {
    const doc = loadExample('alibaba-azure-dual-tunnel.yaml');
    const { index } = site(doc, 'AlibabaVPC');
    assertValueRejected(doc, ['sites', index, 'alibaba', 'VpnConnections', 0, 'TunnelOptionsSpecification', 0, 'TunnelIkeConfig'], 'IkeEncAlg', 'aes-gcm');
  });

  it('alibaba NetworkType', () => {
    const doc = loadExample('alibaba-azure-dual-tunnel.yaml');
    const { index } = site(doc, 'AlibabaVPC');
    assertValueRejected(doc, ['sites', index, 'alibaba', 'VpnGateways', 0], 'NetworkType', 'internet');
  });

  it('alibaba route Weight is 0 or 100', () => {
    const doc = loadExample('alibaba-azure-dual-tunnel.yaml');
    const { index } = site(doc, 'AlibabaVPC');
    assertValueRejected(doc, ['sites', index, 'alibaba', 'VpnPbrRouteEntries', 0], 'Weight', 50);
  });

  it('rras -Protocol', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'OnPrem');
    assertValueRejected(doc, ['sites', index, 'rras', 'VpnS2SInterfaces', 0], 'Protocol', 'IKEv1');
  });

  it('rras -EncryptionType', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'OnPrem');
    assertValueRejected(doc, ['sites', index, 'rras', 'VpnServerIPsecConfiguration'], 'EncryptionType', 'Maximum');
  });

  it('rras -OperationMode', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'OnPrem');
    assertValueRejected(doc, ['sites', index, 'rras', 'BgpPeers', 0], 'OperationMode', 'Passive');
  });

  it('rras -IPv4Subnet entries are "prefix:metric"', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'OnPrem');
    const s2s = at(doc, ['sites', index, 'rras', 'VpnS2SInterfaces', 0]);
    s2s.IPv4Subnet = ['10.3.1.254/32:100'];
    assert.ok(topologySchema.safeParse(doc).success);
    s2s.IPv4Subnet = ['10.3.1.254/32'];
    const issue = issuesOf(doc).find((i) => JSON.stringify(i.path) === JSON.stringify(['sites', index, 'rras', 'VpnS2SInterfaces', 0, 'IPv4Subnet', 0]));
    assert.equal(issue?.code, 'custom');
  });
});

describe('platform schemas: rules inside one resource', () => {
  it('azure local network gateway: gatewayIpAddress or fqdn, not both', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'VNet1');
    at(doc, ['sites', index, 'azure', 'localNetworkGateways', 0]).fqdn = 'onprem.example.com';
    const issues = issuesOf(doc);
    assert.ok(issues.some((i) => i.code === 'custom' && JSON.stringify(i.path) === JSON.stringify(['sites', index, 'azure', 'localNetworkGateways', 0])));
  });

  it('azure IPsec connection needs localNetworkGateway2', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'VNet1');
    delete at(doc, ['sites', index, 'azure', 'connections', 0]).localNetworkGateway2;
    const issues = issuesOf(doc);
    assert.ok(issues.some((i) => JSON.stringify(i.path) === JSON.stringify(['sites', index, 'azure', 'connections', 0, 'localNetworkGateway2'])));
  });

  it('azure read-only bgpPeeringAddress accepts the comma-joined active-active form only', () => {
    const doc = loadExample('alibaba-azure-dual-tunnel.yaml');
    const { index } = site(doc, 'AzureVNet');
    const gateway = at(doc, ['sites', index, 'azure', 'virtualNetworkGateways', 0]);
    gateway.bgpSettings = { bgpPeeringAddress: '192.168.255.4,192.168.255.5' };
    assert.ok(topologySchema.safeParse(doc).success);
    gateway.bgpSettings = { bgpPeeringAddress: '192.168.255.4;192.168.255.5' };
    assert.ok(issuesOf(doc).length > 0);
  });

  it('alibaba dual tunnel: one master and one slave', () => {
    const doc = loadExample('alibaba-azure-dual-tunnel.yaml');
    const { index } = site(doc, 'AlibabaVPC');
    at(doc, ['sites', index, 'alibaba', 'VpnConnections', 0, 'TunnelOptionsSpecification', 1]).Role = 'master';
    const issues = issuesOf(doc);
    assert.ok(issues.some((i) => JSON.stringify(i.path) === JSON.stringify(['sites', index, 'alibaba', 'VpnConnections', 0, 'TunnelOptionsSpecification'])));
  });

  it('alibaba dual tunnel: exactly two tunnels', () => {
    const doc = loadExample('alibaba-azure-dual-tunnel.yaml');
    const { index } = site(doc, 'AlibabaVPC');
    (at(doc, ['sites', index, 'alibaba', 'VpnConnections', 0]).TunnelOptionsSpecification as unknown[]).pop();
    assert.ok(issuesOf(doc).some((i) => i.code === 'too_small'));
  });

  it('alibaba RoutingMode must agree with LocalSubnet/RemoteSubnet', () => {
    const doc = loadExample('alibaba-azure-dual-tunnel.yaml');
    const { index } = site(doc, 'AlibabaVPC');
    const connection = at(doc, ['sites', index, 'alibaba', 'VpnConnections', 0]);
    connection.RoutingMode = 'DestinationRouting';
    assert.ok(issuesOf(doc).some((i) => JSON.stringify(i.path) === JSON.stringify(['sites', index, 'alibaba', 'VpnConnections', 0, 'RoutingMode'])));
    connection.LocalSubnet = ['0.0.0.0/0'];
    connection.RemoteSubnet = ['0.0.0.0/0'];
    assert.ok(topologySchema.safeParse(doc).success);
    delete connection.LocalSubnet;
    delete connection.RemoteSubnet;
    assert.ok(topologySchema.safeParse(doc).success, 'destination routing needs no subnets');
  });

  it('alibaba customer gateway Asn: a number or asdot', () => {
    const doc = loadExample('alibaba-azure-dual-tunnel.yaml');
    const { index } = site(doc, 'AlibabaVPC');
    const cgw = at(doc, ['sites', index, 'alibaba', 'CustomerGateways', 0]);
    cgw.Asn = 65515;
    assert.ok(topologySchema.safeParse(doc).success);
    cgw.Asn = '123.456';
    assert.ok(topologySchema.safeParse(doc).success);
    cgw.Asn = '123.70000';
    assert.ok(issuesOf(doc).length > 0);
  });

  it('rras: custom-policy parameters need CustomPolicy, and exclude EncryptionType', () => {
    const doc = loadExample('rras-azure-bgp.yaml');
    const { index } = site(doc, 'OnPrem');
    const config = at(doc, ['sites', index, 'rras', 'VpnServerIPsecConfiguration']);
    config.DHGroup = 'Group14';
    assert.ok(issuesOf(doc).some((i) => i.code === 'custom'));
    config.CustomPolicy = true;
    assert.ok(issuesOf(doc).some((i) => i.code === 'custom'), 'EncryptionType is another parameter set');
    delete config.EncryptionType;
    assert.ok(topologySchema.safeParse(doc).success);
  });
});

describe('platform schemas: JSON Schema', () => {
  it('z.toJSONSchema(topologySchema, { io: "input" }) succeeds', () => {
    const schema = z.toJSONSchema(topologySchema, { io: 'input' });
    assert.equal(typeof schema, 'object');
  });

  it('topologyJsonSchema() names every platform resource and field', () => {
    const text = JSON.stringify(topologyJsonSchema());
    const names = [
      // azure
      'virtualNetworkGateways', 'localNetworkGateways', 'connections', 'ipConfigurations', 'publicIPAddress',
      'bgpSettings', 'bgpPeeringAddress', 'bgpPeeringAddresses', 'ipconfigurationId', 'customBgpIpAddresses',
      'localNetworkAddressSpace', 'addressPrefixes', 'gatewayIpAddress', 'virtualNetworkGateway2',
      'localNetworkGateway2', 'sharedKey', 'usePolicyBasedTrafficSelectors', 'trafficSelectorPolicies',
      'ipsecPolicies', 'saDataSizeKilobytes', 'pfsGroup', 'connectionMode', 'dpdTimeoutSeconds',
      'gatewayCustomBgpIpAddresses', 'natRules',
      // alibaba
      'VpnGateways', 'CustomerGateways', 'VpnConnections', 'VpnPbrRouteEntries', 'VpnRouteEntries',
      'DisasterRecoveryVSwitchId', 'DisasterRecoveryInternetIp', 'TunnelOptionsSpecification',
      'TunnelIkeConfig', 'TunnelIpsecConfig', 'TunnelBgpConfig', 'EffectImmediately', 'EnableTunnelsBgp',
      'AutoConfigRoute', 'RoutingMode', 'PublishVpc', 'HealthCheckConfig',
      // rras
      'VpnS2SInterfaces', 'VpnServerIPsecConfiguration', 'BgpRouter', 'BgpPeers', 'BgpCustomRoutes',
      'NetRoutes', 'NetworkAdapters', 'InitiateConfigPayload', 'RedialOnLinkFailure', 'IdleDisconnectSeconds',
      'SADataSizeForRenegotiationKilobytes', 'AuthenticationTransformConstants', 'LocalVpnTrafficSelector',
    ];
    for (const n of names) assert.ok(text.includes(`"${n}"`), `JSON Schema lacks ${n}`);
  });

  it('enum values reach the JSON Schema', () => {
    const text = JSON.stringify(topologyJsonSchema());
    for (const v of ['VpnGw1AZ', 'ResponderOnly', 'GCMAES256', 'PFS2048', 'MaximumEncryption', 'PSKOnly', 'slave', 'group14', 'NationalStandard']) {
      assert.ok(text.includes(`"${v}"`), `JSON Schema lacks ${v}`);
    }
  });
});
