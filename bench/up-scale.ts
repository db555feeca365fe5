import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubLayout, hubTopology } from './hub.js';

/*
 * `vpnlab up` on generated hub-and-spoke networks (bench/hub.ts: N RRAS branches with IKEv2 and
 * BGP over Azure hubs of at most 100): wall time and peak memory (maximum resident set size, from
 * GNU time's %M) of a fresh `node bin/vpnlab.js up FILE` process, median of RUNS. Targets: 1,000
 * branches in under 10 s and under 1 GB.
 *
 *   BRANCHES=30,200,1000 RUNS=3 npm run bench:scale
 */

const BRANCHES = (process.env.BRANCHES ?? '30,200,1000').split(',').map(Number);
const RUNS = Number(process.env.RUNS ?? 3);
const TIME = process.env.GNU_TIME ?? '/usr/bin/time';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function run(file: string): { s: number; mb: number; summary: string } {
  const r = spawnSync(TIME, ['-f', '%e %M', process.execPath, 'bin/vpnlab.js', 'up', file], { maxBuffer: 1 << 30 });
  const stderr = r.stderr.toString().trimEnd().split('\n');
  if (r.status !== 0) throw new Error(`vpnlab up ${file} exited ${r.status}: ${stderr.slice(-5).join('\n')}`);
  const [s, kb] = stderr[stderr.length - 1]!.split(' ').map(Number);
  return { s: s!, mb: kb! / 1024, summary: r.stdout.toString().split('\n')[1] ?? '' };
}

const dir = mkdtempSync(join(tmpdir(), 'vpnlab-bench-'));
try {
  console.log(`vpnlab up on generated hubs, median of ${RUNS} fresh processes (target at 1,000 branches: under 10 s and 1 GB)`);
  for (const n of BRANCHES) {
    const file = join(dir, `hub-${n}.yaml`);
    const text = hubTopology(n);
    writeFileSync(file, text);
    const runs = Array.from({ length: RUNS }, () => run(file));
    const s = runs.map((r) => r.s);
    const mb = runs.map((r) => r.mb);
    console.log(`  ${n} branches (${hubLayout(n).hubs} hub(s), ${(text.length / 1024).toFixed(0)} KiB): `
      + `${median(s).toFixed(2)} s (${Math.min(...s).toFixed(2)}-${Math.max(...s).toFixed(2)}), `
      + `peak RSS ${median(mb).toFixed(0)} MB (${Math.min(...mb).toFixed(0)}-${Math.max(...mb).toFixed(0)}); ${runs[0]!.summary}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
