import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { ConfigError, type ConfigIssue } from '../../src/config/issues.js';
import { VpnlabError } from '../../src/core/errors.js';
import { Network } from '../../src/emulator/network.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { parseTopology } from '../../src/platforms/load.js';
import { alibabaAzureBgp, describeMutant, generateMutants, type Mutant, type MutationKind } from './mutations.js';

/** Simulated time `up` gets to settle (the seeds settle within 5 minutes; a flapping file stops here). */
const SETTLE_LIMIT_MS = 10 * 60_000;

type Verdict =
  | { check: 'errors'; issues: ConfigIssue[] }
  | { check: 'ok'; up: 'ran' }
  | { check: 'ok'; up: 'refused'; error: unknown };

/**
 * The two entry points under test, kept together so that they are re-pointed in one place when the
 * API moves: `check` is parseTopology (a ConfigError means it reported an error; warnings are fine),
 * `up` is building the Network and running it until it settles. Anything `up` throws is a refusal.
 */
function checkThenUp(text: string, file: string): Verdict {
  let topology;
  try {
    topology = parseTopology(text, file).topology;
  } catch (e) {
    if (e instanceof ConfigError) return { check: 'errors', issues: e.issues.filter((i) => i.severity === 'error') };
    throw e;
  }
  try {
    const network = new Network(topology, topology.seed ?? 1);
    runUntilSettled(network, SETTLE_LIMIT_MS);
    return { check: 'ok', up: 'ran' };
  } catch (error) {
    return { check: 'ok', up: 'refused', error };
  }
}

function errorText(error: unknown): string {
  if (error instanceof VpnlabError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => `${dir}/${f}`);
}

const SEEDS = ['examples/rras-azure-bgp.yaml', 'examples/alibaba-azure-dual-tunnel.yaml'];
const EXAMPLES = [...yamlFiles('examples'), ...yamlFiles('examples/broken')];

describe('check ⇒ up: every example that check passes, up runs', () => {
  for (const file of EXAMPLES) {
    it(file, () => {
      const verdict = checkThenUp(readFileSync(file, 'utf8'), file);
      if (verdict.check === 'ok' && verdict.up === 'refused') assert.fail(`check reports no error on ${file}, but up refused it: ${errorText(verdict.error)}`);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Generated mutations

const MUTANTS = 640;
const GENERATOR_SEED = 12;
/**
 * Mutated are the examples check passes (a mutant of a file check refuses nearly always stays
 * refused, and exercises nothing); the seeds are drawn eight times as often as each other one.
 */
const SEED_WEIGHT = 8;
/** At least this share of the mutants must get past check, or the generator exercises only the schema. */
const MIN_CHECK_OK_SHARE = 0.3;
const LISTED_PER_CLASS = 12;

interface Outcome {
  mutant: Mutant;
  /** 'ok' when check reported no error; the error codes otherwise. */
  check: 'ok' | 'errors';
  /** Set when check passed and up refused, or check itself threw something other than ConfigError. */
  violation?: string;
}

/** Mutants with one mutation are grouped by its kind; the others are 'combined'. */
function classOf(m: Mutant): MutationKind | 'combined' {
  return m.mutations.length === 1 ? m.mutations[0]!.kind : 'combined';
}

let outcomes: Outcome[] | undefined;
let elapsedMs = 0;

function runMutants(): Outcome[] {
  if (outcomes !== undefined) return outcomes;
  const started = process.hrtime.bigint();
  const sources = EXAMPLES.map((file) => ({ file, text: readFileSync(file, 'utf8') }))
    .filter((s) => checkThenUp(s.text, s.file).check === 'ok');
  assert.ok(SEEDS.every((seed) => sources.some((s) => s.file === seed)), 'check passes both seeds');
  const mutants = generateMutants(sources, sources.map((s) => (SEEDS.includes(s.file) ? SEED_WEIGHT : 1)), MUTANTS, GENERATOR_SEED);
  outcomes = mutants.map((mutant) => {
    let verdict: Verdict;
    try {
      verdict = checkThenUp(mutant.text, `mutant-${mutant.id}.yaml`);
    } catch (e) {
      return { mutant, check: 'ok', violation: `check threw instead of reporting: ${errorText(e)}` };
    }
    if (verdict.check === 'errors') return { mutant, check: 'errors' };
    return verdict.up === 'refused' ? { mutant, check: 'ok', violation: `up refused: ${errorText(verdict.error)}` } : { mutant, check: 'ok' };
  });
  elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  return outcomes;
}

const CLASSES: (MutationKind | 'combined')[] = [
  'remove-field', 'blank', 'flip-boolean', 'set-option', 'asn', 'address', 'prefix', 'psk',
  'reference', 'rename', 'drop-item', 'duplicate-item', 'structure', 'combined',
];

describe(`check ⇒ up on ${MUTANTS} generated mutations of the examples (seed ${GENERATOR_SEED})`, () => {
  it('generates the mutants, and a healthy share of them gets past check', (t) => {
    const all = runMutants();
    assert.equal(all.length, MUTANTS);
    const passed = all.filter((o) => o.check === 'ok').length;
    t.diagnostic(`${passed}/${all.length} mutants pass check, ${all.filter((o) => o.violation !== undefined).length} of them refused by up; ${Math.round(elapsedMs)} ms`);
    for (const c of CLASSES) {
      const of = all.filter((o) => classOf(o.mutant) === c);
      t.diagnostic(`${c}: ${of.length} mutants, ${of.filter((o) => o.check === 'ok').length} pass check, ${of.filter((o) => o.violation !== undefined).length} refused by up`);
    }
    assert.ok(passed >= MIN_CHECK_OK_SHARE * all.length, `only ${passed} of ${all.length} mutants pass check`);
    const perSeed = SEEDS.map((s) => all.filter((o) => o.mutant.seedFile === s && o.check === 'ok').length);
    assert.ok(perSeed.every((n) => n >= 50), `each seed gives at least 50 mutants that pass check (${perSeed.join(', ')})`);
  });

  for (const c of CLASSES) {
    it(`${c}: every mutant check passes, up runs`, () => {
      const bad = runMutants().filter((o) => classOf(o.mutant) === c && o.violation !== undefined);
      if (bad.length === 0) return;
      const listed = bad.slice(0, LISTED_PER_CLASS).map((o) => `- ${describeMutant(o.mutant)}\n    ${o.violation}`);
      const more = bad.length > LISTED_PER_CLASS ? [`… and ${bad.length - LISTED_PER_CLASS} more`] : [];
      assert.fail([`${bad.length} mutants pass check but up refuses them:`, ...listed, ...more].join('\n'));
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The three disagreements issue 12 names: each must be a check error at the resource's path.

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function seedDocument(file: string): Doc {
  return parse(readFileSync(file, 'utf8')) as Doc;
}

/** Asserts that check reports an error at `path` or below it. */
function assertCheckErrorAt(doc: Doc, path: string): void {
  const verdict = checkThenUp(stringify(doc), 'regression.yaml');
  if (verdict.check === 'ok') {
    assert.fail(`check reports no error (expected one at ${path}); up ${verdict.up === 'refused' ? `refused it: ${errorText(verdict.error)}` : 'ran it'}`);
  }
  const at = verdict.issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`) || i.path.startsWith(`${path}[`));
  assert.ok(at.length > 0, `check errors are at ${verdict.issues.map((i) => `${i.path} (${i.code})`).join(', ')}, none at ${path}`);
}

describe('check reports what up refuses (issue 12\'s known disagreements)', () => {
  it('an RRAS network adapter with neither Subnet nor Internet', () => {
    const doc = seedDocument('examples/rras-azure-bgp.yaml');
    const lan = doc.sites[0].rras.Server.NetworkAdapters[1];
    delete lan.Subnet;
    lan.IPAddress = '192.168.37.1/24';
    assertCheckErrorAt(doc, 'sites[0].rras.Server.NetworkAdapters[1]');
  });

  it('BGP over Alibaba tunnels (EnableTunnelsBgp, each end configured to match): emulated since issue 13, check passes and up runs it', () => {
    const doc = seedDocument('examples/alibaba-azure-dual-tunnel.yaml');
    assert.deepEqual(alibabaAzureBgp(doc), ['sites', 0, 'alibaba', 'VpnConnections', 0]);
    const verdict = checkThenUp(stringify(doc), 'regression.yaml');
    assert.deepEqual(verdict, { check: 'ok', up: 'ran' });
  });

  it('a plain PolicyBased Azure gateway (no BGP, no active-active, no connections)', () => {
    const doc = seedDocument('examples/rras-azure-bgp.yaml');
    const vnet2 = doc.sites[2].azure;
    const gateway = vnet2.virtualNetworkGateways[0];
    gateway.vpnType = 'PolicyBased';
    gateway.enableBgp = false;
    delete gateway.bgpSettings;
    delete vnet2.connections;
    doc.sites[1].azure.connections = doc.sites[1].azure.connections.filter((c: Doc) => c.connectionType !== 'Vnet2Vnet');
    assertCheckErrorAt(doc, 'sites[2].azure.virtualNetworkGateways[0]');
  });
});
