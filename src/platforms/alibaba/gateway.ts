import type { Rng } from '../../core/rng.js';
import type { ChildConfig, PeerConfig, TunnelSpec } from '../../ike/config.js';
import { fqdnIdentity, ipv4Identity, type Identity } from '../../ike/payloads/id.js';
import { parseProposals } from '../../ike/proposal.js';
import { isIpv4, parseIpv4, parsePrefix, type Prefix } from '../../net/address.js';
import type { SiteOf } from '../../topology/schema.js';
import type { DocPath } from '../../config/source.js';
import type { Findings, SiteRef } from '../adapter.js';
import {
  addPrefix, ANY_SELECTOR, defaultRouteVia, hostPrefix, lifetimesFor, pickAddress, prefixesOf, pskBytes,
  NOT_EMULATED_FIX, retransmitWithin, selectors, takenAddresses, UNIMPLEMENTED_ALGORITHM_FIX, uniqueByName, unimplementedDhGroup,
} from '../common.js';
import type { FabricRoute, InstancePlan, InterfacePlan, PlanContext, SitePlan } from '../plan.js';
import { ALIBABA_LIFETIME_S, ALIBABA_PREPARING_MS, ALIBABA_PSK_CHARACTERS, alibabaProposals } from './defaults.js';
import type { AlibabaSite, VpnConnection, VpnGateway } from '../../topology/platforms/alibaba.js';
import { alibabaEnds } from './ends.js';
import { alibabaInstanceNames, alibabaTunnels, ipsecAddresses, protectedFlows } from './facts.js';

/*
 * An Alibaba Cloud VPC as the emulator runs it: a VPN gateway is one node per IPsec address (two
 * for a dual-tunnel gateway: address 1 carries every connection's Tunnel 1, address 2 its Tunnel 2),
 * each with its ENI in its vSwitch; the VPC's vRouter sends published routes to the gateway node
 * whose tunnel is up, Tunnel 1 first (active/standby, with automatic switch-back). Gateways are
 * "Preparing" for a simulated 1-5 minutes before they do anything.
 */

export const ALIBABA_FABRIC = 'vRouter';
const DPD_DELAY_S = 10;
const DPD_TIMEOUT_S = 30;

export type AlibabaSiteOf = SiteOf<'alibaba'>;

function identity(text: string): Identity {
  return isIpv4(text) ? ipv4Identity(parseIpv4(text)) : fqdnIdentity(text);
}

/** The key Alibaba generates when none is given: 16 characters of its allowed set. */
function generatedPsk(rng: Rng): string {
  const alphabet = `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789${ALIBABA_PSK_CHARACTERS}`;
  let key = '';
  for (let i = 0; i < 16; i++) key += alphabet[rng.int(alphabet.length)];
  return key;
}

/** Routes of a connection: explicit route entries, plus the unpublished policy routes protected-data-flow mode creates. */
function connectionRoutes(alibaba: AlibabaSite, gateway: VpnGateway, conn: VpnConnection): { all: Prefix[]; published: Prefix[] } {
  const all: Prefix[] = [];
  const published: Prefix[] = [];
  const entries = [...(alibaba.VpnPbrRouteEntries ?? []), ...(alibaba.VpnRouteEntries ?? [])].filter((e) => e.VpnGatewayId === gateway.Name && e.NextHop === conn.Name);
  for (const e of entries) {
    addPrefix(all, parsePrefix(e.RouteDest));
    if (e.PublishVpc) addPrefix(published, parsePrefix(e.RouteDest));
  }
  const flows = protectedFlows(conn);
  // AutoConfigRoute adds a route per remote flow; a remote side of any adds none (never a default route into the tunnel).
  if (flows !== undefined && conn.AutoConfigRoute !== false) for (const p of flows.remote) if (p.length > 0) addPrefix(all, p);
  return { all, published };
}

export function planAlibabaSite(ref: SiteRef<'alibaba'>, context: PlanContext, findings: Findings): SitePlan | undefined {
  const site = ref.site;
  const alibaba = site.alibaba;
  if (alibaba === undefined) return undefined;
  const subnets = site.subnets ?? [];
  const fabricInterfaces: InterfacePlan[] = [];
  for (const subnet of subnets) {
    const prefix = parsePrefix(subnet.prefix);
    // A vSwitch's gateway is its fourth-last address (x.x.x.253 in a /24).
    const address = pickAddress(prefix, [-2], takenAddresses(site, subnet.name));
    if (address !== undefined) fabricInterfaces.push({ name: subnet.name, address, prefix, attach: { subnet: subnet.name } });
  }
  const vpc = prefixesOf(site.addressSpace);
  const siteIndex = context.topology.sites.indexOf(site);
  const instances: InstancePlan[] = [];
  const fabricRoutes: FabricRoute[] = [];
  const gateways = uniqueByName(alibaba.VpnGateways ?? [], (g) => g.Name, (i) => [...ref.at, 'VpnGateways', i, 'Name'], 'VPN gateway', 'ALIBABA_DUPLICATE_NAME', findings);
  const unique = uniqueByName(alibaba.VpnConnections ?? [], (c) => c.Name, (i) => [...ref.at, 'VpnConnections', i, 'Name'], 'IPsec connection', 'ALIBABA_DUPLICATE_NAME', findings);
  uniqueByName(alibaba.CustomerGateways ?? [], (c) => c.Name, (i) => [...ref.at, 'CustomerGateways', i, 'Name'], 'customer gateway', 'ALIBABA_DUPLICATE_NAME', findings);
  gateways.forEach(({ item: gateway, index: gi }) => {
    const gp: DocPath = [...ref.at, 'VpnGateways', gi];
    const label = `VPN gateway '${gateway.Name}'`;
    if (gateway.VpnType === 'NationalStandard') {
      findings.error('ALIBABA_NOT_EMULATED', [...gp, 'VpnType'], `${label} is NationalStandard (ShangMi), which vpnlab does not emulate`, NOT_EMULATED_FIX);
      return;
    }
    if (gateway.NetworkType === 'private') {
      findings.error('ALIBABA_NOT_EMULATED', [...gp, 'NetworkType'], `${label} is a private-network gateway, which vpnlab does not emulate yet`, NOT_EMULATED_FIX);
      return;
    }
    if (gateway.EnableIpsec === false) return;
    const dual = gateway.DisasterRecoveryVSwitchId !== undefined;
    const vswitches = [gateway.VSwitchId ?? subnets[0]?.name, gateway.DisasterRecoveryVSwitchId];
    const addresses = ipsecAddresses(siteIndex, gi, gateway);
    const connections = unique.flatMap(({ item: conn, index: ci }) => (conn.VpnGatewayId === gateway.Name ? [{ conn, path: [...ref.at, 'VpnConnections', ci] }] : []));
    const preparing = ALIBABA_PREPARING_MS[0] + context.rng(`alibaba:${site.name}/${gateway.Name}:preparing`).int(ALIBABA_PREPARING_MS[1] - ALIBABA_PREPARING_MS[0]);
    const names = alibabaInstanceNames(gateway);
    for (let k = 0; k < names.length; k++) {
      const vswitch = vswitches[k];
      const subnet = subnets.find((s) => s.name === vswitch);
      if (subnet === undefined) {
        findings.error('ALIBABA_UNKNOWN_REFERENCE', [...gp, k === 0 ? 'VSwitchId' : 'DisasterRecoveryVSwitchId'], `${label} sits in vSwitch '${vswitch ?? '(none)'}', which VPC '${site.name}' does not have: Alibaba refuses the gateway`,
          `name one of the VPC's subnets (${subnets.map((x) => x.name).join(', ') || 'none yet'})`);
        return;
      }
      const prefix = parsePrefix(subnet.prefix);
      const fabricAddress = fabricInterfaces.find((f) => f.name === subnet.name)?.address;
      const taken = new Set(takenAddresses(site, subnet.name));
      if (fabricAddress !== undefined) taken.add(fabricAddress);
      for (const other of instances) for (const i of other.interfaces) taken.add(i.address);
      const eni = pickAddress(prefix, [-3, -4, -5, -6, -7, -8], taken);
      if (eni === undefined) {
        findings.error('ALIBABA_VSWITCH_FULL', [...gp, k === 0 ? 'VSwitchId' : 'DisasterRecoveryVSwitchId'], `vSwitch '${subnet.name}' has no free address for ${label}'s ENI: Alibaba refuses the gateway`, 'free addresses in the vSwitch, or give the gateway a larger one');
        return;
      }
      const publicAddress = addresses[k]!;
      const peers: PeerConfig[] = [];
      const tunnels: TunnelSpec[] = [];
      const generated = new Map<string, string>();
      for (const { conn, path } of connections) {
        const clabel = `IPsec connection '${conn.Name}'`;
        if (conn.EnableTunnelsBgp === true || conn.BgpConfig?.EnableBgp === true) {
          findings.error('ALIBABA_BGP_NOT_EMULATED', [...path, conn.EnableTunnelsBgp === true ? 'EnableTunnelsBgp' : 'BgpConfig'], `${clabel} runs BGP over its tunnels, which vpnlab does not emulate yet`,
            'route with destination or policy routes (VpnRouteEntries, VpnPbrRouteEntries) for now');
          continue;
        }
        if (conn.HealthCheckConfig?.enable === true) {
          findings.error('ALIBABA_NOT_EMULATED', [...path, 'HealthCheckConfig'], `${clabel} has the health check on, which vpnlab does not emulate yet`, NOT_EMULATED_FIX);
          continue;
        }
        // A dual-tunnel connection on a single-tunnel gateway is ALIBABA_NOT_DUAL_TUNNEL in checks.ts.
        if (conn.TunnelOptionsSpecification !== undefined && !dual) continue;
        const tunnel = alibabaTunnels(conn).find((t) => t.address === k + 1);
        if (tunnel === undefined) continue;
        // An unknown customer gateway is ALIBABA_UNKNOWN_REFERENCE in checks.ts.
        const cgw = (alibaba.CustomerGateways ?? []).find((c) => c.Name === tunnel.customerGateway);
        if (cgw === undefined) continue;
        const tunnelPath: DocPath = tunnel.specIndex === undefined ? [...path, 'IkeConfig'] : [...path, 'TunnelOptionsSpecification', tunnel.specIndex, 'TunnelIkeConfig'];
        const offer = alibabaProposals(tunnel.ike, tunnel.ipsec, conn.TunnelOptionsSpecification !== undefined);
        if ('problem' in offer) {
          findings.error('ALIBABA_NOT_EMULATED', tunnelPath, `${clabel}: ${offer.problem}`, UNIMPLEMENTED_ALGORITHM_FIX);
          continue;
        }
        if (offer.version === 'ikev1') {
          findings.error('ALIBABA_NOT_EMULATED', [...tunnelPath, 'IkeVersion'], `${clabel} uses IKEv1, which vpnlab does not emulate (it speaks IKEv2)`, 'set IkeVersion: ikev2 (the peer must speak it too)');
          continue;
        }
        const dh = unimplementedDhGroup([offer.ike], 'ike') ?? unimplementedDhGroup([offer.esp], 'esp');
        if (dh !== undefined) {
          findings.error('ALIBABA_NOT_EMULATED', tunnelPath, `${clabel} uses DH group ${dh}, which vpnlab does not implement`, 'choose group2 or a stronger group on both ends');
          continue;
        }
        const psk = tunnel.ike?.Psk ?? generatedPsk(context.rng(`alibaba:${site.name}/${conn.Name}/${k + 1}:psk`));
        if (tunnel.ike?.Psk === undefined) generated.set(`${conn.Name} tunnel ${k + 1} pre-shared key`, psk);
        const immediate = conn.EffectImmediately === true;
        const flows = protectedFlows(conn);
        const remote = parseIpv4(cgw.IpAddress);
        const child: ChildConfig = {
          name: conn.Name,
          espProposals: parseProposals([offer.esp], 'esp'),
          localSelectors: flows === undefined ? [ANY_SELECTOR] : selectors(flows.local),
          remoteSelectors: flows === undefined ? [ANY_SELECTOR] : selectors(flows.remote),
          lifetimes: lifetimesFor(tunnel.ipsec?.IpsecLifetime ?? ALIBABA_LIFETIME_S),
          startAction: immediate ? 'start' : 'trap',
        };
        peers.push({
          name: conn.Name,
          localAddress: publicAddress,
          remoteAddress: remote,
          localIdentity: tunnel.ike?.LocalId !== undefined ? identity(tunnel.ike.LocalId) : ipv4Identity(publicAddress),
          remoteIdentity: tunnel.ike?.RemoteId !== undefined ? identity(tunnel.ike.RemoteId) : ipv4Identity(remote),
          psk: pskBytes(psk),
          ikeProposals: parseProposals([offer.ike], 'ike'),
          ikeRekeySeconds: tunnel.ike?.IkeLifetime ?? ALIBABA_LIFETIME_S,
          dpdDelaySeconds: tunnel.dpd ? DPD_DELAY_S : 0,
          dpdAction: immediate ? 'restart' : 'clear',
          forceEncapsulation: false,
          responderOnly: false,
          children: [child],
          retransmit: retransmitWithin(DPD_TIMEOUT_S),
        });
        const routes = connectionRoutes(alibaba, gateway, conn);
        tunnels.push({ connection: conn.Name, child: conn.Name, kind: 'route', routes: routes.all });
        if (k === 0) {
          for (const p of routes.published) {
            fabricRoutes.push({ prefix: p, via: alibabaTunnels(conn).map((t) => names[t.address - 1]!), mode: 'failover', origin: `VPN gateway ${gateway.Name} route to ${conn.Name} (published)` });
          }
        }
      }
      instances.push({
        name: names[k]!,
        resource: gateway.Name,
        platform: 'alibaba',
        os: 'linux',
        interfaces: [
          { name: `ipsec${k + 1}`, address: publicAddress, prefix: hostPrefix(publicAddress), attach: 'internet' },
          { name: `eni${k + 1}`, address: eni, prefix, attach: { subnet: subnet.name } },
        ],
        routes: [
          defaultRouteVia(`ipsec${k + 1}`, `IPsec address ${k + 1}`),
          ...(fabricAddress === undefined ? [] : vpc.map((p) => ({ prefix: p, nextHop: fabricAddress, interface: `eni${k + 1}`, source: 'static' as const, origin: 'VPC CIDR' }))),
        ],
        ipsec: { address: publicAddress, peers, tunnels, delayedStarts: [] },
        readyAfterMs: preparing,
        ...(generated.size > 0 ? { generated } : {}),
      });
    }
  });
  const hostGateways = new Map(fabricInterfaces.map((f) => [f.name, f.address] as const));
  return {
    site: site.name,
    instances,
    fabric: { name: ALIBABA_FABRIC, interfaces: fabricInterfaces, routes: fabricRoutes, propagateFrom: [] },
    hostGateways,
    ends: alibabaEnds(ref),
  };
}
