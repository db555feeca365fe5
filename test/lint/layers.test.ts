import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

/*
 * The layering rules (eslint/layers.js: no-restricted-imports zones built from the layer table;
 * eslint/import-cycles.js: no cycle across folders) run by ESLint on two fixture trees shaped like
 * src/: one breaks every rule once, the other keeps them all.
 */

const REPO = process.cwd();
const FIXTURES = join('test', 'lint', 'fixtures');

interface LayersModule {
  layerConfig(options: { root: string; cwd: string }): Linter.Config[];
}

async function load<T>(file: string): Promise<T> {
  return (await import(pathToFileURL(join(REPO, file)).href)) as T;
}

/** Lints the fixture tree `name` with the layering rules alone; findings as `file:line rule`. */
async function lintFixture(name: string): Promise<string[]> {
  const { layerConfig } = await load<LayersModule>('eslint/layers.js');
  const { plugin } = await load<{ plugin: ESLint.Plugin }>('eslint/import-cycles.js');
  const root = join(FIXTURES, name, 'src');
  const eslint = new ESLint({
    cwd: REPO,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser } },
      ...layerConfig({ root, cwd: REPO }),
      { files: [`${root}/**/*.ts`], plugins: { vpnlab: plugin }, rules: { 'vpnlab/no-cross-folder-cycle': ['error', { root }] } },
    ],
  });
  const results = await eslint.lintFiles([root]);
  return results.flatMap((r) => r.messages.map((m) => `${relative(root, r.filePath)}:${m.line} ${m.ruleId ?? 'fatal'}/${m.messageId ?? ''}`)).sort();
}

describe('layering lint rules', () => {
  it('flag the upward, sideways, inner and cross-platform imports and both imports of a cycle across folders', async () => {
    const found = await lintFixture('bad');
    assert.deepEqual(found, [
      'bgp/rib/rib.ts:2 no-restricted-imports/patternWithCustomMessage',
      'core/clock.ts:2 no-restricted-imports/patternWithCustomMessage',
      'ike/ike-sa.ts:2 vpnlab/no-cross-folder-cycle/cycle',
      'ike/payloads/sa.ts:2 no-restricted-imports/patternWithCustomMessage',
      'ike/tasks/task.ts:1 vpnlab/no-cross-folder-cycle/cycle',
      'net/address.ts:2 no-restricted-imports/patternWithCustomMessage',
      'platforms/azure/gateway.ts:2 no-restricted-imports/patternWithCustomMessage',
      'platforms/planner.ts:2 no-restricted-imports/patternWithCustomMessage',
    ]);
  });

  it('name the cycle they report', async () => {
    const { plugin } = await load<{ plugin: ESLint.Plugin }>('eslint/import-cycles.js');
    const root = join(FIXTURES, 'bad', 'src');
    const eslint = new ESLint({
      cwd: REPO,
      overrideConfigFile: true,
      overrideConfig: [
        { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser } },
        { files: ['**/*.ts'], plugins: { vpnlab: plugin }, rules: { 'vpnlab/no-cross-folder-cycle': ['error', { root }] } },
      ],
    });
    const [result] = await eslint.lintFiles([join(root, 'ike', 'ike-sa.ts')]);
    assert.equal(result!.messages.length, 1);
    assert.match(result!.messages[0]!.message, /ike\/ike-sa\.ts → ike\/tasks\/task\.ts → ike\/ike-sa\.ts/);
  });

  it('pass a tree that keeps the layering (same-folder cycles, the registry, downward and type imports)', async () => {
    assert.deepEqual(await lintFixture('clean'), []);
  });

  it('refuse a folder of src/ that is in no layer', async () => {
    const { layerConfig } = await load<LayersModule>('eslint/layers.js');
    const dir = mkdtempSync(join(tmpdir(), 'vpnlab-layers-'));
    try {
      mkdirSync(join(dir, 'src', 'web'), { recursive: true });
      assert.throws(() => layerConfig({ root: 'src', cwd: dir }), /in no layer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
