import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadBgpDaemonConfig } from '../../src/bgp/config/daemon-schema.js';
import { main } from '../../src/cli/main.js';
import { ConfigError } from '../../src/config/issues.js';
import { loadIkeDaemonConfig } from '../../src/ike/config/daemon-schema.js';
import { loadTopologyFile } from '../../src/platforms/load.js';

/*
 * Configuration files are untrusted input: `vpnlab check/up`, `bgp check/run` and `ike check/run`
 * must never echo a secret (a pre-shared key written as a number, too long, of the wrong type or
 * with a bad character), never echo a huge value whole, never pass a control character from the
 * file to the terminal, and never be made to run out of memory or time by the file.
 */

const dir = mkdtempSync(join(tmpdir(), 'vpnlab-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Kind = 'topology' | 'bgp' | 'ike';
const COMMAND: Record<Kind, string[]> = { topology: ['check'], bgp: ['bgp', 'check'], ike: ['ike', 'check'] };
const LOAD: Record<Kind, (file: string) => unknown> = { topology: loadTopologyFile, bgp: loadBgpDaemonConfig, ike: loadIkeDaemonConfig };

const DUAL_TUNNEL = readFileSync('examples/alibaba-azure-dual-tunnel.yaml', 'utf8');
const RRAS_AZURE = readFileSync('examples/rras-azure-bgp.yaml', 'utf8');
const THREE_SITES = readFileSync('examples/three-sites.yaml', 'utf8');
const BGP = readFileSync('examples/bgp/rras-onprem.yaml', 'utf8');
const IKE = readFileSync('examples/ike/azure-like.yaml', 'utf8');
const EXAMPLE: Record<Kind, string> = { topology: THREE_SITES, bgp: BGP, ike: IKE };
/** A field of each example whose value, made a 20 MB string, is an error the old code echoed whole. */
const BIG_VALUE_AT: Record<Kind, [string, string]> = { topology: ['seed', '1'], bgp: ['localAsn', '65023'], ike: ['address', '198.51.100.2'] };

let files = 0;
function fileWith(text: string): string {
  const file = join(dir, `f${files++}.yaml`);
  writeFileSync(file, text);
  return file;
}

function replaced(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `fixture contains ${from}`);
  return text.replace(from, to);
}

/** Runs the CLI's check of `kind` on `file`; also returns the issue codes the loader reports. */
async function check(kind: Kind, file: string): Promise<{ code: number; err: string; codes: string[] }> {
  let err = '';
  const code = await main(['node', 'vpnlab', ...COMMAND[kind], file], { out: () => {}, err: (t) => { err += t; } });
  let codes: string[] = [];
  try {
    LOAD[kind](file);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    codes = e.issues.map((i) => i.code);
  }
  return { code, err, codes };
}

// Control characters other than the newline that ends each line of output.
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

interface SecretCase {
  name: string;
  kind: Kind;
  text: string;
  /** What the file holds that must not appear in the output (any part of the key). */
  secret: string | string[];
  code: string;
  path: string;
}

const PSK_PATH = 'sites[0].alibaba.VpnConnections[0].TunnelOptionsSpecification[0].TunnelIkeConfig.Psk';
const AUTH_KEY_PATH = 'sites[0].alibaba.CustomerGateways[0].AuthKey';
const withAuthKey = (value: string) => replaced(DUAL_TUNNEL, '          IpAddress: 198.51.100.224\n', `          IpAddress: 198.51.100.224\n          AuthKey: ${value}\n`);

const SECRET_CASES: SecretCase[] = [
  { name: 'Alibaba Psk written as a number', kind: 'topology', text: replaced(DUAL_TUNNEL, 'Psk: Tunnel1Key7Qm4Xz', 'Psk: 31415926535897'), secret: '31415926535897', code: 'TOPO_INVALID_TYPE', path: PSK_PATH },
  { name: 'Alibaba Psk over 100 characters', kind: 'topology', text: replaced(DUAL_TUNNEL, 'Psk: Tunnel1Key7Qm4Xz', `Psk: ${'Zq9'.repeat(40)}`), secret: 'Zq9Zq9', code: 'TOPO_INVALID_VALUE', path: PSK_PATH },
  { name: 'Alibaba Psk with a character Alibaba refuses', kind: 'topology', text: replaced(DUAL_TUNNEL, 'Psk: Tunnel1Key7Qm4Xz', 'Psk: Sekr3tWith\u00e99Xy'), secret: ['Sekr3t', '\u00e9'], code: 'ALIBABA_PSK_INVALID', path: PSK_PATH },
  { name: 'Alibaba Psk of the wrong type (a mapping)', kind: 'topology', text: replaced(DUAL_TUNNEL, 'Psk: Tunnel1Key7Qm4Xz', 'Psk: { key: Wv5Tn8Qs2Lr }'), secret: 'Wv5Tn8', code: 'TOPO_INVALID_TYPE', path: PSK_PATH },
  { name: 'Alibaba BGP AuthKey written as a number', kind: 'topology', text: withAuthKey('27182818284590'), secret: '27182818284590', code: 'TOPO_INVALID_TYPE', path: AUTH_KEY_PATH },
  { name: 'Alibaba BGP AuthKey over 64 characters', kind: 'topology', text: withAuthKey('Yp4'.repeat(24)), secret: 'Yp4Yp4', code: 'TOPO_INVALID_VALUE', path: AUTH_KEY_PATH },
  { name: 'Azure sharedKey written as a number', kind: 'topology', text: replaced(DUAL_TUNNEL, 'sharedKey: Tunnel1Key7Qm4Xz', 'sharedKey: 16180339887498'), secret: '16180339887498', code: 'TOPO_INVALID_TYPE', path: 'sites[1].azure.connections[0].sharedKey' },
  { name: 'Azure sharedKey with an ESC in it', kind: 'topology', text: replaced(DUAL_TUNNEL, 'sharedKey: Tunnel1Key7Qm4Xz', 'sharedKey: "Kx7Pw\\e]0;Qw8Ve2"'), secret: ['Kx7Pw', 'Qw8Ve2'], code: 'AZURE_SHARED_KEY_INVALID', path: 'sites[1].azure.connections[0].sharedKey' },
  { name: 'Azure sharedKey of the wrong type (a list)', kind: 'topology', text: replaced(DUAL_TUNNEL, 'sharedKey: Tunnel1Key7Qm4Xz', 'sharedKey: [Mq2Vw9Lp4Zx]'), secret: 'Mq2Vw9', code: 'TOPO_INVALID_TYPE', path: 'sites[1].azure.connections[0].sharedKey' },
  { name: 'RRAS SharedSecret written as a number', kind: 'topology', text: replaced(RRAS_AZURE, 'SharedSecret: AzureA1b2C3', 'SharedSecret: 14142135623730'), secret: '14142135623730', code: 'TOPO_INVALID_TYPE', path: 'sites[0].rras.VpnS2SInterfaces[0].SharedSecret' },
  { name: 'RRAS SharedSecret of the wrong type (true)', kind: 'topology', text: replaced(RRAS_AZURE, 'SharedSecret: AzureA1b2C3', 'SharedSecret: true'), secret: 'boolean true', code: 'TOPO_INVALID_TYPE', path: 'sites[0].rras.VpnS2SInterfaces[0].SharedSecret' },
  { name: '`ike run` psk written as a number', kind: 'ike', text: replaced(IKE, 'psk: "replace with the connection\'s shared key"', 'psk: 17320508075688'), secret: '17320508075688', code: 'IKECONF_INVALID_TYPE', path: 'connections[0].psk' },
  { name: '`ike run` psk of the wrong type (a list)', kind: 'ike', text: replaced(IKE, 'psk: "replace with the connection\'s shared key"', 'psk: [Hq8Rt5Wn2Yc]'), secret: 'Hq8Rt5', code: 'IKECONF_INVALID_TYPE', path: 'connections[0].psk' },
  { name: '`bgp run` md5Password written as a number', kind: 'bgp', text: replaced(BGP, '    asn: 65010\n', '    asn: 65010\n    md5Password: 22360679774997\n'), secret: '22360679774997', code: 'BGPCONF_INVALID_TYPE', path: 'neighbors[0].md5Password' },
];

describe('config errors never show a secret', () => {
  for (const c of SECRET_CASES) {
    it(c.name, async () => {
      const file = fileWith(c.text);
      const r = await check(c.kind, file);
      assert.equal(r.code, 1);
      assert.ok(r.codes.includes(c.code), `${c.code} in ${r.codes.join(', ')}`);
      // `vpnlab check` prints each finding's code; `bgp check` and `ike check` print the severity alone.
      const head = c.kind === 'topology' ? `: error ${c.code}: ${c.path}: ` : `: error: ${c.path}: `;
      assert.ok(r.err.includes(head), `the error names ${c.path}:\n${r.err}`);
      for (const part of [c.secret].flat()) assert.ok(!r.err.includes(part), `the output shows ${part}:\n${r.err}`);
      assert.doesNotMatch(r.err, RAW_CONTROL);
    });
  }
});

describe('config errors stay short and inert whatever the file holds', () => {
  for (const kind of ['topology', 'bgp', 'ike'] as const) {
    it(`${kind}: a 20 MB value is refused before parsing, in a few lines, without the memory it would take`, async () => {
      const [field, value] = BIG_VALUE_AT[kind];
      const file = fileWith(replaced(EXAMPLE[kind], `${field}: ${value}`, `${field}: "${'x'.repeat(20 * 1024 * 1024)}"`));
      const before = process.memoryUsage().rss;
      const r = await check(kind, file);
      const grown = process.memoryUsage().rss - before;
      assert.equal(r.code, 1);
      assert.deepEqual(r.codes, [`${kind === 'topology' ? 'TOPO' : kind === 'bgp' ? 'BGPCONF' : 'IKECONF'}_FILE_TOO_LARGE`]);
      assert.ok(r.err.length < 1000, `${r.err.length} characters of output`);
      assert.ok(grown < 200 * 1024 * 1024, `RSS grew by ${Math.round(grown / 1e6)} MB`);
    });
  }

  it('a value of almost 1 MB is cut to a few dozen characters with its length told', async () => {
    const long = 'y'.repeat(900_000);
    const r = await check('topology', fileWith(replaced(THREE_SITES, 'name: site-a', `name: site-a!${long}`)));
    assert.equal(r.code, 1);
    assert.ok(r.codes.includes('TOPO_INVALID_VALUE'));
    assert.ok(r.err.length < 2000, `${r.err.length} characters of output`);
    assert.match(r.err, /… \(900007 characters\)/);
  });

  it('NUL, ESC, BEL and newlines in keys and values come out as visible escapes', async () => {
    const text = `${THREE_SITES}\n"evil\\e[2J\\0key": 1\n"two\\nlines": 2\n`.replace(/^seed: .*$/m, '') + 'seed: "x\\e]0;owned\\ay\\0"\n';
    const r = await check('topology', fileWith(text));
    assert.equal(r.code, 1);
    assert.deepEqual([...new Set(r.codes)].sort(), ['TOPO_INVALID_TYPE', 'TOPO_UNKNOWN_FIELD']);
    assert.doesNotMatch(r.err, RAW_CONTROL);
    assert.ok(r.err.includes("unknown field 'evil\\x1b[2J\\0key'"), r.err);
    assert.ok(r.err.includes("unknown field 'two\\nlines'"), r.err);
    assert.ok(r.err.includes("'x\\x1b]0;owned\\x07y\\0'"), r.err);
    for (const line of r.err.trimEnd().split('\n')) assert.match(line, /^(\S+:\d+:\d+: error TOPO_[A-Z_]+: | {4}|\d+ error\(s\)$)/);
  });

  it('bgp and ike files: control characters are escaped there too', async () => {
    const bgp = await check('bgp', fileWith(replaced(BGP, 'localAsn: 65023', 'localAsn: "65\\e[31m023"')));
    assert.equal(bgp.code, 1);
    assert.ok(bgp.codes.includes('BGPCONF_INVALID_TYPE'));
    assert.doesNotMatch(bgp.err, RAW_CONTROL);
    assert.ok(bgp.err.includes('\\x1b[31m'));
    const ike = await check('ike', fileWith(replaced(IKE, '  - name: azure\n', '  - name: "az\\0ure\\e[1m"\n')));
    assert.equal(ike.code, 1);
    assert.doesNotMatch(ike.err, RAW_CONTROL);
    assert.ok(ike.err.includes('az\\0ure\\x1b[1m'), ike.err);
  });

  it('an alias bomb is refused with TOPO_YAML_ALIAS_LIMIT, not a crash', async () => {
    let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i++) bomb += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]\n`;
    const text = `${THREE_SITES}\nbomb:\n${bomb.split('\n').map((l) => `  ${l}`).join('\n')}\n`;
    const r = await check('topology', fileWith(text));
    assert.equal(r.code, 1);
    assert.deepEqual(r.codes, ['TOPO_YAML_ALIAS_LIMIT']);
  });

  it('thousands of problems list the first hundred and count the rest', async () => {
    const extra = Array.from({ length: 5000 }, (_, i) => `junk${i}: 1`).join('\n');
    const r = await check('topology', fileWith(`${THREE_SITES}\n${extra}\n`));
    assert.equal(r.code, 1);
    assert.equal(r.codes.length, 101);
    assert.equal(r.codes.at(-1), 'TOPO_TOO_MANY_ISSUES');
    assert.match(r.err, /^5000 error\(s\)$/m);
    assert.ok(r.err.length < 20_000, `${r.err.length} characters of output`);
  });

  it('repeated keys are still a YAML error, located, in block and flow mappings', async () => {
    const text = replaced(THREE_SITES, 'seed: ', 'description: one\ndescription: two\nseed: ') + 'links2: {a: 1, a: 2}\n';
    const file = fileWith(text);
    const r = await check('topology', file);
    assert.equal(r.code, 1);
    assert.deepEqual(r.codes, ['TOPO_YAML_SYNTAX', 'TOPO_YAML_SYNTAX']);
    const line = text.split('\n').indexOf('description: two') + 1;
    assert.ok(r.err.includes(`${file}:${line}:1: error TOPO_YAML_SYNTAX: (yaml): Map keys must be unique`), r.err);
  });

  it('a device that never ends is read no further than the limit', { timeout: 20_000 }, async () => {
    const r = await check('topology', '/dev/zero');
    assert.equal(r.code, 1);
    assert.deepEqual(r.codes, ['TOPO_FILE_TOO_LARGE']);
  });
});
