import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IdType, NotifyType, PayloadType, ProtocolId, TsType, notifyName } from '../../src/ike/constants.js';
import { IkeError } from '../../src/ike/errors.js';
import type { IkeMessage } from '../../src/ike/message.js';
import { decodePayloadChain, encodePayloadChain, isKnownPayloadType, type Payload } from '../../src/ike/payload-chain.js';
import { CFG_LENGTHS, type CpPayload } from '../../src/ike/payloads/cp.js';
import type { DeletePayload } from '../../src/ike/payloads/delete.js';
import type { IdPayload } from '../../src/ike/payloads/id.js';
import { NOTIFY_DATA, type NotifyPayload } from '../../src/ike/payloads/notify.js';
import type { Proposal, SaPayload, Transform } from '../../src/ike/payloads/sa.js';
import type { TrafficSelector, TsPayload } from '../../src/ike/payloads/ts.js';

/** Asserts `fn` throws an IkeError with this notify type (and data, when given). */
export function throwsIke(fn: () => unknown, notifyType: number, data?: Uint8Array): IkeError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof IkeError, `expected an IkeError ${notifyName(notifyType)}, got ${String(caught)}`);
  assert.equal(caught.notifyType, notifyType, `notify type (${caught.message})`);
  assert.equal(caught.code, `ERR_IKE_${notifyName(notifyType)}`);
  if (data !== undefined) assert.deepEqual(caught.data, data, 'data');
  return caught;
}

export { deepPlain } from '../helpers/round-trip.js';

/** One payload through the chain codec: bytes, and back. */
export const encodeOne = (p: Payload): Uint8Array => encodePayloadChain([p]).bytes;
export function decodeOne(bytes: Uint8Array, type: number): Payload {
  const list = decodePayloadChain(bytes, type);
  assert.equal(list.length, 1);
  return list[0]!;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries: valid values in the form the decoder returns them.

export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const bytes = (maxLength: number, minLength = 0) => fc.uint8Array({ minLength, maxLength });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

const transformArb: fc.Arbitrary<Transform> = fc.record({
  transformType: fc.oneof(fc.integer({ min: 1, max: 5 }), u8),
  transformId: u16,
  keyLength: fc.option(fc.constantFrom(128, 192, 256, 0, 0xffff), { nil: undefined }),
  attributes: fc.option(fc.array(fc.oneof(
    fc.record({ attrType: fc.integer({ min: 0, max: 0x7fff }).filter((t) => t !== 14), format: fc.constant('tv' as const), value: bytes(2, 2) }),
    fc.record({ attrType: fc.integer({ min: 0, max: 0x7fff }).filter((t) => t !== 14), format: fc.constant('tlv' as const), value: bytes(12) }),
  ), { minLength: 1, maxLength: 3 }), { nil: undefined }),
});

const protocolAndSpi = fc.oneof(
  fc.tuple(fc.constant(ProtocolId.IKE as number), fc.constantFrom(0, 8)),
  fc.tuple(fc.constantFrom(ProtocolId.AH as number, ProtocolId.ESP as number), fc.constant(4)),
  fc.tuple(fc.integer({ min: 4, max: 0xff }), fc.integer({ min: 0, max: 8 })),
).chain(([protocolId, size]) => bytes(size, size).map((spi) => ({ protocolId, spi })));

const proposalBody = fc.tuple(protocolAndSpi, fc.array(transformArb, { maxLength: 6 }));

export const saArb: fc.Arbitrary<SaPayload> = fc.oneof(
  fc.array(proposalBody, { minLength: 1, maxLength: 4 }).map((ps) => ps.map(([ps1, transforms], i): Proposal => ({ number: i + 1, ...ps1, transforms }))),
  fc.tuple(fc.integer({ min: 1, max: 0xff }), proposalBody).map(([number, [ps1, transforms]]): Proposal[] => [{ number, ...ps1, transforms }]),
).map((proposals) => ({ type: 'sa' as const, proposals }));

export const idArb: fc.Arbitrary<IdPayload> = fc.tuple(fc.constantFrom('idi' as const, 'idr' as const), fc.oneof(
  bytes(4, 4).map((data) => ({ idType: IdType.IPV4_ADDR as number, data })),
  bytes(16, 16).map((data) => ({ idType: IdType.IPV6_ADDR as number, data })),
  fc.tuple(u8.filter((t) => t !== IdType.IPV4_ADDR && t !== IdType.IPV6_ADDR), bytes(40)).map(([idType, data]) => ({ idType, data })),
)).map(([type, id]) => ({ type, ...id }));

const notifyData = (type: number): fc.Arbitrary<Uint8Array> => {
  const rule = NOTIFY_DATA[type];
  if (rule === undefined) return bytes(32);
  if (rule.multipleOf !== undefined) return fc.integer({ min: 0, max: 8 }).chain((n) => bytes(2 * n, 2 * n));
  return fc.integer({ min: rule.min, max: rule.max }).chain((n) => bytes(n, n));
};

export const notifyArb: fc.Arbitrary<NotifyPayload> = fc.tuple(
  fc.oneof(fc.constantFrom(...Object.values(NotifyType)), u16),
  fc.constantFrom(0, 1, 2, 3), fc.oneof(fc.constant(new Uint8Array(0)), bytes(8, 4)),
).chain(([notifyType, protocolId, spi]) => notifyData(notifyType).map((data) => ({ type: 'notify' as const, protocolId, spi, notifyType, data })));

export const deleteArb: fc.Arbitrary<DeletePayload> = fc.oneof(
  fc.constant({ type: 'delete' as const, protocolId: ProtocolId.IKE as number, spiSize: 0, spis: [] as Uint8Array[] }),
  fc.tuple(fc.constantFrom(ProtocolId.AH as number, ProtocolId.ESP as number), fc.array(bytes(4, 4), { maxLength: 5 }))
    .map(([protocolId, spis]) => ({ type: 'delete' as const, protocolId, spiSize: 4, spis })),
  fc.tuple(fc.integer({ min: 4, max: 0xff }), fc.integer({ min: 0, max: 8 })).chain(([protocolId, spiSize]) =>
    fc.array(bytes(spiSize, spiSize), { maxLength: spiSize === 0 ? 0 : 4 }).map((spis) => ({ type: 'delete' as const, protocolId, spiSize, spis }))),
);

const ports = fc.oneof(
  fc.tuple(u16, u16).map(([a, b]) => ({ startPort: Math.min(a, b), endPort: Math.max(a, b) })),
  fc.constant({ startPort: 0, endPort: 0xffff }),
  fc.constant({ startPort: 0xffff, endPort: 0 }),
);

const compare = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
};

export const selectorArb: fc.Arbitrary<TrafficSelector> = fc.oneof(
  fc.tuple(u8, ports, u32, u32).map(([ipProtocol, p, a, b]) => ({ type: 'ipv4' as const, ipProtocol, ...p, startAddress: Math.min(a, b), endAddress: Math.max(a, b) })),
  fc.tuple(u8, ports, bytes(16, 16), bytes(16, 16)).map(([ipProtocol, p, a, b]) => {
    const [startAddress, endAddress] = compare(a, b) <= 0 ? [a, b] : [b, a];
    return { type: 'ipv6' as const, ipProtocol, ...p, startAddress, endAddress };
  }),
  fc.tuple(u8.filter((t) => t !== TsType.TS_IPV4_ADDR_RANGE && t !== TsType.TS_IPV6_ADDR_RANGE), u8, bytes(20)).map(([tsType, b1, body]) => {
    const length = 4 + body.length;
    return { type: 'unknown' as const, tsType, raw: Uint8Array.of(tsType, b1, length >>> 8, length & 0xff, ...body) };
  }),
);

export const tsArb: fc.Arbitrary<TsPayload> = fc.tuple(fc.constantFrom('tsi' as const, 'tsr' as const), fc.array(selectorArb, { minLength: 1, maxLength: 4 }))
  .map(([type, selectors]) => ({ type, selectors }));

const cfgAttribute = fc.oneof(
  fc.constantFrom(...Object.keys(CFG_LENGTHS).map(Number)).chain((attrType) => {
    const rule = CFG_LENGTHS[attrType]!;
    const lengths = rule === 'even' ? [0, 2, 4, 8] : rule;
    return fc.constantFrom(...lengths).chain((n) => bytes(n, n)).map((value) => ({ attrType, value }));
  }),
  fc.tuple(fc.integer({ min: 0, max: 0x7fff }).filter((t) => CFG_LENGTHS[t] === undefined), bytes(24)).map(([attrType, value]) => ({ attrType, value })),
);

export const cpArb: fc.Arbitrary<CpPayload> = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.array(cfgAttribute, { maxLength: 6 }))
  .map(([cfgType, attributes]) => ({ type: 'cp' as const, cfgType, attributes }));

/** Every payload kind but SK and SKF (those end a chain). */
export const plainPayloads: Record<string, fc.Arbitrary<Payload>> = {
  sa: saArb,
  ke: fc.tuple(u16, bytes(64)).map(([group, data]) => ({ type: 'ke' as const, group, data })),
  id: idArb,
  cert: fc.tuple(u8, bytes(48)).map(([encoding, data]) => ({ type: 'cert' as const, encoding, data })),
  certreq: fc.tuple(u8, bytes(60)).map(([encoding, authorities]) => ({ type: 'certreq' as const, encoding, authorities })),
  auth: fc.tuple(u8, bytes(48)).map(([method, data]) => ({ type: 'auth' as const, method, data })),
  nonce: bytes(256, 16).map((data) => ({ type: 'nonce' as const, data })),
  notify: notifyArb,
  delete: deleteArb,
  vendorId: bytes(24).map((data) => ({ type: 'vendor-id' as const, data })),
  ts: tsArb,
  cp: cpArb,
  eap: bytes(24).map((message) => ({ type: 'eap' as const, message })),
  unknown: fc.tuple(fc.integer({ min: 1, max: 0xff }).filter((t) => !isKnownPayloadType(t)), fc.integer({ min: 0, max: 0x7f }), bytes(24))
    .map(([payloadType, flags, body]) => ({ type: 'unknown' as const, payloadType, flags, body })),
};

export const encryptedPayloads: Record<string, fc.Arbitrary<Payload>> = {
  sk: fc.tuple(u8, bytes(64)).map(([firstPayload, body]) => ({ type: 'sk' as const, firstPayload, body })),
  skf: fc.tuple(u8, fc.integer({ min: 1, max: 0xffff }), fc.nat(), bytes(48)).map(([firstPayload, totalFragments, n, body]) => ({
    type: 'skf' as const, firstPayload, fragmentNumber: 1 + (n % totalFragments), totalFragments, body,
  })),
};

export const headerArb = fc.record({
  spiI: u64, spiR: u64, exchangeType: fc.oneof(fc.integer({ min: 34, max: 37 }), u8), flags: u8, messageId: u32, minorVersion: fc.integer({ min: 0, max: 15 }),
});

/** A message: any plain payloads, then maybe one SK or SKF. */
export const messageArb: fc.Arbitrary<IkeMessage> = fc.record({
  header: headerArb,
  plain: fc.array(fc.oneof(...Object.values(plainPayloads)), { maxLength: 6 }),
  sealed: fc.option(fc.oneof(...Object.values(encryptedPayloads)), { nil: undefined }),
}).map(({ header, plain, sealed }) => ({ header, payloads: sealed === undefined ? plain : [...plain, sealed] }));

export { PayloadType };
