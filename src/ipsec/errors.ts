import { VpnlabError } from '../core/errors.js';
import type { EspErrorCode } from '../esp/errors.js';

/** Why the IPsec data plane dropped a packet, as counted per CHILD_SA (and in the table's own drops). */
export const IpsecDrop = {
  /** Outbound: the child has no SA (not negotiated yet, or hard-expired): never sent in clear. */
  NoSa: 'no-sa',
  /** Inbound: no SA has this SPI. */
  UnknownSpi: 'unknown-spi',
  /** Inbound: too short to carry an SPI and a sequence number. */
  Truncated: 'truncated',
  /** Decrypted, but the inner packet's addresses/ports lie outside the child's selectors (RFC 4301 §5.2). */
  SelectorMismatch: 'selector-mismatch',
  /** Decrypted, but not a well-formed IPv4 packet. */
  MalformedInner: 'malformed-inner',
  /** Decrypted, but nothing (tunnel interface, policy set) takes this child's traffic. */
  NoReceiver: 'no-receiver',
  /** The outer packet could not be sent (no route to the peer, egress down). */
  OuterSendFailed: 'outer-send-failed',
} as const;
export type IpsecDrop = (typeof IpsecDrop)[keyof typeof IpsecDrop];

/** A drop reason of ours or the ESP SA's own (replay, ICV mismatch, expired...). */
export type IpsecDropReason = IpsecDrop | EspErrorCode;

export const IpsecErrorCode = {
  /** A CHILD_SA was installed with an inbound SPI another installed SA already has. */
  SpiInUse: 'ERR_IPSEC_SPI_IN_USE',
  /** A second tunnel interface or policy set claimed a child's inbound traffic. */
  ChildBound: 'ERR_IPSEC_CHILD_BOUND',
} as const;
export type IpsecErrorCode = (typeof IpsecErrorCode)[keyof typeof IpsecErrorCode];

export class IpsecError extends VpnlabError {
  declare readonly code: IpsecErrorCode;

  constructor(code: IpsecErrorCode, message: string) {
    super(code, message);
  }
}
