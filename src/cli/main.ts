import { writeFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { VpnlabError } from '../core/errors.js';
import { ConfigError, formatIssue } from '../config/issues.js';
import { loadTopologyFile, type LoadedTopology } from '../platforms/load.js';
import { durationMs } from '../config/primitives.js';
import { topologyJsonSchema } from '../topology/schema.js';
import { addBgpCommands } from './bgp-commands.js';
import { addExportCommand, VPNLAB_VERSION } from './export-command.js';
import { addImportCommand } from './import-command.js';
import { addIkeCommands } from './ike-commands.js';
import type { Io } from './io.js';
import { DEFAULT_SETTLE_LIMIT_MS, SMALL_NETWORK_SITES } from './sim-defaults.js';
import type { FaultSpec, PingOptions, SimOptions, TracerouteOptions, UpOptions } from './sim-run.js';

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** The simulation commands' code, loaded when one runs: `check`, `export` and the daemons never load the emulator. */
const simRun = (): Promise<typeof import('./sim-run.js')> => import('./sim-run.js');

function durationOption(value: string): number {
  const n = Number(value);
  if (Number.isFinite(n) && n >= 0) return n;
  if (/^\d+(\.\d+)?(us|ms|s|m|h)$/.test(value)) return durationMs(value);
  throw new InvalidArgumentError('expected a duration like 500ms, 10s or 2m');
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

/** The issues of a file that cannot be used, then how many errors; `check` prints each one's code. */
function reportConfigError(e: ConfigError, io: Io, code = false): void {
  for (const issue of e.issues) io.err(`${formatIssue(issue, { code })}\n`);
  io.err(`${e.errorCount} error(s)\n`);
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
    .action(async (file: string, opts: UpOptions) => (await simRun()).up(file, opts, io));

  addSimOptions(program.command('ping <file> <destination>'))
    .description('ping from a host (output in the style of its OS)')
    .requiredOption('--from <host>', 'source node: "site/name" or a unique name')
    .option('-c, --count <n>', 'echo requests to send', integer, 4)
    .option('-s, --size <bytes>', 'payload size (default: 56 on linux, 32 on windows)', integer)
    .action(async (file: string, destination: string, opts: PingOptions) => (await simRun()).ping(file, destination, opts, io));

  addSimOptions(program.command('traceroute <file> <destination>'))
    .alias('tracert')
    .description('trace the route from a host (Linux traceroute or Windows tracert style)')
    .requiredOption('--from <host>', 'source node: "site/name" or a unique name')
    .option('-m, --max-hops <n>', 'maximum hops', integer)
    .action(async (file: string, destination: string, opts: TracerouteOptions) => (await simRun()).traceroute(file, destination, opts, io));

  addSimOptions(program.command('routes <file> <node>'))
    .description('show a node\'s forwarding table')
    .action(async (file: string, node: string, opts: SimOptions) => (await simRun()).routes(file, node, opts, io));

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

