import { createECDH, type ECDH } from 'node:crypto';
import { DhGroup, TransformType, transformName } from './iana.js';
import { concatBytes, type BytesSource } from './bytes.js';
import { badPublicValue, drawPrivate, type DhGroupImpl, type DhKeyPair } from './dh-common.js';
import { CryptoError, CryptoErrorCode } from './errors.js';
import { plain } from './hmac.js';

/**
 * Random ECP groups (RFC 5903): NIST P-256 (group 19) and P-384 (group 20). On the wire the
 * public value is x | y, each coordinate left-padded to the field size, without SEC1's 0x04
 * prefix (§7); the shared secret is the x coordinate of the product (§7 too). OpenSSL checks that
 * a peer's point is on the curve; any failure becomes ERR_CRYPTO_BAD_PUBLIC_VALUE.
 */
const CURVES: Readonly<Record<number, { curve: string; coordinate: number }>> = {
  [DhGroup.Ecp256]: { curve: 'prime256v1', coordinate: 32 },
  [DhGroup.Ecp384]: { curve: 'secp384r1', coordinate: 48 },
};

const SEC1_UNCOMPRESSED = Uint8Array.of(0x04);
const ONE: Readonly<Record<number, Uint8Array>> = { 32: scalarOne(32), 48: scalarOne(48) };

function scalarOne(n: number): Uint8Array {
  const b = new Uint8Array(n);
  b[n - 1] = 1;
  return b;
}

export function ecpGroup(id: DhGroup): DhGroupImpl {
  const spec = CURVES[id];
  if (spec === undefined) throw new CryptoError(CryptoErrorCode.Unsupported, `no curve for group ${id}`);
  const name = transformName(TransformType.DhGroup, id);
  const n = spec.coordinate;

  const validatePublic = (peer: Uint8Array): void => {
    if (peer.length !== 2 * n) throw badPublicValue(name, `${peer.length} bytes, the group needs ${2 * n} (x | y)`);
    // On-curve check: let OpenSSL decode the point, multiplying it by the scalar 1 (no randomness).
    const probe = createECDH(spec.curve);
    probe.setPrivateKey(ONE[n]!);
    try {
      probe.computeSecret(concatBytes(SEC1_UNCOMPRESSED, peer));
    } catch (e) {
      throw badPublicValue(name, 'not a point on the curve', e);
    }
  };

  const pair = (ecdh: ECDH): DhKeyPair => ({
    group: id,
    publicValue: plain(ecdh.getPublicKey()).subarray(1), // drop the 0x04 prefix
    computeShared(peer) {
      if (peer.length !== 2 * n) throw badPublicValue(name, `${peer.length} bytes, the group needs ${2 * n} (x | y)`);
      try {
        return plain(ecdh.computeSecret(concatBytes(SEC1_UNCOMPRESSED, peer)));
      } catch (e) {
        throw badPublicValue(name, 'not a point on the curve', e);
      }
    },
  });

  /** The key for scalar `d`, or undefined when d is 0 or not below the group order. */
  const tryPrivate = (d: Uint8Array): DhKeyPair | undefined => {
    const ecdh = createECDH(spec.curve);
    try {
      ecdh.setPrivateKey(d);
    } catch {
      return undefined; // OpenSSL's range check: 0 < d < n
    }
    return pair(ecdh);
  };

  return {
    id, name, publicLength: 2 * n, sharedLength: n,
    generate: (source: BytesSource) => drawPrivate(source, n, tryPrivate),
    fromPrivate(d) {
      const got = d.length === n ? tryPrivate(d) : undefined;
      if (got === undefined) throw new CryptoError(CryptoErrorCode.BadKeyLength, `${name}: private key must be ${n} bytes in [1, n-1]`);
      return got;
    },
    validatePublic,
  };
}
