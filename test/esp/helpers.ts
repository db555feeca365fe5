import { SeededRng } from '../../src/core/rng.js';
import { EncrId, IntegId } from '../../src/crypto/iana.js';
import { CryptoSuite, type ProtectionKeys, type SuiteSpec } from '../../src/crypto/suite.js';
import { EspSa, type EspSaEvent, type EspSaOptions } from '../../src/esp/sa.js';

const INTEGS = [IntegId.HmacMd5_96, IntegId.HmacSha1_96, IntegId.HmacSha2_256_128, IntegId.HmacSha2_384_192, IntegId.HmacSha2_512_256];

/** Every ESP suite implemented: AES-CBC x 3 key sizes and 3DES with each integrity, GCM-8/12/16 x 3 key sizes; each with and without ESN. */
export const ESP_SPECS: SuiteSpec[] = [false, true].flatMap((esn) => [
  ...[128, 192, 256].flatMap((bits) => INTEGS.map((integ) => ({ encr: EncrId.AesCbc, encrKeyBits: bits, integ, esn }))),
  ...INTEGS.map((integ) => ({ encr: EncrId.Des3, integ, esn })),
  ...[EncrId.AesGcm8, EncrId.AesGcm12, EncrId.AesGcm16].flatMap((encr) => [128, 192, 256].map((bits) => ({ encr, encrKeyBits: bits, esn }))),
]);

export function keysFor(suite: CryptoSuite, seed: number): ProtectionKeys {
  const rng = new SeededRng(seed);
  return { encKey: rng.bytes(suite.encKeyLength), integKey: rng.bytes(suite.integKeyLength) };
}

export interface SaPair {
  out: EspSa;
  in: EspSa;
  events: EspSaEvent[];
}

/** An outbound SA and the matching inbound SA (same SPI and keys), events of both collected. */
export function saPair(spec: SuiteSpec, options: Partial<EspSaOptions> = {}, seed = 1): SaPair {
  const suite = CryptoSuite.esp(spec);
  const keys = keysFor(suite, seed);
  const events: EspSaEvent[] = [];
  const common = { spi: 0x1000 + seed, suite, keys, onEvent: (e: EspSaEvent) => events.push(e), ...options };
  return {
    out: new EspSa({ ...common, direction: 'outbound', rng: new SeededRng(seed + 1) }),
    in: new EspSa({ ...common, direction: 'inbound' }),
    events,
  };
}

/** A minimal IPv4 packet (header without options, then `body`), enough for an SA that does not parse it. */
export function ipv4(body: Uint8Array, src = [10, 11, 0, 1], dst = [10, 12, 0, 1]): Uint8Array {
  const total = 20 + body.length;
  return Uint8Array.from([0x45, 0, total >>> 8, total & 0xff, 0, 0, 0x40, 0, 64, 17, 0, 0, ...src, ...dst, ...body]);
}
