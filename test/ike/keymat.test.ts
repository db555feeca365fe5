import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { concatBytes } from '../../src/crypto/bytes.js';
import { dhGroupById } from '../../src/crypto/dh.js';
import { CryptoErrorCode } from '../../src/crypto/errors.js';
import { DhGroup, EncrId, IntegId, PrfId } from '../../src/crypto/iana.js';
import { prfById } from '../../src/crypto/prf.js';
import { CryptoSuite, type SuiteSpec } from '../../src/crypto/suite.js';
import {
  KEY_PAD, deriveChildKeys, deriveIkeKeys, deriveRekeyedIkeKeys, ikeKeysFromSkeyseed, ikeProtectionKeys, pskAuth, signedOctets, skeyseed,
} from '../../src/ike/keymat.js';
import { PRF_PLUS_MAX_BLOCKS, prfPlus } from '../../src/ike/prf-plus.js';
import { hex as hexBytes } from '../helpers/round-trip.js';

/** Hex to bytes, '' included (AEAD suites have empty SK_a keys). */
const hex = (text: string): Uint8Array => (text === '' ? new Uint8Array(0) : hexBytes(text));

const HASH: Record<number, string> = { [PrfId.HmacMd5]: 'md5', [PrfId.HmacSha1]: 'sha1', [PrfId.HmacSha2_256]: 'sha256', [PrfId.HmacSha2_384]: 'sha384', [PrfId.HmacSha2_512]: 'sha512' };
const direct = (id: number, key: Uint8Array, ...data: Uint8Array[]): Uint8Array => {
  const h = createHmac(HASH[id]!, key);
  for (const d of data) h.update(d);
  return new Uint8Array(h.digest());
};
const bytes = (n: number, from = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

describe('prf+ (RFC 7296 §2.13)', () => {
  it('is T1 | T2 | ... with T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n), cut to length', () => {
    for (const id of [PrfId.HmacMd5, PrfId.HmacSha1, PrfId.HmacSha2_256, PrfId.HmacSha2_384, PrfId.HmacSha2_512]) {
      const prf = prfById(id);
      const k = bytes(prf.outputLength, 3);
      const s = bytes(40, 100);
      const t1 = direct(id, k, s, Uint8Array.of(1));
      const t2 = direct(id, k, t1, s, Uint8Array.of(2));
      const t3 = direct(id, k, t2, s, Uint8Array.of(3));
      const h = prf.outputLength;
      assert.deepEqual(prfPlus(prf, k, s, 3 * h), concatBytes(t1, t2, t3));
      assert.deepEqual(prfPlus(prf, k, s, 2 * h + 1), concatBytes(t1, t2, t3.subarray(0, 1)));
      assert.deepEqual(prfPlus(prf, k, s, h - 1), t1.subarray(0, h - 1));
      assert.equal(prfPlus(prf, k, s, 0).length, 0);
    }
  });

  it('a shorter output is a prefix of a longer one', () => {
    const prf = prfById(PrfId.HmacSha1);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 80 }), fc.nat({ max: 400 }), fc.nat({ max: 400 }), (k, s, a, b) => {
      const [short, long] = a < b ? [a, b] : [b, a];
      assert.deepEqual(prfPlus(prf, k, s, short), prfPlus(prf, k, s, long).subarray(0, short));
    }), { numRuns: 100 });
  });

  it('stops at 255 blocks: the counter is one octet', () => {
    const prf = prfById(PrfId.HmacSha2_256);
    const max = PRF_PLUS_MAX_BLOCKS * prf.outputLength;
    const all = prfPlus(prf, bytes(32), bytes(8), max);
    // The last block is T255 = prf(K, T254 | S | 0xff).
    assert.deepEqual(all.subarray(max - 32), direct(PrfId.HmacSha2_256, bytes(32), all.subarray(max - 64, max - 32), bytes(8), Uint8Array.of(0xff)));
    assert.throws(() => prfPlus(prf, bytes(32), bytes(8), max + 1), { code: CryptoErrorCode.PrfPlusTooLong });
  });
});

describe('IKE SA keys (RFC 7296 §2.14, §2.18)', () => {
  const suite = CryptoSuite.ike({ encr: EncrId.AesCbc, encrKeyBits: 128, integ: IntegId.HmacSha1_96, prf: PrfId.HmacSha2_256, dh: DhGroup.Modp2048 });
  const input = { nonceI: bytes(32, 1), nonceR: bytes(24, 50), spiI: bytes(8, 200), spiR: bytes(8, 220), sharedSecret: bytes(256, 7) };

  it('SKEYSEED = prf(Ni | Nr, g^ir); the seven keys are prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) in order', () => {
    const { skeyseed: seed, keys } = deriveIkeKeys(suite, input);
    assert.deepEqual(seed, direct(PrfId.HmacSha2_256, concatBytes(input.nonceI, input.nonceR), input.sharedSecret));
    assert.deepEqual(seed, skeyseed(suite.prf!, input.nonceI, input.nonceR, input.sharedSecret));
    const stream = prfPlus(suite.prf!, seed, concatBytes(input.nonceI, input.nonceR, input.spiI, input.spiR), 32 + 20 + 20 + 16 + 16 + 32 + 32);
    assert.deepEqual(concatBytes(keys.skD, keys.skAi, keys.skAr, keys.skEi, keys.skEr, keys.skPi, keys.skPr), stream);
    assert.deepEqual([keys.skD, keys.skAi, keys.skEi, keys.skPr].map((k) => k.length), [32, 20, 16, 32]);
  });

  it('AEAD: no SK_a*, SK_e* carry the 4-byte salt', () => {
    const gcm = CryptoSuite.ike({ encr: EncrId.AesGcm16, encrKeyBits: 256, prf: PrfId.HmacSha2_384, dh: DhGroup.Ecp384 });
    const { keys } = deriveIkeKeys(gcm, input);
    assert.deepEqual([keys.skD, keys.skAi, keys.skAr, keys.skEi, keys.skEr, keys.skPi, keys.skPr].map((k) => k.length), [48, 0, 0, 36, 36, 48, 48]);
  });

  it('rekey: SKEYSEED = prf_old(SK_d old, g^ir new | Ni | Nr), then the new suite\'s sizes', () => {
    const oldPrf = prfById(PrfId.HmacSha1);
    const oldSkD = bytes(20, 9);
    const { skeyseed: seed, keys } = deriveRekeyedIkeKeys(oldPrf, oldSkD, suite, input);
    assert.deepEqual(seed, direct(PrfId.HmacSha1, oldSkD, input.sharedSecret, input.nonceI, input.nonceR));
    assert.equal(seed.length, 20);
    assert.deepEqual(keys, ikeKeysFromSkeyseed(suite, seed, input));
    assert.equal(keys.skD.length, 32);
  });

  it('each side sends with its own SK_e/SK_a and receives with the other\'s', () => {
    const { keys } = deriveIkeKeys(suite, input);
    const i = ikeProtectionKeys(keys, 'initiator');
    const r = ikeProtectionKeys(keys, 'responder');
    assert.equal(i.outbound.encKey, keys.skEi);
    assert.equal(i.outbound.integKey, keys.skAi);
    assert.deepEqual(i.outbound, r.inbound);
    assert.deepEqual(i.inbound, r.outbound);
    assert.throws(() => ikeKeysFromSkeyseed(suite, bytes(32), { ...input, spiI: bytes(4) }), { code: CryptoErrorCode.BadKeyLength });
    assert.throws(() => deriveIkeKeys(CryptoSuite.esp({ encr: EncrId.AesGcm16, encrKeyBits: 128 }), input), { code: CryptoErrorCode.Unsupported });
  });

  it('CHILD_SA KEYMAT = prf+(SK_d, [g^ir |] Ni | Nr): i->r encryption, i->r integrity, r->i encryption, r->i integrity', () => {
    const esp = CryptoSuite.esp({ encr: EncrId.AesCbc, encrKeyBits: 256, integ: IntegId.HmacSha2_512_256 });
    const skD = bytes(32, 77);
    const k = deriveChildKeys(suite.prf!, skD, esp, input);
    const stream = prfPlus(suite.prf!, skD, concatBytes(input.nonceI, input.nonceR), 2 * (32 + 64));
    assert.deepEqual(concatBytes(k.initiatorToResponder.encKey, k.initiatorToResponder.integKey, k.responderToInitiator.encKey, k.responderToInitiator.integKey), stream);
    const pfs = deriveChildKeys(suite.prf!, skD, esp, { nonceI: input.nonceI, nonceR: input.nonceR, pfsSharedSecret: bytes(32, 5) });
    assert.deepEqual(pfs.initiatorToResponder.encKey, prfPlus(suite.prf!, skD, concatBytes(bytes(32, 5), input.nonceI, input.nonceR), 32));
    const gcm = deriveChildKeys(suite.prf!, skD, CryptoSuite.esp({ encr: EncrId.AesGcm16, encrKeyBits: 128 }), input);
    assert.deepEqual([gcm.initiatorToResponder.encKey.length, gcm.initiatorToResponder.integKey.length], [20, 0]);
    assert.deepEqual(gcm.responderToInitiator.encKey, stream.subarray(20, 40));
  });

  it('PSK AUTH = prf(prf(secret, "Key Pad for IKEv2"), RealMessage | Nonce | prf(SK_p, IDx\'))', () => {
    assert.deepEqual(KEY_PAD, new TextEncoder().encode('Key Pad for IKEv2'));
    assert.equal(KEY_PAD.length, 17);
    const prf = prfById(PrfId.HmacSha2_256);
    const [secret, msg, nonce, skP, id] = [bytes(10, 1), bytes(300, 2), bytes(32, 3), bytes(32, 4), bytes(13, 5)];
    const octets = concatBytes(msg, nonce, direct(PrfId.HmacSha2_256, skP, id));
    const signed = { realMessage: msg, peerNonce: nonce, skP, idBody: id };
    assert.deepEqual(signedOctets(prf, signed), octets);
    assert.deepEqual(pskAuth(prf, secret, signed), direct(PrfId.HmacSha2_256, direct(PrfId.HmacSha2_256, secret, KEY_PAD), octets));
  });
});

/*
 * Known answers from strongSwan 5.9.8, an independent implementation: see the `_comment` of
 * fixtures/strongswan-keymat.json and fixtures/strongswan-keymat.capture.sh for how they were made.
 */
interface Fixture {
  psk: string;
  runs: {
    name: string;
    transforms: { ike: SuiteSpec; esp: SuiteSpec };
    ikeSa: Record<string, string>;
    auth: { role: string; realMessage: string; peerNonce: string; skP: string; idBody: string; sharedSecret: string; octets: string; auth: string }[];
    child: Record<string, string>;
    childRekey: Record<string, string>;
    ikeRekey: Record<string, string>;
    skPayloads: { associated: string; body: string; plaintext: string }[];
  }[];
}
const FIXTURE = JSON.parse(readFileSync('test/ike/fixtures/strongswan-keymat.json', 'utf8')) as Fixture;
const KEY_NAMES = ['skD', 'skAi', 'skAr', 'skEi', 'skEr', 'skPi', 'skPr'] as const;

/** The KE payload's data in an IKE_SA_INIT message (walks the payload chain). */
function keData(message: Uint8Array): { group: number; data: Uint8Array } {
  let type = message[16]!;
  let at = 28;
  while (type !== 0) {
    const length = (message[at + 2]! << 8) | message[at + 3]!;
    if (type === 34) return { group: (message[at + 4]! << 8) | message[at + 5]!, data: message.subarray(at + 8, at + length) };
    type = message[at]!;
    at += length;
  }
  throw new Error('no KE payload');
}

describe('known answers from strongSwan (fixtures/strongswan-keymat.json)', () => {
  assert.equal(FIXTURE.runs.length, 4);
  for (const run of FIXTURE.runs) {
    const suite = CryptoSuite.ike(run.transforms.ike);
    const esp = CryptoSuite.esp(run.transforms.esp);
    const ike = run.ikeSa;
    const ikeInput = { nonceI: hex(ike.nonceI!), nonceR: hex(ike.nonceR!), spiI: hex(ike.spiI!), spiR: hex(ike.spiR!), sharedSecret: hex(ike.sharedSecret!) };

    describe(`${run.name}: IKE ${suite.name}, ESP ${esp.name}`, () => {
      it('IKE_SA_INIT: SKEYSEED and SK_d..SK_pr', () => {
        const { skeyseed: seed, keys } = deriveIkeKeys(suite, ikeInput);
        assert.deepEqual(seed, hex(ike.skeyseed!));
        for (const k of KEY_NAMES) assert.deepEqual(keys[k], hex(ike[k]!), k);
      });

      it('both KE payloads are valid public values of the group, of its fixed length', () => {
        const group = dhGroupById(run.transforms.ike.dh!);
        for (const a of run.auth) {
          const ke = keData(hex(a.realMessage));
          assert.equal(ke.group, group.id);
          assert.equal(ke.data.length, group.publicLength);
          group.validatePublic(ke.data);
        }
        assert.equal(ikeInput.sharedSecret.length, group.sharedLength);
      });

      it('PSK AUTH of initiator and responder', () => {
        for (const a of run.auth) {
          assert.deepEqual(hex(a.sharedSecret), hex(FIXTURE.psk));
          const skP = hex(a.skP);
          assert.deepEqual(skP, hex(a.role === 'initiator' ? ike.skPi! : ike.skPr!));
          const signed = { realMessage: hex(a.realMessage), peerNonce: hex(a.peerNonce), skP, idBody: hex(a.idBody) };
          assert.deepEqual(signedOctets(suite.prf!, signed), hex(a.octets), a.role);
          assert.deepEqual(pskAuth(suite.prf!, hex(a.sharedSecret), signed), hex(a.auth), a.role);
        }
      });

      it('first CHILD_SA keys (no PFS)', () => {
        assert.deepEqual(hex(run.child.seed!), concatBytes(ikeInput.nonceI, ikeInput.nonceR));
        const k = deriveChildKeys(suite.prf!, hex(ike.skD!), esp, ikeInput);
        assert.deepEqual(k.initiatorToResponder.encKey, hex(run.child.encI!));
        assert.deepEqual(k.initiatorToResponder.integKey, hex(run.child.integI!));
        assert.deepEqual(k.responderToInitiator.encKey, hex(run.child.encR!));
        assert.deepEqual(k.responderToInitiator.integKey, hex(run.child.integR!));
      });

      it('rekeyed CHILD_SA keys with PFS: prf+(SK_d, g^ir | Ni | Nr)', () => {
        const seed = hex(run.childRekey.seed!);
        const gir = hex(run.childRekey.sharedSecret!);
        assert.equal(gir.length, esp.dh!.sharedLength);
        const nonces = seed.subarray(gir.length);
        const [ni, nr] = [nonces.subarray(0, nonces.length / 2), nonces.subarray(nonces.length / 2)];
        const k = deriveChildKeys(suite.prf!, hex(ike.skD!), esp, { nonceI: ni, nonceR: nr, pfsSharedSecret: gir });
        assert.deepEqual(k.initiatorToResponder.encKey, hex(run.childRekey.encI!));
        assert.deepEqual(k.initiatorToResponder.integKey, hex(run.childRekey.integI!));
        assert.deepEqual(k.responderToInitiator.encKey, hex(run.childRekey.encR!));
        assert.deepEqual(k.responderToInitiator.integKey, hex(run.childRekey.integR!));
      });

      it('rekeyed IKE_SA: SKEYSEED from the old SK_d, keys from the new nonces and SPIs', () => {
        const r = run.ikeRekey;
        assert.deepEqual(hex(r.oldSkD!), hex(ike.skD!));
        const { skeyseed: seed, keys } = deriveRekeyedIkeKeys(suite.prf!, hex(r.oldSkD!), suite, {
          nonceI: hex(r.nonceI!), nonceR: hex(r.nonceR!), spiI: hex(r.spiI!), spiR: hex(r.spiR!), sharedSecret: hex(r.sharedSecret!),
        });
        assert.deepEqual(seed, hex(r.skeyseed!));
        for (const k of KEY_NAMES) assert.deepEqual(keys[k], hex(r[k]!), k);
      });

      it('SK payloads strongSwan sent decrypt to what strongSwan encrypted', () => {
        assert.ok(run.skPayloads.length > 0);
        const sk = suite.sk(ikeProtectionKeys(deriveIkeKeys(suite, ikeInput).keys, 'initiator').inbound);
        for (const p of run.skPayloads) {
          assert.deepEqual(sk.open(hex(p.associated), hex(p.body)), hex(p.plaintext));
          const tampered = hex(p.body);
          tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0x80;
          assert.throws(() => sk.open(hex(p.associated), tampered), { code: CryptoErrorCode.AuthFailed });
        }
      });
    });
  }
});
