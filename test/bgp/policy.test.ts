import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPrefix, parseIpv4, parsePrefix, type Prefix } from '../../src/net/address.js';
import { compilePolicy, type PolicyContext } from '../../src/bgp/policy/policy.js';
import { formatCommunity, parseCommunity, parseLargeCommunity } from '../../src/bgp/policy/community.js';
import { ACCEPT_ALL, type Condition, type Policy } from '../../src/bgp/policy/types.js';
import { Rib } from '../../src/bgp/rib/rib.js';
import type { RibChanges } from '../../src/bgp/rib/changes.js';
import type { PeerInfo } from '../../src/bgp/rib/peer.js';
import { Origin, WellKnownCommunity, type AsPathSegment, type PathAttributes } from '../../src/bgp/types.js';

const ip = parseIpv4;
const pfx = parsePrefix;
const CTX: PolicyContext = { localAs: 65001, localAddress: ip('10.0.1.1'), peerAddress: ip('10.0.1.2') };

function attrs(path: number[] | AsPathSegment[] = [65010], extra: Partial<PathAttributes> = {}): PathAttributes {
  const asPath: AsPathSegment[] = typeof path[0] === 'number' || path.length === 0 ? [{ type: 'sequence', asns: path as number[] }] : (path as AsPathSegment[]);
  return { origin: Origin.IGP, asPath, nextHop: ip('10.0.1.2'), ...extra };
}

/** True when a policy of just this condition accepts the route. */
function matches(condition: Condition, prefix: Prefix, a: PathAttributes = attrs()): boolean {
  return compilePolicy({ name: 't', statements: [{ conditions: [condition], result: 'accept' }] }).apply(prefix, a, CTX).accepted;
}

describe('policy: prefix lists', () => {
  const cases: { entry: string; ge?: number; le?: number; yes: string[]; no: string[] }[] = [
    { entry: '10.0.0.0/8', yes: ['10.0.0.0/8'], no: ['10.1.0.0/16', '11.0.0.0/8', '0.0.0.0/0'] },
    { entry: '10.0.0.0/8', le: 24, yes: ['10.0.0.0/8', '10.1.0.0/16', '10.255.255.0/24'], no: ['10.1.1.128/25', '11.0.0.0/8'] },
    { entry: '10.0.0.0/8', ge: 24, yes: ['10.1.2.0/24', '10.1.2.3/32'], no: ['10.0.0.0/8', '10.1.0.0/23'] },
    { entry: '10.0.0.0/8', ge: 16, le: 24, yes: ['10.1.0.0/16', '10.1.2.0/24'], no: ['10.0.0.0/15', '10.1.2.0/25'] },
    { entry: '0.0.0.0/0', yes: ['0.0.0.0/0'], no: ['10.0.0.0/8'] },
    { entry: '0.0.0.0/0', le: 32, yes: ['0.0.0.0/0', '192.0.2.1/32'], no: [] },
  ];
  for (const c of cases) {
    it(`${c.entry}${c.ge !== undefined ? ` ge ${c.ge}` : ''}${c.le !== undefined ? ` le ${c.le}` : ''}`, () => {
      const cond: Condition = { type: 'prefix', entries: [{ prefix: pfx(c.entry), ge: c.ge, le: c.le }] };
      for (const p of c.yes) assert.equal(matches(cond, pfx(p)), true, p);
      for (const p of c.no) assert.equal(matches(cond, pfx(p)), false, p);
    });
  }

  it('rejects impossible ranges and host bits with a place', () => {
    const bad = (entry: { prefix: Prefix; ge?: number; le?: number }) => () =>
      compilePolicy({ name: 'in', statements: [{ name: 's', conditions: [{ type: 'prefix', entries: [entry] }], result: 'accept' }] });
    assert.throws(bad({ prefix: pfx('10.0.0.0/16'), ge: 8 }), { code: 'ERR_BGP_POLICY_BAD_PREFIX_RANGE' });
    assert.throws(bad({ prefix: pfx('10.0.0.0/16'), ge: 24, le: 20 }), { code: 'ERR_BGP_POLICY_BAD_PREFIX_RANGE' });
    assert.throws(bad({ prefix: pfx('10.0.0.0/16'), le: 33 }), { code: 'ERR_BGP_POLICY_BAD_PREFIX_RANGE' });
    assert.throws(bad({ prefix: { address: ip('10.0.0.1'), length: 16 } }), (e: Error & { where?: string }) =>
      e.where === "policy 'in' statement 1 ('s') condition 1 entry 1");
  });

  it('prefix-overlaps matches supersets and subsets (Azure: routes overlapping a VNet)', () => {
    const cond: Condition = { type: 'prefix-overlaps', prefixes: [pfx('10.1.0.0/16')] };
    assert.equal(matches(cond, pfx('10.0.0.0/8')), true);
    assert.equal(matches(cond, pfx('10.1.2.0/24')), true);
    assert.equal(matches(cond, pfx('10.1.0.0/16')), true);
    assert.equal(matches(cond, pfx('10.2.0.0/16')), false);
  });
});

describe('policy: AS-path matching', () => {
  const P = pfx('192.0.2.0/24');
  const path = attrs([65010, 65011, 65012]);
  const regexCases: [string, boolean][] = [
    ['^65010_', true], // learned from 65010
    ['^65011_', false],
    ['_65012$', true], // originated by 65012
    ['_65011$', false],
    ['_65011_', true], // passes through 65011
    ['^65010_65011_65012$', true],
    ['^650', true], // character-level, as on Cisco and FRR
    ['^6501[0-2]_', true],
    ['^$', false],
    ['.*', true],
    ['(_65099_|_65012_)', true],
  ];
  for (const [re, expected] of regexCases) {
    it(`'${re}' ${expected ? 'matches' : 'does not match'} "65010 65011 65012"`, () => {
      assert.equal(matches({ type: 'as-path', regex: re }, P, path), expected);
    });
  }

  it("'^$' matches our own routes, and '_' matches around an AS_SET", () => {
    assert.equal(matches({ type: 'as-path', regex: '^$' }, P, attrs([])), true);
    const withSet = attrs([{ type: 'sequence', asns: [65010] }, { type: 'set', asns: [65020, 65021] }]);
    assert.equal(matches({ type: 'as-path', regex: '_65021_' }, P, withSet), true);
    assert.equal(matches({ type: 'as-path', regex: '^65010 ' }, P, withSet), true);
  });

  it('rejects patterns outside the syntax', () => {
    const compile = (regex: string) => () => compilePolicy({ name: 'x', statements: [{ conditions: [{ type: 'as-path', regex }], result: 'accept' }] });
    assert.throws(compile('65010{2}'), { code: 'ERR_BGP_POLICY_BAD_REGEX' });
    assert.throws(compile('\\d+'), { code: 'ERR_BGP_POLICY_BAD_REGEX' });
    assert.throws(compile('(65010'), { code: 'ERR_BGP_POLICY_BAD_REGEX' });
  });

  it('simple matchers: contains, origin, neighbour, length', () => {
    assert.equal(matches({ type: 'as-path-contains', asn: 65011 }, P, path), true);
    assert.equal(matches({ type: 'as-path-contains', asn: 65099 }, P, path), false);
    assert.equal(matches({ type: 'as-path-origin', asn: 65012 }, P, path), true);
    assert.equal(matches({ type: 'as-path-origin', asn: 65010 }, P, path), false);
    assert.equal(matches({ type: 'as-path-origin', asn: 65021 }, P, attrs([{ type: 'sequence', asns: [1] }, { type: 'set', asns: [65021] }])), false);
    assert.equal(matches({ type: 'as-path-neighbour', asn: 65010 }, P, path), true);
    assert.equal(matches({ type: 'as-path-length', min: 3, max: 3 }, P, path), true);
    assert.equal(matches({ type: 'as-path-length', max: 2 }, P, path), false);
  });
});

describe('policy: communities and actions', () => {
  const P = pfx('192.0.2.0/24');
  const C1 = parseCommunity('65001:100');
  const C2 = parseCommunity('65001:200');

  it('parses and formats communities', () => {
    assert.equal(C1, 65001 * 65536 + 100);
    assert.equal(parseCommunity('no-export'), WellKnownCommunity.NoExport);
    assert.equal(formatCommunity(WellKnownCommunity.NoAdvertise), 'no-advertise');
    assert.equal(formatCommunity(C2), '65001:200');
    assert.deepEqual(parseLargeCommunity('65001:1:2'), { globalAdmin: 65001, localData1: 1, localData2: 2 });
    assert.throws(() => parseCommunity('65536:1'), { code: 'ERR_BGP_POLICY_BAD_COMMUNITY' });
    assert.throws(() => parseLargeCommunity('1:2'), { code: 'ERR_BGP_POLICY_BAD_COMMUNITY' });
  });

  it('matches any / all communities and large communities', () => {
    const a = attrs([65010], { communities: [C1], largeCommunities: [{ globalAdmin: 65001, localData1: 7, localData2: 8 }] });
    assert.equal(matches({ type: 'community', communities: [C1, C2] }, P, a), true);
    assert.equal(matches({ type: 'community', communities: [C1, C2], match: 'all' }, P, a), false);
    assert.equal(matches({ type: 'community', communities: [C2] }, P, attrs()), false);
    assert.equal(matches({ type: 'large-community', communities: [parseLargeCommunity('65001:7:8')] }, P, a), true);
  });

  it('sets, adds and removes communities without touching the input', () => {
    const input = Object.freeze(attrs([65010], { communities: Object.freeze([C1]) as number[] }));
    const run = (policy: Policy) => compilePolicy(policy).apply(P, input, CTX).attrs.communities;
    assert.deepEqual(run({ name: 'add', statements: [{ actions: [{ type: 'add-communities', communities: [C2, C1] }], result: 'accept' }] }), [C1, C2]);
    assert.deepEqual(run({ name: 'rm', statements: [{ actions: [{ type: 'remove-communities', communities: [C1] }], result: 'accept' }] }), []);
    assert.deepEqual(run({ name: 'set', statements: [{ actions: [{ type: 'set-communities', communities: [C2] }], result: 'accept' }] }), [C2]);
    assert.deepEqual(input.communities, [C1]);
  });

  it('prepends our AS, the neighbour AS or a given AS n times', () => {
    const run = (asn: 'own' | 'neighbour' | number | undefined, count: number) =>
      compilePolicy({ name: 'p', statements: [{ actions: [{ type: 'prepend', asn, count }], result: 'accept' }] }).apply(P, attrs([65010, 65011]), CTX).attrs.asPath;
    assert.deepEqual(run(undefined, 2), [{ type: 'sequence', asns: [65001, 65001, 65010, 65011] }]);
    assert.deepEqual(run('neighbour', 1), [{ type: 'sequence', asns: [65010, 65010, 65011] }]);
    assert.deepEqual(run(64999, 3), [{ type: 'sequence', asns: [64999, 64999, 64999, 65010, 65011] }]);
    assert.throws(() => run('own', 0), { code: 'ERR_BGP_POLICY_BAD_VALUE' });
  });

  it('sets LOCAL_PREF, MED, weight and next hop; reports who decided', () => {
    const policy = compilePolicy({
      name: 'in',
      statements: [
        { name: 'lp', conditions: [{ type: 'as-path', regex: '^65010_' }], actions: [{ type: 'set-local-pref', value: 200 }], result: 'next' },
        { name: 'med', actions: [{ type: 'set-med', value: 40 }, { type: 'set-weight', value: 7 }, { type: 'set-next-hop', nextHop: 'peer-address' }], result: 'accept' },
      ],
    });
    const o = policy.apply(P, attrs([65010], { nextHop: ip('192.0.2.99') }), CTX);
    assert.equal(o.accepted, true);
    assert.equal(o.decidedBy, 'med');
    assert.equal(o.attrs.localPref, 200);
    assert.equal(o.attrs.med, 40);
    assert.equal(o.weight, 7);
    assert.equal(o.attrs.nextHop, ip('10.0.1.2'));
    assert.equal(o.nextHopSet, true);
    const other = policy.apply(P, attrs([65020]), CTX);
    assert.equal(other.attrs.localPref, undefined);
    assert.equal(other.attrs.med, 40);
  });

  it('rejects, and falls through to the default (reject unless set)', () => {
    const deny = compilePolicy({ name: 'd', statements: [{ conditions: [{ type: 'prefix', entries: [{ prefix: pfx('0.0.0.0/0') }] }], result: 'reject' }] });
    assert.equal(deny.apply(pfx('0.0.0.0/0'), attrs(), CTX).accepted, false);
    assert.equal(deny.apply(P, attrs(), CTX).accepted, false);
    assert.equal(deny.apply(P, attrs(), CTX).decidedBy, 'default');
    const permit = compilePolicy({ ...deny.definition, default: 'accept' });
    assert.equal(permit.apply(P, attrs(), CTX).accepted, true);
    assert.equal(permit.apply(pfx('0.0.0.0/0'), attrs(), CTX).decidedBy, '#1');
    assert.equal(permit.prefixIndependent, false);
    assert.equal(compilePolicy(ACCEPT_ALL).prefixIndependent, true);
  });

  it('returns the input object when nothing changes', () => {
    const a = attrs();
    assert.equal(compilePolicy(ACCEPT_ALL).apply(P, a, CTX).attrs, a);
  });

  it('not / any combinators', () => {
    const cond: Condition = { type: 'not', condition: { type: 'any', conditions: [{ type: 'as-path-contains', asn: 1 }, { type: 'origin', origin: Origin.INCOMPLETE }] } };
    assert.equal(matches(cond, P, attrs([65010])), true);
    assert.equal(matches(cond, P, attrs([65010, 1])), false);
    assert.equal(matches(cond, P, attrs([65010], { origin: Origin.INCOMPLETE })), false);
  });
});

// ---------------------------------------------------------------------------------------------
// Policy in the RIB: max-prefix, RFC 8212, platform policies, changing policy.

const A: PeerInfo = { id: 'A', address: ip('10.0.1.2'), localAddress: ip('10.0.1.1'), asn: 65010, routerId: ip('2.2.2.2'), importPolicy: ACCEPT_ALL, exportPolicy: ACCEPT_ALL };
const B: PeerInfo = { id: 'B', address: ip('10.0.2.2'), localAddress: ip('10.0.2.1'), asn: 65020, routerId: ip('3.3.3.3'), importPolicy: ACCEPT_ALL, exportPolicy: ACCEPT_ALL };
const C: PeerInfo = { id: 'C', address: ip('10.0.3.2'), localAddress: ip('10.0.3.1'), asn: 65001, routerId: ip('4.4.4.4') };

function ribWith(peers: PeerInfo[], ebgpRequiresPolicy?: boolean): Rib {
  const rib = new Rib({ localAs: 65001, routerId: ip('1.1.1.1'), resolveNextHop: () => 1, ebgpRequiresPolicy });
  for (const p of peers) {
    rib.addPeer(p);
    rib.peerUp(p.id);
  }
  return rib;
}

/** n distinct /24s from 10.0.0.0 upwards, all with one attribute set from A. */
function routes(n: number, from = 0): { prefix: Prefix; attrs: PathAttributes }[] {
  const a = attrs([65010]);
  return Array.from({ length: n }, (_, i) => ({ prefix: { address: (ip('10.0.0.0') + (from + i) * 256) >>> 0, length: 24 }, attrs: a }));
}

function advertisedTo(ch: RibChanges, peer: string): string[] {
  return ch.updates.filter((u) => u.peerId === peer).flatMap((u) => u.announced.flatMap((g) => g.prefixes.map(formatPrefix)));
}

describe('max-prefix', () => {
  it('warn: nothing at exactly the limit, one report past it, routes kept', () => {
    const rib = ribWith([{ ...A, maxPrefix: { limit: 3, action: 'warn' } }, B]);
    assert.deepEqual(rib.update('A', routes(3)).violations, []);
    const over = rib.update('A', routes(1, 3));
    assert.deepEqual(over.violations, [{ peerId: 'A', limit: 3, count: 4, action: 'warn' }]);
    assert.equal(advertisedTo(over, 'B').length, 1);
    assert.deepEqual(rib.update('A', routes(1, 4)).violations, [], 'reported once per crossing');
    rib.update('A', [], routes(3).map((r) => r.prefix));
    assert.deepEqual(rib.update('A', routes(3, 10)).violations.length, 1, 'reported again after falling back under');
  });

  it('teardown at Azure\'s 4,000: exactly 4,000 is fine, the 4,001st drops the session and its routes', () => {
    const rib = ribWith([{ ...A, maxPrefix: { limit: 4000, action: 'teardown', restartAfterMs: 30_000 } }, B]);
    const ok = rib.update('A', routes(4000));
    assert.deepEqual(ok.violations, []);
    assert.equal(rib.peerReport('B').advertised, 4000);
    const over = rib.update('A', routes(1, 4000));
    assert.deepEqual(over.violations, [{ peerId: 'A', limit: 4000, count: 4001, action: 'teardown', restartAfterMs: 30_000 }]);
    const toB = over.updates.find((u) => u.peerId === 'B')!;
    assert.equal(toB.withdrawn.length, 4000);
    assert.equal(toB.announced.length, 0, 'the 4,001st route is never advertised');
    assert.equal(rib.peerReport('A').status, 'overflow');
    assert.equal(rib.size, 0);
    assert.equal(rib.interner.size, 0);
    // Until the session is back, further updates, End-of-RIB and ROUTE-REFRESH are ignored.
    assert.deepEqual(rib.update('A', routes(1)).updates, []);
    rib.endOfRib('A');
    assert.deepEqual(rib.routeRefresh('A').updates, []);
    rib.peerUp('A');
    assert.equal(advertisedTo(rib.update('A', routes(5)), 'B').length, 5);
  });

  it('block: keeps the first `limit` prefixes (Alibaba\'s 50-route table)', () => {
    const rib = ribWith([{ ...A, maxPrefix: { limit: 50, action: 'block' } }, B]);
    const ch = rib.update('A', routes(60));
    assert.deepEqual(ch.violations, [{ peerId: 'A', limit: 50, count: 50, action: 'block' }]);
    assert.equal(advertisedTo(ch, 'B').length, 50);
    assert.equal(rib.peerReport('A').counters.blocked, 10);
    // Updates to already accepted prefixes still go through.
    assert.equal(advertisedTo(rib.update('A', [{ prefix: routes(1)[0]!.prefix, attrs: attrs([65010, 65011]) }]), 'B').length, 1);
  });
});

describe('RFC 8212', () => {
  const bare = (p: PeerInfo): PeerInfo => ({ ...p, importPolicy: undefined, exportPolicy: undefined });

  it('with no policy, nothing comes in from or goes out to an eBGP peer (default)', () => {
    const rib = ribWith([bare(A), bare(B), C]);
    const ch = rib.update('A', routes(2));
    assert.equal(rib.size, 0);
    assert.equal(rib.peerReport('A').counters.noPolicy, 2);
    assert.equal(rib.peerReport('A').missingPolicy, true);
    assert.deepEqual(ch.updates, []);
    // iBGP is not affected; eBGP export still is.
    const fromC = rib.update('C', [{ prefix: pfx('192.0.2.0/24'), attrs: { ...attrs([65030]), nextHop: ip('10.0.3.2') } }]);
    assert.deepEqual(fromC.updates, []);
    assert.equal(rib.explainExport('B', pfx('192.0.2.0/24')), 'no-policy');
    assert.equal(rib.size, 1);
  });

  it('with ebgpRequiresPolicy off, routes flow without policies', () => {
    const rib = ribWith([bare(A), bare(B), C], false);
    const ch = rib.update('A', routes(2));
    assert.equal(advertisedTo(ch, 'B').length, 2);
    assert.equal(advertisedTo(ch, 'C').length, 2);
    assert.equal(rib.peerReport('A').missingPolicy, false);
  });
});

describe('policy in the RIB', () => {
  it("an Azure-style export policy: no default route, nothing overlapping the VNet", () => {
    const vnet = pfx('10.1.0.0/16');
    const azureOut: Policy = {
      name: 'azure-out',
      statements: [
        { name: 'no-default', conditions: [{ type: 'prefix', entries: [{ prefix: pfx('0.0.0.0/0') }] }], result: 'reject' },
        { name: 'no-vnet-overlap', conditions: [{ type: 'prefix-overlaps', prefixes: [vnet] }], result: 'reject' },
      ],
      default: 'accept',
    };
    const rib = ribWith([A, { ...B, exportPolicy: azureOut }]);
    const ch = rib.update('A', ['0.0.0.0/0', '10.0.0.0/8', '10.1.2.0/24', '172.16.0.0/12'].map((p) => ({ prefix: pfx(p), attrs: attrs() })));
    assert.deepEqual(advertisedTo(ch, 'B'), ['172.16.0.0/12']);
    assert.equal(rib.explainExport('B', pfx('0.0.0.0/0')), 'policy');
  });

  it('import policy modifies what enters the Loc-RIB (local-pref wins the decision)', () => {
    const prefer: Policy = { name: 'prefer', statements: [{ actions: [{ type: 'set-local-pref', value: 300 }], result: 'accept' }] };
    const rib = ribWith([A, { ...B, importPolicy: prefer }, C]);
    const P = pfx('192.0.2.0/24');
    rib.update('A', [{ prefix: P, attrs: attrs([65010]) }]);
    const ch = rib.update('B', [{ prefix: P, attrs: { ...attrs([65020, 65021, 65022]), nextHop: ip('10.0.2.2') } }]);
    assert.equal(ch.best[0]!.best?.source.id, 'B');
    assert.equal(ch.best[0]!.why, 'local-pref');
    const toC = ch.updates.find((u) => u.peerId === 'C')!.announced[0]!.attrs;
    assert.equal(toC.localPref, 300);
  });

  it('export prepend comes on top of the mandatory own-AS prepend; export next hop can be set', () => {
    const out: Policy = { name: 'out', statements: [{ actions: [{ type: 'prepend', count: 2 }, { type: 'set-next-hop', nextHop: ip('10.0.2.254') }], result: 'accept' }] };
    const rib = ribWith([A, { ...B, exportPolicy: out }]);
    const ch = rib.update('A', routes(1));
    const a = ch.updates.find((u) => u.peerId === 'B')!.announced[0]!.attrs;
    assert.deepEqual(a.asPath, [{ type: 'sequence', asns: [65001, 65001, 65001, 65010] }]);
    assert.equal(a.nextHop, ip('10.0.2.254'));
  });

  it('changing export policy sends the difference; changing import policy re-runs soft-reconfiguration or asks for a refresh', () => {
    const rib = ribWith([{ ...A, softReconfigInbound: true }, B, { ...C, id: 'C2', address: ip('10.0.5.2'), asn: 65030, importPolicy: ACCEPT_ALL, exportPolicy: ACCEPT_ALL }]);
    rib.update('A', routes(3));
    const onlyFirst: Policy = { name: 'only-10.0.0', statements: [{ conditions: [{ type: 'prefix', entries: [{ prefix: pfx('10.0.0.0/24') }] }], result: 'accept' }] };
    const exp = rib.setPolicy('B', { exportPolicy: onlyFirst });
    assert.deepEqual(exp.updates.find((u) => u.peerId === 'B')!.withdrawn.map(formatPrefix), ['10.0.1.0/24', '10.0.2.0/24']);
    const imp = rib.setPolicy('A', { importPolicy: onlyFirst });
    assert.equal(rib.size, 1);
    assert.equal(imp.updates.find((u) => u.peerId === 'C2')!.withdrawn.length, 2);
    const back = rib.setPolicy('A', { importPolicy: ACCEPT_ALL });
    assert.equal(rib.size, 3);
    assert.equal(advertisedTo(back, 'C2').length, 2);
    assert.deepEqual(rib.setPolicy('B', { importPolicy: onlyFirst }).refreshRequests, ['B']);
    assert.throws(() => rib.setPolicy('B', { importPolicy: { name: 'bad', statements: [{ conditions: [{ type: 'as-path', regex: '(' }], result: 'accept' }] } }), { code: 'ERR_BGP_POLICY_BAD_REGEX' });
  });

  it('route refresh from a peer resends its Adj-RIB-Out', () => {
    const rib = ribWith([A, B]);
    rib.update('A', routes(4));
    const r = rib.routeRefresh('B');
    assert.equal(r.updates[0]!.announced[0]!.prefixes.length, 4);
    assert.equal(r.updates[0]!.endOfRib, false);
  });
});
