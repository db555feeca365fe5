import { Reader } from '../core/bytes/reader.js';
import { Writer } from '../core/bytes/writer.js';
import { InvalidArgumentError } from '../core/errors.js';
import { PayloadType, notifyName, payloadName } from './constants.js';
import { decoding, invalidSyntax, unsupportedCriticalPayload } from './errors.js';
import { authCodec, type AuthPayload } from './payloads/auth.js';
import { certCodec, type CertPayload } from './payloads/cert.js';
import { certReqCodec, type CertReqPayload } from './payloads/certreq.js';
import { cpCodec, type CpPayload } from './payloads/cp.js';
import { deleteCodec, type DeletePayload } from './payloads/delete.js';
import { eapCodec, type EapPayload } from './payloads/eap.js';
import { CRITICAL, GENERIC_HEADER_LENGTH, decodeGenericHeader, encodeGenericHeader, unknownCodec, type PayloadCodec, type UnknownPayload } from './payloads/generic.js';
import { idCodec, type IdPayload } from './payloads/id.js';
import { keCodec, type KePayload } from './payloads/ke.js';
import { nonceCodec, type NoncePayload } from './payloads/nonce.js';
import { notifyCodec, type NotifyPayload } from './payloads/notify.js';
import { saCodec, type SaPayload } from './payloads/sa.js';
import { skCodec, type SkPayload } from './payloads/sk.js';
import { skfCodec, type SkfPayload } from './payloads/skf.js';
import { tsCodec, type TsPayload } from './payloads/ts.js';
import { vendorIdCodec, type VendorIdPayload } from './payloads/vendor-id.js';

/*
 * A chain of payloads (RFC 7296 §3.2): each generic header names the type of the next payload,
 * the first type comes from outside (the IKE header, or an SK payload's header for what it
 * encrypts). The same code decodes a plaintext message body and a decrypted SK payload.
 *
 * The payload table (after strongSwan's payload type → parser rules) maps each wire type to its
 * discriminant and body codec. Unknown types: critical bit clear → kept as bytes and re-encoded
 * as received; set → UNSUPPORTED_CRITICAL_PAYLOAD with the type as data (RFC 7296 §2.5). The
 * critical bit of a known payload is ignored on receipt and sent clear (RFC 7296 §3.2).
 */

export type KnownPayload =
  | SaPayload | KePayload | IdPayload | CertPayload | CertReqPayload | AuthPayload | NoncePayload
  | NotifyPayload | DeletePayload | VendorIdPayload | TsPayload | SkPayload | CpPayload | EapPayload | SkfPayload;

/** Any payload, discriminated on `type`. */
export type Payload = KnownPayload | UnknownPayload;

type Discriminant = KnownPayload['type'];

const TYPE_CODE: Readonly<Record<Discriminant, number>> = {
  sa: PayloadType.SA,
  ke: PayloadType.KE,
  idi: PayloadType.IDi,
  idr: PayloadType.IDr,
  cert: PayloadType.CERT,
  certreq: PayloadType.CERTREQ,
  auth: PayloadType.AUTH,
  nonce: PayloadType.NONCE,
  notify: PayloadType.NOTIFY,
  delete: PayloadType.DELETE,
  'vendor-id': PayloadType.VENDOR_ID,
  tsi: PayloadType.TSi,
  tsr: PayloadType.TSr,
  sk: PayloadType.SK,
  cp: PayloadType.CP,
  eap: PayloadType.EAP,
  skf: PayloadType.SKF,
};

/* The codec per wire type; typed loosely here because the table is heterogeneous. */
const CODECS = new Map<number, PayloadCodec<Payload>>([
  [PayloadType.SA, saCodec],
  [PayloadType.KE, keCodec],
  [PayloadType.IDi, idCodec],
  [PayloadType.IDr, idCodec],
  [PayloadType.CERT, certCodec],
  [PayloadType.CERTREQ, certReqCodec],
  [PayloadType.AUTH, authCodec],
  [PayloadType.NONCE, nonceCodec],
  [PayloadType.NOTIFY, notifyCodec],
  [PayloadType.DELETE, deleteCodec],
  [PayloadType.VENDOR_ID, vendorIdCodec],
  [PayloadType.TSi, tsCodec],
  [PayloadType.TSr, tsCodec],
  [PayloadType.SK, skCodec],
  [PayloadType.CP, cpCodec],
  [PayloadType.EAP, eapCodec],
  [PayloadType.SKF, skfCodec],
] as [number, PayloadCodec<Payload>][]);

/** The wire payload type of a payload. */
export function payloadTypeOf(p: Payload): number {
  return p.type === 'unknown' ? p.payloadType : TYPE_CODE[p.type];
}

/** True for the types this implementation decodes (everything else is kept raw or refused). */
export function isKnownPayloadType(type: number): boolean {
  return CODECS.has(type);
}

function codecOf(p: Payload): PayloadCodec<Payload> {
  return p.type === 'unknown' ? (unknownCodec as PayloadCodec<Payload>) : CODECS.get(TYPE_CODE[p.type])!;
}

/** SK and SKF end a chain: their Next Payload field names what is inside them. */
function isEncrypted(p: Payload): p is SkPayload | SkfPayload {
  return p.type === 'sk' || p.type === 'skf';
}

/** One payload's length, generic header included. */
export function payloadEncodedLength(p: Payload): number {
  return GENERIC_HEADER_LENGTH + codecOf(p).encodedLength(p);
}

export function payloadsEncodedLength(list: readonly Payload[]): number {
  let n = 0;
  for (const p of list) n += payloadEncodedLength(p);
  return n;
}

/** The type to put in the header (or SK payload) in front of a chain: the first payload's, or 0. */
export function firstPayloadType(list: readonly Payload[]): number {
  return list.length === 0 ? PayloadType.NONE : payloadTypeOf(list[0]!);
}

/**
 * Encodes a chain, computing every Next Payload and Payload Length. An SK or SKF payload must be
 * the last one (RFC 7296 §3.14); an unknown payload keeps its flags octet, known ones send 0.
 */
export function encodePayloads(list: readonly Payload[], w: Writer): void {
  list.forEach((p, i) => {
    const last = i === list.length - 1;
    if (isEncrypted(p) && !last) throw new InvalidArgumentError(`${payloadName(payloadTypeOf(p))} must be the last payload`);
    const next = isEncrypted(p) ? p.firstPayload : last ? PayloadType.NONE : payloadTypeOf(list[i + 1]!);
    const codec = codecOf(p);
    if (p.type === 'unknown' && (p.payloadType === PayloadType.NONE || isKnownPayloadType(p.payloadType))) {
      throw new InvalidArgumentError(`an unknown payload cannot have type ${p.payloadType} (${payloadName(p.payloadType)})`);
    }
    encodeGenericHeader(w, next, p.type === 'unknown' ? p.flags : 0, codec.encodedLength(p));
    codec.encode(p, w);
  });
}

/**
 * Decodes the chain starting with type `first` from the reader's current position to its end.
 * Throws IkeError (INVALID_SYNTAX; UNSUPPORTED_CRITICAL_PAYLOAD); a Reader DecodeError may escape
 * — use decodePayloadChain, or wrap with `decoding`, at the outermost call.
 */
export function decodePayloads(r: Reader, first: number): Payload[] {
  const out: Payload[] = [];
  let type = first;
  while (type !== PayloadType.NONE) {
    const h = decodeGenericHeader(r, type);
    const body = r.sub(h.length - GENERIC_HEADER_LENGTH);
    const codec = CODECS.get(type);
    let p: Payload;
    if (codec !== undefined) {
      p = codec.decode(body, h);
      if (body.remaining > 0) throw invalidSyntax(`${payloadName(type)}: ${body.remaining} octet(s) left unread`);
    } else if ((h.flags & CRITICAL) !== 0) {
      throw unsupportedCriticalPayload(type);
    } else {
      p = unknownCodec.decode(body, h);
    }
    out.push(p);
    if (isEncrypted(p)) break;
    type = h.nextPayload;
  }
  if (r.remaining > 0) {
    const last = out.at(-1);
    const where = last === undefined ? 'before any payload' : `after the last payload (${payloadName(payloadTypeOf(last))})`;
    throw invalidSyntax(`${r.remaining} octet(s) ${where}`);
  }
  return out;
}

/** Decodes a whole chain held in `bytes` (a decrypted SK payload's content, say). */
export function decodePayloadChain(bytes: Uint8Array, first: number): Payload[] {
  return decoding(() => decodePayloads(new Reader(bytes), first));
}

/** Encodes a chain alone: its bytes and the type that names its first payload. */
export function encodePayloadChain(list: readonly Payload[]): { first: number; bytes: Uint8Array } {
  const n = payloadsEncodedLength(list);
  const w = new Writer(n);
  encodePayloads(list, w);
  return { first: firstPayloadType(list), bytes: w.finish(n) };
}

/** strongSwan-style summary for logs: `SA KE No N(NAT_DETECTION_SOURCE_IP) V`. */
export function describePayloads(list: readonly Payload[]): string {
  return list.map((p) => (p.type === 'notify' ? `N(${notifyName(p.notifyType)})` : payloadName(payloadTypeOf(p)))).join(' ');
}
