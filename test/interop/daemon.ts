/**
 * Process plumbing for the interop harness: a working directory per daemon, spawning a daemon so
 * that it cannot outlive the test process, stopping it by its PID, running its CLI, and bounded
 * polling. Nothing here knows BGP; bird.ts, frr.ts and gobgp.ts build on it.
 *
 * Lifetime guarantees, strongest first:
 *  1. every daemon is started through util-linux `setpriv --pdeathsig KILL`, which execs the daemon
 *     (same PID) with the parent-death signal set, so the kernel kills it when the test process
 *     dies for any reason, SIGKILL included;
 *  2. a process 'exit' handler SIGKILLs every daemon still running and removes its directory;
 *  3. RunningPeer.stop() (normally from an after() hook) sends SIGTERM, waits a bounded time,
 *     then SIGKILL, and removes the directory.
 * Only PIDs this module spawned are ever signalled.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** Stable codes for everything the harness can fail with; tests assert codes, not text. */
export type InteropErrorCode =
  | 'INTEROP_NOT_LOOPBACK'
  | 'INTEROP_BAD_CONFIG'
  | 'INTEROP_DAEMON_EXITED'
  | 'INTEROP_CLI_FAILED'
  | 'INTEROP_TIMEOUT'
  | 'INTEROP_NO_SUCH_NEIGHBOR'
  | 'INTEROP_UNPARSEABLE'
  | 'INTEROP_EXPECT_FAILED'
  /** a namespace role or interface name that is too long or has odd characters */
  | 'NETNS_BAD_NAME'
  /** a namespace, interface or address that this topology did not create */
  | 'NETNS_NOT_OURS'
  /** an address, prefix, sysctl key or argument that is not acceptable */
  | 'NETNS_BAD_ARGUMENT'
  /** the topology has been destroyed */
  | 'NETNS_DESTROYED';

export class InteropError extends Error {
  override readonly name = 'InteropError';
  constructor(readonly code: InteropErrorCode, message: string) {
    super(message);
  }
}

/** Whether a PID is a live process (a zombie counts as ended). */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Polls `cond` every 50 ms; fails the test if it does not hold within `timeoutMs`. */
export async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<void> {
  await waitFor('the condition', async () => (cond() ? true : undefined), timeoutMs, 50);
}

/**
 * Polls an async probe until it yields a value (not undefined); a probe that throws counts as
 * "not yet". Rejects with INTEROP_TIMEOUT naming `what`.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new InteropError('INTEROP_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(everyMs);
  }
}

// ---- addresses ----------------------------------------------------------------------------------

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIpv4(s: string): boolean {
  const m = IPV4.exec(s);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}

/**
 * Network safety: every address a daemon binds to or connects to must be in 127.0.0.0/8.
 * (Next hops carried in UPDATEs, e.g. 198.51.100.x, are attributes, never traffic, and are not
 * checked here.)
 */
export function assertLoopback(address: string, where: string): void {
  if (!isIpv4(address) || !address.startsWith('127.')) {
    throw new InteropError('INTEROP_NOT_LOOPBACK',
      `${where}: ${JSON.stringify(address)} is not an IPv4 loopback address; interop peers run on 127.0.0.0/8 only (use 127.0.179.x)`);
  }
}

// ---- running commands ---------------------------------------------------------------------------

export interface CommandResult { stdout: string; stderr: string; exitCode: number }

const CLI_TIMEOUT_MS = 5_000;

/** Runs a CLI (never through a shell) and resolves with its output, whatever its exit code. */
export function runCommand(bin: string, args: readonly string[], timeoutMs = CLI_TIMEOUT_MS): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') {
        // spawn failure (ENOENT) or the timeout kill: no exit code to report
        reject(new InteropError('INTEROP_CLI_FAILED', `${bin} ${args.join(' ')}: ${err.message}${stderr ? `\n${stderr}` : ''}`));
        return;
      }
      resolve({ stdout, stderr, exitCode: err === null ? 0 : (err.code as number) });
    });
  });
}

/** Runs a CLI and rejects with INTEROP_CLI_FAILED unless it exits 0. */
export async function runChecked(bin: string, args: readonly string[], timeoutMs = CLI_TIMEOUT_MS): Promise<string> {
  const r = await runCommand(bin, args, timeoutMs);
  if (r.exitCode !== 0) {
    throw new InteropError('INTEROP_CLI_FAILED',
      `${bin} ${args.join(' ')} exited ${r.exitCode}: ${(r.stderr || r.stdout).trim()}`);
  }
  return r.stdout;
}

/** Splits a command line into words; "double" or 'single' quotes group words. No escapes. */
export function splitWords(command: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(command); m !== null; m = re.exec(command)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

// ---- polling ------------------------------------------------------------------------------------

export interface PollOptions {
  /** total budget */
  timeoutMs: number;
  /** pause between tries (real time: these are real daemons); small and bounded */
  intervalMs?: number;
}

const DEFAULT_POLL_INTERVAL_MS = 100;
const MAX_POLL_INTERVAL_MS = 500;

/**
 * Calls `probe` until it returns something other than undefined, at most
 * ceil(timeoutMs / intervalMs) + 1 times and for no longer than timeoutMs in total (plus the last
 * probe's own bounded run time). A probe that throws counts as "not yet" (except
 * INTEROP_DAEMON_EXITED, which ends the wait at once); the last error and `describe()` go into the
 * INTEROP_TIMEOUT message.
 */
export async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: PollOptions,
  describe?: () => Promise<string>,
): Promise<T> {
  const interval = Math.min(Math.max(opts.intervalMs ?? DEFAULT_POLL_INTERVAL_MS, 10), MAX_POLL_INTERVAL_MS);
  const maxTries = Math.ceil(opts.timeoutMs / interval) + 1;
  const deadline = performance.now() + opts.timeoutMs;
  let lastError: unknown;
  for (let attempt = 1; attempt <= maxTries; attempt++) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
      lastError = undefined;
    } catch (e) {
      if (e instanceof InteropError && e.code === 'INTEROP_DAEMON_EXITED') throw e;
      lastError = e;
    }
    const left = deadline - performance.now();
    if (left <= 0) break;
    await delay(Math.min(interval, left));
  }
  let detail = '';
  if (lastError !== undefined) detail += `\nlast error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
  if (describe !== undefined) {
    try {
      detail += `\n${await describe()}`;
    } catch {
      // the description is best effort; the timeout is the error being reported
    }
  }
  throw new InteropError('INTEROP_TIMEOUT', `timed out after ${opts.timeoutMs} ms waiting for ${what}${detail}`);
}

// ---- daemons ------------------------------------------------------------------------------------

export type DaemonKind = 'bird' | 'frr' | 'gobgp';

/** A fresh private directory for one daemon's files. */
export function makeWorkdir(kind: DaemonKind): string {
  return mkdtempSync(join(tmpdir(), `vpnlab-interop-${kind}-`));
}

interface Tracked {
  child: ChildProcess;
  workdir: string;
  /** extra paths the daemon creates outside its workdir, named by its PID */
  leftovers: string[];
}

/**
 * Every daemon this process started and has not yet reaped. Process-wide on purpose: the 'exit'
 * handler that backs up the after() hooks needs to see all of them.
 */
const live = new Map<number, Tracked>();
let exitHandlerInstalled = false;

function killAllSync(): void {
  for (const [pid, t] of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    removePaths(t);
  }
  live.clear();
}

function removePaths(t: Tracked): void {
  for (const p of [t.workdir, ...t.leftovers]) {
    try {
      rmSync(p, { recursive: true, force: true });
    } catch {
      // best effort at exit
    }
  }
}

export interface DaemonProcess {
  readonly kind: DaemonKind;
  readonly pid: number;
  readonly workdir: string;
  /** the file that receives the daemon's stdout and stderr */
  readonly consoleLog: string;
  /** resolves with the exit code (or signal name) when the process ends */
  readonly exited: Promise<number | string>;
  running(): boolean;
  /** SIGTERM, then SIGKILL after graceMs; removes the workdir. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  kind: DaemonKind;
  bin: string;
  args: string[];
  workdir: string;
  /** paths outside workdir that the daemon creates and that must go when it stops, by PID */
  leftovers?: (pid: number) => string[];
}

const STOP_GRACE_MS = 3_000;

export function spawnDaemon(opts: SpawnOptions): DaemonProcess {
  if (!exitHandlerInstalled) {
    process.once('exit', killAllSync);
    exitHandlerInstalled = true;
  }
  const consoleLog = join(opts.workdir, `${opts.kind}.console.log`);
  const fd = openSync(consoleLog, 'a');
  let child: ChildProcess;
  try {
    // setpriv execs the daemon: the PID we get is the daemon's own.
    child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', opts.bin, ...opts.args], {
      cwd: opts.workdir,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, LC_ALL: 'C' },
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    rmSync(opts.workdir, { recursive: true, force: true });
    throw new InteropError('INTEROP_DAEMON_EXITED', `could not start ${opts.bin} (is util-linux's setpriv installed? run scripts/interop-prereqs.sh)`);
  }
  // A daemon does not keep the test process alive: a test that forgets stop() ends anyway, and
  // the 'exit' handler below kills what is left. (stop() keeps the loop alive with its own timer.)
  child.unref();
  const tracked: Tracked = { child, workdir: opts.workdir, leftovers: opts.leftovers?.(pid) ?? [] };
  live.set(pid, tracked);
  let ended = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = true;
      resolve(code ?? signal ?? 'unknown');
    });
  });
  child.once('error', () => {
    // reported through 'exit' / running(); keep the error from crashing the test process
  });
  let stopping: Promise<void> | undefined;
  return {
    kind: opts.kind,
    pid,
    workdir: opts.workdir,
    consoleLog,
    exited,
    running: () => !ended,
    stop(graceMs = STOP_GRACE_MS): Promise<void> {
      stopping ??= (async () => {
        if (!ended) await terminateChild(child, exited, () => ended, graceMs);
        live.delete(pid);
        removePaths(tracked);
      })();
      return stopping;
    },
  };
}

/**
 * SIGTERM, then SIGKILL if the child has not exited after `graceMs`. The children are unref'd, so
 * the event loop is held open until the child is reaped.
 */
export async function terminateChild(child: ChildProcess, exited: Promise<unknown>, ended: () => boolean, graceMs: number): Promise<void> {
  const hold = setInterval(() => {}, 1_000);
  try {
    child.kill('SIGTERM');
    const grace = new AbortController();
    const timer = delay(graceMs, 'timeout' as const, { signal: grace.signal }).catch(() => 'cancelled' as const);
    const first = await Promise.race([exited, timer]);
    grace.abort();
    if (first === 'timeout' && !ended()) {
      child.kill('SIGKILL');
      await exited;
    }
  } finally {
    clearInterval(hold);
  }
}

/** The last `maxChars` of a file, or '' if it does not exist. */
export async function tail(path: string, maxChars = 4_000): Promise<string> {
  if (!existsSync(path)) return '';
  const text = await readFile(path, 'utf8');
  return text.length > maxChars ? `…${text.slice(-maxChars)}` : text;
}

export async function readIfExists(path: string): Promise<string> {
  return existsSync(path) ? readFile(path, 'utf8') : '';
}

/**
 * Waits until `ready()` succeeds while the daemon runs. If the daemon exits first, or never
 * becomes ready, it is stopped (workdir removed) and the error carries its console output.
 */
export async function awaitReady(d: DaemonProcess, what: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  try {
    await poll(`${what} to answer on its control channel`, async () => {
      if (!d.running()) {
        throw new InteropError('INTEROP_DAEMON_EXITED', `${what} (pid ${d.pid}) exited with ${await d.exited}:\n${await tail(d.consoleLog)}`);
      }
      return (await ready()) ? true : undefined;
    }, { timeoutMs, intervalMs: 50 }, async () => `console output:\n${await tail(d.consoleLog)}`);
  } catch (e) {
    const exitedEarly = !d.running();
    const output = await tail(d.consoleLog);
    await d.stop();
    if (exitedEarly && !(e instanceof InteropError && e.code === 'INTEROP_DAEMON_EXITED')) {
      throw new InteropError('INTEROP_DAEMON_EXITED', `${what} (pid ${d.pid}) exited:\n${output}`);
    }
    throw e;
  }
}
