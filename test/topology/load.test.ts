import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigError, type ConfigIssue } from '../../src/config/issues.js';
import { parseTopology } from '../../src/platforms/load.js';

const THREE_SITES = readFileSync('examples/three-sites.yaml', 'utf8');

function issuesOf(text: string): ConfigIssue[] {
  try {
    parseTopology(text, 'bad.yaml');
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.issues;
  }
  assert.fail('expected the topology to be rejected');
}

/** 1-based line number of the first line containing `needle`. */
function lineOf(text: string, needle: string, from = 0): number {
  const index = text.indexOf(needle, from);
  assert.ok(index >= 0, `fixture contains ${needle}`);
  return text.slice(0, index).split('\n').length;
}

describe('topology loading', () => {
  it('accepts the three-site example', () => {
    const { topology, warnings } = parseTopology(THREE_SITES, 'three-sites.yaml');
    assert.equal(topology.sites.length, 3);
    assert.deepEqual(warnings, []);
  });

  it('names file, line, column and path of a typo\'d field and suggests the right one', () => {
    const text = THREE_SITES.replace('            nextHop: 172.16.0.2\n', '            nexthop: 172.16.0.2\n');
    const [issue, ...rest] = issuesOf(text);
    assert.equal(rest.length, 0);
    assert.equal(issue!.code, 'TOPO_UNKNOWN_FIELD');
    assert.equal(issue!.file, 'bad.yaml');
    assert.equal(issue!.line, lineOf(text, 'nexthop:'));
    assert.equal(issue!.column, 13);
    assert.equal(issue!.path, 'sites[0].routers[0].staticRoutes[0].nexthop');
    assert.match(issue!.hint!, /did you mean 'nextHop'\?/);
    assert.match(issue!.hint!, /allowed here: prefix, nextHop, interface, metric/);
  });

  it('suggests fields inside the right platform branch of a site', () => {
    const text = THREE_SITES.replace('    addressSpace: [10.2.0.0/16]', '    adressSpace: [10.2.0.0/16]');
    const [issue] = issuesOf(text);
    assert.equal(issue!.path, 'sites[1].adressSpace');
    assert.match(issue!.hint!, /did you mean 'addressSpace'\?/);
  });

  it('reports an overlapping address space at the second site, naming the first', () => {
    const text = THREE_SITES.replace('addressSpace: [10.3.0.0/16]', 'addressSpace: [10.0.0.0/8]');
    const issues = issuesOf(text);
    const overlap = issues.filter((i) => i.code === 'TOPO_ADDRESS_OVERLAP');
    assert.equal(overlap.length, 2, 'one issue per site it overlaps');
    assert.match(overlap[1]!.message, /overlaps site 'site-b' \(10\.2\.0\.0\/16\)/);
    assert.equal(overlap[0]!.path, 'sites[2].addressSpace[0]');
    assert.equal(overlap[0]!.line, lineOf(text, '10.0.0.0/8'));
    assert.match(overlap[0]!.message, /overlaps site 'site-a' \(10\.1\.0\.0\/16\)/);
  });

  it('reports a static route to an unknown interface at that route', () => {
    const text = THREE_SITES.replace('            interface: wan1\n', '            interface: wan-1\n');
    const issues = issuesOf(text);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.code, 'TOPO_UNKNOWN_INTERFACE');
    assert.equal(issues[0]!.path, 'sites[1].routers[0].staticRoutes[1].interface');
    assert.equal(issues[0]!.line, lineOf(text, 'interface: wan-1'));
    assert.equal(issues[0]!.column, 24);
    assert.match(issues[0]!.message, /router 'rb' does not have/);
    assert.match(issues[0]!.hint!, /did you mean 'wan1'\?/);
  });

  it('lists the allowed values of an enum', () => {
    const text = THREE_SITES.replace('        os: windows\n', '        os: macos\n');
    const [issue] = issuesOf(text);
    assert.equal(issue!.code, 'TOPO_INVALID_VALUE');
    assert.equal(issue!.path, 'sites[1].hosts[0].os');
    assert.match(issue!.hint!, /allowed: "windows", "linux"/);
  });

  it('rejects an unknown platform naming the allowed ones', () => {
    const text = THREE_SITES.replace('platform: linux', 'platform: gcp');
    const [issue] = issuesOf(text);
    assert.equal(issue!.path, 'sites[0].platform');
    assert.match(issue!.hint!, /"linux", "rras", "azure", "alibaba"/);
  });

  it('reports YAML syntax errors with their position', () => {
    const [issue] = issuesOf('name: x\nsites:\n  - name: [unclosed\n');
    assert.equal(issue!.code, 'TOPO_YAML_SYNTAX');
    assert.ok(issue!.line >= 3);
  });

  it('reports a missing required field', () => {
    const [issue] = issuesOf('name: x\n');
    assert.equal(issue!.code, 'TOPO_MISSING_FIELD');
    assert.equal(issue!.path, 'sites');
  });

  it('rejects a prefix with host bits set, naming the network meant', () => {
    const [issue] = issuesOf(THREE_SITES.replace('prefix: 10.2.1.0/24', 'prefix: 10.2.1.1/24'));
    assert.equal(issue!.path, 'sites[1].subnets[0].prefix');
    assert.equal(issue!.message, "'10.2.1.1/24' has host bits set (the network is 10.2.1.0/24)");
  });

  it('catches addresses outside their subnet and duplicate addresses', () => {
    const text = THREE_SITES
      .replace('        address: 10.1.1.10\n', '        address: 10.1.2.10\n')
      .replace('        address: 10.3.1.10\n', '        address: 10.3.1.1\n');
    const codes = issuesOf(text).map((i) => i.code).sort();
    assert.deepEqual(codes, ['TOPO_ADDRESS_OUTSIDE_SUBNET', 'TOPO_DUPLICATE_ADDRESS']);
  });

  it('checks link ends and fault targets', () => {
    const text = `${THREE_SITES.replace('between: [site-b/rb/wan1, site-c/rc/wan0]', 'between: [site-b/rb/wan1, site-c/rx/wan0]')}
faults:
  - at: 10s
    link: b-d
    action: down
`;
    const issues = issuesOf(text);
    assert.deepEqual(issues.map((i) => i.code), ['TOPO_UNKNOWN_ROUTER', 'TOPO_UNKNOWN_LINK']);
    assert.match(issues[1]!.hint!, /did you mean 'b-c'\?/);
  });
});
