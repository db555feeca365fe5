import type { VpnS2SInterface, VpnServerIPsecConfiguration } from '../../topology/platforms/rras.js';

/*
 * Windows Server 2016 RRAS defaults (shared/reference/platform-behaviours.md §A.3; W1 cmdlet
 * reference and its `fl *` output, W3 MS-RRASM). Microsoft does not document the IKEv2 proposal
 * lists behind -EncryptionType; vpnlab's reading, stated in docs/platforms.md: RequireEncryption
 * and OptionalEncryption offer AES-256, AES-128 and 3DES with SHA-2/SHA-1 over DH group 2 and
 * 14; MaximumEncryption keeps only AES-256. NoEncryption (ESP without a cipher) is not emulated.
 */

export const RRAS_IKE_LIFETIME_S = 28_800;
export const RRAS_CHILD_LIFETIME_S = 3_600;
export const RRAS_CHILD_LIFETIME_KB = 33_553_408;
export const RRAS_NETWORK_OUTAGE_S = 15;
export const RRAS_BGP_HOLD_S = 180;

const IKE_STRONG = ['aes256-sha256-modp1024', 'aes256-sha1-modp1024', 'aes256-sha256-modp2048', 'aes256-sha1-modp2048'];
const IKE_OTHER = ['aes128-sha256-modp1024', 'aes128-sha1-modp1024', 'aes128-sha256-modp2048', '3des-sha1-modp1024'];
const ESP_STRONG = ['aes256gcm16', 'aes256-sha256', 'aes256-sha1'];
const ESP_OTHER = ['aes128gcm16', 'aes128-sha256', 'aes128-sha1', '3des-sha1'];

type PolicySource = Pick<VpnS2SInterface, 'CustomPolicy' | 'EncryptionMethod' | 'IntegrityCheckMethod' | 'CipherTransformConstants' | 'AuthenticationTransformConstants' | 'DHGroup' | 'PfsGroup' | 'EncryptionType'>;

const IKE_CIPHER = { DES: undefined, DES3: '3des', AES128: 'aes128', AES192: 'aes192', AES256: 'aes256' } as const;
const IKE_INTEGRITY = { MD5: 'md5', SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384' } as const;
const DH = { None: undefined, Group1: 'modp768', Group2: 'modp1024', Group14: 'modp2048', ECP256: 'ecp256', ECP384: 'ecp384', Group24: 'modp2048s256' } as const;
const ESP_CIPHER = {
  DES: undefined, DES3: '3des', AES128: 'aes128', AES192: 'aes192', AES256: 'aes256', GCMAES128: 'aes128gcm16', GCMAES192: 'aes192gcm16', GCMAES256: 'aes256gcm16', None: undefined,
} as const;
const ESP_INTEGRITY = { MD596: 'md5', SHA196: 'sha1', SHA256128: 'sha256', GCMAES128: undefined, GCMAES192: undefined, GCMAES256: undefined, None: undefined } as const;
const PFS = { None: undefined, PFS1: 'modp768', PFS2: 'modp1024', PFS2048: 'modp2048', ECP256: 'ecp256', ECP384: 'ecp384', PFSMM: undefined, PFS24: 'modp2048s256' } as const;

/** An interface's IKE and ESP proposals, or why vpnlab cannot offer them. */
export type RrasOffer = { readonly ike: string[]; readonly esp: string[] } | { readonly problem: string };

/** The IKE and ESP proposals of an interface (its own policy, else the server's, else RequireEncryption). */
export function rrasProposals(iface: PolicySource, server: VpnServerIPsecConfiguration | undefined): RrasOffer {
  const source: PolicySource = iface.CustomPolicy === true || iface.EncryptionType !== undefined ? iface : (server ?? {});
  if (source.CustomPolicy === true) {
    const cipher = IKE_CIPHER[source.EncryptionMethod ?? 'AES256'];
    const dh = DH[source.DHGroup ?? 'Group2'];
    const espCipher = ESP_CIPHER[source.CipherTransformConstants ?? 'AES256'];
    if (cipher === undefined || espCipher === undefined) return { problem: 'DES and ESP without encryption are not implemented by vpnlab' };
    if (dh === undefined) return { problem: 'DHGroup None: an IKEv2 SA needs a Diffie-Hellman group' };
    const integ = ESP_INTEGRITY[source.AuthenticationTransformConstants ?? 'SHA196'];
    const gcm = espCipher.includes('gcm');
    const pfs = source.PfsGroup === 'PFSMM' ? dh : PFS[source.PfsGroup ?? 'None'];
    return {
      ike: [`${cipher}-${IKE_INTEGRITY[source.IntegrityCheckMethod ?? 'SHA256']}-${dh}`],
      esp: [[espCipher, ...(gcm || integ === undefined ? [] : [integ]), ...(pfs !== undefined ? [pfs] : [])].join('-')],
    };
  }
  switch (source.EncryptionType ?? 'RequireEncryption') {
    case 'MaximumEncryption': return { ike: IKE_STRONG, esp: ESP_STRONG };
    case 'NoEncryption': return { problem: 'EncryptionType NoEncryption (ESP without a cipher) is not emulated' };
    default: return { ike: [...IKE_STRONG, ...IKE_OTHER], esp: [...ESP_STRONG, ...ESP_OTHER] };
  }
}
