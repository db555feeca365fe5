/**
 * What the codecs need to know about the session. Set from the OPEN exchange: `fourOctetAs` when
 * both sides advertised the 4-octet AS capability (RFC 6793 §3), `maxMessageLength` 65535 when
 * both advertised Extended Messages (RFC 8654).
 */
export interface CodecContext {
  /** AS_PATH and AGGREGATOR carry 4-octet AS numbers; AS4_PATH / AS4_AGGREGATOR are not used. */
  fourOctetAs: boolean;
  /** The largest message sent or accepted; 4096 (RFC 4271 §4.1) unless extended messages are on. */
  maxMessageLength?: number;
}

/** Receiving needs two more facts (RFC 7606 §7.5, §7.9, §7.10, §7.11). */
export interface DecodeContext extends CodecContext {
  /**
   * The peer is external (eBGP): LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST from it are discarded
   * (attribute discard) instead of validated.
   */
  external: boolean;
  /**
   * Use "AFI/SAFI disable" (RFC 4760 §7) rather than "session reset" for a malformed
   * MP_REACH_NLRI / MP_UNREACH_NLRI whose AFI/SAFI can be read. Off by default: a session that
   * carries only IPv4 unicast gains nothing from disabling it.
   */
  afiSafiDisable?: boolean;
}

export const DEFAULT_MAX_MESSAGE_LENGTH = 4096;
/** RFC 8654 §4. */
export const EXTENDED_MAX_MESSAGE_LENGTH = 65535;

export function maxLengthOf(ctx: { maxMessageLength?: number } | undefined): number {
  return ctx?.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
}
