import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportNetwork } from '../../src/platforms/export.js';
import { loadTopologyFile, parseTopology } from '../../src/platforms/load.js';
import { exampleFiles, exportFile } from './onprem-examples.js';
import { validateFrr } from './validators/frr.js';
import { startSwanctlValidator, type SwanctlValidator } from './validators/strongswan.js';

/*
 * Every Linux gateway of every example, exported and handed to the real daemons: swanctl.conf
 * loaded by a private charon (strongSwan 5.9) with `swanctl --load-all`, frr.conf read by FRR
 * 8.4 (`vtysh --dryrun` and `bgpd -C`). Each must load every connection and secret with no error
 * or warning; a tampered copy (a misspelt keyword, a value the daemon cannot read) must fail.
 */

interface GatewayFiles {
  example: string;
  site: string;
  gateway: string;
  swanctl: string | undefined;
  frr: string | undefined;
  connections: string[];
  secrets: string[];
}

function linuxGateways(): GatewayFiles[] {
  const out: GatewayFiles[] = [];
  for (const example of exampleFiles()) {
    const { topology } = loadTopologyFile(example, { keepCheckErrors: true });
    const artifacts = exportFile(example, ['swanctl', 'frr']);
    for (const site of topology.sites) {
      if (site.platform !== 'linux') continue;
      for (const g of site.linux?.gateways ?? []) {
        const text = (name: string): string | undefined => artifacts.find((a) => a.path === `${site.name}/${g.name}/${name}`)?.text;
        out.push({
          example, site: site.name, gateway: g.name, swanctl: text('swanctl.conf'), frr: text('frr.conf'),
          connections: Object.keys(g.swanctl?.connections ?? {}), secrets: Object.keys(g.swanctl?.secrets ?? {}),
        });
      }
    }
  }
  return out;
}

/**
 * A gateway with every field of the `linux:` block that reaches a file: two connections (one
 * route-based with encap, mobike, if_ids, an FQDN identity; one policy-based with defaults), a
 * child with every option, secrets with several identities and a key that needs quoting, BGP
 * neighbours with description, update-source by name and by address, timers, maximum-prefix,
 * ebgp-multihop, passive, remote-as external and internal. check finds errors in it (its peers
 * are not modelled): exported with them kept, as `vpnlab export --force` does.
 */
const KITCHEN_SINK = `${[
  "name: kitchen-sink-linux",
  "sites:",
  "  - name: Lab",
  "    platform: linux",
  "    addressSpace: [192.168.50.0/24]",
  "    subnets:",
  "      - { name: lan, prefix: 192.168.50.0/24 }",
  "    linux:",
  "      gateways:",
  "        - name: edge-1",
  "          description: every swanctl, frr and ip field vpnlab knows",
  "          interfaces:",
  "            - { name: eth0, address: 203.0.113.50/24, internet: true, mtu: 1500 }",
  "            - { name: eth1, address: 192.168.50.1, subnet: lan }",
  "          xfrm:",
  "            - { name: xfrm7, if_id: 7, mtu: 1400, set-mss: 1360, addresses: [169.254.21.2/30] }",
  "          routes:",
  "            - { to: 10.8.0.0/16, dev: xfrm7, metric: 50 }",
  "            - { to: 10.9.0.0/16, via: 192.168.50.254 }",
  "            - { to: 169.254.21.1/32, dev: xfrm7 }",
  "          swanctl:",
  "            connections:",
  "              routed:",
  "                version: 2",
  "                local_addrs: [203.0.113.50]",
  "                remote_addrs: [198.51.100.77]",
  "                proposals: [aes256-sha256-modp2048, aes128-sha1-modp1024]",
  "                rekey_time: 28800",
  "                dpd_delay: 30",
  "                encap: yes",
  "                mobike: no",
  "                if_id_in: 7",
  "                if_id_out: 7",
  "                local: { auth: psk, id: \"edge-1.example.net\" }",
  "                remote: { id: 198.51.100.77 }",
  "                children:",
  "                  routed-any:",
  "                    mode: tunnel",
  "                    local_ts: [0.0.0.0/0]",
  "                    remote_ts: [0.0.0.0/0]",
  "                    esp_proposals: [aes256gcm16, aes256-sha256-modp2048]",
  "                    rekey_time: 3600",
  "                    life_time: 3960",
  "                    start_action: trap",
  "                    dpd_action: clear",
  "                    close_action: none",
  "              policy:",
  "                local_addrs: [203.0.113.50]",
  "                remote_addrs: [198.51.100.88]",
  "                children:",
  "                  lan-to-lan:",
  "                    local_ts: [192.168.50.0/24]",
  "                    remote_ts: [10.20.0.0/16, 10.21.0.0/16]",
  "                    start_action: none",
  "            secrets:",
  "              ike-routed: { id: [edge-1.example.net, 198.51.100.77], secret: 'a \"quoted\" key with spaces # and \\ backslash' }",
  "              ike-any: { secret: any-peer-key }",
  "          frr:",
  "            router bgp:",
  "              asn: 65050",
  "              bgp router-id: 192.168.50.1",
  "              neighbors:",
  "                169.254.21.1:",
  "                  remote-as: 65515",
  "                  description: the cloud side, through xfrm7",
  "                  update-source: xfrm7",
  "                  timers: [10, 30]",
  "                  maximum-prefix: 100",
  "                10.8.0.4:",
  "                  remote-as: external",
  "                  ebgp-multihop: 2",
  "                  passive: true",
  "                  update-source: 192.168.50.1",
  "                192.168.50.2:",
  "                  remote-as: internal",
  "              network: [192.168.50.0/24, 169.254.21.0/30]",
].join('\n')}\n`;

function kitchenSink(): GatewayFiles {
  const { network, topology } = parseTopology(KITCHEN_SINK, 'kitchen-sink.yaml', { keepCheckErrors: true });
  const { artifacts } = exportNetwork(network, { provenance: { file: 'kitchen-sink.yaml', vpnlabVersion: 'test' }, redact: false });
  const g = topology.sites[0]!.platform === 'linux' ? topology.sites[0]!.linux!.gateways[0]! : undefined;
  assert.ok(g !== undefined);
  const text = (name: string): string | undefined => artifacts.find((a) => a.path === `Lab/edge-1/${name}`)?.text;
  return {
    example: 'kitchen-sink.yaml', site: 'Lab', gateway: g.name, swanctl: text('swanctl.conf'), frr: text('frr.conf'),
    connections: Object.keys(g.swanctl?.connections ?? {}), secrets: Object.keys(g.swanctl?.secrets ?? {}),
  };
}

const GATEWAYS = [...linuxGateways(), kitchenSink()];
const AZURE = GATEWAYS.find((g) => g.example.endsWith('linux-azure-bgp.yaml'))!;

describe('Linux export validated by strongSwan and FRR', () => {
  let swan: SwanctlValidator | undefined;
  before(async () => {
    swan = await startSwanctlValidator();
  });
  after(async () => {
    await swan?.close();
  });

  it('the examples have Linux gateways with swanctl and frr blocks to validate', () => {
    assert.ok(GATEWAYS.filter((g) => g.swanctl !== undefined).length >= 3, GATEWAYS.map((g) => `${g.example}:${g.site}/${g.gateway}`).join(', '));
    assert.ok(GATEWAYS.some((g) => g.frr !== undefined));
  });

  for (const g of GATEWAYS) {
    const label = `${g.example} ${g.site}/${g.gateway}`;
    if (g.swanctl !== undefined) {
      const text = g.swanctl;
      it(`swanctl --load-all loads every connection and secret of ${label}`, async () => {
        assert.deepEqual(await swan!.validate(text, g), []);
      });
    }
    if (g.frr !== undefined) {
      const text = g.frr;
      it(`FRR reads frr.conf of ${label} without an error or warning`, async () => {
        assert.deepEqual(await validateFrr(text), []);
      });
    }
  }

  it('swanctl refuses a misspelt keyword and a value it cannot read', async () => {
    const misspelt = AZURE.swanctl!.replace('dpd_action = restart', 'dpd_acton = restart');
    assert.notEqual(misspelt, AZURE.swanctl);
    const p1 = await swan!.validate(misspelt, AZURE);
    assert.ok(p1.some((p) => /unknown option: dpd_acton/.test(p)), p1.join('\n'));
    const badValue = AZURE.swanctl!.replace('if_id_in = 42', 'if_id_in = forty-two');
    const p2 = await swan!.validate(badValue, AZURE);
    assert.ok(p2.some((p) => /invalid value for: if_id_in/.test(p)), p2.join('\n'));
    // a secret whose block is misspelt is not loaded either
    const p3 = await swan!.validate(AZURE.swanctl!.replace('secret = "', 'secrte = "'), AZURE);
    assert.ok(p3.length > 0, 'a misspelt secret key is caught');
  });

  it('FRR refuses a misspelt command and a value out of range', async () => {
    const misspelt = AZURE.frr!.replace('update-source', 'update-sorce');
    const p1 = await validateFrr(misspelt);
    assert.ok(p1.some((p) => /vtysh: .*Unknown command.*update-sorce/.test(p)), p1.join('\n'));
    assert.ok(p1.some((p) => /bgpd: .*No such command on config line \d+: +neighbor 10\.3\.1\.254 update-sorce/.test(p)), p1.join('\n'));
    const badValue = AZURE.frr!.replace('remote-as 65010', 'remote-as 4294967296');
    assert.ok((await validateFrr(badValue)).length > 0, 'an ASN above 2^32-1 is caught');
  });
});
