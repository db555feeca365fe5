import { randomBytes } from 'node:crypto';
import { ApiAttacker } from './api-attack.js';
import { BgpAttacker, BgpLab } from './bgp-lab.js';
import { HostileError } from './daemons.js';
import { IkeAttacker, IkeLab } from './ike-lab.js';
import { Watch, drive, type Budget, type InterfaceReport } from './monitor.js';

/*
 * One phase per interface — bgp, ike, esp, api — each against the real daemons, each giving a
 * report row. A phase that finds a defect reports FAIL with the HostileError's code and message;
 * the labs are stopped whatever happens.
 */

export type InterfaceName = 'bgp' | 'ike' | 'esp' | 'api';
export const INTERFACES: readonly InterfaceName[] = ['bgp', 'ike', 'esp', 'api'];

export interface RunOptions {
  seed: number;
  inputs: number;
  maxMsPerInterface: number;
  only?: readonly InterfaceName[];
  /** Datagrams per second for ike and esp. */
  rate: number;
  /** How long neighbour D may take to come back after the connection patterns. */
  wedgeTimeoutMs: number;
  /** One C message in `hardEvery` batches is mutated anywhere (framing too): a session reset. */
  hardEvery: number;
  log?: (line: string) => void;
}

/** A distinctive pre-shared key: searched for in every output and API answer. */
export function makePsk(): string {
  return `hostile-psk-${randomBytes(12).toString('hex')}`;
}

async function phase(name: InterfaceName, seed: number, watch: () => Watch, run: (w: Watch, n: { n: number }) => Promise<void>): Promise<InterfaceReport> {
  const start = Date.now();
  let w: Watch | undefined;
  const n = { n: 0 };
  try {
    w = watch();
    await run(w, n);
    return { name, seed, inputs: n.n, durationMs: Date.now() - start, ...w.figures(), result: 'pass' };
  } catch (e) {
    const err = e as HostileError;
    const figures = w?.figures() ?? { peakRssKb: 0, baseRssKb: 0, peakFds: 0, baseFds: 0, logBytes: 0 };
    return { name, seed, inputs: n.n, durationMs: Date.now() - start, ...figures, result: 'FAIL', code: err.code ?? 'ERROR', error: err.stack ?? String(err) };
  }
}

function counted(step: () => Promise<number>, into: { n: number }): () => Promise<number> {
  return async () => {
    const n = await step();
    into.n += n;
    return n;
  };
}

export async function runBgp(o: RunOptions, budget: Budget): Promise<InterfaceReport> {
  let lab: BgpLab | undefined;
  let attacker: BgpAttacker | undefined;
  try {
    lab = await BgpLab.start();
    attacker = new BgpAttacker(o.seed, { hardEvery: o.hardEvery });
    const l = lab;
    const at = attacker;
    const report = await phase('bgp', o.seed, () => new Watch([l.a, l.b]), async (w, n) => {
      try {
        await drive(budget, w, { step: counted(() => at.step(), n), protectedCheck: () => l.protectedCheck() });
      } catch (e) {
        throw annotate(e, n.n);
      }
      at.close();
      await at.neighbourNotWedged(o.wedgeTimeoutMs);
      await l.protectedCheck();
      w.check(n.n);
    });
    o.log?.(`bgp actions: ${JSON.stringify(attacker.counts)}`);
    return report;
  } catch (e) {
    return setupFailure('bgp', o.seed, e);
  } finally {
    attacker?.close();
    await lab?.stop();
  }
}

/** The ike or esp interface, each against a fresh pair of IKE daemons. */
export async function runIke(o: RunOptions, budget: Budget, name: 'ike' | 'esp'): Promise<InterfaceReport> {
  let lab: IkeLab | undefined;
  let attacker: IkeAttacker | undefined;
  try {
    lab = await IkeLab.start(makePsk());
    const l = lab;
    const at = new IkeAttacker(o.seed, l, o.rate, name);
    attacker = at;
    await at.open();
    const report = await phase(name, o.seed, () => new Watch([l.a, l.b]), async (w, n) => {
      try {
        await drive(budget, w, { step: counted(() => (name === 'ike' ? at.stepIke() : at.stepEsp()), n), protectedCheck: () => l.protectedCheck() });
        await l.pingThrough();
      } catch (e) {
        throw annotate(e, n.n);
      }
    });
    o.log?.(`${name} datagrams: ${JSON.stringify(at.counts)}`);
    return report;
  } catch (e) {
    return setupFailure(name, o.seed, e);
  } finally {
    attacker?.close();
    await lab?.stop();
  }
}

export async function runApi(o: RunOptions, budget: Budget): Promise<InterfaceReport> {
  let bgp: BgpLab | undefined;
  let ike: IkeLab | undefined;
  let attacker: ApiAttacker | undefined;
  try {
    const psk = makePsk();
    [bgp, ike] = await Promise.all([BgpLab.start(), IkeLab.start(psk)]);
    const b = bgp;
    const i = ike;
    const at = new ApiAttacker(o.seed, [
      { name: 'bgp A', endpoint: b.apiA, paths: ['/api/v1/summary', '/api/v1/peers', '/api/v1/peers/B', '/api/v1/peers/C', '/api/v1/routes', '/api/v1/routes?prefix=10.0.0.0/8', '/api/v1/peers/C/reset', '/api/v1/peers/nobody/reset'], forbidden: /\/peers\/(B|A|127\.0\.211\.2)\/reset/i, secrets: [psk] },
      { name: 'ike A', endpoint: i.apiA, paths: ['/api/v1/sas', '/api/v1/tunnels', '/api/v1/keys', '/api/v1/ping?from=vm1&to=10.211.2.10&count=1&interval=100', '/api/v1/connections/nobody/rekey', '/api/v1/connections/peer'], forbidden: /\/connections\/peer\/(rekey|terminate|initiate)/i, secrets: [psk, Buffer.from(psk).toString('hex')] },
    ]);
    attacker = at;
    const report = await phase('api', o.seed, () => new Watch([b.a, i.a, b.b, i.b]), async (w, n) => {
      try {
        await drive(budget, w, {
          step: counted(() => at.step(), n),
          protectedCheck: async () => { await b.protectedCheck(); await i.protectedCheck(); },
        });
        await at.drain();
        await i.pingThrough();
      } catch (e) {
        throw annotate(e, n.n);
      }
    });
    o.log?.(`api requests: ${JSON.stringify(at.counts)}`);
    return report;
  } catch (e) {
    return setupFailure('api', o.seed, e);
  } finally {
    attacker?.close();
    await Promise.all([bgp?.stop(), ike?.stop()]);
  }
}

function annotate(e: unknown, inputs: number): unknown {
  if (e instanceof Error) e.message = `${e.message} [after ${inputs} inputs]`;
  return e;
}

function setupFailure(name: InterfaceName, seed: number, e: unknown): InterfaceReport {
  const err = e as HostileError;
  return { name, seed, inputs: 0, durationMs: 0, peakRssKb: 0, baseRssKb: 0, peakFds: 0, baseFds: 0, logBytes: 0, result: 'FAIL', code: err.code ?? 'HOSTILE_SETUP', error: err.stack ?? String(err) };
}

/** Runs the chosen interfaces one after the other (each with `inputs` and the time bound). */
export async function runAll(o: RunOptions): Promise<InterfaceReport[]> {
  const want = (n: InterfaceName) => o.only === undefined || o.only.includes(n);
  const budget: Budget = { inputs: o.inputs, maxMs: o.maxMsPerInterface };
  const reports: InterfaceReport[] = [];
  if (want('bgp')) reports.push(await runBgp(o, budget));
  if (want('ike')) reports.push(await runIke(o, budget, 'ike'));
  if (want('esp')) reports.push(await runIke(o, budget, 'esp'));
  if (want('api')) reports.push(await runApi(o, budget));
  return reports;
}
