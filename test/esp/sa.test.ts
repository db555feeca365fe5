import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SeededRng } from '../../src/core/rng.js';
import { EncrId, IntegId } from '../../src/crypto/iana.js';
import { CryptoSuite } from '../../src/crypto/suite.js';
import { EspErrorCode } from '../../src/esp/errors.js';
import { encapsulatedLength, ESP_HEADER_LENGTH, NextHeader, openEsp, paddingLength } from '../../src/esp/packet.js';
import { EspSa } from '../../src/esp/sa.js';
import { ESP_SPECS, ipv4, keysFor, saPair } from './helpers.js';

const GCM = { encr: EncrId.AesGcm16, encrKeyBits: 256 };
const CBC = { encr: EncrId.AesCbc, encrKeyBits: 128, integ: IntegId.HmacSha2_256_128 };

function send(sa: EspSa, payload: Uint8Array, nextHeader?: number): Uint8Array {
  const r = sa.encapsulate(payload, nextHeader);
  assert.ok(r.ok, r.ok ? '' : r.error.code);
  return r.packet;
}

function code(r: { ok: boolean; error?: { code: string } }): string {
  return r.ok ? 'ok' : r.error!.code;
}

describe('ESP SA: every suite round-trips', () => {
  it(`${ESP_SPECS.length} suites x payload sizes 0..1400: same bytes back, lengths as computed, counters`, () => {
    for (const [n, spec] of ESP_SPECS.entries()) {
      const { out, in: inbound } = saPair(spec, {}, n);
      const cipher = CryptoSuite.esp(spec).esp(keysFor(CryptoSuite.esp(spec), n));
      let bytes = 0;
      const sizes = [0, 1, 2, 3, 13, 14, 15, 16, 17, 63, 64, 65, 1400];
      for (const size of sizes) {
        const payload = ipv4(new Uint8Array(size).map((_, i) => i * 31));
        const packet = send(out, payload);
        assert.equal(packet.length, encapsulatedLength(cipher, payload.length), out.suite.name);
        assert.equal((packet.length - ESP_HEADER_LENGTH - cipher.ivLength - cipher.icvLength) % cipher.alignment, 0);
        const r = inbound.decapsulate(packet);
        assert.ok(r.ok, `${out.suite.name}: ${code(r)}`);
        assert.deepEqual(r.payload, payload);
        assert.equal(r.nextHeader, NextHeader.Ipv4);
        bytes += payload.length;
      }
      assert.deepEqual(out.counters, { packets: sizes.length, bytes, dropped: {} });
      assert.deepEqual(inbound.counters, { packets: sizes.length, bytes, dropped: {} });
    }
  });

  it('padding is 1, 2, 3, ... to the cipher block (AES 16, 3DES 8) or to 4 bytes (GCM)', () => {
    for (const [spec, align] of [[CBC, 16], [{ encr: EncrId.Des3, integ: IntegId.HmacSha1_96 }, 8], [GCM, 4]] as const) {
      const suite = CryptoSuite.esp(spec);
      const keys = keysFor(suite, 4);
      const cipher = suite.esp(keys);
      assert.equal(cipher.alignment, align);
      const out = new EspSa({ spi: 9, direction: 'outbound', suite, keys, rng: new SeededRng(1) });
      for (let size = 0; size < 40; size++) {
        const packet = send(out, new Uint8Array(size).fill(0xee));
        const plain = openEsp(cipher, packet);
        const pad = paddingLength(size, align);
        assert.equal((size + pad + 2) % align, 0);
        assert.ok(pad < align);
        assert.deepEqual(plain.subarray(size), Uint8Array.from([...Array.from({ length: pad }, (_, i) => i + 1), pad, 4]));
      }
    }
  });

  it('GCM IVs are the sequence number; CBC IVs come from the injected rng (seeded runs repeat)', () => {
    const g = saPair(GCM).out;
    send(g, new Uint8Array(20));
    const second = send(g, new Uint8Array(20));
    assert.deepEqual(second.subarray(8, 16), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 2));
    const a = send(saPair(CBC).out, new Uint8Array(20));
    assert.deepEqual(a, send(saPair(CBC).out, new Uint8Array(20)));
  });
});

describe('ESP SA: inbound checks', () => {
  it('a replayed packet is dropped, after the first copy went through', () => {
    const { out, in: inbound } = saPair(GCM);
    const p1 = send(out, ipv4(new Uint8Array(8)));
    const p2 = send(out, ipv4(new Uint8Array(8)));
    assert.ok(inbound.decapsulate(p2).ok);
    assert.ok(inbound.decapsulate(p1).ok, 'reordered within the window');
    assert.equal(code(inbound.decapsulate(p1)), EspErrorCode.Replay);
    assert.equal(code(inbound.decapsulate(p2)), EspErrorCode.Replay);
    assert.deepEqual(inbound.counters.dropped, { [EspErrorCode.Replay]: 2 });
  });

  it('a flipped bit gives BAD_SPI (SPI), ICV_MISMATCH or REPLAY (sequence), ICV_MISMATCH (elsewhere); the window does not move', () => {
    const specs = ESP_SPECS.filter((_, i) => i % 5 === 0);
    fc.assert(fc.property(fc.constantFrom(...specs), fc.nat(), fc.integer({ min: 0, max: 7 }), fc.nat({ max: 200 }), (spec, at, bit, size) => {
      const { out, in: inbound } = saPair(spec);
      const packet = send(out, ipv4(new Uint8Array(size)));
      const bad = packet.slice();
      const i = at % bad.length;
      bad[i] = bad[i]! ^ (1 << bit);
      const c = code(inbound.decapsulate(bad));
      if (i < 4) assert.equal(c, EspErrorCode.BadSpi);
      else if (i < 8) assert.ok(c === EspErrorCode.IcvMismatch || c === EspErrorCode.Replay, c);
      else assert.equal(c, EspErrorCode.IcvMismatch);
      assert.ok(inbound.decapsulate(packet).ok, 'the genuine packet still passes');
      assert.deepEqual(inbound.counters.packets, 1);
    }), { numRuns: 400 });
  });

  it('short packets are TRUNCATED, misaligned CBC ciphertext BAD_LENGTH, before any ICV work', () => {
    const { out, in: inbound } = saPair(CBC);
    const packet = send(out, ipv4(new Uint8Array(30)));
    assert.equal(code(inbound.decapsulate(packet.subarray(0, 7))), EspErrorCode.Truncated);
    assert.equal(code(inbound.decapsulate(packet.subarray(0, 8 + 16 + 16 + 15))), EspErrorCode.Truncated);
    assert.equal(code(inbound.decapsulate(packet.subarray(0, packet.length - 1))), EspErrorCode.BadLength);
    const g = saPair(GCM);
    assert.equal(code(g.in.decapsulate(send(g.out, new Uint8Array(0)).subarray(0, 8 + 8 + 16 + 1))), EspErrorCode.Truncated);
  });

  it('an authentic packet with bad padding is BAD_PADDING, and its number is used up', () => {
    for (const spec of [CBC, GCM]) {
      const suite = CryptoSuite.esp(spec);
      const keys = keysFor(suite, 8);
      const cipher = suite.esp(keys);
      const inbound = new EspSa({ spi: 0x77, direction: 'inbound', suite, keys });
      const header = Uint8Array.of(0, 0, 0, 0x77, 0, 0, 0, 1);
      const iv = new Uint8Array(cipher.ivLength).fill(3);
      // 22 payload bytes, then padding 1 2 3 4 5 6 7 9 (not monotonic), pad length 8, next header 4.
      const plain = Uint8Array.from([...new Uint8Array(22), 1, 2, 3, 4, 5, 6, 7, 9, 8, 4]);
      const packet = Uint8Array.from([...header, ...cipher.seal(header, 0, iv, [plain])]);
      assert.equal(code(inbound.decapsulate(packet)), EspErrorCode.BadPadding, suite.name);
      assert.equal(code(inbound.decapsulate(packet)), EspErrorCode.Replay);
      // Pad Length beyond the plaintext.
      const header2 = Uint8Array.of(0, 0, 0, 0x77, 0, 0, 0, 2);
      const tooLong = Uint8Array.from([...new Uint8Array(14), 200, 4]);
      const p2 = Uint8Array.from([...header2, ...cipher.seal(header2, 0, iv, [tooLong])]);
      assert.equal(code(inbound.decapsulate(p2)), EspErrorCode.BadPadding);
    }
  });

  it('next header 59 is a dummy packet; other protocols are refused unless configured', () => {
    const { out, in: inbound } = saPair(GCM);
    assert.equal(code(inbound.decapsulate(send(out, new Uint8Array(12), NextHeader.NoNextHeader))), EspErrorCode.DummyPacket);
    assert.equal(code(inbound.decapsulate(send(out, new Uint8Array(40), NextHeader.Ipv6))), EspErrorCode.BadNextHeader);
    const both = saPair(GCM, { nextHeaders: [NextHeader.Ipv4, NextHeader.Ipv6] });
    const r = both.in.decapsulate(send(both.out, new Uint8Array(40), NextHeader.Ipv6));
    assert.ok(r.ok && r.nextHeader === NextHeader.Ipv6);
  });

  it('another SA\'s packet is BAD_SPI; ESN packets authenticate the high half', () => {
    const a = saPair(GCM, {}, 1);
    const b = saPair(GCM, {}, 2);
    assert.equal(code(b.in.decapsulate(send(a.out, new Uint8Array(4)))), EspErrorCode.BadSpi);
    const suite = CryptoSuite.esp({ ...GCM, esn: true });
    const cipher = suite.esp(keysFor(suite, 1));
    const esn = saPair({ ...GCM, esn: true }, { initialSequence: { high: 0, low: 5 } });
    const packet = send(esn.out, new Uint8Array(4));
    assert.ok(openEsp(cipher, packet, 0).length > 0);
    assert.throws(() => openEsp(cipher, packet, 1), { code: EspErrorCode.IcvMismatch });
  });

  it('misuse is a programming error, not a dropped packet', () => {
    const { out, in: inbound } = saPair(GCM);
    assert.throws(() => inbound.encapsulate(new Uint8Array(1)), { code: 'ERR_INVALID_ARGUMENT' });
    assert.throws(() => out.decapsulate(new Uint8Array(40)), { code: 'ERR_INVALID_ARGUMENT' });
    const suite = CryptoSuite.esp(CBC);
    assert.throws(() => new EspSa({ spi: 1, direction: 'outbound', suite, keys: keysFor(suite, 1) }), { code: 'ERR_INVALID_ARGUMENT' });
    assert.throws(() => saPair(GCM, { initialSequence: { high: 1, low: 1 } }), { code: 'ERR_INVALID_ARGUMENT' });
  });
});

describe('ESP SA: sequence numbers and lifetimes', () => {
  it('without ESN the counter never wraps: the last number raises hard-expire, then SEQUENCE_EXHAUSTED', () => {
    const { out, events } = saPair(GCM, { initialSequence: { low: 0xffff_fffe } });
    const a = out.encapsulate(new Uint8Array(4));
    assert.ok(a.ok && a.seq === 0xffff_fffe);
    const b = out.encapsulate(new Uint8Array(4));
    assert.ok(b.ok && b.seq === 0xffff_ffff);
    assert.deepEqual(events, [{ type: 'hard-expire', spi: out.spi, direction: 'outbound', cause: 'sequence' }]);
    assert.equal(out.state, 'hard-expired');
    assert.equal(code(out.encapsulate(new Uint8Array(4))), EspErrorCode.SequenceExhausted);
    assert.equal(code(out.encapsulate(new Uint8Array(4))), EspErrorCode.SequenceExhausted);
    assert.equal(events.length, 1);
    assert.deepEqual(out.counters.dropped, { [EspErrorCode.SequenceExhausted]: 2 });
  });

  it('with ESN the counter carries into the high half, and the receiver follows', () => {
    const spec = { ...CBC, esn: true };
    const { in: inbound } = saPair(spec);
    // The receiver climbs as a long-lived SA would have: a packet at 2^31, then near 2^32.
    for (const low of [0x8000_0000, 0xffff_fffe]) {
      const step = saPair(spec, { initialSequence: { low } }).out;
      assert.ok(inbound.decapsulate(send(step, new Uint8Array(4))).ok);
    }
    const out = saPair(spec, { initialSequence: { low: 0xffff_ffff } }).out;
    const seen: [number, number][] = [];
    for (let i = 0; i < 3; i++) {
      const r = inbound.decapsulate(send(out, ipv4(new Uint8Array(i))));
      assert.ok(r.ok, code(r));
      seen.push([r.seqHigh, r.seq]);
    }
    assert.deepEqual(seen, [[0, 0xffff_ffff], [1, 0], [1, 1]]);
    assert.equal(out.state, 'active');
  });

  it('packet and byte limits: soft once, hard once, then SA_EXPIRED both ways', () => {
    const { out, in: inbound, events } = saPair(GCM, { soft: { packets: 3 }, hard: { packets: 5, bytes: 10_000 } });
    for (let i = 0; i < 5; i++) assert.ok(inbound.decapsulate(send(out, new Uint8Array(10))).ok);
    assert.deepEqual(events.map((e) => `${e.direction} ${e.type} ${e.cause}`), [
      'outbound soft-expire packets', 'inbound soft-expire packets', 'outbound hard-expire packets', 'inbound hard-expire packets',
    ]);
    assert.equal(code(out.encapsulate(new Uint8Array(10))), EspErrorCode.SaExpired);
    const late = saPair(GCM, { initialSequence: { low: 6 } }).out;
    assert.equal(code(inbound.decapsulate(send(late, new Uint8Array(10)))), EspErrorCode.SaExpired);
    const bytes = saPair(GCM, { soft: { bytes: 100 }, hard: { bytes: 250 } });
    send(bytes.out, new Uint8Array(99));
    assert.equal(bytes.out.state, 'active');
    send(bytes.out, new Uint8Array(1));
    assert.equal(bytes.out.state, 'soft-expired');
    send(bytes.out, new Uint8Array(150));
    assert.equal(bytes.out.state, 'hard-expired');
    assert.deepEqual(bytes.out.counters, { packets: 3, bytes: 250, dropped: {} });
  });

  it('seconds are the caller\'s clock: checkLifetime(now) raises what is due; expire() forces', () => {
    const { out, events } = saPair(GCM, { createdAt: 5_000, soft: { seconds: 10 }, hard: { seconds: 20 } });
    assert.equal(out.checkLifetime(14_999), 'active');
    assert.equal(out.checkLifetime(15_000), 'soft-expired');
    assert.equal(out.checkLifetime(24_000), 'soft-expired');
    assert.equal(out.checkLifetime(25_000), 'hard-expired');
    assert.deepEqual(events.map((e) => `${e.type} ${e.cause}`), ['soft-expire seconds', 'hard-expire seconds']);
    const other = saPair(GCM);
    other.out.expire('hard', 'bytes');
    assert.equal(other.out.state, 'hard-expired');
    other.out.expire('soft');
    assert.deepEqual(other.events.map((e) => e.type), ['hard-expire']);
  });
});
