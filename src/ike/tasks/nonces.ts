/*
 * Rekey collisions (RFC 7296 §2.8.1) are settled by the lowest nonce: "the SA created with the
 * lowest of the four nonces is redundant". Nonces compare as unsigned octet strings, a shorter
 * one that is a prefix of a longer one being lower.
 */

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function lowest(pair: readonly Uint8Array[]): Uint8Array {
  return pair.reduce((x, y) => (compareBytes(x, y) <= 0 ? x : y));
}

/** Negative when the lowest nonce of `ours` is below every nonce of `theirs`: our exchange's SA is the redundant one. */
export function compareNonces(ours: readonly Uint8Array[], theirs: readonly Uint8Array[]): number {
  return compareBytes(lowest(ours), lowest(theirs));
}
