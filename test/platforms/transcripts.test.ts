import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';

/*
 * What `vpnlab up` and `vpnlab ping` print on the two seed examples, byte for byte, against a
 * stored copy: a refactoring of the platform layer must not change a character users see.
 * After a deliberate change of output, regenerate with VPNLAB_UPDATE_TRANSCRIPTS=1 and review
 * the diff of test/fixtures/transcripts/.
 */

const STORE = join(process.cwd(), 'test', 'fixtures', 'transcripts');
const RRAS = 'examples/rras-azure-bgp.yaml';
const ALIBABA = 'examples/alibaba-azure-dual-tunnel.yaml';

const RUNS: readonly { readonly name: string; readonly args: readonly string[] }[] = [
  { name: 'rras-azure-bgp.up', args: ['up', RRAS] },
  { name: 'rras-azure-bgp.up-verbose', args: ['up', RRAS, '--verbose'] },
  { name: 'rras-azure-bgp.up-from-scratch', args: ['up', RRAS, '--from-scratch'] },
  { name: 'rras-azure-bgp.ping-vnet2', args: ['ping', RRAS, '10.5.0.4', '--from', 'pc'] },
  { name: 'rras-azure-bgp.up-fault', args: ['up', RRAS, '--fault', '10m:down:VNet1/VNet1GW', '--fault', '12m:up:VNet1/VNet1GW', '--probe', 'pc:10.3.0.4'] },
  { name: 'alibaba-azure-dual-tunnel.up', args: ['up', ALIBABA] },
  { name: 'alibaba-azure-dual-tunnel.up-verbose', args: ['up', ALIBABA, '--verbose'] },
  { name: 'alibaba-azure-dual-tunnel.ping', args: ['ping', ALIBABA, '10.0.0.1', '--from', 'vm'] },
  { name: 'alibaba-azure-dual-tunnel.up-failover', args: ['up', ALIBABA, '--fault', '6m:down:AlibabaVPC/VpnGateway_1', '--fault', '9m:up:AlibabaVPC/VpnGateway_1', '--probe', 'vm:10.0.0.1'] },
  { name: 'alibaba-azure-dual-tunnel.up-tunnel-cut', args: ['up', ALIBABA, '--fault', '6m:down:AlibabaVPC/VpnGateway_1:IPsecConnection'] },
];

async function transcript(args: readonly string[]): Promise<string> {
  let out = '';
  let err = '';
  const code = await main(['node', 'vpnlab', ...args], { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return `$ vpnlab ${args.join(' ')}\n--- exit ${code}\n--- stdout\n${out}--- stderr\n${err}`;
}

describe('seed transcripts are unchanged', () => {
  for (const run of RUNS) {
    it(`vpnlab ${run.args.join(' ')}`, async () => {
      const file = join(STORE, `${run.name}.txt`);
      const text = await transcript(run.args);
      if (process.env['VPNLAB_UPDATE_TRANSCRIPTS'] === '1' || !existsSync(file)) {
        assert.equal(process.env['CI'], undefined, `${file} is missing: regenerate it with VPNLAB_UPDATE_TRANSCRIPTS=1 outside CI`);
        writeFileSync(file, text);
        return;
      }
      assert.equal(text, readFileSync(file, 'utf8'));
    });
  }
});
