/**
 * FRR 8.4 bgpd as a test peer, without zebra:
 *   /usr/lib/frr/bgpd -Z -S -f bgpd.conf -i bgpd.pid --vty_socket WORKDIR -p PORT -l ADDR -P 0
 * (-Z no zebra, -S do not switch to user frr, -P 0 no vty TCP port), driven with
 *   vtysh --vty_socket WORKDIR -d bgpd -c COMMAND
 * and read through its JSON (`show bgp ipv4 unicast json detail`, `show bgp neighbors A json`).
 *
 * Announcements are `network P route-map ANN-…` (with `no bgp network import-check`, since there
 * is no RIB to check against); changing them goes through vtysh configuration mode.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InteropError, awaitReady, makeWorkdir, readIfExists, runChecked, runCommand, spawnDaemon } from './daemon.js';
import {
  makeRunningPeer, normaliseCommunity, normaliseOrigin, normaliseState, validateConfig,
  type Announcement, type Neighbor, type PeerConfig, type Route, type RunningPeer, type SessionError,
} from './model.js';

const BGPD = '/usr/lib/frr/bgpd';
const VTYSH = 'vtysh';
const READY_TIMEOUT_MS = 10_000;

function mapName(kind: 'ANN' | 'NH', what: string): string {
  return `${kind}-${what.replace(/[./]/g, '-')}`;
}

function hasAttributes(a: Announcement): boolean {
  return (a.communities?.length ?? 0) > 0 || a.med !== undefined || (a.asPathPrepend?.length ?? 0) > 0 || a.nextHop !== undefined;
}

/** The route-map lines that give an announcement its attributes (without the leading `route-map` line). */
function announcementSets(a: Announcement): string[] {
  const sets: string[] = [];
  if ((a.communities?.length ?? 0) > 0) sets.push(`set community ${a.communities!.join(' ')}`);
  if (a.med !== undefined) sets.push(`set metric ${a.med}`);
  if ((a.asPathPrepend?.length ?? 0) > 0) sets.push(`set as-path prepend ${a.asPathPrepend!.join(' ')}`);
  if (a.nextHop !== undefined) sets.push(`set ip next-hop ${a.nextHop}`);
  return sets;
}

function networkLine(a: Announcement): string {
  return hasAttributes(a) ? `network ${a.prefix} route-map ${mapName('ANN', a.prefix)}` : `network ${a.prefix}`;
}

function renderNeighbor(c: PeerConfig, n: Neighbor): string[] {
  const lines = [
    `neighbor ${n.address} remote-as ${n.asn}`,
    // Without update-source the kernel picks 127.0.0.1 as the source and the neighbour refuses the connection.
    `neighbor ${n.address} update-source ${c.address}`,
    `neighbor ${n.address} timers connect 1`,
  ];
  if (n.port !== undefined && n.port !== 179) lines.push(`neighbor ${n.address} port ${n.port}`);
  if (n.passive) lines.push(`neighbor ${n.address} passive`);
  if (n.multihop) lines.push(`neighbor ${n.address} ebgp-multihop 255`);
  return lines;
}

export function renderFrrConfig(c: PeerConfig, workdir: string): string {
  const out = [
    'frr defaults traditional',
    `hostname ${(c.name ?? 'frr').replace(/[^A-Za-z0-9-]/g, '-')}`,
    // errors only: with -Z bgpd logs a warning for every received route (bgp-peers.md gotcha 3)
    `log file ${join(workdir, 'bgpd.log')} errors`,
    // apply route-map changes at once instead of after the default 5 s
    'bgp route-map delay-timer 0',
    '!',
  ];
  for (const a of c.announce ?? []) {
    if (!hasAttributes(a)) continue;
    out.push(`route-map ${mapName('ANN', a.prefix)} permit 10`, ...announcementSets(a).map((s) => ` ${s}`), '!');
  }
  for (const n of c.neighbors) {
    if (n.nextHop === undefined) continue;
    out.push(`route-map ${mapName('NH', n.address)} permit 10`, ` set ip next-hop ${n.nextHop}`, '!');
  }
  out.push(
    `router bgp ${c.asn}`,
    ` bgp router-id ${c.routerId}`,
    // RFC 8212: without this FRR neither accepts nor sends eBGP routes absent a policy
    ' no bgp ebgp-requires-policy',
    ' no bgp network import-check',
  );
  if (c.holdTime !== undefined) out.push(` timers bgp ${Math.floor(c.holdTime / 3)} ${c.holdTime}`);
  for (const n of c.neighbors) out.push(...renderNeighbor(c, n).map((l) => ` ${l}`));
  out.push(' address-family ipv4 unicast');
  for (const a of c.announce ?? []) out.push(`  ${networkLine(a)}`);
  for (const n of c.neighbors) {
    out.push(`  neighbor ${n.address} activate`);
    if (n.nextHopSelf) out.push(`  neighbor ${n.address} next-hop-self`);
    if (n.nextHop !== undefined) out.push(`  neighbor ${n.address} route-map ${mapName('NH', n.address)} out`);
  }
  out.push(' exit-address-family', '!', '');
  return out.join('\n');
}

interface FrrPath {
  aspath?: { segments?: { list?: number[] }[] };
  origin?: string;
  metric?: number;
  locPrf?: number;
  localpref?: number;
  community?: { list?: string[] };
  nexthops?: { ip?: string }[];
  bestpath?: { overall?: boolean };
  peer?: { peerId?: string };
  local?: boolean;
  sourced?: boolean;
}

/** Parses `show bgp ipv4 unicast json detail` (FRR 8.4): routes → prefix → [header, ...paths]. */
export function parseFrrRoutes(json: string): Route[] {
  const doc = JSON.parse(json) as { routes?: Record<string, FrrPath[]> };
  const routes: Route[] = [];
  for (const [prefix, entries] of Object.entries(doc.routes ?? {})) {
    const best = entries.find((p) => p.bestpath?.overall === true);
    if (best === undefined) continue;
    const r: Route = {
      prefix,
      nextHop: best.nexthops?.[0]?.ip ?? '0.0.0.0',
      asPath: (best.aspath?.segments ?? []).flatMap((s) => s.list ?? []),
      communities: (best.community?.list ?? []).map(normaliseCommunity),
    };
    if (best.metric !== undefined) r.med = best.metric;
    const lp = best.locPrf ?? best.localpref;
    if (lp !== undefined) r.localPref = lp;
    const origin = normaliseOrigin(best.origin);
    if (origin !== undefined) r.origin = origin;
    if (!best.local && !best.sourced && best.peer?.peerId !== undefined) r.from = best.peer.peerId;
    routes.push(r);
  }
  return routes;
}

interface FrrNeighbor {
  bgpState?: string;
  lastErrorCodeSubcode?: string;
  lastNotificationReason?: string;
  lastResetDueTo?: string;
  messageStats?: { notificationsSent?: number; notificationsRecv?: number };
}

function parseNeighbor(json: string, address: string): FrrNeighbor {
  const doc = JSON.parse(json) as Record<string, FrrNeighbor | undefined>;
  const n = doc[address];
  if (n === undefined) throw new InteropError('INTEROP_NO_SUCH_NEIGHBOR', `frr: no neighbor ${address} in:\n${json}`);
  return n;
}

/**
 * FRR keeps the last NOTIFICATION in the neighbour's state while the last reset was one:
 * lastErrorCodeSubcode "0202", lastNotificationReason "OPEN Message Error/Bad Peer AS",
 * lastResetDueTo "BGP Notification send" | "BGP Notification received".
 * A failure on a connection the neighbour opened to a passive FRR happens on FRR's transient
 * "doppelganger" peer and is not recorded here.
 */
export function frrLastError(n: FrrNeighbor): SessionError | undefined {
  if (n.lastErrorCodeSubcode === undefined || n.lastNotificationReason === undefined) return undefined;
  const code = Number.parseInt(n.lastErrorCodeSubcode.slice(0, 2), 16);
  const subcode = Number.parseInt(n.lastErrorCodeSubcode.slice(2, 4), 16);
  const due = n.lastResetDueTo ?? '';
  const direction = /receiv/i.test(due) ? 'received' : /send|sent/i.test(due) ? 'sent' : 'unknown';
  return { direction, code, subcode, text: n.lastNotificationReason };
}

export async function startFrr(config: PeerConfig): Promise<RunningPeer> {
  validateConfig('frr', config);
  const workdir = makeWorkdir('frr');
  const confPath = join(workdir, 'bgpd.conf');
  const logPath = join(workdir, 'bgpd.log');
  await writeFile(confPath, renderFrrConfig(config, workdir));

  const daemon = spawnDaemon({
    kind: 'frr',
    bin: BGPD,
    args: ['-Z', '-S', '-f', confPath, '-i', join(workdir, 'bgpd.pid'), '--vty_socket', workdir,
      '-p', String(config.port ?? 179), '-l', config.address, '-P', '0'],
    workdir,
    // bgpd's crash-log directory, removed by a clean exit but not by SIGKILL
    leftovers: (pid) => [`/var/tmp/frr/bgpd.${pid}`],
  });
  const vtysh = (commands: string[]): Promise<string> =>
    runChecked(VTYSH, ['--vty_socket', workdir, '-d', 'bgpd', ...commands.flatMap((c) => ['-c', c])]);
  const configure = async (lines: string[]): Promise<void> => {
    const r = await runCommand(VTYSH, ['--vty_socket', workdir, '-d', 'bgpd', '-c', 'configure terminal', ...lines.flatMap((c) => ['-c', c])]);
    if (r.exitCode !== 0 || /^%/m.test(r.stdout)) {
      throw new InteropError('INTEROP_CLI_FAILED', `frr ${config.name ?? config.address}: configuration [${lines.join('; ')}] failed: ${(r.stdout + r.stderr).trim()}`);
    }
  };
  await awaitReady(daemon, `frr ${config.name ?? config.address}`,
    async () => (await vtysh(['show bgp summary json'])).trimStart().startsWith('{'), READY_TIMEOUT_MS);

  const announced = new Map<string, Announcement>((config.announce ?? []).map((a) => [a.prefix, a]));
  const afi = [`router bgp ${config.asn}`, 'address-family ipv4 unicast'];

  return makeRunningPeer('frr', config, daemon, {
    cli: (command) => vtysh([command]),
    neighborState: async (address) =>
      normaliseState(parseNeighbor(await vtysh([`show bgp neighbors ${address} json`]), address).bgpState ?? 'Idle'),
    routes: async () => parseFrrRoutes(await vtysh(['show bgp ipv4 unicast json detail'])),
    async announce(a) {
      const lines: string[] = [];
      const map = mapName('ANN', a.prefix);
      const before = announced.get(a.prefix);
      if (before !== undefined) {
        lines.push(...afi, `no network ${a.prefix}`, 'exit-address-family', 'exit');
        if (hasAttributes(before)) lines.push(`no route-map ${map}`);
      }
      if (hasAttributes(a)) lines.push(`route-map ${map} permit 10`, ...announcementSets(a), 'exit');
      lines.push(...afi, networkLine(a));
      await configure(lines);
      announced.set(a.prefix, a);
    },
    async withdraw(prefix) {
      const before = announced.get(prefix);
      if (before === undefined) return;
      const lines = [...afi, `no network ${prefix}`, 'exit-address-family', 'exit'];
      if (hasAttributes(before)) lines.push(`no route-map ${mapName('ANN', prefix)}`);
      await configure(lines);
      announced.delete(prefix);
    },
    lastError: async (address) => frrLastError(parseNeighbor(await vtysh([`show bgp neighbors ${address} json`]), address)),
    log: async () => (await readIfExists(logPath)) + (await readIfExists(daemon.consoleLog)),
  });
}
