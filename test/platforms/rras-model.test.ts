import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { formatPath } from '../../src/config/source.js';
import { ANY_SELECTOR } from '../../src/platforms/common.js';
import { parseTopology } from '../../src/platforms/load.js';
import { resolveNetwork } from '../../src/platforms/registry.js';
import type { RrasModel } from '../../src/platforms/rras/model.js';
import { parseIpv4, parsePrefix } from '../../src/net/address.js';
import type { Topology } from '../../src/topology/schema.js';

/*
 * The RRAS model of the seed's on-premises site, resolved through resolveNetwork as check and up
 * resolve it: values parsed, names followed to the very objects they name, each with its path;
 * and a mutated copy whose names lead nowhere, kept unresolved for check to report.
 */

const SEED = 'examples/rras-azure-bgp.yaml';
const AT = ['sites', 0, 'rras'];

function modelOf(topology: Topology, site = 'OnPrem'): RrasModel {
  const model = resolveNetwork(topology).modelOf(site) as RrasModel | undefined;
  assert.ok(model !== undefined, `${site} has an RRAS model`);
  return model;
}

/** The YAML document as edited by hand; its shape is the schema's, checked again on load. */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The seed with its OnPrem `rras:` block changed by `edit`, loaded keeping the checks' errors. */
function mutated(edit: (rras: Json, site: Json) => void): { topology: Topology; issues: { code: string; path: string }[] } {
  const doc = parse(readFileSync(SEED, 'utf8')) as Json;
  const site = (doc.sites as Json[]).find((s) => s.name === 'OnPrem')!;
  edit(site.rras as Json, site);
  const { topology, warnings } = parseTopology(stringify(doc), 'mutated.yaml', { keepCheckErrors: true });
  return { topology, issues: warnings };
}

describe('RRAS model of the seed (rras-azure-bgp)', () => {
  const { topology } = parseTopology(readFileSync(SEED, 'utf8'), SEED);
  const model = modelOf(topology);
  const block = topology.sites[0]!.platform === 'rras' ? topology.sites[0]!.rras! : assert.fail('site 0 is RRAS');

  it('names the server and keeps the block and its path', () => {
    assert.equal(model.serverName, 'RRAS2016');
    assert.equal(model.block, block);
    assert.deepEqual(model.at, AT);
    assert.deepEqual(model.addressSpace, [parsePrefix('192.168.37.0/24')]);
  });

  it('parses the adapters and resolves the LAN adapter\'s Subnet to the site\'s subnet', () => {
    const [internet, lan] = model.adapters;
    assert.equal(internet!.resource, block.Server.NetworkAdapters[0]);
    assert.deepEqual(internet!.path, [...AT, 'Server', 'NetworkAdapters', 0]);
    assert.equal(internet!.address, parseIpv4('203.0.113.10'));
    assert.deepEqual(internet!.prefix, parsePrefix('203.0.113.0/24'));
    assert.equal(internet!.internet, true);
    assert.equal(internet!.subnet, undefined);
    assert.equal(model.publicAdapter, internet);

    assert.equal(lan!.address, parseIpv4('192.168.37.1'));
    assert.equal(lan!.internet, false);
    assert.equal(lan!.subnet?.name, 'lan');
    assert.deepEqual(lan!.subnet?.path, [...AT, 'Server', 'NetworkAdapters', 1, 'Subnet']);
    assert.equal(lan!.subnet?.target?.resource, topology.sites[0]!.subnets![0]);
    assert.deepEqual(lan!.subnet?.target?.path, ['sites', 0, 'subnets', 0]);
    assert.deepEqual(lan!.prefix, parsePrefix('192.168.37.0/24'));
  });

  it('parses the S2S interface: destination, IKE source, selectors, policy and routes', () => {
    assert.equal(model.interfaces.length, 1);
    const iface = model.interfaces[0]!;
    assert.equal(iface.kind, 's2s');
    assert.equal(iface.resource, block.VpnS2SInterfaces![0]);
    assert.equal(iface.name, '198.51.100.10');
    assert.deepEqual(iface.destinations, [{ value: parseIpv4('198.51.100.10'), path: [...AT, 'VpnS2SInterfaces', 0, 'Destination', 0] }]);
    assert.equal(iface.ikeSource, parseIpv4('203.0.113.10'), 'no SourceIpAddress: the public adapter');
    assert.deepEqual(iface.localSelectors, { selectors: [ANY_SELECTOR], given: false, path: [...AT, 'VpnS2SInterfaces', 0, 'LocalVpnTrafficSelector'] });
    assert.equal(iface.remoteSelectors.given, false);
    assert.ok(!('problem' in iface.offer));
    assert.deepEqual(iface.offer.ike, ['aes256-sha256-modp1024', 'aes256-sha1-modp1024', 'aes256-sha256-modp2048', 'aes256-sha1-modp2048'], 'MaximumEncryption from the server');
    assert.deepEqual(iface.offerPath, [...AT, 'VpnServerIPsecConfiguration']);
    assert.equal(iface.childLifetimeS, 3600);
    assert.deepEqual(iface.subnets, []);
    assert.deepEqual(iface.netRoutes, [model.netRoutes[0]]);
    assert.equal(iface.netRoutes[0], model.netRoutes[0]);
    assert.deepEqual(iface.routes, [parsePrefix('10.3.1.254/32')]);
  });

  it('resolves the NetRoute\'s InterfaceAlias to the S2S interface object', () => {
    const route = model.netRoutes[0]!;
    assert.equal(route.resource, block.NetRoutes![0]);
    assert.deepEqual(route.destination, parsePrefix('10.3.1.254/32'));
    assert.equal(route.via.name, '198.51.100.10');
    assert.deepEqual(route.via.path, [...AT, 'NetRoutes', 0, 'InterfaceAlias']);
    assert.equal(route.via.target, model.interfaces[0]);
    assert.equal(route.nextHop, undefined);
  });

  it('parses the BGP router and peer; the peer takes the router\'s ASN with its path', () => {
    const router = model.bgpRouter!;
    assert.deepEqual(router.identifier, { value: parseIpv4('192.168.37.1'), path: [...AT, 'BgpRouter', 'BgpIdentifier'] });
    assert.deepEqual(router.localAsn, { value: 65023, path: [...AT, 'BgpRouter', 'LocalASN'] });
    assert.equal(router.transitRouting, false);
    const peer = model.bgpPeers[0]!;
    assert.equal(peer.name, 'AzureS2S');
    assert.deepEqual(peer.path, [...AT, 'BgpPeers', 0]);
    assert.deepEqual(peer.localAddress, { value: parseIpv4('192.168.37.1'), path: [...AT, 'BgpPeers', 0, 'LocalIPAddress'] });
    assert.deepEqual(peer.peerAddress, { value: parseIpv4('10.3.1.254'), path: [...AT, 'BgpPeers', 0, 'PeerIPAddress'] });
    assert.equal(peer.localAsn, router.localAsn);
    assert.equal(peer.passive, false);
    assert.equal(peer.holdTime, 180);
  });

  it('resolves the custom route\'s -Interface to the LAN adapter and computes what is advertised', () => {
    const custom = model.customRoutes[0]!;
    assert.deepEqual(custom.path, [...AT, 'BgpCustomRoutes', 0]);
    assert.deepEqual(custom.networks, []);
    assert.equal(custom.interfaces[0]!.name, 'LAN');
    assert.deepEqual(custom.interfaces[0]!.path, [...AT, 'BgpCustomRoutes', 0, 'Interface', 0]);
    assert.equal(custom.interfaces[0]!.target, model.adapters[1]);
    assert.deepEqual(model.advertised, [parsePrefix('192.168.37.0/24')]);
  });

  it('is resolved once per run: check and the plan read the same model object', () => {
    const network = resolveNetwork(topology);
    const site = network.sites.find((s) => s.ref.site.name === 'OnPrem')!;
    assert.equal(site.ref.model, network.modelOf('OnPrem'));
  });
});

describe('RRAS model of mutated seeds', () => {
  it('keeps names that lead nowhere unresolved, with their paths, and check reports them there', () => {
    const { topology, issues } = mutated((rras) => {
      rras.NetRoutes[0].InterfaceAlias = 'Tunnel9';
      rras.BgpCustomRoutes[0].Interface = ['WAN'];
    });
    const model = modelOf(topology);
    const route = model.netRoutes[0]!;
    assert.equal(route.via.name, 'Tunnel9');
    assert.equal(route.via.target, undefined);
    assert.deepEqual(model.interfaces[0]!.netRoutes, []);
    const name = model.customRoutes[0]!.interfaces[0]!;
    assert.equal(name.target, undefined);
    assert.deepEqual(model.advertised, []);
    const unknown = issues.filter((i) => i.code === 'RRAS_UNKNOWN_INTERFACE').map((i) => i.path).sort();
    assert.deepEqual(unknown, [formatPath(route.via.path), formatPath(name.path)].sort());
  });

  it('keeps an adapter whose Subnet names nothing without a prefix (RRAS_ADAPTER_ADDRESS)', () => {
    const { topology, issues } = mutated((rras) => {
      rras.Server.NetworkAdapters[1].Subnet = 'lan2';
    });
    const lan = modelOf(topology).adapters[1]!;
    assert.equal(lan.subnet?.name, 'lan2');
    assert.equal(lan.subnet?.target, undefined);
    assert.equal(lan.prefix, undefined);
    assert.ok(issues.some((i) => i.code === 'RRAS_ADAPTER_ADDRESS' && i.path === formatPath([...AT, 'Server', 'NetworkAdapters', 1, 'IPAddress'])));
  });

  it('resolves a NetRoute through an adapter, parses -IPv4Subnet, SourceIpAddress, selectors and a peer\'s own ASN', () => {
    const { topology } = mutated((rras) => {
      rras.NetRoutes.push({ DestinationPrefix: '10.9.0.0/16', InterfaceAlias: 'LAN', NextHop: '192.168.37.254' });
      rras.NetRoutes.push({ DestinationPrefix: '10.8.0.0/16', InterfaceAlias: 'LAN', NextHop: '0.0.0.0' });
      rras.BgpCustomRoutes[0].Network = ['172.16.0.0/12'];
      const iface = rras.VpnS2SInterfaces[0];
      iface.IPv4Subnet = ['10.3.0.0/16:100'];
      iface.SourceIpAddress = '203.0.113.11';
      iface.LocalVpnTrafficSelector = [{ IPAddressRange: ['192.168.37.0', '192.168.37.255'] }];
      rras.BgpPeers[0].LocalASN = 65100;
    });
    const model = modelOf(topology);
    const [, viaLan, onLink] = model.netRoutes;
    assert.equal(viaLan!.via.target, model.adapters[1]);
    assert.equal(viaLan!.via.target?.kind, 'adapter');
    assert.equal(viaLan!.nextHop, parseIpv4('192.168.37.254'));
    assert.equal(onLink!.nextHop, undefined, '0.0.0.0 is on-link');

    const iface = model.interfaces[0]!;
    assert.deepEqual(iface.subnets, [{ prefix: parsePrefix('10.3.0.0/16'), metric: 100, path: [...AT, 'VpnS2SInterfaces', 0, 'IPv4Subnet', 0] }]);
    assert.deepEqual(iface.routes, [parsePrefix('10.3.0.0/16'), parsePrefix('10.3.1.254/32')]);
    assert.equal(iface.ikeSource, parseIpv4('203.0.113.11'));
    assert.equal(iface.localSelectors.given, true);
    assert.deepEqual(iface.localSelectors.selectors, [{
      type: 'ipv4', ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: parseIpv4('192.168.37.0'), endAddress: parseIpv4('192.168.37.255'),
    }]);

    assert.deepEqual(model.customRoutes[0]!.networks, [{ value: parsePrefix('172.16.0.0/12'), path: [...AT, 'BgpCustomRoutes', 0, 'Network', 0] }]);
    assert.deepEqual(model.advertised, [parsePrefix('172.16.0.0/12'), parsePrefix('192.168.37.0/24'), parsePrefix('10.9.0.0/16'), parsePrefix('10.8.0.0/16')]);
    assert.deepEqual(model.bgpPeers[0]!.localAsn, { value: 65100, path: [...AT, 'BgpPeers', 0, 'LocalASN'] });
  });

  it('has no model for an RRAS site without an rras block', () => {
    const { topology } = mutated((_rras, site) => {
      delete site.rras;
    });
    assert.equal(resolveNetwork(topology).modelOf('OnPrem'), undefined);
  });
});
