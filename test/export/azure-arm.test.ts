import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { armValidator } from './validators/arm.js';
import { artifact, azureArtifacts, azureExamples, load } from './azure-helpers.js';

/*
 * The ARM export, validated against Microsoft's published ARM schemas (validators/arm.ts): every
 * example with an Azure site exports a template and parameters file that validate, the template
 * holds every field of the site's azure block, and a template tampered the ways a hand edit goes
 * wrong fails.
 */

const validator = armValidator();
type Json = { [key: string]: unknown };

function template(file: string, site: string, options: { redact?: boolean } = {}): Json {
  return JSON.parse(artifact(azureArtifacts(file, 'arm', options), `${site}/azuredeploy.json`).text) as Json;
}

function resource(t: Json, type: string, name: string): Json {
  const found = (t.resources as Json[]).find((r) => r.type === `Microsoft.Network/${type}` && r.name === name);
  assert.ok(found, `no ${type} ${name}`);
  return found;
}

describe('ARM export: every Azure example validates against the published schemas', () => {
  const examples = azureExamples();
  it('finds the Azure examples', () => assert.ok(examples.length >= 20, `only ${examples.length}`));
  for (const file of examples) {
    it(file, () => {
      const artifacts = azureArtifacts(file, 'arm');
      const sites = load(file).topology.sites.filter((s) => s.platform === 'azure' && (s.azure?.virtualNetworkGateways ?? []).length > 0);
      for (const site of sites) {
        const t = artifact(artifacts, `${site.name}/azuredeploy.json`);
        const p = artifact(artifacts, `${site.name}/azuredeploy.parameters.json`);
        assert.deepEqual(validator.template(t.text), [], `${t.path}`);
        assert.deepEqual(validator.parameters(p.text, t.text), [], `${p.path}`);
        assert.equal(t.holdsSecrets, false, 'the template holds no key: keys are parameters');
      }
    });
  }
});

/** Every scalar of the azure block, with the key it sits under. */
function leaves(node: unknown, key = ''): { key: string; value: string }[] {
  if (Array.isArray(node)) return node.flatMap((n) => leaves(n, key));
  if (node !== null && typeof node === 'object') return Object.entries(node).flatMap(([k, v]) => leaves(v, k));
  return [{ key, value: String(node) }];
}

describe('ARM export: nothing the azure block says is lost', () => {
  for (const file of azureExamples()) {
    it(file, () => {
      const artifacts = azureArtifacts(file, 'arm');
      for (const site of load(file).topology.sites) {
        if (site.platform !== 'azure' || site.azure === undefined || (site.azure.virtualNetworkGateways ?? []).length === 0) continue;
        const text = artifacts.filter((a) => a.path.startsWith(`${site.name}/`)).map((a) => a.text).join('\n');
        for (const { key, value } of leaves(site.azure)) {
          // A Vnet2Vnet peer is "site/gateway": the template names the gateway.
          const wanted = key === 'virtualNetworkGateway2' ? value.split('/')[1]! : value;
          assert.ok(text.includes(`"${key}"`) || ['publicIPAddress', 'subnet', 'description', 'defaultBgpIpAddresses', 'bgpPeeringAddress'].includes(key), `${site.name}: no property ${key}`);
          assert.ok(text.includes(wanted), `${site.name}: ${key} ${value} is not in the export`);
        }
      }
    });
  }
});

describe('ARM export: the seed (rras-azure-bgp.yaml)', () => {
  const file = 'examples/rras-azure-bgp.yaml';
  it('writes VNet1 as the referenced article builds it', () => {
    const t = template(file, 'VNet1');
    assert.equal(t.$schema, 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#');
    const vnet = resource(t, 'virtualNetworks', 'VNet1');
    assert.deepEqual((vnet.properties as Json).addressSpace, { addressPrefixes: ['10.3.0.0/16'] });
    assert.deepEqual(((vnet.properties as Json).subnets as Json[]).map((s) => s.name), ['default', 'GatewaySubnet']);
    const pip = resource(t, 'publicIPAddresses', 'VNet1GW-gwipconfig1-pip');
    assert.deepEqual(pip.sku, { name: 'Standard', tier: 'Regional' });
    assert.equal((pip.properties as Json).publicIPAllocationMethod, 'Static');
    assert.match(String(pip.comments), /Azure assigns this public IP's address; 198\.51\.100\.10 is the emulator's stand-in/);
    const gw = resource(t, 'virtualNetworkGateways', 'VNet1GW').properties as Json;
    assert.deepEqual(gw.sku, { name: 'HighPerformance', tier: 'HighPerformance' });
    assert.equal(gw.enableBgp, true);
    assert.deepEqual(gw.bgpSettings, { asn: 65010 });
    const lng = resource(t, 'localNetworkGateways', 'Site5').properties as Json;
    assert.deepEqual(lng, { gatewayIpAddress: '203.0.113.10', localNetworkAddressSpace: { addressPrefixes: ['192.168.37.1/32'] }, bgpSettings: { asn: 65023, bgpPeeringAddress: '192.168.37.1' } });
    const s2s = resource(t, 'connections', 'VNet1ToSite5').properties as Json;
    assert.equal(s2s.sharedKey, "[parameters('sharedKey_VNet1ToSite5')]");
    assert.equal(s2s.enableBgp, true);
    const v2v = resource(t, 'connections', 'VNet1ToVNet2');
    assert.equal((v2v.properties as Json).connectionType, 'Vnet2Vnet');
    assert.equal(((t.parameters as Json).VNet1ToVNet2_virtualNetworkGateway2 as Json).defaultValue, "[resourceId('Microsoft.Network/virtualNetworkGateways', 'VNet2GW')]");
    assert.equal(((t.parameters as Json).sharedKey_VNet1ToSite5 as Json).type, 'securestring');
  });

  it('puts the keys in the parameters file, or placeholders with --redact', () => {
    const plain = artifact(azureArtifacts(file, 'arm'), 'VNet1/azuredeploy.parameters.json');
    assert.equal(plain.holdsSecrets, true);
    assert.equal(((JSON.parse(plain.text) as Json).parameters as Record<string, Json>).sharedKey_VNet1ToSite5!.value, 'AzureA1b2C3');
    const redacted = artifact(azureArtifacts(file, 'arm', { redact: true }), 'VNet1/azuredeploy.parameters.json');
    assert.equal(redacted.holdsSecrets, false);
    assert.ok(!redacted.text.includes('AzureA1b2C3'));
    assert.equal(((JSON.parse(redacted.text) as Json).parameters as Record<string, Json>).sharedKey_VNet1ToSite5!.value, 'REDACTED-PSK-VNet1.VNet1ToSite5');
  });

  it('writes the APIPA addresses of an active-active gateway and of its connections', () => {
    const t = template('examples/alibaba-azure-dual-tunnel-bgp.yaml', 'AzureVNet');
    const gw = resource(t, 'virtualNetworkGateways', 'AzureVpnGateway').properties as Json;
    assert.equal(gw.activeActive, true);
    assert.deepEqual((gw.bgpSettings as Json).bgpPeeringAddresses, [
      { ipconfigurationId: "[concat(resourceId('Microsoft.Network/virtualNetworkGateways', 'AzureVpnGateway'), '/ipConfigurations/default')]", customBgpIpAddresses: ['169.254.21.2'] },
      { ipconfigurationId: "[concat(resourceId('Microsoft.Network/virtualNetworkGateways', 'AzureVpnGateway'), '/ipConfigurations/activeActive')]", customBgpIpAddresses: ['169.254.22.2'] },
    ]);
    const conn = resource(t, 'connections', 'ToAlibabaTunnel1').properties as Json;
    assert.equal((conn.gatewayCustomBgpIpAddresses as Json[]).length, 2);
  });
});

describe('ARM validator: a tampered template fails', () => {
  const file = 'examples/alibaba-azure-dual-tunnel-bgp.yaml';
  const original = artifact(azureArtifacts(file, 'arm'), 'AzureVNet/azuredeploy.json').text;
  const parameters = artifact(azureArtifacts(file, 'arm'), 'AzureVNet/azuredeploy.parameters.json').text;
  const tamper = (edit: (t: Json) => void): string[] => {
    const t = JSON.parse(original) as Json;
    edit(t);
    return validator.template(JSON.stringify(t));
  };
  const gateway = (t: Json): Json => (t.resources as Json[]).find((r) => r.type === 'Microsoft.Network/virtualNetworkGateways')!;
  const connection = (t: Json): Json => (t.resources as Json[]).find((r) => r.type === 'Microsoft.Network/connections')!;

  it('passes untouched', () => assert.deepEqual(validator.template(original), []));

  it('a renamed property (enableBgp → enableBGP)', () => {
    const problems = tamper((t) => {
      const p = gateway(t).properties as Json;
      p.enableBGP = p.enableBgp;
      delete p.enableBgp;
    });
    assert.ok(problems.some((p) => p.includes("unknown property 'enableBGP'")), problems.join('\n'));
  });

  it('a SKU Azure does not have (VpnGw9)', () => {
    const problems = tamper((t) => { (gateway(t).properties as Json).sku = { name: 'VpnGw9', tier: 'VpnGw9' }; });
    assert.ok(problems.some((p) => p.includes('/properties/sku/name: not one of')), problems.join('\n'));
  });

  it('an IPsec policy value Azure does not have (dhGroup DHGroup15)', () => {
    const problems = tamper((t) => {
      (connection(t).properties as Json).ipsecPolicies = [{
        saLifeTimeSeconds: 27000, saDataSizeKilobytes: 102400000, ipsecEncryption: 'AES256', ipsecIntegrity: 'SHA256',
        ikeEncryption: 'AES256', ikeIntegrity: 'SHA256', dhGroup: 'DHGroup15', pfsGroup: 'None',
      }];
    });
    assert.ok(problems.some((p) => p.includes('/properties/ipsecPolicies/0/dhGroup: not one of')), problems.join('\n'));
  });

  it('an unknown property on a resource and inside a nested object', () => {
    const top = tamper((t) => { gateway(t).bgpAsn = 65515; });
    assert.ok(top.some((p) => p.includes("unknown property 'bgpAsn'")), top.join('\n'));
    const nested = tamper((t) => { ((gateway(t).properties as Json).bgpSettings as Json).holdTime = 180; });
    assert.ok(nested.some((p) => p.includes("/properties/bgpSettings: unknown property 'holdTime'")), nested.join('\n'));
  });

  it('an API version the schema does not have, and a required property left out', () => {
    const version = tamper((t) => { gateway(t).apiVersion = '2023-09-31'; });
    assert.ok(version.some((p) => p.includes('/apiVersion: not one of')), version.join('\n'));
    const required = tamper((t) => { delete (connection(t).properties as Json).connectionType; });
    assert.ok(required.some((p) => p.includes("must have required property 'connectionType'")), required.join('\n'));
  });

  it('a template-level mistake: an unknown top-level key, a parameter or resource that is not declared', () => {
    const top = tamper((t) => { t.resource = t.resources; });
    assert.ok(top.some((p) => p.startsWith('deploymentTemplate.json')), top.join('\n'));
    const parameter = tamper((t) => { (connection(t).properties as Json).sharedKey = "[parameters('sharedKey_Nowhere')]"; });
    assert.ok(parameter.some((p) => p.includes("parameter 'sharedKey_Nowhere' is not declared")), parameter.join('\n'));
    const missing = tamper((t) => { (t.resources as Json[]).splice((t.resources as Json[]).findIndex((r) => r.type === 'Microsoft.Network/localNetworkGateways'), 1); });
    assert.ok(missing.some((p) => p.includes('declares no Microsoft.Network/localNetworkGateways named AlibabaTunnel1')), missing.join('\n'));
  });

  it('a parameters file that misnames a key or leaves one out', () => {
    const p = JSON.parse(parameters) as { parameters: Record<string, unknown> };
    const [first] = Object.keys(p.parameters);
    p.parameters[`${first}x`] = p.parameters[first!];
    delete p.parameters[first!];
    const problems = validator.parameters(JSON.stringify(p), original);
    assert.ok(problems.some((x) => x.includes(`parameter '${first}x' is not declared`)), problems.join('\n'));
    assert.ok(problems.some((x) => x.includes(`parameter '${first}' has no default and no value`)), problems.join('\n'));
  });
});
