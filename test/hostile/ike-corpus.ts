import type { SeededRng } from '../../src/core/rng.js';
import { dhGroupById } from '../../src/crypto/dh.js';
import { DhGroup } from '../../src/crypto/iana.js';
import { ExchangeType, HeaderFlag, NotifyType, PayloadType } from '../../src/ike/constants.js';
import { decodeMessage, encodeMessage, type IkeMessage } from '../../src/ike/message.js';
import { natDetectionNotifies } from '../../src/ike/nat.js';
import { cookieNotify } from '../../src/ike/payloads/notify.js';
import { parseProposals } from '../../src/ike/proposal.js';
import type { Endpoint } from '../../src/transport/types.js';
import { readUint, writeUint, type LengthField, type Mutator } from './mutator.js';

/*
 * Valid IKE messages built with the project's encoder (src/ike/message.ts): IKE_SA_INIT
 * requests as an initiator sends them (SA, KE, Nonce, NAT detection), the same with a cookie,
 * and forged headers carrying a live IKE SA's SPIs with any exchange type, flags and message ID
 * in front of random bytes. Plus the length fields of a message, for the mutator.
 */

export const IKE_PROPOSAL = 'aes256-sha256-ecp256';
const HEADER = 28;
const SPI_BYTES = 8;
export const NON_ESP_MARKER = new Uint8Array(4);

export function randomSpi(rng: SeededRng): bigint {
  const b = rng.bytes(SPI_BYTES);
  b[0] = b[0]! | 1; // never zero
  return b.reduce((v, x) => (v << 8n) | BigInt(x), 0n);
}

/** An IKE_SA_INIT request from `local` to `remote`, as message object (so a cookie can be added). */
export function saInitRequest(rng: SeededRng, local: Endpoint, remote: Endpoint): IkeMessage {
  const spiI = randomSpi(rng);
  return {
    header: { spiI, spiR: 0n, exchangeType: ExchangeType.IKE_SA_INIT, flags: HeaderFlag.INITIATOR, messageId: 0, minorVersion: 0 },
    payloads: [
      { type: 'sa', proposals: parseProposals([IKE_PROPOSAL], 'ike') },
      { type: 'ke', group: DhGroup.Ecp256, data: dhGroupById(DhGroup.Ecp256).generate(rng).publicValue },
      { type: 'nonce', data: rng.bytes(32) },
      ...natDetectionNotifies(spiI, 0n, local, remote, false),
    ],
  };
}

export function withCookie(m: IkeMessage, cookie: Uint8Array): Uint8Array {
  return encodeMessage({ header: m.header, payloads: [cookieNotify(cookie), ...m.payloads.filter((p) => p.type !== 'notify' || p.notifyType !== NotifyType.COOKIE)] });
}

/** The same message under a fresh initiator SPI (NAT hashes then no longer match: the responder just sees a NAT). */
export function withSpi(bytes: Uint8Array, spiI: bigint): Uint8Array {
  const out = bytes.slice();
  for (let i = 7, v = spiI; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** The COOKIE a response asks for, or undefined. */
export function cookieOf(response: Uint8Array): { spiI: bigint; cookie: Uint8Array } | undefined {
  try {
    const m = decodeMessage(response);
    const n = m.payloads.find((p) => p.type === 'notify' && p.notifyType === NotifyType.COOKIE);
    return n !== undefined && n.type === 'notify' ? { spiI: m.header.spiI, cookie: n.data } : undefined;
  } catch {
    return undefined;
  }
}

const EXCHANGES = [ExchangeType.IKE_SA_INIT, ExchangeType.IKE_AUTH, ExchangeType.CREATE_CHILD_SA, ExchangeType.INFORMATIONAL, ExchangeType.IKE_SESSION_RESUME, ExchangeType.IKE_INTERMEDIATE, ExchangeType.IKE_FOLLOWUP_KE, 0, 33, 255];
const FLAGS = [0, HeaderFlag.INITIATOR, HeaderFlag.RESPONSE, HeaderFlag.INITIATOR | HeaderFlag.RESPONSE, HeaderFlag.VERSION | HeaderFlag.INITIATOR, 0xff];
const NEXT = [PayloadType.SK, PayloadType.SK, PayloadType.SKF, PayloadType.SA, PayloadType.NOTIFY, PayloadType.DELETE, PayloadType.NONE, 200];

/**
 * A message in a live IKE SA's name that its owner never sent: its SPIs (sometimes one zeroed or
 * the pair swapped), any exchange type, flags and message ID, and random bytes for a body (an
 * SK payload mostly, whose ICV cannot verify).
 */
export function forged(m: Mutator, spiI: bigint, spiR: bigint): Uint8Array {
  const spis = m.pick([[spiI, spiR], [spiI, spiR], [spiI, spiR], [spiI, 0n], [spiR, spiI]] as const);
  const header = encodeMessage({ header: { spiI: spis[0], spiR: spis[1], exchangeType: m.pick(EXCHANGES), flags: m.pick(FLAGS), messageId: m.pick([0, 1, 2, 3, 4, 5, 100, 0x7fffffff, 0xffffffff, m.int(2 ** 32)]), minorVersion: 0 }, payloads: [] });
  const body = m.bytes(m.pick([0, 4, 8, 36, 56, 84, 200, 1000, m.int(1400)]));
  if (body.length >= 4) {
    // a generic payload header that holds together, mostly
    body[0] = m.pick([0, 0, PayloadType.NOTIFY, 77]);
    body[1] = 0;
    writeUint(body, 2, 2, m.int(4) === 0 ? m.int(65536) : body.length);
  }
  const out = new Uint8Array(HEADER + body.length);
  out.set(header);
  out.set(body, HEADER);
  out[16] = body.length === 0 ? PayloadType.NONE : m.pick(NEXT);
  writeUint(out, 24, 4, m.int(8) === 0 ? m.int(2 ** 16) : out.length);
  return out;
}

/** The Length field of the header and of each payload in the chain (up to an SK payload). */
export function ikeLengthFields(b: Uint8Array): LengthField[] {
  const out: LengthField[] = [{ at: 24, size: 4 }];
  let type = b[16] ?? 0;
  for (let p = HEADER; type !== 0 && p + 4 <= b.length;) {
    out.push({ at: p + 2, size: 2 });
    if (type === PayloadType.SK || type === PayloadType.SKF) break;
    type = b[p]!;
    p += Math.max(4, readUint(b, p + 2, 2));
  }
  return out;
}
