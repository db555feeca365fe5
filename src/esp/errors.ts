import { VpnlabError } from '../core/errors.js';

/**
 * Why an ESP packet was dropped or could not be sent. Stable codes: the SA returns these (it never
 * throws them past itself) and the caller counts and drops, as a kernel's XFRM statistics do.
 */
export const EspErrorCode = {
  /** Shorter than ESP header + IV + minimal ciphertext + ICV, or a UDP payload too short to classify. */
  Truncated: 'ERR_ESP_TRUNCATED',
  /** The SPI is not this SA's. */
  BadSpi: 'ERR_ESP_BAD_SPI',
  /** Ciphertext that is not whole cipher blocks. */
  BadLength: 'ERR_ESP_BAD_LENGTH',
  /** The ICV (or GCM tag) does not verify. */
  IcvMismatch: 'ERR_ESP_ICV_MISMATCH',
  /** Sequence number already seen, left of the window, or 0. */
  Replay: 'ERR_ESP_REPLAY',
  /** Pad Length too large, or padding that is not 1, 2, 3, ... (RFC 4303 §2.4). */
  BadPadding: 'ERR_ESP_BAD_PADDING',
  /** A Next Header this SA does not carry (tunnel mode IPv4 carries 4). */
  BadNextHeader: 'ERR_ESP_BAD_NEXT_HEADER',
  /** Next Header 59: a dummy (traffic flow confidentiality) packet, to be discarded (RFC 4303 §2.6). */
  DummyPacket: 'ERR_ESP_DUMMY_PACKET',
  /** Outbound: the sequence number would wrap; the SA must be rekeyed (RFC 4303 §3.3.3). */
  SequenceExhausted: 'ERR_ESP_SEQUENCE_EXHAUSTED',
  /** The SA reached a hard lifetime limit and carries nothing more. */
  SaExpired: 'ERR_ESP_SA_EXPIRED',
} as const;
export type EspErrorCode = (typeof EspErrorCode)[keyof typeof EspErrorCode];

export class EspError extends VpnlabError {
  declare readonly code: EspErrorCode;

  constructor(code: EspErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
