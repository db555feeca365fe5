import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Network } from '../../src/emulator/network.js';
import { runTraceroute } from '../../src/emulator/session.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { formatIpv4 } from '../../src/net/address.js';
import { parseTopology } from '../../src/platforms/load.js';

/*
 * tracert across the seed's tunnels (issue 13, defect 11). Before the fix, the Azure gateways
 * answered from their public IPs (198.51.100.10, 198.51.100.20): an unnumbered tunnel interface
 * borrowed the node's first address. An Azure gateway sends what it originates into a tunnel from
 * its GatewaySubnet address, so the hops inside the tunnels are the gateways' private addresses.
 */

describe('tracert from on premises through the seed\'s tunnels', () => {
  it('a user traces pc → vm2: RRAS, then each Azure gateway by its GatewaySubnet address, then vm2', () => {
    const file = 'examples/rras-azure-bgp.yaml';
    const network = new Network(parseTopology(readFileSync(file, 'utf8'), file).topology);
    assert.equal(runUntilSettled(network, 3_600_000).settled, true);
    const run = runTraceroute(network, 'pc', '10.5.0.4');
    const hops = run.trace.hops.map((h) => [...new Set(h.probes.map((p) => (p.kind === 'reply' ? formatIpv4(p.from) : '*')))].join(','));
    assert.deepEqual(hops, ['192.168.37.1', '10.3.1.254', '10.5.1.254', '10.5.0.4']);
  });
});
