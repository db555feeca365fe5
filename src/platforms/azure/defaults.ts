import type { z } from 'zod';
import type { gatewaySku, ipsecPolicySchema } from '../../topology/platforms/azure.js';

/*
 * Azure VPN Gateway defaults and limits (shared/reference/platform-behaviours.md §A.1; sources
 * S1 VPN Gateway FAQ, S2 IPsec/IKE parameters, S3 BGP). Proposals are in strongSwan's syntax
 * (src/ike/proposal.ts), which the IKE engine reads.
 */

export const AZURE_DEFAULT_ASN = 65515;
/** Rejected by Azure on the gateway and on local network gateways (S1). */
export const AZURE_RESERVED_ASNS: readonly number[] = [8074, 8075, 12076, 65515, 65517, 65518, 65519, 65520];
/** IANA-reserved ASNs Azure also refuses (S1): 23456, 64496-64511, 65535-65551, 4294967295. */
export function isIanaReservedAsn(asn: number): boolean {
  return asn === 0 || asn === 23456 || (asn >= 64496 && asn <= 64511) || (asn >= 65535 && asn <= 65551) || asn === 4294967295;
}

/** Custom APIPA BGP addresses must lie in 169.254.21.0-169.254.22.255 (S1, S3). */
export const AZURE_APIPA_FIRST = 0xa9fe1500;
export const AZURE_APIPA_LAST = 0xa9fe16ff;

export const AZURE_IKE_LIFETIME_S = 28_800;
export const AZURE_CHILD_LIFETIME_S = 27_000;
export const AZURE_CHILD_LIFETIME_KB = 102_400_000;
export const AZURE_DPD_TIMEOUT_S = 45;
export const AZURE_BGP_HOLD_S = 180;
export const AZURE_BGP_KEEPALIVE_S = 60;
/** Creating a VPN gateway "can take 45 minutes or more" (S1); vpnlab draws 30-45 min per gateway. */
export const AZURE_PROVISIONING_MS: readonly [number, number] = [30 * 60_000, 45 * 60_000];
/** More prefixes than this from one peer and Azure drops the session (S1). */
export const AZURE_MAX_PREFIXES = 4000;
/**
 * S2S and VNet-to-VNet tunnels one gateway carries, by SKU (MicrosoftDocs/azure-docs
 * articles/vpn-gateway/about-gateway-skus.md and its includes: Basic 10, VpnGw1-3 30, VpnGw4-5 100,
 * an AZ SKU as its base; the legacy Standard 10 and HighPerformance 30 from
 * includes/vpn-gateway-table-gwtype-legacy-aggtput-include.md). Azure refuses a connection past
 * the quota; each instance of an active-active gateway builds its own tunnel, and every tunnel
 * counts (S1, "multi-tunnel to one site"). Past 100, Azure points to Virtual WAN.
 */
export const AZURE_SKU_MAX_TUNNELS: Readonly<Record<z.infer<typeof gatewaySku>, number>> = {
  Basic: 10, Standard: 10, HighPerformance: 30,
  VpnGw1: 30, VpnGw2: 30, VpnGw3: 30, VpnGw4: 100, VpnGw5: 100,
  VpnGw1AZ: 30, VpnGw2AZ: 30, VpnGw3AZ: 30, VpnGw4AZ: 100, VpnGw5AZ: 100,
};
/** ARM has no default SKU; vpnlab assumes this one when the file gives none. */
export const AZURE_DEFAULT_SKU = 'VpnGw1';

/** What fits through an Azure tunnel: set the tunnel MTU to 1400 or clamp TCP MSS to 1350 (S2). */
export const AZURE_TUNNEL_MTU = 1400;
export const AZURE_TCP_MSS = 1350;

/** RouteBased gateways, no custom policy, in Azure's order of preference (S2). */
export const AZURE_IKE_PROPOSALS: readonly string[] = [
  'aes256-sha1-modp1024', 'aes256-sha256-modp1024', 'aes128-sha1-modp1024', 'aes128-sha256-modp1024', '3des-sha1-modp1024', '3des-sha256-modp1024',
];

/** What Azure offers as initiator (S2, RouteBased phase-2 offers 1-6; no PFS). */
export const AZURE_ESP_INITIATOR: readonly string[] = ['aes256gcm16', 'aes256-sha1', '3des-sha1', 'aes256-sha256', 'aes128-sha1', '3des-sha256'];

/**
 * What Azure accepts as responder beyond its own offers (S2's 26 offers), limited to the
 * transforms vpnlab implements (not DES, not ESP-NULL): with PFS 1/2/14/24 on rekeys too.
 */
export const AZURE_ESP_RESPONDER_EXTRA: readonly string[] = [
  'aes128-sha256', 'aes256-sha1-modp1024', 'aes128-sha1-modp1024', '3des-sha1-modp1024', 'aes256-sha256-modp1024', 'aes128-sha256-modp1024',
  'aes256-sha1-modp2048', 'aes128-sha1-modp2048', 'aes256-sha256-modp2048', 'aes128-sha256-modp2048', '3des-sha1-modp2048',
  'aes256-sha1-modp2048s256', 'aes128-sha1-modp2048s256', 'aes256-sha256-modp2048s256', 'aes128gcm16', 'aes192gcm16',
];

/** Shared keys: printable ASCII except space, hyphen and tilde (S1). */
export function azureSharedKeyProblem(key: string): string | undefined {
  let position = 0;
  for (const ch of key) {
    position++;
    const code = ch.charCodeAt(0);
    if (ch === ' ') return `contains a space (character ${position})`;
    if (ch === '-') return `contains '-' (hyphen, character ${position})`;
    if (ch === '~') return `contains '~' (tilde, character ${position})`;
    // The key is a secret: say where the character is, never what it is.
    if (code < 0x21 || code > 0x7e) return `has a character that is not printable ASCII (character ${position})`;
  }
  return undefined;
}

type IpsecPolicy = z.infer<typeof ipsecPolicySchema>;

const IKE_ENCRYPTION: Record<IpsecPolicy['ikeEncryption'], string | undefined> = {
  DES: undefined, DES3: '3des', AES128: 'aes128', AES192: 'aes192', AES256: 'aes256', GCMAES128: 'aes128gcm16', GCMAES256: 'aes256gcm16',
};
const IKE_INTEGRITY: Record<IpsecPolicy['ikeIntegrity'], string> = {
  MD5: 'md5', SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384', GCMAES128: 'prfsha256', GCMAES256: 'prfsha384',
};
const DH_GROUP: Record<IpsecPolicy['dhGroup'], string | undefined> = {
  None: undefined, DHGroup1: 'modp768', DHGroup2: 'modp1024', DHGroup14: 'modp2048', DHGroup2048: 'modp2048', ECP256: 'ecp256', ECP384: 'ecp384', DHGroup24: 'modp2048s256',
};
const ESP_ENCRYPTION: Record<IpsecPolicy['ipsecEncryption'], string | undefined> = {
  None: undefined, DES: undefined, DES3: '3des', AES128: 'aes128', AES192: 'aes192', AES256: 'aes256',
  GCMAES128: 'aes128gcm16', GCMAES192: 'aes192gcm16', GCMAES256: 'aes256gcm16',
};
const ESP_INTEGRITY: Record<IpsecPolicy['ipsecIntegrity'], string | undefined> = {
  MD5: 'md5', SHA1: 'sha1', SHA256: 'sha256', GCMAES128: undefined, GCMAES192: undefined, GCMAES256: undefined,
};
const PFS_GROUP: Record<IpsecPolicy['pfsGroup'], string | undefined> = {
  None: undefined, PFS1: 'modp768', PFS2: 'modp1024', PFS14: 'modp2048', PFS2048: 'modp2048', ECP256: 'ecp256', ECP384: 'ecp384', PFS24: 'modp2048s256', PFSMM: undefined,
};

/** One custom policy as IKE and ESP proposals, or the reason vpnlab cannot run it. */
export function customPolicyProposals(p: IpsecPolicy): { ike: string; esp: string } | { problem: string } {
  const encr = IKE_ENCRYPTION[p.ikeEncryption];
  if (encr === undefined) return { problem: 'ikeEncryption DES is not implemented by vpnlab' };
  const dh = DH_GROUP[p.dhGroup];
  if (dh === undefined) return { problem: 'dhGroup None: an IKEv2 SA needs a Diffie-Hellman group' };
  if (p.ikeEncryption.startsWith('GCM') !== p.ikeIntegrity.startsWith('GCM')) {
    return { problem: `ikeEncryption ${p.ikeEncryption} and ikeIntegrity ${p.ikeIntegrity} do not go together (GCM needs GCM)` };
  }
  const espEncr = ESP_ENCRYPTION[p.ipsecEncryption];
  if (espEncr === undefined) return { problem: `ipsecEncryption ${p.ipsecEncryption} is not implemented by vpnlab` };
  if (p.ipsecEncryption.startsWith('GCM') && p.ipsecIntegrity !== p.ipsecEncryption) {
    return { problem: `ipsecEncryption ${p.ipsecEncryption} needs ipsecIntegrity ${p.ipsecEncryption} (Azure's rule)` };
  }
  const espInteg = ESP_INTEGRITY[p.ipsecIntegrity];
  const pfs = p.pfsGroup === 'PFSMM' ? dh : PFS_GROUP[p.pfsGroup];
  return {
    ike: [encr, IKE_INTEGRITY[p.ikeIntegrity], dh].join('-'),
    esp: [espEncr, ...(espInteg !== undefined && !p.ipsecEncryption.startsWith('GCM') ? [espInteg] : []), ...(pfs !== undefined ? [pfs] : [])].join('-'),
  };
}
