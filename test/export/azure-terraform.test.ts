import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadProviderSchema, validateTerraform } from './validators/terraform.js';
import { artifact, azureArtifacts, azureExamples, load } from './azure-helpers.js';

/*
 * The Terraform (azurerm) export: parsed by HashiCorp's HCL library and every resource, argument,
 * block and enum value checked against the azurerm 5.2.0 documentation, vendored in
 * test/fixtures/provider-schemas/azurerm.json; a tampered configuration fails.
 */

const schemas = [loadProviderSchema('test/fixtures/provider-schemas/azurerm.json')];

describe('Terraform (azurerm) export: every Azure example validates', () => {
  for (const file of azureExamples()) {
    it(file, async () => {
      const artifacts = azureArtifacts(file, 'terraform');
      for (const site of load(file).topology.sites) {
        if (site.platform !== 'azure' || (site.azure?.virtualNetworkGateways ?? []).length === 0) continue;
        const tf = artifact(artifacts, `${site.name}/main.tf`);
        assert.deepEqual(await validateTerraform(tf.path, tf.text, schemas), [], tf.text);
      }
    });
  }
});

describe('Terraform (azurerm) export: the seed and a tampered file', () => {
  const text = artifact(azureArtifacts('examples/alibaba-azure-dual-tunnel-bgp.yaml', 'terraform'), 'AzureVNet/main.tf').text;
  it('writes the gateway, its APIPA addresses and the connections', () => {
    assert.match(text, /resource "azurerm_virtual_network_gateway" "AzureVpnGateway" \{[^]*active_active\s+= true[^]*peering_addresses \{\n\s+ip_configuration_name = "activeActive"\n\s+apipa_addresses\s+= \["169\.254\.22\.2"\]/);
    assert.match(text, /custom_bgp_addresses \{\n\s+primary\s+= "169\.254\.21\.2"\n\s+secondary = "169\.254\.22\.2"/);
    const seed = artifact(azureArtifacts('examples/rras-azure-bgp.yaml', 'terraform', { redact: true }), 'VNet1/main.tf');
    assert.equal(seed.holdsSecrets, false);
    assert.match(seed.text, /peer_virtual_network_gateway_id = data\.azurerm_virtual_network_gateway\.VNet2GW\.id/);
    assert.match(seed.text, /default\s+= "REDACTED-PSK-VNet1\.VNet1ToSite5"/);
  });
  it('fails on a renamed argument, a wrong enum value, an unknown block and a dangling reference', async () => {
    const renamed = await validateTerraform('main.tf', text.replace('bgp_enabled         = true', 'enable_bgp          = true'), schemas);
    assert.ok(renamed.some((p) => p.includes("'enable_bgp' is not an argument")), renamed.join('\n'));
    const sku = await validateTerraform('main.tf', text.replace('sku                 = "VpnGw1"', 'sku                 = "VpnGw9"'), schemas);
    assert.ok(sku.some((p) => p.includes("sku: 'VpnGw9' is not one of")), sku.join('\n'));
    const block = await validateTerraform('main.tf', text.replace('  bgp_settings {', '  bgp_timers {\n    hold = 180\n  }\n  bgp_settings {'), schemas);
    assert.ok(block.some((p) => p.includes("'bgp_timers' is not an argument or block")), block.join('\n'));
    const dangling = await validateTerraform('main.tf', text.replace('azurerm_local_network_gateway.AlibabaTunnel1.id', 'azurerm_local_network_gateway.AlibabaTunnel9.id'), schemas);
    assert.ok(dangling.some((p) => p.includes('azurerm_local_network_gateway.AlibabaTunnel9')), dangling.join('\n'));
  });
});
