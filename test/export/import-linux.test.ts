import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { collectSources, platformReaders } from '../../src/cli/import-command.js';
import { exportNetwork } from '../../src/platforms/export.js';
import { importSources, type ImportResult } from '../../src/platforms/import.js';
import type { ImportSource } from '../../src/platforms/imports.js';
import { loadTopologyFile, parseTopology } from '../../src/platforms/load.js';
import type { Site, Topology } from '../../src/topology/schema.js';
import { exampleFiles, LINUX_KITCHEN_SINK } from './onprem-examples.js';

/*
 * The Linux readers (src/platforms/linux/import/): every example with a linux site exported and
 * imported again gives back the same sites (the round trip), from all three files and from each
 * alone; hand-written files in the usual style import with their lines cited; what cannot be
 * read is a problem at its file:line:column.
 */

const work = mkdtempSync(join(tmpdir(), 'vpnlab-import-linux-'));
after(() => rmSync(work, { recursive: true, force: true }));

const FORMATS = { swanctl: /\/swanctl\.conf$/, frr: /\/frr\.conf$/, ip: /\/ip\.sh$/ } as const;
type Format = keyof typeof FORMATS;

/** `vpnlab export FILE -o DIR` into a fresh folder; the topology as loaded. */
function exportTo(file: string, text?: string): { dir: string; topology: Topology } {
  let path = file;
  if (text !== undefined) {
    path = join(work, `${file}.yaml`);
    writeFileSync(path, text);
  }
  const { network } = loadTopologyFile(path, { keepCheckErrors: true });
  const { artifacts } = exportNetwork(network, { provenance: { file: path, vpnlabVersion: 'test' }, redact: false });
  const dir = mkdtempSync(join(work, 'export-'));
  for (const a of artifacts) {
    mkdirSync(dirname(join(dir, a.path)), { recursive: true });
    writeFileSync(join(dir, a.path), a.text);
  }
  return { dir, topology: parseTopology(readFileSync(path, 'utf8'), path, { keepCheckErrors: true }).topology };
}

/** The folder's manifest and the Linux files of these formats, as `vpnlab import DIR` reads them. */
async function importFolder(dir: string, formats: readonly Format[] = ['swanctl', 'frr', 'ip']): Promise<ImportResult> {
  const sources = collectSources([dir]).filter((s) => s.path.endsWith('vpnlab-export.json') || formats.some((f) => FORMATS[f].test(s.path)));
  return importSources(sources, platformReaders());
}

function loaded(result: ImportResult): Topology {
  return parseTopology(result.text, 'imported.yaml', { keepCheckErrors: true }).topology;
}

function linuxSites(topology: Topology): Site[] {
  return topology.sites.filter((s) => s.platform === 'linux');
}

function gatewaysOf(site: Site | undefined): Record<string, unknown>[] {
  return (site?.platform === 'linux' ? site.linux?.gateways ?? [] : []) as unknown as Record<string, unknown>[];
}

function codes(result: ImportResult): string[] {
  return result.problems.map((p) => `${p.origin.file.replace(/^.*\//, '')}:${p.origin.line}:${p.origin.column} ${p.code}`);
}

const EXAMPLES = exampleFiles().filter((f) => /^examples\/(broken\/)?linux-/.test(f) || /platform: linux/.test(readFileSync(f, 'utf8')));

describe('importing a Linux export: the round trip', () => {
  it('covers every example with a linux site', () => {
    for (const f of ['examples/linux-azure-bgp.yaml', 'examples/linux-alibaba-dual-tunnel.yaml', 'examples/broken/linux-bgp-connected-check.yaml', 'examples/broken/linux-no-bgp-host-route.yaml']) {
      assert.ok(EXAMPLES.includes(f), f);
    }
  });

  // A site with two gateways: each folder <site>/<gateway>/ is one gateway, in the topology's order.
  const twoGateways = `${LINUX_KITCHEN_SINK}${[
    '        - name: edge-2',
    '          interfaces:',
    '            - { name: eth0, address: 203.0.113.51/24, internet: true }',
    '          swanctl:',
    '            connections:',
    '              backup:',
    '                local_addrs: [203.0.113.51]',
    '                remote_addrs: [198.51.100.99]',
    '                local: { id: edge-2.example.net }',
    '                children: { backup-net: { remote_ts: [10.99.0.0/16] } }',
  ].join('\n')}\n`;
  const cases: [string, string | undefined][] = [
    ...EXAMPLES.map((f): [string, undefined] => [f, undefined]), ['kitchen-sink-linux', LINUX_KITCHEN_SINK], ['two-gateways', twoGateways],
  ];
  for (const [file, text] of cases) {
    it(`${file}: export, then import of the manifest with swanctl.conf, frr.conf and ip.sh, gives the same linux sites, every field cited`, async () => {
      const { dir, topology } = exportTo(file, text);
      const result = await importFolder(dir);
      assert.deepEqual(result.problems, []);
      const imported = loaded(result);
      const expected = linuxSites(topology);
      assert.deepEqual(linuxSites(imported), expected);
      // Each gateway field names the file and line it came from; nothing of a gateway is assumed.
      for (const site of expected) {
        gatewaysOf(site).forEach((gateway) => {
          for (const format of ['swanctl', 'frr'] as const) {
            if (gateway[format] !== undefined) assert.match(result.text, new RegExp(`/${site.name}/${String(gateway['name'])}/${format}\\.conf:\\d+`));
          }
          assert.match(result.text, new RegExp(`/${site.name}/${String(gateway['name'])}/ip\\.sh:\\d+`));
        });
      }
      assert.deepEqual(result.notes.filter((n) => n.code === 'IMPORT_ASSUMED' && /linux/.test(n.message)), []);
    });
  }

  // Each file carries its own part of a gateway and nothing of the others': swanctl.conf the IPsec
  // (swanctl), frr.conf BGP (frr), ip.sh the machine (interfaces, xfrm, routes). All three carry the
  // gateway's name and description in their header. Alone, a file gives its part whole; the others'
  // fields are absent, except `interfaces`, which the topology needs: without ip.sh it is assumed.
  const PARTS: Record<Format, readonly string[]> = { swanctl: ['swanctl'], frr: ['frr'], ip: ['interfaces', 'xfrm', 'routes'] };
  for (const [file, text] of cases) {
    for (const format of Object.keys(PARTS) as Format[]) {
      it(`${file}: ${format} alone carries ${PARTS[format].join(', ')} whole (and the gateway's name and description)`, async () => {
        const { dir, topology } = exportTo(file, text);
        const result = await importFolder(dir, [format]);
        assert.deepEqual(result.problems, []);
        const imported = loaded(result);
        for (const site of linuxSites(topology)) {
          const original = gatewaysOf(site).filter((g) => format !== 'frr' || g['frr'] !== undefined).filter((g) => format !== 'swanctl' || g['swanctl'] !== undefined);
          const back = gatewaysOf(imported.sites.find((s) => s.name === site.name));
          assert.equal(back.length, original.length);
          original.forEach((gateway, n) => {
            const got = back[n]!;
            const keep = ['name', 'description', ...PARTS[format]];
            const pick = (g: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(g).filter(([k]) => keep.includes(k)));
            assert.deepEqual(pick(got), pick(gateway));
            for (const other of ['swanctl', 'frr', 'xfrm', 'routes']) if (!keep.includes(other)) assert.equal(got[other], undefined, other);
            if (format !== 'ip') assert.ok(result.notes.some((note) => note.code === 'IMPORT_ASSUMED' && note.message.includes(`'${site.name}' linux.gateways.${n}.interfaces: assumed`)));
          });
        }
      });
    }
  }

  it('imports an export made with --redact, with a note at each placeholder key', async () => {
    const { network } = loadTopologyFile('examples/linux-azure-bgp.yaml', { keepCheckErrors: true });
    const { artifacts } = exportNetwork(network, { provenance: { file: 'examples/linux-azure-bgp.yaml', vpnlabVersion: 'test' }, redact: true });
    const swanctl = artifacts.find((a) => a.path === 'OnPrem/gw/swanctl.conf')!;
    const result = await importSources([{ path: 'OnPrem/gw/swanctl.conf', text: swanctl.text, site: 'OnPrem' }], platformReaders());
    assert.deepEqual(result.problems, []);
    const redacted = result.notes.filter((n) => n.code === 'IMPORT_SWANCTL_REDACTED');
    assert.equal(redacted.length, 1);
    assert.equal(swanctl.text.split('\n')[redacted[0]!.origin.line - 1]!.trim(), 'secret = "REDACTED-PSK-OnPrem.gw.ike-azure"');
  });

  it('reads back the `# vpnlab: not in the topology` marks: without them the defaults the export fills in would be imported as written', async () => {
    const { dir, topology } = exportTo('examples/linux-alibaba-dual-tunnel.yaml');
    const swanctl = join(dir, 'OnPrem', 'gw', 'swanctl.conf');
    const marked = readFileSync(swanctl, 'utf8');
    assert.match(marked, /# vpnlab: not in the topology: local/);
    writeFileSync(swanctl, marked.replace(/^\s*# vpnlab: not in the topology.*\n/gm, ''));
    const result = await importFolder(dir);
    const connections = (gatewaysOf(loaded(result).sites.find((s) => s.name === 'OnPrem'))[0]!['swanctl'] as { connections: Record<string, { local?: unknown }> }).connections;
    assert.deepEqual(connections['tunnel1']!.local, { auth: 'psk' });
    const original = (gatewaysOf(topology.sites.find((s) => s.name === 'OnPrem'))[0]!['swanctl'] as { connections: Record<string, { local?: unknown }> }).connections;
    assert.equal(original['tunnel1']!.local, undefined);
  });
});

const BRANCH = 'test/fixtures/import/linux/branch';
const branchFiles = ['swanctl.conf', 'conf.d/secrets.conf', 'frr.conf', 'ip.sh'];

function branch(replace: Partial<Record<string, (text: string) => string>> = {}, files = branchFiles): ImportSource[] {
  return files.map((f) => ({ path: `${BRANCH}/${f}`, text: (replace[f] ?? ((t: string) => t))(readFileSync(`${BRANCH}/${f}`, 'utf8')) }));
}

describe('importing hand-written Linux gateway files', () => {
  it('reads swanctl.conf (durations, quoted ids, an include), frr.conf as vtysh writes it and a boot ip.sh into one gateway, citing each line', async () => {
    const result = await importSources(branch(), platformReaders());
    assert.deepEqual(codes(result), []);
    const topology = loaded(result);
    assert.deepEqual(topology.sites.map((s) => `${s.name}:${s.platform}`), ['branch:linux']);
    const [gateway] = gatewaysOf(topology.sites[0]);
    assert.deepEqual(gateway, {
      name: 'edge-branch',
      interfaces: [
        { name: 'eth0', address: '198.51.100.7/24', internet: true },
        { name: 'eth1', address: '10.60.0.1', mtu: 9000, subnet: 'lan' },
      ],
      xfrm: [{ name: 'dc', if_id: 42, dev: 'eth0', addresses: ['169.254.30.2/30'], mtu: 1400, 'set-mss': 1360 }],
      routes: [{ to: '10.70.0.0/16', dev: 'dc', metric: 10 }, { to: '0.0.0.0/0', via: '198.51.100.1' }],
      swanctl: {
        connections: {
          dc: {
            version: 2, local_addrs: ['198.51.100.7'], remote_addrs: ['203.0.113.1'], proposals: ['aes256-sha256-modp2048', 'aes128-sha256-modp2048'],
            rekey_time: 28800, dpd_delay: 30, if_id_in: 42, if_id_out: 42,
            local: { auth: 'psk', id: 'edge-branch.example.net' }, remote: { auth: 'psk', id: '203.0.113.1' },
            children: { 'dc-net': { local_ts: ['0.0.0.0/0'], remote_ts: ['0.0.0.0/0'], esp_proposals: ['aes256gcm16-modp2048'], rekey_time: 3600, start_action: 'start', dpd_action: 'restart' } },
          },
        },
        secrets: { 'ike-dc': { id: ['edge-branch.example.net', '203.0.113.1'], secret: 'correct horse battery staple' } },
      },
      frr: {
        'router bgp': {
          asn: 65100, 'bgp router-id': '10.60.0.1', 'bgp ebgp-requires-policy': false,
          neighbors: { '169.254.30.1': { 'remote-as': 65200, description: 'data centre over dc', timers: [10, 30], 'maximum-prefix': 500 } },
          network: ['10.60.0.0/24'],
        },
      },
    });
    assert.deepEqual(topology.sites[0]!.subnets, [{ name: 'lan', prefix: '10.60.0.0/24' }]);
    // The comments point at the lines the values were read from.
    assert.match(result.text, /rekey_time: 28800 # test\/fixtures\/import\/linux\/branch\/swanctl\.conf:11\n/);
    assert.match(result.text, /secret: correct horse battery staple # test\/fixtures\/import\/linux\/branch\/conf\.d\/secrets\.conf:6\n/);
    assert.match(result.text, /maximum-prefix: 500 # test\/fixtures\/import\/linux\/branch\/frr\.conf:19\n/);
    assert.match(result.text, /set-mss: 1360 # test\/fixtures\/import\/linux\/branch\/ip\.sh:17\n/);
    assert.match(result.text, /- name: edge-branch # test\/fixtures\/import\/linux\/branch\/frr\.conf:3\n/);
    // What FRR takes and vpnlab does not emulate is skipped, each with a note at its line.
    assert.deepEqual(result.notes.filter((n) => n.code === 'IMPORT_FRR_SKIPPED').map((n) => n.origin.line), [1, 2, 4, 10, 23]);
    // What it assumes it says: the Internet NIC (IKE's address), the LAN subnet.
    const assumed = result.notes.filter((n) => n.code === 'IMPORT_ASSUMED').map((n) => n.message);
    assert.ok(assumed.some((m) => m.includes('interfaces.0.internet')));
    assert.ok(assumed.some((m) => m.includes('interfaces.1.subnet')));
  });

  it('an include that no source given matches is a problem at its line; the conf.d file alone joins no other gateway', async () => {
    const result = await importSources(branch({}, ['swanctl.conf', 'frr.conf', 'ip.sh']), platformReaders());
    assert.deepEqual(codes(result), ['swanctl.conf:37:1 IMPORT_SWANCTL_INCLUDE']);
  });

  it('makes a problem at file:line:column of what it cannot read, and reads the rest', async () => {
    const swanctl = [
      'connections {',
      '  dc {',
      '    local_addrs = 198.51.100.7',
      '    remote_addrs = 203.0.113.1',
      '    keyingtries = 0', // skipped with a note
      '    aggressive = yes', // no field
      '    rekey_time = soon', // not a duration
      '    local-cert { auth = pubkey }', // a second round
      '    children { net { local_ts = 10.60.0.0/24 } }',
      '  }',
      '}',
      'secrets { eap-bob { secret = x } }', // not an IKE key
      'pools { p { addrs = 10.9.0.0/24 } }', // not emulated
      'connections { x : y { } }', // templates
      'include /etc/swanctl/other.conf', // not among the sources
    ].join('\n');
    const frr = ['router bgp 65100', ' neighbor 169.254.30.1 remote-as 65200', ' neighbor 169.254.30.1 route-map IN in', ' neighbor PEERS peer-group', ' address-family ipv6 unicast', '  network ::/0', ' exit-address-family', 'interface eth1', 'exit'].join('\n');
    const ip = ['#!/bin/sh', 'ip addr add $LAN dev eth1', 'ip route add 10.70.0.0/16 dev dc table 100', 'iptables -A INPUT -p udp --dport 500 -j ACCEPT', 'ip link add dc type vti local 1.2.3.4 remote 5.6.7.8', 'echo "done'].join('\n');
    const result = await importSources([{ path: 'lab/swanctl.conf', text: swanctl }, { path: 'lab/frr.conf', text: frr }, { path: 'lab/ip.sh', text: ip }], platformReaders());
    assert.deepEqual(codes(result).sort(), [
      'frr.conf:3:2 IMPORT_FRR_UNKNOWN', 'frr.conf:4:2 IMPORT_FRR_UNKNOWN', 'frr.conf:5:2 IMPORT_FRR_UNKNOWN', 'frr.conf:8:1 IMPORT_FRR_UNKNOWN',
      'ip.sh:2:13 IMPORT_IP_UNKNOWN', 'ip.sh:3:34 IMPORT_IP_UNKNOWN', 'ip.sh:4:1 IMPORT_IP_UNKNOWN', 'ip.sh:5:1 IMPORT_IP_UNKNOWN', 'ip.sh:6:1 IMPORT_IP_UNKNOWN',
      'swanctl.conf:12:11 IMPORT_SWANCTL_UNKNOWN', 'swanctl.conf:13:1 IMPORT_SWANCTL_UNKNOWN', 'swanctl.conf:14:15 IMPORT_SWANCTL_SYNTAX', 'swanctl.conf:15:1 IMPORT_SWANCTL_INCLUDE',
      'swanctl.conf:14:1 IMPORT_SWANCTL_SYNTAX', // the connections section the template line leaves open
      'swanctl.conf:6:5 IMPORT_SWANCTL_UNKNOWN', 'swanctl.conf:7:18 IMPORT_SWANCTL_VALUE', 'swanctl.conf:8:5 IMPORT_SWANCTL_UNKNOWN',
    ].sort());
    assert.ok(result.notes.some((n) => n.code === 'IMPORT_SWANCTL_SKIPPED' && n.origin.line === 5));
  });

  it('refuses a value the linux schema does not take at the line it came from', async () => {
    const swanctl = 'connections {\n  dc {\n    local_addrs = %any\n    remote_addrs = 203.0.113.1\n    children { net { start_action = route } }\n  }\n}\n';
    const result = await importSources([{ path: 'lab/swanctl.conf', text: swanctl }], platformReaders());
    assert.deepEqual(codes(result).sort(), ['swanctl.conf:3:19 IMPORT_LINUX_VALUE', 'swanctl.conf:5:37 IMPORT_LINUX_VALUE']);
  });

  it('never throws on hostile text: garbage, deep nesting, unclosed quotes, huge files end in located problems', async () => {
    const cases: ImportSource[] = [
      { path: 'h/swanctl.conf', text: 'connections {\n'.repeat(5000) },
      { path: 'h2/swanctl.conf', text: `connections { a { local_addrs = "${'x'.repeat(100000)}` },
      { path: 'h3/swanctl.conf', text: '}}}} = = { # \u0000 "\\' },
      { path: 'h4/frr.conf', text: 'router bgp 1\n neighbor 1.2.3.4 remote-as\n neighbor __proto__ remote-as 1\n'.repeat(2000) },
      { path: 'h5/ip.sh', text: 'ip link add __proto__ type xfrm if_id 1\nip route add\nip addr add dev\niptables -t mangle -A FORWARD -o x -j TCPMSS --set-mss\n'.repeat(500) },
      { path: 'h6/swanctl.conf', text: 'connections { __proto__ { children { constructor { } } } }\nsecrets { ike-__proto__ { id = a } }' },
    ];
    let seed = 14;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const alphabet = ['{', '}', '=', '#', '"', '\\', '\n', ' ', 'connections', 'secrets', 'children', 'local', 'ike-a', 'router bgp 65000', 'neighbor 10.0.0.1', 'remote-as', 'ip', 'link', 'add', 'type', 'xfrm', 'if_id', 'route', 'dev', '||', ';', '$x', '1', 'include *'];
    for (let n = 0; n < 150; n++) {
      const text = Array.from({ length: Math.floor(random() * 60) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(' ');
      cases.push({ path: `r${n}/${['swanctl.conf', 'frr.conf', 'ip.sh'][n % 3]!}`, text });
    }
    for (const source of cases) {
      const result = await importSources([source], platformReaders());
      for (const issue of [...result.problems, ...result.notes]) assert.ok(issue.origin.line >= 1 && issue.origin.column >= 1, JSON.stringify(issue));
    }
    const deep = await importSources([cases[0]!], platformReaders());
    assert.ok(deep.problems.some((p) => p.code === 'IMPORT_SWANCTL_SYNTAX' && /deeper/.test(p.message)));
  });
});
