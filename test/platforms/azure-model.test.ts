import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { formatPath } from '../../src/config/source.js';
import { formatIpv4, parseIpv4 } from '../../src/net/address.js';
import type { AzureModel } from '../../src/platforms/azure/model.js';
import { peerGateway } from '../../src/platforms/azure/model.js';
import { parseTopology } from '../../src/platforms/load.js';
import { resolveNetwork } from '../../src/platforms/registry.js';
import type { Topology } from '../../src/topology/schema.js';

/*
 * The Azure model of the seeds' VNets, resolved through resolveNetwork as check and up resolve it:
 * what Azure derives for each gateway, local network gateways parsed, every connection's names
 * followed to the very objects they name (across sites for Vnet2Vnet), each with its path; and
 * names that lead nowhere kept unresolved for check to report.
 */

const RRAS_SEED = 'examples/rras-azure-bgp.yaml';
const ALIBABA_SEED = 'examples/alibaba-azure-dual-tunnel.yaml';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function load(file: string, edit?: (doc: Json) => void): Topology {
  const doc = parse(readFileSync(file, 'utf8')) as Json;
  edit?.(doc);
  return parseTopology(stringify(doc), 'test.yaml', { keepCheckErrors: true }).topology;
}

function modelOf(topology: Topology, site: string): { model: AzureModel; modelOf: (site: string) => unknown } {
  const network = resolveNetwork(topology);
  const model = network.modelOf(site) as AzureModel | undefined;
  assert.ok(model !== undefined && model.platform === 'azure', `${site} has an Azure model`);
  return { model, modelOf: network.modelOf };
}

describe('Azure model of the seeds', () => {
  it('seed 000 VNet1: the gateway with its derived instance, the local network gateway parsed, connections resolved', () => {
    const { model, modelOf: others } = modelOf(load(RRAS_SEED), 'VNet1');
    const [gateway] = model.gateways;
    assert.equal(formatPath(gateway!.path), 'sites[1].azure.virtualNetworkGateways[0]');
    assert.equal(gateway!.facts?.instances.length, 1);
    assert.equal(formatIpv4(gateway!.facts!.instances[0]!.bgpAddress), '10.3.1.254');
    const [lng] = model.localNetworkGateways;
    assert.equal(lng!.gatewayAddress, parseIpv4('203.0.113.10'));
    assert.deepEqual(lng!.bgp && { asn: lng!.bgp.asn, address: formatIpv4(lng!.bgp.address) }, { asn: 65023, address: '192.168.37.1' });
    const toSite = model.connections.find((c) => c.conn.name === 'VNet1ToSite5')!;
    assert.equal(toSite.gateway, gateway, 'virtualNetworkGateway1 is the gateway object itself');
    assert.equal(toSite.lng, lng, 'localNetworkGateway2 is the local network gateway object itself');
    const toVnet2 = model.connections.find((c) => c.conn.name === 'VNet1ToVNet2')!;
    assert.deepEqual(toVnet2.peer, { site: 'VNet2', gateway: 'VNet2GW' });
    const peer = peerGateway(others, toVnet2);
    assert.equal(peer?.gateway, (others('VNet2') as AzureModel).gateways[0], 'the Vnet2Vnet peer is the other model\'s gateway object');
  });

  it('seed 003: an active-active gateway derives two instances with their public and BGP addresses', () => {
    const { model } = modelOf(load(ALIBABA_SEED), 'AzureVNet');
    const facts = model.gateways[0]!.facts!;
    assert.equal(facts.activeActive, true);
    assert.deepEqual(facts.instances.map((i) => formatIpv4(i.publicAddress)), ['198.51.100.224', '198.51.100.166']);
    assert.deepEqual(model.connections.map((c) => c.lng?.lng.name), ['AlibabaTunnel1', 'AlibabaTunnel2']);
  });

  it('names that lead nowhere stay unresolved (no throw), and check reports them at their paths', () => {
    const topology = load(RRAS_SEED, (doc) => {
      const vnet1 = (doc.sites as Json[]).find((s) => s.name === 'VNet1')!;
      const [toSite, toVnet2] = vnet1.azure.connections as Json[];
      toSite!.localNetworkGateway2 = 'Nowhere';
      toVnet2!.virtualNetworkGateway2 = 'VNet9/GW';
    });
    const { model, modelOf: others } = modelOf(topology, 'VNet1');
    const [toSite, toVnet2] = model.connections;
    assert.equal(toSite!.lng, undefined);
    assert.equal(peerGateway(others, toVnet2!), undefined);
    const doc = parse(readFileSync(RRAS_SEED, 'utf8')) as Json;
    const vnet1 = (doc.sites as Json[]).find((s) => s.name === 'VNet1')!;
    (vnet1.azure.connections as Json[])[0]!.localNetworkGateway2 = 'Nowhere';
    const { warnings } = parseTopology(stringify(doc), 'test.yaml', { keepCheckErrors: true });
    assert.ok(warnings.some((i) => i.code === 'AZURE_UNKNOWN_REFERENCE' && i.path === 'sites[1].azure.connections[0].localNetworkGateway2'));
  });

  it('a gateway in a subnet the VNet lacks has no facts, and is no derived gateway', () => {
    const topology = load(RRAS_SEED, (doc) => {
      const vnet2 = (doc.sites as Json[]).find((s) => s.name === 'VNet2')!;
      (vnet2.subnets as Json[])[1]!.name = 'gw';
    });
    const { model } = modelOf(topology, 'VNet2');
    assert.equal(model.gateways[0]!.facts, undefined);
  });
});
