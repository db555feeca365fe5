import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { Network } from '../../src/emulator/network.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { formatIpv4 } from '../../src/net/address.js';
import { parseTopology } from '../../src/platforms/load.js';

/*
 * An RRAS box with two public addresses (SourceIpAddress per S2S interface) facing both instances
 * of an active-active Azure gateway (issue 13, defect 3). Before the fix, IKE left from the first
 * public adapter whatever the interface's SourceIpAddress, so the second interface's IKE_AUTH
 * carried identity 203.0.113.11 from 203.0.113.10 and Azure answered AUTHENTICATION_FAILED.
 */

const FILE = 'examples/rras-azure-active-active.yaml';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('RRAS with two public addresses against an active-active Azure gateway', () => {
  it('a user brings up one tunnel per Azure instance, each IKE SA from its own SourceIpAddress', () => {
    const network = new Network(parseTopology(readFileSync(FILE, 'utf8'), FILE).topology);
    assert.equal(runUntilSettled(network, 600_000).settled, true);
    const rras = network.gateways.get('OnPrem/RRAS2016')!;
    for (const [iface, local, remote] of [['AzureIN0', '203.0.113.10', '198.51.100.10'], ['AzureIN1', '203.0.113.11', '198.51.100.11']] as const) {
      const sa = rras.ipsec!.engine.ikeSasOf(iface).find((s) => s.state === 'established');
      assert.ok(sa !== undefined, `${iface} has an established IKE SA`);
      assert.equal(formatIpv4(sa.local.address), local, `${iface} speaks IKE from its SourceIpAddress`);
      assert.equal(formatIpv4(sa.remote.address), remote);
      assert.ok(sa.children.length > 0, `${iface} carries a CHILD_SA`);
    }
    const failed = network.milestones.filter((m) => m.kind === 'ike-sa-failed' && m.node.startsWith('OnPrem/'));
    assert.deepEqual(failed, [], 'no IKE SA of the RRAS box fails');
  });

  it('check refuses a SourceIpAddress the server does not have (RRAS_SOURCE_ADDRESS)', () => {
    const doc = parse(readFileSync(FILE, 'utf8')) as Json;
    doc.sites[0].rras.VpnS2SInterfaces[1].SourceIpAddress = '203.0.113.99';
    const { warnings } = parseTopology(stringify(doc), 'test.yaml', { keepCheckErrors: true });
    const issue = warnings.find((i) => i.code === 'RRAS_SOURCE_ADDRESS');
    assert.ok(issue !== undefined, warnings.map((i) => i.code).join(', '));
    assert.equal(issue.severity, 'error');
    assert.equal(issue.path, 'sites[0].rras.VpnS2SInterfaces[1].SourceIpAddress');
  });

  it('check pairs each interface with the Azure instance it faces: no tunnel is reported unanswered', () => {
    const { warnings } = parseTopology(readFileSync(FILE, 'utf8'), FILE);
    assert.deepEqual(warnings.map((i) => `${i.code} ${i.path}`), []);
  });
});
