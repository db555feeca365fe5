import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DocumentSource } from '../src/config/source.js';
import { parseTopology } from '../src/platforms/load.js';
import { ONE_SITE, scaleTopology, SPREAD, type ScaleShape } from './check-scale/topology.js';

/*
 * `vpnlab check` on generated topologies of 1,000 / 5,000 / 10,000 subnets, in two shapes: spread
 * over hub-and-spoke RRAS branches of 50 subnets (bench/check-scale/topology.ts), and all in one
 * site with a host on each subnet. Printed: the wall time of a fresh `node bin/vpnlab.js check`
 * process, and in a warm process the YAML parse and everything after it (schema, checks), medians
 * of RUNS, with the growth from each size to the next (linear: 5× then 2×).
 *
 *   RUNS=7 SUBNETS=1000,5000,10000 npm run bench:check
 */

const RUNS = Number(process.env.RUNS ?? 5);
const SIZES = (process.env.SUBNETS ?? '1000,5000,10000').split(',').map(Number);
const SHAPES: [string, ScaleShape][] = [['spread', SPREAD], ['one-site', ONE_SITE]];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function fresh(file: string): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, ['bin/vpnlab.js', 'check', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`vpnlab check ${file} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

function warm(text: string): { yaml: number; rest: number } {
  const t0 = performance.now();
  void new DocumentSource('<bench>', text);
  const t1 = performance.now();
  parseTopology(text, '<bench>');
  const t2 = performance.now();
  return { yaml: t1 - t0, rest: (t2 - t1) - (t1 - t0) };
}

const dir = mkdtempSync(join(tmpdir(), 'vpnlab-check-scale-'));
try {
  console.log(`vpnlab check, median of ${RUNS} runs (target: 10,000 subnets under 1 s)`);
  for (const [name, shape] of SHAPES) {
    let previous: number | undefined;
    for (const n of SIZES) {
      const text = scaleTopology(n, shape);
      const file = join(dir, `${name}-${n}.yaml`);
      writeFileSync(file, text);
      warm(text);
      const cold: number[] = [];
      const yaml: number[] = [];
      const rest: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        cold.push(fresh(file));
        const w = warm(text);
        yaml.push(w.yaml);
        rest.push(w.rest);
      }
      const c = median(cold);
      const growth = previous === undefined ? '' : `, ${(c / previous).toFixed(2)}x the previous size`;
      previous = c;
      console.log(`  ${name} ${n} subnets (${(text.length / 1e6).toFixed(2)} MB): fresh process ${c.toFixed(0)} ms `
        + `(runs ${Math.min(...cold).toFixed(0)}-${Math.max(...cold).toFixed(0)})${growth}; warm: YAML ${median(yaml).toFixed(0)} ms, `
        + `schema and checks ${median(rest).toFixed(0)} ms`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
