/**
 * The harness's vocabulary: what a test peer is configured with, and the normalised shapes every
 * daemon's answers are parsed into (session states, routes, the last session error). bird.ts,
 * frr.ts and gobgp.ts translate to and from these; tests only ever see these.
 */
import {
  InteropError, assertLoopback, isIpv4, poll, type DaemonKind, type DaemonProcess,
} from './daemon.js';

export type PeerKind = DaemonKind;

export interface Neighbor {
  /** the neighbour's loopback address (127.0.0.0/8) */
  address: string;
  asn: number;
  /** wait for the neighbour to connect; never connect out */
  passive?: boolean;
  /** the neighbour's TCP port; default 179 */
  port?: number;
  /** eBGP multihop (TTL 255). BIRD always gets it: it refuses single-hop eBGP to a 127.x neighbour. */
  multihop?: boolean;
  /** advertise ourselves as next hop to this neighbour (BIRD `next hop self`, FRR `next-hop-self`, GoBGP `set-next-hop = "self"`) */
  nextHopSelf?: boolean;
  /**
   * The NEXT_HOP to put on every route advertised to this neighbour (BIRD `next hop address`,
   * FRR `route-map … out` with `set ip next-hop`, GoBGP export policy `set-next-hop`).
   * Needed whenever the neighbour is FRR or GoBGP: FRR rejects a 127.x next hop as martian
   * (NOTIFICATION UPDATE Message Error and a session reset), GoBGP treats it as a withdrawal.
   * Use a TEST-NET address such as 198.51.100.x; it is only an attribute, never a destination.
   */
  nextHop?: string;
}

export interface Announcement {
  prefix: string;
  /**
   * Next hop of the locally originated route: GoBGP `nexthop` (GoBGP keeps it towards eBGP
   * neighbours), FRR `set ip next-hop` in the network route-map. BIRD ignores it (the route is a
   * static blackhole). To control what a neighbour receives, set `Neighbor.nextHop`.
   */
  nextHop?: string;
  /** standard communities as "asn:value" */
  communities?: string[];
  med?: number;
  /** ASNs placed right after our own AS: the neighbour sees [own ASN, ...asPathPrepend, ...] */
  asPathPrepend?: number[];
}

export interface PeerConfig {
  /** a label for messages and expectLines; defaults to the kind */
  name?: string;
  routerId: string;
  asn: number;
  /** the loopback address the daemon binds to (use 127.0.179.x) */
  address: string;
  /** the BGP port the daemon listens on; default 179 */
  port?: number;
  neighbors: Neighbor[];
  announce?: Announcement[];
  /** proposed hold time, seconds, for every session (keepalive = hold / 3) */
  holdTime?: number;
  /** GoBGP only: the gRPC API port on `address`; default 50051 */
  apiPort?: number;
}

export type SessionState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';
export const SESSION_STATES: readonly SessionState[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];

export type Origin = 'IGP' | 'EGP' | 'INCOMPLETE';

export interface Route {
  prefix: string;
  /** as the daemon reports it; a locally originated route shows the daemon's own notion (FRR 0.0.0.0, BIRD 0.0.0.0, GoBGP the announced next hop) */
  nextHop: string;
  /** AS_PATH flattened (AS_SET members in order) */
  asPath: number[];
  med?: number;
  localPref?: number;
  /** standard communities as "asn:value", well-known ones numerically (65535:65281 for NO_EXPORT) */
  communities: string[];
  origin?: Origin;
  /** the neighbour the route was learned from; undefined for a locally originated route */
  from?: string;
}

/** RFC 4271 §4.5 error codes and the OPEN subcodes (§6.2), named. */
export const ErrorCode = {
  MESSAGE_HEADER: 1,
  OPEN_MESSAGE: 2,
  UPDATE_MESSAGE: 3,
  HOLD_TIMER_EXPIRED: 4,
  FSM: 5,
  CEASE: 6,
} as const;
export const OpenSubcode = {
  UNSUPPORTED_VERSION: 1,
  BAD_PEER_AS: 2,
  BAD_BGP_IDENTIFIER: 3,
  UNSUPPORTED_OPTIONAL_PARAMETER: 4,
  UNACCEPTABLE_HOLD_TIME: 6,
  UNSUPPORTED_CAPABILITY: 7,
} as const;
export const UpdateSubcode = { INVALID_NEXT_HOP: 8 } as const;

/** Why a session last failed, as the daemon tells it. */
export interface SessionError {
  /** whether this daemon sent the NOTIFICATION or received it; 'unknown' for a non-NOTIFICATION error */
  direction: 'sent' | 'received' | 'unknown';
  /** NOTIFICATION code/subcode when the daemon gives them or its words identify them */
  code?: number;
  subcode?: number;
  /** the daemon's own words */
  text: string;
}

/**
 * How BIRD and GoBGP word NOTIFICATIONs (FRR gives the numbers): text → code/subcode.
 * BIRD uses the RFC names ("Bad peer AS"); GoBGP its own ("as number mismatch expected …").
 */
const ERROR_WORDS: readonly { re: RegExp; code: number; subcode: number }[] = [
  { re: /bad peer as|as number mismatch/i, code: ErrorCode.OPEN_MESSAGE, subcode: OpenSubcode.BAD_PEER_AS },
  { re: /unsupported version/i, code: ErrorCode.OPEN_MESSAGE, subcode: OpenSubcode.UNSUPPORTED_VERSION },
  { re: /bad bgp identifier|bad router id/i, code: ErrorCode.OPEN_MESSAGE, subcode: OpenSubcode.BAD_BGP_IDENTIFIER },
  { re: /unacceptable hold time|hold time is too small/i, code: ErrorCode.OPEN_MESSAGE, subcode: OpenSubcode.UNACCEPTABLE_HOLD_TIME },
  { re: /invalid next_?hop/i, code: ErrorCode.UPDATE_MESSAGE, subcode: UpdateSubcode.INVALID_NEXT_HOP },
  { re: /hold timer expired/i, code: ErrorCode.HOLD_TIMER_EXPIRED, subcode: 0 },
];

export function classifyError(direction: SessionError['direction'], text: string): SessionError {
  const hit = ERROR_WORDS.find((w) => w.re.test(text));
  return hit === undefined ? { direction, text } : { direction, code: hit.code, subcode: hit.subcode, text };
}

// ---- normalisation helpers shared by the parsers -------------------------------------------------

export function normaliseState(raw: string): SessionState {
  const s = raw.trim().toLowerCase().replace(/^bgp_fsm_/, '').replace(/[^a-z]/g, '');
  switch (s) {
    case 'connect': return 'Connect';
    case 'active':
    case 'passive': // BIRD: listening, i.e. RFC 4271 Active
      return 'Active';
    case 'opensent': return 'OpenSent';
    case 'openconfirm': return 'OpenConfirm';
    case 'established': return 'Established';
    default: return 'Idle'; // Idle, Down, Close, Clearing, Deleted, Unknown …
  }
}

/** Well-known communities (RFC 1997, 3765, 7999, 8326, 8642) by the names FRR prints. */
const WELL_KNOWN_COMMUNITIES: Record<string, string> = {
  'graceful-shutdown': '65535:0',
  'accept-own': '65535:1',
  'route-filter-translated-v4': '65535:2',
  'route-filter-v4': '65535:3',
  'route-filter-translated-v6': '65535:4',
  'route-filter-v6': '65535:5',
  'llgr-stale': '65535:6',
  'no-llgr': '65535:7',
  'accept-own-nexthop': '65535:8',
  'blackhole': '65535:666',
  'no-export': '65535:65281',
  'no-advertise': '65535:65282',
  'local-AS': '65535:65283',
  'no-peer': '65535:65284',
};

export function normaliseCommunity(c: string | number): string {
  if (typeof c === 'number') return `${Math.floor(c / 65536)}:${c % 65536}`;
  const t = c.trim();
  const paren = /^\((\d+),\s*(\d+)\)$/.exec(t); // BIRD "(65001,7)"
  if (paren) return `${paren[1]}:${paren[2]}`;
  return WELL_KNOWN_COMMUNITIES[t] ?? t;
}

export function normaliseOrigin(raw: string | number | undefined): Origin | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'number') return (['IGP', 'EGP', 'INCOMPLETE'] as const)[raw];
  const s = raw.trim().toLowerCase();
  if (s === 'igp' || s === 'i') return 'IGP';
  if (s === 'egp' || s === 'e') return 'EGP';
  if (s === 'incomplete' || s === '?') return 'INCOMPLETE';
  return undefined;
}

// ---- configuration checks -----------------------------------------------------------------------

const PREFIX = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/;
const COMMUNITY = /^(\d{1,5}):(\d{1,5})$/;

function bad(where: string, what: string): never {
  throw new InteropError('INTEROP_BAD_CONFIG', `${where}: ${what}`);
}

function checkAsn(asn: number, where: string): void {
  if (!Number.isInteger(asn) || asn < 1 || asn > 0xffff_ffff) bad(where, `ASN ${asn} is not an integer in 1..4294967295`);
}

function checkPort(port: number | undefined, where: string): void {
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) bad(where, `port ${port} is not in 1..65535`);
}

export function parseCommunity(c: string, where: string): [number, number] {
  const m = COMMUNITY.exec(c);
  const hi = Number(m?.[1]);
  const lo = Number(m?.[2]);
  if (!m || hi > 0xffff || lo > 0xffff) bad(where, `community ${JSON.stringify(c)} is not "asn:value" with both parts in 0..65535`);
  return [hi, lo];
}

/** Checks a configuration before anything is written or started; throws INTEROP_BAD_CONFIG / INTEROP_NOT_LOOPBACK. */
export function validateConfig(kind: PeerKind, c: PeerConfig): void {
  const who = `${kind} peer ${c.name ?? c.address}`;
  assertLoopback(c.address, `${who}: address`);
  if (!isIpv4(c.routerId)) bad(who, `routerId ${JSON.stringify(c.routerId)} is not an IPv4 address`);
  checkAsn(c.asn, who);
  checkPort(c.port, who);
  checkPort(c.apiPort, who);
  if (c.holdTime !== undefined && !(c.holdTime === 0 || (Number.isInteger(c.holdTime) && c.holdTime >= 3 && c.holdTime <= 65535))) {
    bad(who, `holdTime ${c.holdTime} must be 0 or an integer in 3..65535`);
  }
  const seen = new Set<string>();
  for (const n of c.neighbors) {
    const where = `${who}: neighbor ${n.address}`;
    assertLoopback(n.address, where);
    if (seen.has(n.address)) bad(where, 'appears twice; one session per neighbour address');
    seen.add(n.address);
    if (n.address === c.address) bad(where, 'is the peer\'s own address');
    checkAsn(n.asn, where);
    checkPort(n.port, where);
    if (n.nextHop !== undefined && !isIpv4(n.nextHop)) bad(where, `nextHop ${JSON.stringify(n.nextHop)} is not an IPv4 address`);
  }
  for (const a of c.announce ?? []) checkAnnouncement(a, who);
}

export function checkAnnouncement(a: Announcement, who: string): void {
  const where = `${who}: announce ${a.prefix}`;
  const m = PREFIX.exec(a.prefix);
  if (!m || !isIpv4(m[1]!) || Number(m[2]) > 32) bad(where, 'prefix is not an IPv4 prefix a.b.c.d/len');
  if (a.nextHop !== undefined && !isIpv4(a.nextHop)) bad(where, `nextHop ${JSON.stringify(a.nextHop)} is not an IPv4 address`);
  for (const c of a.communities ?? []) parseCommunity(c, where);
  if (a.med !== undefined && (!Number.isInteger(a.med) || a.med < 0 || a.med > 0xffff_ffff)) bad(where, `med ${a.med} is not in 0..4294967295`);
  for (const asn of a.asPathPrepend ?? []) checkAsn(asn, where);
}

// ---- the running peer ---------------------------------------------------------------------------

export interface RunningPeer {
  readonly kind: PeerKind;
  /** config.name, or the kind */
  readonly name: string;
  readonly pid: number;
  readonly workdir: string;
  readonly config: PeerConfig;
  /** stops the daemon (SIGTERM, then SIGKILL) and removes its workdir; idempotent */
  stop(): Promise<void>;
  /** one command on the daemon's own CLI (birdc / vtysh -c / gobgp ARGS); resolves with its output */
  cli(command: string): Promise<string>;
  neighborState(address: string): Promise<SessionState>;
  waitForState(address: string, state: SessionState, timeoutMs: number): Promise<void>;
  /** the best route per prefix in the daemon's BGP table (IPv4 unicast), locally originated ones included */
  routes(): Promise<Route[]>;
  /** waits until `prefix` is present (and satisfies `match`, if given); resolves with it */
  waitForRoute(prefix: string, timeoutMs: number, match?: (r: Route) => boolean): Promise<Route>;
  /** waits until `prefix` is absent */
  waitForNoRoute(prefix: string, timeoutMs: number): Promise<void>;
  /** starts originating a route (replacing an earlier announcement of the same prefix) */
  announce(a: Announcement): Promise<void>;
  /** stops originating `prefix` */
  withdraw(prefix: string): Promise<void>;
  /** why the session to `address` last failed, from the daemon's state or its log; undefined if nothing is recorded */
  lastError(address: string): Promise<SessionError | undefined>;
  /** the daemon's log so far */
  log(): Promise<string>;
}

/** What a daemon module implements; makeRunningPeer adds the waiting and the lifecycle. */
export interface PeerOps {
  cli(command: string): Promise<string>;
  neighborState(address: string): Promise<SessionState>;
  routes(): Promise<Route[]>;
  announce(a: Announcement): Promise<void>;
  withdraw(prefix: string): Promise<void>;
  lastError(address: string): Promise<SessionError | undefined>;
  log(): Promise<string>;
}

const WAIT_INTERVAL_MS = 100;

export function makeRunningPeer(kind: PeerKind, config: PeerConfig, daemon: DaemonProcess, ops: PeerOps): RunningPeer {
  const name = config.name ?? kind;
  const known = (address: string): void => {
    if (!config.neighbors.some((n) => n.address === address)) {
      throw new InteropError('INTEROP_NO_SUCH_NEIGHBOR', `${name}: ${address} is not a configured neighbour (have ${config.neighbors.map((n) => n.address).join(', ') || 'none'})`);
    }
  };
  const alive = (): void => {
    if (!daemon.running()) throw new InteropError('INTEROP_DAEMON_EXITED', `${name} (pid ${daemon.pid}) is not running`);
  };
  const peer: RunningPeer = {
    kind,
    name,
    pid: daemon.pid,
    workdir: daemon.workdir,
    config,
    stop: () => daemon.stop(),
    cli: async (command) => {
      alive();
      return ops.cli(command);
    },
    neighborState: async (address) => {
      known(address);
      alive();
      return ops.neighborState(address);
    },
    async waitForState(address, state, timeoutMs) {
      known(address);
      let last: SessionState | undefined;
      await poll(`${name}: session to ${address} to reach ${state}`, async () => {
        alive();
        last = await ops.neighborState(address);
        return last === state ? true : undefined;
      }, { timeoutMs, intervalMs: WAIT_INTERVAL_MS }, async () => {
        const err = await ops.lastError(address).catch(() => undefined);
        return `last state ${last ?? 'unknown'}${err ? `; last error: ${err.text}` : ''}`;
      });
    },
    routes: async () => {
      alive();
      return ops.routes();
    },
    async waitForRoute(prefix, timeoutMs, match) {
      let seen: Route | undefined;
      return poll(`${name}: route ${prefix}${match ? ' (matching)' : ''}`, async () => {
        alive();
        seen = (await ops.routes()).find((r) => r.prefix === prefix);
        return seen !== undefined && (match === undefined || match(seen)) ? seen : undefined;
      }, { timeoutMs, intervalMs: WAIT_INTERVAL_MS }, async () => `last seen: ${seen ? JSON.stringify(seen) : 'absent'}`);
    },
    async waitForNoRoute(prefix, timeoutMs) {
      let seen: Route | undefined;
      await poll(`${name}: route ${prefix} to go away`, async () => {
        alive();
        seen = (await ops.routes()).find((r) => r.prefix === prefix);
        return seen === undefined ? true : undefined;
      }, { timeoutMs, intervalMs: WAIT_INTERVAL_MS }, async () => `still there: ${JSON.stringify(seen)}`);
    },
    async announce(a) {
      checkAnnouncement(a, name);
      alive();
      await ops.announce(a);
    },
    withdraw: async (prefix) => {
      alive();
      await ops.withdraw(prefix);
    },
    lastError: async (address) => {
      known(address);
      return ops.lastError(address);
    },
    log: () => ops.log(),
  };
  return peer;
}
