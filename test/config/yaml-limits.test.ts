import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { MAX_CONFIG_BYTES } from '../../src/config/document.js';
import { ConfigError, type ConfigIssue } from '../../src/config/issues.js';
import { YAML_LIMITS } from '../../src/config/source.js';
import { loadTopologyFile } from '../../src/platforms/load.js';

/*
 * A user runs `vpnlab check` or `vpnlab up` on a file made to exhaust the reader: an alias bomb,
 * thousands of nested levels, millions of nodes, a file of tens of megabytes. Each gets one typed
 * error at the file, line and column where the limit was passed (docs/topology.md, "Input is
 * bounded"), no stack trace, and returns in bounded time (the bound here is a generous sanity
 * check; speed is measured in bench/).
 */

const dir = mkdtempSync(join(tmpdir(), 'vpnlab-limits-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const THREE_SITES = readFileSync('examples/three-sites.yaml', 'utf8');
const SANITY_MS = 20_000;

let files = 0;
function fileWith(text: string): string {
  const file = join(dir, `f${files++}.yaml`);
  writeFileSync(file, text);
  return file;
}

function issuesOf(file: string): ConfigIssue[] {
  try {
    loadTopologyFile(file);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.issues;
  }
  assert.fail('the file was accepted');
}

async function run(command: 'check' | 'up', file: string): Promise<{ code: number; err: string; ms: number }> {
  let err = '';
  const start = performance.now();
  const code = await main(['node', 'vpnlab', command, file], { out: () => {}, err: (t) => { err += t; } });
  return { code, err, ms: performance.now() - start };
}

/** The line (1-based) of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} in the file`);
  return i + 1;
}

/** Asserts one error of `code` at line:column, printed as `file:line:col: error CODE:` by check and `file:line:col: error:` by up. */
async function refused(file: string, code: string, line: number, column?: number): Promise<void> {
  const issues = issuesOf(file);
  assert.deepEqual(issues.map((i) => i.code), [code]);
  assert.equal(issues[0]!.line, line);
  if (column !== undefined) assert.equal(issues[0]!.column, column);
  for (const command of ['check', 'up'] as const) {
    const r = await run(command, file);
    assert.equal(r.code, 1);
    const severity = command === 'check' ? `error ${code}: ` : 'error: ';
    assert.ok(r.err.startsWith(`${file}:${line}:${issues[0]!.column}: ${severity}`), r.err);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    assert.ok(r.ms < SANITY_MS, `${command} took ${r.ms} ms`);
  }
}

/** Nine anchors, each a list of nine aliases of the one before: 9^10 nodes once expanded. */
function laughs(indent: string): string {
  let out = `${indent}a0: &a0 [x, x, x, x, x, x, x, x, x]\n`;
  for (let i = 1; i < 10; i++) out += `${indent}a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]\n`;
  return out;
}

describe('hostile YAML is refused where it goes past a limit', () => {
  it('check and up of an alias bomb ("billion laughs") name the alias that expands too far', async () => {
    const text = `${THREE_SITES}\nbomb:\n${laughs('  ')}`;
    const file = fileWith(text);
    // a6 holds 9 * 9^6 + ... nodes: the running count passes a million at its aliases.
    const line = lineOf(text, 'a6: &a6');
    await refused(file, 'TOPO_YAML_ALIAS_LIMIT', line);
  });

  it('check of an alias bomb inside a valid field (the site description) is refused the same way', async () => {
    const text = THREE_SITES.replace('name: site-a\n', `name: site-a\n    description: &d0 [x, x, x, x, x, x, x, x, x, x]\n${
      Array.from({ length: 7 }, (_, i) => `    tags${i}: &d${i + 1} [${Array(10).fill(`*d${i}`).join(', ')}]`).join('\n')}\n`);
    await refused(fileWith(text), 'TOPO_YAML_ALIAS_LIMIT', lineOf(text, 'tags4:'));
  });

  it('check and up of 2,000 nested block sequences stop at the level past the limit', async () => {
    const text = `${THREE_SITES}\nextra:\n  ${'- '.repeat(2000)}x\n`;
    const line = lineOf(text, '- - -');
    await refused(fileWith(text), 'TOPO_YAML_TOO_DEEP', line);
  });

  it('check of 2,000 nested block mappings stops at the first line past the limit', async () => {
    let text = `${THREE_SITES}\nextra:\n`;
    for (let i = 1; i <= 2000; i++) text += `${' '.repeat(i)}k${i}:\n`;
    // 1,400 would still fit in the file size limit; 2,000 levels of one-space indents do not.
    const capped = text.length > MAX_CONFIG_BYTES ? text.slice(0, text.lastIndexOf('\n', MAX_CONFIG_BYTES - 10) + 1) : text;
    const issues = issuesOf(fileWith(capped));
    assert.deepEqual(issues.map((i) => i.code), ['TOPO_YAML_TOO_DEEP']);
    const extra = lineOf(capped, 'extra:');
    // The document, `extra` and the 62 mappings under it make the 64 levels: the next one is refused.
    assert.ok(issues[0]!.line > extra && issues[0]!.line <= extra + YAML_LIMITS.depth, `line ${issues[0]!.line}`);
  });

  it('check of 2,000 nested flow sequences is refused at the bracket past the limit, not as a syntax error', async () => {
    const text = `seed: 1\nextra: ${'['.repeat(2000)}${']'.repeat(2000)}\n`;
    const issues = issuesOf(fileWith(text));
    assert.deepEqual(issues.map((i) => i.code), ['TOPO_YAML_TOO_DEEP']);
    assert.equal(issues[0]!.line, 2);
    assert.ok(issues[0]!.column > 8 && issues[0]!.column < 8 + YAML_LIMITS.depth, `column ${issues[0]!.column}`);
  });

  it('check and up of a file of too many nodes are refused at the node past the limit, before the document is built', async () => {
    const count = YAML_LIMITS.nodes + 1000;
    const text = `seed: 1\nextra: [${Array(count).fill('a').join(',')}]\n`;
    // `seed`, `:`, `1`, `extra`, `:`, `[` are the first six nodes; then one per item.
    const column = 'extra: ['.length + 2 * (YAML_LIMITS.nodes - 6) + 1;
    await refused(fileWith(text), 'TOPO_YAML_TOO_MANY_NODES', 2, column);
  });

  it('check of a 50 MB file of 700,000 hosts is refused before parsing, with little memory', { timeout: SANITY_MS }, async () => {
    const head = 'sites:\n  - name: s\n    platform: linux\n    subnets: [{ name: n, prefix: 10.0.0.0/8 }]\n    hosts:\n';
    const line = (i: number) => `      - { name: host${i}, os: linux, subnet: n, address: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${(i & 255) || 1} }\n`;
    const parts = [head];
    for (let i = 0; i < 700_000; i++) parts.push(line(i));
    const file = fileWith(parts.join(''));
    const before = process.memoryUsage().rss;
    const r = await run('check', file);
    assert.equal(r.code, 1);
    assert.deepEqual(issuesOf(file).map((i) => i.code), ['TOPO_FILE_TOO_LARGE']);
    assert.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024, 'RSS grew by less than 100 MB');
  });

  it('an anchor used by two hundred connections (a shared IPsec policy) is not an alias bomb', () => {
    const aliases = Array.from({ length: 200 }, (_, i) => `  t${i}: *shared`).join('\n');
    const text = `${THREE_SITES}\nextra:\n  base: &shared { a: 1, b: [x, y, z] }\n${aliases}\n`;
    // Refused for the unknown field only: the aliases themselves are fine.
    assert.deepEqual(issuesOf(fileWith(text)).map((i) => i.code), ['TOPO_UNKNOWN_FIELD']);
  });
});
