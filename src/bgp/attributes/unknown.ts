/**
 * An attribute this speaker does not recognise, kept byte for byte: `flags` exactly as received
 * (Extended Length included), so re-encoding reproduces it. Optional transitive ones are passed
 * on with the Partial bit set; optional non-transitive ones are for the caller to drop (RFC 4271
 * §5); a well-known one is never kept (Unrecognized Well-known Attribute). The attribute list
 * encodes and decodes these itself: there is no value structure to know.
 */
export interface UnknownAttribute {
  type: 'unknown';
  flags: number;
  code: number;
  value: Uint8Array;
}
