import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { ConfigError, type ConfigIssue } from '../../src/config/issues.js';
import { Network } from '../../src/emulator/network.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { parseTopology } from '../../src/platforms/load.js';

/*
 * Issue 13, defect 6: errors are what a platform refuses to create (or vpnlab cannot emulate);
 * what the platforms accept and fails at run time is a warning, which `up` runs without --force.
 * `check` prints each finding's code, and examples/broken (headers and README) says what `check`
 * says. The table of codes is docs/checks.md.
 */

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'vpnlab', ...args], { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

function issuesOf(file: string): ConfigIssue[] {
  try {
    return parseTopology(readFileSync(file, 'utf8'), file).warnings;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.issues;
  }
}

/** What check says of a broken file, minus the PFS warning every Alibaba variant inherits from its seed. */
function ownIssues(file: string): ConfigIssue[] {
  return issuesOf(file).filter((i) => i.code !== 'PAIR_PFS_MISMATCH');
}

const BROKEN = readdirSync('examples/broken').filter((f) => f.endsWith('.yaml')).sort();

describe('a user runs `vpnlab up` on a file whose findings are all warnings', () => {
  it('up runs rras-psk-mismatch.yaml without --force and shows the AUTHENTICATION_FAILED the warning predicts', async () => {
    const r = await cli('up', 'examples/broken/rras-psk-mismatch.yaml');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /AUTHENTICATION_FAILED/);
    assert.match(r.err, /: warning: sites\[0\]\.rras\.VpnS2SInterfaces\[0\]\.SharedSecret: /);
  });

  it('up runs rras-no-bgp-host-route.yaml without --force: the tunnel comes up, BGP stays Connecting', async () => {
    const r = await cli('up', 'examples/broken/rras-no-bgp-host-route.yaml');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /AzureS2S 192\.168\.37\.1 {3}10\.3\.1\.254 {4}65010 {3}Mixed {9}Connecting/);
  });

  it('up still refuses a file with an error (a reserved ASN Azure rejects) unless --force', async () => {
    const r = await cli('up', 'examples/broken/azure-reserved-asn.yaml');
    assert.equal(r.code, 1);
    assert.match(r.err, /^1 error\(s\)$/m);
  });

  it('every broken variant whose findings are all warnings runs under `up` without --force', async () => {
    const onlyWarnings = BROKEN.filter((f) => ownIssues(`examples/broken/${f}`).every((i) => i.severity === 'warning'));
    assert.ok(onlyWarnings.length >= 10, `warnings-only variants: ${onlyWarnings.join(', ')}`);
    for (const f of onlyWarnings) {
      const r = await cli('up', `examples/broken/${f}`, '--until', '10m');
      assert.equal(r.code, 0, `${f}: ${r.err}`);
    }
  });
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Seeds changed the way users get them wrong, each now a warning only: check passes, up builds and runs them. */
const WARNING_ONLY: readonly { what: string; file: string; code: string; edit: (site: (name: string) => Json) => void }[] = [
  { what: 'two VNets with one ASN', file: 'examples/rras-azure-bgp.yaml', code: 'PAIR_DUPLICATE_ASN', edit: (site) => { site('VNet2').azure.virtualNetworkGateways[0].bgpSettings.asn = 65010; } },
  { what: 'BGP off on the Azure connection, on at RRAS', file: 'examples/rras-azure-bgp.yaml', code: 'PAIR_BGP_OFF', edit: (site) => { site('VNet1').azure.connections[0].enableBgp = false; } },
  { what: 'the RRAS peer ASN wrong', file: 'examples/rras-azure-bgp.yaml', code: 'PAIR_PEER_ASN_MISMATCH', edit: (site) => { site('OnPrem').rras.BgpPeers[0].PeerASN = 65011; } },
  { what: 'an Alibaba tunnel without Psk (Alibaba generates one)', file: 'examples/alibaba-azure-dual-tunnel.yaml', code: 'ALIBABA_PSK_GENERATED', edit: (site) => { delete site('AlibabaVPC').alibaba.VpnConnections[0].TunnelOptionsSpecification[0].TunnelIkeConfig.Psk; } },
];

describe('a user runs `vpnlab up` on seeds changed into warnings', () => {
  for (const m of WARNING_ONLY) {
    it(`${m.what}: check warns ${m.code} and reports no error; up builds and settles the network`, () => {
      const doc = parse(readFileSync(m.file, 'utf8')) as Json;
      m.edit((name) => (doc.sites as Json[]).find((s) => s.name === name)!);
      const loaded = parseTopology(stringify(doc), m.file);
      assert.ok(loaded.warnings.some((i) => i.code === m.code && i.severity === 'warning'), loaded.warnings.map((i) => i.code).join(', '));
      const network = new Network(loaded.topology, loaded.topology.seed ?? 1);
      assert.ok(runUntilSettled(network, 10 * 60_000).settled);
    });
  }
});

describe('a user runs `vpnlab check` and reads the codes', () => {
  it('each finding is printed with its code: file:line:col: warning PAIR_PSK_MISMATCH: path: message', async () => {
    const r = await cli('check', 'examples/broken/rras-psk-mismatch.yaml');
    assert.equal(r.code, 0);
    assert.match(r.err, /^examples\/broken\/rras-psk-mismatch\.yaml:\d+:\d+: warning PAIR_PSK_MISMATCH: sites\[0\]\.rras\.VpnS2SInterfaces\[0\]\.SharedSecret: /m);
    assert.match(r.out, /ok — .*, 1 warning\(s\)/);
  });

  it('errors too: file:line:col: error AZURE_RESERVED_ASN: path: message, then the count', async () => {
    const r = await cli('check', 'examples/broken/azure-reserved-asn.yaml');
    assert.equal(r.code, 1);
    assert.match(r.err, /^examples\/broken\/azure-reserved-asn\.yaml:\d+:\d+: error AZURE_RESERVED_ASN: sites\[1\]\.azure\.localNetworkGateways\[0\]\.bgpSettings\.asn: /m);
    assert.match(r.err, /^1 error\(s\)$/m);
  });
});

describe('examples/broken says what `check` says', () => {
  const readme = readFileSync('examples/broken/README.md', 'utf8');
  for (const f of BROKEN) {
    it(`${f}: the header and the README row name each finding with its severity`, () => {
      const text = readFileSync(`examples/broken/${f}`, 'utf8');
      const header = text.slice(0, text.indexOf('\nname:'));
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${f}\``));
      assert.ok(row !== undefined, `README has a row for ${f}`);
      const issues = ownIssues(`examples/broken/${f}`);
      assert.ok(issues.length > 0);
      for (const i of issues) {
        assert.match(header, new RegExp(`\\b${i.severity} ${i.code}\\b`), `${f} header says ${i.severity} ${i.code}`);
        assert.ok(row.includes(`${i.severity} \`${i.code}\``), `README row of ${f} says ${i.severity} \`${i.code}\`: ${row}`);
      }
      // Nothing the header or README claims that check does not report with that severity.
      for (const claim of [...header.matchAll(/\b(error|warning) ([A-Z][A-Z0-9_]+)\b/g), ...row.matchAll(/\b(error|warning) `([A-Z][A-Z0-9_]+)`/g)]) {
        assert.ok(issues.some((i) => i.severity === claim[1] && i.code === claim[2]), `${f} claims ${claim[1]} ${claim[2]}, check says: ${issues.map((i) => `${i.severity} ${i.code}`).join(', ')}`);
      }
    });
  }
});
