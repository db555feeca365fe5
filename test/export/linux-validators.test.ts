import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportNetwork } from '../../src/platforms/export.js';
import { loadTopologyFile, parseTopology } from '../../src/platforms/load.js';
import { LINUX_KITCHEN_SINK, exampleFiles, exportFile } from './onprem-examples.js';
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

function kitchenSink(): GatewayFiles {
  const { network, topology } = parseTopology(LINUX_KITCHEN_SINK, 'kitchen-sink.yaml', { keepCheckErrors: true });
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
