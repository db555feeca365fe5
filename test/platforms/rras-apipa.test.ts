import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { peerRecords } from '../../src/bgp/views.js';
import { Network } from '../../src/emulator/network.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { parseTopology } from '../../src/platforms/load.js';

/*
 * RRAS peering with Azure from an APIPA address (issue 13, defect 2). Before the fix, a BGP peer
 * with LocalIPAddress 169.254.21.1 passed check and then stayed Connecting: no adapter held the
 * address, so RRAS could not speak from it. RRAS holds it on the S2S interface that routes the
 * peer, as the tunnel side of Azure's APIPA design; an address it cannot hold is a check error.
 */

const BROKEN = 'examples/broken/rras-apipa-server-mode.yaml';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The APIPA variant of the seed with RRAS initiating (OperationMode Mixed, the default). */
function apipaSeed(edit: (peer: Json) => void = () => {}): string {
  const doc = parse(readFileSync(BROKEN, 'utf8')) as Json;
  const peer = doc.sites[0].rras.BgpPeers[0] as Json;
  delete peer.OperationMode;
  edit(peer);
  return stringify(doc);
}

describe('RRAS BGP from an APIPA address', () => {
  it('a user peers RRAS with Azure between APIPA addresses: the session is established', () => {
    const loaded = parseTopology(apipaSeed(), 'apipa.yaml');
    assert.deepEqual(loaded.warnings.map((i) => i.code), []);
    const network = new Network(loaded.topology, undefined, { resolved: loaded.network });
    assert.equal(runUntilSettled(network, 600_000).settled, true);
    const rras = network.gateways.get('OnPrem/RRAS2016')!;
    const [peer] = peerRecords(rras.bgp!);
    assert.equal(peer?.localAddress, '169.254.21.1');
    assert.equal(peer?.state, 'Established');
  });

  it('a LocalIPAddress RRAS does not hold and cannot carry on an S2S interface is RRAS_BGP_LOCAL_ADDRESS', () => {
    const text = apipaSeed((peer) => { peer.LocalIPAddress = '192.168.99.1'; });
    const { warnings } = parseTopology(text, 'apipa.yaml', { keepCheckErrors: true });
    const issue = warnings.find((i) => i.code === 'RRAS_BGP_LOCAL_ADDRESS');
    assert.ok(issue !== undefined, warnings.map((i) => `${i.code} ${i.path}`).join('\n'));
    assert.equal(issue.path, 'sites[0].rras.BgpPeers[0].LocalIPAddress');
  });
});
