import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from '@cdktf/hcl2json';
import { ALIBABA_EXAMPLES, EVERY_FIELD, exportAlibaba } from './alibaba-fixtures.js';
import { loadProviderSchema, validateTerraform } from './validators/terraform.js';

/*
 * The Alibaba Terraform export, checked by an HCL parser and the alicloud provider's documented
 * schema (v1.289.0, vendored): every example with an Alibaba site, and a topology that sets every
 * field of the block. Tampered exports show the validator catches a renamed argument, a wrong enum
 * value and an argument the provider does not have.
 */

const ALICLOUD = loadProviderSchema('test/fixtures/provider-schemas/alicloud.json');

function mainTf(text: string, file: string, redact = false): string {
  const artifacts = exportAlibaba(text, file, 'terraform', redact);
  assert.ok(artifacts.length > 0, `${file}: no Terraform written`);
  return artifacts.map((a) => a.text).join('\n');
}

describe('alibaba terraform export', () => {
  for (const { file, text } of ALIBABA_EXAMPLES) {
    it(`${file}: every Alibaba site's main.tf parses and matches alicloud ${ALICLOUD.version}`, async () => {
      for (const artifact of exportAlibaba(text, file, 'terraform')) {
        assert.match(artifact.path, /^[^/]+\/main\.tf$/);
        assert.deepEqual(await validateTerraform(artifact.path, artifact.text, [ALICLOUD]), []);
      }
    });
  }

  it('writes every field of the alibaba block, as an argument or a # vpnlab: comment', async () => {
    const tf = mainTf(EVERY_FIELD, 'every.yaml');
    assert.deepEqual(await validateTerraform('main.tf', tf, [ALICLOUD]), []);
    const json = await parse('main.tf', tf) as { resource: Record<string, Record<string, Record<string, unknown>[]>>; import?: unknown[] };
    const conn = json.resource.alicloud_vpn_connection!['vco-dual']![0]! as { tunnel_options_specification: Record<string, unknown[]>[] };
    const master = conn.tunnel_options_specification[0]!;
    // The key comes back from the parser as the topology has it: "${" and "%{" stay literal.
    assert.deepEqual((master.tunnel_ike_config![0] as Record<string, unknown>).psk, "p$${s}k'1%%{x}");
    assert.deepEqual(master.tunnel_bgp_config, [{ local_asn: '65100', tunnel_cidr: '169.254.30.0/30', local_bgp_ip: '169.254.30.1' }]);
    const single = json.resource.alicloud_vpn_connection!['vco-single']![0]!;
    assert.deepEqual(single.bgp_config, [{ enable: true, local_asn: '2.20', tunnel_cidr: '169.254.40.0/30', local_bgp_ip: '169.254.40.1' }]);
    assert.deepEqual(single.health_check_config, [{ enable: true, dip: '172.16.0.1', sip: '10.10.0.5', interval: 5, retry: 4 }]);
    assert.equal(single.auto_config_route, false, 'Terraform takes over the system route the topology lists');
    assert.ok(json.import !== undefined, 'VpcId adopts the existing VPC');
    for (const kept of ['InternetIp = "203.0.113.10"', 'DisasterRecoveryInternetIp = "203.0.113.11"', 'AuthKey = "md5\'key\\"$x"', 'RoutingMode = "DestinationRouting"',
      'Description = "two tunnels"', 'HealthCheckConfig.policy = "reserve_route"', 'Priority = 5', 'Priority = 20', 'Description = "dest route"']) {
      assert.ok(tf.includes(`# vpnlab: ${kept}`), `missing # vpnlab: ${kept}`);
    }
    // The system route the topology leaves to the system is written too, marked as such.
    assert.match(tf, /# vpnlab: system route[^\n]*\nresource "alicloud_vpn_pbr_route_entry" "vco-single_auto" \{\n[^}]*route_source\s+= "10\.10\.1\.0\/24"/);
  });

  it('--redact writes placeholders, never a key', () => {
    const artifacts = exportAlibaba(EVERY_FIELD, 'every.yaml', 'terraform', true);
    const tf = artifacts[0]!.text;
    assert.equal(artifacts[0]!.holdsSecrets, false);
    for (const key of ['single-psk', 'psk-two', 'md5\'key']) assert.ok(!tf.includes(key), `${key} leaked`);
    assert.match(tf, /psk\s+= "REDACTED-PSK-vco-dual\.tunnel1"/);
    assert.equal(exportAlibaba(EVERY_FIELD, 'every.yaml', 'terraform')[0]!.holdsSecrets, true);
  });

  describe('the validator catches a tampered export', () => {
    const tf = mainTf(ALIBABA_EXAMPLES.find((e) => e.file.endsWith('alibaba-azure-dual-tunnel-bgp.yaml'))!.text, 'bgp.yaml');
    const tampered = async (from: RegExp, to: string): Promise<string[]> => {
      assert.match(tf, from);
      return validateTerraform('main.tf', tf.replace(from, to), [ALICLOUD]);
    };

    it('a renamed argument', async () => {
      const problems = await tampered(/disaster_recovery_vswitch_id/, 'backup_vswitch_id');
      assert.ok(problems.some((p) => p.includes("'backup_vswitch_id' is not an argument")), problems.join('\n'));
    });
    it('a wrong enum value', async () => {
      const problems = await tampered(/role(\s+)= "slave"/, 'role$1= "backup"');
      assert.ok(problems.some((p) => p.includes("'backup' is not one of master, slave")), problems.join('\n'));
      const bandwidth = await tampered(/bandwidth(\s+)= 10/, 'bandwidth$1= 15');
      assert.ok(bandwidth.some((p) => p.includes("'15' is not one of")), bandwidth.join('\n'));
    });
    it('an argument the provider does not have', async () => {
      const problems = await tampered(/(tunnel_bgp_config \{\n)/, '$1        peer_asn = "65515"\n');
      assert.ok(problems.some((p) => p.includes("tunnel_bgp_config[0]: 'peer_asn' is not an argument")), problems.join('\n'));
    });
    it('a required argument left out', async () => {
      const problems = await tampered(/\n\s*ip_address\s+= "198\.51\.100\.224"/, '');
      assert.ok(problems.some((p) => p.includes("AzureGW1: required argument 'ip_address' is missing")), problems.join('\n'));
      const gateway = await tampered(/\n\s*bandwidth\s+= 10[^\n]*/, '');
      assert.ok(gateway.some((p) => p.includes("required argument 'bandwidth' is missing")), gateway.join('\n'));
    });
  });
});
