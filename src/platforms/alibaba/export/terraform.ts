import { formatPrefix, prefixCovers } from '../../../net/address.js';
import type { IkeConfig, IpsecConfig } from '../../../topology/platforms/alibaba.js';
import { headerLines, secretValue, type Artifact, type ExportContext } from '../../artifacts.js';
import type { AlibabaConnection, AlibabaRouteEntry, AlibabaTunnel } from '../model.js';
import {
  autoPolicyRoutes, DEFAULT_BANDWIDTH_MBPS, DEFAULT_ROUTE_WEIGHT, NOT_EXPORTED, NOT_IN_TOPOLOGY, systemCreated, trafficSelectors, type AlibabaRef,
} from './common.js';
import { attr, blank, block, comment, HclNames, ref, renderHcl, type HclItem, type HclValue } from './hcl.js';

/*
 * The site as Terraform for the alicloud provider, pinned: the VPC and its vSwitches, each VPN
 * gateway, customer gateway and IPsec connection (both tunnels' IKE, IPsec and BGP options), and
 * the gateways' policy and destination routes. Every field of the `alibaba:` block is written:
 * as an argument where the provider has one, else as a `# vpnlab: Field = value` comment on the
 * resource (what the provider cannot set, for `vpnlab import` to read back and for the reader to
 * apply by hand). A value the provider requires but the topology leaves out is marked
 * `# vpnlab: not in the topology`.
 */

export const ALICLOUD_PROVIDER_VERSION = '1.289.0';

/** A `# vpnlab: Field = value` comment: a topology value the provider has no argument for. */
function kept(field: string, value: unknown, why?: string): HclItem {
  return comment(`vpnlab: ${field} = ${JSON.stringify(value)}${why === undefined ? '' : `\n${why}`}`);
}

interface Writer {
  readonly ref: AlibabaRef;
  readonly context: ExportContext;
  readonly names: HclNames;
  /** Terraform names by topology name, per kind. */
  readonly vswitches: Map<string, string>;
  readonly gateways: Map<string, string>;
  readonly customerGateways: Map<string, string>;
  readonly connections: Map<string, string>;
  holdsSecret: boolean;
}

/** A reference to another resource's id, or the name itself when the topology's reference resolves to nothing (`--force`). */
function idOf(map: Map<string, string>, type: string, name: string | undefined): HclValue {
  const label = name === undefined ? undefined : map.get(name);
  return label === undefined ? (name ?? '') : ref(`${type}.${label}.id`);
}

function vpcItems(w: Writer, vpcLabel: string): HclItem[] {
  const { site, model } = w.ref;
  const items: HclItem[] = [];
  const [primary, ...secondary] = model.vpc;
  const vpcId = model.gateways.find((g) => g.resource.VpcId !== undefined)?.resource.VpcId;
  if (vpcId !== undefined) {
    items.push(comment(`VpcId ${vpcId} in the topology: Terraform adopts that VPC instead of creating one (Terraform >= 1.5).`),
      block('import', [], [attr('to', ref(`alicloud_vpc.${vpcLabel}`)), attr('id', vpcId)]), blank);
  }
  items.push(block('resource', ['alicloud_vpc', vpcLabel], [
    attr('vpc_name', site.name),
    ...(primary !== undefined ? [attr('cidr_block', formatPrefix(primary))] : [comment('The site has no addressSpace: the VPC gets the default CIDR block.')]),
    ...(site.description !== undefined ? [attr('description', site.description)] : []),
  ]), blank);
  const cidrLabels = secondary.map((p, i) => {
    const label = w.names.name('alicloud_vpc_ipv4_cidr_block', `${site.name}_${i + 2}`);
    items.push(block('resource', ['alicloud_vpc_ipv4_cidr_block', label], [
      attr('vpc_id', ref(`alicloud_vpc.${vpcLabel}.id`)), attr('secondary_cidr_block', formatPrefix(p)),
    ]), blank);
    return { prefix: p, label };
  });
  let zonesDeclared = false;
  for (const s of w.ref.layout.subnets) {
    const label = w.names.name('alicloud_vswitch', s.subnet.name);
    if (!w.vswitches.has(s.subnet.name)) w.vswitches.set(s.subnet.name, label);
    const zone = s.subnet.zone;
    if (zone === undefined && !zonesDeclared) {
      zonesDeclared = true;
      items.push(comment('vSwitches without a zone in the topology go in the first zone that can hold one.'),
        block('data', ['alicloud_zones', 'vswitch'], [attr('available_resource_creation', 'VSwitch')]), blank);
    }
    const inSecondary = cidrLabels.find((c) => prefixCovers(c.prefix, s.prefix));
    items.push(block('resource', ['alicloud_vswitch', label], [
      attr('vswitch_name', s.subnet.name),
      attr('vpc_id', ref(`alicloud_vpc.${vpcLabel}.id`)),
      attr('cidr_block', formatPrefix(s.prefix)),
      attr('zone_id', zone ?? ref('data.alicloud_zones.vswitch.zones[0].id'), zone === undefined ? NOT_IN_TOPOLOGY : undefined),
      ...(s.subnet.description !== undefined ? [attr('description', s.subnet.description)] : []),
      ...(inSecondary !== undefined ? [attr('depends_on', ref(`[alicloud_vpc_ipv4_cidr_block.${inSecondary.label}]`))] : []),
    ]), blank);
  }
  return items;
}

function gatewayItems(w: Writer, vpcLabel: string): HclItem[] {
  const items: HclItem[] = [];
  for (const g of w.ref.model.gateways) {
    const label = w.names.name('alicloud_vpn_gateway', g.name);
    if (!w.gateways.has(g.name)) w.gateways.set(g.name, label);
    const r = g.resource;
    const body: HclItem[] = [
      attr('vpn_gateway_name', r.Name),
      attr('vpc_id', ref(`alicloud_vpc.${vpcLabel}.id`)),
    ];
    if (r.VSwitchId !== undefined) body.push(attr('vswitch_id', idOf(w.vswitches, 'alicloud_vswitch', r.VSwitchId)));
    if (r.DisasterRecoveryVSwitchId !== undefined) body.push(attr('disaster_recovery_vswitch_id', idOf(w.vswitches, 'alicloud_vswitch', r.DisasterRecoveryVSwitchId)));
    body.push(attr('bandwidth', r.Bandwidth ?? DEFAULT_BANDWIDTH_MBPS, r.Bandwidth === undefined ? `${NOT_IN_TOPOLOGY} (the API requires one; Mbit/s)` : undefined));
    if (r.NetworkType !== undefined) body.push(attr('network_type', r.NetworkType));
    if (r.VpnType !== undefined) body.push(attr('vpn_type', r.VpnType));
    body.push(attr('payment_type', 'PayAsYouGo'));
    if (r.EnableIpsec !== undefined) body.push(attr('enable_ipsec', r.EnableIpsec));
    body.push(attr('enable_ssl', r.EnableSsl ?? false, r.EnableSsl === undefined ? `${NOT_IN_TOPOLOGY} (SSL-VPN off, the platform default)` : undefined));
    if (r.SslConnections !== undefined) body.push(attr('ssl_connections', r.SslConnections));
    if (r.AutoPropagate !== undefined) body.push(attr('auto_propagate', r.AutoPropagate));
    if (r.Description !== undefined) body.push(attr('description', r.Description));
    if (r.InternetIp !== undefined) body.push(kept('InternetIp', r.InternetIp));
    if (r.DisasterRecoveryInternetIp !== undefined) body.push(kept('DisasterRecoveryInternetIp', r.DisasterRecoveryInternetIp));
    if (r.InternetIp !== undefined || r.DisasterRecoveryInternetIp !== undefined) body.push(comment(NOT_EXPORTED.internetIp));
    items.push(block('resource', ['alicloud_vpn_gateway', label], body), blank);
    items.push(block('output', [`${label}_internet_ip`], [
      attr('description', `IPsec address 1 of ${g.name} (Tunnel 1)${r.InternetIp !== undefined ? `; the topology expects ${r.InternetIp}` : ''}`),
      attr('value', ref(`alicloud_vpn_gateway.${label}.internet_ip`)),
    ]), blank);
    if (g.dual) {
      items.push(block('output', [`${label}_disaster_recovery_internet_ip`], [
        attr('description', `IPsec address 2 of ${g.name} (Tunnel 2)${r.DisasterRecoveryInternetIp !== undefined ? `; the topology expects ${r.DisasterRecoveryInternetIp}` : ''}`),
        attr('value', ref(`alicloud_vpn_gateway.${label}.disaster_recovery_internet_ip`)),
      ]), blank);
    }
  }
  return items;
}

function customerGatewayItems(w: Writer): HclItem[] {
  const items: HclItem[] = [];
  for (const c of w.ref.model.customerGateways) {
    const label = w.names.name('alicloud_vpn_customer_gateway', c.name);
    if (!w.customerGateways.has(c.name)) w.customerGateways.set(c.name, label);
    const r = c.resource;
    const body: HclItem[] = [attr('customer_gateway_name', r.Name), attr('ip_address', r.IpAddress)];
    if (r.Asn !== undefined) body.push(attr('asn', String(r.Asn)));
    if (r.Description !== undefined) body.push(attr('description', r.Description));
    if (r.AuthKey !== undefined) {
      const key = secretValue(w.context, r.AuthKey, `${c.name}.AuthKey`);
      w.holdsSecret ||= key.holdsSecret;
      body.push(kept('AuthKey', key.text, `The provider has no argument for the BGP MD5 key: set it with\n  aliyun vpc ModifyCustomerGatewayAttribute --RegionId <region> --CustomerGatewayId <this id> --AuthKey '<key>'`));
    }
    items.push(block('resource', ['alicloud_vpn_customer_gateway', label], body), blank);
  }
  return items;
}

function ikeItems(w: Writer, ike: IkeConfig | undefined, where: string, single: boolean): HclItem[] {
  if (ike === undefined) return [];
  const body: HclItem[] = [];
  if (ike.Psk !== undefined) {
    const key = secretValue(w.context, ike.Psk, where);
    w.holdsSecret ||= key.holdsSecret;
    body.push(attr('psk', key.text));
  }
  if (ike.IkeVersion !== undefined) body.push(attr('ike_version', ike.IkeVersion));
  if (ike.IkeMode !== undefined) body.push(attr('ike_mode', ike.IkeMode));
  if (ike.IkeEncAlg !== undefined) body.push(attr('ike_enc_alg', ike.IkeEncAlg));
  if (ike.IkeAuthAlg !== undefined) body.push(attr('ike_auth_alg', ike.IkeAuthAlg));
  if (ike.IkePfs !== undefined) body.push(attr('ike_pfs', ike.IkePfs));
  if (ike.IkeLifetime !== undefined) body.push(attr('ike_lifetime', ike.IkeLifetime));
  if (ike.LocalId !== undefined) body.push(attr(single ? 'ike_local_id' : 'local_id', ike.LocalId));
  if (ike.RemoteId !== undefined) body.push(attr(single ? 'ike_remote_id' : 'remote_id', ike.RemoteId));
  return [block(single ? 'ike_config' : 'tunnel_ike_config', [], body)];
}

function ipsecItems(ipsec: IpsecConfig | undefined, single: boolean): HclItem[] {
  if (ipsec === undefined) return [];
  const body: HclItem[] = [];
  if (ipsec.IpsecEncAlg !== undefined) body.push(attr('ipsec_enc_alg', ipsec.IpsecEncAlg));
  if (ipsec.IpsecAuthAlg !== undefined) body.push(attr('ipsec_auth_alg', ipsec.IpsecAuthAlg));
  if (ipsec.IpsecPfs !== undefined) body.push(attr('ipsec_pfs', ipsec.IpsecPfs));
  if (ipsec.IpsecLifetime !== undefined) body.push(attr('ipsec_lifetime', ipsec.IpsecLifetime));
  return [block(single ? 'ipsec_config' : 'tunnel_ipsec_config', [], body)];
}

function tunnelItems(w: Writer, conn: AlibabaConnection, tunnel: AlibabaTunnel): HclItem[] {
  const spec = conn.resource.TunnelOptionsSpecification![tunnel.specIndex!]!;
  const body: HclItem[] = [
    attr('role', spec.Role),
    attr('customer_gateway_id', idOf(w.customerGateways, 'alicloud_vpn_customer_gateway', spec.CustomerGatewayId)),
  ];
  if (spec.EnableDpd !== undefined) body.push(attr('enable_dpd', spec.EnableDpd));
  if (spec.EnableNatTraversal !== undefined) body.push(attr('enable_nat_traversal', spec.EnableNatTraversal));
  body.push(...ikeItems(w, spec.TunnelIkeConfig, `${conn.name}.tunnel${tunnel.address}`, false), ...ipsecItems(spec.TunnelIpsecConfig, false));
  const bgp = spec.TunnelBgpConfig;
  if (bgp !== undefined) {
    body.push(block('tunnel_bgp_config', [], [
      ...(bgp.LocalAsn !== undefined ? [attr('local_asn', String(bgp.LocalAsn))] : []),
      attr('tunnel_cidr', bgp.TunnelCidr),
      attr('local_bgp_ip', bgp.LocalBgpIp),
    ]));
  }
  return [block('tunnel_options_specification', [], body)];
}

function singleTunnelItems(w: Writer, conn: AlibabaConnection): HclItem[] {
  const r = conn.resource;
  const body: HclItem[] = [attr('customer_gateway_id', idOf(w.customerGateways, 'alicloud_vpn_customer_gateway', r.CustomerGatewayId))];
  if (r.EnableDpd !== undefined) body.push(attr('enable_dpd', r.EnableDpd));
  if (r.EnableNatTraversal !== undefined) body.push(attr('enable_nat_traversal', r.EnableNatTraversal));
  body.push(...ikeItems(w, r.IkeConfig, conn.name, true), ...ipsecItems(r.IpsecConfig, true));
  if (r.BgpConfig !== undefined) {
    const b = r.BgpConfig;
    body.push(block('bgp_config', [], [
      ...(b.EnableBgp !== undefined ? [attr('enable', b.EnableBgp)] : []),
      ...(b.LocalAsn !== undefined ? [attr('local_asn', String(b.LocalAsn))] : []),
      ...(b.TunnelCidr !== undefined ? [attr('tunnel_cidr', b.TunnelCidr)] : []),
      ...(b.LocalBgpIp !== undefined ? [attr('local_bgp_ip', b.LocalBgpIp)] : []),
    ]));
  }
  const h = r.HealthCheckConfig;
  if (h !== undefined) {
    body.push(block('health_check_config', [], [
      ...(h.enable !== undefined ? [attr('enable', h.enable)] : []),
      ...(h.dip !== undefined ? [attr('dip', h.dip)] : []),
      ...(h.sip !== undefined ? [attr('sip', h.sip)] : []),
      ...(h.interval !== undefined ? [attr('interval', h.interval)] : []),
      ...(h.retry !== undefined ? [attr('retry', h.retry)] : []),
    ]));
    if (h.policy !== undefined) body.push(kept('HealthCheckConfig.policy', h.policy, 'The provider has no argument for the health check policy: set it with ModifyVpnConnectionAttribute --HealthCheckConfig.'));
  }
  return body;
}

/** Whether Terraform must create the system's own policy routes itself: a listed one would collide with the system's. */
function takesOverAutoRoutes(conn: AlibabaConnection): boolean {
  return conn.routes.some((r) => systemCreated(r) === conn);
}

function connectionItems(w: Writer): HclItem[] {
  const items: HclItem[] = [];
  for (const conn of w.ref.model.connections) {
    const label = w.names.name('alicloud_vpn_connection', conn.name);
    if (!w.connections.has(conn.name)) w.connections.set(conn.name, label);
    const r = conn.resource;
    const selectors = trafficSelectors(conn);
    const body: HclItem[] = [
      attr('vpn_connection_name', r.Name),
      attr('vpn_gateway_id', idOf(w.gateways, 'alicloud_vpn_gateway', r.VpnGatewayId)),
      attr('local_subnet', selectors.local, r.LocalSubnet === undefined ? NOT_IN_TOPOLOGY : undefined),
      attr('remote_subnet', selectors.remote, r.RemoteSubnet === undefined ? NOT_IN_TOPOLOGY : undefined),
    ];
    if (r.RoutingMode !== undefined) body.push(kept('RoutingMode', r.RoutingMode, NOT_EXPORTED.routingMode));
    if (r.EffectImmediately !== undefined) body.push(attr('effect_immediately', r.EffectImmediately));
    if (takesOverAutoRoutes(conn)) {
      body.push(r.AutoConfigRoute !== undefined ? kept('AutoConfigRoute', r.AutoConfigRoute) : comment(`AutoConfigRoute: ${NOT_IN_TOPOLOGY} (the platform's default, true).`));
      body.push(comment('The system would create the policy routes of LocalSubnet x RemoteSubnet itself, unpublished, and a\nroute Terraform creates would collide with them: Terraform creates them all instead (below).'));
      body.push(attr('auto_config_route', false));
    } else if (r.AutoConfigRoute !== undefined) {
      body.push(attr('auto_config_route', r.AutoConfigRoute));
    }
    if (r.EnableTunnelsBgp !== undefined) body.push(attr('enable_tunnels_bgp', r.EnableTunnelsBgp));
    if (r.Description !== undefined) body.push(kept('Description', r.Description, 'The provider has no argument for a connection description.'));
    if (conn.dual) for (const t of conn.tunnels) body.push(...tunnelItems(w, conn, t));
    else body.push(...singleTunnelItems(w, conn));
    items.push(block('resource', ['alicloud_vpn_connection', label], body), blank);
  }
  return items;
}

function routeItem(w: Writer, route: AlibabaRouteEntry, label: string, systemRoute: boolean): HclItem[] {
  const r = route.resource;
  const type = route.kind === 'policy' ? 'alicloud_vpn_pbr_route_entry' : 'alicloud_vpn_route_entry';
  const body: HclItem[] = [
    attr('vpn_gateway_id', idOf(w.gateways, 'alicloud_vpn_gateway', r.VpnGatewayId)),
    ...('RouteSource' in r ? [attr('route_source', r.RouteSource)] : []),
    attr('route_dest', r.RouteDest),
    attr('next_hop', idOf(w.connections, 'alicloud_vpn_connection', r.NextHop)),
    attr('weight', r.Weight ?? DEFAULT_ROUTE_WEIGHT, r.Weight === undefined ? `${NOT_IN_TOPOLOGY} (the API requires one)` : undefined),
    attr('publish_vpc', r.PublishVpc),
  ];
  if (systemRoute) body.push(comment('The system creates this route (AutoConfigRoute); Terraform creates it in its place.'));
  if ('Priority' in r && r.Priority !== undefined) body.push(kept('Priority', r.Priority, 'The provider has no argument for the priority: the route gets the default (10); change it in the console.'));
  if (r.Description !== undefined) body.push(kept('Description', r.Description, 'The provider has no argument for a route description.'));
  return [block('resource', [type, label], body), blank];
}

function routeItems(w: Writer): HclItem[] {
  const items: HclItem[] = [];
  for (const route of w.ref.model.routes) {
    const label = w.names.name(route.kind === 'policy' ? 'alicloud_vpn_pbr_route_entry' : 'alicloud_vpn_route_entry', `${route.resource.VpnGatewayId}_${route.kind === 'policy' ? 'pbr' : 'route'}_${route.index}`);
    items.push(...routeItem(w, route, label, systemCreated(route) !== undefined));
  }
  // The system's own routes that the topology does not list, for connections whose routes Terraform takes over.
  for (const conn of w.ref.model.connections.filter(takesOverAutoRoutes)) {
    for (const auto of autoPolicyRoutes(conn)) {
      const listed = conn.routes.some((r) => r.kind === 'policy' && r.source !== undefined
        && r.source.address === auto.source.address && r.source.length === auto.source.length && r.dest.address === auto.dest.address && r.dest.length === auto.dest.length);
      if (listed) continue;
      const label = w.names.name('alicloud_vpn_pbr_route_entry', `${conn.name}_auto`);
      items.push(comment('vpnlab: system route (AutoConfigRoute): not listed in the topology, which leaves it to the system.'),
        block('resource', ['alicloud_vpn_pbr_route_entry', label], [
          attr('vpn_gateway_id', idOf(w.gateways, 'alicloud_vpn_gateway', conn.resource.VpnGatewayId)),
          attr('route_source', formatPrefix(auto.source)),
          attr('route_dest', formatPrefix(auto.dest)),
          attr('next_hop', idOf(w.connections, 'alicloud_vpn_connection', conn.name)),
          attr('weight', DEFAULT_ROUTE_WEIGHT),
          attr('publish_vpc', false),
        ]), blank);
    }
  }
  return items;
}

export function alibabaTerraform(aref: AlibabaRef, context: ExportContext): Artifact {
  const w: Writer = {
    ref: aref, context, names: new HclNames(), holdsSecret: false,
    vswitches: new Map(), gateways: new Map(), customerGateways: new Map(), connections: new Map(),
  };
  const site = aref.site;
  const vpcLabel = w.names.name('alicloud_vpc', site.name);
  const body: HclItem[] = [
    block('terraform', [], [
      attr('required_version', '>= 1.5'),
      block('required_providers', [], [attr('alicloud', ref(`{\n      source  = "aliyun/alicloud"\n      version = "${ALICLOUD_PROVIDER_VERSION}"\n    }`))]),
    ]),
    blank,
    block('provider', ['alicloud'], [
      site.region !== undefined ? attr('region', site.region) : attr('region', ref('var.region'), NOT_IN_TOPOLOGY),
    ]),
    blank,
    ...(site.region === undefined ? [block('variable', ['region'], [attr('description', 'The Alibaba Cloud region (the topology names none)'), attr('type', ref('string'))]), blank] : []),
    ...vpcItems(w, vpcLabel),
    ...gatewayItems(w, vpcLabel),
    ...customerGatewayItems(w),
    ...connectionItems(w),
    ...routeItems(w),
  ];
  const header = headerLines(context, site, 'Terraform (alicloud provider)', w.holdsSecret);
  header.push(
    `Apply with: terraform init && terraform apply (alicloud provider ${ALICLOUD_PROVIDER_VERSION}, credentials from ALICLOUD_ACCESS_KEY / ALICLOUD_SECRET_KEY).`,
    'Idempotent: applying it again changes nothing. A VPN gateway takes 1-5 minutes to become active.',
    '`# vpnlab: Field = value` lines keep topology values the provider has no argument for.',
  );
  while (body.at(-1)?.kind === 'blank') body.pop();
  const text = [...header.map((l) => `# ${l}`), '', ...renderHcl(body), ''].join('\n');
  return { path: `${site.name}/main.tf`, format: 'terraform', text, holdsSecrets: w.holdsSecret };
}
