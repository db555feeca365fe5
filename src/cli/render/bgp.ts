import type { PathRecord, PeerRecord, RouteRecord } from '../../bgp/views.js';
import { getBgpPeer, getBgpRouteInformation } from '../../platforms/rras/views.js';
import { powerShellTable, table } from './table.js';

/** `1d02h03m`, `02:03:04` — FRR's Up/Down column. */
export function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return d > 0 ? `${d}d${two(h)}h${two(m)}m` : `${two(h)}:${two(m)}:${two(s)}`;
}

/** The neighbour summary (FRR's `show bgp summary`, with the last error spelled out). */
export function renderPeers(peers: PeerRecord[]): string {
  const rows = [['NEIGHBOR', 'ADDRESS', 'AS', 'MODE', 'STATE', 'UP', 'PFX-ACCEPTED', 'PFX-SENT', 'MSG-IN', 'MSG-OUT', 'LAST ERROR']];
  for (const p of peers) {
    const state = p.state === 'Established' && p.missingPolicy ? 'Established (Policy)' : p.state;
    rows.push([p.name, p.address, String(p.asn), p.mode, state, p.uptime === null ? 'never' : formatUptime(p.uptime),
      String(p.prefixesAccepted), String(p.prefixesAdvertised), String(p.messages.in), String(p.messages.out), p.lastError ?? '']);
  }
  const notes = peers.filter((p) => p.missingPolicy).map((p) =>
    `${p.name}: eBGP without import/export policy: nothing is accepted or sent (RFC 8212; set importPolicy/exportPolicy, or ebgpRequiresPolicy: false)`);
  return [...table(rows), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n') + '\n';
}

const ORIGIN_CODES = { igp: 'i', egp: 'e', incomplete: '?' } as const;

function pathLine(prefix: string, p: PathRecord, why: string): string[] {
  const status = `${p.eligible ? '*' : ' '}${p.best ? '>' : ' '}`;
  const path = [p.asPath, ORIGIN_CODES[p.origin]].filter((x) => x !== '').join(' ');
  return [status, prefix, p.nextHop ?? '0.0.0.0', p.localPref === null ? '' : String(p.localPref), p.med === null ? '' : String(p.med),
    String(p.weight), path, p.communities.join(' '), p.best ? why : ''];
}

/** The Loc-RIB (FRR's `show ip bgp`), with the decision step that chose each best path. */
export function renderRoutes(routes: RouteRecord[]): string {
  const rows = [['', 'NETWORK', 'NEXT HOP', 'LOCPRF', 'MED', 'WEIGHT', 'PATH', 'COMMUNITIES', 'BEST BY']];
  for (const r of routes) r.paths.forEach((p, i) => rows.push(pathLine(i === 0 ? r.prefix : '', p, r.why)));
  const paths = routes.reduce((n, r) => n + r.paths.length, 0);
  return [...table(rows), '', 'Status: * valid, > best. Origin: i IGP, e EGP, ? incomplete', `${routes.length} prefixes, ${paths} paths`].join('\n') + '\n';
}

/** RRAS `Get-BgpPeer` (the RRAS adapter's view of the peers). */
export function renderGetBgpPeer(peers: PeerRecord[]): string {
  const view = getBgpPeer(peers);
  return powerShellTable([...view.columns], view.rows.map((r) => [...r]));
}

/** RRAS `Get-BgpRouteInformation` (the RRAS adapter's view of the learned routes). */
export function renderGetBgpRouteInformation(routes: RouteRecord[]): string {
  const view = getBgpRouteInformation(routes);
  return powerShellTable([...view.columns], view.rows.map((r) => [...r]));
}
