/**
 * BGP route propagation through one speaker: vpnlab against BIRD, FRR and GoBGP, in the same run.
 *
 * The device under test (bench/bgp/duts.ts) is a passive AS 65000 speaker on 127.0.181.1 with two
 * eBGP neighbours that this process plays on raw sockets with vpnlab's codecs
 * (bench/bgp/peer.ts): the feeder (127.0.181.2, AS 65001) and the collector (127.0.181.3,
 * AS 65002). Once both sessions are Established and have settled for SETTLE_MS (FRR delays its
 * first advertisement: bgp-peers.md gotcha 5), the feeder writes N /24s over N/20 attribute sets,
 * pre-encoded in UPDATEs of at most 4096 octets (bench/bgp/feed.ts).
 *
 *   propagation  first UPDATE written by the feeder → the collector has seen all N prefixes
 *   withdrawal   first withdrawal written → the collector has seen all N withdrawn
 *   bytes/route  (DUT peak RSS after the sessions came up − its RSS then) / N, from
 *                /proc/PID/status (VmHWM is reset through /proc/PID/clear_refs at that point)
 *
 * A run counts only if the collector saw exactly the N prefixes, each with AS_PATH starting
 * 65000 65001; a DUT that does not converge within the timeout is reported as failed. Every DUT
 * is a fresh process per run; runs are interleaved across DUTs so that machine noise spreads
 * over all of them. Traffic stays on 127.0.181.0/24.
 *
 *   npm run bench:bgp
 *   N=10000,100000 RUNS=5 DUTS=vpnlab,bird node dist/bench/bgp-propagation.js
 *
 * Knobs: N (comma list, k/M suffixes allowed; default 100000,1000000), RUNS (3), DUTS
 * (vpnlab,bird,frr,gobgp), TIMEOUT_S (per phase; default 30 s + 250 s per million routes),
 * GOBGP_MAX_N (skip GoBGP above this N), SETTLE_MS (3000), VPNLAB_NODE_ARGS (extra node flags for
 * the vpnlab DUT, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof), VPNLAB_CLI (the vpnlab entry point;
 * default bench/bgp/vpnlab-dut.js of this build, so a build compiled elsewhere measures itself).
 */
import { loadavg } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import {
  COLLECTOR_ADDRESS, COLLECTOR_AS, DUT_ADDRESS, DUT_KINDS, DUT_NAMES, FEEDER_ADDRESS, BGP_PORT,
  dutVersion, startDut, vpnlabEntry, type Dut, type DutKind,
} from './bgp/duts.js';
import { DUT_AS, FEEDER_AS, MAX_ROUTES, RouteTally, buildFeed, describePrefixRange, type Feed, type Phase } from './bgp/feed.js';
import { peakRssReset, readMemory } from './bgp/memory.js';
import { BenchPeer } from './bgp/peer.js';

// ---- knobs ----------------------------------------------------------------------------------------

function count(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim().replace(/_/g, ''));
  const scale = m?.[2]?.toLowerCase() === 'k' ? 1e3 : m?.[2]?.toLowerCase() === 'm' ? 1e6 : 1;
  const n = m ? Math.round(Number(m[1]) * scale) : NaN;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what}=${text}: expected a positive whole number (100000, 100k, 1M)`);
  return n;
}

interface Knobs {
  sizes: number[];
  runs: number;
  duts: DutKind[];
  timeoutMs: (n: number) => number;
  gobgpMaxN: number;
  settleMs: number;
}

function knobs(env: NodeJS.ProcessEnv): Knobs {
  const sizes = (env.N ?? '100000,1000000').split(',').filter((s) => s.trim() !== '').map((s) => count(s, 'N'));
  for (const n of sizes) if (n > MAX_ROUTES) throw new Error(`N=${n}: at most ${MAX_ROUTES} /24s fit below 127.0.0.0/8`);
  const duts = (env.DUTS ?? DUT_KINDS.join(',')).split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const d of duts) {
    if (!(DUT_KINDS as readonly string[]).includes(d)) throw new Error(`DUTS: ${d} is not one of ${DUT_KINDS.join(', ')}`);
  }
  const timeout = env.TIMEOUT_S === undefined ? undefined : count(env.TIMEOUT_S, 'TIMEOUT_S') * 1000;
  return {
    sizes,
    runs: count(env.RUNS ?? '3', 'RUNS'),
    duts: duts as DutKind[],
    timeoutMs: (n) => timeout ?? 30_000 + Math.ceil(250 * (n / 1e6)) * 1000,
    gobgpMaxN: env.GOBGP_MAX_N === undefined ? Infinity : count(env.GOBGP_MAX_N, 'GOBGP_MAX_N'),
    settleMs: env.SETTLE_MS === undefined ? 3_000 : Number(env.SETTLE_MS),
  };
}

// ---- one run --------------------------------------------------------------------------------------

const ESTABLISH_TIMEOUT_MS = 30_000;

interface RunOk {
  ok: true;
  propagationS: number;
  withdrawalS: number;
  bytesPerRoute: number;
  rssBeforeKb: number;
  peakKb: number;
  samplePath: number[];
}

interface RunFailed {
  ok: false;
  error: string;
}

type RunResult = RunOk | RunFailed;

class Failure extends Error {}

/** Resolves when the tally completes the phase; rejects on timeout, a session going down or the DUT exiting. */
function converge(phase: Phase, tally: RouteTally, timeoutMs: number, dut: Dut, peers: BenchPeer[]): Promise<number> {
  const abort = new AbortController();
  const guards: Promise<never>[] = [
    delay(timeoutMs, undefined, { signal: abort.signal }).then(() => {
      throw new Failure(`did not converge within ${timeoutMs / 1000} s: the collector had ${tally.describe()}`);
    }),
    dut.exited.then(() => {
      throw new Failure(`the DUT (pid ${dut.pid}) exited during the ${phase} phase`);
    }),
    ...peers.map((p) => new Promise<never>((_, reject) => p.onDown((why) => reject(new Failure(why))))),
  ];
  for (const g of guards) g.catch(() => {});
  return Promise.race([tally.complete(phase), ...guards]).finally(() => abort.abort());
}

function verify(tally: RouteTally): void {
  const problems: string[] = [];
  if (tally.foreign > 0) problems.push(`${tally.foreign} prefixes that were not fed`);
  if (tally.badPaths > 0) problems.push(`${tally.badPaths} UPDATEs whose AS_PATH does not start ${DUT_AS} ${FEEDER_AS}`);
  if (tally.malformed > 0) problems.push(`${tally.malformed} malformed UPDATEs`);
  if (tally.samplePath === undefined) problems.push('no announcement');
  if (problems.length > 0) throw new Failure(`the collector saw ${problems.join(', ')} (${tally.describe()})`);
}

async function runOnce(kind: DutKind, feed: Feed, k: Knobs): Promise<RunResult> {
  let dut: Dut | undefined;
  const peer = (name: string, localAddress: string, asn: number): BenchPeer =>
    new BenchPeer({ name, asn, localAddress, remote: { address: DUT_ADDRESS, port: BGP_PORT, asn: DUT_AS } });
  const feeder = peer('feeder', FEEDER_ADDRESS, FEEDER_AS);
  const collector = peer('collector', COLLECTOR_ADDRESS, COLLECTOR_AS);
  const tally = new RouteTally(feed.routes);
  collector.onUpdate = (m) => tally.add(m, collector.decodeContext);
  try {
    dut = await startDut(kind);
    const d = dut;
    await Promise.all([feeder, collector].map((p) => p.establish(ESTABLISH_TIMEOUT_MS, () => d.running())));
    await delay(k.settleMs);
    if (!d.running()) throw new Failure('the DUT exited after the sessions came up');
    for (const p of [feeder, collector]) if (p.downReason !== undefined) throw new Failure(p.downReason);
    const before = readMemory(d.pid);
    peakRssReset(d.pid);

    const t0 = performance.now();
    for (const chunk of feed.announce) feeder.write(chunk);
    const t1 = await converge('announce', tally, k.timeoutMs(feed.routes), d, [feeder, collector]);
    const t2 = performance.now();
    for (const chunk of feed.withdraw) feeder.write(chunk);
    const t3 = await converge('withdraw', tally, k.timeoutMs(feed.routes), d, [feeder, collector]);
    const after = readMemory(d.pid);
    verify(tally);
    return {
      ok: true,
      propagationS: (t1 - t0) / 1000,
      withdrawalS: (t3 - t2) / 1000,
      bytesPerRoute: ((after.peakKb - before.rssKb) * 1024) / feed.routes,
      rssBeforeKb: before.rssKb,
      peakKb: after.peakKb,
      samplePath: tally.samplePath!,
    };
  } catch (e) {
    let why = e instanceof Error ? e.message : String(e);
    if (dut !== undefined && !dut.running() && !why.includes('exited')) why += ` (the DUT, pid ${dut.pid}, has exited)`;
    let output = '';
    if (dut !== undefined && !(e instanceof Failure && why.startsWith('did not converge'))) output = await dut.output().catch(() => '');
    return { ok: false, error: output === '' ? why : `${why}\n    DUT output:\n${indent(output, 6)}` };
  } finally {
    feeder.close();
    collector.close();
    await dut?.stop();
  }
}

// ---- report ---------------------------------------------------------------------------------------

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function indent(text: string, n: number): string {
  return text.trimEnd().split('\n').map((l) => ' '.repeat(n) + l).join('\n');
}

const int = (n: number): string => Math.round(n).toLocaleString('en');
const secs = (s: number): string => (s < 10 ? s.toFixed(3) : s.toFixed(1));

interface Row {
  kind: DutKind;
  skipped?: string;
  runs: RunResult[];
}

interface Summary { propagationS: number; withdrawalS: number; bytesPerRoute: number }

function summary(row: Row): Summary | undefined {
  if (row.skipped !== undefined || row.runs.length === 0 || row.runs.some((r) => !r.ok)) return undefined;
  const ok = row.runs as RunOk[];
  return {
    propagationS: median(ok.map((r) => r.propagationS)),
    withdrawalS: median(ok.map((r) => r.withdrawalS)),
    bytesPerRoute: median(ok.map((r) => r.bytesPerRoute)),
  };
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
}

function report(n: number, feed: Feed, rows: Row[], versions: Record<DutKind, string>, k: Knobs): void {
  console.log(`\n== N = ${int(n)}: ${int(feed.sets)} attribute sets, ${int(feed.announceMessages)} UPDATEs in, `
    + `${int(feed.withdrawMessages)} withdrawal UPDATEs; median of ${k.runs} run(s) ==`);
  const header = ['DUT', 'propagation', 'withdrawal', 'bytes/route', 'runs: propagation / withdrawal s, bytes/route'];
  const lines: string[][] = [];
  for (const row of rows) {
    const s = summary(row);
    if (row.skipped !== undefined) {
      lines.push([versions[row.kind], 'skipped', '', '', row.skipped]);
    } else if (s === undefined) {
      lines.push([versions[row.kind], 'FAILED', 'FAILED', '-', `${row.runs.filter((r) => r.ok).length} of ${row.runs.length} run(s) ok; see above`]);
    } else {
      const detail = (row.runs as RunOk[]).map((r) => `${secs(r.propagationS)}/${secs(r.withdrawalS)} ${int(r.bytesPerRoute)}`).join(', ');
      lines.push([versions[row.kind], `${secs(s.propagationS)} s`, `${secs(s.withdrawalS)} s`, int(s.bytesPerRoute), detail]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  widths[widths.length - 1] = 0;
  console.log(pad(header, widths));
  for (const l of lines) console.log(pad(l, widths));

  const own = rows.find((r) => r.kind === 'vpnlab');
  const mine = own === undefined ? undefined : summary(own);
  const others = rows.filter((r) => r.kind !== 'vpnlab');
  if (own === undefined || others.length === 0) return;
  console.log('ratios, vpnlab / daemon (> 1: vpnlab slower, or uses more memory):');
  for (const row of others) {
    const theirs = summary(row);
    const name = DUT_NAMES[row.kind];
    if (mine === undefined || theirs === undefined) {
      console.log(`  vpnlab / ${name}: n/a (${mine === undefined ? 'vpnlab' : name} ${row.skipped !== undefined && row !== own ? 'skipped' : 'has no figure'})`);
      continue;
    }
    const r = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
    console.log(`  vpnlab / ${name} = ${r(mine.propagationS, theirs.propagationS)} propagation time, `
      + `${r(mine.withdrawalS, theirs.withdrawalS)} withdrawal time, ${r(mine.bytesPerRoute, theirs.bytesPerRoute)} bytes/route`);
  }
}

// ---- main -----------------------------------------------------------------------------------------

function describeRun(kind: DutKind, n: number, run: number, k: Knobs, r: RunResult): string {
  const head = `  ${DUT_NAMES[kind]} N=${int(n)} run ${run}/${k.runs}:`;
  if (!r.ok) return `${head} FAILED: ${r.error}`;
  return `${head} propagation ${secs(r.propagationS)} s, withdrawal ${secs(r.withdrawalS)} s, ${int(r.bytesPerRoute)} bytes/route `
    + `(RSS ${int(r.rssBeforeKb / 1024)} MB → peak ${int(r.peakKb / 1024)} MB; collector saw AS_PATH ${r.samplePath.join(' ')})`;
}

/** JIT-warms the collector's decoder on the feed's own UPDATEs, so that the first run is not slower. */
function warmCollector(feed: Feed): void {
  const t = new RouteTally(feed.routes);
  for (let i = 0; i < 20; i++) for (const m of feed.sample) t.add(m, { fourOctetAs: true, external: true });
}

async function main(): Promise<void> {
  const k = knobs(process.env);
  const onSignal = (signal: NodeJS.Signals, code: number) => () => {
    console.error(`\n${signal}: stopping the DUT and removing its files`);
    process.exit(code); // the exit handlers (test/interop/daemon.ts, bench/bgp/duts.ts) kill by PID and clean up
  };
  process.once('SIGINT', onSignal('SIGINT', 130));
  process.once('SIGTERM', onSignal('SIGTERM', 143));

  const versions = Object.fromEntries(await Promise.all(DUT_KINDS.map(async (d) => [d, await dutVersion(d)]))) as Record<DutKind, string>;
  const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`BGP route propagation: feeder ${FEEDER_ADDRESS} AS ${FEEDER_AS} → DUT ${DUT_ADDRESS} AS ${DUT_AS} → collector ${COLLECTOR_ADDRESS} AS ${COLLECTOR_AS}`);
  console.log(`DUTs: ${k.duts.map((d) => versions[d]).join(', ')}; N: ${k.sizes.map(int).join(', ')}; ${k.runs} run(s) each, interleaved; settle ${k.settleMs} ms`);
  console.log(`load average at start: ${load()} (the machine is shared: compare figures from the same run only)`);
  if (k.duts.includes('vpnlab')) {
    const entry = vpnlabEntry();
    console.log(`vpnlab DUT: node ${process.env.VPNLAB_NODE_ARGS ?? ''}${process.env.VPNLAB_NODE_ARGS ? ' ' : ''}${entry.cli} bgp run FILE`);
  }

  for (const n of k.sizes) {
    const feed = buildFeed(n, { fourOctetAs: true });
    warmCollector(feed);
    console.log(`\nN = ${int(n)}: ${describePrefixRange(n)}, ${int(feed.announceMessages)} UPDATEs, per-phase timeout ${k.timeoutMs(n) / 1000} s`);
    const rows: Row[] = k.duts.map((kind) => ({ kind, runs: [] }));
    for (const row of rows) {
      if (row.kind === 'gobgp' && n > k.gobgpMaxN) {
        row.skipped = `GOBGP_MAX_N=${int(k.gobgpMaxN)} < N (GoBGP sends one prefix per UPDATE: about 80 s + 60 s per run at 1M)`;
        console.log(`  GoBGP N=${int(n)}: skipped, ${row.skipped}`);
      }
    }
    for (let run = 1; run <= k.runs; run++) {
      for (const row of rows) {
        if (row.skipped !== undefined || row.runs.some((r) => !r.ok)) continue; // a failed DUT is not run again at this N
        const r = await runOnce(row.kind, feed, k);
        row.runs.push(r);
        console.log(describeRun(row.kind, n, run, k, r));
      }
    }
    report(n, feed, rows, versions, k);
  }
  console.log(`\nload average at end: ${load()}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : String(e));
  process.exit(1);
});
