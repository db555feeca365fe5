import { peerRecords, routeRecords, type PeerRecord, type RouteRecord } from '../../bgp/views.js';
import type { ModelRef } from '../adapter.js';
import { cmdlet, tunnelState, type CommandView, type PlatformView, type RunningSite } from '../view.js';
import type { RrasModel } from './model.js';

/*
 * What an RRAS server shows in PowerShell: Get-VpnS2SInterface, and with its BGP router
 * Get-BgpPeer and Get-BgpRouteInformation (the same tables `vpnlab bgp peers --format rras` prints).
 */

const CONNECTION_STATE = { up: 'Connected', connecting: 'Connecting', down: 'Disconnected' } as const;
const OPERATION_MODE = { mixed: 'Mixed', passive: 'Server', active: 'Active' } as const;

/** `Get-BgpPeer`: OperationMode Mixed or Server; ConnectivityStatus Connected, Connecting or Stopped. */
export function getBgpPeer(peers: readonly PeerRecord[]): CommandView<string> {
  const status = (p: PeerRecord) => (p.state === 'Established' ? 'Connected' : p.state === 'Idle' && p.lastErrorCause?.kind === 'admin-stop' ? 'Stopped' : 'Connecting');
  return cmdlet('Get-BgpPeer', ['PeerName', 'LocalIPAddress', 'PeerIPAddress', 'PeerASN', 'OperationMode', 'ConnectivityStatus'],
    peers.map((p) => [p.name, p.localAddress ?? '', p.address, String(p.asn), OPERATION_MODE[p.mode], status(p)]));
}

/** `Get-BgpRouteInformation`: the learned routes (the server's own are not listed), one row per path. */
export function getBgpRouteInformation(routes: readonly RouteRecord[]): CommandView<string> {
  const rows: string[][] = [];
  for (const r of routes) {
    for (const p of r.paths) {
      if (p.from === 'local') continue;
      rows.push([r.prefix, p.nextHop ?? '', p.from, p.best ? 'Best' : p.eligible ? 'Available' : 'Unreachable',
        p.localPref === null ? '' : String(p.localPref), p.med === null ? '' : String(p.med)]);
    }
  }
  return cmdlet('Get-BgpRouteInformation', ['DestinationNetwork', 'NextHop', 'LearnedFromPeer', 'State', 'LocalPref', 'MED'], rows);
}

export function rrasViews(ref: ModelRef<'rras', RrasModel | undefined>, running: RunningSite): PlatformView[] {
  const model = ref.model;
  const server = model === undefined ? undefined : running.instances(model.serverName)[0];
  if (model === undefined || server === undefined) return [];
  // Destination and IPv4Subnet as written: Get-VpnS2SInterface echoes what was configured.
  const interfaces = model.interfaces.map(({ resource: i }) => [
    i.Name, `{${i.Destination.join(', ')}}`, (i.AdminStatus ?? true) ? 'True' : 'False', CONNECTION_STATE[tunnelState(server, i.Name)], `{${(i.IPv4Subnet ?? []).join(', ')}}`,
  ]);
  const views: PlatformView[] = [
    { kind: 'heading', subject: server.qualifiedName, title: 'Windows Server RRAS' },
    cmdlet('Get-VpnS2SInterface', ['Name', 'Destination', 'AdminStatus', 'ConnectionState', 'IPv4Subnet'], interfaces),
  ];
  if (server.bgp !== undefined) views.push(getBgpPeer(peerRecords(server.bgp)), getBgpRouteInformation(routeRecords(server.bgp)));
  return views;
}
