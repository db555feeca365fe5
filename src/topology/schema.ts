import { z } from 'zod';
import { azureSiteSchema } from './platforms/azure.js';
import { alibabaSiteSchema } from './platforms/alibaba.js';
import { rrasSiteSchema } from './platforms/rras.js';
import { linuxSiteSchema } from './platforms/linux.js';
import { bandwidth, duration, interfaceAddress, ipv4, name, prefix, probability } from '../config/primitives.js';

/*
 * The topology file. Generic parts (sites, subnets, hosts, routers, links, faults) are here; each
 * platform's resources, with the platform's own names, live in src/platforms/<platform>/schema.ts
 * and hang off the site as a block named after the platform (`azure:`, `alibaba:`, `rras:`).
 * Every object is strict: an unknown field is an error, with the nearest known field suggested.
 */

const linkProperties = {
  latency: duration.optional().meta({ description: 'One-way delay (default 1ms for links, 0.1ms for subnets)' }),
  jitter: duration.optional().meta({ description: 'Delay varies uniformly within ± this much (default 0)' }),
  loss: probability.optional().meta({ description: 'Packet loss probability (default 0)' }),
  bandwidth: bandwidth.optional().meta({ description: 'Serialisation rate (default: unlimited)' }),
};

export const subnetSchema = z.strictObject({
  name,
  prefix,
  description: z.string().optional(),
  /** Alibaba vSwitch zone, Azure availability zone; informational for the emulator. */
  zone: z.string().optional().meta({ description: 'Availability zone (Alibaba vSwitch zone)' }),
  ...linkProperties,
}).meta({ description: 'A subnet (Azure subnet, Alibaba vSwitch, on-premises LAN): one broadcast segment' });

export const hostOs = z.enum(['windows', 'linux']).meta({ description: 'Sets the initial TTL (windows 128, linux 64) and the ping/traceroute output style' });

export const hostSchema = z.strictObject({
  name,
  os: hostOs,
  subnet: name.meta({ description: 'Name of the subnet of this site the host sits in' }),
  address: ipv4,
  gateway: ipv4.optional().meta({ description: "Default gateway (default: the first router or gateway address on the host's subnet)" }),
  mtu: z.number().int().min(68).max(65535).optional(),
  answersPing: z.boolean().optional().meta({ description: 'Whether the host answers ICMP echo (default true; Windows firewall and NSGs may block it)' }),
  description: z.string().optional(),
}).meta({ description: 'A host: VM, ECS instance, on-premises PC. Answers ping; does not forward.' });

export const routerInterfaceSchema = z.strictObject({
  name,
  subnet: name.optional().meta({ description: 'Attach to this subnet of the site (the address must be inside it)' }),
  address: interfaceAddress.optional().meta({ description: 'a.b.c.d/len, or a.b.c.d when `subnet` is given; omit for an unnumbered interface' }),
  internet: z.boolean().optional().meta({ description: 'Attach this interface to the emulated Internet (public addresses)' }),
  mtu: z.number().int().min(68).max(65535).optional(),
  description: z.string().optional(),
});

export const staticRouteSchema = z.strictObject({
  prefix,
  nextHop: ipv4.optional().meta({ description: 'Gateway address; resolved recursively when no interface is given' }),
  interface: name.optional().meta({ description: "Egress interface name (the router's own)" }),
  metric: z.number().int().min(0).optional(),
  description: z.string().optional(),
}).meta({ description: 'A static route: by next hop, by interface, or both' });

export const routerSchema = z.strictObject({
  name,
  os: hostOs.optional(),
  interfaces: z.array(routerInterfaceSchema).min(1),
  staticRoutes: z.array(staticRouteSchema).optional(),
  description: z.string().optional(),
}).meta({ description: 'A plain IPv4 router (Linux with ip_forward=1)' });

const siteCommon = {
  name,
  description: z.string().optional(),
  region: z.string().optional().meta({ description: 'Azure location or Alibaba region ID' }),
  addressSpace: z.array(prefix).optional().meta({ description: 'The site\'s address space (Azure VNet addressSpace, Alibaba VPC CIDR, on-premises ranges); must not overlap other sites' }),
  subnets: z.array(subnetSchema).optional(),
  hosts: z.array(hostSchema).optional(),
  routers: z.array(routerSchema).optional(),
};

export const siteSchema = z.discriminatedUnion('platform', [
  z.strictObject({ ...siteCommon, platform: z.literal('linux'), linux: linuxSiteSchema.optional() }).meta({ description: 'A site of Linux routers and hosts, with Linux VPN gateways (strongSwan + FRR) in its `linux:` block' }),
  z.strictObject({ ...siteCommon, platform: z.literal('rras'), rras: rrasSiteSchema.optional() }).meta({ description: 'On-premises site with a Windows Server RRAS gateway' }),
  z.strictObject({ ...siteCommon, platform: z.literal('azure'), azure: azureSiteSchema.optional() }).meta({ description: 'An Azure virtual network with its VPN gateway resources' }),
  z.strictObject({ ...siteCommon, platform: z.literal('alibaba'), alibaba: alibabaSiteSchema.optional() }).meta({ description: 'An Alibaba Cloud VPC with its VPN gateway resources' }),
]);

export const linkSchema = z.strictObject({
  name,
  between: z.tuple([z.string(), z.string()]).meta({ description: 'The two ends, each "site/router/interface"' }),
  ...linkProperties,
  description: z.string().optional(),
}).meta({ description: 'A point-to-point link between two router interfaces' });

export const faultSchema = z.strictObject({
  at: duration.meta({ description: 'Virtual time at which the fault happens' }),
  link: name.optional().meta({ description: 'Name of a link (or "site/subnet" for a subnet segment)' }),
  node: z.string().optional().meta({ description: '"site/name" of a host, router or gateway instance (e.g. "AlibabaVPC/VpnGateway_1", "AzureVNet/AzureVpnGateway_IN_0")' }),
  tunnel: z.string().optional().meta({ description: '"site/instance:connection" of a gateway\'s tunnel, e.g. "AlibabaVPC/VpnGateway_1:IPsecConnection": its path across the Internet is cut' }),
  action: z.enum(['down', 'up']),
}).meta({ description: 'Take a link, a node or a tunnel down or up at a given time' });

export const internetSchema = z.strictObject({
  ...linkProperties,
}).meta({ description: 'The emulated Internet joining every public address; its latency applies on each side' });

export const topologySchema = z.strictObject({
  name,
  description: z.string().optional(),
  seed: z.number().int().min(0).max(4294967295).optional().meta({ description: 'Default random seed (loss, jitter, ports, keys); --seed overrides' }),
  internet: internetSchema.optional(),
  sites: z.array(siteSchema).min(1),
  links: z.array(linkSchema).optional(),
  faults: z.array(faultSchema).optional(),
}).meta({ title: 'vpnlab topology', description: 'A hybrid network: sites on RRAS, Azure, Alibaba Cloud and Linux, joined by links and tunnels' });

export type Topology = z.infer<typeof topologySchema>;
export type Site = z.infer<typeof siteSchema>;
/** A site of one platform (`SiteOf<'azure'>` has its `azure` block typed). */
export type SiteOf<P extends Site['platform']> = Extract<Site, { platform: P }>;
export type Subnet = z.infer<typeof subnetSchema>;
export type Host = z.infer<typeof hostSchema>;
export type Router = z.infer<typeof routerSchema>;
export type RouterInterface = z.infer<typeof routerInterfaceSchema>;
export type StaticRoute = z.infer<typeof staticRouteSchema>;
export type LinkSpec = z.infer<typeof linkSchema>;
export type Fault = z.infer<typeof faultSchema>;

export const SCHEMA_ID = 'https://vpnlab.dev/schema/topology.schema.json';

/** The topology schema as JSON Schema (draft 2020-12), for editors and `vpnlab schema`. */
export function topologyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(topologySchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { $id: SCHEMA_ID, ...schema };
}
