import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Rib, type RibChanges } from '../../src/bgp/rib/index.js';
import { Origin, type PathAttributes } from '../../src/bgp/types.js';
import { Network } from '../../src/emulator/network.js';
import { BgpRouteInstaller, type InstalledChanges } from '../../src/emulator/route-install.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { formatIpv4, formatPrefix, parseIpv4 as ip, parsePrefix, type Prefix } from '../../src/net/address.js';
import { Interface, type InterfaceDriver } from '../../src/router/interface.js';
import { RouteTable, type Route } from '../../src/router/route-table.js';
import { parseTopology } from '../../src/platforms/load.js';

/*
 * The emulated gateway's BGP ⇄ route table adapter over a real Rib and RouteTable: next hops
 * resolved through the table (an unresolvable one makes the path ineligible), re-resolved when the
 * table changes (a tunnel losing its carrier), best paths installed as 'ebgp' / 'ibgp' routes, every
 * multipath member when the speaker has maxPaths. Then the seed network, resolved for real.
 */

const P = parsePrefix('10.8.0.0/16');
const AZURE_VNET = parsePrefix('10.3.0.0/16');

/** A gateway's table: a LAN, two tunnels (carriers the test controls) with a /32 to each BGP peer, a default route. */
function gateway(options: { maxPaths?: number; follow?: boolean } = {}) {
  const carriers = new Map<string, { value: boolean }>();
  const ifaces = new Map<string, Interface>();
  const table = new RouteTable((n) => ifaces.get(n));
  const addInterface = (name: string): void => {
    const carrier = { value: true };
    const driver: InterfaceDriver = { transmit: () => 'sent', carrierUp: () => carrier.value };
    const iface = new Interface(name, [], 1500);
    iface.driver = driver;
    ifaces.set(name, iface);
    carriers.set(name, carrier);
  };
  for (const name of ['lan', 'tun-a', 'tun-b', 'internet']) addInterface(name);
  const routes: Route[] = [
    { prefix: parsePrefix('10.0.0.0/24'), interface: 'lan', source: 'connected' },
    { prefix: parsePrefix('10.3.1.254/32'), interface: 'tun-a', source: 'static' },
    { prefix: parsePrefix('10.3.1.253/32'), interface: 'tun-a', source: 'static' },
    { prefix: parsePrefix('10.4.1.254/32'), interface: 'tun-b', source: 'static' },
    { prefix: parsePrefix('0.0.0.0/0'), interface: 'internet', source: 'static' },
  ];
  for (const r of routes) table.add(r);
  const reports: InstalledChanges[] = [];
  const installer = new BgpRouteInstaller(table, (r) => reports.push(r));
  const rib = new Rib({
    localAs: 65001, routerId: ip('10.0.0.1'), resolveNextHop: installer.resolveNextHop, ebgpRequiresPolicy: false,
    ...(options.maxPaths !== undefined ? { maxPaths: options.maxPaths } : {}),
  });
  const apply = (changes: RibChanges): void => installer.onBestChange(changes.best);
  // What BgpSpeaker.nexthopChanged does, without sessions.
  if (options.follow === true) installer.follow({ nexthopChanged: () => apply(rib.nexthopChanged()) });
  const peers = [
    { id: 'A', address: ip('10.3.1.254'), asn: 65010 },
    { id: 'A2', address: ip('10.3.1.253'), asn: 65010 },
    { id: 'B', address: ip('10.4.1.254'), asn: 65020 },
    { id: 'I', address: ip('10.0.0.9'), asn: 65001 },
  ];
  for (const p of peers) {
    rib.addPeer({ ...p, localAddress: ip('10.0.0.1'), routerId: p.address });
    rib.peerUp(p.id);
  }
  const announce = (peer: string, prefix: Prefix, asns: number[], nextHop: string, extra: Partial<PathAttributes> = {}): void =>
    apply(rib.update(peer, [{ prefix, attrs: { origin: Origin.IGP, asPath: [{ type: 'sequence', asns }], nextHop: ip(nextHop), ...extra } }]));
  const setCarrier = (name: string, up: boolean): void => {
    carriers.get(name)!.value = up;
    // What a route-based tunnel does when its CHILD_SA comes or goes.
    table.invalidate();
  };
  /** The table's BGP routes for a prefix, as "source via next hop". */
  const bgpRoutes = (prefix: Prefix): string[] =>
    table.all().filter((r) => (r.source === 'ebgp' || r.source === 'ibgp') && r.prefix.address === prefix.address && r.prefix.length === prefix.length)
      .map((r) => `${r.source} via ${formatIpv4(r.nextHop!)}`).sort();
  return { table, rib, announce, setCarrier, bgpRoutes, reports };
}

describe('BGP routes into the node table: next hops resolved through it', () => {
  it('does not install a route whose next hop is unreachable, and the decision prefers the reachable path', () => {
    const g = gateway();
    // Only the default route covers 10.9.9.9: unreachable (no resolve-via-default).
    g.announce('A', parsePrefix('10.7.0.0/16'), [65010], '10.9.9.9');
    assert.equal(g.rib.lookup(parsePrefix('10.7.0.0/16'))!.why, 'no-eligible-path');
    assert.deepEqual(g.bgpRoutes(parsePrefix('10.7.0.0/16')), []);
    // A's path is shorter but unreachable; B's resolves through its tunnel's /32.
    g.announce('A', P, [65010], '10.9.9.9');
    g.announce('B', P, [65020, 65030], '10.4.1.254');
    const view = g.rib.lookup(P)!;
    assert.equal(view.best?.source.id, 'B');
    assert.equal(view.why, 'nexthop');
    assert.equal(view.paths.find((p) => p.route.source.id === 'A')!.eligible, false);
    assert.equal(view.paths.find((p) => p.route.source.id === 'B')!.igpCost, 0);
    assert.deepEqual(g.bgpRoutes(P), ['ebgp via 10.4.1.254']);
    assert.equal(g.table.lookup(ip('10.8.0.1'))!.paths[0]!.iface.name, 'tun-b');
    assert.deepEqual(g.reports.flatMap((r) => r.learned).map((r) => `${formatPrefix(r.prefix)} via ${formatIpv4(r.nextHop)}`), ['10.8.0.0/16 via 10.4.1.254']);
  });

  it('installs routes from an iBGP peer with source ibgp (distance 200)', () => {
    const g = gateway();
    g.announce('I', parsePrefix('10.6.0.0/16'), [], '10.0.0.9', { localPref: 100 });
    assert.deepEqual(g.bgpRoutes(parsePrefix('10.6.0.0/16')), ['ibgp via 10.0.0.9']);
    const entry = g.table.lookup(ip('10.6.0.1'))!;
    assert.equal(entry.routes[0]!.source, 'ibgp');
    assert.equal(entry.paths[0]!.iface.name, 'lan');
  });

  it('installs every equal eBGP path with maxPaths, and the table balances over them', () => {
    const g = gateway({ maxPaths: 2 });
    g.announce('A', P, [65010], '10.3.1.254');
    g.announce('A2', P, [65010], '10.3.1.253');
    g.announce('B', P, [65020, 65030], '10.4.1.254');
    assert.deepEqual(g.rib.lookup(P)!.multipath.map((r) => r.source.id).sort(), ['A', 'A2']);
    assert.deepEqual(g.bgpRoutes(P), ['ebgp via 10.3.1.253', 'ebgp via 10.3.1.254']);
    assert.equal(g.table.lookup(ip('10.8.0.1'))!.paths.length, 2);
  });

  it('installs the best path only by default (maxPaths 1)', () => {
    const g = gateway();
    g.announce('A', P, [65010], '10.3.1.254');
    g.announce('A2', P, [65010], '10.3.1.253');
    assert.deepEqual(g.bgpRoutes(P), ['ebgp via 10.3.1.253']);
  });
});

describe('BGP routes into the node table: re-resolved when the table changes', () => {
  it('a tunnel going down makes the paths through it ineligible: the next best takes over, and the first returns with the tunnel', () => {
    const g = gateway({ follow: true });
    g.announce('A', P, [65010], '10.3.1.254');
    g.announce('B', P, [65020, 65030], '10.4.1.254');
    // Only A has the VNet, with A's own address inside it: the route must not hold up its own next hop.
    g.announce('A', AZURE_VNET, [65010], '10.3.1.254');
    assert.deepEqual(g.bgpRoutes(P), ['ebgp via 10.3.1.254']);
    assert.deepEqual(g.bgpRoutes(AZURE_VNET), ['ebgp via 10.3.1.254']);
    g.reports.length = 0;

    g.setCarrier('tun-a', false);
    assert.equal(g.rib.lookup(P)!.best?.source.id, 'B');
    assert.equal(g.rib.lookup(P)!.why, 'nexthop');
    assert.deepEqual(g.bgpRoutes(P), ['ebgp via 10.4.1.254']);
    assert.equal(g.rib.lookup(AZURE_VNET)!.why, 'no-eligible-path');
    assert.deepEqual(g.bgpRoutes(AZURE_VNET), []);
    assert.deepEqual(g.reports.flatMap((r) => r.withdrawn).map(formatPrefix), ['10.3.0.0/16']);
    // The paths stay in the Adj-RIB-In meanwhile.
    assert.equal(g.rib.lookup(AZURE_VNET)!.paths.length, 1);

    g.setCarrier('tun-a', true);
    assert.equal(g.rib.lookup(P)!.best?.source.id, 'A');
    assert.deepEqual(g.bgpRoutes(P), ['ebgp via 10.3.1.254']);
    assert.deepEqual(g.bgpRoutes(AZURE_VNET), ['ebgp via 10.3.1.254']);
    assert.deepEqual(g.reports.flatMap((r) => r.learned).map((r) => `${formatPrefix(r.prefix)} via ${formatIpv4(r.nextHop)}`), ['10.3.0.0/16 via 10.3.1.254']);
  });

  it('without follow, resolutions stay as they were when the routes arrived', () => {
    const g = gateway();
    g.announce('A', P, [65010], '10.3.1.254');
    g.announce('B', P, [65020, 65030], '10.4.1.254');
    g.setCarrier('tun-a', false);
    assert.equal(g.rib.lookup(P)!.best?.source.id, 'A');
  });
});

describe('the RRAS seed: gateway instances resolve their BGP next hops through their tables', () => {
  it('every best path is resolved (an IGP cost from the table) and installed as an ebgp route', () => {
    const network = new Network(parseTopology(readFileSync('examples/rras-azure-bgp.yaml', 'utf8')).topology);
    assert.equal(runUntilSettled(network, 600_000).settled, true);
    const rras = network.gateways.get('OnPrem/RRAS2016')!;
    const vnet2 = rras.bgp!.rib.lookup(parsePrefix('10.5.0.0/16'))!;
    assert.equal(vnet2.why, 'only-path');
    assert.equal(vnet2.paths[0]!.igpCost, 0);
    assert.ok(rras.node.ip.routes.all().some((r) => r.source === 'ebgp' && r.prefix.address === AZURE_VNET.address && r.prefix.length === AZURE_VNET.length));
    const entry = rras.node.ip.routes.lookup(ip('10.5.0.4'))!;
    assert.equal(entry.routes[0]!.source, 'ebgp');
    assert.equal(entry.paths[0]!.nextHop, ip('10.3.1.254'));
    // Azure: ECMP across equal eBGP paths is configured for its speakers.
    assert.equal(network.gateways.get('VNet1/VNet1GW')!.plan.bgp!.config.maxPaths, 8);
  });
});
