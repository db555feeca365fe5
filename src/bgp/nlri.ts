import type { Reader } from '../core/bytes/reader.js';
import type { Writer } from '../core/bytes/writer.js';
import { InvalidArgumentError } from '../core/errors.js';
import { maskOf, type Prefix } from '../net/address.js';
import { UpdateMessageSubcode, updateError } from './errors.js';

/*
 * IPv4 prefixes as the Withdrawn Routes and NLRI fields (RFC 4271 §4.3) and MP_REACH /
 * MP_UNREACH for AFI 1 (RFC 4760 §5) encode them: a length in bits, then the fewest octets that
 * hold that many bits. "The value of trailing bits is irrelevant" (RFC 4271 §4.3), so bits past
 * the length are masked off on decode rather than rejected; RFC 7606 §5.3 names only two syntax
 * errors: a length over 32, and a prefix that runs past the end of its field.
 */

export const MAX_IPV4_PREFIX_LENGTH = 32;

export function prefixEncodedLength(p: Prefix): number {
  return 1 + ((p.length + 7) >>> 3);
}

export function prefixesEncodedLength(prefixes: readonly Prefix[]): number {
  let n = 0;
  for (const p of prefixes) n += prefixEncodedLength(p);
  return n;
}

export function encodePrefix(p: Prefix, w: Writer): void {
  if (!Number.isInteger(p.length) || p.length < 0 || p.length > MAX_IPV4_PREFIX_LENGTH) {
    throw new InvalidArgumentError(`prefix length ${p.length} is not 0-32`);
  }
  w.u8(p.length);
  const octets = (p.length + 7) >>> 3;
  const address = (p.address & maskOf(p.length)) >>> 0;
  for (let i = 0; i < octets; i++) w.u8((address >>> (24 - 8 * i)) & 0xff);
}

export function encodePrefixes(prefixes: readonly Prefix[], w: Writer): void {
  for (const p of prefixes) encodePrefix(p, w);
}

/**
 * Decodes prefixes until the reader is empty. A syntax error throws UPDATE Message Error /
 * Invalid Network Field (RFC 4271 §6.3, no data) as a session reset (RFC 7606 §5.3, §3 (j));
 * MP attributes pass their own subcode (Optional Attribute Error, RFC 4760 §7).
 */
export function decodePrefixes(r: Reader, field: string, subcode: number = UpdateMessageSubcode.InvalidNetworkField): Prefix[] {
  const out: Prefix[] = [];
  const buf = r.buf;
  let pos = r.offset;
  const end = pos + r.remaining;
  while (pos < end) {
    const length = buf[pos++]!;
    if (length > MAX_IPV4_PREFIX_LENGTH) {
      throw updateError(subcode, `${field}: prefix length ${length} > ${MAX_IPV4_PREFIX_LENGTH}`);
    }
    const octets = (length + 7) >>> 3;
    if (pos + octets > end) {
      throw updateError(subcode, `${field}: a /${length} prefix needs ${octets} octet(s), ${end - pos} left`);
    }
    let address = 0;
    for (let i = 0; i < octets; i++) address |= buf[pos + i]! << (24 - 8 * i);
    pos += octets;
    out.push({ address: (address & maskOf(length)) >>> 0, length });
  }
  r.skip(r.remaining);
  return out;
}
