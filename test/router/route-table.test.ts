import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIpv4, parsePrefix } from '../../src/net/address.js';
import type { InterfaceDriver } from '../../src/router/interface.js';
import { Interface } from '../../src/router/interface.js';
import { RouteTable } from '../../src/router/route-table.js';

function driver(up = { value: true }): InterfaceDriver {
  return { transmit: () => 'sent', carrierUp: () => up.value };
}

function setup() {
  const carrier = { value: true };
  const ifaces = new Map<string, Interface>();
  const add = (name: string, cidr: string | undefined, up = { value: true }): Interface => {
    const addresses = cidr === undefined ? [] : [{ address: parseIpv4(cidr.split('/')[0]!), prefix: parsePrefix(cidr, false) }];
    const i = new Interface(name, addresses, 1500);
    i.driver = driver(up);
    ifaces.set(name, i);
    return i;
  };
  const table = new RouteTable((n) => ifaces.get(n));
  add('lan', '192.168.37.1/24');
  add('tun0', undefined, carrier);
  table.add({ prefix: parsePrefix('192.168.37.0/24'), interface: 'lan', source: 'connected' });
  return { table, carrier, add };
}

describe('RouteTable', () => {
  it('resolves a BGP next hop through a /32 static route into a tunnel (the RRAS seed)', () => {
    const { table } = setup();
    table.add({ prefix: parsePrefix('10.3.1.254/32'), interface: 'tun0', source: 'static' });
    table.add({ prefix: parsePrefix('10.3.0.0/16'), nextHop: parseIpv4('10.3.1.254'), source: 'ebgp' });
    table.add({ prefix: parsePrefix('10.5.0.0/16'), nextHop: parseIpv4('10.3.1.254'), source: 'ebgp' });
    const e = table.lookup(parseIpv4('10.5.0.4'))!;
    assert.equal(e.paths[0]!.iface.name, 'tun0');
    assert.equal(e.paths[0]!.nextHop, parseIpv4('10.3.1.254'));
  });

  it('withdraws routes whose interface goes down, including recursive ones', () => {
    const { table, carrier } = setup();
    table.add({ prefix: parsePrefix('10.3.1.254/32'), interface: 'tun0', source: 'static' });
    table.add({ prefix: parsePrefix('10.3.0.0/16'), nextHop: parseIpv4('10.3.1.254'), source: 'ebgp' });
    carrier.value = false;
    table.invalidate();
    assert.equal(table.lookup(parseIpv4('10.3.0.4')), undefined);
    carrier.value = true;
    table.invalidate();
    assert.ok(table.lookup(parseIpv4('10.3.0.4')) !== undefined);
  });

  it('prefers lower admin distance, then metric, and keeps equal routes as multipath', () => {
    const { table, add } = setup();
    add('tun1', undefined);
    table.add({ prefix: parsePrefix('10.0.0.0/16'), interface: 'tun0', source: 'ebgp' });
    table.add({ prefix: parsePrefix('10.0.0.0/16'), interface: 'tun1', source: 'static', metric: 10 });
    assert.equal(table.lookup(parseIpv4('10.0.0.1'))!.paths[0]!.iface.name, 'tun1');
    table.add({ prefix: parsePrefix('10.0.0.0/16'), interface: 'tun0', source: 'static', metric: 10 });
    assert.deepEqual(table.lookup(parseIpv4('10.0.0.1'))!.paths.map((p) => p.iface.name), ['tun1', 'tun0']);
    table.add({ prefix: parsePrefix('10.0.0.0/16'), interface: 'tun0', source: 'static', metric: 5 });
    assert.deepEqual(table.lookup(parseIpv4('10.0.0.1'))!.paths.map((p) => p.iface.name), ['tun0']);
  });

  it('does not resolve a route through itself or through a missing next hop', () => {
    const { table } = setup();
    table.add({ prefix: parsePrefix('10.9.0.0/16'), nextHop: parseIpv4('10.9.0.1'), source: 'static' });
    table.add({ prefix: parsePrefix('10.8.0.0/16'), nextHop: parseIpv4('172.31.0.1'), source: 'static' });
    assert.equal(table.lookup(parseIpv4('10.9.0.5')), undefined);
    assert.equal(table.lookup(parseIpv4('10.8.0.5')), undefined);
  });
});
