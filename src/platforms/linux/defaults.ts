/*
 * strongSwan (swanctl.conf) and FRR (bgpd) defaults, as docs/platforms.md cites them (X1
 * swanctl.conf, X3 FRR's BGP documentation). strongSwan's `default` proposal keyword depends on
 * the build's plugins; vpnlab's reading of it (5.9 with openssl) keeps the algorithms it implements:
 * AES-CBC/GCM with SHA-2 over ECP-256/384 and MODP-3072/2048 for IKE, AES-GCM-128 and
 * AES-128-SHA-256 without PFS for ESP (inferred, stated in docs/platforms.md).
 */

export const LINUX_DEFAULTS = {
  ikeProposals: ['aes128-aes192-aes256-sha256-sha384-sha512-ecp256-ecp384-modp3072-modp2048'],
  espProposals: ['aes128gcm16', 'aes128-sha256'],
  /** connections.<conn>.rekey_time: 4 h. */
  ikeRekeyS: 14_400,
  /** children.<child>.rekey_time: 1 h. */
  childRekeyS: 3_600,
  /** FRR's traditional profile (frr.conf without `frr defaults datacenter`): keepalive 60, hold 180. */
  bgpHoldS: 180,
  bgpKeepaliveS: 60,
} as const;

