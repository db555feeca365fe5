/**
 * Real BGP daemons — BIRD 2, FRR 8.4 (bgpd -Z), GoBGP 3 — as test peers on loopback.
 *
 *   const frr = await startFrr({ routerId: '10.255.0.1', asn: 65001, address: '127.0.179.1',
 *     neighbors: [{ address: '127.0.179.2', asn: 65002, nextHop: '198.51.100.1' }],
 *     announce: [{ prefix: '10.1.0.0/24' }] });
 *   after(() => frr.stop());
 *   await frr.waitForState('127.0.179.2', 'Established', 10_000);
 *   await expectLines({ frr }, ['frr :: @routes :: ^10\\.2\\.0\\.0/24 nexthop 198\\.51\\.100\\.2 aspath 65002 '], { timeoutMs: 5_000 });
 *
 * See docs/interop.md for the invocations, the address plan and the daemons' quirks.
 */
import { InteropError, poll } from './daemon.js';
import type { Route, RunningPeer } from './model.js';

export { startBird } from './bird.js';
export { startFrr } from './frr.js';
export { startGobgp } from './gobgp.js';
export { InteropError, type InteropErrorCode } from './daemon.js';
export {
  ErrorCode, OpenSubcode, UpdateSubcode, SESSION_STATES,
  type Announcement, type Neighbor, type Origin, type PeerConfig, type PeerKind, type Route, type RunningPeer,
  type SessionError, type SessionState,
} from './model.js';

/** Stops every peer, even if some stops fail; rethrows the first failure afterwards. */
export async function stopAll(peers: readonly (RunningPeer | undefined)[]): Promise<void> {
  const results = await Promise.allSettled(peers.map((p) => p?.stop()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * One line per route, the same for every daemon, for patterns in expectLines:
 *   10.1.0.0/24 nexthop 198.51.100.2 aspath 65002 65001 origin IGP med 11 localpref - communities 65001:7 from 127.0.179.2
 * Missing values are "-"; aspath and communities are space-separated (aspath "-" when empty).
 */
export function renderRoute(r: Route): string {
  const list = (xs: readonly (string | number)[]): string => (xs.length === 0 ? '-' : xs.join(' '));
  return [
    r.prefix,
    'nexthop', r.nextHop,
    'aspath', list(r.asPath),
    'origin', r.origin ?? '-',
    'med', r.med ?? '-',
    'localpref', r.localPref ?? '-',
    'communities', list(r.communities),
    'from', r.from ?? '-',
  ].join(' ');
}

export interface ExpectLine {
  source: string;
  peer: string;
  command: string;
  pattern: RegExp;
  /** true: the output must match (YES); false: it must not (NO) */
  present: boolean;
}

/**
 * Parses `peer :: command :: pattern [:: YES|NO]` (strongSwan's evaltest.dat, with spaces allowed
 * around the separators). The pattern is a JavaScript regular expression, matched per line
 * (^ and $ anchor at line ends) against the command's output.
 */
export function parseExpectLine(line: string): ExpectLine {
  const parts = line.split('::').map((p) => p.trim());
  if (parts.length < 3 || parts.length > 4 || parts.slice(0, 3).some((p) => p === '')) {
    throw new InteropError('INTEROP_BAD_CONFIG', `expect line ${JSON.stringify(line)}: want "peer :: command :: pattern [:: YES|NO]"`);
  }
  const flag = (parts[3] ?? 'YES').toUpperCase();
  if (flag !== 'YES' && flag !== 'NO') {
    throw new InteropError('INTEROP_BAD_CONFIG', `expect line ${JSON.stringify(line)}: the fourth field must be YES or NO, not ${JSON.stringify(parts[3])}`);
  }
  let pattern: RegExp;
  try {
    pattern = new RegExp(parts[2]!, 'm');
  } catch (e) {
    throw new InteropError('INTEROP_BAD_CONFIG', `expect line ${JSON.stringify(line)}: bad pattern: ${(e as Error).message}`);
  }
  return { source: line, peer: parts[0]!, command: parts[1]!, pattern, present: flag === 'YES' };
}

/**
 * Runs a command on a peer. Besides the daemon's own CLI (birdc / vtysh / gobgp arguments),
 * four pseudo-commands read the same way on every daemon:
 *   @routes         the normalised routes, one renderRoute() line each
 *   @state ADDRESS  the normalised session state (Idle … Established)
 *   @error ADDRESS  the last session error: "sent|received|unknown CODE/SUBCODE text" ("-" if none)
 *   @log            the daemon's log
 */
export async function runOn(peer: RunningPeer, command: string): Promise<string> {
  const [verb, arg] = command.split(/\s+/, 2);
  switch (verb) {
    case '@routes': return (await peer.routes()).map(renderRoute).join('\n');
    case '@state': return peer.neighborState(needArg(command, arg));
    case '@error': {
      const e = await peer.lastError(needArg(command, arg));
      return e === undefined ? '-' : `${e.direction} ${e.code ?? '?'}/${e.subcode ?? '?'} ${e.text}`;
    }
    case '@log': return peer.log();
    default: return peer.cli(command);
  }
}

function needArg(command: string, arg: string | undefined): string {
  if (arg === undefined) throw new InteropError('INTEROP_BAD_CONFIG', `${command}: needs a neighbour address`);
  return arg;
}

export interface ExpectOptions {
  /** keep retrying the failing lines for this long (real daemons converge asynchronously); default 0: one try */
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * evaltest for real peers: runs each line's command on the named peer and checks its pattern.
 * With timeoutMs, lines that fail are retried until they all pass or the time is up. Every line
 * still failing is reported at once (INTEROP_EXPECT_FAILED), with the output it last saw.
 */
export async function expectLines(
  peers: Readonly<Record<string, RunningPeer>> | readonly RunningPeer[],
  lines: readonly string[],
  opts: ExpectOptions = {},
): Promise<void> {
  return expectLinesOn(peers, runOn, lines, opts);
}

/** expectLines for any kind of target (BGP daemons, charons) given how to run a command on one. */
export async function expectLinesOn<T extends { readonly name: string }>(
  targets: Readonly<Record<string, T>> | readonly T[],
  run: (target: T, command: string) => Promise<string>,
  lines: readonly string[],
  opts: ExpectOptions = {},
): Promise<void> {
  const byName = new Map<string, T>();
  if (Array.isArray(targets)) for (const t of targets as readonly T[]) byName.set(t.name, t);
  else for (const [k, t] of Object.entries(targets as Readonly<Record<string, T>>)) byName.set(k, t);
  const checks = lines.map(parseExpectLine);
  for (const c of checks) {
    if (!byName.has(c.peer)) {
      throw new InteropError('INTEROP_BAD_CONFIG', `expect line ${JSON.stringify(c.source)}: no peer named ${JSON.stringify(c.peer)} (have ${[...byName.keys()].join(', ')})`);
    }
  }
  const outcome = new Map<ExpectLine, string>(); // failing line → what was seen
  const evaluate = async (c: ExpectLine): Promise<void> => {
    let output: string;
    try {
      output = await run(byName.get(c.peer)!, c.command);
    } catch (e) {
      outcome.set(c, `error: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (c.pattern.test(output) === c.present) outcome.delete(c);
    else outcome.set(c, output);
  };
  let pending = checks;
  const attempt = async (): Promise<true | undefined> => {
    await Promise.all(pending.map(evaluate));
    pending = pending.filter((c) => outcome.has(c));
    return pending.length === 0 ? true : undefined;
  };
  if (opts.timeoutMs === undefined || opts.timeoutMs <= 0) {
    await attempt();
  } else {
    try {
      await poll('expectations', attempt, { timeoutMs: opts.timeoutMs, intervalMs: opts.intervalMs ?? 200 });
    } catch (e) {
      if (!(e instanceof InteropError && e.code === 'INTEROP_TIMEOUT')) throw e;
    }
  }
  if (pending.length === 0) return;
  const report = pending.map((c) => {
    const seen = outcome.get(c) ?? '';
    const excerpt = seen.length > 1500 ? `${seen.slice(0, 1500)}…` : seen;
    return `✗ ${c.source}\n  ${c.present ? 'no line matches' : 'a line matches'} /${c.pattern.source}/ in:\n${indent(excerpt || '(empty)')}`;
  });
  throw new InteropError('INTEROP_EXPECT_FAILED', `${pending.length} of ${checks.length} expectations failed:\n${report.join('\n')}`);
}

function indent(s: string): string {
  return s.split('\n').map((l) => `    ${l}`).join('\n');
}
