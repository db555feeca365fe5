import type { SpeakerConfig } from '../bgp/speaker.js';
import type { Rng } from '../core/rng.js';
import type { PeerConfig, TunnelSpec } from '../ike/config.js';
import type { Ipv4Address, Prefix } from '../net/address.js';
import type { Route } from '../router/route-table.js';
import type { Site, Topology } from '../topology/schema.js';
import type { SiteEnds } from './ends.js';

/*
 * What a platform adapter (src/platforms/<platform>/gateway.ts) makes of a site's resources: the
 * gateway instances to run — each a node with its interfaces, an IKE/IPsec configuration and a BGP
 * speaker — and, for a cloud network, the fabric that routes between its subnets and towards the
 * gateway. Plain data: the emulator (src/emulator/gateway-instance.ts, fabric.ts) turns it into running objects,
 * and `vpnlab check` can reason about it without running anything.
 */

export interface InterfacePlan {
  readonly name: string;
  readonly address: Ipv4Address;
  readonly prefix: Prefix;
  /** On a subnet of the site, or on the emulated Internet (a public address). */
  readonly attach: { readonly subnet: string } | 'internet';
  readonly mtu?: number;
}

export interface IpsecPlan {
  /** The public address IKE listens on. */
  readonly address: Ipv4Address;
  readonly peers: readonly PeerConfig[];
  readonly tunnels: readonly TunnelSpec[];
  /**
   * Connections this instance dials after a delay (Azure's gateway initiates a few seconds after
   * its peer would; the engine then finds the IKE SA the peer set up and reuses it). Connections
   * with startAction 'start' dial at once.
   */
  readonly delayedStarts: readonly { readonly peer: string; readonly afterMs: number }[];
}

export interface BgpPlan {
  readonly config: SpeakerConfig;
  /** Per neighbour name: the platform's name for the session in views (RRAS PeerName, Azure connection). */
  readonly labels?: ReadonlyMap<string, string>;
}

/** One running gateway: an RRAS server, one Azure gateway instance, one Alibaba tunnel's gateway. */
export interface InstancePlan {
  /** Node name within the site (`RRAS2016`, `VNet1GW`, `AzureVpnGateway_IN_0`). */
  readonly name: string;
  /** The resource it belongs to (the Azure gateway, the Alibaba VPN gateway). */
  readonly resource: string;
  readonly platform: Site['platform'];
  readonly os: 'windows' | 'linux';
  readonly interfaces: readonly InterfacePlan[];
  readonly routes: readonly Route[];
  readonly ipsec?: IpsecPlan;
  readonly bgp?: BgpPlan;
  /** Provisioning: the instance starts (binds, dials, speaks BGP) only after this long (Alibaba's Preparing state). */
  readonly readyAfterMs?: number;
  /** How the platform names the states before and after (default Preparing, Normal: Alibaba's). */
  readonly readyStates?: readonly [string, string];
  /** Values the platform generated that users read back afterwards (Alibaba's random pre-shared key), by what they are. */
  readonly generated?: ReadonlyMap<string, string>;
}

/** A route the fabric sends to gateway instances: to all that can carry it, or the first that can. */
export interface FabricRoute {
  readonly prefix: Prefix;
  /** Instance names, in preference order for 'failover'. */
  readonly via: readonly string[];
  readonly mode: 'ecmp' | 'failover';
  /** Shown in route views: the resource that made the route (a published policy route, say). */
  readonly origin: string;
}

/** A cloud network's own routing (Azure VNet system routes, Alibaba vRouter). */
export interface FabricPlan {
  readonly name: string;
  /** Its address on each subnet: what hosts there use as their default gateway. */
  readonly interfaces: readonly InterfacePlan[];
  readonly routes: readonly FabricRoute[];
  /**
   * Azure: every prefix a gateway instance routes into a tunnel (static or BGP-learned) is
   * propagated to the VNet, with every instance that currently carries it as next hop.
   */
  readonly propagateFrom: readonly string[];
  /**
   * What propagateFrom takes (default Azure's, above). Alibaba: only BGP-learned routes, each from
   * the first instance of propagateFrom that carries it (the active tunnel), shown as `origin`.
   */
  readonly propagation?: { readonly only: 'bgp'; readonly mode: 'failover'; readonly origin: string };
}

export interface SitePlan {
  readonly site: string;
  readonly instances: readonly InstancePlan[];
  readonly fabric?: FabricPlan;
  /** Default gateway of hosts per subnet name. */
  readonly hostGateways: ReadonlyMap<string, Ipv4Address>;
  /** Every tunnel and BGP session end the site configures, for the pair checks (emulated or not). */
  readonly ends: SiteEnds;
}

/** What an adapter may consult besides its own site. */
export interface PlanContext {
  readonly topology: Topology;
  /** The model another site's adapter resolved for this run (a Vnet2Vnet peer's gateways), by site name. */
  modelOf(site: string): unknown;
  /** A deterministic stream for a named purpose (derived from the run's seed). */
  readonly rng: (name: string) => Rng;
  /**
   * Every cloud gateway is created when the run starts, and provisions for as long as its platform
   * takes (Azure 30-45 min) before it does anything. Otherwise Azure gateways exist already (the
   * seeds create them first); Alibaba's short Preparing state is simulated either way.
   */
  readonly fromScratch?: boolean;
}
