import { InvalidArgumentError } from '../../core/errors.js';
import { invalidSyntax } from '../errors.js';
import type { PayloadCodec } from './generic.js';

/*
 * Encrypted and Authenticated Fragment SKF (RFC 7383 §2.5): Fragment Number (2) | Total
 * Fragments (2) | IV | Encrypted content | Padding | Pad Length | ICV. Like SK, the body is
 * opaque here. Next Payload is the first inner payload's type in fragment 1 and 0 in the others.
 */

export interface SkfPayload {
  type: 'skf';
  firstPayload: number;
  /** 1-based; at most totalFragments. */
  fragmentNumber: number;
  totalFragments: number;
  body: Uint8Array;
}

function problem(n: number, total: number): string | undefined {
  return n < 1 || n > total ? `fragment ${n} of ${total}` : undefined;
}

export const skfCodec: PayloadCodec<SkfPayload> = {
  encodedLength: (p) => 4 + p.body.length,
  encode(p, w) {
    const bad = problem(p.fragmentNumber, p.totalFragments);
    if (bad !== undefined) throw new InvalidArgumentError(bad);
    w.u16(p.fragmentNumber).u16(p.totalFragments).bytes(p.body);
  },
  decode(r, h) {
    const fragmentNumber = r.u16('SKF Fragment Number');
    const totalFragments = r.u16('SKF Total Fragments');
    const bad = problem(fragmentNumber, totalFragments);
    if (bad !== undefined) throw invalidSyntax(bad);
    return { type: 'skf', firstPayload: h.nextPayload, fragmentNumber, totalFragments, body: r.rest() };
  },
};
