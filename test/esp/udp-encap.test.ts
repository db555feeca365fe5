import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EspError, EspErrorCode } from '../../src/esp/errors.js';
import { NAT_KEEPALIVE_BYTE, NAT_T_PORT, classifyUdp4500, ikeOverUdp4500, natKeepalive } from '../../src/esp/udp-encap.js';
import { hex } from '../helpers/round-trip.js';

describe('UDP encapsulation on port 4500 (RFC 3948)', () => {
  it('sorts ESP, IKE behind the Non-ESP Marker, and NAT-keepalives', () => {
    assert.equal(NAT_T_PORT, 4500);
    const esp = hex('c0ffee01 00000007 0102030405060708');
    assert.deepEqual(classifyUdp4500(esp), { type: 'esp', packet: esp, spi: 0xc0ffee01 });
    const ike = hex('1122334455667788 0000000000000000 21 20 22 08 00000000 0000001c');
    const wire = ikeOverUdp4500(ike);
    assert.deepEqual(wire.subarray(0, 4), hex('00000000'));
    assert.deepEqual(classifyUdp4500(wire), { type: 'ike', message: ike });
    assert.deepEqual(natKeepalive(), Uint8Array.of(NAT_KEEPALIVE_BYTE));
    assert.deepEqual(classifyUdp4500(natKeepalive()), { type: 'keepalive' });
  });

  it('too short to be anything is TRUNCATED; any other input sorts without throwing', () => {
    for (const bad of [new Uint8Array(0), hex('00'), hex('ff00'), hex('000000'), hex('c0ffee01'), hex('c0ffee0100')]) {
      assert.throws(() => classifyUdp4500(bad), { code: EspErrorCode.Truncated });
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
      try {
        const r = classifyUdp4500(b);
        if (r.type === 'esp') assert.ok(r.spi !== 0 && b.length >= 8);
        if (r.type === 'ike') assert.deepEqual(r.message, b.subarray(4));
      } catch (e) {
        assert.ok(e instanceof EspError && e.code === EspErrorCode.Truncated);
      }
    }));
  });
});
