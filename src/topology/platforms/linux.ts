import { z } from 'zod';
import { asn, interfaceAddress, ipv4, name, prefix, secret } from '../../config/primitives.js';

/**
 * A swanctl.conf section name: strongSwan's settings parser reads a '.' in a name as a section
 * separator, so `connections { 198.51.100.10 { … } }` defines nothing it can load.
 */
const sectionName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "strongSwan section names use letters, digits, _ and - (a '.' separates sections in swanctl.conf: write 198-51-100-10, not 198.51.100.10)")
  .meta({ description: 'A swanctl.conf section name: letters, digits, _ and - (no dots)' });
import { parseProposal, type ProposalProtocol } from '../../ike/proposal.js';

/*
 * The `linux:` block of a site: Linux machines that terminate IPsec with strongSwan and speak BGP
 * with FRR, each described in the files an engineer writes on such a box, key for key:
 *
 *   interfaces   `ip address add` (and which LAN or the Internet the NIC is cabled to)
 *   xfrm         `ip link add ipsec0 type xfrm dev eth0 if_id 42` (route-based tunnels), with the
 *                `iptables … -o ipsec0 … -j TCPMSS --set-mss N` clamp beside it
 *   routes       `ip route add 10.3.0.0/16 dev ipsec0`
 *   swanctl      swanctl.conf: `connections { <name> { … children { <name> { … } } } }` and
 *                `secrets { ike-<name> { id, secret } }`, with swanctl's own key names
 *   frr          frr.conf: `router bgp ASN`, `bgp router-id`, `neighbor X remote-as …`,
 *                `network …`, with FRR's own command words
 *
 * A child with an if_id is route-based (XFRM interface semantics: its SAs carry what is routed into
 * the interface of that if_id); a child without one is policy-based (the kernel encrypts what
 * matches local_ts ⇄ remote_ts). Sources: docs/platforms.md (X1 swanctl.conf, X2 strongSwan
 * route-based VPNs, X3 FRR's BGP documentation, X4 strongSwan and Alibaba's interop notes, S2).
 */

const seconds = z.number().int().min(0);
const ifId = z.number().int().min(1).max(4294967295);
const yesNo = z.union([z.boolean(), z.enum(['yes', 'no'])]);

function proposals(protocol: ProposalProtocol, description: string) {
  return z.array(z.string().superRefine((text, ctx) => {
    try {
      parseProposal(text, protocol);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  })).min(1).meta({ description, examples: [protocol === 'ike' ? ['aes256-sha1-modp1024'] : ['aes256-sha1']] });
}

// ---------------------------------------------------------------------------------------------
// The machine: ip address, ip link (xfrm), ip route

export const linuxInterfaceSchema = z.strictObject({
  name: name.meta({ description: 'The NIC name (eth0, ens5)' }),
  address: interfaceAddress.meta({ description: '`ip address add a.b.c.d/len dev NAME`; a.b.c.d alone when `subnet` is given' }),
  subnet: name.optional().meta({ description: 'The subnet of this site the NIC is cabled to (the LAN)' }),
  internet: z.boolean().optional().meta({ description: 'The NIC faces the emulated Internet (its public address). Default false' }),
  mtu: z.number().int().min(68).max(65535).optional().meta({ description: '`ip link set NAME mtu N` (default 1500)' }),
}).meta({ description: 'A network interface of the gateway (`ip address add`)' });

export const xfrmInterfaceSchema = z.strictObject({
  name: name.meta({ description: 'The interface name (`ip link add NAME type xfrm`), e.g. ipsec0' }),
  if_id: ifId.meta({ description: '`if_id N`: the SAs whose if_id_in/if_id_out is N carry what is routed into this interface' }),
  dev: name.optional().meta({ description: '`dev eth0`: the underlying interface (informational)' }),
  addresses: z.array(interfaceAddress).optional().meta({ description: '`ip address add … dev NAME`: addresses on the tunnel interface (a BGP peering address such as 169.254.21.1/32)' }),
  mtu: z.number().int().min(68).max(65535).optional().meta({ description: '`ip link set NAME mtu N` (default 1500; Azure recommends 1400)' }),
  'set-mss': z.number().int().min(88).max(65535).optional().meta({ description: '`iptables -t mangle -A FORWARD -o NAME -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss N`: clamp the MSS of TCP connections through the tunnel (Azure recommends 1350)' }),
}).meta({ description: 'An XFRM interface: `ip link add NAME type xfrm dev DEV if_id N` (strongSwan route-based tunnels, kernel ≥ 4.19)' });

export const linuxRouteSchema = z.strictObject({
  to: prefix.meta({ description: '`ip route add PREFIX`' }),
  dev: name.optional().meta({ description: '`dev NAME`: a NIC or an XFRM interface' }),
  via: ipv4.optional().meta({ description: '`via ADDRESS`: the next hop' }),
  metric: z.number().int().min(0).optional().meta({ description: '`metric N`' }),
}).refine((r) => r.dev !== undefined || r.via !== undefined, { message: 'give dev or via' })
  .meta({ description: 'A static route (`ip route add`)' });

// ---------------------------------------------------------------------------------------------
// swanctl.conf

export const swanctlAuthSchema = z.strictObject({
  auth: z.enum(['psk', 'pubkey', 'eap-mschapv2']).optional().meta({ description: 'auth = psk (only psk is emulated; default psk)' }),
  id: z.string().min(1).optional().meta({ description: 'id: the IKE identity (default: the address IKE uses)' }),
}).meta({ description: 'A local or remote authentication round (swanctl connections.<conn>.local / remote)' });

export const swanctlChildSchema = z.strictObject({
  local_ts: z.array(prefix).min(1).optional().meta({ description: 'local_ts: our side of the traffic selectors (default: our address; 0.0.0.0/0 for a route-based tunnel)' }),
  remote_ts: z.array(prefix).min(1).optional().meta({ description: 'remote_ts: the peer\'s side (default: its address; 0.0.0.0/0 for a route-based tunnel)' }),
  esp_proposals: proposals('esp', 'esp_proposals: ESP proposals in preference order (default aes128-sha256, no PFS); a DH group adds PFS').optional(),
  rekey_time: seconds.optional().meta({ description: 'rekey_time: CHILD_SA rekey after this many seconds (default 3600; Azure 27000)' }),
  life_time: seconds.optional().meta({ description: 'life_time: hard lifetime (default rekey_time + 10%)' }),
  start_action: z.enum(['none', 'trap', 'start']).optional().meta({ description: 'start_action: none (default: wait for the peer) | trap (on traffic) | start (at once)' }),
  dpd_action: z.enum(['clear', 'trap', 'restart']).optional().meta({ description: 'dpd_action: clear (default) | trap | restart, when DPD finds the peer dead' }),
  close_action: z.enum(['none', 'trap', 'start']).optional().meta({ description: 'close_action: when the peer closes the CHILD_SA (informational)' }),
  if_id_in: ifId.optional().meta({ description: 'if_id_in: inbound SAs and policies carry this XFRM interface ID (default: the connection\'s)' }),
  if_id_out: ifId.optional().meta({ description: 'if_id_out: outbound SAs and policies carry this XFRM interface ID (default: the connection\'s)' }),
  mode: z.enum(['tunnel']).optional().meta({ description: 'mode = tunnel (the only one emulated; the default)' }),
}).meta({ description: 'A CHILD_SA (swanctl connections.<conn>.children.<child>)' });

export const swanctlConnectionSchema = z.strictObject({
  version: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional().meta({ description: 'version: 2 = IKEv2 (the only one emulated), 1 = IKEv1, 0 = either (default 0: initiates IKEv2)' }),
  local_addrs: z.array(ipv4).min(1).meta({ description: 'local_addrs: the address IKE uses (the public NIC\'s)' }),
  remote_addrs: z.array(ipv4).min(1).meta({ description: 'remote_addrs: the peer gateway\'s public address' }),
  proposals: proposals('ike', 'proposals: IKE proposals in preference order (default aes128-sha256-modp3072 and others)').optional(),
  rekey_time: seconds.optional().meta({ description: 'rekey_time: IKE SA rekey after this many seconds (default 14400; Azure 28800)' }),
  dpd_delay: seconds.optional().meta({ description: 'dpd_delay: liveness check after this many quiet seconds (default 0: off)' }),
  encap: yesNo.optional().meta({ description: 'encap = yes: ESP in UDP 4500 even without a NAT (default no: ESP is IP protocol 50 unless a NAT is detected)' }),
  mobike: yesNo.optional().meta({ description: 'mobike (informational; default yes)' }),
  if_id_in: ifId.optional().meta({ description: 'if_id_in: default XFRM interface ID of the children\'s inbound SAs and policies' }),
  if_id_out: ifId.optional().meta({ description: 'if_id_out: default XFRM interface ID of the children\'s outbound SAs and policies' }),
  local: swanctlAuthSchema.optional(),
  remote: swanctlAuthSchema.optional(),
  children: z.record(sectionName, swanctlChildSchema).meta({ description: 'children { <name> { … } }' }),
}).meta({ description: 'An IKE connection (swanctl connections.<name>)' });

export const swanctlSecretSchema = z.strictObject({
  id: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional().meta({ description: 'id (or id-<suffix> entries): the identities the key belongs to; none: any' }),
  secret: secret(z.string().min(1), 'secret: the pre-shared key'),
}).meta({ description: 'An IKE pre-shared key (swanctl secrets.ike-<name>)' });

export const swanctlSchema = z.strictObject({
  connections: z.record(sectionName, swanctlConnectionSchema).meta({ description: 'connections { <name> { … } }' }),
  secrets: z.record(z.string().regex(/^ike[A-Za-z0-9_-]*$/, "secrets are named ike-<name>, without '.' (a '.' separates sections in swanctl.conf)"), swanctlSecretSchema).optional().meta({ description: 'secrets { ike-<name> { id = …, secret = … } }' }),
}).meta({ description: 'swanctl.conf: the strongSwan connections and their pre-shared keys' });

// ---------------------------------------------------------------------------------------------
// frr.conf: router bgp

export const frrNeighborSchema = z.strictObject({
  'remote-as': z.union([asn, z.enum(['external', 'internal'])]).meta({ description: '`neighbor X remote-as ASN` (or external / internal)' }),
  'update-source': z.union([ipv4, name]).optional().meta({ description: '`neighbor X update-source ADDRESS|IFNAME`: the address the session leaves from (default: the address of the interface routing the peer)' }),
  'ebgp-multihop': z.number().int().min(1).max(255).optional().meta({ description: '`neighbor X ebgp-multihop N`: the peer is N hops away (default: eBGP peers must be directly connected)' }),
  'disable-connected-check': z.boolean().optional().meta({ description: '`neighbor X disable-connected-check`: peer with a one-hop eBGP neighbour that is not on a connected subnet (behind a tunnel)' }),
  timers: z.tuple([z.number().int().min(0).max(65535), z.union([z.literal(0), z.number().int().min(3).max(65535)])]).optional()
    .meta({ description: '`neighbor X timers KEEPALIVE HOLDTIME` (default 3 9 in the datacenter profile, 60 180 in the traditional one)' }),
  passive: z.boolean().optional().meta({ description: '`neighbor X passive`: never open the session, only accept it' }),
  'maximum-prefix': z.number().int().min(1).optional().meta({ description: '`neighbor X maximum-prefix N`: tear the session down beyond N prefixes' }),
  description: z.string().optional().meta({ description: '`neighbor X description TEXT`' }),
}).meta({ description: 'A BGP neighbour (`neighbor X …` lines)' });

export const frrRouterBgpSchema = z.strictObject({
  asn: asn.meta({ description: '`router bgp ASN`' }),
  'bgp router-id': ipv4.optional().meta({ description: '`bgp router-id ADDRESS` (default: the highest address of the machine)' }),
  'bgp ebgp-requires-policy': z.boolean().optional().meta({ description: '`bgp ebgp-requires-policy` (RFC 8212; FRR\'s default true): eBGP neighbours without route-maps exchange no routes. `false` is `no bgp ebgp-requires-policy`' }),
  neighbors: z.record(ipv4, frrNeighborSchema).meta({ description: '`neighbor ADDRESS …`, by address' }),
  network: z.array(prefix).optional().meta({ description: '`address-family ipv4 unicast` / `network PREFIX`: prefixes originated (they need a matching route, as FRR\'s `bgp network import-check` does)' }),
}).meta({ description: 'frr.conf `router bgp ASN` and its `address-family ipv4 unicast`' });

export const frrSchema = z.strictObject({
  'router bgp': frrRouterBgpSchema,
}).meta({ description: 'frr.conf: the FRR routing daemon\'s configuration (bgpd)' });

// ---------------------------------------------------------------------------------------------
// The block

export const linuxGatewaySchema = z.strictObject({
  name: name.meta({ description: 'The machine\'s host name: its node is "site/name"' }),
  interfaces: z.array(linuxInterfaceSchema).min(1),
  xfrm: z.array(xfrmInterfaceSchema).optional().meta({ description: 'XFRM interfaces for route-based tunnels' }),
  routes: z.array(linuxRouteSchema).optional(),
  swanctl: swanctlSchema.optional(),
  frr: frrSchema.optional(),
  description: z.string().optional(),
}).meta({ description: 'A Linux VPN gateway: strongSwan (swanctl.conf) and FRR (frr.conf) on one machine with ip_forward=1' });

export const linuxSiteSchema = z.strictObject({
  gateways: z.array(linuxGatewaySchema).min(1),
}).meta({ description: 'Linux VPN gateways of an on-premises site (strongSwan + FRR)' });

export type LinuxSite = z.infer<typeof linuxSiteSchema>;
export type LinuxGateway = z.infer<typeof linuxGatewaySchema>;
export type LinuxInterface = z.infer<typeof linuxInterfaceSchema>;
export type XfrmInterface = z.infer<typeof xfrmInterfaceSchema>;
export type LinuxRoute = z.infer<typeof linuxRouteSchema>;
export type SwanctlConnection = z.infer<typeof swanctlConnectionSchema>;
export type SwanctlChild = z.infer<typeof swanctlChildSchema>;
export type SwanctlSecret = z.infer<typeof swanctlSecretSchema>;
export type FrrRouterBgp = z.infer<typeof frrRouterBgpSchema>;
export type FrrNeighbor = z.infer<typeof frrNeighborSchema>;
