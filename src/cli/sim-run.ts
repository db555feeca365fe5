import { writeFileSync } from 'node:fs';
import type { Probe } from '../apps/probe.js';
import { formatIssue } from '../config/issues.js';
import { VpnlabError } from '../core/errors.js';
import { Network } from '../emulator/network.js';
import { runUntilSettled, type SettleResult } from '../emulator/settle.js';
import { runPing, runTraceroute, scheduleProbe, type ScheduledProbe } from '../emulator/session.js';
import { summarize } from '../emulator/summary.js';
import { loadTopologyFile, type LoadedTopology } from '../platforms/load.js';
import { parseFaultTarget, type FaultTarget } from '../topology/faults.js';
import type { Topology } from '../topology/schema.js';
import type { Io } from './io.js';
import { DEFAULT_SETTLE_LIMIT_MS, SMALL_NETWORK_SITES } from './sim-defaults.js';
import { formatClock, formatEvent, renderMilestones } from './render/events.js';
import { renderGateways } from './render/gateways.js';
import { renderPing } from './render/ping.js';
import { renderDrops, recordDrops, renderRoutes } from './render/routes.js';
import { renderStatus } from './render/status.js';
import { renderSummary } from './render/summary.js';
import { renderTraceroute } from './render/traceroute.js';

/*
 * The commands that run the emulator (up, ping, traceroute, routes): main.ts defines their options
 * and loads this module when one of them runs.
 */

export interface FaultSpec {
  atMs: number;
  up: boolean;
  target: string;
}

export interface SimOptions {
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

export type UpOptions = SimOptions & { until: number; verbose?: boolean; probe?: string; show?: string[] };
export type PingOptions = SimOptions & { from: string; count: number; size?: number };
export type TracerouteOptions = SimOptions & { from: string; maxHops?: number };

function reportSettle(network: Network, result: SettleResult, io: Io): void {
  if (!result.settled) io.err(`note: the network had not settled at ${formatClock(network.scheduler.now())} (last change at ${formatClock(result.lastChangeMs)}); going on anyway\n`);
}

function load(file: string, io: Io, options: { force?: boolean } = {}): LoadedTopology {
  const loaded = loadTopologyFile(file, { keepCheckErrors: options.force === true });
  for (const w of loaded.warnings) io.err(`${formatIssue(w)}\n`);
  return loaded;
}

function targetOf(network: Network, name: string): FaultTarget {
  const target = parseFaultTarget(name, (n) => network.links.has(n));
  if (target === undefined) throw new VpnlabError('ERR_USAGE', `--fault target '${name}' is not "site/instance:connection"`);
  return target.kind === 'node' ? { kind: 'node', name: network.node(target.name).qualifiedName } : target;
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

export function up(file: string, opts: UpOptions, io: Io): void {
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
}

export function ping(file: string, destination: string, opts: PingOptions, io: Io): void {
  const loaded = load(file, io, opts);
  const { network, finish } = startNetwork(loaded, opts, io, (n) => firstSegment(n, opts.from));
  const drops = recordDrops(network);
  const run = runPing(network, opts.from, destination, opts.count, opts.size);
  finish();
  io.out(renderPing(run.style, run.dst, run.ping, run.size));
  const replies = run.ping.events.filter((e) => e.kind === 'reply').length;
  if (replies < run.ping.events.length || replies < opts.count) io.out(renderDrops(network, drops));
  if (replies === 0) io.exitCode = 1;
}

export function traceroute(file: string, destination: string, opts: TracerouteOptions, io: Io): void {
  const loaded = load(file, io, opts);
  const { network, finish } = startNetwork(loaded, opts, io, (n) => firstSegment(n, opts.from));
  const run = runTraceroute(network, opts.from, destination, opts.maxHops);
  finish();
  io.out(renderTraceroute(run.style, run.dst, run.trace, run.maxHops));
}

export function routes(file: string, node: string, opts: SimOptions, io: Io): void {
  const loaded = load(file, io, opts);
  const { network, finish } = startNetwork(loaded, opts, io, () => undefined);
  finish();
  io.out(renderRoutes(network.node(node)));
}
