/**
 * The devices under test: BIRD 2, FRR bgpd (-Z, no zebra), GoBGP and vpnlab (`vpnlab bgp run`),
 * each a passive AS 65000 speaker on 127.0.181.1:179 with two eBGP neighbours (the feeder
 * 127.0.181.2 AS 65001, the collector 127.0.181.3 AS 65002), importing and exporting everything.
 * The daemons' configurations and command lines are the ones in
 * /work/shared/reference/bgp-peers.md, with 127.0.181.x for 127.0.179.x (which the test suite
 * uses). The interop harness's launchers bake in test settings (connect timers, announcement
 * machinery), so only its process plumbing (test/interop/daemon.ts) is reused.
 *
 * Every process is started through `setpriv --pdeathsig KILL`, which execs it (same PID) so that
 * the kernel kills it if the benchmark dies, and is stopped by its PID only.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  awaitReady, runChecked, runCommand, spawnDaemon, splitWords, tail, type DaemonKind, type DaemonProcess,
} from '../../test/interop/daemon.js';
import { DUT_AS, FEEDER_AS } from './feed.js';
import { assertBenchAddress } from './peer.js';

export const DUT_KINDS = ['vpnlab', 'bird', 'frr', 'gobgp'] as const;
export type DutKind = (typeof DUT_KINDS)[number];

export const DUT_ADDRESS = '127.0.181.1';
export const FEEDER_ADDRESS = '127.0.181.2';
export const COLLECTOR_ADDRESS = '127.0.181.3';
export const COLLECTOR_AS = 65002;
export const BGP_PORT = 179;
const ROUTER_ID = '10.255.0.1';
const GOBGP_API_PORT = 50051;
const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;

for (const a of [DUT_ADDRESS, FEEDER_ADDRESS, COLLECTOR_ADDRESS]) assertBenchAddress(a, 'address plan');

/** One running DUT. Only the process the benchmark started is ever signalled, by its PID. */
export interface Dut {
  readonly kind: DutKind;
  readonly pid: number;
  running(): boolean;
  /** resolves when the process has ended */
  readonly exited: Promise<unknown>;
  /** the last lines of its console output and log, for failure reports */
  output(): Promise<string>;
  /** SIGTERM, SIGKILL after a grace time; removes its directory. Idempotent. */
  stop(): Promise<void>;
}

export const DUT_NAMES: Record<DutKind, string> = { vpnlab: 'vpnlab', bird: 'BIRD', frr: 'FRR', gobgp: 'GoBGP' };

function workdir(kind: DutKind): string {
  return mkdtempSync(join(tmpdir(), `vpnlab-bench-bgp-${kind}-`));
}

// ---- the daemons, configured as in bgp-peers.md ------------------------------------------------

export function birdConfig(dir: string): string {
  return `router id ${ROUTER_ID};
log "${join(dir, 'bird.log')}" all;
protocol device { scan time 60; }
template bgp dut {
  local ${DUT_ADDRESS} port ${BGP_PORT} as ${DUT_AS};
  strict bind on;
  passive on;
  multihop;
  ipv4 { import all; export all; };
}
protocol bgp feeder from dut { neighbor ${FEEDER_ADDRESS} as ${FEEDER_AS}; }
protocol bgp collector from dut { neighbor ${COLLECTOR_ADDRESS} as ${COLLECTOR_AS}; }
`;
}

export function frrConfig(dir: string): string {
  const neighbors: [string, number][] = [[FEEDER_ADDRESS, FEEDER_AS], [COLLECTOR_ADDRESS, COLLECTOR_AS]];
  return [
    'frr defaults traditional',
    'hostname dut',
    // errors only: with -Z bgpd logs a warning for every received route (bgp-peers.md gotcha 3)
    `log file ${join(dir, 'bgpd.log')} errors`,
    '!',
    `router bgp ${DUT_AS}`,
    ` bgp router-id ${ROUTER_ID}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp network import-check',
    ...neighbors.flatMap(([a, asn]) => [` neighbor ${a} remote-as ${asn}`, ` neighbor ${a} passive`]),
    ' address-family ipv4 unicast',
    ...neighbors.map(([a]) => `  neighbor ${a} activate`),
    ' exit-address-family',
    '',
  ].join('\n');
}

export function gobgpConfig(): string {
  const neighbor = (address: string, asn: number): string => `[[neighbors]]
  [neighbors.config]
    neighbor-address = "${address}"
    peer-as = ${asn}
  [neighbors.transport.config]
    passive-mode = true
    local-address = "${DUT_ADDRESS}"
`;
  return `[global.config]
  as = ${DUT_AS}
  router-id = "${ROUTER_ID}"
  port = ${BGP_PORT}
  local-address-list = ["${DUT_ADDRESS}"]
${neighbor(FEEDER_ADDRESS, FEEDER_AS)}${neighbor(COLLECTOR_ADDRESS, COLLECTOR_AS)}`;
}

/** The `vpnlab bgp run` file: the same DUT. */
export function vpnlabConfig(): string {
  const neighbor = (name: string, address: string, asn: number): string =>
    `  - { name: ${name}, address: ${address}, asn: ${asn}, mode: passive, localAddress: ${DUT_ADDRESS} }`;
  return [
    `localAsn: ${DUT_AS}`,
    `routerId: ${ROUTER_ID}`,
    `listen: { address: ${DUT_ADDRESS}, port: ${BGP_PORT} }`,
    'api: false',
    'ebgpRequiresPolicy: false',
    'neighbors:',
    neighbor('feeder', FEEDER_ADDRESS, FEEDER_AS),
    neighbor('collector', COLLECTOR_ADDRESS, COLLECTOR_AS),
    '',
  ].join('\n');
}

function daemonDut(kind: DutKind, d: DaemonProcess, logFile: string | undefined): Dut {
  return {
    kind, pid: d.pid,
    running: () => d.running(),
    exited: d.exited,
    output: async () => [await tail(d.consoleLog, 2_000), logFile === undefined ? '' : await tail(logFile, 2_000)].filter((s) => s !== '').join('\n'),
    stop: () => d.stop(STOP_GRACE_MS),
  };
}

async function startBird(): Promise<Dut> {
  const dir = workdir('bird');
  await writeFile(join(dir, 'bird.conf'), birdConfig(dir));
  const ctl = join(dir, 'bird.ctl');
  const d = spawnDaemon({ kind: 'bird', bin: 'bird', args: ['-f', '-c', join(dir, 'bird.conf'), '-s', ctl, '-P', join(dir, 'bird.pid')], workdir: dir });
  await awaitReady(d, 'bird', async () => (await runChecked('birdc', ['-s', ctl, 'show status'])).includes('Daemon is up and running'), READY_TIMEOUT_MS);
  return daemonDut('bird', d, join(dir, 'bird.log'));
}

async function startFrr(): Promise<Dut> {
  const dir = workdir('frr');
  await writeFile(join(dir, 'bgpd.conf'), frrConfig(dir));
  const d = spawnDaemon({
    kind: 'frr', bin: '/usr/lib/frr/bgpd', workdir: dir,
    args: ['-Z', '-S', '-f', join(dir, 'bgpd.conf'), '-i', join(dir, 'bgpd.pid'), '--vty_socket', dir, '-p', String(BGP_PORT), '-l', DUT_ADDRESS, '-P', '0'],
    // bgpd's crash-log directory, removed by a clean exit but not by SIGKILL
    leftovers: (pid) => [`/var/tmp/frr/bgpd.${pid}`],
  });
  await awaitReady(d, 'frr', async () =>
    (await runChecked('vtysh', ['--vty_socket', dir, '-d', 'bgpd', '-c', 'show bgp summary json'])).trimStart().startsWith('{'), READY_TIMEOUT_MS);
  return daemonDut('frr', d, join(dir, 'bgpd.log'));
}

async function startGobgp(): Promise<Dut> {
  const dir = workdir('gobgp');
  await writeFile(join(dir, 'gobgp.toml'), gobgpConfig());
  const d = spawnDaemon({
    kind: 'gobgp', bin: 'gobgpd', workdir: dir,
    args: ['-f', join(dir, 'gobgp.toml'), '-t', 'toml', '-p', '--api-hosts', `${DUT_ADDRESS}:${GOBGP_API_PORT}`, '--pprof-disable'],
  });
  await awaitReady(d, 'gobgp', async () =>
    (await runChecked('gobgp', ['-u', DUT_ADDRESS, '-p', String(GOBGP_API_PORT), 'global', '-j'])).trimStart().startsWith('{'), READY_TIMEOUT_MS);
  return daemonDut('gobgp', d, undefined);
}

// ---- vpnlab ---------------------------------------------------------------------------------------

/** The nearest directory above this file holding vpnlab's package.json; else the working directory. */
function packageRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'vpnlab') return dir;
    } catch {
      // no package.json here
    }
  }
  return process.cwd();
}

/**
 * The vpnlab command: bench/bgp/vpnlab-dut.js next to this file (the CLI of the same build),
 * unless VPNLAB_CLI names another entry point that runs main(process.argv), such as bin/vpnlab.js.
 */
const PACKAGE_ROOT = packageRoot();
const VPNLAB_CLI = process.env.VPNLAB_CLI ?? fileURLToPath(new URL('./vpnlab-dut.js', import.meta.url));

/** Where the vpnlab DUT's code comes from. */
export function vpnlabEntry(): { cli: string } {
  return { cli: VPNLAB_CLI };
}

/**
 * `node bench/bgp/vpnlab-dut.js bgp run DIR/vpnlab.yaml` (or VPNLAB_CLI), through the interop harness's
 * spawnDaemon like the daemons. Extra node flags come from VPNLAB_NODE_ARGS (e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/prof`: an absolute directory, since DIR is removed). There is no control
 * channel to wait for: the feeder and the collector retry their connections until it listens.
 */
async function startVpnlab(): Promise<Dut> {
  const dir = workdir('vpnlab');
  const config = join(dir, 'vpnlab.yaml');
  await writeFile(config, vpnlabConfig());
  const d = spawnDaemon({
    // spawnDaemon uses the kind only to name the console log; its DaemonKind does not list vpnlab
    kind: 'vpnlab' as DaemonKind, // the kind only names the console log
    bin: process.execPath,
    args: [...splitWords(process.env.VPNLAB_NODE_ARGS ?? ''), VPNLAB_CLI, 'bgp', 'run', config],
    workdir: dir,
  });
  return daemonDut('vpnlab', d, undefined);
}

export function startDut(kind: DutKind): Promise<Dut> {
  switch (kind) {
    case 'vpnlab': return startVpnlab();
    case 'bird': return startBird();
    case 'frr': return startFrr();
    case 'gobgp': return startGobgp();
  }
}

/** "BIRD 2.0.12", "vpnlab 0.1.0 (Node v20.20.2)", or the name alone if the version is not known. */
export async function dutVersion(kind: DutKind): Promise<string> {
  const name = DUT_NAMES[kind];
  if (kind === 'vpnlab') {
    try {
      const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string };
      return `vpnlab ${pkg.version ?? '?'} (Node ${process.version})`;
    } catch {
      return `vpnlab (Node ${process.version})`;
    }
  }
  const bin: Record<Exclude<DutKind, 'vpnlab'>, string> = { bird: 'bird', frr: '/usr/lib/frr/bgpd', gobgp: 'gobgpd' };
  try {
    const r = await runCommand(bin[kind], ['--version']);
    const m = /version\s+(\S+)/i.exec(r.stdout + r.stderr);
    return m ? `${name} ${m[1]}` : name;
  } catch {
    return name;
  }
}
