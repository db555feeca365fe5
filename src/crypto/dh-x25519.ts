import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { DhGroup, TransformType, transformName } from './iana.js';
import type { BytesSource } from './bytes.js';
import { badPublicValue, type DhGroupImpl, type DhKeyPair } from './dh-common.js';
import { CryptoError, CryptoErrorCode } from './errors.js';
import { plain } from './hmac.js';

/**
 * Curve25519 (group 31, RFC 8031): 32-byte public values and shared secrets, X25519 of RFC 7748.
 *
 * Keys are never made with generateKeyPair*: in Node 20 exporting such a key as JWK can deadlock
 * the process (strongswan-interop.md gotcha 13). Instead the 32 private bytes are imported as a
 * JWK `d` (OpenSSL clamps them, RFC 7748 §5), the public `x` is read back from createPublicKey,
 * and the peer's value is imported as a JWK too. That path needs no DER and runs ~9k ops/s.
 */
const LENGTH = 32;

function jwkPrivate(d: Uint8Array): KeyObject {
  return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: Buffer.from(d).toString('base64url'), x: '' }, format: 'jwk' });
}

function jwkPublic(x: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(x).toString('base64url') }, format: 'jwk' });
}

export function x25519Group(): DhGroupImpl {
  const id = DhGroup.Curve25519;
  const name = transformName(TransformType.DhGroup, id);

  const checkLength = (peer: Uint8Array): void => {
    if (peer.length !== LENGTH) throw badPublicValue(name, `${peer.length} bytes, the group needs ${LENGTH}`);
  };

  const pair = (d: Uint8Array): DhKeyPair => {
    const privateKey = jwkPrivate(d);
    const x = createPublicKey(privateKey).export({ format: 'jwk' }).x;
    if (typeof x !== 'string') throw new CryptoError(CryptoErrorCode.BadKeyLength, `${name}: no public key for this private key`);
    return {
      group: id,
      publicValue: plain(Buffer.from(x, 'base64url')),
      computeShared(peer) {
        checkLength(peer);
        try {
          // OpenSSL refuses an all-zero result (a low-order peer point), as RFC 8031 §2.3 requires.
          return plain(diffieHellman({ privateKey, publicKey: jwkPublic(peer) }));
        } catch (e) {
          throw badPublicValue(name, 'low-order point or undecodable value', e);
        }
      },
    };
  };

  return {
    id, name, publicLength: LENGTH, sharedLength: LENGTH,
    // Every 32-byte string is a valid X25519 private key once clamped: no rejection needed.
    generate: (source: BytesSource) => pair(source.bytes(LENGTH)),
    fromPrivate(d) {
      if (d.length !== LENGTH) throw new CryptoError(CryptoErrorCode.BadKeyLength, `${name}: private key must be ${LENGTH} bytes`);
      return pair(d);
    },
    validatePublic(peer) {
      checkLength(peer);
      // Any 32 bytes decode as a u-coordinate (RFC 7748 §5: the top bit is masked); low-order
      // points are caught when the shared secret comes out all zero.
      try {
        jwkPublic(peer);
      } catch (e) {
        throw badPublicValue(name, 'undecodable value', e);
      }
    },
  };
}
