import { bytesEqual, concatBytes } from '../crypto/bytes.js';
import { digest } from '../crypto/hmac.js';
import type { Rng } from '../core/rng.js';
import { spiToBytes } from './header.js';

/*
 * Stateless cookies (RFC 7296 §2.6): when too many IKE SAs are half open, the responder answers
 * IKE_SA_INIT with a COOKIE computed from the request and a secret, keeps no state, and proceeds
 * only when the initiator repeats the request with that cookie in front. Cookie =
 * <VersionIDofSecret> | Hash(Ni | IPi | SPIi | <secret>); the secret is replaced from time to
 * time and the previous one still accepted, so cookies in flight stay good.
 */

const SECRET_LENGTH = 32;

export class CookieJar {
  private version = 0;
  private secret: Uint8Array;
  private previous: Uint8Array | undefined;
  private readonly rng: Rng;

  constructor(rng: Rng) {
    this.rng = rng;
    this.secret = rng.bytes(SECRET_LENGTH);
  }

  /** Starts a new secret; cookies made with the one before stay valid until the next rotation. */
  rotate(): void {
    this.previous = this.secret;
    this.secret = this.rng.bytes(SECRET_LENGTH);
    this.version = (this.version + 1) & 0xffffffff;
  }

  make(nonceI: Uint8Array, initiatorAddress: number, spiI: bigint): Uint8Array {
    return this.compute(this.version, this.secret, nonceI, initiatorAddress, spiI);
  }

  verify(cookie: Uint8Array, nonceI: Uint8Array, initiatorAddress: number, spiI: bigint): boolean {
    if (cookie.length !== 4 + 20) return false;
    const version = ((cookie[0]! << 24) | (cookie[1]! << 16) | (cookie[2]! << 8) | cookie[3]!) >>> 0;
    const secret = version === this.version ? this.secret : version === ((this.version - 1) >>> 0) ? this.previous : undefined;
    return secret !== undefined && bytesEqual(cookie, this.compute(version, secret, nonceI, initiatorAddress, spiI));
  }

  private compute(version: number, secret: Uint8Array, nonceI: Uint8Array, address: number, spiI: bigint): Uint8Array {
    const ip = Uint8Array.of(address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff);
    const hash = digest('sha1', [nonceI, ip, spiToBytes(spiI), secret]);
    return concatBytes(Uint8Array.of(version >>> 24, (version >>> 16) & 0xff, (version >>> 8) & 0xff, version & 0xff), hash);
  }
}
