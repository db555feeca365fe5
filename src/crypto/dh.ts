import { DhGroup, TransformType, transformName } from './iana.js';
import type { DhGroupImpl } from './dh-common.js';
import { ecpGroup } from './dh-ecp.js';
import { modpGroup } from './dh-modp.js';
import { x25519Group } from './dh-x25519.js';
import { CryptoError, CryptoErrorCode } from './errors.js';

export type { DhGroupImpl, DhKeyPair } from './dh-common.js';

const GROUPS: ReadonlyMap<number, DhGroupImpl> = new Map<number, DhGroupImpl>([
  [DhGroup.Modp1024, modpGroup(DhGroup.Modp1024)],
  [DhGroup.Modp1536, modpGroup(DhGroup.Modp1536)],
  [DhGroup.Modp2048, modpGroup(DhGroup.Modp2048)],
  [DhGroup.Modp2048s256, modpGroup(DhGroup.Modp2048s256)],
  [DhGroup.Ecp256, ecpGroup(DhGroup.Ecp256)],
  [DhGroup.Ecp384, ecpGroup(DhGroup.Ecp384)],
  [DhGroup.Curve25519, x25519Group()],
]);

/** The group for a transform ID; `ERR_CRYPTO_UNSUPPORTED` for NONE and groups not implemented. */
export function dhGroupById(id: number): DhGroupImpl {
  const g = GROUPS.get(id);
  if (g === undefined) throw new CryptoError(CryptoErrorCode.Unsupported, `DH group ${transformName(TransformType.DhGroup, id)} is not implemented`);
  return g;
}

export function isDhGroupSupported(id: number): boolean {
  return GROUPS.has(id);
}
