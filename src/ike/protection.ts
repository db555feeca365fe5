import type { BytesSource } from '../crypto/bytes.js';
import { CryptoError } from '../crypto/errors.js';
import type { SkCipher } from '../crypto/suite.js';
import { PayloadType } from './constants.js';
import { IkeError } from './errors.js';
import { HEADER_LENGTH } from './header.js';
import { decodeMessage, encodeMessage, type IkeMessage } from './message.js';
import { decodePayloadChain, encodePayloadChain, type Payload } from './payload-chain.js';
import { GENERIC_HEADER_LENGTH } from './payloads/generic.js';

/*
 * Protected messages (RFC 7296 §3.14): every exchange after IKE_SA_INIT carries its payloads in
 * one Encrypted payload. The header and the SK payload's generic header are authenticated but
 * not encrypted, so the message is laid out with the final lengths first, then sealed in place.
 */

/** The datagram for `header` with `payloads` encrypted under `cipher`. */
export function protectMessage(header: IkeMessage['header'], payloads: readonly Payload[], cipher: SkCipher, source: BytesSource): Uint8Array {
  const inner = encodePayloadChain(payloads);
  const bodyLength = cipher.bodyLength(inner.bytes.length);
  const bytes = encodeMessage({ header, payloads: [{ type: 'sk', firstPayload: inner.first, body: new Uint8Array(bodyLength) }] });
  const associated = bytes.subarray(0, HEADER_LENGTH + GENERIC_HEADER_LENGTH);
  bytes.set(cipher.seal(associated, inner.bytes, source), associated.length);
  return bytes;
}

export type UnprotectResult =
  | { readonly ok: true; readonly message: IkeMessage }
  | { readonly ok: false; readonly reason: string };

/**
 * The message with the SK payload's content decoded in its place. A message that does not
 * authenticate is not an error the sender may hear about (RFC 7296 §2.21.2: it is dropped), so
 * every failure before the ICV verifies is a result: an outer chain that does not decode, no
 * Encrypted payload, a bad ICV. Only a malformed *authenticated* inner chain throws IkeError
 * (INVALID_SYNTAX, UNSUPPORTED_CRITICAL_PAYLOAD), which the SA answers.
 */
export function unprotectMessage(bytes: Uint8Array, cipher: SkCipher): UnprotectResult {
  let outer: IkeMessage;
  try {
    outer = decodeMessage(bytes);
  } catch (e) {
    if (e instanceof IkeError) return { ok: false, reason: `unauthenticated message does not decode: ${e.message}` };
    throw e;
  }
  const sk = outer.payloads.at(-1);
  if (sk === undefined || sk.type !== 'sk') {
    if (outer.payloads.some((p) => p.type === 'skf')) return { ok: false, reason: 'IKE fragments (RFC 7383) are not supported' };
    return { ok: false, reason: 'no Encrypted payload in a protected exchange' };
  }
  let plaintext: Uint8Array;
  try {
    plaintext = cipher.open(bytes.subarray(0, bytes.length - sk.body.length), sk.body);
  } catch (e) {
    if (e instanceof CryptoError) return { ok: false, reason: `Encrypted payload rejected: ${e.message}` };
    throw e;
  }
  const inner = sk.firstPayload === PayloadType.NONE ? [] : decodePayloadChain(plaintext, sk.firstPayload);
  return { ok: true, message: { header: outer.header, payloads: [...outer.payloads.slice(0, -1), ...inner] } };
}
