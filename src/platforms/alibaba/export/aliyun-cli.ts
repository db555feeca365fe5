import { formatPrefix } from '../../../net/address.js';
import type { IkeConfig, IpsecConfig } from '../../../topology/platforms/alibaba.js';
import { headerLines, secretValue, type Artifact, type ExportContext } from '../../artifacts.js';
import type { AlibabaConnection, AlibabaRouteEntry } from '../model.js';
import { DEFAULT_BANDWIDTH_MBPS, DEFAULT_ROUTE_WEIGHT, NOT_EXPORTED, NOT_IN_TOPOLOGY, systemCreated, trafficSelectors, type AlibabaRef } from './common.js';

/*
 * The site as a bash script of aliyun CLI calls (VPC OpenAPI 2016-04-28, its parameter names):
 * the VPC and vSwitches, each VPN gateway (waiting until it is active), customer gateways, IPsec
 * connections and routes. The id each Create call returns feeds the next call through jq, as a
 * user would write it. Dual-tunnel connections pass TunnelOptionsSpecification flattened
 * (`--TunnelOptionsSpecification.1.Role master`) with `--method POST --force`: the CLI's metadata
 * lists that parameter as an array without members, and refuses its members without --force.
 */

/** A word for bash: single-quoted unless it is plainly safe. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A shell variable name from a topology name. */
function varName(prefix: string, name: string): string {
  return `${prefix}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

type Arg = readonly [name: string, value: string];

interface Script {
  readonly lines: string[];
  readonly ref: AlibabaRef;
  readonly context: ExportContext;
  holdsSecret: boolean;
  readonly vswitches: Map<string, string>;
  readonly gateways: Map<string, string>;
  readonly customerGateways: Map<string, string>;
  readonly connections: Map<string, string>;
}

/** `"$VAR"`, or the raw name quoted when the topology's reference resolves to nothing (`--force`). */
function idOf(map: Map<string, string>, name: string | undefined): string {
  const v = name === undefined ? undefined : map.get(name);
  return v === undefined ? shellWord(name ?? '') : `"$${v}"`;
}

/** One call, an argument a line; `id` captures the returned id into a variable. */
function call(s: Script, api: string, args: readonly Arg[], options: { id?: { variable: string; field: string }; force?: boolean } = {}): void {
  const words = [`aliyun vpc ${api}`, '--RegionId "$REGION"', ...args.map(([k, v]) => `--${k} ${v}`)];
  if (options.force === true) words.push('--method POST --force');
  const body = words.join(' \\\n    ');
  if (options.id !== undefined) s.lines.push(`${options.id.variable}=$(${body} \\\n    | jq -r '.${options.id.field}')`);
  else s.lines.push(`${body} >/dev/null`);
}

const str = (v: string): string => shellWord(v);
const bool = (v: boolean): string => String(v);

function json(value: object): string {
  return shellWord(JSON.stringify(value));
}

function vpc(s: Script): void {
  const { site, model, layout } = s.ref;
  const [primary, ...secondary] = model.vpc;
  const given = model.gateways.find((g) => g.resource.VpcId !== undefined)?.resource.VpcId;
  s.lines.push('', '# --- VPC and vSwitches');
  if (given !== undefined) {
    s.lines.push(`# VpcId ${given} in the topology: the script uses that VPC instead of creating one.`, `VPC_ID=${shellWord(given)}`);
  } else {
    call(s, 'CreateVpc', [
      ['VpcName', str(site.name)],
      ...(primary !== undefined ? [['CidrBlock', str(formatPrefix(primary))] as const] : []),
      ...(site.description !== undefined ? [['Description', str(site.description)] as const] : []),
    ], { id: { variable: 'VPC_ID', field: 'VpcId' } });
    s.lines.push('aliyun vpc DescribeVpcAttribute --RegionId "$REGION" --VpcId "$VPC_ID" --waiter expr=Status to=Available >/dev/null');
  }
  for (const p of secondary) call(s, 'AssociateVpcCidrBlock', [['VpcId', '"$VPC_ID"'], ['SecondaryCidrBlock', str(formatPrefix(p))]]);
  if (layout.subnets.some((x) => x.subnet.zone === undefined)) {
    s.lines.push(`# vSwitches without a zone in the topology go in the region's first zone (${NOT_IN_TOPOLOGY}).`);
    s.lines.push('FIRST_ZONE=$(aliyun vpc DescribeZones --RegionId "$REGION" | jq -r \'.Zones.Zone[0].ZoneId\')');
  }
  for (const x of layout.subnets) {
    const v = varName('VSW', x.subnet.name);
    if (!s.vswitches.has(x.subnet.name)) s.vswitches.set(x.subnet.name, v);
    call(s, 'CreateVSwitch', [
      ['VpcId', '"$VPC_ID"'], ['VSwitchName', str(x.subnet.name)], ['CidrBlock', str(formatPrefix(x.prefix))],
      ['ZoneId', x.subnet.zone !== undefined ? str(x.subnet.zone) : '"$FIRST_ZONE"'],
      ...(x.subnet.description !== undefined ? [['Description', str(x.subnet.description)] as const] : []),
    ], { id: { variable: v, field: 'VSwitchId' } });
  }
}

function gateways(s: Script): void {
  for (const g of s.ref.model.gateways) {
    const r = g.resource;
    const v = varName('VGW', g.name);
    if (!s.gateways.has(g.name)) s.gateways.set(g.name, v);
    s.lines.push('', `# --- VPN gateway ${g.name}${g.dual ? ' (dual tunnel: two IPsec addresses)' : ''}`);
    if (r.Bandwidth === undefined) s.lines.push(`# Bandwidth ${DEFAULT_BANDWIDTH_MBPS}: ${NOT_IN_TOPOLOGY} (the API requires one; Mbit/s).`);
    call(s, 'CreateVpnGateway', [
      ['VpcId', '"$VPC_ID"'], ['Name', str(r.Name)],
      ...(r.VSwitchId !== undefined ? [['VSwitchId', idOf(s.vswitches, r.VSwitchId)] as const] : []),
      ...(r.DisasterRecoveryVSwitchId !== undefined ? [['DisasterRecoveryVSwitchId', idOf(s.vswitches, r.DisasterRecoveryVSwitchId)] as const] : []),
      ['Bandwidth', String(r.Bandwidth ?? DEFAULT_BANDWIDTH_MBPS)],
      ...(r.NetworkType !== undefined ? [['NetworkType', r.NetworkType] as const] : []),
      ...(r.VpnType !== undefined ? [['VpnType', r.VpnType] as const] : []),
      ...(r.EnableIpsec !== undefined ? [['EnableIpsec', bool(r.EnableIpsec)] as const] : []),
      ['EnableSsl', bool(r.EnableSsl ?? false)],
      ...(r.SslConnections !== undefined ? [['SslConnections', String(r.SslConnections)] as const] : []),
      ['InstanceChargeType', 'POSTPAY'], ['AutoPay', 'true'],
    ], { id: { variable: v, field: 'VpnGatewayId' } });
    s.lines.push(`wait_active "$${v}"`);
    if (r.AutoPropagate !== undefined || r.Description !== undefined) {
      call(s, 'ModifyVpnGatewayAttribute', [
        ['VpnGatewayId', `"$${v}"`],
        ...(r.AutoPropagate !== undefined ? [['AutoPropagate', bool(r.AutoPropagate)] as const] : []),
        ...(r.Description !== undefined ? [['Description', str(r.Description)] as const] : []),
      ]);
    }
    if (r.InternetIp !== undefined || r.DisasterRecoveryInternetIp !== undefined) s.lines.push(`# ${NOT_EXPORTED.internetIp}`);
    const expect = (ip: string | undefined): string => (ip === undefined ? '' : ` (the topology expects ${ip})`);
    s.lines.push(`aliyun vpc DescribeVpnGateway --RegionId "$REGION" --VpnGatewayId "$${v}" \\\n    | jq -r '"${g.name}: IPsec address 1 \\(.InternetIp)${expect(r.InternetIp)}${g.dual ? `, IPsec address 2 \\(.DisasterRecoveryInternetIp)${expect(r.DisasterRecoveryInternetIp)}` : ''}"'`);
  }
}

function customerGateways(s: Script): void {
  if (s.ref.model.customerGateways.length > 0) s.lines.push('', '# --- Customer gateways');
  for (const c of s.ref.model.customerGateways) {
    const r = c.resource;
    const v = varName('CGW', c.name);
    if (!s.customerGateways.has(c.name)) s.customerGateways.set(c.name, v);
    let authKey: string | undefined;
    if (r.AuthKey !== undefined) {
      const key = secretValue(s.context, r.AuthKey, `${c.name}.AuthKey`);
      s.holdsSecret ||= key.holdsSecret;
      authKey = key.text;
    }
    call(s, 'CreateCustomerGateway', [
      ['Name', str(r.Name)], ['IpAddress', str(r.IpAddress)],
      ...(r.Asn !== undefined ? [['Asn', str(String(r.Asn))] as const] : []),
      ...(authKey !== undefined ? [['AuthKey', str(authKey)] as const] : []),
      ...(r.Description !== undefined ? [['Description', str(r.Description)] as const] : []),
    ], { id: { variable: v, field: 'CustomerGatewayId' } });
  }
}

function psk(s: Script, ike: IkeConfig | undefined, where: string): IkeConfig | undefined {
  if (ike?.Psk === undefined) return ike;
  const key = secretValue(s.context, ike.Psk, where);
  s.holdsSecret ||= key.holdsSecret;
  return { ...ike, Psk: key.text };
}

function flatten(prefix: string, value: IkeConfig | IpsecConfig | object | undefined): Arg[] {
  if (value === undefined) return [];
  return Object.entries(value).map(([k, v]) => [`${prefix}.${k}`, str(String(v))] as const);
}

function connections(s: Script): void {
  for (const conn of s.ref.model.connections) {
    const r = conn.resource;
    const v = varName('VCO', conn.name);
    if (!s.connections.has(conn.name)) s.connections.set(conn.name, v);
    const sel = trafficSelectors(conn);
    s.lines.push('', `# --- IPsec connection ${conn.name} (${conn.dual ? 'dual tunnel' : 'single tunnel'})`);
    if (r.RoutingMode !== undefined) s.lines.push(`# RoutingMode ${r.RoutingMode}: ${NOT_EXPORTED.routingMode}`);
    if (r.LocalSubnet === undefined) s.lines.push(`# LocalSubnet/RemoteSubnet 0.0.0.0/0: ${NOT_IN_TOPOLOGY} (destination routing).`);
    if (r.Description !== undefined) s.lines.push(`# vpnlab: Description = ${JSON.stringify(r.Description)} (CreateVpnConnection has no description parameter)`);
    const args: Arg[] = [
      ['VpnGatewayId', idOf(s.gateways, r.VpnGatewayId)], ['Name', str(r.Name)],
      ['LocalSubnet', str(sel.local.join(','))], ['RemoteSubnet', str(sel.remote.join(','))],
    ];
    if (r.EffectImmediately !== undefined) args.push(['EffectImmediately', bool(r.EffectImmediately)]);
    if (r.AutoConfigRoute !== undefined) args.push(['AutoConfigRoute', bool(r.AutoConfigRoute)]);
    if (r.EnableTunnelsBgp !== undefined) args.push(['EnableTunnelsBgp', bool(r.EnableTunnelsBgp)]);
    if (conn.dual) {
      for (const t of conn.tunnels) {
        const spec = r.TunnelOptionsSpecification![t.specIndex!]!;
        const at = `TunnelOptionsSpecification.${t.specIndex! + 1}`;
        args.push([`${at}.Role`, spec.Role], [`${at}.CustomerGatewayId`, idOf(s.customerGateways, spec.CustomerGatewayId)]);
        if (spec.EnableDpd !== undefined) args.push([`${at}.EnableDpd`, bool(spec.EnableDpd)]);
        if (spec.EnableNatTraversal !== undefined) args.push([`${at}.EnableNatTraversal`, bool(spec.EnableNatTraversal)]);
        args.push(...flatten(`${at}.TunnelIkeConfig`, psk(s, spec.TunnelIkeConfig, `${conn.name}.tunnel${t.address}`)));
        args.push(...flatten(`${at}.TunnelIpsecConfig`, spec.TunnelIpsecConfig));
        args.push(...flatten(`${at}.TunnelBgpConfig`, spec.TunnelBgpConfig));
      }
    } else {
      args.push(['CustomerGatewayId', idOf(s.customerGateways, r.CustomerGatewayId)]);
      if (r.EnableDpd !== undefined) args.push(['EnableDpd', bool(r.EnableDpd)]);
      if (r.EnableNatTraversal !== undefined) args.push(['EnableNatTraversal', bool(r.EnableNatTraversal)]);
      const ike = psk(s, r.IkeConfig, conn.name);
      if (ike !== undefined) args.push(['IkeConfig', json(ike)]);
      if (r.IpsecConfig !== undefined) args.push(['IpsecConfig', json(r.IpsecConfig)]);
      if (r.BgpConfig !== undefined) args.push(['BgpConfig', json(r.BgpConfig)]);
      if (r.HealthCheckConfig !== undefined) args.push(['HealthCheckConfig', json(r.HealthCheckConfig)]);
    }
    call(s, 'CreateVpnConnection', args, { id: { variable: v, field: 'VpnConnectionId' }, force: conn.dual });
    const gateway = s.gateways.get(r.VpnGatewayId);
    if (gateway !== undefined) s.lines.push(`wait_active "$${gateway}"`);
  }
}

function route(s: Script, e: AlibabaRouteEntry): void {
  const r = e.resource;
  const common: Arg[] = [['VpnGatewayId', idOf(s.gateways, r.VpnGatewayId)], ['RouteDest', str(r.RouteDest)], ['NextHop', idOf(s.connections, r.NextHop)]];
  const conn: AlibabaConnection | undefined = systemCreated(e);
  if (conn !== undefined) {
    // The system created this policy route with the connection (AutoConfigRoute), unpublished.
    if (r.PublishVpc) {
      s.lines.push(`# Policy route ${'RouteSource' in r ? r.RouteSource : ''} -> ${r.RouteDest}: created by the system with ${conn.name} (AutoConfigRoute); publish it.`);
      call(s, 'PublishVpnRouteEntry', [...common, ['RouteType', 'pbr'], ['PublishVpc', 'true']]);
    } else {
      s.lines.push(`# Policy route ${'RouteSource' in r ? r.RouteSource : ''} -> ${r.RouteDest}: created by the system with ${conn.name} (AutoConfigRoute); it stays unpublished (PublishVpc false).`);
    }
    if (r.Weight !== undefined) s.lines.push(`# vpnlab: Weight = ${r.Weight} (the system's route keeps its own weight; ModifyVpnPbrRouteEntryWeight changes it)`);
    if ('Priority' in r && r.Priority !== undefined) s.lines.push(`# vpnlab: Priority = ${r.Priority} (the system's route keeps its own priority; ModifyVpnPbrRouteEntryPriority changes it)`);
    if (r.Description !== undefined) s.lines.push(`# vpnlab: Description = ${JSON.stringify(r.Description)} (the system's route has none)`);
    return;
  }
  if (r.Weight === undefined) s.lines.push(`# Weight ${DEFAULT_ROUTE_WEIGHT}: ${NOT_IN_TOPOLOGY} (the API requires one).`);
  const rest: Arg[] = [
    ['Weight', String(r.Weight ?? DEFAULT_ROUTE_WEIGHT)], ['PublishVpc', bool(r.PublishVpc)],
    ...('Priority' in r && r.Priority !== undefined ? [['Priority', String(r.Priority)] as const] : []),
    ...(r.Description !== undefined ? [['Description', str(r.Description)] as const] : []),
  ];
  if ('RouteSource' in r) call(s, 'CreateVpnPbrRouteEntry', [['RouteSource', str(r.RouteSource)], ...common, ...rest]);
  else call(s, 'CreateVpnRouteEntry', [...common, ...rest]);
}

export function alibabaAliyunCli(aref: AlibabaRef, context: ExportContext): Artifact {
  const s: Script = {
    lines: [], ref: aref, context, holdsSecret: false,
    vswitches: new Map(), gateways: new Map(), customerGateways: new Map(), connections: new Map(),
  };
  const site = aref.site;
  vpc(s);
  gateways(s);
  customerGateways(s);
  connections(s);
  if (aref.model.routes.length > 0) s.lines.push('', '# --- Routes of the VPN gateways');
  for (const e of aref.model.routes) route(s, e);
  const header = headerLines(context, site, 'aliyun CLI script', s.holdsSecret);
  header.push(
    'Run with bash, the aliyun CLI (configured: `aliyun configure`) and jq.',
    'Not idempotent: every run creates new resources (the Create calls have no "if absent" form).',
    'Run it once, or use main.tf (Terraform), which is.',
  );
  const text = [
    '#!/usr/bin/env bash',
    ...header.map((l) => `# ${l}`),
    'set -euo pipefail',
    '',
    site.region !== undefined ? `REGION="\${REGION:-${site.region}}"` : `REGION="\${REGION:?set REGION to the Alibaba Cloud region (${NOT_IN_TOPOLOGY})}"`,
    '',
    '# A VPN gateway is busy for minutes after it is created or changed: wait until it is active again.',
    'wait_active() {',
    '  aliyun vpc DescribeVpnGateway --RegionId "$REGION" --VpnGatewayId "$1" --waiter expr=Status to=active timeout=900 >/dev/null',
    '}',
    ...s.lines,
    '',
  ].join('\n');
  return { path: `${site.name}/aliyun-cli.sh`, format: 'aliyun-cli', text, holdsSecrets: s.holdsSecret };
}
