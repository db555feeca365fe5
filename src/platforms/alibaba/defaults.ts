import type { IkeConfig, IpsecConfig } from '../../topology/platforms/alibaba.js';

/*
 * Alibaba Cloud VPN Gateway defaults and rules (shared/reference/platform-behaviours.md §A.2; L1
 * Azure interop guide, L2 CreateVpnConnection, L3 customer gateway, L4 routes, L6 dual tunnel).
 * Proposals come out in strongSwan's syntax for the IKE engine.
 */

export const ALIBABA_DEFAULT_ASN = 45104;
export const ALIBABA_LIFETIME_S = 86_400;
/** "Preparing" lasts 1-5 minutes after creation (L1). */
export const ALIBABA_PREPARING_MS: readonly [number, number] = [60_000, 300_000];
export const ALIBABA_PSK_CHARACTERS = "~`!@#$%^&*()_-+={}[]\\|;:',.<>/?";
/** The BGP route table's default quota (L5); what happens beyond it is not documented (inferred: further routes are not learned). */
export const ALIBABA_BGP_ROUTE_QUOTA = 50;
/** BGP timers: not documented (inferred: the common 60/180 s, the same as Azure's fixed ones). */
export const ALIBABA_BGP_KEEPALIVE_S = 60;
export const ALIBABA_BGP_HOLD_S = 180;
/** Customer gateway addresses Alibaba refuses (L3). */
export const ALIBABA_FORBIDDEN_CGW_RANGES: readonly string[] = ['100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '255.0.0.0/8'];

const CIPHER = { aes: 'aes128', aes192: 'aes192', aes256: 'aes256', des: undefined, '3des': '3des' } as const;
const GROUP = { group1: 'modp768', group2: 'modp1024', group5: 'modp1536', group14: 'modp2048' } as const;

/** Why a pre-shared key breaks Alibaba's rules (1-100 characters: digits, letters and the listed symbols). */
export function alibabaPskProblem(key: string): string | undefined {
  if (key.length < 1 || key.length > 100) return `is ${key.length} characters long (1-100 allowed)`;
  let position = 0;
  for (const ch of key) {
    position++;
    if (/[A-Za-z0-9]/.test(ch) || ALIBABA_PSK_CHARACTERS.includes(ch)) continue;
    // The key is a secret: say where the character is, never what it is (beyond a space).
    return ch === ' ' ? `contains a space (character ${position})` : `has a character Alibaba does not allow (character ${position})`;
  }
  return undefined;
}

/** A tunnel's proposals in strongSwan's syntax and its IKE version, or why vpnlab cannot offer them. */
export type AlibabaOffer = { ike: string; esp: string; version: 'ikev1' | 'ikev2' } | { problem: string };

/**
 * Phase-1 and phase-2 proposals of one tunnel. Dual-tunnel connections default to IKEv2, aes,
 * sha1, group2; single-tunnel ones to IKEv1 and md5 per the current API reference (L2).
 */
export function alibabaProposals(ike: IkeConfig | undefined, ipsec: IpsecConfig | undefined, dualTunnel: boolean): AlibabaOffer {
  const version = ike?.IkeVersion ?? (dualTunnel ? 'ikev2' : 'ikev1');
  const defaultAuth = dualTunnel ? 'sha1' : 'md5';
  const ikeCipher = CIPHER[ike?.IkeEncAlg ?? 'aes'];
  const espCipher = CIPHER[ipsec?.IpsecEncAlg ?? 'aes'];
  if (ikeCipher === undefined || espCipher === undefined) return { problem: 'des is not implemented by vpnlab' };
  const pfs = ipsec?.IpsecPfs ?? 'group2';
  return {
    version,
    ike: `${ikeCipher}-${ike?.IkeAuthAlg ?? defaultAuth}-${GROUP[ike?.IkePfs ?? 'group2']}`,
    esp: [espCipher, ipsec?.IpsecAuthAlg ?? defaultAuth, ...(pfs === 'disabled' ? [] : [GROUP[pfs]])].join('-'),
  };
}
