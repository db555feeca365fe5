import { InvalidArgumentError } from '../../core/errors.js';
import { invalidSyntax } from '../errors.js';
import type { PayloadCodec } from './generic.js';

/*
 * Nonce payload (RFC 7296 §3.9): Ni or Nr, the Nonce Data alone. "The size of the Nonce Data
 * MUST be between 16 and 256 octets, inclusive."
 */

export const MIN_NONCE_LENGTH = 16;
export const MAX_NONCE_LENGTH = 256;

export interface NoncePayload {
  type: 'nonce';
  data: Uint8Array;
}

function problem(n: number): string | undefined {
  return n < MIN_NONCE_LENGTH || n > MAX_NONCE_LENGTH ? `nonce of ${n} octets (${MIN_NONCE_LENGTH}-${MAX_NONCE_LENGTH})` : undefined;
}

export const nonceCodec: PayloadCodec<NoncePayload> = {
  encodedLength: (p) => p.data.length,
  encode(p, w) {
    const bad = problem(p.data.length);
    if (bad !== undefined) throw new InvalidArgumentError(bad);
    w.bytes(p.data);
  },
  decode(r) {
    const bad = problem(r.remaining);
    if (bad !== undefined) throw invalidSyntax(bad);
    return { type: 'nonce', data: r.rest() };
  },
};
