/**
 * One strongSwan charon (5.9, kernel-libipsec) in a network namespace of a Topology, driven with
 * swanctl over its own vici socket. The recipe of /work/shared/reference/strongswan-interop.md:
 *
 *   ip netns exec NS setpriv --pdeathsig KILL -- unshare -m --propagation private \
 *     sh -c 'mount --bind DIR/run /run && exec /usr/lib/ipsec/charon'      (STRONGSWAN_CONF=DIR/strongswan.conf)
 *   swanctl --load-all --file DIR/swanctl/swanctl.conf --uri unix://DIR/charon.vici
 *
 * Every step execs, so the PID held is charon's own; it is stopped by that PID only.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { InteropError, poll, readIfExists, tail, type CommandResult } from '../daemon.js';
import type { Namespace, NsProcess, Topology } from '../netns.js';
import {
  ipv4ToUint, renderStrongswanConf, renderSwanctlConf, tsRange, uintToIpv4, validateConnections, validateSettings,
  type CharonSettings, type SwanConnection,
} from './config.js';
import {
  parseDumps, parseListSas, parseNotifyErrors, renderSas, type ChildSa, type IkeSa, type LogDump, type NotifyError,
} from './sas.js';

export const CHARON = '/usr/lib/ipsec/charon';
export const SWANCTL = 'swanctl';

export type SwanErrorCode =
  /** initiate(): the exchange failed (an error notify, retransmits exhausted, CHILD_SA not installed) */
  'SWAN_NEGOTIATION_FAILED';

/** A negotiation that failed, with the evidence from the initiator's log. */
export class SwanError extends Error {
  override readonly name = 'SwanError';
  constructor(
    readonly code: SwanErrorCode,
    message: string,
    /** error notifies seen during the attempt */
    readonly notifies: readonly NotifyError[],
    /** the log lines that show the failure */
    readonly lines: readonly string[],
  ) {
    super(message);
  }
}

export interface CharonOptions extends CharonSettings {
  topology: Topology;
  ns: Namespace;
  /** a label for messages and expect lines; default the namespace role */
  name?: string;
  connections: SwanConnection[];
  /** wait for the vici socket this long; default 10 s */
  readyTimeoutMs?: number;
}

export interface InitiateOptions {
  /** how long to wait for the CHILD_SA to be INSTALLED; default 10 s */
  timeoutMs?: number;
}

export interface TerminateOptions {
  timeoutMs?: number;
  /** delete locally without waiting for the peer's answer */
  force?: boolean;
}

export interface RunningCharon {
  readonly name: string;
  readonly ns: Namespace;
  readonly pid: number;
  /** this instance's files: strongswan.conf, swanctl/swanctl.conf, charon.log, charon.vici, run/ */
  readonly workdir: string;
  readonly logFile: string;
  readonly connections: readonly SwanConnection[];
  /** the addresses load() put on lo for local traffic selectors (gotcha 5) */
  readonly tsAddresses: readonly string[];
  running(): boolean;
  /**
   * Writes swanctl.conf (the given connections, or the current ones) and loads it (connections not
   * in it are unloaded). First gives every local traffic selector a local address if the namespace
   * has none inside it (a /32 on lo, gotcha 5); resolves with the addresses added.
   */
  load(connections?: SwanConnection[]): Promise<string[]>;
  /**
   * Initiates a CHILD_SA (and its IKE_SA if needed) without blocking a charon worker (vici
   * timeout -1, gotcha 8), then waits until a new CHILD_SA of that name is INSTALLED under an
   * ESTABLISHED IKE_SA. Rejects early with SWAN_NEGOTIATION_FAILED when the log shows a failure.
   */
  initiate(child: string, opts?: InitiateOptions): Promise<{ ike: IkeSa; child: ChildSa }>;
  /** the same request, without waiting for the outcome */
  initiateNoWait(child: string): Promise<void>;
  /** deletes the IKE_SAs of a connection and waits until they are gone */
  terminate(ike: string, opts?: TerminateOptions): Promise<void>;
  listSas(): Promise<IkeSa[]>;
  /** waits until `match` holds for some IKE_SA; resolves with it */
  waitForSa(what: string, match: (sa: IkeSa) => boolean, timeoutMs: number): Promise<IkeSa>;
  /** the error notifies charon sent and received, from its log */
  notifyErrors(): Promise<NotifyError[]>;
  /** the hex dumps in the log (key material with KEY_MATERIAL_LOG_LEVELS) */
  dumps(): Promise<LogDump[]>;
  /** any swanctl command, e.g. ['--list-conns']; --uri is added; rejects unless it exits 0 */
  swanctl(args: readonly string[]): Promise<string>;
  log(): Promise<string>;
  /** SIGTERM to charon's PID, then SIGKILL after 3 s; idempotent. Files stay until the topology is destroyed. */
  stop(): Promise<void>;
}

/** swanctl.conf's credential directories: swanctl warns about each one that is missing (gotcha 12). */
const SWANCTL_DIRS = ['x509', 'x509ca', 'x509ocsp', 'x509aa', 'x509ac', 'x509crl', 'pubkey', 'private', 'rsa', 'ecdsa', 'bliss', 'pkcs8', 'pkcs12'];
const CLI_TIMEOUT_MS = 10_000;
const POLL_MS = 20;
/** an INVALID_KE_PAYLOAD is part of a normal negotiation (the initiator retries with the asked group) */
const BENIGN_NOTIFIES = new Set(['INVALID_KE_PAYLOAD']);
const FAILURE_LINES = [
  /giving up after \d+ retransmits/,
  /failed to establish CHILD_SA/,
  /unable to install (?:IPsec policies|inbound and outbound IPsec SA)/,
  /no local address found in traffic selector/,
  /peer authentication failed|MAC mismatched/,
];

function swanctlRun(conf: string, args: readonly string[], timeoutMs = CLI_TIMEOUT_MS): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(SWANCTL, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', STRONGSWAN_CONF: conf } },
      (err, stdout, stderr) => {
        if (err !== null && typeof err.code !== 'number') {
          reject(new InteropError('INTEROP_CLI_FAILED', `swanctl ${args.join(' ')}: ${err.message}${stderr ? `\n${stderr}` : ''}`));
          return;
        }
        resolve({ stdout, stderr, exitCode: err === null ? 0 : (err.code as number) });
      });
  });
}

/**
 * Calls `probe` every POLL_MS until it returns a value, for at most timeoutMs. Unlike daemon.ts's
 * poll(), a probe that throws ends the wait at once: a failed negotiation is final.
 */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, describe?: () => Promise<string>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    const left = deadline - performance.now();
    if (left <= 0) break;
    await delay(Math.min(POLL_MS, left));
  }
  let detail = '';
  try {
    if (describe !== undefined) detail = `\n${await describe()}`;
  } catch {
    // best effort: the timeout is the error being reported
  }
  throw new InteropError('INTEROP_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
}

/** The IKE_SA name of a log line (ike_name = yes): "net" for `<net|1>`, "" for `<1>`, undefined for none. */
function lineIke(line: string): string | undefined {
  const m = /^\S+ \d+\[\w+\] <(?:([^|>]*)\|)?\d+> /.exec(line);
  return m === null ? undefined : (m[1] ?? '');
}

export async function startCharon(opts: CharonOptions): Promise<RunningCharon> {
  const { topology, ns } = opts;
  const name = opts.name ?? ns.role;
  const who = `strongSwan ${name}`;
  validateSettings(opts, who);
  validateConnections(opts.connections, who);
  if (!topology.namespaces.includes(ns)) throw new InteropError('INTEROP_BAD_CONFIG', `${who}: namespace ${ns.name} is not in topology ${topology.id}`);

  const dir = mkdtempSync(join(topology.workdir, `charon-${name.replace(/[^A-Za-z0-9_-]/g, '_')}-`));
  const conf = join(dir, 'strongswan.conf');
  const swanctlDir = join(dir, 'swanctl');
  const swanctlConf = join(swanctlDir, 'swanctl.conf');
  const logFile = join(dir, 'charon.log');
  const consoleLog = join(dir, 'console.log');
  const uri = `unix://${join(dir, 'charon.vici')}`;
  // charon hard-codes /var/run/charon.pid: a fresh private /run per instance (gotcha 1). Fresh,
  // because a stale charon.pid whose PID is still a zombie makes charon refuse to start.
  mkdirSync(join(dir, 'run'));
  for (const d of SWANCTL_DIRS) mkdirSync(join(swanctlDir, d), { recursive: true });
  await writeFile(conf, renderStrongswanConf(opts, dir));

  let connections: SwanConnection[] = opts.connections;
  const tsAddresses: string[] = [];
  const proc: NsProcess = topology.spawnIn(ns, [
    'unshare', '-m', '--propagation', 'private',
    'sh', '-c', 'mount --bind "$1" /run && exec "$2"', 'sh', join(dir, 'run'), CHARON,
  ], { env: { STRONGSWAN_CONF: conf }, logFile: consoleLog });

  const alive = (): void => {
    if (!proc.running()) throw new InteropError('INTEROP_DAEMON_EXITED', `${who} (pid ${proc.pid}) is not running`);
  };
  const swanctl = async (args: readonly string[]): Promise<string> => {
    alive();
    const r = await swanctlRun(conf, [...args, '--uri', uri]);
    if (r.exitCode !== 0) {
      throw new InteropError('INTEROP_CLI_FAILED', `${who}: swanctl ${args.join(' ')} exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n').slice(0, 5).join('\n')}`);
    }
    return r.stdout;
  };
  const log = (): Promise<string> => readIfExists(logFile);
  const listSas = async (): Promise<IkeSa[]> => parseListSas(await swanctl(['--list-sas', '--pretty']));
  const connOf = (child: string): SwanConnection => {
    const c = connections.find((x) => x.children.some((ch) => ch.name === child));
    if (c === undefined) throw new InteropError('INTEROP_BAD_CONFIG', `${who}: no child ${JSON.stringify(child)} in the loaded connections`);
    return c;
  };

  /** Local addresses for local traffic selectors that contain none of the namespace's (gotcha 5). */
  const ensureTsAddresses = async (conns: readonly SwanConnection[]): Promise<string[]> => {
    const added: string[] = [];
    const have = (await topology.addresses(ns)).map((a) => ipv4ToUint(a.address));
    for (const ts of conns.flatMap((c) => c.children.flatMap((ch) => ch.localTs))) {
      const r = tsRange(ts);
      if (r === undefined || have.some((a) => a >= r.first && a <= r.last)) continue;
      // the first host of a subnet; the address itself for a /31, /32 or range
      const pick = r.last - r.first >= 3 ? r.first + 1 : r.first;
      await topology.addAddress(ns, 'lo', `${uintToIpv4(pick)}/32`);
      have.push(pick);
      added.push(uintToIpv4(pick));
    }
    return added;
  };

  const checkAddresses = async (conns: readonly SwanConnection[]): Promise<void> => {
    const mine = new Set((await topology.addresses(ns)).map((a) => a.address));
    for (const c of conns) {
      for (const a of c.localAddrs) {
        if (!mine.has(a)) throw new InteropError('INTEROP_BAD_CONFIG', `${who}: connection ${c.name}: local address ${a} is not an address of ${ns.name}`);
      }
      for (const a of c.remoteAddrs) {
        if (!topology.ownsAddress(a)) {
          throw new InteropError('INTEROP_BAD_CONFIG', `${who}: connection ${c.name}: remote address ${a} is not assigned in topology ${topology.id}; peers must be in namespaces the test created`);
        }
      }
    }
  };

  const charon: RunningCharon = {
    name,
    ns,
    pid: proc.pid,
    workdir: dir,
    logFile,
    get connections() {
      return connections;
    },
    get tsAddresses() {
      return [...tsAddresses];
    },
    running: () => proc.running(),

    async load(next) {
      const conns = next ?? connections;
      validateConnections(conns, who);
      await checkAddresses(conns);
      const added = await ensureTsAddresses(conns);
      tsAddresses.push(...added);
      await writeFile(swanctlConf, renderSwanctlConf(conns));
      await swanctl(['--load-all', '--file', swanctlConf]);
      connections = conns;
      return added;
    },

    async initiateNoWait(child) {
      const conn = connOf(child);
      await swanctl(['--initiate', '--child', child, '--ike', conn.name, '--timeout', '-1']);
    },

    async initiate(child, o = {}) {
      const conn = connOf(child);
      const before = new Set((await listSas()).flatMap((s) => s.children.filter((c) => c.name === child).map((c) => c.uniqueId)));
      const offset = (await log()).length;
      await charon.initiateNoWait(child);
      let last: IkeSa[] = [];
      return waitFor(`${who}: CHILD_SA ${child} to be INSTALLED`, async () => {
        alive();
        last = await listSas();
        for (const ike of last) {
          if (ike.name !== conn.name || ike.state !== 'ESTABLISHED') continue;
          const c = ike.children.find((x) => x.name === child && x.state === 'INSTALLED' && !before.has(x.uniqueId));
          if (c !== undefined) return { ike, child: c };
        }
        const attempt = (await log()).slice(offset).split('\n').filter((l) => {
          const tag = lineIke(l);
          return tag === conn.name || tag === '';
        });
        const notifies = parseNotifyErrors(attempt.join('\n')).filter((n) => !BENIGN_NOTIFIES.has(n.notify));
        const lines = attempt.filter((l) => FAILURE_LINES.some((re) => re.test(l)));
        if (notifies.length > 0 || lines.length > 0) {
          const evidence = [...notifies.map((n) => n.line), ...lines];
          throw new SwanError('SWAN_NEGOTIATION_FAILED',
            `${who}: initiating ${conn.name}/${child} failed: ${notifies.map((n) => `${n.direction} ${n.notify}`).join(', ') || lines[0]}\n${evidence.join('\n')}`,
            notifies, evidence);
        }
        return undefined;
      }, o.timeoutMs ?? 10_000, async () => `SAs:\n${renderSas(last)}\nlog:\n${await tail(logFile, 3_000)}`);
    },

    async terminate(ike, o = {}) {
      const timeoutMs = o.timeoutMs ?? 5_000;
      await swanctl(['--terminate', '--ike', ike, '--timeout', String(Math.max(1, Math.ceil(timeoutMs / 1000))), ...(o.force ? ['--force'] : [])]);
      await waitFor(`${who}: IKE_SA ${ike} to go away`, async () => ((await listSas()).some((s) => s.name === ike) ? undefined : true), timeoutMs);
    },

    listSas,

    async waitForSa(what, match, timeoutMs) {
      let last: IkeSa[] = [];
      return waitFor(`${who}: ${what}`, async () => {
        alive();
        last = await listSas();
        return last.find(match);
      }, timeoutMs, async () => `SAs:\n${renderSas(last) || '(none)'}`);
    },

    notifyErrors: async () => parseNotifyErrors(await log()),
    dumps: async () => parseDumps(await log()),
    swanctl,
    log,
    stop: () => proc.stop(),
  };

  try {
    await poll(`${who} to answer on ${uri}`, async () => {
      if (!proc.running()) {
        throw new InteropError('INTEROP_DAEMON_EXITED', `${who} (pid ${proc.pid}) exited with ${await proc.exited}:\n${await tail(consoleLog)}\n${await tail(logFile)}`);
      }
      const r = await swanctlRun(conf, ['--stats', '--uri', uri]);
      return r.exitCode === 0 ? true : undefined;
    }, { timeoutMs: opts.readyTimeoutMs ?? 10_000, intervalMs: POLL_MS }, async () => `log:\n${await tail(logFile)}`);
    await charon.load();
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return charon;
}
