import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseIpv4, parsePrefix } from '../../src/net/address.js';
import { OPAQUE_PORTS, formatSelector, selectorFromPrefix, type Ipv4Selector } from '../../src/ike/payloads/ts.js';
import { intersectSelectors, narrowSelectors, selectorMatches, selectorsWithin, selectorWithin } from '../../src/ike/traffic-selectors.js';

const ts = (prefix: string, opts: Partial<Ipv4Selector> = {}): Ipv4Selector => selectorFromPrefix(parsePrefix(prefix), opts);

describe('traffic selectors (RFC 7296 §2.9)', () => {
  it('route-based 0.0.0.0/0 meets anything; policy-based pairs narrow to the overlap', () => {
    assert.deepEqual(narrowSelectors([ts('0.0.0.0/0')], [ts('0.0.0.0/0')]), [ts('0.0.0.0/0')]);
    assert.deepEqual(narrowSelectors([ts('0.0.0.0/0')], [ts('10.0.0.0/16'), ts('172.16.0.0/12')]), [ts('10.0.0.0/16'), ts('172.16.0.0/12')]);
    assert.deepEqual(narrowSelectors([ts('10.0.0.0/8')], [ts('10.0.1.0/24')]).map(formatSelector), narrowSelectors([ts('10.0.1.0/24')], [ts('10.0.0.0/8')]).map(formatSelector));
    assert.deepEqual(narrowSelectors([ts('192.168.0.0/16')], [ts('10.0.0.0/16')]), [], 'disjoint: TS_UNACCEPTABLE');
  });

  it('protocols and ports: 0 is any, ranges intersect, OPAQUE meets only itself or any', () => {
    assert.deepEqual(intersectSelectors(ts('10.0.0.0/8', { ipProtocol: 6, startPort: 179, endPort: 179 }), ts('10.1.0.0/16')),
      ts('10.1.0.0/16', { ipProtocol: 6, startPort: 179, endPort: 179 }));
    assert.equal(intersectSelectors(ts('10.0.0.0/8', { ipProtocol: 6 }), ts('10.0.0.0/8', { ipProtocol: 17 })), undefined);
    assert.equal(intersectSelectors(ts('10.0.0.0/8', { startPort: 1, endPort: 100 }), ts('10.0.0.0/8', { startPort: 200, endPort: 300 })), undefined);
    assert.deepEqual(intersectSelectors(ts('10.0.0.0/8', { ...OPAQUE_PORTS }), ts('10.0.0.0/8'))?.startPort, OPAQUE_PORTS.startPort);
    assert.equal(intersectSelectors(ts('10.0.0.0/8', { ...OPAQUE_PORTS }), ts('10.0.0.0/8', { startPort: 1, endPort: 2 })), undefined);
  });

  it('the initiator accepts only a response inside what it proposed', () => {
    assert.ok(selectorsWithin([ts('10.0.1.0/24')], [ts('10.0.0.0/16')]));
    assert.ok(!selectorsWithin([ts('10.0.0.0/8')], [ts('10.0.0.0/16')]));
    assert.ok(!selectorsWithin([], [ts('10.0.0.0/16')]));
  });

  it('packets match by address, protocol and port', () => {
    const bgp = ts('10.3.1.254/32', { ipProtocol: 6, startPort: 179, endPort: 179 });
    assert.ok(selectorMatches(bgp, parseIpv4('10.3.1.254'), 6, 179));
    assert.ok(!selectorMatches(bgp, parseIpv4('10.3.1.254'), 17, 179));
    assert.ok(!selectorMatches(bgp, parseIpv4('10.3.1.253'), 6, 179));
    assert.ok(selectorMatches(ts('0.0.0.0/0'), parseIpv4('8.8.8.8'), 1, 0));
  });

  it('narrowing is an intersection: commutative in content, inside both sides (property)', () => {
    const arb = fc.record({ a: fc.integer({ min: 0, max: 0xffffffff }), b: fc.integer({ min: 0, max: 0xffffffff }), lo: fc.integer({ min: 0, max: 0xffff }), hi: fc.integer({ min: 0, max: 0xffff }), proto: fc.constantFrom(0, 1, 6, 17) })
      .map(({ a, b, lo, hi, proto }): Ipv4Selector => ({ type: 'ipv4', ipProtocol: proto, startAddress: Math.min(a, b), endAddress: Math.max(a, b), startPort: Math.min(lo, hi), endPort: Math.max(lo, hi) }));
    fc.assert(fc.property(arb, arb, (x, y) => {
      const i = intersectSelectors(x, y);
      const j = intersectSelectors(y, x);
      assert.deepEqual(i, j);
      if (i !== undefined) {
        assert.ok(selectorWithin(i, x) && selectorWithin(i, y));
      }
    }), { numRuns: 2000 });
  });
});
