import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { Network } from '../../src/emulator/network.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { parseTopology } from '../../src/platforms/load.js';

/*
 * A local network gateway whose BGP address is the device's own public IP: Azure refuses it
 * (AZURE_LNG_BGP_ADDRESS), and `up --force` runs it anyway. Azure routes the BGP peer's /32 into the
 * tunnel, so the tunnel's own ESP packets to that address route back into it. Before the fix the
 * emulator encapsulated them forever and `up` died with "Maximum call stack size exceeded"; a
 * tunnel now drops what loops back into it, as Linux does ("dead loop on virtual device").
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('a tunnel whose outer packets route back into itself', () => {
  it('a user runs up --force with the device\'s public IP as its BGP address: the run ends, the loop is dropped', () => {
    const doc = parse(readFileSync('examples/rras-azure-bgp.yaml', 'utf8')) as Json;
    doc.sites[1].azure.localNetworkGateways[0].bgpSettings.bgpPeeringAddress = '203.0.113.10';
    const loaded = parseTopology(stringify(doc), 'loop.yaml', { keepCheckErrors: true });
    assert.ok(loaded.warnings.some((i) => i.code === 'AZURE_LNG_BGP_ADDRESS' && i.severity === 'error'));
    const network = new Network(loaded.topology, undefined, { resolved: loaded.network });
    assert.equal(runUntilSettled(network, 600_000).settled, true);
    const vnet1 = network.gateways.get('VNet1/VNet1GW')!;
    const loops = vnet1.ipsec!.tunnels.reduce((n, t) => n + t.loopDrops, 0);
    assert.ok(loops > 0, 'the looping packets were dropped and counted');
  });
});
