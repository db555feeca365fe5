import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { fqdnIdentity, ipv4Identity } from '../../src/ike/payloads/id.js';
import { parseIpv4, parsePrefix, prefixContains } from '../../src/net/address.js';
import type { AlibabaModel } from '../../src/platforms/alibaba/model.js';
import { parseTopology } from '../../src/platforms/load.js';
import { resolveNetwork } from '../../src/platforms/registry.js';
import { topologySchema, type Topology } from '../../src/topology/schema.js';

/*
 * The Alibaba model (src/platforms/alibaba/model.ts) of seed 003, resolved through the registry as
 * every run resolves it: values parsed, references followed to the very objects they name, each
 * with its document path; then mutated copies — a single-tunnel connection with BGP and asdot
 * ASNs, and references that name nothing, which stay unresolved without throwing.
 */

const SEED = 'examples/alibaba-azure-dual-tunnel.yaml';
const AT = ['sites', 0, 'alibaba'] as const;

type Json = Record<string, unknown>;

function modelOf(topology: Topology, site = 'AlibabaVPC'): AlibabaModel {
  return resolveNetwork(topology).modelOf(site) as AlibabaModel;
}

/** The seed as a plain document, to mutate. */
function seedDoc(): Json {
  return parse(readFileSync(SEED, 'utf8')) as Json;
}

function alibabaBlock(doc: Json): Json {
  return ((doc.sites as Json[])[0]!.alibaba as Json);
}

/** Validated by the schema only: the cross-resource checks would refuse the broken references. */
function schemaOnly(doc: Json): Topology {
  return topologySchema.parse(doc);
}

describe('Alibaba model of seed 003', () => {
  const topology = parseTopology(readFileSync(SEED, 'utf8'), SEED).topology;
  const model = modelOf(topology);

  it('parses the VPC and its vSwitches', () => {
    assert.deepEqual(model.vpc, [parsePrefix('10.0.0.0/16')]);
    assert.deepEqual(model.subnets.map((s) => [s.name, s.prefix, s.path]), [
      ['vsw-a', parsePrefix('10.0.0.0/24'), ['sites', 0, 'subnets', 0]],
      ['vsw-b', parsePrefix('10.0.1.0/24'), ['sites', 0, 'subnets', 1]],
    ]);
  });

  it('resolves the dual-tunnel VPN gateway: IPsec addresses, nodes, vSwitches', () => {
    assert.equal(model.gateways.length, 1);
    const gateway = model.gateways[0]!;
    assert.equal(gateway.name, 'VpnGateway');
    assert.deepEqual(gateway.path, [...AT, 'VpnGateways', 0]);
    assert.equal(gateway.dual, true);
    assert.deepEqual(gateway.instanceNames, ['VpnGateway_1', 'VpnGateway_2']);
    assert.deepEqual(gateway.ipsecAddresses, [parseIpv4('192.0.2.130'), parseIpv4('192.0.2.75')]);
    assert.equal(gateway.vswitches.length, 2);
    assert.equal(gateway.vswitches[0]!.target, model.subnets[0]);
    assert.deepEqual(gateway.vswitches[0]!.path, [...AT, 'VpnGateways', 0, 'VSwitchId']);
    assert.equal(gateway.vswitches[1]!.target, model.subnets[1]);
    assert.deepEqual(gateway.vswitches[1]!.path, [...AT, 'VpnGateways', 0, 'DisasterRecoveryVSwitchId']);
    assert.deepEqual(gateway.connections, [model.connections[0]]);
    assert.equal(gateway.connections[0], model.connections[0]);
    assert.equal(gateway.routes[0], model.routes[0]);
  });

  it('parses the customer gateways', () => {
    assert.deepEqual(model.customerGateways.map((c) => [c.name, c.address, c.asn, c.path]), [
      ['AzureGW1', parseIpv4('198.51.100.224'), undefined, [...AT, 'CustomerGateways', 0]],
      ['AzureGW2', parseIpv4('198.51.100.166'), undefined, [...AT, 'CustomerGateways', 1]],
    ]);
  });

  it('resolves the IPsec connection to its gateway, and each tunnel to its customer gateway', () => {
    const conn = model.connections[0]!;
    const at = [...AT, 'VpnConnections', 0];
    assert.equal(conn.name, 'IPsecConnection');
    assert.deepEqual(conn.path, at);
    assert.equal(conn.gateway.target, model.gateways[0]);
    assert.deepEqual(conn.gateway.path, [...at, 'VpnGatewayId']);
    assert.equal(conn.dual, true);
    assert.equal(conn.effectImmediately, true);
    assert.equal(conn.autoConfigRoute, true);
    assert.equal(conn.bgpRequested, false);
    assert.deepEqual(conn.tunnels.map((t) => [t.address, t.specIndex, t.path]), [
      [1, 0, [...at, 'TunnelOptionsSpecification', 0]],
      [2, 1, [...at, 'TunnelOptionsSpecification', 1]],
    ]);
    const [master, slave] = conn.tunnels;
    assert.equal(master!.customerGateway.target, model.customerGateways[0]);
    assert.deepEqual(master!.customerGateway.path, [...at, 'TunnelOptionsSpecification', 0, 'CustomerGatewayId']);
    assert.equal(slave!.customerGateway.target, model.customerGateways[1]);
    assert.equal(master!.ike?.Psk, 'Tunnel1Key7Qm4Xz');
    assert.deepEqual(master!.ikePath, [...at, 'TunnelOptionsSpecification', 0, 'TunnelIkeConfig']);
    assert.equal(master!.dpd, true);
    assert.deepEqual(master!.offer, { version: 'ikev2', ike: 'aes128-sha1-modp1024', esp: 'aes128-sha1-modp1024' });
    assert.equal(master!.localId, undefined);
    assert.equal(master!.remoteId, undefined);
    assert.deepEqual(master!.bgp, { on: false, config: undefined, path: [...at, 'TunnelOptionsSpecification', 0, 'TunnelBgpConfig'], localAsn: 45104, tunnelCidr: undefined, localBgpIp: undefined, peerBgpIp: undefined });
  });

  it('parses the protected data flows', () => {
    const conn = model.connections[0]!;
    assert.deepEqual(conn.localSubnet, [parsePrefix('10.0.0.0/16')]);
    assert.deepEqual(conn.remoteSubnet, [parsePrefix('192.168.0.0/16')]);
    assert.deepEqual(conn.flows, { local: [parsePrefix('10.0.0.0/16')], remote: [parsePrefix('192.168.0.0/16')] });
  });

  it('resolves the policy route to its gateway and its connection', () => {
    assert.equal(model.routes.length, 1);
    const route = model.routes[0]!;
    assert.equal(route.kind, 'policy');
    assert.deepEqual(route.path, [...AT, 'VpnPbrRouteEntries', 0]);
    assert.deepEqual(route.source, parsePrefix('10.0.0.0/16'));
    assert.deepEqual(route.dest, parsePrefix('192.168.0.0/16'));
    assert.equal(route.published, true);
    assert.equal(route.gateway.target, model.gateways[0]);
    assert.equal(route.nextHop.target, model.connections[0]);
    assert.deepEqual(route.nextHop.path, [...AT, 'VpnPbrRouteEntries', 0, 'NextHop']);
    assert.deepEqual(model.connections[0]!.routes, [route]);
  });

  it('keeps the block and each resource it was resolved from', () => {
    const site = topology.sites[0]!;
    assert.ok(site.platform === 'alibaba');
    assert.equal(model.block, site.alibaba);
    assert.equal(model.gateways[0]!.resource, site.alibaba!.VpnGateways![0]);
    assert.equal(model.customerGateways[1]!.resource, site.alibaba!.CustomerGateways![1]);
    assert.equal(model.connections[0]!.resource, site.alibaba!.VpnConnections![0]);
    assert.equal(model.routes[0]!.resource, site.alibaba!.VpnPbrRouteEntries![0]);
  });
});

describe('Alibaba model of mutated copies', () => {
  it('a single-tunnel connection: its tunnel is the connection, BgpConfig parsed, asdot ASNs as numbers, any ⇄ any has no flows', () => {
    const doc = seedDoc();
    const block = alibabaBlock(doc);
    (block.CustomerGateways as Json[])[0]!.Asn = '123.456';
    (block.CustomerGateways as Json[])[1]!.Asn = 65515;
    (block.VpnConnections as Json[]).push({
      Name: 'Single', VpnGatewayId: 'VpnGateway', CustomerGatewayId: 'AzureGW2', LocalSubnet: ['0.0.0.0/0'], RemoteSubnet: ['0.0.0.0/0'],
      AutoConfigRoute: false, EnableDpd: false, IkeConfig: { Psk: 'SingleKey1', IkeVersion: 'ikev2', LocalId: 'vpc.example', RemoteId: '198.51.100.166' },
      BgpConfig: { EnableBgp: true, LocalAsn: '1.2', TunnelCidr: '169.254.10.0/30', LocalBgpIp: '169.254.10.1' },
    });
    block.VpnRouteEntries = [{ VpnGatewayId: 'VpnGateway', RouteDest: '172.16.0.0/12', NextHop: 'Single', PublishVpc: false }];
    const model = modelOf(schemaOnly(doc));
    assert.deepEqual(model.customerGateways.map((c) => c.asn), [123 * 65536 + 456, 65515]);
    const single = model.connections[1]!;
    const at = [...AT, 'VpnConnections', 1];
    assert.equal(single.dual, false);
    assert.equal(single.flows, undefined);
    assert.equal(single.autoConfigRoute, false);
    assert.equal(single.bgpRequested, true);
    assert.equal(single.tunnels.length, 1);
    const tunnel = single.tunnels[0]!;
    assert.equal(tunnel.address, 1);
    assert.equal(tunnel.specIndex, undefined);
    assert.deepEqual(tunnel.path, at);
    assert.deepEqual(tunnel.ikePath, [...at, 'IkeConfig']);
    assert.equal(tunnel.dpd, false);
    assert.deepEqual(tunnel.offer, { version: 'ikev2', ike: 'aes128-md5-modp1024', esp: 'aes128-md5-modp1024' });
    assert.deepEqual(tunnel.localId, fqdnIdentity('vpc.example'));
    assert.deepEqual(tunnel.remoteId, ipv4Identity(parseIpv4('198.51.100.166')));
    assert.equal(tunnel.customerGateway.target, model.customerGateways[1]);
    assert.deepEqual(tunnel.customerGateway.path, [...at, 'CustomerGatewayId']);
    assert.equal(tunnel.bgp.on, true);
    assert.deepEqual(tunnel.bgp.path, [...at, 'BgpConfig']);
    assert.equal(tunnel.bgp.localAsn, 65538);
    assert.deepEqual(tunnel.bgp.tunnelCidr, parsePrefix('169.254.10.0/30'));
    assert.equal(tunnel.bgp.localBgpIp, parseIpv4('169.254.10.1'));
    assert.equal(tunnel.bgp.peerBgpIp, parseIpv4('169.254.10.2'), 'the other host of the /30');
    assert.deepEqual(model.gateways[0]!.connections, model.connections);
    const route = model.routes[1]!;
    assert.equal(route.kind, 'destination');
    assert.equal(route.source, undefined);
    assert.deepEqual(route.path, [...AT, 'VpnRouteEntries', 0]);
    assert.equal(route.published, false);
    assert.equal(route.nextHop.target, single);
    assert.deepEqual(single.routes, [route]);
    assert.deepEqual(model.gateways[0]!.routes, model.routes);
  });

  it('a single-address gateway without VSwitchId sits in the VPC\'s first vSwitch, its IPsec address a stand-in', () => {
    const doc = seedDoc();
    const gateway = (alibabaBlock(doc).VpnGateways as Json[])[0]!;
    delete gateway.VSwitchId;
    delete gateway.DisasterRecoveryVSwitchId;
    delete gateway.InternetIp;
    delete gateway.DisasterRecoveryInternetIp;
    const model = modelOf(schemaOnly(doc));
    const g = model.gateways[0]!;
    assert.equal(g.dual, false);
    assert.deepEqual(g.instanceNames, ['VpnGateway']);
    assert.equal(g.vswitches.length, 1);
    assert.equal(g.vswitches[0]!.name, 'vsw-a');
    assert.equal(g.vswitches[0]!.target, model.subnets[0]);
    assert.equal(g.ipsecAddresses.length, 1);
    assert.ok(prefixContains(parsePrefix('198.18.0.0/15'), g.ipsecAddresses[0]!), 'a stand-in in 198.18.0.0/15');
  });

  it('references that name nothing stay unresolved, with their names and paths, and nothing throws', () => {
    const doc = seedDoc();
    const block = alibabaBlock(doc);
    const gateway = (block.VpnGateways as Json[])[0]!;
    gateway.VSwitchId = 'vsw-x';
    const conn = (block.VpnConnections as Json[])[0]!;
    conn.VpnGatewayId = 'NoGateway';
    ((conn.TunnelOptionsSpecification as Json[])[1]!).CustomerGatewayId = 'NoCustomer';
    const route = (block.VpnPbrRouteEntries as Json[])[0]!;
    route.NextHop = 'NoConnection';
    route.VpnGatewayId = 'NoGateway';
    const model = modelOf(schemaOnly(doc));
    const g = model.gateways[0]!;
    assert.deepEqual(g.vswitches[0], { name: 'vsw-x', path: [...AT, 'VpnGateways', 0, 'VSwitchId'], target: undefined });
    assert.equal(g.vswitches[1]!.target, model.subnets[1]);
    assert.deepEqual(g.connections, []);
    assert.deepEqual(g.routes, []);
    const c = model.connections[0]!;
    assert.deepEqual(c.gateway, { name: 'NoGateway', path: [...AT, 'VpnConnections', 0, 'VpnGatewayId'], target: undefined });
    assert.equal(c.tunnels[0]!.customerGateway.target, model.customerGateways[0]);
    assert.deepEqual(c.tunnels[1]!.customerGateway, { name: 'NoCustomer', path: [...AT, 'VpnConnections', 0, 'TunnelOptionsSpecification', 1, 'CustomerGatewayId'], target: undefined });
    const r = model.routes[0]!;
    assert.equal(r.gateway.target, undefined);
    assert.deepEqual(r.nextHop, { name: 'NoConnection', path: [...AT, 'VpnPbrRouteEntries', 0, 'NextHop'], target: undefined });
    assert.deepEqual(c.routes, []);
  });

  it('a VPC without an alibaba block resolves to an empty model', () => {
    const doc = seedDoc();
    delete (doc.sites as Json[])[0]!.alibaba;
    const model = modelOf(schemaOnly(doc));
    assert.equal(model.block, undefined);
    assert.deepEqual([model.gateways, model.customerGateways, model.connections, model.routes], [[], [], [], []]);
    assert.equal(model.subnets.length, 2);
  });
});
