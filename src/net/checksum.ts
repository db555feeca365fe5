/**
 * The Internet checksum (RFC 1071): one's-complement sum of 16-bit big-endian words.
 * `sum` accumulates without folding so pseudo-headers and payloads can be added piecewise.
 */
export function onesSum(buf: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (i < end) sum += buf[i]! << 8;
  return sum;
}

export function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The checksum field value for data whose one's-complement sum is `sum`. */
export function finishChecksum(sum: number): number {
  return ~fold(sum) & 0xffff;
}

export function internetChecksum(buf: Uint8Array, start = 0, end = buf.length): number {
  return finishChecksum(onesSum(buf, start, end));
}

/** Sum of the IPv4 pseudo-header used by UDP and TCP checksums (RFC 768, RFC 9293 §3.1). */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}
