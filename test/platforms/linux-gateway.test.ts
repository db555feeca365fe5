import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { peerRecords } from '../../src/bgp/views.js';
import { Network } from '../../src/emulator/network.js';
import { runningSite } from '../../src/emulator/running-site.js';
import { runPing } from '../../src/emulator/session.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { ConfigError } from '../../src/config/issues.js';
import { parseTopology } from '../../src/platforms/load.js';
import { tunnelState } from '../../src/platforms/view.js';

/*
 * A Linux on-premises VPN endpoint (issue 13, item 12): seed 000 with the RRAS server replaced by
 * strongSwan (swanctl.conf) and FRR (frr.conf) — a route-based tunnel on an XFRM interface and
 * eBGP to Azure over it. Before this change the `linux:` block did not exist (the schema refused
 * it) and RRAS was the only on-premises device that could terminate a tunnel. Then each pitfall
 * users hit with it: check names it with its code, and up shows what it does.
 */

const EXAMPLE = 'examples/linux-azure-bgp.yaml';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The example with its Linux gateway edited. */
function variant(edit: (gw: Json) => void): string {
  const doc = parse(readFileSync(EXAMPLE, 'utf8')) as Json;
  edit(doc.sites[0].linux.gateways[0] as Json);
  return stringify(doc);
}

const neighbor = (gw: Json): Json => gw.frr['router bgp'].neighbors['10.3.1.254'] as Json;
const child = (gw: Json): Json => gw.swanctl.connections.azure.children['azure-vnet'] as Json;

function codes(text: string): string[] {
  return parseTopology(text, 'linux.yaml', { keepCheckErrors: true }).warnings.map((i) => i.code);
}

function findingAt(text: string, code: string): string {
  const issue = parseTopology(text, 'linux.yaml', { keepCheckErrors: true }).warnings.find((i) => i.code === code);
  assert.ok(issue !== undefined, `${code} expected; got ${codes(text).join(', ')}`);
  return issue.path;
}

function runNetwork(text: string): Network {
  const loaded = parseTopology(text, 'linux.yaml', { keepCheckErrors: true });
  const network = new Network(loaded.topology, undefined, { resolved: loaded.network });
  assert.equal(runUntilSettled(network, 600_000).settled, true);
  return network;
}

/** The Linux gateway as the views read it. */
function onPremGateway(network: Network) {
  return runningSite(network, 'OnPrem').instances('gw')[0]!;
}

function bgpState(network: Network): string | undefined {
  return peerRecords(network.gateways.get('OnPrem/gw')!.bgp!)[0]?.state;
}

describe('a Linux gateway (strongSwan + FRR) in place of RRAS facing Azure', () => {
  it('a user replaces RRAS with strongSwan + FRR in seed 000: check is clean, the tunnel and BGP come up, the PC pings both VNets', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    assert.deepEqual(codes(text), []);
    const network = runNetwork(text);
    const gw = network.gateways.get('OnPrem/gw')!;
    assert.equal(tunnelState(onPremGateway(network), 'azure'), 'up');
    const [peer] = peerRecords(gw.bgp!);
    assert.equal(peer?.state, 'Established');
    assert.equal(peer?.localAddress, '192.168.37.1');
    assert.equal(peer?.prefixesAccepted, 3);
    const toVnet1 = runPing(network, 'OnPrem/pc', '10.3.0.4', 2).ping.events;
    assert.deepEqual(toVnet1.map((e) => (e.kind === 'reply' ? e.ttl : e.kind)), [126, 126]);
    const toVnet2 = runPing(network, 'OnPrem/pc', '10.5.0.4', 2).ping.events;
    assert.deepEqual(toVnet2.map((e) => (e.kind === 'reply' ? e.ttl : e.kind)), [61, 61]);
  });

  it('a user sets encap = yes on the Azure connection: IKE moves to port 4500, ESP travels in UDP, BGP comes up and the PC pings VNet1', () => {
    const text = variant((gw) => { gw.swanctl.connections.azure.encap = 'yes'; });
    assert.deepEqual(codes(text), [], 'Azure gateways support NAT-T: nothing to warn about');
    const network = runNetwork(text);
    const logs = network.events.filter((e) => e.node === 'OnPrem/gw' && e.kind === 'log').map((e) => (e.kind === 'log' ? e.line : ''));
    assert.ok(logs.some((l) => l.includes('forcing UDP encapsulation, switching to port 4500')), 'strongSwan forces encapsulation');
    assert.equal(tunnelState(onPremGateway(network), 'azure'), 'up');
    assert.equal(bgpState(network), 'Established');
    const pings = runPing(network, 'OnPrem/pc', '10.3.0.4', 2).ping.events;
    assert.deepEqual(pings.map((e) => (e.kind === 'reply' ? e.ttl : e.kind)), [126, 126]);
  });

  it('a user forgets the route to the Azure BGP address through ipsec0: LINUX_NO_BGP_HOST_ROUTE, and the session never comes up', () => {
    const text = variant((gw) => { gw.routes = []; });
    assert.equal(findingAt(text, 'LINUX_NO_BGP_HOST_ROUTE'), 'sites[0].linux.gateways[0].frr.router bgp.neighbors.10.3.1.254');
    assert.notEqual(bgpState(runNetwork(text)), 'Established');
  });

  it('a user peers over the tunnel without disable-connected-check or ebgp-multihop: LINUX_BGP_CONNECTED_CHECK, and FRR leaves the neighbour in Active', () => {
    const text = variant((gw) => { delete neighbor(gw)['disable-connected-check']; });
    assert.ok(codes(text).includes('LINUX_BGP_CONNECTED_CHECK'));
    assert.notEqual(bgpState(runNetwork(text)), 'Established');
  });

  it('a user writes ebgp-multihop 2 instead of disable-connected-check: no finding, the session is established', () => {
    const text = variant((gw) => {
      delete neighbor(gw)['disable-connected-check'];
      neighbor(gw)['ebgp-multihop'] = 2;
    });
    assert.deepEqual(codes(text), []);
    assert.equal(bgpState(runNetwork(text)), 'Established');
  });

  it('a user keeps FRR\'s default bgp ebgp-requires-policy without route-maps: LINUX_EBGP_REQUIRES_POLICY, and no route crosses', () => {
    const text = variant((gw) => { delete gw.frr['router bgp']['bgp ebgp-requires-policy']; });
    assert.ok(codes(text).includes('LINUX_EBGP_REQUIRES_POLICY'));
    const [peer] = peerRecords(runNetwork(text).gateways.get('OnPrem/gw')!.bgp!);
    assert.equal(peer?.state, 'Established');
    assert.equal(peer?.prefixesAccepted, 0);
    assert.equal(peer?.missingPolicy, true);
  });

  it('a user leaves out the MSS clamp and the 1400 MTU on ipsec0: LINUX_MSS_CLAMP at the XFRM interface', () => {
    const text = variant((gw) => {
      delete gw.xfrm[0]['set-mss'];
      delete gw.xfrm[0].mtu;
    });
    assert.equal(findingAt(text, 'LINUX_MSS_CLAMP'), 'sites[0].linux.gateways[0].xfrm[0]');
    assert.deepEqual(codes(variant((gw) => { delete gw.xfrm[0]['set-mss']; })), [], 'an MTU of 1400 is Azure\'s other remedy');
  });

  it('a user gives the child an if_id no XFRM interface has: LINUX_NO_XFRM_INTERFACE, the SA comes up and the LAN cannot reach VNet1', () => {
    const text = variant((gw) => {
      const conn = gw.swanctl.connections.azure as Json;
      conn.if_id_in = 43;
      conn.if_id_out = 43;
    });
    assert.equal(findingAt(text, 'LINUX_NO_XFRM_INTERFACE'), 'sites[0].linux.gateways[0].swanctl.connections.azure.if_id_out');
    const network = runNetwork(text);
    assert.equal(tunnelState(onPremGateway(network), 'azure'), 'up');
    assert.ok(runPing(network, 'OnPrem/pc', '10.3.0.4', 1).ping.events.every((e) => e.kind !== 'reply'));
  });

  it('a user writes a policy-based child whose local_ts leaves out the BGP source: LINUX_SOURCE_OUTSIDE_LOCAL_TS with the address to use', () => {
    const text = variant((gw) => {
      const conn = gw.swanctl.connections.azure as Json;
      delete conn.if_id_in;
      delete conn.if_id_out;
      gw.xfrm = [];
      gw.routes = [];
      child(gw).local_ts = ['192.168.37.0/25'];
      child(gw).remote_ts = ['10.3.0.0/16'];
      neighbor(gw)['update-source'] = '203.0.113.10';
    });
    assert.equal(findingAt(text, 'LINUX_SOURCE_OUTSIDE_LOCAL_TS'), 'sites[0].linux.gateways[0].frr.router bgp.neighbors.10.3.1.254.update-source');
  });

  it('a user runs a policy-based child (no if_id) with narrow selectors: the CHILD_SA is narrowed to them and the PC still pings VNet1', () => {
    const text = variant((gw) => {
      const conn = gw.swanctl.connections.azure as Json;
      delete conn.if_id_in;
      delete conn.if_id_out;
      gw.xfrm = [];
      gw.routes = [];
      child(gw).local_ts = ['192.168.37.0/24'];
      child(gw).remote_ts = ['10.3.0.0/16'];
    });
    const network = runNetwork(text);
    assert.equal(tunnelState(onPremGateway(network), 'azure'), 'up');
    const replies = runPing(network, 'OnPrem/pc', '10.3.0.4', 2).ping.events.filter((e) => e.kind === 'reply');
    assert.equal(replies.length, 2);
  });

  it('a user advertises a network FRR has no route for: LINUX_NETWORK_NOT_IN_RIB, and Azure does not learn it', () => {
    const text = variant((gw) => { gw.frr['router bgp'].network = ['192.168.0.0/16']; });
    assert.equal(findingAt(text, 'LINUX_NETWORK_NOT_IN_RIB'), 'sites[0].linux.gateways[0].frr.router bgp.network[0]');
    const [peer] = peerRecords(runNetwork(text).gateways.get('OnPrem/gw')!.bgp!);
    assert.equal(peer?.prefixesAdvertised, 0);
  });

  it('the generic pair checks compare the Linux ends with Azure\'s: a wrong secret is PAIR_PSK_MISMATCH at the secrets entry, a wrong ASN PAIR_ASN_MISMATCH', () => {
    const psk = variant((gw) => { gw.swanctl.secrets['ike-azure'].secret = 'another key'; });
    assert.equal(findingAt(psk, 'PAIR_PSK_MISMATCH'), 'sites[0].linux.gateways[0].swanctl.secrets.ike-azure.secret');
    const asn = variant((gw) => { gw.frr['router bgp'].asn = 65032; });
    assert.equal(findingAt(asn, 'PAIR_ASN_MISMATCH'), 'sites[0].linux.gateways[0].frr.router bgp.asn');
  });

  it('a user names a swanctl connection after the peer\'s address: refused at the name, since strongSwan reads each dot as a section separator and would load nothing', () => {
    const text = variant((gw) => {
      gw.swanctl.connections['198.51.100.10'] = gw.swanctl.connections.azure;
      delete gw.swanctl.connections.azure;
    });
    assert.throws(() => parseTopology(text, 'linux.yaml'), (e: unknown) => e instanceof ConfigError
      && e.issues.some((i) => i.code === 'TOPO_INVALID_VALUE' && i.path === 'sites[0].linux.gateways[0].swanctl.connections.198.51.100.10' && /section separator|separates sections/.test(i.message)));
  });

  it('a route out of a dev the machine does not have is LINUX_UNKNOWN_DEVICE (ip route add refuses it)', () => {
    const text = variant((gw) => { gw.routes[0].dev = 'ipsec1'; });
    assert.equal(findingAt(text, 'LINUX_UNKNOWN_DEVICE'), 'sites[0].linux.gateways[0].routes[0].dev');
  });
});

describe('a Linux gateway (strongSwan) facing Alibaba Cloud\'s dual-tunnel connection', () => {
  const DUAL = 'examples/linux-alibaba-dual-tunnel.yaml';

  it('a user connects seed 003\'s Alibaba VPC to strongSwan on two XFRM interfaces: check is clean, both tunnels come up, the PC pings the ECS', () => {
    const text = readFileSync(DUAL, 'utf8');
    assert.deepEqual(codes(text), []);
    const network = runNetwork(text);
    const gw = runningSite(network, 'OnPrem').instances('gw')[0]!;
    assert.deepEqual(['tunnel1', 'tunnel2'].map((c) => tunnelState(gw, c)), ['up', 'up']);
    const events = runPing(network, 'OnPrem/pc', '10.0.0.1', 2).ping.events;
    assert.deepEqual(events.map((e) => (e.kind === 'reply' ? e.ttl : e.kind)), [62, 62]);
  });

  it('a user narrows local_ts to a range that misses the LAN: the pair checks report PAIR_TS_MISMATCH at the child\'s local_ts', () => {
    const doc = parse(readFileSync(DUAL, 'utf8')) as Json;
    doc.sites[1].linux.gateways[0].swanctl.connections.tunnel1.children.vpc1.local_ts = ['192.168.1.0/24'];
    const issue = parseTopology(stringify(doc), 'linux.yaml', { keepCheckErrors: true }).warnings.find((i) => i.code === 'PAIR_TS_MISMATCH');
    assert.ok(issue !== undefined);
    assert.equal(issue.path, 'sites[1].linux.gateways[0].swanctl.connections.tunnel1.children.vpc1.local_ts');
  });
});
