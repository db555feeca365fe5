/**
 * BIRD 2 as a test peer: `bird -f -c bird.conf -s bird.ctl -P bird.pid`, driven with
 * `birdc -s bird.ctl`. BIRD has no JSON output, so routes and states are parsed from the text of
 * `show route primary all` and `show protocols all NAME` (format of BIRD 2.0.x).
 *
 * Announcements are `protocol static announce` blackhole routes; their attributes are set in each
 * BGP protocol's export filter (BIRD sends MED to an eBGP neighbour only when the export filter set
 * it). Changing them rewrites bird.conf and runs `birdc configure`, which BIRD applies without
 * resetting the sessions.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InteropError, awaitReady, makeWorkdir, readIfExists, runChecked, spawnDaemon } from './daemon.js';
import {
  classifyError, makeRunningPeer, normaliseCommunity, normaliseOrigin, normaliseState, parseCommunity, validateConfig,
  type Announcement, type Neighbor, type PeerConfig, type Route, type RunningPeer, type SessionError,
} from './model.js';

const BIRD = 'bird';
const BIRDC = 'birdc';
const READY_TIMEOUT_MS = 10_000;
/** the static protocol that originates the announcements */
const STATIC_PROTOCOL = 'announce';

/** BIRD's name for the BGP protocol of a neighbour: n127_0_179_2 */
export function birdProtocolName(address: string): string {
  return `n${address.replace(/\./g, '_')}`;
}

function renderAttributes(a: Announcement): string {
  const sets: string[] = [];
  for (const c of a.communities ?? []) {
    const [hi, lo] = parseCommunity(c, a.prefix);
    sets.push(`bgp_community.add((${hi},${lo}));`);
  }
  if (a.med !== undefined) sets.push(`bgp_med = ${a.med};`);
  // prepend in reverse so the path reads [own ASN, ...asPathPrepend]; BIRD adds its own ASN on export
  for (const asn of [...(a.asPathPrepend ?? [])].reverse()) sets.push(`bgp_path.prepend(${asn});`);
  return sets.length === 0 ? '' : `      if net = ${a.prefix} then { ${sets.join(' ')} }\n`;
}

function renderExportFilter(announce: readonly Announcement[]): string {
  const perPrefix = announce.map(renderAttributes).join('');
  if (perPrefix === '') return 'export all;';
  return `export filter {\n    if proto = "${STATIC_PROTOCOL}" then {\n${perPrefix}    }\n    accept;\n  };`;
}

function renderNeighbor(c: PeerConfig, n: Neighbor, exportFilter: string): string {
  const lines = [
    `protocol bgp ${birdProtocolName(n.address)} {`,
    `  local ${c.address} port ${c.port ?? 179} as ${c.asn};`,
    `  neighbor ${n.address} port ${n.port ?? 179} as ${n.asn};`,
    '  strict bind on;',
    // Always multihop: BIRD refuses single-hop eBGP to a 127.x neighbour (host scope); see bgp-peers.md gotcha 1.
    '  multihop;',
    '  connect delay time 1;',
    '  connect retry time 1;',
    '  error wait time 1, 5;',
  ];
  if (n.passive) lines.push('  passive on;');
  if (c.holdTime !== undefined) {
    lines.push(`  hold time ${c.holdTime};`);
    if (c.holdTime > 0) lines.push(`  keepalive time ${Math.max(1, Math.floor(c.holdTime / 3))};`);
  }
  const channel = ['import all;', exportFilter];
  if (n.nextHop !== undefined) channel.push(`next hop address ${n.nextHop};`);
  else if (n.nextHopSelf) channel.push('next hop self;');
  lines.push(`  ipv4 {\n  ${channel.join('\n  ')}\n  };`, '}');
  return lines.join('\n');
}

export function renderBirdConfig(c: PeerConfig, announce: readonly Announcement[], workdir: string): string {
  const exportFilter = renderExportFilter(announce);
  return [
    `# written by vpnlab test/interop/bird.ts for ${c.name ?? 'bird'}`,
    `router id ${c.routerId};`,
    `log "${join(workdir, 'bird.log')}" all;`,
    'protocol device { scan time 60; }',
    `protocol static ${STATIC_PROTOCOL} {`,
    '  ipv4 { import all; };',
    ...announce.map((a) => `  route ${a.prefix} blackhole;`),
    '}',
    ...c.neighbors.map((n) => renderNeighbor(c, n, exportFilter)),
    '',
  ].join('\n');
}

/** Strips birdc's "BIRD 2.0.12 ready." banner. */
function stripBanner(out: string): string {
  return out.replace(/^BIRD [^\n]* ready\.\n/, '');
}

/**
 * Parses `show route primary all`:
 *   10.3.0.0/24          unreachable [n127_0_179_23 07:35:35.801 from 127.0.179.23] * (100) [AS65003i]
 *   \tType: BGP univ
 *   \tBGP.origin: IGP
 *   \tBGP.as_path: 65003 65003
 *   \tBGP.next_hop: 198.51.100.23
 *   \tBGP.med: 33
 *   \tBGP.local_pref: 100
 *   \tBGP.community: (65003,7) (65003,8)
 * A static (locally originated) route has no BGP.next_hop; it is reported as 0.0.0.0.
 */
export function parseBirdRoutes(text: string): Route[] {
  const routes: Route[] = [];
  let current: Route | undefined;
  let lastPrefix = '';
  const head = /^(\S+)?\s+.*?\[(\S+) [^\]]*?(?: from (\S+))?\]/;
  for (const line of stripBanner(text).split('\n')) {
    if (line.startsWith('Table ') || line.trim() === '') continue;
    if (!line.startsWith('\t')) {
      const m = head.exec(line);
      if (!m) continue;
      const prefix = m[1] ?? lastPrefix;
      lastPrefix = prefix;
      current = { prefix, nextHop: '0.0.0.0', asPath: [], communities: [] };
      if (m[2] !== STATIC_PROTOCOL && m[3] !== undefined) current.from = m[3];
      routes.push(current);
      continue;
    }
    if (current === undefined) continue;
    const attr = /^\t(BGP\.[a-z_]+|Type):\s*(.*)$/.exec(line);
    if (!attr) continue;
    const value = attr[2]!.trim();
    switch (attr[1]) {
      case 'BGP.origin': {
        const o = normaliseOrigin(value);
        if (o !== undefined) current.origin = o;
        break;
      }
      case 'BGP.as_path': current.asPath = (value.match(/\d+/g) ?? []).map(Number); break;
      case 'BGP.next_hop': current.nextHop = value.split(/\s+/)[0]!; break;
      case 'BGP.med': current.med = Number(value); break;
      case 'BGP.local_pref': current.localPref = Number(value); break;
      case 'BGP.community': current.communities = (value.match(/\(\d+,\s*\d+\)/g) ?? []).map(normaliseCommunity); break;
      default: break;
    }
  }
  return routes;
}

/** The last NOTIFICATION (or failing that, error) BIRD logged for a protocol. */
export function parseBirdLastError(log: string, protocol: string): SessionError | undefined {
  let notification: SessionError | undefined;
  const re = new RegExp(`<[A-Z]+> ${protocol}: (Error|Received): (.*)$`, 'gm');
  for (let m = re.exec(log); m !== null; m = re.exec(log)) {
    notification = classifyError(m[1] === 'Received' ? 'received' : 'sent', m[2]!.trim());
  }
  return notification;
}

export async function startBird(config: PeerConfig): Promise<RunningPeer> {
  validateConfig('bird', config);
  const workdir = makeWorkdir('bird');
  const confPath = join(workdir, 'bird.conf');
  const ctl = join(workdir, 'bird.ctl');
  const logPath = join(workdir, 'bird.log');
  const announced = new Map<string, Announcement>((config.announce ?? []).map((a) => [a.prefix, a]));
  await writeFile(confPath, renderBirdConfig(config, [...announced.values()], workdir));

  const daemon = spawnDaemon({
    kind: 'bird',
    bin: BIRD,
    args: ['-f', '-c', confPath, '-s', ctl, '-P', join(workdir, 'bird.pid')],
    workdir,
  });
  const birdc = async (command: string): Promise<string> => stripBanner(await runChecked(BIRDC, ['-s', ctl, command]));
  await awaitReady(daemon, `bird ${config.name ?? config.address}`,
    async () => (await birdc('show status')).includes('Daemon is up and running'), READY_TIMEOUT_MS);

  const reconfigure = async (): Promise<void> => {
    await writeFile(confPath, renderBirdConfig(config, [...announced.values()], workdir));
    const out = await birdc('configure');
    if (!/Reconfigured|Reconfiguration in progress/.test(out)) {
      throw new InteropError('INTEROP_CLI_FAILED', `bird ${config.name ?? config.address}: configure failed: ${out.trim()}`);
    }
  };

  return makeRunningPeer('bird', config, daemon, {
    cli: birdc,
    async neighborState(address) {
      const out = await birdc(`show protocols all ${birdProtocolName(address)}`);
      const m = /BGP state:\s+(\S+)/.exec(out);
      if (!m) throw new InteropError('INTEROP_UNPARSEABLE', `bird: no "BGP state" in:\n${out}`);
      return normaliseState(m[1]!);
    },
    routes: async () => parseBirdRoutes(await birdc('show route primary all')),
    async announce(a) {
      announced.set(a.prefix, a);
      await reconfigure();
    },
    async withdraw(prefix) {
      announced.delete(prefix);
      await reconfigure();
    },
    async lastError(address) {
      const name = birdProtocolName(address);
      const logged = parseBirdLastError(await readIfExists(logPath), name);
      if (logged !== undefined) return logged;
      const m = /Last error:\s+(.*)$/m.exec(await birdc(`show protocols all ${name}`));
      if (!m) return undefined;
      const text = m[1]!.trim();
      return text.startsWith('Received: ') ? classifyError('received', text.slice('Received: '.length)) : classifyError('unknown', text);
    },
    log: () => readIfExists(logPath),
  });
}
