import { randomInt } from 'node:crypto';
import { formatTable } from './monitor.js';
import { INTERFACES, runAll, type InterfaceName } from './phases.js';

/*
 * The long mode: `npm run hostile -- --inputs 1000000 [--only bgp|ike|esp|api] [--seed N]
 * [--minutes M]` runs each interface until it has sent --inputs inputs or --minutes (default 10)
 * have passed, then prints a table per interface and exits 1 if any failed. A failing run is
 * replayed with the seed it printed. Under `node --test` (which runs every file below test/)
 * this file does nothing: the smoke run is hostile.test.ts.
 */

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run hostile -- [--inputs N] [--only bgp|ike|esp|api[,…]] [--seed N] [--minutes M] [--rate DATAGRAMS_PER_S]\n`);
  process.exit(2);
}

function positive(flag: string, text: string | undefined): number {
  const n = Number(text);
  if (text === undefined || !Number.isFinite(n) || n <= 0) usage(`${flag}: expected a positive number, got ${text ?? 'nothing'}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  let inputs = 1_000_000;
  let seed = randomInt(0, 2 ** 31);
  let minutes = 10;
  let rate = 3000;
  let only: InterfaceName[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    switch (flag) {
      case '--inputs': inputs = Math.floor(positive(flag, value)); i++; break;
      case '--seed': seed = Math.floor(Number(value)); if (!Number.isInteger(seed) || seed < 0) usage('--seed: expected a non-negative integer'); i++; break;
      case '--minutes': minutes = positive(flag, value); i++; break;
      case '--rate': rate = positive(flag, value); i++; break;
      case '--only': {
        only = (value ?? '').split(',') as InterfaceName[];
        const bad = only.filter((n) => !INTERFACES.includes(n));
        if (bad.length > 0 || only.length === 0) usage(`--only: expected ${INTERFACES.join('|')}, got ${value ?? 'nothing'}`);
        i++;
        break;
      }
      default: usage(`unknown argument ${flag}`);
    }
  }
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  log(`hostile-input harness: seed ${seed}, ${inputs.toLocaleString('en-US')} inputs per interface, at most ${minutes} min each, ${rate} datagrams/s (replay: --seed ${seed})`);
  const reports = await runAll({ seed, inputs, maxMsPerInterface: minutes * 60_000, rate, wedgeTimeoutMs: 150_000, hardEvery: 200, ...(only !== undefined ? { only } : {}), log });
  for (const r of reports) if (r.result === 'FAIL') log(`${r.name} FAILED (${r.code}):\n${r.error}`);
  process.stdout.write(`\n${formatTable(reports)}\n`);
  const short = reports.filter((r) => r.result === 'pass' && r.inputs < inputs);
  if (short.length > 0) log(`note: ${short.map((r) => `${r.name} sent ${r.inputs}`).join(', ')} — fewer than --inputs within the time bound`);
  return reports.some((r) => r.result === 'FAIL') ? 1 : 0;
}

if (process.env.NODE_TEST_CONTEXT === undefined) {
  process.exitCode = await main(process.argv.slice(2));
}
