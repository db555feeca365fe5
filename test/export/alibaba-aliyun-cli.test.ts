import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ALIBABA_EXAMPLES, EVERY_FIELD, exportAlibaba } from './alibaba-fixtures.js';
import { aliyunCalls, loadOpenApiMeta, validateAliyunScript } from './validators/aliyun-cli.js';

/*
 * The Alibaba aliyun CLI export: bash accepts its syntax (`bash -n`), and every aliyun call's API
 * and parameter names are the VPC OpenAPI's (2016-04-28, the CLI's own metadata, vendored).
 * Tampered scripts show the validator catches a renamed parameter, a misspelt tunnel member, a
 * missing --force, a missing required parameter and an API that does not exist.
 */

const VPC = loadOpenApiMeta('test/fixtures/aliyun-openapi/vpc-2016-04-28.json');

function bashAccepts(script: string): void {
  const result = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
}

function script(text: string, file: string, redact = false): string {
  const artifacts = exportAlibaba(text, file, 'aliyun-cli', redact);
  assert.equal(artifacts.length, 1);
  return artifacts[0]!.text;
}

describe('alibaba aliyun CLI export', () => {
  for (const { file, text } of ALIBABA_EXAMPLES) {
    it(`${file}: every call names a VPC API and its parameters`, () => {
      for (const artifact of exportAlibaba(text, file, 'aliyun-cli')) {
        assert.match(artifact.path, /^[^/]+\/aliyun-cli\.sh$/);
        assert.match(artifact.text, /^#!\/usr\/bin\/env bash\n(#[^\n]*\n)+set -euo pipefail\n/);
        bashAccepts(artifact.text);
        assert.deepEqual(validateAliyunScript(artifact.path, artifact.text, VPC), []);
      }
    });
  }

  it('the seed: creates the gateway with its two vSwitches, both tunnels, and publishes the system policy route', () => {
    const seed = ALIBABA_EXAMPLES.find((e) => e.file === 'examples/alibaba-azure-dual-tunnel.yaml')!;
    const calls = aliyunCalls(script(seed.text, seed.file));
    assert.deepEqual(calls.map((c) => c.api), [
      'DescribeVpnGateway', 'CreateVpc', 'DescribeVpcAttribute', 'CreateVSwitch', 'CreateVSwitch', 'CreateVpnGateway', 'DescribeVpnGateway',
      'CreateCustomerGateway', 'CreateCustomerGateway', 'CreateVpnConnection', 'PublishVpnRouteEntry',
    ]);
    const connection = calls.find((c) => c.api === 'CreateVpnConnection')!;
    const option = (name: string): string | undefined => connection.options.find((o) => o.name === name)?.value;
    assert.equal(option('TunnelOptionsSpecification.1.Role'), 'master');
    assert.equal(option('TunnelOptionsSpecification.2.CustomerGatewayId'), '$CGW_AzureGW2');
    assert.equal(option('TunnelOptionsSpecification.2.TunnelIkeConfig.Psk'), 'Tunnel2Key3Rb8Lw');
    assert.equal(option('LocalSubnet'), '10.0.0.0/16');
    const publish = calls.find((c) => c.api === 'PublishVpnRouteEntry')!;
    assert.deepEqual(publish.options.filter((o) => ['RouteType', 'PublishVpc', 'RouteDest'].includes(o.name)).map((o) => o.value), ['192.168.0.0/16', 'pbr', 'true']);
  });

  it('every field: single-tunnel configs as the API\'s JSON, keys quoted for bash', () => {
    const text = script(EVERY_FIELD, 'every.yaml');
    bashAccepts(text);
    assert.deepEqual(validateAliyunScript('every.sh', text, VPC), []);
    const calls = aliyunCalls(text);
    const single = calls.filter((c) => c.api === 'CreateVpnConnection')[1]!;
    const value = (name: string): unknown => JSON.parse(single.options.find((o) => o.name === name)!.value!);
    assert.deepEqual(value('HealthCheckConfig'), { enable: true, dip: '172.16.0.1', sip: '10.10.0.5', interval: 5, retry: 4, policy: 'reserve_route' });
    assert.deepEqual(value('BgpConfig'), { EnableBgp: true, LocalAsn: '2.20', TunnelCidr: '169.254.40.0/30', LocalBgpIp: '169.254.40.1' });
    const dual = calls.filter((c) => c.api === 'CreateVpnConnection')[0]!;
    assert.equal(dual.options.find((o) => o.name === 'TunnelOptionsSpecification.1.TunnelIkeConfig.Psk')!.value, "p${s}k'1%{x}");
    const cgw = calls.find((c) => c.api === 'CreateCustomerGateway')!;
    assert.equal(cgw.options.find((o) => o.name === 'AuthKey')!.value, 'md5\'key"$x');
    assert.ok(calls.some((c) => c.api === 'CreateVpnPbrRouteEntry' && c.options.some((o) => o.name === 'Priority' && o.value === '20')));
    assert.ok(calls.some((c) => c.api === 'CreateVpnRouteEntry' && c.options.some((o) => o.name === 'Description' && o.value === 'dest route')));
    assert.ok(calls.some((c) => c.api === 'AssociateVpcCidrBlock'), 'the second VPC CIDR');
    assert.match(text, /^VPC_ID=vpc-t4nexample0001$/m);
  });

  it('--redact writes placeholders, never a key', () => {
    const artifacts = exportAlibaba(EVERY_FIELD, 'every.yaml', 'aliyun-cli', true);
    assert.equal(artifacts[0]!.holdsSecrets, false);
    for (const key of ['single-psk', 'psk-two', 'md5\'key']) assert.ok(!artifacts[0]!.text.includes(key), `${key} leaked`);
    assert.equal(exportAlibaba(EVERY_FIELD, 'every.yaml', 'aliyun-cli')[0]!.holdsSecrets, true);
  });

  describe('the validator catches a tampered script', () => {
    const seed = ALIBABA_EXAMPLES.find((e) => e.file === 'examples/alibaba-azure-dual-tunnel.yaml')!;
    const text = script(seed.text, seed.file);
    const tampered = (from: RegExp, to: string): string[] => {
      assert.match(text, from);
      return validateAliyunScript('seed.sh', text.replace(from, to), VPC);
    };

    it('a renamed parameter', () => {
      const problems = tampered(/--IpAddress /, '--IpAddr ');
      assert.ok(problems.some((p) => /CreateCustomerGateway: --IpAddr is not a parameter/.test(p)), problems.join('\n'));
      assert.ok(problems.some((p) => /required parameter --IpAddress is missing/.test(p)), problems.join('\n'));
    });
    it('a misspelt tunnel member', () => {
      const problems = tampered(/TunnelIkeConfig\.Psk/, 'TunnelIkeConfig.PreSharedKey');
      assert.ok(problems.some((p) => p.includes("'TunnelIkeConfig.PreSharedKey' is not a member of TunnelOptionsSpecification")), problems.join('\n'));
    });
    it('flattened members without --force', () => {
      const problems = tampered(/ --method POST --force/, '');
      assert.ok(problems.some((p) => p.includes('need --force')), problems.join('\n'));
    });
    it('an API that does not exist, and a parameter of another API', () => {
      assert.ok(tampered(/CreateVpnGateway/, 'CreateVpnGw').some((p) => p.includes('CreateVpnGw: no such API')));
      assert.ok(tampered(/--VpnType /, '--SslVpnType ').some((p) => p.includes('--SslVpnType is not a parameter of CreateVpnGateway')));
    });
  });
});
