/**
 * BGP RIB memory and throughput: ROUTES prefixes over SETS attribute sets from one eBGP peer,
 * in UPDATEs of ROUTES/SETS prefixes each (as a full-table feed arrives), with EXPORT_PEERS
 * established eBGP peers receiving them.
 *
 * Prints heap bytes per route (after a forced GC; run with --expose-gc) for the Loc-RIB and
 * Adj-RIB-In, and for each Adj-RIB-Out, plus routes per second for update+decision+export and for
 * a peer-down flush (median of RUNS runs). The feed (prefix objects and all, as the UPDATE decoder
 * would build them) is allocated inside the measurement and dropped after it, so whatever the RIB
 * keeps of it is counted.
 *
 *   npx tsc -p . && node --expose-gc dist/bench/bgp-rib.js
 *   ROUTES=200000 SETS=10000 EXPORT_PEERS=2 node --expose-gc dist/bench/bgp-rib.js
 */
import { performance } from 'node:perf_hooks';
import { ACCEPT_ALL } from '../src/bgp/policy/types.js';
import { Rib, type Announcement } from '../src/bgp/rib/rib.js';
import { Origin, type PathAttributes } from '../src/bgp/types.js';

const ROUTES = Number(process.env.ROUTES ?? 1_000_000);
const SETS = Number(process.env.SETS ?? 5_000);
const EXPORT_PEERS = Number(process.env.EXPORT_PEERS ?? 1);
const RUNS = Number(process.env.RUNS ?? 3);

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('run with node --expose-gc for memory figures');
  process.exit(1);
}

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

function feed(): Announcement[][] {
  const sets: PathAttributes[] = Array.from({ length: SETS }, (_, i) => ({
    origin: Origin.IGP,
    asPath: [{ type: 'sequence', asns: [65010, 3356, 1299 + (i % 50), 4200000000 + i] }],
    nextHop: 0x0a000102,
    med: i % 10,
    communities: [65010 * 65536 + (i % 100)],
  }));
  const per = Math.ceil(ROUTES / SETS);
  const updates: Announcement[][] = [];
  for (let n = 0; n < ROUTES; n += per) {
    const batch: Announcement[] = [];
    for (let j = n; j < Math.min(n + per, ROUTES); j++) {
      // /24s from 1.0.0.0 upwards: distinct keys spread over the whole space, 16M of them at most.
      batch.push({ prefix: { address: (0x01000000 + j * 256) >>> 0, length: 24 }, attrs: sets[(j / per) | 0]! });
    }
    updates.push(batch);
  }
  return updates;
}

function peer(n: number, asn: number) {
  return { id: `p${n}`, address: 0x0a000002 + n * 256, localAddress: 0x0a000001 + n * 256, asn, routerId: n, importPolicy: ACCEPT_ALL, exportPolicy: ACCEPT_ALL };
}

function run(exportPeers: number): { bytesPerRoute: number; updateRate: number; flushRate: number; sets: number } {
  const before = heap();
  const updates = feed();
  const rib = new Rib({ localAs: 65001, routerId: 1, resolveNextHop: () => 1 });
  rib.addPeer(peer(1, 65010));
  rib.peerUp('p1');
  for (let i = 0; i < exportPeers; i++) {
    rib.addPeer(peer(2 + i, 65100 + i));
    rib.peerUp(`p${2 + i}`);
  }
  const t0 = performance.now();
  for (const u of updates) rib.update('p1', u);
  const t1 = performance.now();
  // The feed's arrays are garbage once applied; the prefix objects live on in the RIB.
  for (const u of updates) u.length = 0;
  const after = heap();
  const sets = rib.interner.size;
  const t2 = performance.now();
  rib.peerDown('p1');
  const t3 = performance.now();
  if (rib.size !== 0 || rib.interner.size !== 0) throw new Error('flush left routes behind');
  return { bytesPerRoute: (after - before) / ROUTES, updateRate: ROUTES / ((t1 - t0) / 1000), flushRate: ROUTES / ((t3 - t2) / 1000), sets };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function runs(exportPeers: number) {
  const all = Array.from({ length: RUNS }, () => run(exportPeers));
  return {
    bytesPerRoute: median(all.map((r) => r.bytesPerRoute)),
    updateRate: median(all.map((r) => r.updateRate)),
    flushRate: median(all.map((r) => r.flushRate)),
    sets: all[0]!.sets,
  };
}

const base = runs(0);
const withOut = runs(EXPORT_PEERS);
const perOut = (withOut.bytesPerRoute - base.bytesPerRoute) / EXPORT_PEERS;
const fmt = (n: number): string => Math.round(n).toLocaleString('en');
console.log(`${fmt(ROUTES)} routes over ${fmt(SETS)} attribute sets (Node ${process.version}, median of ${RUNS})`);
console.log(`  Loc-RIB + Adj-RIB-In:          ${base.bytesPerRoute.toFixed(1)} bytes/route, ${fmt(base.sets)} interned sets`);
console.log(`  each Adj-RIB-Out:              ${perOut.toFixed(1)} bytes/route (${EXPORT_PEERS} eBGP peer(s), ${fmt(withOut.sets)} interned sets in all)`);
console.log(`  update + decision, no export:  ${fmt(base.updateRate)} routes/s; peer-down flush ${fmt(base.flushRate)} routes/s`);
console.log(`  update + decision + export:    ${fmt(withOut.updateRate)} routes/s; peer-down flush ${fmt(withOut.flushRate)} routes/s`);
