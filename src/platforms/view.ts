import type { BgpSpeaker } from '../bgp/speaker.js';
import type { IkeSaState } from '../ike/ike-sa.js';
import type { Ipv4Address, Prefix } from '../net/address.js';
import type { Route } from '../router/route-table.js';
import type { Topology } from '../topology/schema.js';
import type { InstancePlan } from './plan.js';

/*
 * What a platform shows of a running site (`vpnlab up`), as data in the platform's own names: the
 * cmdlets and tables an engineer would look at on that platform, their columns and cell values.
 * The CLI lays them out (src/cli/render/gateways.ts); the adapters fill them from a RunningSite,
 * which the emulator provides without the platform layer knowing the emulator.
 */

/** The title line of one resource's views: the node and what it is, with its state. */
export interface HeadingView {
  readonly kind: 'heading';
  /** The node or resource, `site/name`. */
  readonly subject: string;
  /** What it is, in the platform's words: "Windows Server RRAS", "Azure virtual network gateway (RouteBased)". */
  readonly title: string;
}

/** A table cell: text as the platform prints it, or a duration the CLI writes in its one format. */
export type ViewCell = string | { readonly seconds: number };

/** A cmdlet and the table it prints (PowerShell's Format-Table). */
export interface CommandView<Cell extends ViewCell = ViewCell> {
  readonly kind: 'command';
  readonly shell: 'powershell';
  readonly command: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

/** A console table (the Alibaba console's lists), with an optional caption above it. */
export interface TableView {
  readonly kind: 'table';
  readonly caption?: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly ViewCell[])[];
}

/** One property as the platform prints it (`BgpSettingsText`); the value is the platform's own text. */
export interface FieldView {
  readonly kind: 'field';
  readonly name: string;
  readonly value: string;
}

/** Values the platform generated that users read back with another call (Alibaba's pre-shared keys). */
export interface GeneratedView {
  readonly kind: 'generated';
  /** The call that shows them: "DescribeVpnConnection". */
  readonly shownBy: string;
  readonly values: readonly { readonly name: string; readonly value: string }[];
}

export type PlatformView = HeadingView | CommandView | TableView | FieldView | GeneratedView;

/** A PowerShell cmdlet's table. */
export function cmdlet<Cell extends ViewCell>(command: string, columns: readonly string[], rows: readonly (readonly Cell[])[]): CommandView<Cell> {
  return { kind: 'command', shell: 'powershell', command, columns, rows };
}

export type TunnelState = 'up' | 'connecting' | 'down';

/** An IKE SA with a peer, as far as the views care: its state and how many CHILD_SAs it carries. */
export interface IkeSaSummary {
  readonly state: IkeSaState;
  readonly children: number;
}

/** One gateway instance of the site, running. */
export interface RunningInstance {
  readonly plan: InstancePlan;
  /** Its node's name, `site/name`. */
  readonly qualifiedName: string;
  /** False while the platform is still provisioning it. */
  readonly ready: boolean;
  /** The IKE SAs of connection `peer` (none when the instance runs no IPsec). */
  ikeSas(peer: string): readonly IkeSaSummary[];
  /** ESP bytes through CHILD_SA `child`, both ways (zero when it never had one). */
  espBytes(child: string): { readonly in: number; readonly out: number };
  /** Its BGP speaker, for src/bgp/views.ts's peerRecords and routeRecords. */
  readonly bgp: BgpSpeaker | undefined;
}

/** The site's cloud fabric (Azure VNet routing, Alibaba vRouter), running. */
export interface RunningFabric {
  readonly qualifiedName: string;
  /** Every route in its table, in use or not. */
  routes(): readonly Route[];
  /** The routes in use, per prefix, as its table forwards. */
  activeRoutes(): readonly { readonly prefix: Prefix; readonly routes: readonly Route[] }[];
}

/** What a platform's views read of a running site. */
export interface RunningSite {
  /** The topology the network runs (a platform's facts may reach across sites). */
  readonly topology: Topology;
  /** The site's gateway instances of `resource` (an Azure or Alibaba VPN gateway, an RRAS server), in plan order. */
  instances(resource: string): readonly RunningInstance[];
  readonly fabric: RunningFabric | undefined;
  /** An address with the node that owns it: `10.3.1.254 (VNet1/VNet1GW)`. */
  describeAddress(address: Ipv4Address): string;
}

/**
 * A connection's tunnel: up when an established IKE SA carries a CHILD_SA, connecting while an
 * IKE SA is on its way (or established without a CHILD_SA yet), otherwise down.
 */
export function tunnelState(instance: RunningInstance, peer: string): TunnelState {
  const sas = instance.ikeSas(peer);
  if (sas.some((s) => s.state === 'established' && s.children > 0)) return 'up';
  return sas.some((s) => s.state === 'connecting' || s.state === 'established') ? 'connecting' : 'down';
}
