import { writeFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { VpnlabError } from '../core/errors.js';
import { Network } from '../emulator/network.js';
import { parseFaultTarget, type FaultTarget } from '../topology/faults.js';
import { runPing, runTraceroute, scheduleProbe, type ScheduledProbe } from '../emulator/session.js';
import type { Probe } from '../apps/probe.js';
import { ConfigError, formatIssue } from '../config/issues.js';
import { loadTopologyFile, type LoadedTopology } from '../platforms/load.js';
import { durationMs } from '../config/primitives.js';
import { topologyJsonSchema } from '../topology/schema.js';
import { addBgpCommands } from './bgp-commands.js';
import { addExportCommand, VPNLAB_VERSION } from './export-command.js';
import { addImportCommand } from './import-command.js';
import { addIkeCommands } from './ike-commands.js';
import type { Io } from './io.js';
import { renderPing } from './render/ping.js';
import { renderStatus } from './render/status.js';
import { formatClock, formatEvent, renderMilestones } from './render/events.js';
import { renderGateways } from './render/gateways.js';
import { renderSummary } from './render/summary.js';
import { summarize } from '../emulator/summary.js';
import { runUntilSettled, type SettleResult } from '../emulator/settle.js';
import type { Topology } from '../topology/schema.js';
import { renderTraceroute } from './render/traceroute.js';
import { renderDrops, recordDrops, renderRoutes } from './render/routes.js';

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function durationOption(value: string): number {
  const n = Number(value);
  if (Number.isFinite(n) && n >= 0) return n;
  if (/^\d+(\.\d+)?(us|ms|s|m|h)$/.test(value)) return durationMs(value);
  throw new InvalidArgumentError('expected a duration like 500ms, 10s or 2m');
}

/** How long (virtual time) commands wait for the gateways to settle before they start. */
const DEFAULT_SETTLE_LIMIT_MS = 60 * 60_000;

function reportSettle(network: Network, result: SettleResult, io: Io): void {
  if (!result.settled) io.err(`note: the network had not settled at ${formatClock(network.scheduler.now())} (last change at ${formatClock(result.lastChangeMs)}); going on anyway\n`);
}

interface FaultSpec {
  atMs: number;
  up: boolean;
  target: string;
}

/** `--fault 6m:down:AlibabaVPC/VpnGateway_1` (a node), `…:down:internet-link` (a link), `…:down:site/instance:connection` (a tunnel). */
function faultOption(value: string, previous: FaultSpec[] = []): FaultSpec[] {
  const first = value.indexOf(':');
  const second = value.indexOf(':', first + 1);
  const action = value.slice(first + 1, second);
  if (first < 0 || second < 0 || (action !== 'down' && action !== 'up') || second === value.length - 1) {
    throw new InvalidArgumentError('expected TIME:down|up:TARGET, e.g. 6m:down:AlibabaVPC/VpnGateway_1 or 6m:down:AlibabaVPC/VpnGateway_1:IPsecConnection');
  }
  return [...previous, { atMs: durationOption(value.slice(0, first)), up: action === 'up', target: value.slice(second + 1) }];
}

function targetOf(network: Network, name: string): FaultTarget {
  const target = parseFaultTarget(name, (n) => network.links.has(n));
  if (target === undefined) throw new VpnlabError('ERR_USAGE', `--fault target '${name}' is not "site/instance:connection"`);
  return target.kind === 'node' ? { kind: 'node', name: network.node(target.name).qualifiedName } : target;
}

interface SimOptions {
  force?: boolean;
  fromScratch?: boolean;
  seed?: number;
  settleLimit?: number;
  fault?: FaultSpec[];
  at?: number;
  down?: string[];
  pcap?: string;
  link?: string;
  /** Keep every engine log line (`up --verbose` prints them); other runs need only the milestones. */
  keepLog?: boolean;
}

function load(file: string, io: Io, options: { force?: boolean } = {}): LoadedTopology {
  const loaded = loadTopologyFile(file, { keepCheckErrors: options.force === true });
  for (const w of loaded.warnings) io.err(`${formatIssue(w)}\n`);
  return loaded;
}

/** The issues of a file that cannot be used, then how many errors; `check` prints each one's code. */
function reportConfigError(e: ConfigError, io: Io, code = false): void {
  for (const issue of e.issues) io.err(`${formatIssue(issue, { code })}\n`);
  io.err(`${e.errorCount} error(s)\n`);
}

/**
 * Builds the network, applies --down faults, starts a capture, and runs to the start time: the
 * part every simulating command shares.
 */
function startNetwork(loaded: LoadedTopology, opts: SimOptions, io: Io, defaultLink: (n: Network) => string | undefined,
  beforeStart: (n: Network) => void = () => {}): { network: Network; finish: () => void } {
  const network = new Network(loaded.topology, opts.seed, { fromScratch: opts.fromScratch === true, resolved: loaded.network, keepLog: opts.keepLog !== false });
  for (const f of opts.fault ?? []) network.scheduleFault(f.atMs, targetOf(network, f.target), f.up);
  beforeStart(network);
  for (const name of opts.down ?? []) {
    if (network.links.has(name)) network.link(name).setUp(false);
    else network.node(name).ip.setUp(false);
  }
  let finish = (): void => {};
  if (opts.pcap !== undefined) {
    const linkName = opts.link ?? defaultLink(network);
    if (linkName === undefined) throw new VpnlabError('ERR_USAGE', '--pcap needs --link NAME (the link or "site/subnet" segment to capture)');
    const writer = network.capture(linkName);
    const file = opts.pcap;
    finish = () => writeFileSync(file, writer.bytes());
  }
  if (opts.at !== undefined) network.scheduler.advance(opts.at);
  else reportSettle(network, runUntilSettled(network, opts.settleLimit ?? DEFAULT_SETTLE_LIMIT_MS), io);
  return { network, finish };
}

function addSimOptions(cmd: Command): Command {
  return cmd
    .option('--seed <n>', 'random seed (default: the file\'s seed, or 1)', integer)
    .option('--at <time>', 'virtual time to start at (default: once the gateways have settled; faults scheduled before it have happened)', durationOption)
    .option('--down <name>', 'take a link or node down before starting (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--fault <time:down|up:target>', 'take a link, a node (a gateway instance too) or a tunnel ("site/instance:connection") down or up at a simulated time (repeatable)', faultOption)
    .option('--from-scratch', 'create every cloud gateway when the run starts: Azure gateways provision for 30-45 simulated minutes first (default: they exist already)')
    .option('--force', 'run even when `check` finds errors, to watch what they do (the platforms themselves may refuse such a configuration)')
    .option('--pcap <file>', 'write the packets crossing --link to a pcap file')
    .option('--link <name>', 'the link to capture: a link name or "site/subnet"');
}

/** The subnet segment of a node's first interface: the natural capture point for ping. */
function firstSegment(network: Network, nodeName: string): string | undefined {
  const node = network.node(nodeName);
  for (const [name, link] of network.links) if (link.ports.some((p) => p.node === node.ip)) return name;
  return undefined;
}

/** Runs until every scheduled fault has happened and the network has settled after the last one. */
function runPastFaults(network: Network, limitMs: number, io: Io): void {
  const end = network.scheduler.now() + limitMs;
  const lastFault = Math.max(-1, ...network.faults.map((f) => f.atMs));
  if (lastFault < network.scheduler.now()) return;
  network.scheduler.advance(lastFault - network.scheduler.now());
  reportSettle(network, runUntilSettled(network, Math.max(0, end - network.scheduler.now())), io);
}

function planProbe(network: Network, spec: string): ScheduledProbe {
  const colon = spec.lastIndexOf(':');
  if (colon <= 0) throw new VpnlabError('ERR_USAGE', '--probe expects FROM:DESTINATION, e.g. vm:10.0.0.1');
  return scheduleProbe(network, spec.slice(0, colon), spec.slice(colon + 1));
}

function renderProbe(spec: string, probe: Probe): string {
  const outages = probe.outages();
  const lines = ['', `Probe ${spec}: ${probe.sent} sent, ${probe.received} received, ${outages.length === 0 ? 'no outage' : `${outages.length} outage(s)`}`];
  for (const o of outages) lines.push(`  outage ${formatClock(o.fromMs)} - ${formatClock(o.toMs)} (${((o.toMs - o.fromMs) / 1000).toFixed(1)} s, ${o.lost} lost)`);
  return lines.join('\n') + '\n';
}

/** Up to this many sites, `up` prints every site's events and views below the summary; above it, those of --show sites. */
export const SMALL_NETWORK_SITES = 10;

interface UpView {
  verbose: boolean;
  /** Sites whose events and views to print (--show); empty: all of a small network's. */
  show: readonly string[];
}

function shownSites(topology: Topology, view: UpView): ReadonlySet<string> | undefined {
  const names = topology.sites.map((s) => s.name);
  for (const name of view.show) {
    if (!names.includes(name)) {
      const some = names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')} and ${names.length - 10} more`;
      throw new VpnlabError('ERR_UNKNOWN_NAME', `--show: no site named '${name}' (known: ${some})`);
    }
  }
  if (view.verbose || (view.show.length === 0 && names.length <= SMALL_NETWORK_SITES)) return undefined;
  return new Set(view.show);
}

/** `shown`: shownSites' answer, asked before the run so that a wrong --show costs nothing. */
function renderUp(topology: Topology, network: Network, view: UpView, shown: ReadonlySet<string> | undefined): string {
  const parts = [`${topology.name}: ${formatClock(network.scheduler.now())} simulated, ${network.scheduler.eventsProcessed} events`, ...renderSummary(summarize(network)), ''];
  const inShown = (node: string): boolean => shown === undefined || shown.has(node.includes('/') ? node.slice(0, node.indexOf('/')) : node);
  if (shown !== undefined && view.show.length === 0) {
    parts.push(`${topology.sites.length} sites: each site's events and views with --show SITE (repeatable), every site's with --verbose`, '');
  }
  const milestones = network.milestones.filter((m) => inShown(m.node));
  if (milestones.length > 0) parts.push('Events:', renderMilestones(milestones));
  const gateways = renderGateways(network, shown);
  if (gateways !== '') parts.push(gateways);
  if (view.verbose) {
    parts.push('Log:', ...network.events.map(formatEvent), '', renderStatus(topology.name, network));
  }
  return parts.join('\n');
}

export function buildProgram(io: Io = defaultIo): Command {
  const program = new Command('vpnlab')
    .description('Site-to-site VPN gateway and hybrid-cloud network emulator')
    .version(VPNLAB_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  program.command('check <file>')
    .description('load and validate a topology file; exit 1 with every problem found')
    .action((file: string) => {
      let loaded: LoadedTopology;
      try {
        loaded = loadTopologyFile(file);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        reportConfigError(e, io, true);
        io.exitCode = 1;
        return;
      }
      const { topology, warnings } = loaded;
      for (const w of warnings) io.err(`${formatIssue(w, { code: true })}\n`);
      const count = (f: (s: (typeof topology.sites)[number]) => unknown[] | undefined): number => topology.sites.reduce((n, s) => n + (f(s)?.length ?? 0), 0);
      io.out(`${file}: ok — ${topology.sites.length} sites, ${count((s) => s.subnets)} subnets, ${count((s) => s.hosts)} hosts, ` +
        `${count((s) => s.routers)} routers, ${topology.links?.length ?? 0} links${warnings.length > 0 ? `, ${warnings.length} warning(s)` : ''}\n`);
    });

  program.command('schema')
    .description('print the topology file\'s JSON Schema')
    .option('-o, --out <file>', 'write it to a file instead')
    .action((opts: { out?: string }) => {
      const text = `${JSON.stringify(topologyJsonSchema(), null, 2)}\n`;
      if (opts.out !== undefined) writeFileSync(opts.out, text);
      else io.out(text);
    });

  addSimOptions(program.command('up <file>'))
    .description('bring the topology up in the simulator, run it until the gateways settle (and past every fault) and print what each platform shows')
    .addOption(new Option('--until <time>', 'give up settling after this long (virtual time)').argParser(durationOption).default(DEFAULT_SETTLE_LIMIT_MS, '60m'))
    .option('--probe <from:destination>', 'ping once a second from a host to a destination while faults happen, and report the outages')
    .option('--verbose', 'also print every gateway log line, the nodes and the links (and every site\'s events and views, however many)')
    .option('--show <site>', `print this site's events and views below the summary (repeatable; by default every site's in a network of up to ${SMALL_NETWORK_SITES} sites)`, (v: string, acc: string[] = []) => [...acc, v])
    .action((file: string, opts: SimOptions & { until: number; verbose?: boolean; probe?: string; show?: string[] }) => {
      const loaded = load(file, io, opts);
      const view = { verbose: opts.verbose === true, show: opts.show ?? [] };
      const shown = shownSites(loaded.topology, view);
      let probe: ScheduledProbe | undefined;
      const { network, finish } = startNetwork(loaded, { ...opts, settleLimit: opts.until, keepLog: view.verbose }, io, () => undefined, (n) => {
        if (opts.probe !== undefined) probe = planProbe(n, opts.probe);
      });
      probe?.start();
      runPastFaults(network, opts.until, io);
      probe?.stop();
      finish();
      io.out(renderUp(loaded.topology, network, view, shown));
      if (probe?.probe !== undefined) io.out(renderProbe(opts.probe!, probe.probe));
    });

  addSimOptions(program.command('ping <file> <destination>'))
    .description('ping from a host (output in the style of its OS)')
    .requiredOption('--from <host>', 'source node: "site/name" or a unique name')
    .option('-c, --count <n>', 'echo requests to send', integer, 4)
    .option('-s, --size <bytes>', 'payload size (default: 56 on linux, 32 on windows)', integer)
    .action((file: string, destination: string, opts: SimOptions & { from: string; count: number; size?: number }) => {
      const loaded = load(file, io, opts);
      const { network, finish } = startNetwork(loaded, opts, io, (n) => firstSegment(n, opts.from));
      const drops = recordDrops(network);
      const run = runPing(network, opts.from, destination, opts.count, opts.size);
      finish();
      io.out(renderPing(run.style, run.dst, run.ping, run.size));
      const replies = run.ping.events.filter((e) => e.kind === 'reply').length;
      if (replies < run.ping.events.length || replies < opts.count) io.out(renderDrops(network, drops));
      if (replies === 0) io.exitCode = 1;
    });

  addSimOptions(program.command('traceroute <file> <destination>'))
    .alias('tracert')
    .description('trace the route from a host (Linux traceroute or Windows tracert style)')
    .requiredOption('--from <host>', 'source node: "site/name" or a unique name')
    .option('-m, --max-hops <n>', 'maximum hops', integer)
    .action((file: string, destination: string, opts: SimOptions & { from: string; maxHops?: number }) => {
      const loaded = load(file, io, opts);
      const { network, finish } = startNetwork(loaded, opts, io, (n) => firstSegment(n, opts.from));
      const run = runTraceroute(network, opts.from, destination, opts.maxHops);
      finish();
      io.out(renderTraceroute(run.style, run.dst, run.trace, run.maxHops));
    });

  addSimOptions(program.command('routes <file> <node>'))
    .description('show a node\'s forwarding table')
    .action((file: string, node: string, opts: SimOptions) => {
      const loaded = load(file, io, opts);
      const { network, finish } = startNetwork(loaded, opts, io, () => undefined);
      finish();
      io.out(renderRoutes(network.node(node)));
    });

  addExportCommand(program, io);
  addImportCommand(program, io);
  addBgpCommands(program, io);
  addIkeCommands(program, io);
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: string[], output: Io = defaultIo): Promise<number> {
  const io: Io = { out: output.out, err: output.err };
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return io.exitCode ?? 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof ConfigError) {
      reportConfigError(e, io);
      return 1;
    }
    if (e instanceof VpnlabError) {
      io.err(`vpnlab: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

