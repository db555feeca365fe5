/**
 * TCP sequence-number arithmetic (RFC 9293 §3.4): numbers live modulo 2^32 and are compared by
 * the sign of their 32-bit difference, which is meaningful while the two are less than 2^31 apart
 * (a window is at most 2^30, so that always holds for numbers a connection compares).
 */

/** `a + n` modulo 2^32. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** `a - b` as a signed 32-bit number: positive when `a` comes after `b`. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export function seqLt(a: number, b: number): boolean {
  return seqDiff(a, b) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return seqDiff(a, b) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

export function seqGe(a: number, b: number): boolean {
  return seqDiff(a, b) >= 0;
}
