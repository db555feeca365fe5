import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { main } from '../src/cli/main.js';

/*
 * `vpnlab up` on each seed example: wall time of the whole command (a fresh `node bin/vpnlab.js`
 * process: start-up, loading, building, the simulated minutes until the gateways settle, the
 * tables) and of the same work in a warm process, median of RUNS, against the 1 s target.
 * Also printed: how many simulated seconds each wall second covers.
 *
 *   RUNS=7 npm run bench:up
 */

const RUNS = Number(process.env.RUNS ?? 5);
const SEEDS = ['examples/rras-azure-bgp.yaml', 'examples/alibaba-azure-dual-tunnel.yaml'];
const TARGET_MS = 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function inProcess(file: string): Promise<{ ms: number; simulatedS: number }> {
  let out = '';
  const start = performance.now();
  const code = await main(['node', 'vpnlab', 'up', file], { out: (t) => { out += t; }, err: () => {} });
  const ms = performance.now() - start;
  if (code !== 0) throw new Error(`vpnlab up ${file} exited ${code}`);
  const clock = /: (\d\d):(\d\d):(\d\d)\.(\d{3}) simulated/.exec(out);
  const simulatedS = clock === null ? 0 : Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3]) + Number(clock[4]) / 1000;
  return { ms, simulatedS };
}

function freshProcess(file: string): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, ['bin/vpnlab.js', 'up', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`vpnlab up ${file} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

const rows: string[] = [];
for (const file of SEEDS) {
  const cold: number[] = [];
  const warm: number[] = [];
  let simulated = 0;
  await inProcess(file); // warm-up
  for (let i = 0; i < RUNS; i++) {
    cold.push(freshProcess(file));
    const w = await inProcess(file);
    warm.push(w.ms);
    simulated = w.simulatedS;
  }
  const c = median(cold);
  const w = median(warm);
  rows.push(`${file}: fresh process ${c.toFixed(0)} ms (runs ${Math.min(...cold).toFixed(0)}-${Math.max(...cold).toFixed(0)}), `
    + `warm ${w.toFixed(0)} ms; ${simulated.toFixed(0)} s simulated = ${(simulated / (w / 1000)).toFixed(0)}x real time; `
    + `fresh / target = ${(c / TARGET_MS).toFixed(2)}x`);
}
console.log(`vpnlab up, median of ${RUNS} runs each (target: under ${TARGET_MS} ms wall)`);
for (const r of rows) console.log(`  ${r}`);
