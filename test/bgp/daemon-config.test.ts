import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { bgpDaemonJsonSchema, parseBgpDaemonConfig, toDaemonSettings } from '../../src/bgp/config/daemon-schema.js';
import { parsePrefixRange } from '../../src/bgp/config/policy-schema.js';
import { compilePolicy } from '../../src/bgp/policy/policy.js';
import { Origin, type PathAttributes } from '../../src/bgp/types.js';
import { ConfigError, type ConfigIssue } from '../../src/config/issues.js';
import { parseIpv4, parsePrefix } from '../../src/net/address.js';

function issuesOf(text: string): ConfigIssue[] {
  try {
    parseBgpDaemonConfig(text, 'bgpd.yaml');
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.issues;
  }
  assert.fail('expected the config to be refused');
}

const BASE = `localAsn: 65023
routerId: 192.168.37.1
neighbors:
  - name: AzureS2S
    address: 10.3.1.254
    asn: 65010
`;

describe('bgp run config file', () => {
  it('turns the shipped example into the speaker configuration', () => {
    const { data } = parseBgpDaemonConfig(readFileSync('examples/bgp/rras-onprem.yaml', 'utf8'), 'rras-onprem.yaml');
    const { speaker, api } = toDaemonSettings(data);
    assert.equal(speaker.localAs, 65023);
    assert.equal(speaker.routerId, parseIpv4('192.168.37.1'));
    assert.deepEqual(api, { socket: undefined, group: undefined, tcp: undefined }, 'the default socket, no TCP');
    const n = speaker.neighbors[0]!;
    assert.equal(n.name, 'AzureS2S');
    assert.equal(n.address, parseIpv4('10.3.1.254'));
    assert.equal(n.asn, 65010);
    assert.equal(n.passive, undefined, 'mixed: connects and accepts');
    assert.equal(n.importPolicy?.name, 'from-azure');
    assert.deepEqual(n.maxPrefix, { limit: 4000, action: 'teardown' });
    assert.deepEqual(speaker.networks, [parsePrefix('192.168.37.0/24')]);
  });

  it('defaults: listen 0.0.0.0:179 (undefined), API on the default unix socket only, no policy', () => {
    const { speaker, api } = toDaemonSettings(parseBgpDaemonConfig(BASE).data);
    assert.equal(speaker.listen, undefined);
    assert.deepEqual(api, { socket: undefined, group: undefined, tcp: undefined });
    assert.equal(speaker.neighbors[0]!.importPolicy, undefined);
    assert.equal(toDaemonSettings(parseBgpDaemonConfig(`${BASE}api: false\nlisten: false\n`).data).api, undefined);
  });

  it('modes: passive only accepts, active only connects', () => {
    const text = `localAsn: 1\nrouterId: 1.1.1.1\nneighbors:\n  - { address: 10.0.0.1, asn: 2, mode: passive }\n  - { address: 10.0.0.2, asn: 3, mode: active }\n`;
    const [p, a] = toDaemonSettings(parseBgpDaemonConfig(text).data).speaker.neighbors;
    assert.equal(p!.passive, true);
    assert.equal(a!.acceptIncoming, false);
  });

  it('names an unknown field with its line, column and the nearest allowed one', () => {
    const [issue] = issuesOf(BASE.replace('    asn: 65010', '    asn: 65010\n    holdtime: 180'));
    assert.equal(issue!.code, 'BGPCONF_UNKNOWN_FIELD');
    assert.equal(issue!.path, 'neighbors[0].holdtime');
    assert.equal(issue!.line, 7);
    assert.equal(issue!.column, 5);
    assert.match(issue!.hint!, /did you mean 'holdTime'\?/);
  });

  it('refuses references to undefined policies, listing those defined', () => {
    const [issue] = issuesOf(`${BASE}    importPolicy: from-azur\npolicies:\n  - name: from-azure\n    default: accept\n`);
    assert.equal(issue!.code, 'BGPCONF_UNKNOWN_POLICY');
    assert.equal(issue!.path, 'neighbors[0].importPolicy');
    assert.match(issue!.hint!, /accept-all, reject-all, from-azure/);
  });

  it('refuses TCP MD5 rather than silently running without it', () => {
    const [issue] = issuesOf(`${BASE}    md5Password: s3cret\n`);
    assert.equal(issue!.code, 'BGPCONF_UNSUPPORTED');
    assert.equal(issue!.path, 'neighbors[0].md5Password');
  });

  it('refuses two neighbours at one address, bad ASNs, bad prefix ranges and communities', () => {
    const dup = issuesOf(`${BASE}  - { name: other, address: 10.3.1.254, asn: 65011 }\n`);
    assert.equal(dup[0]!.code, 'BGPCONF_DUPLICATE_ADDRESS');
    assert.equal(issuesOf(BASE.replace('asn: 65010', 'asn: 0'))[0]!.code, 'BGPCONF_INVALID_VALUE');
    const bad = issuesOf(`${BASE}policies:\n  - name: p\n    statements:\n      - match: { prefix: ["10.0.0.0/8 le 4"], community: ["65536:1"] }\n`);
    assert.deepEqual(bad.map((i) => i.path), ['policies[0].statements[0].match.prefix[0]', 'policies[0].statements[0].match.community[0]']);
    assert.match(bad[0]!.message, /ge <= le/);
    assert.match(bad[1]!.message, /ASN:value/);
  });

  it('keepalive must be below the hold time; passive needs listening', () => {
    assert.equal(issuesOf(`${BASE}    holdTime: 9\n    keepaliveTime: 9\n`)[0]!.path, 'neighbors[0].keepaliveTime');
    assert.equal(issuesOf(`${BASE}    mode: passive\nlisten: false\n`)[0]!.code, 'BGPCONF_CONFLICT');
  });

  it('policy syntax: match and set become the engine\'s conditions and actions', () => {
    const text = `${BASE}    importPolicy: p
policies:
  - name: p
    statements:
      - match: { prefix: ["0.0.0.0/0"] }
        result: reject
      - match: { asPath: "^65010_", community: ["65010:1"] }
        set: { localPref: 200, med: remove, addCommunities: ["65023:9"], prepend: { asn: own, count: 2 } }
    default: accept
`;
    const policy = toDaemonSettings(parseBgpDaemonConfig(text).data).speaker.neighbors[0]!.importPolicy!;
    const compiled = compilePolicy(policy);
    const ctx = { localAs: 65023, localAddress: 1, peerAddress: 2 };
    const attrs = (communities: number[]): PathAttributes => ({ origin: Origin.IGP, asPath: [{ type: 'sequence', asns: [65010] }], nextHop: 2, med: 5, communities });
    assert.equal(compiled.apply(parsePrefix('0.0.0.0/0'), attrs([]), ctx).accepted, false);
    const out = compiled.apply(parsePrefix('10.3.0.0/16'), attrs([65010 * 65536 + 1]), ctx);
    assert.equal(out.accepted, true);
    assert.equal(out.attrs.localPref, 200);
    assert.equal(out.attrs.med, undefined);
    assert.deepEqual(out.attrs.communities, [65010 * 65536 + 1, 65023 * 65536 + 9]);
    assert.deepEqual(out.attrs.asPath, [{ type: 'sequence', asns: [65023, 65023, 65010] }]);
    const other = compiled.apply(parsePrefix('10.5.0.0/16'), attrs([]), ctx);
    assert.equal(other.accepted, true, 'default accept');
    assert.equal(other.attrs.localPref, undefined);
  });

  it('prefix ranges in FRR syntax', () => {
    assert.deepEqual(parsePrefixRange('10.0.0.0/8 le 24'), { prefix: parsePrefix('10.0.0.0/8'), le: 24 });
    assert.deepEqual(parsePrefixRange('0.0.0.0/0 ge 25 le 32'), { prefix: parsePrefix('0.0.0.0/0'), ge: 25, le: 32 });
    assert.throws(() => parsePrefixRange('10.0.0.0/8 le'), /not a prefix range/);
    assert.throws(() => parsePrefixRange('10.0.0.0/16 ge 8'), /ge <= le/);
  });

  it('the published JSON Schema is the generated one', () => {
    assert.deepEqual(JSON.parse(readFileSync('schema/bgp-daemon.schema.json', 'utf8')), bgpDaemonJsonSchema());
  });
});
