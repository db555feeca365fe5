import { Reader } from '../core/bytes/reader.js';
import { Writer } from '../core/bytes/writer.js';
import { DecodeError, InvalidArgumentError } from '../core/errors.js';
import { maxLengthOf, type CodecContext, type DecodeContext } from './context.js';
import { BgpError, ErrorCode, MessageHeaderSubcode, OpenMessageSubcode, RouteRefreshSubcode, UpdateMessageSubcode, headerError, u16Bytes } from './errors.js';
import { HEADER_LENGTH, MessageType, checkHeader, writeHeader } from './header.js';
import { decodeKeepalive, encodeKeepalive, keepaliveEncodedLength, type KeepaliveMessage } from './keepalive.js';
import { decodeNotification, encodeNotification, notificationEncodedLength, type NotificationMessage } from './notification.js';
import { decodeOpen, encodeOpen, openEncodedLength, type OpenMessage } from './open.js';
import { decodeRouteRefresh, encodeRouteRefresh, routeRefreshEncodedLength, type RouteRefreshMessage } from './route-refresh.js';
import { decodeUpdate, encodeUpdate, updateEncodedLength, type UpdateMessage, type UpdateOutcome } from './update.js';

/** Every BGP message, discriminated on `type`. */
export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

/** What decoding yields: the message itself, except that an UPDATE comes with its RFC 7606 outcome. */
export type DecodedMessage = Exclude<BgpMessage, UpdateMessage> | UpdateOutcome;

const TYPE_CODE: Record<BgpMessage['type'], MessageType> = {
  open: MessageType.Open,
  update: MessageType.Update,
  notification: MessageType.Notification,
  keepalive: MessageType.Keepalive,
  'route-refresh': MessageType.RouteRefresh,
};

function bodyLength(m: BgpMessage, ctx: CodecContext): number {
  switch (m.type) {
    case 'open': return openEncodedLength(m);
    case 'update': return updateEncodedLength(m, ctx);
    case 'notification': return notificationEncodedLength(m);
    case 'keepalive': return keepaliveEncodedLength(m);
    case 'route-refresh': return routeRefreshEncodedLength(m);
  }
}

/** The whole message's length, header included. */
export function messageEncodedLength(m: BgpMessage, ctx: CodecContext): number {
  return HEADER_LENGTH + bodyLength(m, ctx);
}

/** Encodes a whole message; throws InvalidArgumentError when it exceeds the session's maximum length. */
export function encodeMessage(m: BgpMessage, ctx: CodecContext): Uint8Array {
  const length = messageEncodedLength(m, ctx);
  const max = maxLengthOf(ctx);
  if (length > max) throw new InvalidArgumentError(`${m.type} message of ${length} octets exceeds the ${max}-octet maximum`);
  const w = new Writer(length);
  writeHeader(w, TYPE_CODE[m.type], length);
  switch (m.type) {
    case 'open': encodeOpen(m, w); break;
    case 'update': encodeUpdate(m, w, ctx); break;
    case 'notification': encodeNotification(m, w); break;
    case 'keepalive': encodeKeepalive(m, w); break;
    case 'route-refresh': encodeRouteRefresh(m, w); break;
  }
  return w.finish(length);
}

/**
 * Decodes one whole message (header included, as the framer delivers them). Throws BgpError for
 * every error that ends the session; an UPDATE's softer errors are in its outcome.
 */
export function decodeMessage(raw: Uint8Array, ctx: DecodeContext): DecodedMessage {
  if (raw.length < HEADER_LENGTH) {
    throw headerError(MessageHeaderSubcode.BadMessageLength, u16Bytes(raw.length), `${raw.length} octet(s) cannot hold a header`);
  }
  const header = checkHeader(raw, 0, maxLengthOf(ctx));
  if (header.length !== raw.length) {
    throw headerError(MessageHeaderSubcode.BadMessageLength, u16Bytes(header.length), `Length field ${header.length}, ${raw.length} octets given`);
  }
  const r = new Reader(raw, HEADER_LENGTH, raw.length);
  try {
    switch (header.type) {
      case MessageType.Open: return decodeOpen(r);
      case MessageType.Update: return decodeUpdate(r, ctx);
      case MessageType.Notification: return decodeNotification(r);
      case MessageType.Keepalive: return decodeKeepalive(r);
      case MessageType.RouteRefresh: return decodeRouteRefresh(r, raw);
    }
  } catch (e) {
    // The decoders check lengths before reading; a read past the end still gets the error the
    // message type's RFC would give a malformed message, never a bare DecodeError.
    if (e instanceof DecodeError) throw truncated(header.type, raw, e);
    throw e;
  }
}

function truncated(type: MessageType, raw: Uint8Array, e: DecodeError): BgpError {
  switch (type) {
    case MessageType.Open: return new BgpError(ErrorCode.OpenMessage, OpenMessageSubcode.Unspecific, undefined, 'session-reset', e.message);
    case MessageType.RouteRefresh: return new BgpError(ErrorCode.RouteRefreshMessage, RouteRefreshSubcode.InvalidMessageLength, raw.slice(), 'session-reset', e.message);
    case MessageType.Update: return new BgpError(ErrorCode.UpdateMessage, UpdateMessageSubcode.MalformedAttributeList, undefined, 'session-reset', e.message);
    default: return headerError(MessageHeaderSubcode.BadMessageLength, u16Bytes(raw.length), e.message);
  }
}
