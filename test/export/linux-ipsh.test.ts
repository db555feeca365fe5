import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportNetwork } from '../../src/platforms/export.js';
import { linuxEquivalent } from '../../src/platforms/rras/export/linux-equivalent.js';
import type { RrasModel } from '../../src/platforms/rras/model.js';
import { loadTopologyFile, parseTopology } from '../../src/platforms/load.js';
import type { Topology as LinuxTopology } from '../../src/topology/schema.js';
import { createTopology, type Namespace, type Topology } from '../interop/netns.js';
import { LINUX_KITCHEN_SINK, exampleFiles, exportFile } from './onprem-examples.js';

/*
 * ip.sh run for real, twice, by iproute2 in a network namespace the test makes, with the
 * gateway's NICs as veth pairs: every address, link setting, route and sysctl line must succeed,
 * and the second run must exit 0 and leave the same state (idempotent).
 *
 * Two things this machine cannot do, and what the test does instead:
 * - XFRM interfaces: the kernel may lack CONFIG_XFRM_INTERFACE. The script's own
 *   `ip link add NAME type xfrm …` line is run first: either it creates the interface (then its
 *   if_id is checked), or the kernel refuses the device type ("Unknown device type", which
 *   iproute2 only reaches after parsing every argument); any other error fails. In the second
 *   case a veth of the same name stands in, so the script's guard skips the add and its MTU,
 *   address and route lines run against it.
 * - iptables is not installed: a stand-in `iptables` on PATH records its arguments and answers
 *   -C from what -A recorded, so the test checks the rule the script adds, once over two runs.
 */

interface Gateway {
  label: string;
  nics: string[];
  xfrm: { name: string; ifId: number }[];
  script: string;
}

/** Every Linux gateway's ip.sh, and every RRAS site's strongSwan + FRR equivalent's (under <site>/linux/). */
function gatewaysOf(topology: LinuxTopology, scripts: Map<string, string>, label: string, modelOf: (site: string) => unknown = () => undefined): Gateway[] {
  const out: Gateway[] = [];
  for (const original of topology.sites) {
    const site = original.platform === 'rras' && original.rras !== undefined ? linuxEquivalent(original, modelOf(original.name) as RrasModel, topology).site : original;
    if (site.platform !== 'linux') continue;
    const folder = original.platform === 'rras' ? `${site.name}/linux` : site.name;
    for (const g of site.linux?.gateways ?? []) {
      const script = scripts.get(`${folder}/${g.name}/ip.sh`);
      assert.ok(script !== undefined, `${label}: ${folder}/${g.name}/ip.sh`);
      out.push({ label: `${label} ${site.name}/${g.name}`, nics: g.interfaces.map((i) => i.name), xfrm: (g.xfrm ?? []).map((x) => ({ name: x.name, ifId: x.if_id })), script });
    }
  }
  return out;
}

function allGateways(): Gateway[] {
  const out: Gateway[] = [];
  for (const example of exampleFiles()) {
    const { topology, network } = loadTopologyFile(example, { keepCheckErrors: true });
    out.push(...gatewaysOf(topology, new Map(exportFile(example, ['ip']).map((a) => [a.path, a.text])), example, network.modelOf));
  }
  const { network, topology } = parseTopology(LINUX_KITCHEN_SINK, 'kitchen-sink.yaml', { keepCheckErrors: true });
  const { artifacts } = exportNetwork(network, { provenance: { file: 'kitchen-sink.yaml', vpnlabVersion: 'test' }, redact: false });
  out.push(...gatewaysOf(topology, new Map(artifacts.map((a) => [a.path, a.text])), 'kitchen-sink.yaml'));
  return out;
}

const IPTABLES_STAND_IN = `#!/bin/sh
# records each call; -C succeeds when an -A with the same rule was recorded before
log="$(dirname "$0")/iptables.log"
rule=$(echo "$*" | sed 's/ -[AC] / -X /')
case " $* " in
  *" -C "*) grep -qxF -- "A $rule" "$log" 2>/dev/null; exit $? ;;
  *" -A "*) echo "A $rule" >> "$log" ;;
  *) echo "? $*" >> "$log"; exit 2 ;;
esac
`;

describe('ip.sh run by iproute2 in a network namespace', () => {
  let topo: Topology;
  const gateways = allGateways();
  const dirs: string[] = [];
  before(async () => {
    topo = await createTopology();
  });
  after(async () => {
    await topo?.destroy();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('every example with a Linux gateway, and the kitchen sink, has an ip.sh to run', () => {
    assert.ok(gateways.length >= 3, gateways.map((g) => g.label).join(', '));
  });

  /** A namespace with the gateway's NICs and XFRM interfaces (or stand-ins), and a folder with the script and the iptables stand-in. */
  async function prepare(g: Gateway, role: string): Promise<{ exec: (argv: string[]) => Promise<{ stdout: string; stderr: string; exitCode: number }>; dir: string; script: string }> {
    const ns: Namespace = await topo.createNamespace(role);
    const dir = mkdtempSync(join(tmpdir(), 'vpnlab-ipsh-'));
    dirs.push(dir);
    const exec = async (argv: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> => topo.execIn(ns, argv);
    for (const [n, nic] of g.nics.entries()) {
      const r = await exec(['ip', 'link', 'add', nic, 'type', 'veth', 'peer', 'name', `peer${n}`]);
      assert.equal(r.exitCode, 0, r.stderr);
      await exec(['ip', 'link', 'set', `peer${n}`, 'up']);
    }
    const addLines = g.script.split('\n').filter((l) => / type xfrm /.test(l)).map((l) => l.replace(/^.*\|\| /, ''));
    assert.equal(addLines.length, g.xfrm.length);
    for (const [n, x] of g.xfrm.entries()) {
      const r = await exec(['sh', '-c', addLines[n]!]);
      if (r.exitCode === 0) {
        const link = await exec(['ip', '-d', 'link', 'show', x.name]);
        assert.match(link.stdout, new RegExp(`xfrm if_id 0x${x.ifId.toString(16)}\\b`), link.stdout);
      } else {
        assert.match(r.stderr.trim(), /^Error: Unknown device type\.$/, `the kernel, not iproute2, refuses ${addLines[n]}`);
        const standIn = await exec(['ip', 'link', 'add', x.name, 'type', 'veth', 'peer', 'name', `xpeer${n}`]);
        assert.equal(standIn.exitCode, 0, standIn.stderr);
      }
    }
    const script = join(dir, 'ip.sh');
    writeFileSync(script, g.script);
    const iptables = join(dir, 'iptables');
    writeFileSync(iptables, IPTABLES_STAND_IN);
    chmodSync(iptables, 0o755);
    return { exec, dir, script };
  }

  gateways.forEach((g, k) => {
    it(`${g.label}: runs, twice, with the same result`, async () => {
      const { exec, dir, script } = await prepare(g, `ip${k}`);
      const run = async (): Promise<string> => {
        const r = await exec(['env', `PATH=${dir}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, 'sh', script]);
        assert.equal(r.exitCode, 0, `${g.label} ip.sh exited ${r.exitCode}: ${r.stderr}`);
        assert.equal(r.stderr, '');
        const state = await Promise.all([exec(['ip', '-4', '-o', 'address', 'show']), exec(['ip', '-4', 'route', 'show']), exec(['ip', '-o', 'link', 'show']),
          exec(['sysctl', '-n', 'net.ipv4.ip_forward'])]);
        return state.map((s) => s.stdout).join('\n');
      };
      const first = await run();
      const second = await run();
      assert.equal(second, first, 'a second run changes nothing');
      assert.match(first, /\n1\n?$/, 'ip_forward is on');
      for (const line of g.script.split('\n').filter((l) => l.startsWith('ip route replace '))) {
        const prefix = line.split(' ')[3]!;
        assert.match(first, new RegExp(`^${prefix.replace(/\./g, '\\.').replace('/32', '')}[ /]`, 'm'), `route ${prefix} is in the table`);
      }
      for (const line of g.script.split('\n').filter((l) => l.startsWith('ip address replace '))) {
        assert.ok(first.includes(` inet ${line.split(' ')[3]} `), `${line.split(' ')[3]} is assigned`);
      }
      const clamps = g.script.split('\n').filter((l) => l.startsWith('iptables '));
      if (clamps.length > 0) {
        const log = readFileSync(join(dir, 'iptables.log'), 'utf8').trim().split('\n');
        assert.equal(log.length, clamps.length, 'each clamp added once over two runs');
        for (const l of log) assert.match(l, /^A -t mangle -X FORWARD -o \S+ -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss \d+$/);
      }
    });
  });

  it('a tampered ip.sh fails: a misspelt keyword, a route through an interface the script never made', async () => {
    const g = gateways.find((x) => x.label.includes('linux-azure-bgp'))!;
    for (const [n, [from, to]] of [['mtu 1400 up', 'mtux 1400 up'], ['dev ipsec0\n', 'dev ipsec9\n']].entries()) {
      const tampered = { ...g, script: g.script.replace(from!, to!) };
      assert.notEqual(tampered.script, g.script);
      const { exec, dir, script } = await prepare(tampered, `bad${n}`);
      const r = await exec(['env', `PATH=${dir}:${process.env.PATH ?? ''}`, 'sh', script]);
      assert.notEqual(r.exitCode, 0, `${to} is refused`);
      assert.notEqual(r.stderr, '');
    }
  });
});
