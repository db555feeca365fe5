import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../src/core/clock.js';
import { fragmentIpv4, isFragment } from '../../src/net/fragment.js';
import { decodeIpv4, encodeIpv4, type Ipv4Packet } from '../../src/net/ipv4.js';
import { Reassembler, REASSEMBLY_TIMEOUT_MS } from '../../src/router/reassembly.js';

function datagram(size: number, options = new Uint8Array(0)): Uint8Array {
  const p: Ipv4Packet = {
    tos: 0, identification: 0x1234, dontFragment: false, moreFragments: false, fragmentOffset: 0, ttl: 64, protocol: 17,
    src: 0x0a000001, dst: 0x0a000002, options, payload: Uint8Array.from({ length: size }, (_, i) => i & 0xff),
  };
  return encodeIpv4(p);
}

describe('IPv4 fragmentation and reassembly', () => {
  it('fragments to the MTU and reassembles in any order to the original bytes', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9000 }), fc.integer({ min: 68, max: 1500 }), fc.integer(), (size, mtu, shuffleSeed) => {
      const original = datagram(size);
      const fragments = original.length <= mtu ? [original] : fragmentIpv4(original, mtu);
      for (const f of fragments) {
        assert.ok(f.length <= mtu);
        decodeIpv4(f); // every fragment is a valid IPv4 datagram with a good checksum
      }
      if (fragments.length === 1) return;
      const order = fragments.map((f, i) => ({ f, k: Math.imul(i + 1, shuffleSeed | 1) >>> 0 })).sort((a, b) => a.k - b.k).map((x) => x.f);
      const r = new Reassembler(new ManualClock(), () => assert.fail('no timeout expected'));
      const results = order.map((f) => r.add(f));
      assert.deepEqual(results.slice(0, -1).filter((x) => x !== undefined), []);
      assert.deepEqual(results.at(-1), original);
      assert.equal(r.pending, 0);
    }), { numRuns: 300 });
  });

  it('copies only options flagged "copied" into later fragments', () => {
    // Option 0x94 (Router Alert, copied) then 0x07 (Record Route, not copied), padded.
    const options = Uint8Array.from([0x94, 0x04, 0x00, 0x00, 0x07, 0x07, 0x04, 0, 0, 0, 0, 0]);
    const fragments = fragmentIpv4(datagram(3000, options), 1500);
    assert.equal(decodeIpv4(fragments[0]!).options.length, 12);
    assert.deepEqual(decodeIpv4(fragments[1]!).options, Uint8Array.from([0x94, 0x04, 0x00, 0x00]));
    assert.ok(fragments.every(isFragment));
  });

  it('drops overlapping fragments and times out an incomplete datagram with its first fragment', () => {
    const clock = new ManualClock();
    const expired: Uint8Array[] = [];
    const r = new Reassembler(clock, (f) => expired.push(f));
    const [first, second] = fragmentIpv4(datagram(3000), 1500);
    assert.equal(r.add(first!), undefined);
    clock.advance(REASSEMBLY_TIMEOUT_MS);
    assert.deepEqual(expired, [first]);
    assert.equal(r.add(second!), undefined, 'a lone later fragment waits');
    const overlapping = second!.slice();
    overlapping[7] = overlapping[7]! - 1; // offset 8 bytes earlier: overlaps the first fragment's data
    r.add(first!);
    assert.equal(r.add(overlapping), undefined);
    assert.equal(r.pending, 0, 'the whole datagram was dropped');
  });
});
