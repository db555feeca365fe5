/**
 * GoBGP 3 as a test peer:
 *   gobgpd -f gobgp.toml -t toml -p --api-hosts ADDR:APIPORT --pprof-disable
 * (-p: plain-text log; the API listens on the peer's loopback address only), driven with
 *   gobgp -u ADDR -p APIPORT …  (JSON with -j).
 *
 * GoBGP has no static routes in its configuration file: announcements are
 * `gobgp global rib add PREFIX …` once the API answers, withdrawals `gobgp global rib del PREFIX`.
 * Per-neighbour next hops are one global export policy (`set-next-hop` per neighbor-set).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InteropError, awaitReady, makeWorkdir, readIfExists, runChecked, spawnDaemon, splitWords } from './daemon.js';
import {
  classifyError, makeRunningPeer, normaliseCommunity, normaliseOrigin, normaliseState, validateConfig,
  type Announcement, type Neighbor, type PeerConfig, type Route, type RunningPeer, type SessionError, type SessionState,
} from './model.js';

const GOBGPD = 'gobgpd';
const GOBGP = 'gobgp';
const READY_TIMEOUT_MS = 10_000;
const DEFAULT_API_PORT = 50051;

const NEXT_HOP_POLICY = 'next-hop-per-neighbor';

function neighborSetName(n: Neighbor): string {
  return `to-${n.address}`;
}

function toml(s: string): string {
  return JSON.stringify(s); // a TOML basic string is a JSON string for the characters used here
}

function renderNeighbor(c: PeerConfig, n: Neighbor): string[] {
  const lines = [
    '[[neighbors]]',
    '  [neighbors.config]',
    `    neighbor-address = ${toml(n.address)}`,
    `    peer-as = ${n.asn}`,
    '  [neighbors.transport.config]',
    `    local-address = ${toml(c.address)}`,
    `    passive-mode = ${n.passive === true}`,
  ];
  if (n.port !== undefined && n.port !== 179) lines.push(`    remote-port = ${n.port}`);
  lines.push(
    '  [neighbors.timers.config]',
    '    connect-retry = 1',
    // default 30 s: after any NOTIFICATION GoBGP would refuse the neighbour for half a minute
    '    idle-hold-time-after-reset = 1',
  );
  if (c.holdTime !== undefined) {
    lines.push(`    hold-time = ${c.holdTime}`, `    keepalive-interval = ${Math.floor(c.holdTime / 3)}`);
  }
  if (n.multihop) {
    lines.push('  [neighbors.ebgp-multihop.config]', '    enabled = true', '    multihop-ttl = 255');
  }
  return lines;
}

/**
 * Per-neighbour next hops. Outside route-server mode GoBGP applies only the global export policy
 * (a neighbour's own apply-policy is ignored), so this is one global policy with a statement per
 * neighbour, matched on the destination with a neighbor-set.
 */
function renderNextHopPolicy(c: PeerConfig): string[] {
  const targets = c.neighbors.filter((n) => n.nextHop !== undefined || n.nextHopSelf);
  if (targets.length === 0) return [];
  const out: string[] = [];
  for (const n of targets) {
    out.push('[[defined-sets.neighbor-sets]]', `  neighbor-set-name = ${toml(neighborSetName(n))}`, `  neighbor-info-list = [${toml(n.address)}]`);
  }
  out.push('[[policy-definitions]]', `  name = ${toml(NEXT_HOP_POLICY)}`);
  for (const n of targets) {
    out.push(
      '  [[policy-definitions.statements]]',
      `    name = ${toml(neighborSetName(n))}`,
      '    [policy-definitions.statements.conditions.match-neighbor-set]',
      `      neighbor-set = ${toml(neighborSetName(n))}`,
      '    [policy-definitions.statements.actions]',
      '      route-disposition = "accept-route"',
      '    [policy-definitions.statements.actions.bgp-actions]',
      `      set-next-hop = ${toml(n.nextHop ?? 'self')}`,
    );
  }
  return out;
}

export function renderGobgpConfig(c: PeerConfig): string {
  const policy = renderNextHopPolicy(c);
  const out = [
    `# written by vpnlab test/interop/gobgp.ts for ${c.name ?? 'gobgp'}`,
    '[global.config]',
    `  as = ${c.asn}`,
    `  router-id = ${toml(c.routerId)}`,
    `  port = ${c.port ?? 179}`,
    `  local-address-list = [${toml(c.address)}]`,
  ];
  if (policy.length > 0) {
    out.push(
      '[global.apply-policy.config]',
      `  export-policy-list = [${toml(NEXT_HOP_POLICY)}]`,
      '  default-export-policy = "accept-route"',
      ...policy,
    );
  }
  for (const n of c.neighbors) out.push(...renderNeighbor(c, n));
  out.push('');
  return out.join('\n');
}

/** `gobgp global rib add` arguments for an announcement. */
export function ribAddArgs(a: Announcement): string[] {
  const args = ['global', 'rib', 'add', '-a', 'ipv4', a.prefix, 'origin', 'igp'];
  if (a.nextHop !== undefined) args.push('nexthop', a.nextHop);
  if ((a.communities?.length ?? 0) > 0) args.push('community', a.communities!.join(','));
  if (a.med !== undefined) args.push('med', String(a.med));
  if ((a.asPathPrepend?.length ?? 0) > 0) args.push('aspath', a.asPathPrepend!.join(' '));
  return args;
}

interface GobgpAttr {
  type: number;
  value?: number;
  as_paths?: { segment_type?: number; asns?: number[] }[];
  nexthop?: string;
  metric?: number;
  local_pref?: number;
  communities?: number[];
}
interface GobgpPath {
  best?: boolean;
  attrs?: GobgpAttr[];
  'neighbor-ip'?: string;
}

// RFC 4271 path attribute type codes as GoBGP's JSON numbers them
const ATTR = { ORIGIN: 1, AS_PATH: 2, NEXT_HOP: 3, MED: 4, LOCAL_PREF: 5, COMMUNITIES: 8 } as const;

/** Parses `gobgp global rib -a ipv4 -j`: { prefix: [path, …] }. */
export function parseGobgpRoutes(json: string): Route[] {
  const text = json.trim();
  if (text === '' || text === 'null') return [];
  const doc = JSON.parse(text) as Record<string, GobgpPath[]>;
  const routes: Route[] = [];
  for (const [prefix, paths] of Object.entries(doc)) {
    const best = paths.find((p) => p.best === true);
    if (best === undefined) continue;
    const r: Route = { prefix, nextHop: '0.0.0.0', asPath: [], communities: [] };
    for (const a of best.attrs ?? []) {
      switch (a.type) {
        case ATTR.ORIGIN: {
          const o = normaliseOrigin(a.value);
          if (o !== undefined) r.origin = o;
          break;
        }
        case ATTR.AS_PATH: r.asPath = (a.as_paths ?? []).flatMap((s) => s.asns ?? []); break;
        case ATTR.NEXT_HOP: r.nextHop = a.nexthop ?? r.nextHop; break;
        case ATTR.MED: if (a.metric !== undefined) r.med = a.metric; break;
        case ATTR.LOCAL_PREF: if (a.local_pref !== undefined) r.localPref = a.local_pref; break;
        case ATTR.COMMUNITIES: r.communities = (a.communities ?? []).map(normaliseCommunity); break;
        default: break;
      }
    }
    if (best['neighbor-ip'] !== undefined) r.from = best['neighbor-ip'];
    routes.push(r);
  }
  return routes;
}

/** GoBGP's JSON gives the FSM state as the API enum: 1 IDLE … 6 ESTABLISHED (or its name). */
const GOBGP_STATES: Record<number, SessionState> = {
  1: 'Idle', 2: 'Connect', 3: 'Active', 4: 'OpenSent', 5: 'OpenConfirm', 6: 'Established',
};

export function parseGobgpState(json: string): SessionState {
  const doc = JSON.parse(json) as { state?: { session_state?: number | string } };
  const s = doc.state?.session_state;
  if (typeof s === 'number') return GOBGP_STATES[s] ?? 'Idle';
  return normaliseState(s ?? 'Idle');
}

/**
 * GoBGP records no error in the neighbour's state; its log (info level) has, for `Key=ADDR`:
 *   level=warning msg="sent notification" Data="as number mismatch expected 65097, received 65001" Key=…
 *   level=info msg="Peer Down" Key=… Reason="notification-received code 6(cease) subcode 2(…)" …
 */
export function parseGobgpLastError(log: string, address: string): SessionError | undefined {
  let last: SessionError | undefined;
  for (const line of log.split('\n')) {
    if (!line.includes(`Key=${address} `) && !line.endsWith(`Key=${address}`)) continue;
    const sent = /msg="sent notification" Data="([^"]*)"/.exec(line);
    if (sent) {
      last = classifyError('sent', sent[1]!);
      continue;
    }
    const rcvd = /msg="received notification"(?: Data="([^"]*)")?/.exec(line);
    if (rcvd) {
      last = classifyError('received', rcvd[1] ?? line);
      continue;
    }
    const reason = /Reason="?notification-(sent|received) code (\d+)[^ ]* subcode (\d+)([^"]*)"?/.exec(line);
    if (reason) {
      last = {
        direction: reason[1] === 'sent' ? 'sent' : 'received',
        code: Number(reason[2]),
        subcode: Number(reason[3]),
        text: line.slice(line.indexOf('Reason=')),
      };
    }
  }
  return last;
}

export function parseGobgpNotificationsReceived(json: string): number {
  const doc = JSON.parse(json) as { state?: { messages?: { received?: { notification?: number } } } };
  return doc.state?.messages?.received?.notification ?? 0;
}

export async function startGobgp(config: PeerConfig): Promise<RunningPeer> {
  validateConfig('gobgp', config);
  const workdir = makeWorkdir('gobgp');
  const confPath = join(workdir, 'gobgp.toml');
  await writeFile(confPath, renderGobgpConfig(config));
  const apiPort = config.apiPort ?? DEFAULT_API_PORT;

  const daemon = spawnDaemon({
    kind: 'gobgp',
    bin: GOBGPD,
    args: ['-f', confPath, '-t', 'toml', '-p', '--api-hosts', `${config.address}:${apiPort}`, '--pprof-disable'],
    workdir,
  });
  const gobgp = (args: string[]): Promise<string> => runChecked(GOBGP, ['-u', config.address, '-p', String(apiPort), ...args]);
  await awaitReady(daemon, `gobgp ${config.name ?? config.address}`,
    async () => (await gobgp(['global', '-j'])).trimStart().startsWith('{'), READY_TIMEOUT_MS);

  const announced = new Set<string>();
  const announce = async (a: Announcement): Promise<void> => {
    if (announced.has(a.prefix)) await gobgp(['global', 'rib', 'del', '-a', 'ipv4', a.prefix]);
    await gobgp(ribAddArgs(a));
    announced.add(a.prefix);
  };
  try {
    for (const a of config.announce ?? []) await announce(a);
  } catch (e) {
    await daemon.stop();
    throw e;
  }

  return makeRunningPeer('gobgp', config, daemon, {
    cli: (command) => gobgp(splitWords(command)),
    async neighborState(address) {
      const out = await gobgp(['neighbor', address, '-j']);
      try {
        return parseGobgpState(out);
      } catch {
        throw new InteropError('INTEROP_UNPARSEABLE', `gobgp: cannot read the state of ${address} from:\n${out}`);
      }
    },
    routes: async () => parseGobgpRoutes(await gobgp(['global', 'rib', '-a', 'ipv4', '-j'])),
    announce,
    async withdraw(prefix) {
      if (!announced.has(prefix)) return;
      await gobgp(['global', 'rib', 'del', '-a', 'ipv4', prefix]);
      announced.delete(prefix);
    },
    async lastError(address) {
      const logged = parseGobgpLastError(await readIfExists(daemon.consoleLog), address);
      if (logged !== undefined) return logged;
      // A NOTIFICATION received before Established is only counted, not logged (even at debug level).
      const received = parseGobgpNotificationsReceived(await gobgp(['neighbor', address, '-j']));
      return received > 0
        ? { direction: 'received', text: `${received} NOTIFICATION(s) received; GoBGP records neither their code nor their reason` }
        : undefined;
    },
    log: () => readIfExists(daemon.consoleLog),
  });
}
