import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { collectSources, platformReaders } from '../../src/cli/import-command.js';
import { main } from '../../src/cli/main.js';
import { EXPORT_FORMATS } from '../../src/platforms/artifacts.js';
import { exportNetwork } from '../../src/platforms/export.js';
import { importSources } from '../../src/platforms/import.js';
import { loadTopologyFile, parseTopology } from '../../src/platforms/load.js';

/*
 * Issue 14's round trip, for every example: `vpnlab export` in the default formats into a folder,
 * `vpnlab import` of that folder, and the topology read back is the same topology — and, for every
 * file `check` accepts, `vpnlab up` on it prints the same transcript, byte for byte.
 */

const FILES = ['examples', 'examples/broken'].flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => `${dir}/${f}`)).sort();

const root = mkdtempSync(join(tmpdir(), 'vpnlab-round-trip-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function up(file: string, force: boolean): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(['node', 'vpnlab', 'up', file, ...(force ? ['--force'] : [])], { out: (t) => { out += t; }, err: () => {} });
  return { code, out };
}

/**
 * The topology with every empty list left out: `NetRoutes: []` and no NetRoutes are the same to
 * every platform (the same resolved model), and a script that adds no route cannot tell them apart.
 */
function withoutEmptyLists(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyLists);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => !(Array.isArray(v) && v.length === 0)).map(([k, v]) => [k, withoutEmptyLists(v)]));
}

describe('export, then import of the folder, is the same topology for every example', () => {
  assert.ok(FILES.length >= 27, `${FILES.length} examples`);
  for (const file of FILES) {
    it(file, async () => {
      const loaded = loadTopologyFile(file, { keepCheckErrors: true });
      const refused = loaded.warnings.some((w) => w.severity === 'error');
      const folder = join(root, file.replace(/[/.]/g, '_'));
      for (const a of exportNetwork(loaded.network, { provenance: { file, vpnlabVersion: 'test' }, redact: false }).artifacts) {
        const path = join(folder, ...a.path.split('/'));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, a.text);
      }
      const result = await importSources(collectSources([folder]), platformReaders());
      assert.deepEqual(result.problems.map((p) => `${p.origin.file}:${p.origin.line}: ${p.code} ${p.message}`), []);
      const again = parseTopology(result.text, 'imported.yaml', { keepCheckErrors: true });
      assert.deepEqual(withoutEmptyLists(again.topology), withoutEmptyLists(loaded.topology));
      assert.deepEqual(again.warnings.map((w) => `${w.severity} ${w.code} ${w.path}`), loaded.warnings.map((w) => `${w.severity} ${w.code} ${w.path}`));
      if (refused) return;
      const imported = join(folder, 'imported.yaml');
      writeFileSync(imported, result.text);
      const [before, afterwards] = [await up(file, false), await up(imported, false)];
      assert.match(before.out, /simulated, \d+ events\n/);
      assert.equal(afterwards.code, before.code);
      assert.equal(afterwards.out, before.out);
    });
  }
});

describe('an export folder with every format of every site', () => {
  it('reads each site back from one format (ARM before Terraform; the CLI scripts and the RRAS site\'s Linux equivalent are not read): the same topology', async () => {
    for (const file of ['examples/rras-azure-bgp.yaml', 'examples/alibaba-azure-dual-tunnel-bgp.yaml']) {
      const loaded = loadTopologyFile(file);
      const folder = join(root, `all-formats-${file.replace(/[/.]/g, '_')}`);
      for (const a of exportNetwork(loaded.network, { provenance: { file, vpnlabVersion: 'test' }, redact: false, formats: [...EXPORT_FORMATS] }).artifacts) {
        const path = join(folder, ...a.path.split('/'));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, a.text);
      }
      const result = await importSources(collectSources([folder]), platformReaders());
      assert.deepEqual(result.problems.map((p) => `${p.origin.file}:${p.origin.line}: ${p.code} ${p.message}`), [], file);
      assert.deepEqual(withoutEmptyLists(parseTopology(result.text, 'imported.yaml').topology), withoutEmptyLists(loaded.topology), file);
    }
  });
});
