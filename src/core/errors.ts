/**
 * Every failure vpnlab reports is an error with a stable `code` (tests assert codes, never message
 * text). Protocol engines add their own classes (BgpError, IkeError) on top of this one.
 */
export class VpnlabError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bytes that do not decode as the codec's message: truncated, bad length, bad version... */
export class DecodeError extends VpnlabError {
  /** Byte offset into the buffer being decoded where the problem was found. */
  readonly offset: number;

  constructor(code: DecodeErrorCode, message: string, offset: number) {
    super(code, message);
    this.offset = offset;
  }
}

export const DecodeErrorCode = {
  Truncated: 'ERR_DECODE_TRUNCATED',
  BadLength: 'ERR_DECODE_BAD_LENGTH',
  BadVersion: 'ERR_DECODE_BAD_VERSION',
  BadChecksum: 'ERR_DECODE_BAD_CHECKSUM',
  BadValue: 'ERR_DECODE_BAD_VALUE',
} as const;
export type DecodeErrorCode = (typeof DecodeErrorCode)[keyof typeof DecodeErrorCode];

/** A value given to an encoder or an API that cannot be represented (port > 65535, ...). */
export class InvalidArgumentError extends VpnlabError {
  constructor(message: string) {
    super('ERR_INVALID_ARGUMENT', message);
  }
}
