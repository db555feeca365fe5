import { DecodeError, VpnlabError } from '../core/errors.js';
import { NotifyType, notifyName, payloadName } from './constants.js';

const EMPTY = new Uint8Array(0);

/**
 * An IKEv2 protocol error: the Notify it maps to (`notifyType`, with `data` exactly as RFC 7296
 * §3.10.1 defines that type's Notification Data) and a message for logs. The codecs throw it for
 * malformed input — never anything else — and only the IKE SA turns it into a Notify payload
 * (or, for an unauthenticated message, into silence: RFC 7296 §2.21).
 *
 * `code` (inherited) is a stable string, `ERR_IKE_` and the notify name (`ERR_IKE_INVALID_SYNTAX`);
 * tests match it or `notifyType`, never the message text.
 */
export class IkeError extends VpnlabError {
  readonly notifyType: number;
  readonly data: Uint8Array;

  constructor(notifyType: number, message: string, data: Uint8Array = EMPTY, options?: { cause?: unknown }) {
    super(`ERR_IKE_${notifyName(notifyType)}`, `${notifyName(notifyType)}: ${message}`, options);
    this.notifyType = notifyType;
    this.data = data;
  }
}

/** INVALID_SYNTAX (7): "the message was malformed"; no data. */
export function invalidSyntax(message: string): IkeError {
  return new IkeError(NotifyType.INVALID_SYNTAX, message);
}

/** UNSUPPORTED_CRITICAL_PAYLOAD (1): the data is the one-octet payload type (RFC 7296 §3.10.1). */
export function unsupportedCriticalPayload(payloadType: number): IkeError {
  return new IkeError(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD,
    `payload type ${payloadType} (${payloadName(payloadType)}) is critical and not supported`, Uint8Array.of(payloadType & 0xff));
}

/** A Reader's DecodeError (a read past a structure's end) as the INVALID_SYNTAX it means in IKE. */
export function fromDecodeError(e: DecodeError): IkeError {
  return new IkeError(NotifyType.INVALID_SYNTAX, e.message, EMPTY, { cause: e });
}

/** Runs a decoder and turns a DecodeError escaping it into INVALID_SYNTAX; anything else passes. */
export function decoding<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DecodeError) throw fromDecodeError(e);
    throw e;
  }
}
