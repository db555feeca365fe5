import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { artifact, azureArtifacts, azureExamples, load } from './azure-helpers.js';

/*
 * The Azure CLI export: every example's script is valid bash and runs to the end under
 * `set -euo pipefail` against a stand-in `az` that records each call's arguments — so the test sees the words az would get, after bash's quoting, and checks them.
 */

const dir = mkdtempSync(join(tmpdir(), 'vpnlab-azure-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const LOG = join(dir, 'calls.jsonl');
const AZ = join(dir, 'az');
// Each argument ends with a unit separator (0x1f), each call with a newline.
writeFileSync(AZ, [
  '#!/usr/bin/env bash',
  `{ for a in "$@"; do printf '%s\\037' "$a"; done; printf '\\n'; } >> ${JSON.stringify(LOG)}`,
  'case " $* " in *" show "*) echo /subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/gw ;; esac',
  '',
].join('\n'));
chmodSync(AZ, 0o755);

/** Runs the script with the stand-in az first on PATH; the az calls it made. */
function run(script: string, env: Record<string, string> = {}): string[][] {
  const file = join(dir, 'script.sh');
  writeFileSync(file, script);
  writeFileSync(LOG, '');
  execFileSync('bash', [file], { env: { PATH: `${dir}:${process.env.PATH}`, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return readFileSync(LOG, 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split('\x1f').slice(0, -1));
}

function option(call: string[], name: string): string | undefined {
  const i = call.indexOf(name);
  return i < 0 ? undefined : call[i + 1];
}

function find(calls: string[][], ...words: string[]): string[] {
  const found = calls.find((c) => words.every((w, i) => c[i] === w || (i >= 3 && c.includes(w))));
  assert.ok(found, `no call az ${words.join(' ')}`);
  return found;
}

describe('Azure CLI export: every Azure example runs under set -euo pipefail', () => {
  for (const file of azureExamples()) {
    it(file, () => {
      const artifacts = azureArtifacts(file, 'azure-cli');
      for (const site of load(file).topology.sites) {
        if (site.platform !== 'azure' || (site.azure?.virtualNetworkGateways ?? []).length === 0) continue;
        const script = artifact(artifacts, `${site.name}/azure-cli.sh`);
        execFileSync('bash', ['-n'], { input: script.text });
        assert.match(script.text, /^#!\/usr\/bin\/env bash\n(#.*\n)+set -euo pipefail\n/);
        const calls = run(script.text, { LOCATION: 'westeurope' });
        for (const c of calls) {
          // Every value set as JSON is JSON after bash has quoted it.
          for (const word of c) if (/^[A-Za-z.[\]0-9]+=\[/.test(word)) JSON.parse(word.slice(word.indexOf('=') + 1));
        }
        for (const g of site.azure?.virtualNetworkGateways ?? []) find(calls, 'network', 'vnet-gateway', 'create', g.name);
        for (const c of site.azure?.connections ?? []) find(calls, 'network', 'vpn-connection', 'create', c.name);
      }
    });
  }
});

describe('Azure CLI export: the seed and the APIPA example', () => {
  it('builds VNet1 with the resource group and location at the top and the key from a variable', () => {
    const script = artifact(azureArtifacts('examples/rras-azure-bgp.yaml', 'azure-cli'), 'VNet1/azure-cli.sh');
    assert.equal(script.holdsSecrets, true);
    assert.match(script.text, /\nRESOURCE_GROUP="\$\{RESOURCE_GROUP:-rras_azure_bgp\}"\nLOCATION=/);
    const calls = run(script.text, { LOCATION: 'westeurope', RESOURCE_GROUP: 'rg1' });
    const gw = find(calls, 'network', 'vnet-gateway', 'create');
    assert.equal(option(gw, '-g'), 'rg1');
    assert.equal(option(gw, '-l'), 'westeurope');
    assert.equal(option(gw, '--sku'), 'HighPerformance');
    assert.equal(option(gw, '--asn'), '65010');
    assert.equal(option(gw, '--public-ip-addresses'), 'VNet1GW-gwipconfig1-pip');
    const pip = find(calls, 'network', 'public-ip', 'create');
    assert.deepEqual([option(pip, '--sku'), option(pip, '--allocation-method')], ['Standard', 'Static']);
    const lng = find(calls, 'network', 'local-gateway', 'create', 'Site5');
    assert.deepEqual([option(lng, '--gateway-ip-address'), option(lng, '--local-address-prefixes'), option(lng, '--asn'), option(lng, '--bgp-peering-address')],
      ['203.0.113.10', '192.168.37.1/32', '65023', '192.168.37.1']);
    const s2s = find(calls, 'network', 'vpn-connection', 'create', 'VNet1ToSite5');
    assert.equal(option(s2s, '--shared-key'), 'AzureA1b2C3');
    assert.ok(s2s.includes('--enable-bgp'));
    const v2v = find(calls, 'network', 'vpn-connection', 'create', 'VNet1ToVNet2');
    assert.match(option(v2v, '--vnet-gateway2')!, /^\/subscriptions\//);
    // A key given in the environment wins over the file's.
    const own = run(script.text, { LOCATION: 'westeurope', SHARED_KEY_VNET1TOSITE5: 'Other1key' });
    assert.equal(option(find(own, 'network', 'vpn-connection', 'create', 'VNet1ToSite5'), '--shared-key'), 'Other1key');
  });

  it('writes placeholders with --redact', () => {
    const script = artifact(azureArtifacts('examples/rras-azure-bgp.yaml', 'azure-cli', { redact: true }), 'VNet1/azure-cli.sh');
    assert.equal(script.holdsSecrets, false);
    assert.ok(!script.text.includes('AzureA1b2C3'));
    assert.match(script.text, /REDACTED-PSK-VNet1\.VNet1ToSite5/);
  });

  it('sets the APIPA addresses on the gateway and on each connection', () => {
    const script = artifact(azureArtifacts('examples/alibaba-azure-dual-tunnel-bgp.yaml', 'azure-cli'), 'AzureVNet/azure-cli.sh');
    const calls = run(script.text);
    const update = find(calls, 'network', 'vnet-gateway', 'update');
    assert.ok(update.includes('bgpSettings.bgpPeeringAddresses[1].customBgpIpAddresses=["169.254.22.2"]'), update.join(' '));
    const conn = find(calls, 'network', 'vpn-connection', 'update', 'ToAlibabaTunnel1');
    const set = conn[conn.indexOf('--set') + 1]!;
    assert.deepEqual(JSON.parse(set.slice(set.indexOf('=') + 1)), [
      { ipConfigurationId: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/gw/ipConfigurations/default', customBgpIpAddress: '169.254.21.2' },
      { ipConfigurationId: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/gw/ipConfigurations/activeActive', customBgpIpAddress: '169.254.22.2' },
    ]);
  });

  it('replaces a connection\'s IPsec policy instead of adding a second one', () => {
    const file = 'examples/broken/alibaba-proposal-mismatch.yaml';
    const site = load(file).topology.sites.find((s) => s.platform === 'azure')!;
    const calls = run(artifact(azureArtifacts(file, 'azure-cli'), `${site.name}/azure-cli.sh`).text);
    const clear = calls.findIndex((c) => c.slice(0, 4).join(' ') === 'network vpn-connection ipsec-policy clear');
    const add = calls.findIndex((c) => c.slice(0, 4).join(' ') === 'network vpn-connection ipsec-policy add');
    assert.ok(clear >= 0 && add > clear);
    assert.deepEqual([option(calls[add]!, '--dh-group'), option(calls[add]!, '--pfs-group'), option(calls[add]!, '--sa-lifetime')], ['DHGroup2', 'PFS2', '27000']);
  });
});
