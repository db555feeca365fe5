/**
 * Network namespaces for interop tests: a Topology creates namespaces and veth pairs, addresses,
 * routes and sysctls inside them, runs commands and long-running processes in them, captures
 * packets on their links, and deletes it all again.
 *
 *   const topo = createTopology();
 *   const a = await topo.createNamespace('a');          // "vl-<id>-a"
 *   const b = await topo.createNamespace('b');
 *   await topo.connect(a, 'wan0', '192.168.251.1/30', b, 'wan0', '192.168.251.2/30');
 *   const r = await topo.ping(a, '192.168.251.2');      // { transmitted, received, lossPercent, … }
 *   await topo.destroy();                                // idempotent
 *
 * Network safety, enforced here rather than left to each test:
 *  - every namespace is created by this module and named `vl-<id>-<role>`, where <id> is two
 *    random characters and the creating process's PID (base 36); nothing is ever added to the
 *    host (root) namespace: every `ip` call is `ip -n <one of ours>` or `ip netns …` on our names;
 *  - a veth pair is created from inside its first namespace with both ends in namespaces of this
 *    topology, so no link ever leads to the host namespace and traffic cannot leave;
 *  - addresses, routes and link changes are refused on interfaces this topology did not create
 *    (the namespace's own `lo` excepted); only per-namespace `net.ipv4.*` / `net.ipv6.*` sysctls;
 *  - only processes this module spawned are signalled.
 *
 * Lifetime: destroy() (from an after() hook) stops the processes and deletes the namespaces, which
 * removes their veths. A process 'exit' hook (and SIGINT/SIGTERM/SIGHUP) does the same
 * synchronously for a test that throws or forgets. Processes run under `setpriv --pdeathsig KILL`,
 * so they die with the test process even when it is SIGKILLed; the namespaces such a process
 * leaves behind are deleted by the next createTopology() (sweepStaleNamespaces: owner PID gone and
 * no process inside).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePing, parseTcpdump, type CapturedPacket, type PingResult } from './netns-output.js';
import { InteropError, isIpv4, processAlive, poll, readIfExists, runChecked, runCommand, terminateChild, type CommandResult } from './daemon.js';

/** Every namespace this module creates starts with this. */
export { parsePing, parseTcpdump, type CapturedPacket, type PingResult } from './netns-output.js';

export const NETNS_PREFIX = 'vl-';
/** IFNAMSIZ - 1; namespaces are held to it too */
const MAX_NAME = 15;
const NAME_RE = /^vl-([0-9a-z]{2})([0-9a-z]{1,7})-([a-z0-9]{1,10})$/;
const ROLE_RE = /^[a-z0-9]+$/;
const IFNAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const STOP_GRACE_MS = 3_000;
const IP_TIMEOUT_MS = 10_000;

export interface Namespace {
  /** the full name, `vl-<id>-<role>` */
  readonly name: string;
  /** the part the test chose */
  readonly role: string;
}

export interface InterfaceAddress {
  ifname: string;
  /** e.g. "192.168.251.1/30" */
  cidr: string;
  address: string;
  prefixLength: number;
}

export type RouteVia = { via: string; dev?: string; src?: string } | { dev: string; via?: undefined; src?: string };

export interface ExecOptions {
  timeoutMs?: number;
}

export interface SpawnInOptions {
  /** stdout and stderr are appended here; default: discarded */
  logFile?: string;
  /** added to the environment (which also gets LC_ALL=C) */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
}

/** A long-running process in a namespace. */
export interface NsProcess {
  readonly pid: number;
  readonly ns: Namespace;
  readonly argv: readonly string[];
  readonly logFile: string | undefined;
  /** resolves with the exit code (or signal name) */
  readonly exited: Promise<number | string>;
  running(): boolean;
  /** SIGTERM, then SIGKILL after graceMs; idempotent */
  stop(graceMs?: number): Promise<void>;
}

export interface PingOptions {
  count?: number;
  /** seconds between packets (ping -i); default 0.05 */
  intervalSec?: number;
  /** a source address of the namespace (ping -I) */
  source?: string;
  /** payload size (ping -s) */
  size?: number;
}

export interface Capture {
  readonly ns: Namespace;
  readonly ifname: string;
  readonly file: string;
  /** stops tcpdump and returns every packet it saw */
  stop(): Promise<CapturedPacket[]>;
}

export interface Topology {
  /** `<2 random chars><pid base 36>`; every namespace is `vl-<id>-<role>` */
  readonly id: string;
  /** a private directory for the files of this topology's processes; removed by destroy() */
  readonly workdir: string;
  readonly namespaces: readonly Namespace[];
  /** creates `vl-<id>-<role>` with `lo` up and (unless ipv6) IPv6 disabled; role: [a-z0-9], short */
  createNamespace(role: string, opts?: { ipv6?: boolean }): Promise<Namespace>;
  /** a veth pair: `ifA` in `a`, `ifB` in `b` (created from inside `a`, never in the host namespace) */
  addVeth(a: Namespace, ifA: string, b: Namespace, ifB: string): Promise<void>;
  addAddress(ns: Namespace, ifname: string, cidr: string): Promise<void>;
  setUp(ns: Namespace, ifname: string): Promise<void>;
  addRoute(ns: Namespace, prefix: string, via: RouteVia): Promise<void>;
  /** a per-namespace sysctl: `net.ipv4.*` or `net.ipv6.*` only */
  sysctl(ns: Namespace, key: string, value: string | number): Promise<void>;
  /** ip_forward = 1 and rp_filter = 0 (all, default): a router */
  enableForwarding(ns: Namespace): Promise<void>;
  /** veth pair + an address on each end + both up */
  connect(a: Namespace, ifA: string, cidrA: string, b: Namespace, ifB: string, cidrB: string): Promise<void>;
  /** the IPv4 addresses in the namespace, from `ip -j addr` */
  addresses(ns: Namespace): Promise<InterfaceAddress[]>;
  /** whether `address` was assigned, through this topology, in one of its namespaces */
  ownsAddress(address: string): boolean;
  /**
   * Declares an address that exists only inside an emulator running in `ns` (a host of vpnlab's
   * emulated LAN): packets to it never leave the topology's namespaces, so ping may target it.
   */
  addEmulatedAddress(ns: Namespace, address: string): void;
  /** runs argv in the namespace (no shell); resolves whatever the exit code */
  execIn(ns: Namespace, argv: readonly string[], opts?: ExecOptions): Promise<CommandResult>;
  /** starts a long-running process in the namespace, tied to the test process (setpriv --pdeathsig KILL) */
  spawnIn(ns: Namespace, argv: readonly string[], opts?: SpawnInOptions): NsProcess;
  /** ping from the namespace to an address this topology assigned */
  ping(ns: Namespace, destination: string, opts?: PingOptions): Promise<PingResult>;
  /** tcpdump on an interface of one of our namespaces; resolves once it listens */
  capture(ns: Namespace, ifname: string): Promise<Capture>;
  /** stops every process, deletes every namespace (and so their veths), removes workdir; idempotent */
  destroy(): Promise<void>;
}

// ---- names --------------------------------------------------------------------------------------

function checkIfname(ifname: string): void {
  if (ifname.length > MAX_NAME || !IFNAME_RE.test(ifname)) {
    throw new InteropError('NETNS_BAD_NAME', `interface name ${JSON.stringify(ifname)}: at most ${MAX_NAME} characters [A-Za-z0-9_.-]`);
  }
}

interface Ipv4Prefix { address: string; length: number }

function parseCidr(cidr: string, what: string): Ipv4Prefix {
  const [address, len, extra] = cidr.split('/');
  const length = Number(len);
  if (extra !== undefined || address === undefined || !isIpv4(address) || len === undefined || !/^\d{1,2}$/.test(len) || length > 32) {
    throw new InteropError('NETNS_BAD_ARGUMENT', `${what} ${JSON.stringify(cidr)} is not an IPv4 prefix a.b.c.d/len`);
  }
  return { address, length };
}

// ---- process-wide registry (for the exit hook) --------------------------------------------------

interface TopologyState {
  namespaces: Namespace[];
  /** running processes this topology spawned, by PID */
  processes: Map<number, NsProcess>;
  workdir: string;
  destroyed: boolean;
}

const liveTopologies = new Set<TopologyState>();
let hooksInstalled = false;

function destroySync(t: TopologyState): void {
  for (const [pid] of t.processes) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  t.processes.clear();
  for (const ns of t.namespaces) {
    try {
      execFileSync('ip', ['netns', 'del', ns.name], { stdio: 'ignore', timeout: IP_TIMEOUT_MS });
    } catch {
      // best effort at exit
    }
  }
  rmSync(t.workdir, { recursive: true, force: true });
  t.destroyed = true;
}

function destroyAllSync(): void {
  for (const t of liveTopologies) destroySync(t);
  liveTopologies.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', destroyAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      destroyAllSync();
      process.removeListener(signal, onSignal);
      // keep the default behaviour (die by the signal) unless someone else handles it
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Our namespace names that exist now (`ip netns list`). */
export async function listOurNamespaces(): Promise<string[]> {
  const out = await runChecked('ip', ['netns', 'list'], IP_TIMEOUT_MS);
  return out.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(NETNS_PREFIX));
}

/**
 * Deletes namespaces left by an earlier test process that was SIGKILLed (its exit hook never ran):
 * only names of our exact format whose creating PID is gone and which hold no process.
 * Returns the names deleted.
 */
export async function sweepStaleNamespaces(): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await listOurNamespaces()) {
    const m = NAME_RE.exec(name);
    if (m === null) continue;
    const owner = parseInt(m[2]!, 36);
    if (owner === process.pid || processAlive(owner)) continue;
    const pids = await runCommand('ip', ['netns', 'pids', name], IP_TIMEOUT_MS);
    if (pids.exitCode !== 0 || pids.stdout.trim() !== '') continue;
    const del = await runCommand('ip', ['netns', 'del', name], IP_TIMEOUT_MS);
    if (del.exitCode === 0) removed.push(name);
  }
  return removed;
}

// ---- the topology -------------------------------------------------------------------------------

const ipAddrJson = (text: string): { ifname: string; addr_info?: { family: string; local: string; prefixlen: number }[] }[] => {
  try {
    return JSON.parse(text) as ReturnType<typeof ipAddrJson>;
  } catch {
    throw new InteropError('INTEROP_UNPARSEABLE', `ip -j addr: not JSON: ${text.slice(0, 200)}`);
  }
};

/**
 * A new, empty topology. Namespaces left by a SIGKILLed earlier run are swept first (see
 * sweepStaleNamespaces), so call it from a before() hook.
 */
export async function createTopology(): Promise<Topology> {
  installHooks();
  await sweepStaleNamespaces();
  let id: string;
  const taken = new Set([...liveTopologies].flatMap((t) => t.namespaces.map((n) => n.name.split('-')[1])));
  do id = randomBytes(2).reduce((s, b) => s + (b % 36).toString(36), '') + process.pid.toString(36);
  while (taken.has(id));
  const state: TopologyState = {
    namespaces: [],
    processes: new Map(),
    workdir: mkdtempSync(join(tmpdir(), `vpnlab-netns-${id}-`)),
    destroyed: false,
  };
  liveTopologies.add(state);
  const interfaces = new Map<string, Set<string>>(); // ns name → interfaces we created (and lo)
  const assigned = new Set<string>(); // addresses we assigned, anywhere in the topology
  let destroying: Promise<void> | undefined;
  let captures = 0;

  const alive = (): void => {
    if (state.destroyed || destroying !== undefined) throw new InteropError('NETNS_DESTROYED', `topology ${id} has been destroyed`);
  };
  const ours = (ns: Namespace): void => {
    alive();
    if (!state.namespaces.includes(ns)) {
      throw new InteropError('NETNS_NOT_OURS', `namespace ${JSON.stringify(ns.name)} was not created by topology ${id}`);
    }
  };
  const ourInterface = (ns: Namespace, ifname: string): void => {
    ours(ns);
    checkIfname(ifname);
    if (!interfaces.get(ns.name)!.has(ifname)) {
      throw new InteropError('NETNS_NOT_OURS', `${ns.name}: interface ${ifname} was not created by topology ${id} (have ${[...interfaces.get(ns.name)!].join(', ')})`);
    }
  };
  /** `ip -n NS …`, checked */
  const ipIn = (ns: Namespace, args: readonly string[]): Promise<string> => runChecked('ip', ['-n', ns.name, ...args], IP_TIMEOUT_MS);
  const nsExec = (ns: Namespace, argv: readonly string[], timeoutMs?: number): Promise<CommandResult> =>
    runCommand('ip', ['netns', 'exec', ns.name, ...argv], timeoutMs);

  const topo: Topology = {
    id,
    workdir: state.workdir,
    get namespaces() {
      return [...state.namespaces];
    },

    async createNamespace(role, opts = {}) {
      alive();
      const name = `${NETNS_PREFIX}${id}-${role}`;
      if (!ROLE_RE.test(role) || name.length > MAX_NAME || !NAME_RE.test(name)) {
        throw new InteropError('NETNS_BAD_NAME', `namespace role ${JSON.stringify(role)}: [a-z0-9] only, and "${NETNS_PREFIX}${id}-<role>" must fit in ${MAX_NAME} characters (role ≤ ${MAX_NAME - NETNS_PREFIX.length - id.length - 1})`);
      }
      if (state.namespaces.some((n) => n.name === name)) throw new InteropError('NETNS_BAD_NAME', `namespace ${name} exists in this topology`);
      await runChecked('ip', ['netns', 'add', name], IP_TIMEOUT_MS);
      const ns: Namespace = Object.freeze({ name, role });
      state.namespaces.push(ns);
      interfaces.set(name, new Set(['lo']));
      await ipIn(ns, ['link', 'set', 'lo', 'up']);
      if (opts.ipv6 !== true) {
        // No link-local chatter (router solicitations, MLD) on the links, so captures show only our traffic.
        await topo.sysctl(ns, 'net.ipv6.conf.all.disable_ipv6', 1);
        await topo.sysctl(ns, 'net.ipv6.conf.default.disable_ipv6', 1);
      }
      return ns;
    },

    async addVeth(a, ifA, b, ifB) {
      ours(a);
      ours(b);
      checkIfname(ifA);
      checkIfname(ifB);
      if (a === b && ifA === ifB) throw new InteropError('NETNS_BAD_ARGUMENT', `veth ${ifA}: both ends have the same name`);
      for (const [ns, ifname] of [[a, ifA], [b, ifB]] as const) {
        if (interfaces.get(ns.name)!.has(ifname)) throw new InteropError('NETNS_BAD_ARGUMENT', `${ns.name}: interface ${ifname} exists`);
      }
      // Created from inside `a`, with the peer moved straight into `b`: no end is ever in the host namespace.
      await ipIn(a, ['link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB, 'netns', b.name]);
      interfaces.get(a.name)!.add(ifA);
      interfaces.get(b.name)!.add(ifB);
    },

    async addAddress(ns, ifname, cidr) {
      ourInterface(ns, ifname);
      const p = parseCidr(cidr, `${ns.name} ${ifname}: address`);
      await ipIn(ns, ['addr', 'add', `${p.address}/${p.length}`, 'dev', ifname]);
      assigned.add(p.address);
    },

    async setUp(ns, ifname) {
      ourInterface(ns, ifname);
      await ipIn(ns, ['link', 'set', ifname, 'up']);
    },

    async addRoute(ns, prefix, how) {
      ours(ns);
      const p = prefix === 'default' ? { address: '0.0.0.0', length: 0 } : parseCidr(prefix, `${ns.name}: route`);
      const args = ['route', 'add', `${p.address}/${p.length}`];
      if (how.via !== undefined) {
        if (!isIpv4(how.via)) throw new InteropError('NETNS_BAD_ARGUMENT', `${ns.name}: route ${prefix} via ${JSON.stringify(how.via)} is not an IPv4 address`);
        args.push('via', how.via);
      }
      if (how.dev !== undefined) {
        ourInterface(ns, how.dev);
        args.push('dev', how.dev);
      }
      if (how.src !== undefined) {
        if (!isIpv4(how.src)) throw new InteropError('NETNS_BAD_ARGUMENT', `${ns.name}: route ${prefix} src ${JSON.stringify(how.src)} is not an IPv4 address`);
        args.push('src', how.src);
      }
      await ipIn(ns, args);
    },

    async sysctl(ns, key, value) {
      ours(ns);
      // Only the per-namespace families: anything else (kernel.*, vm.*, some net.core.*) is host-wide.
      if (!/^net\.ipv[46]\.[A-Za-z0-9_.-]+$/.test(key) || key.includes('..')) {
        throw new InteropError('NETNS_BAD_ARGUMENT', `sysctl ${JSON.stringify(key)}: only net.ipv4.* and net.ipv6.* (per network namespace) are allowed`);
      }
      if (!/^[A-Za-z0-9 _.-]+$/.test(String(value))) throw new InteropError('NETNS_BAD_ARGUMENT', `sysctl ${key}: odd value ${JSON.stringify(value)}`);
      const r = await nsExec(ns, ['sysctl', '-q', '-w', `${key}=${value}`], IP_TIMEOUT_MS);
      if (r.exitCode !== 0) throw new InteropError('INTEROP_CLI_FAILED', `${ns.name}: sysctl ${key}=${value} exited ${r.exitCode}: ${r.stderr.trim()}`);
    },

    async enableForwarding(ns) {
      await topo.sysctl(ns, 'net.ipv4.ip_forward', 1);
      await topo.sysctl(ns, 'net.ipv4.conf.all.rp_filter', 0);
      await topo.sysctl(ns, 'net.ipv4.conf.default.rp_filter', 0);
    },

    async connect(a, ifA, cidrA, b, ifB, cidrB) {
      await topo.addVeth(a, ifA, b, ifB);
      await topo.addAddress(a, ifA, cidrA);
      await topo.addAddress(b, ifB, cidrB);
      await topo.setUp(a, ifA);
      await topo.setUp(b, ifB);
    },

    async addresses(ns) {
      ours(ns);
      const links = ipAddrJson(await ipIn(ns, ['-j', 'addr', 'show']));
      return links.flatMap((l) => (l.addr_info ?? [])
        .filter((a) => a.family === 'inet')
        .map((a) => ({ ifname: l.ifname, cidr: `${a.local}/${a.prefixlen}`, address: a.local, prefixLength: a.prefixlen })));
    },

    ownsAddress: (address) => assigned.has(address),

    addEmulatedAddress(ns, address) {
      ours(ns);
      if (!isIpv4(address)) throw new InteropError('NETNS_BAD_ARGUMENT', `emulated address ${JSON.stringify(address)} is not IPv4`);
      assigned.add(address);
    },

    async execIn(ns, argv, opts = {}) {
      ours(ns);
      if (argv.length === 0) throw new InteropError('NETNS_BAD_ARGUMENT', 'execIn: empty argv');
      return nsExec(ns, argv, opts.timeoutMs);
    },

    spawnIn(ns, argv, opts = {}) {
      ours(ns);
      if (argv.length === 0) throw new InteropError('NETNS_BAD_ARGUMENT', 'spawnIn: empty argv');
      const fd = opts.logFile !== undefined ? openSync(opts.logFile, 'a') : 'ignore';
      let child: ChildProcess;
      try {
        // ip netns exec and setpriv both exec: the PID we hold is the program's own, and the
        // kernel kills it (SIGKILL) when the test process dies.
        child = spawn('ip', ['netns', 'exec', ns.name, 'setpriv', '--pdeathsig', 'KILL', '--', ...argv], {
          stdio: ['ignore', fd, fd],
          env: { ...process.env, LC_ALL: 'C', ...opts.env },
          ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
        });
      } finally {
        if (typeof fd === 'number') closeSync(fd);
      }
      const pid = child.pid;
      if (pid === undefined) throw new InteropError('INTEROP_DAEMON_EXITED', `${ns.name}: could not start ${argv.join(' ')} (run scripts/interop-prereqs.sh)`);
      child.unref();
      let ended = false;
      const exited = new Promise<number | string>((resolve) => {
        child.once('exit', (code, signal) => {
          ended = true;
          state.processes.delete(pid);
          resolve(code ?? signal ?? 'unknown');
        });
      });
      child.once('error', () => {
        // reported through 'exit' / running()
      });
      let stopping: Promise<void> | undefined;
      const handle: NsProcess = {
        pid,
        ns,
        argv: [...argv],
        logFile: opts.logFile,
        exited,
        running: () => !ended,
        stop(graceMs = STOP_GRACE_MS) {
          stopping ??= (async () => {
            if (!ended) await terminateChild(child, exited, () => ended, graceMs);
          })();
          return stopping;
        },
      };
      if (!ended) state.processes.set(pid, handle);
      return handle;
    },

    async ping(ns, destination, opts = {}) {
      ours(ns);
      if (!isIpv4(destination) || !assigned.has(destination)) {
        throw new InteropError('NETNS_NOT_OURS', `ping ${JSON.stringify(destination)}: not an address assigned in this topology (have ${[...assigned].join(', ')})`);
      }
      const count = opts.count ?? 3;
      const interval = opts.intervalSec ?? 0.05;
      const argv = ['ping', '-n', '-q', '-c', String(count), '-i', String(interval), '-W', '1', '-w', String(Math.ceil(count * interval + 2))];
      if (opts.source !== undefined) {
        if (!isIpv4(opts.source)) throw new InteropError('NETNS_BAD_ARGUMENT', `ping source ${JSON.stringify(opts.source)} is not an IPv4 address`);
        argv.push('-I', opts.source);
      }
      if (opts.size !== undefined) argv.push('-s', String(opts.size));
      argv.push(destination);
      const r = await nsExec(ns, argv, (count * interval + 5) * 1000);
      return parsePing(r.stdout + r.stderr);
    },

    async capture(ns, ifname) {
      // read-only, so any interface of our namespaces will do (ipsec0 included: the plaintext side)
      ours(ns);
      checkIfname(ifname);
      const base = join(state.workdir, `capture-${++captures}-${ns.role}-${ifname}`);
      const file = `${base}.pcap`;
      const log = `${base}.log`;
      // -Z root: Debian's tcpdump otherwise switches to user tcpdump after opening the interface,
      // which clears the parent-death signal. --immediate-mode: without it packets wait in the
      // kernel ring for up to 1 s, and a SIGTERM in that time loses them ("0 packets captured").
      const proc = topo.spawnIn(ns, ['tcpdump', '-i', ifname, '-nn', '-U', '--immediate-mode', '-Z', 'root', '-w', file], { logFile: log });
      try {
        await poll(`tcpdump on ${ns.name} ${ifname} to listen`, async () => {
          if (!proc.running()) throw new InteropError('INTEROP_DAEMON_EXITED', `tcpdump exited: ${await readIfExists(log)}`);
          return (await readIfExists(log)).includes('listening on') ? true : undefined;
        }, { timeoutMs: 5_000, intervalMs: 20 });
      } catch (e) {
        await proc.stop();
        throw e;
      }
      let result: Promise<CapturedPacket[]> | undefined;
      return {
        ns,
        ifname,
        file,
        stop() {
          result ??= (async () => {
            await proc.stop();
            if (!existsSync(file)) return [];
            return parseTcpdump(await runChecked('tcpdump', ['-r', file, '-nn', '-tt'], IP_TIMEOUT_MS));
          })();
          return result;
        },
      };
    },

    destroy() {
      destroying ??= (async () => {
        if (state.destroyed) return;
        await Promise.allSettled([...state.processes.values()].map((p) => p.stop()));
        const failures: string[] = [];
        for (const ns of state.namespaces) {
          const r = await runCommand('ip', ['netns', 'del', ns.name], IP_TIMEOUT_MS);
          if (r.exitCode !== 0) failures.push(`${ns.name}: ${r.stderr.trim()}`);
        }
        rmSync(state.workdir, { recursive: true, force: true });
        state.destroyed = true;
        liveTopologies.delete(state);
        if (failures.length > 0) throw new InteropError('INTEROP_CLI_FAILED', `ip netns del failed: ${failures.join('; ')}`);
      })();
      return destroying;
    },
  };
  return topo;
}
